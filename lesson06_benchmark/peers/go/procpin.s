// procpin.s: empty on purpose.  A Go package with an assembly file may
// declare functions without a body, which procpin.go's go:linkname
// declarations need (the go tool compiles a package of .go files alone with
// -complete, which rejects them).
