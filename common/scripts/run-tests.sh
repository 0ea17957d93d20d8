#!/bin/bash
# run-tests.sh: runs test programs, shows what they print, and ends with the
# totals added up from Check's summary lines ("Checks: 17, Failures: 0, ...").
#
#   run-tests.sh "build/tests/contract lesson01_shared_queue" build/tests/...
#
# Each argument is one command line.  A program that fails without a Check
# summary (it crashed, or refused its arguments) counts as one failed test.
set -u -o pipefail

passed=0
failed=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for cmd in "$@"; do
    echo "== $cmd"
    $cmd 2>&1 | tee "$log"
    rc=$?
    checks=0
    bad=0
    while read -r c f e; do
        checks=$((checks + c))
        bad=$((bad + f + e))
    done < <(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$log")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
        checks=$((checks + 1))
    fi
    passed=$((passed + checks - bad))
    failed=$((failed + bad))
    [ "$bad" -gt 0 ] && failures="$failures
  $cmd"
done

echo
if [ "$failed" -gt 0 ]; then
    echo "failed in:$failures"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
