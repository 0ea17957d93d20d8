#!/bin/sh
# exercises.sh: runs each exercise's test against the learner's starter file.
#
#   exercises.sh learner LOG BIN...     say, for each exercise, passed or not yet
#   exercises.sh starters-fail - BIN... (CI) every untouched starter must fail
#
# BIN is build/exercises/lessonNN_x/NAME-starter; LOG holds the compiler's
# output, shown when a starter does not compile.
set -u

mode=$1
log=$2
shift 2

passed=0
notyet=0
status=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for bin in "$@"; do
    name=$(echo "$bin" | sed 's|.*/exercises/\(.*\)-starter$|\1|')
    if [ ! -x "$bin" ]; then
        echo "not yet  $name: it does not compile; the compiler said:"
        file=$(echo "$name" | sed 's|/|/exercises/|')
        grep -E "^$file(_test)?\.c:.*(error|warning)" "$log" | sed 's/^/           /' | head -n 10
        notyet=$((notyet + 1))
        [ "$mode" = starters-fail ] && status=1
        continue
    fi
    CK_VERBOSITY=normal "$bin" >"$out" 2>&1
    rc=$?
    case $mode in
    learner)
        if [ "$rc" -eq 0 ]; then
            echo "passed   $name"
            passed=$((passed + 1))
        else
            echo "not yet  $name:"
            # Check's failure lines: file:line:F:tcase:test:i: message
            grep -E ':[FE]:' "$out" | sed 's/^[^:]*:[0-9]*:[FE]:[^:]*:\([^:]*\):[0-9]*: /\1: /' \
                | sed 's/^/           /' | head -n 5
            if grep -q 'WARNING: ThreadSanitizer' "$out"; then
                echo "           ThreadSanitizer reported a data race; to read it, run $bin"
            fi
            notyet=$((notyet + 1))
        fi
        ;;
    starters-fail)
        if [ "$rc" -eq 0 ]; then
            echo "WRONG    $name: the untouched starter passes its test, so the test checks nothing"
            status=1
        else
            echo "ok       $name: the untouched starter fails its test"
        fi
        ;;
    esac
done

if [ "$mode" = learner ]; then
    echo
    echo "exercises: $passed passed, $notyet not yet (hints: each lesson's exercises/HINTS.md)"
fi
exit $status
