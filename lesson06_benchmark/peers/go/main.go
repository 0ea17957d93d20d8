// peer-go: the benchmark's workloads on goroutines and sync.WaitGroup, the
// Go programmer's choice (Debian: golang-go).  A program of its own, as the
// C peers are (../peer.h).  This file is the part that is not the runtime:
// arguments, timing, counting, checking, a port of ../peer_main.c step for
// step, so that Go's row and a C peer's measure the same thing;
// goroutines.go maps the workloads, programs.go ports ../../programs.c.
//
// Threads: GOMAXPROCS = THREADS, the number of Ps (the Go scheduler's
// processors): THREADS goroutines run Go code at once, the main goroutine,
// which spawns the work, one of them, as in the OpenMP team.  What Go does
// not let a program choose: how many OS threads it starts (an M per P that
// runs, more for goroutines blocked in system calls, sysmon, which runs
// without a P), whether idle Ms spin before they sleep (the runtime lets at
// most half as many spin as there are busy Ps), and the garbage collector,
// which takes a quarter of the Ps while it marks (each `go` statement's
// closure is small, but fib(30) makes 1.3 million of them).
//
// The task bodies are bench.c's: a trivial task adds one to its thread's own
// counter, on a cache line of its own (its P's: procpin.go says why), and
// an imbalanced task spins first.  A P runs one goroutine at a time and the
// task stays on its P while it counts (procPin), so each counter has one
// writer at a time; the runtime's hand-over of a P between threads, and
// wg.Wait() before the counts are read, order the plain increments.
//
// The wake-up test (peer.h): GOMAXPROCS = THREADS + 1, the main goroutine
// locked to its OS thread (runtime.LockOSThread) as the submitter.  It
// sleeps each gap and waits for each task in raw system calls (nanosleep;
// select and read on a pipe, Go's nearest to a semaphore: no scheduling
// point of the runtime, so it cannot run the task while it waits), and
// starts each task with a `go` statement, which puts it on the submitter's
// own P.  That P is stuck in the submitter's system call, so another P's M
// must wake and steal the task (newproc's wakep starts one), or sysmon must
// hand the P to another M: that is the latency timed.  Whether the task ran
// on the submitter's OS thread is counted (gettid), and is always 0: a
// locked thread runs no other goroutine.  Go cannot make the submitter a
// thread outside the runtime, as a C peer's is: it holds a P whenever it
// runs Go code, hence the THREADS + 1.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const maxThreads = 256

// A counter alone on its 64-byte cache line: elements 64 bytes apart never
// share one, wherever the array starts.
type padded struct {
	n uint64
	_ [56]byte
}

var counts [maxThreads]padded

// trivial is the trivial task's body: counts one task for the running P.
func trivial() {
	p := procPin()
	counts[p%maxThreads].n++
	procUnpin()
}

func total() (sum uint64) {
	for i := range counts {
		sum += counts[i].n
	}
	return sum
}

// The monotonic clock: time.Since reads CLOCK_MONOTONIC, as clock.h's now_ns.
var epoch = time.Now()

func nowNs() uint64 { return uint64(time.Since(epoch)) }

// spinUs busy-waits for us microseconds, as clock.h's spin_ns.
func spinUs(us uint64) {
	end := nowNs() + us*1000
	for nowNs() < end {
	}
}

// imbalancedUs is the imbalanced workload's task i length: 1, every 100th 100.
func imbalancedUs(i uint64) uint64 {
	if i%100 == 99 {
		return 100
	}
	return 1
}

// cpuNs is the CPU time of the whole process, every thread, in ns (clock.h's
// cpu_ns).  The syscall package has no clock_gettime: a raw system call.
func cpuNs() uint64 {
	var ts syscall.Timespec
	const clockProcessCPUTimeID = 2
	_, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID,
		uintptr(unsafe.Pointer(&ts)), 0)
	if e != 0 {
		panic(e)
	}
	return uint64(ts.Nano())
}

// sleepMs sleeps in nanosleep, as clock.h's sleep_ms: a system call, no
// timer of the Go runtime's.
func sleepMs(ms uint64) {
	ts := syscall.NsecToTimespec(int64(ms) * 1e6)
	for syscall.Nanosleep(&ts, &ts) != nil {
	}
}

// ---- the wake-up test (peer_main.c's peer_wake_gap, _task, _wait) ----

const (
	wakeWarmup = 10 // untimed rounds, then the timed ones
	wakeGapMs  = 1  // the quiet gap before each
)

// The wake-up test's state.  The task writes startedAt and onCaller, the
// submitter reads them once the pipe says the task has run: atomics, since
// a pipe is no synchronization in Go's memory model (it is, in time).
var wake struct {
	submitter int    // the submitter's thread id, written before any task starts
	pipe      [2]int // the semaphore: the task writes a byte, the submitter reads it
	startedAt atomic.Uint64
	onCaller  atomic.Bool
}

// wakeTask is the task: when it started, and on which thread; then posts.
func wakeTask() {
	wake.startedAt.Store(nowNs())
	wake.onCaller.Store(syscall.Gettid() == wake.submitter)
	syscall.Write(wake.pipe[1], []byte{1})
}

// wakeWait blocks in the kernel until the task has posted; a task that has
// not run within 10 s never will: exits, or bench would wait for ever.
func wakeWait() {
	deadline := nowNs() + 10e9
	for {
		var r syscall.FdSet
		fd := wake.pipe[0]
		r.Bits[fd/64] |= 1 << (uint(fd) % 64)
		left := int64(deadline) - int64(nowNs())
		if left <= 0 {
			fmt.Fprintln(os.Stderr, "peer: the wake-up task did not run within 10 s")
			os.Exit(1)
		}
		tv := syscall.NsecToTimeval(left)
		if n, err := syscall.Select(fd+1, &r, nil, nil, &tv); err == nil && n > 0 {
			break
		}
	}
	var b [1]byte
	syscall.Read(wake.pipe[0], b[:])
}

// wakeTest runs the wake-up test and returns peer_main.c's line.
func wakeTest(count int) string {
	runtime.LockOSThread()
	wake.submitter = syscall.Gettid()
	if err := syscall.Pipe2(wake.pipe[:], syscall.O_CLOEXEC); err != nil {
		panic(err)
	}
	lat := make([]uint64, 0, count)
	var cpu0, gapCPU, gapWall, onCaller uint64
	for round := 0; round < wakeWarmup+count; round++ {
		if round == wakeWarmup {
			cpu0 = cpuNs()
		}
		g0, c0 := nowNs(), cpuNs()
		sleepMs(wakeGapMs)
		c1, g1 := cpuNs(), nowNs()
		if round >= wakeWarmup {
			gapCPU += c1 - c0
			gapWall += g1 - g0
		}
		t0 := nowNs()
		go wakeTask()
		wakeWait()
		if round >= wakeWarmup {
			lat = append(lat, wake.startedAt.Load()-t0)
			if wake.onCaller.Load() {
				onCaller++
			}
		}
	}
	cpu := cpuNs() - cpu0
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return fmt.Sprintf("%d %d %d %d %d %d", lat[count/2], lat[count*99/100], lat[count-1],
		cpu/uint64(count), uint64(float64(gapCPU)/1e3/(float64(gapWall)/1e9)), onCaller)
}

// ---- main ----

func usage() {
	fmt.Fprint(os.Stderr, "usage: peer flat|spawn_inside|tree|fib|imbalanced THREADS SIZE\n"+
		"       peer idle THREADS MS | peer wake THREADS COUNT\n"+
		"       peer nqueens THREADS N CUTOFF | peer sort THREADS COUNT GRAIN | "+
		"peer reduce THREADS COUNT GRAIN\n")
	os.Exit(2)
}

// fail reports a wrong answer and exits 1: a peer that fails would make
// bench's table a lie.
func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "peer: "+format+"\n", a...)
	os.Exit(1)
}

func fibSerial(n uint64) uint64 {
	if n < 2 {
		return n
	}
	return fibSerial(n-1) + fibSerial(n-2)
}

// realProgram runs peer nqueens|sort|reduce THREADS SIZE GRAIN, as
// peer_main.c's program(): the input and the answer, untimed; a warm-up run
// and a timed run, both checked; the timed run's ns printed.  (The check is
// not timed.)
func realProgram(what string, threads, size, grain uint64) {
	nqueensRun, sortRun := what == "nqueens", what == "sort"
	if nqueensRun && size > nqMax || sortRun && grain == 0 {
		usage()
	}
	var keys, a, tmp []uint32
	var want uint64
	switch what {
	case "nqueens":
		want = nqExpected(uint32(size))
	case "sort":
		keys = makeKeys(size, sortSeed)
		a, tmp = make([]uint32, size), make([]uint32, size)
		want = fingerprint(keys)
	default:
		keys = makeKeys(size, reduceSeed)
		want = reduceExpected(keys)
	}
	var t uint64
	for run := 0; run < 2; run++ { // a warm-up, then the timed run
		copy(a, keys)
		t0 := nowNs()
		got := want // sort's check is sortCheck's
		switch what {
		case "nqueens":
			got = nqueens(uint32(size), uint32(grain))
		case "sort":
			parallelSort(a, tmp, grain)
		default:
			got = reduce(keys, grain, uint32(threads))
		}
		t = nowNs() - t0
		if sortRun {
			if err := sortCheck(a, want); err != nil {
				fail("%v", err)
			}
		}
		if got != want {
			fail("%s %d: %d, not %d", what, size, got, want)
		}
	}
	fmt.Println(t)
}

func main() {
	args := os.Args[1:]
	// strtoul's way: what does not parse is 0, which usage() turns down
	num := func(i int) uint64 {
		n, _ := strconv.ParseUint(args[i], 10, 64)
		return n
	}
	program := len(args) > 0 && (args[0] == "nqueens" || args[0] == "sort" || args[0] == "reduce")
	if len(args) != 3 && !program || program && len(args) != 4 {
		usage()
	}
	what, threads, size := args[0], num(1), num(2)
	if threads == 0 || threads > maxThreads || size == 0 {
		usage()
	}
	if what == "wake" {
		runtime.GOMAXPROCS(int(threads) + 1) // the submitter holds the one more
	} else {
		runtime.GOMAXPROCS(int(threads))
	}

	if program {
		// GRAIN (CUTOFF) may be 0, but must be a number
		grain, err := strconv.ParseUint(args[3], 10, 64)
		if err != nil {
			usage()
		}
		realProgram(what, threads, size, grain)
		return
	}

	switch what {
	case "idle": // size: milliseconds
		run(flat, 1000)
		sleepMs(20) // as bench does: let the threads run dry
		c0, t0 := cpuNs(), nowNs()
		sleepMs(size)
		c1, t1 := cpuNs(), nowNs()
		// ms of CPU per second idle, in tenths (an integer, for bench)
		fmt.Printf("%.0f\n", float64(c1-c0)/1e6/(float64(t1-t0)/1e9)*10)
	case "wake":
		run(flat, 1000)
		fmt.Println(wakeTest(int(size)))
	default:
		w, ok := workloads[what]
		if !ok || w == tree && size > 62 {
			usage()
		}
		want := size
		if w == tree {
			want = 2<<size - 1
		}
		run(w, size) // the warm-up
		counts = [maxThreads]padded{}
		t0 := nowNs()
		fib := run(w, size)
		t := nowNs() - t0
		if w == fibonacci {
			if right := fibSerial(size); fib != right {
				fail("fib(%d) = %d, not %d", size, fib, right)
			}
		} else if total() != want {
			fail("%s ran %d of %d tasks", what, total(), want)
		}
		fmt.Println(t)
	}
}
