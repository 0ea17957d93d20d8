#!/bin/sh
# diff.sh: what a lesson changed from the lesson before it, as `diff -u` of
# the scheduler and its headers.
#
#   sh common/scripts/diff.sh LESSON          (make diff LESSON=lesson05_parking)
#
# Files are paired by name (deque.h with deque.h, injector.h with
# injector.h), and the two schedulers with each other: lessonNN_name/name.c
# (lesson04_chase_lev/chase_lev.c against lesson05_parking/parking.c).  A
# file new in LESSON is shown whole, as added; one the lesson dropped, as
# removed.  Tests are left out.  Regions marked "copied unchanged" are
# checked by `make check-copies`.
set -u

lessons=$(ls -d lesson0[2-5]_*/ 2>/dev/null | tr -d / | tr '\n' ' ')
lesson=${1:-}
lesson=${lesson%/}
prev=
for l in $(ls -d lesson0[1-5]_*/ | tr -d /); do
    if [ "$l" = "$lesson" ]; then
        break
    fi
    prev=$l
done
case " $lessons" in
*" $lesson "*) ;;
*)
    case $lesson in
    '') why="which lesson?" ;;
    lesson01_*) why="$lesson is the first, with no lesson before it;" ;;
    lesson06_*) why="$lesson has no scheduler of its own;" ;;
    *) why="no lesson '$lesson';" ;;
    esac
    echo "make diff: $why LESSON= one of: ${lessons% }" >&2
    exit 2
    ;;
esac

# The scheduler and its headers: the .c and .h files at the top of a lesson,
# tests left out.
files() {
    for f in "$1"/*.[ch]; do
        case $f in *_test.c) continue ;; esac
        [ -f "$f" ] && echo "${f#$1/}"
    done
}
main() { echo "${1#lesson0[0-9]_}.c"; }

# diff -u, with a header saying what is compared; colour on a terminal where
# diff has it.
color=
diff --color=auto /dev/null /dev/null >/dev/null 2>&1 && color=--color=auto
show() {
    printf '\n==== %s ====\n' "$3"
    diff -u $color --label "$1" --label "$2" "$1" "$2"
    [ $? -le 1 ] || exit 2
}

echo "make diff: what $lesson changed from $prev (diff -u; - is $prev, + is $lesson)"
newmain=$(main "$lesson")
oldmain=$(main "$prev")
# Headers first, in the order the READMEs read them, then the scheduler,
# then the rest.
for f in $(files "$lesson" | grep '\.h$') $newmain $(files "$lesson" | grep '\.c$' | grep -vx "$newmain"); do
    if [ "$f" = "$newmain" ]; then
        show "$prev/$oldmain" "$lesson/$f" "the scheduler: $prev/$oldmain -> $lesson/$f"
    elif [ -f "$prev/$f" ]; then
        show "$prev/$f" "$lesson/$f" "$prev/$f -> $lesson/$f"
    else
        show /dev/null "$lesson/$f" "$lesson/$f: new in $lesson"
    fi
done
for f in $(files "$prev"); do
    if [ "$f" != "$oldmain" ] && [ ! -f "$lesson/$f" ]; then
        show "$prev/$f" /dev/null "$prev/$f: not in $lesson"
    fi
done
exit 0
