// procpin.go: the number of the P (the Go scheduler's processor, one of
// GOMAXPROCS) that runs the calling goroutine: what "the thread a task runs
// on" is in Go.
//
// Go gives a goroutine no thread index and no thread-local storage, so a
// task cannot find "its thread's own counter" through any public API.  The
// runtime's procPin, which sync.Pool uses for the same purpose (a slot per
// P, without contention), returns the P's number and keeps the goroutine on
// that P until procUnpin.  It is internal: reached with go:linkname, a
// pull that Go 1.23 and later still allow for it (runtime/proc.go lists
// procPin among the linknamed functions it must keep).
package main

import _ "unsafe" // go:linkname needs it

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// pid is the number of the P running the caller at the time of the call.
func pid() int {
	p := procPin()
	procUnpin()
	return p
}
