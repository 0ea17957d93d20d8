#!/bin/sh
# verify.sh: checks a Promela model with spin, in a directory of its own.
#
#   verify.sh DIR MODEL ok    [SPIN_FLAGS]   spin must find no error
#   verify.sh DIR MODEL error [SPIN_FLAGS]   spin must find one, and we print
#                                            the counterexample's narration
set -u
dir=$1 model=$2 expect=$3
shift 3
rm -rf "$dir" && mkdir -p "$dir" && cp "$model" "$dir/" || exit 1
cd "$dir" || exit 1
name=$(basename "$model")
spin "$@" -a "$name" >spin.log 2>&1 || { cat spin.log; exit 1; }
cc -O2 -DSAFETY -w -o pan pan.c || exit 1
./pan >pan.log 2>&1
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log)
states=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' pan.log)
if [ -z "$errors" ]; then   # pan died before its summary: neither verdict holds
    echo "  $name${*:+ $*}: pan printed no result:"
    sed 's/^/    /' pan.log
    exit 1
fi
case $expect in
ok)
    if [ "$errors" = 0 ]; then
        echo "  $name${*:+ $*}: no error in $states states"
        exit 0
    fi
    echo "  $name${*:+ $*}: spin found an error:"
    spin "$@" -t "$name" | sed 's/^/    /'
    exit 1
    ;;
error)
    if [ "$errors" != 0 ]; then
        echo "  $name${*:+ $*}: spin found the error, in $states states; its interleaving:"
        spin "$@" -t "$name" | grep -E '^ *(owner|thief|spawner( [0-9]+)?|worker [0-9]+|store buffer|thread [A-Z]|writer|reader):' | sed 's/^ */    /'
        exit 0
    fi
    echo "  $name${*:+ $*}: spin found no error, but this variant is broken"
    exit 1
    ;;
esac
