#!/bin/sh
# check-copies.sh: checks that every region a lesson marks as copied from
# the lesson before it still is, byte for byte.
#
#   sh common/scripts/check-copies.sh [FILE...]     (default: lesson0[2-5]_*/*.[ch])
#
# A marked region reads, in the lesson that copied it:
#
#   /* ---- copied unchanged from lesson04_chase_lev/deque.h: ring_new ... deque_destroy ---- */
#   ...the lines, exactly as they are in lesson04_chase_lev/deque.h...
#   /* ---- end of copy ---- */
#
# The lines between the two markers must appear, one after the other, in the
# named file (whose own markers, if it has any, are skipped).  A region that
# no longer does is named with its file and line, and so is the first of its
# lines that differs from the closest match; `make diff LESSON=...` shows the
# rest.  Edit both copies, or move the markers.  Exit status 0 when every
# region matches, 1 otherwise.
set -u

[ $# -gt 0 ] || set -- lesson0[2-5]_*/*.[ch]

awk '
function marker(s) {
    return s ~ /^\/\* ---- copied unchanged from [^ :]+: .* ---- \*\/$/ || s == "/* ---- end of copy ---- */"
}
# Loads the named file into src[1..nsrc] (its line numbers in srcline[]),
# markers left out.  0 if unreadable or empty.
function load(path,    line, r, n) {
    nsrc = 0
    while ((r = (getline line < path)) > 0) {
        n++
        if (!marker(line)) {
            src[++nsrc] = line
            srcline[nsrc] = n
        }
    }
    close(path)
    return r == 0 && nsrc > 0
}
# Checks the region held in reg[1..nreg]; prints what is wrong, if anything.
function check(    i, j, k, best, bestat) {
    nregions++
    if (!load(from)) {
        printf "check-copies: %s:%d: region \"%s\": cannot read %s\n", FILENAME, start, label, from
        bad++
        return
    }
    best = -1
    for (i = 1; i <= nsrc; i++) {
        for (k = 0; k < nreg && i + k <= nsrc && src[i + k] == reg[k + 1]; k++)
            ;
        if (k > best) { best = k; bestat = i }
        if (k == nreg)
            return
    }
    bad++
    printf "check-copies: %s:%d: region \"%s\" is no longer the same as in %s\n", FILENAME, start, label, from
    if (best >= 0 && best < nreg) {
        printf "  first line that differs (%s:%d):\n    %s\n", FILENAME, start + best + 1, reg[best + 1]
        if (bestat + best <= nsrc)
            printf "  where %s:%d has:\n    %s\n", from, srcline[bestat + best], src[bestat + best]
    }
}
FNR == 1 {
    if (inside)
        unclosed()
    inside = 0
}
function unclosed() {
    printf "check-copies: %s:%d: region \"%s\" has no end marker\n", prevfile, start, label
    bad++
}
/^\/\* ---- copied unchanged from / {
    if (inside)
        unclosed()
    if (!marker($0)) {
        printf "check-copies: %s:%d: a start marker not of the form /* ---- copied unchanged from FILE: WHAT ---- */\n", FILENAME, FNR
        bad++
        next
    }
    from = $0
    sub(/^\/\* ---- copied unchanged from /, "", from)
    label = from
    sub(/:.*/, "", from)
    sub(/^[^:]*: /, "", label)
    sub(/ ---- \*\/$/, "", label)
    inside = 1; nreg = 0; start = FNR; prevfile = FILENAME
    next
}
$0 == "/* ---- end of copy ---- */" {
    if (!inside) {
        printf "check-copies: %s:%d: an end marker with no start marker\n", FILENAME, FNR
        bad++
        next
    }
    inside = 0
    check()
    next
}
inside { reg[++nreg] = $0 }
END {
    if (inside)
        unclosed()
    if (bad) {
        printf "check-copies: %d problem(s) in %d marked region(s)\n", bad, nregions
        exit 1
    }
    printf "check-copies: %d marked regions, each the same as the lesson it was copied from\n", nregions
}
' "$@"
