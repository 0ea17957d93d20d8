#!/bin/sh
# deps.sh: makes sure what a make target needs is installed.
#
#   deps.sh check      Check (the C unit-test library) and pkg-config
#   deps.sh gnuplot    gnuplot, for the benchmark's plots
#   deps.sh spin       the spin model checker, for make verify
#   deps.sh tbb        g++ and oneTBB, for the benchmark's oneTBB peer
#   deps.sh omp        clang and LLVM's libomp, for the libomp peer
#   deps.sh rust       Debian's cargo and rustc, and the rayon and
#                      crossbeam-deque crates, for the Rust peers
#   deps.sh go         Debian's Go, for the Go peer
#
# Missing Debian packages are installed with apt-get when that can be done
# without a question (as root, or with sudo that needs no password), and the
# script says so.  Otherwise it prints the one command to run and fails.
set -u

missing=""
why=""          # what the missing packages are for, said before installing
for need in "$@"; do
    before=$missing
    case $need in
    check)
        command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
        pkg-config --exists check 2>/dev/null || missing="$missing check"
        ;;
    gnuplot)
        command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
        ;;
    spin)
        command -v spin >/dev/null 2>&1 || missing="$missing spin"
        ;;
    tbb)
        command -v g++ >/dev/null 2>&1 || missing="$missing g++"
        [ -e /usr/include/oneapi/tbb/task_group.h ] || missing="$missing libtbb-dev"
        ;;
    omp)
        command -v clang >/dev/null 2>&1 || missing="$missing clang"
        ls /usr/lib/llvm-*/lib/libomp.so >/dev/null 2>&1 || missing="$missing libomp-dev"
        ;;
    rust)
        # Debian's own cargo and rustc (the peers build with them, not with a
        # rustup toolchain that may come first in PATH), and the crates as
        # Debian ships them, into /usr/share/cargo/registry.
        [ -x /usr/bin/cargo ] || missing="$missing cargo"
        [ -x /usr/bin/rustc ] || missing="$missing rustc"
        ls -d /usr/share/cargo/registry/rayon-[0-9]* >/dev/null 2>&1 || missing="$missing librust-rayon-dev"
        ls -d /usr/share/cargo/registry/crossbeam-deque-[0-9]* >/dev/null 2>&1 ||
            missing="$missing librust-crossbeam-deque-dev"
        ;;
    go)
        [ -x /usr/bin/go ] || missing="$missing golang-go"
        ;;
    *)
        echo "deps.sh: unknown need '$need'" >&2
        exit 2
        ;;
    esac
    if [ "$missing" != "$before" ]; then
        case $need in
        check)   for_what="the tests (the Check library)" ;;
        gnuplot) for_what="the benchmark's plots" ;;
        spin)    for_what="make verify's model checker" ;;
        tbb)     for_what="the benchmark's oneTBB peer" ;;
        omp)     for_what="the benchmark's LLVM libomp peer" ;;
        rust)    for_what="the benchmark's rayon and crossbeam-deque peers" ;;
        go)      for_what="the benchmark's Go peer" ;;
        esac
        why="${why:+$why; }$for_what:${missing#"$before"}"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "make: missing, for $why"
    echo "  install them with your system's package manager (the C library is called 'check')"
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "make: missing Debian packages, for $why"
    echo "  run:  sudo apt-get install$missing"
    exit 1
fi

echo "make: installing missing Debian packages, for $why"
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
# Install from the package lists we have; if they are stale or absent (a
# fresh container), update them once and try again.
if ! $sudo apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1; then
    if ! { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
        tail -n 20 "$log"
        rm -f "$log"
        echo "make: could not install$missing; run:  sudo apt-get update && sudo apt-get install$missing"
        exit 1
    fi
fi
rm -f "$log"
echo "make: installed$missing"
