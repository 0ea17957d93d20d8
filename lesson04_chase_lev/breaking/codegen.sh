#!/bin/sh
# codegen.sh: what take and steal compile to, in both forms of deque.h (the
# seq_cst operations it ships, and the paper's fences, -DDEQUE_FENCES), with
# gcc and clang for x86-64 and with clang for AArch64 (compiled, not run).
# It prints only the instructions that order memory, and the loads and
# stores around them.  Run from the repository's root:
#   sh lesson04_chase_lev/breaking/codegen.sh
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/dq.c" <<'C'
#include "deque.h"
bool call_take(struct deque *d, struct task *t) { return deque_take(d, t); }
enum steal_result call_steal(struct deque *d, struct task *t) { return deque_steal(d, t); }
C
flags="-std=c11 -O2 -D_GNU_SOURCE -Icommon -Ilesson04_chase_lev -c"
for cc in "gcc" "clang" "clang --target=aarch64-linux-gnu -isystem /usr/aarch64-linux-gnu/include"; do
    for form in "" "-DDEQUE_FENCES"; do
        # shellcheck disable=SC2086
        if $cc $flags $form "$dir/dq.c" -o "$dir/dq.o" 2>/dev/null; then
            echo "== ${cc%% -isystem*} ${form:-(shipped: seq_cst operations)}"
            llvm-objdump -d --no-show-raw-insn "$dir/dq.o" |
                awk '/<call_take>:/ {f="take "} /<call_steal>:/ {f="steal"}
                     { sub(/^[ \t]*[0-9a-f]+:[ \t]*/, "") }
                     prev ~ /^lock$/ { print "   " f ": lock " $0 }
                     /^xchg|mfence|dmb|stlr|ldar|ldaxr|stlxr/ { print "   " f ": " $0 }
                     { prev = $0 }' |
                sort -u
        else
            echo "== ${cc%% -isystem*} ${form:-(shipped)}: could not compile (no such compiler, target or headers here)"
        fi
    done
done
