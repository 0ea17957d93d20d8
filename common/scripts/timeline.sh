#!/bin/sh
# timeline.sh: draws a trace CSV (TRACING.md) as a PNG with gnuplot: a
# timeline with one row per worker, and a bar chart of tasks per worker.
#
#   sh common/scripts/timeline.sh TRACE.csv OUT.png
#
# timeline.awk turns the events into intervals (busy, parked) and arrows
# (steals); timeline.gp draws them.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: timeline.sh TRACE.csv OUT.png" >&2
    exit 2
fi
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -F, -v dir="$tmp" -f "$here/timeline.awk" "$1"
gnuplot -e "dir='$tmp'; out='$2'" "$here/timeline.gp"
