// goroutines.go: the workloads and the real programs' parallel parts, on
// goroutines and sync.WaitGroup: a task is a `go` statement, waiting is
// wg.Wait().  (main.go has the protocol; programs.go the serial parts.)
//
// How each workload maps:
//
//	flat, imbalanced  the main goroutine starts n goroutines, then waits
//	spawn_inside      it starts one, which starts n more
//	tree              each goroutine starts its two children
//	fib               a goroutine for fib(n-1), fib(n-2) in place, then
//	                  wait: a goroutine per call, as join
//	nqueens           below depth CUTOFF, a goroutine per placement, and a
//	                  wait for them
//	sort              a goroutine for one half, the other in place, while
//	                  longer than GRAIN; wait; the serial merge
//	reduce            the same for [m, hi) and [lo, m); for GRAIN 0, the
//	                  goroutine's piece is stolen when it starts on another
//	                  P than the one its splitter ran on (procpin.go)
//
// Go has no work-first join: `go` puts the new goroutine on the spawner's P
// (first in line, runnext), the spawner runs on, and an idle P steals it.
package main

import "sync"

type workload int

const (
	flat workload = iota
	spawnInside
	tree
	fibonacci
	imbalanced
)

var workloads = map[string]workload{
	"flat": flat, "spawn_inside": spawnInside, "tree": tree, "fib": fibonacci,
	"imbalanced": imbalanced,
}

// run does one run of workload w of size n; fib's answer for fib, else 0.
func run(w workload, n uint64) uint64 {
	var wg sync.WaitGroup
	switch w {
	case flat, imbalanced:
		spawnN(&wg, n, w == imbalanced)
	case spawnInside:
		wg.Add(1)
		go func() {
			spawnN(&wg, n, false)
			wg.Done()
		}()
	case tree:
		wg.Add(1)
		go treeTask(&wg, n)
	case fibonacci:
		return fib(n)
	}
	wg.Wait()
	return 0
}

func spawnN(wg *sync.WaitGroup, n uint64, spin bool) {
	wg.Add(int(n))
	for i := uint64(0); i < n; i++ {
		go func(i uint64) {
			if spin {
				spinUs(imbalancedUs(i))
			}
			trivial()
			wg.Done()
		}(i)
	}
}

func treeTask(wg *sync.WaitGroup, depth uint64) {
	trivial()
	if depth > 0 {
		wg.Add(2)
		go treeTask(wg, depth-1)
		go treeTask(wg, depth-1)
	}
	wg.Done()
}

func fib(n uint64) uint64 {
	if n < 2 {
		return n
	}
	var a uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		a = fib(n - 1)
		wg.Done()
	}()
	b := fib(n - 2)
	wg.Wait()
	return a + b
}

// nqueens counts the solutions of the n-queens problem, a goroutine per
// placement above depth cutoff.
func nqueens(n, cutoff uint32) uint64 {
	return countBoard(n, cutoff, board{})
}

func countBoard(n, cutoff uint32, b board) uint64 {
	free := b.free(n)
	if b.depth >= cutoff || free == 0 {
		return b.count(n)
	}
	var sums [32]uint64 // one per placement: each goroutine writes its own
	var wg sync.WaitGroup
	k := 0
	for ; free != 0; free &= free - 1 {
		wg.Add(1)
		go func(k int, child board) {
			sums[k] = countBoard(n, cutoff, child)
			wg.Done()
		}(k, b.place(free&-free))
		k++
	}
	wg.Wait()
	var sum uint64
	for _, s := range sums[:k] {
		sum += s
	}
	return sum
}

// parallelSort sorts a with tmp (as long): the halves in parallel while
// longer than grain, then the serial merge.
func parallelSort(a, tmp []uint32, grain uint64) {
	if !sortSplits(len(a), grain) {
		mergeSort(a, tmp)
		return
	}
	m := len(a) / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		parallelSort(a[m:], tmp[m:], grain)
		wg.Done()
	}()
	parallelSort(a[:m], tmp[:m], grain)
	wg.Wait()
	merge(a, m, tmp)
}

// reduce sums f over a, split to grain (0: adaptive, as rayon's Splitter).
func reduce(a []uint32, grain uint64, threads uint32) uint64 {
	r := reduction{a, grain, threads}
	return r.piece(0, len(a), threads, false) // the whole array: never stolen
}

// reduction is one reduce: its keys, its grain, and THREADS, where the
// Splitter starts.
type reduction struct {
	a       []uint32
	grain   uint64
	threads uint32
}

// piece sums f over [lo, hi), a piece with its Splitter count; stolen:
// whether it started on another P than the one that split it off ([lo, m),
// run on in place, never is).
func (r *reduction) piece(lo, hi int, splits uint32, stolen bool) uint64 {
	if !reduceSplits(hi-lo, r.grain, stolen, r.threads, &splits) {
		return reduceRange(r.a, lo, hi)
	}
	m := lo + (hi-lo)/2
	splitter := pid()
	var y uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		y = r.piece(m, hi, splits, pid() != splitter)
		wg.Done()
	}()
	x := r.piece(lo, m, splits, false)
	wg.Wait()
	return x + y
}
