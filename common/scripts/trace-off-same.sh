#!/bin/sh
# trace-off-same.sh: shows that the trace hooks cost nothing when tracing is
# off, by comparing machine code.
#
#   sh common/scripts/trace-off-same.sh [BASE]
#
# Compiles each lesson's scheduler twice with the Makefile's flags and no
# -DTRACE: from the working tree as it is, and from a copy of it with every
# hook line (a line that is only a trace_*(...); statement) deleted, or
# from BASE, a commit, if one is given (for one from before the hooks).
# Then compares the two objects' disassembly, relocations included
# (objdump -dr), and the contents of their other sections.  Debug
# information is left out of the comparison: it holds line numbers, and
# deleting the hooks moves lines.
#
# For the same reason one instruction may differ: an assert() passes its
# __LINE__ to __assert_fail as a constant.  So an object that differs is
# compiled again from both trees with -DNDEBUG (no assert), and compared
# again.  Exit status 0 when every object is the same, or differs only in
# the line numbers of its asserts.
set -u

CC=${CC:-cc}
FLAGS="-D_GNU_SOURCE -Icommon -O2 -g -std=c11 -Wall -Wextra -Werror -pthread"

base=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/base" "$tmp/now"
echo "without -DTRACE, $CC $FLAGS"
if [ -z "$base" ]; then
    tar -c --exclude='*.png' common lesson0[1-5]_* | tar -x -C "$tmp/base" || exit 2
    for f in "$tmp"/base/lesson0[1-5]_*/*.[ch]; do
        sed -i -E '/^[[:space:]]*trace_[a-z_]+\(.*\);[[:space:]]*$/d' "$f" || exit 2
    done
    echo "the working tree against itself with its $(cat lesson0[1-5]_*/*.[ch] | grep -cE '^[[:space:]]*trace_[a-z_]+\(.*\);[[:space:]]*$') hook lines deleted:"
else
    git archive "$base" | tar -x -C "$tmp/base" || exit 2
    echo "the working tree against $(git rev-parse --short "$base") ($(git log -1 --format=%s "$base" | cut -c1-50)...):"
fi

# What is compared: code with relocations (objdump -dr), and the contents
# of every other section but debug information and notes.
dump() {
    objdump -dr "$1" | tail -n +3
    for sec in $(objdump -h "$1" | awk '$1 ~ /^[0-9]+$/ && $2 !~ /^\.(debug|note|comment|rela|text)/ { print $2 }'); do
        objdump -s -j "$sec" "$1" | tail -n +3
    done
}

bad=0
for src in lesson0[1-5]_*/*.c; do
    case $src in *_test.c) continue ;; esac
    o=$(echo "$src" | tr / _).o
    for tree in base now; do
        dir=$tmp/$tree
        [ "$tree" = now ] && dir=.
        (cd "$dir" && $CC $FLAGS -c "$src" -o "$tmp/$tree-$o") || exit 2
        dump "$tmp/$tree-$o" >"$tmp/$tree-$o.txt"
    done
    size=$(size -A "$tmp/now-$o" | awk '$1 == ".text" { print $2 }')
    if cmp -s "$tmp/base-$o.txt" "$tmp/now-$o.txt"; then
        echo "  $src: same code and data (.text $size bytes)"
        continue
    fi
    n=$(diff "$tmp/base-$o.txt" "$tmp/now-$o.txt" | grep -c '^>')
    echo "  $src: $n line(s) differ:"
    diff "$tmp/base-$o.txt" "$tmp/now-$o.txt" | grep '^[<>]' | sed 's/^/      /'
    echo "    its assert() lines: $(grep -n 'assert(' "$tmp/base/$src" | cut -d: -f1 | tr '\n' ' ')before," \
         "$(grep -n 'assert(' "$src" | cut -d: -f1 | tr '\n' ' ')now"
    for tree in base now; do
        dir=$tmp/$tree
        [ "$tree" = now ] && dir=.
        # -Wno-unused-variable: a variable that only an assert reads.
        (cd "$dir" && $CC $FLAGS -Wno-unused-variable -DNDEBUG -c "$src" -o "$tmp/$tree-nd-$o") || exit 2
        dump "$tmp/$tree-nd-$o" >"$tmp/$tree-nd-$o.txt"
    done
    if cmp -s "$tmp/base-nd-$o.txt" "$tmp/now-nd-$o.txt"; then
        echo "    with -DNDEBUG (no assert, so no __LINE__): same code and data"
    else
        echo "    with -DNDEBUG: still different"
        bad=1
    fi
done
exit $bad
