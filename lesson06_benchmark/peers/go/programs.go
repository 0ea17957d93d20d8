// programs.go: the real programs' code that is the same on every runtime, a
// port of ../../programs.c (each definition is written out in
// ../../programs.h): the keys, f, the serial N-queens count, the serial
// merge sort, the answers and the checks.  Same constants, same algorithm,
// same order of operations; goroutines.go holds the parallel part.  Go's
// unsigned arithmetic wraps, as C's does.
package main

import "fmt"

const (
	sortSeed   = 1  // sort's keys' seed
	reduceSeed = 2  // reduce's
	insertion  = 32 // sort: below this many keys, insertion sort
	fRounds    = 6  // reduce: rounds of mixing in f
	nqMax      = 18 // the largest N the answer table has
)

// ---- keys ----

// splitmix64 returns the next output (Steele, Lea, Flood, OOPSLA 2014) and
// advances *state.
func splitmix64(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// makeKeys returns the n keys from seed: key i is the top 32 bits of output
// i + 1.
func makeKeys(n, seed uint64) []uint32 {
	a := make([]uint32, n)
	s := seed
	for i := range a {
		a[i] = uint32(splitmix64(&s) >> 32)
	}
	return a
}

// mix is one round of splitmix64's mixing, a bijection on uint64: f's
// round, and the fingerprint's.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// fingerprint is the sort check's fingerprint of a (programs.h, SORT): the
// sum mod 2^64 of mix(key), the same for any order of the same keys.  A
// plain sum misses any change that moves as much up as down ([3, 5] sorted
// to [4, 4]), while after a bijective mixer a changed multiset keeps the
// sum with a chance near 2^-64.
func fingerprint(a []uint32) (fp uint64) {
	for _, k := range a {
		fp += mix(uint64(k))
	}
	return fp
}

// ---- nqueens ----

// board: queens placed a row at a time, in row depth; bit c of cols is set
// when column c is taken, of d1 (d2) when the diagonal going down-left
// (down-right) through column c of this row is.
type board struct {
	cols, d1, d2, depth uint32
}

func all(n uint32) uint32 {
	if n >= 32 {
		return ^uint32(0)
	}
	return 1<<n - 1
}

// free returns the free columns of b's next row, as bits, on an n x n board.
func (b board) free(n uint32) uint32 {
	return all(n) &^ (b.cols | b.d1 | b.d2)
}

// place returns b with a queen placed at bit (one of free's).
func (b board) place(bit uint32) board {
	return board{b.cols | bit, (b.d1 | bit) << 1, (b.d2 | bit) >> 1, b.depth + 1}
}

// count returns the solutions below b, counted serially.
func (b board) count(n uint32) uint64 {
	return count(all(n), b.cols, b.d1, b.d2)
}

// count is programs.c's hot loop: 1 when every column is taken, else the
// sum over the free bits, lowest first.
func count(all, cols, d1, d2 uint32) uint64 {
	if cols == all {
		return 1
	}
	var sum uint64
	for free := all &^ (cols | d1 | d2); free != 0; {
		bit := free & -free // the lowest free column
		free ^= bit
		sum += count(all, cols|bit, (d1|bit)<<1, (d2|bit)>>1)
	}
	return sum
}

// nqExpected is OEIS A000170's a(n) for 1 <= n <= 18; 0 otherwise.
func nqExpected(n uint32) uint64 {
	answers := [nqMax + 1]uint64{0, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712,
		365596, 2279184, 14772512, 95815104, 666090624}
	if n > nqMax {
		return 0
	}
	return answers[n]
}

// ---- sort ----

// insertionSort moves, for i in 1..n, a[i] left past every greater key.
func insertionSort(a []uint32) {
	for i := 1; i < len(a); i++ {
		key := a[i]
		j := i
		for ; j > 0 && a[j-1] > key; j-- {
			a[j] = a[j-1]
		}
		a[j] = key
	}
}

// merge merges the sorted a[:m] and a[m:] into a, with tmp[:m]: the left
// run moves to tmp; the output, written front to back, never overtakes the
// right run's next unread key, so the right run stays where it is.
func merge(a []uint32, m int, tmp []uint32) {
	copy(tmp[:m], a[:m])
	i, j, out := 0, m, 0
	for i < m && j < len(a) {
		if tmp[i] <= a[j] {
			a[out] = tmp[i]
			i++
		} else {
			a[out] = a[j]
			j++
		}
		out++
	}
	copy(a[out:], tmp[i:m]) // what is left of a[j:] is in place already
}

// mergeSort is the serial merge sort of a, with tmp (as long).
func mergeSort(a, tmp []uint32) {
	n := len(a)
	if n < insertion {
		insertionSort(a)
		return
	}
	m := n / 2
	mergeSort(a[:m], tmp[:m])
	mergeSort(a[m:], tmp[m:])
	merge(a, m, tmp)
}

// sortSplits says whether the parallel sort splits a piece of n keys.
func sortSplits(n int, grain uint64) bool {
	return uint64(n) > grain && n >= insertion
}

// sortCheck returns nil if a is ascending and its fingerprint is
// inputFingerprint (its count is the input's by construction), else why not.
func sortCheck(a []uint32, inputFingerprint uint64) error {
	for i := 1; i < len(a); i++ {
		if a[i-1] > a[i] {
			return fmt.Errorf("sort: out of order at %d: %d before %d", i, a[i-1], a[i])
		}
	}
	if fp := fingerprint(a); fp != inputFingerprint {
		return fmt.Errorf("sort: the output's %d keys have fingerprint %d, the input's %d",
			len(a), fp, inputFingerprint)
	}
	return nil
}

// ---- reduce ----

// f is fRounds rounds of splitmix64's mixing on v.
func f(v uint32) uint64 {
	x := uint64(v)
	for r := 0; r < fRounds; r++ {
		x = mix(x)
	}
	return x
}

// reduceRange is the sum mod 2^64 of f(a[i]) over [lo, hi), in index order.
func reduceRange(a []uint32, lo, hi int) (s uint64) {
	for _, k := range a[lo:hi] {
		s += f(k)
	}
	return s
}

// reduceSplits says whether a piece of n keys splits (programs.h, REDUCE):
// by its grain, or for grain 0 as rayon's Splitter; *splits is the piece's,
// and becomes its halves' when it splits.  stolen: whether it runs on
// another thread than the one that split it off.
func reduceSplits(n int, grain uint64, stolen bool, threads uint32, splits *uint32) bool {
	if grain > 0 {
		return uint64(n) > grain
	}
	if n < 2 {
		return false
	}
	if stolen {
		*splits = max32(*splits/2, threads)
		return true
	}
	if *splits > 0 {
		*splits /= 2
		return true
	}
	return false
}

func max32(a, b uint32) uint32 {
	if a > b {
		return a
	}
	return b
}

// reduceExpected is the answer for reduce over a (reduce's first len(a)
// keys): from programs.c's table when it has the size, else computed
// serially.
func reduceExpected(a []uint32) uint64 {
	answers := map[int]uint64{
		5000: 0xd90d2797f2415740, 1000000: 0x396d68b19346a7d8, 10000000: 0xb60768e7c091a4b7,
	}
	if sum, ok := answers[len(a)]; ok {
		return sum
	}
	return reduceRange(a, 0, len(a))
}
