// programs_test.go: the port of programs.c against its known values
// (go test, with the Makefile's GOCACHE: see mk/peers-rust-go.mk).
package main

import (
	"sort"
	"testing"
)

func TestSplitmix64MatchesProgramsC(t *testing.T) {
	// seed 1's first three keys, as programs.h gives them
	want := []uint32{0x910a2dec, 0xbeeb8da1, 0xf893a2ee}
	for i, k := range makeKeys(3, sortSeed) {
		if k != want[i] {
			t.Fatalf("key %d: %#x, want %#x", i, k, want[i])
		}
	}
}

func TestFingerprintMatchesProgramsC(t *testing.T) {
	// programs.c's prog_fingerprint() of keys 0, 1 and 0xffffffff alone, of
	// seed 1's first three keys, and (programs.h) of its first 10,000,000
	cases := []struct {
		keys []uint32
		want uint64
	}{
		{[]uint32{0}, 0xe220a8397b1dcdaf},
		{[]uint32{1}, 0x910a2dec89025cc1},
		{[]uint32{0xffffffff}, 0x73b13ba2aff181c0},
		{makeKeys(3, sortSeed), 0x31a33f52da0db4c2},
		{makeKeys(10000000, sortSeed), 0x855b2db90952753a},
	}
	for _, c := range cases {
		if got := fingerprint(c.keys); got != c.want {
			t.Errorf("%d keys: %#x, want %#x", len(c.keys), got, c.want)
		}
	}
}

func TestFMatchesProgramsC(t *testing.T) {
	// the table's sums are programs.c's f over reduce's keys
	for _, n := range []uint64{5000, 1000000} {
		a := makeKeys(n, reduceSeed)
		if got, want := reduceRange(a, 0, len(a)), reduceExpected(a); got != want {
			t.Errorf("n = %d: %#x, want %#x", n, got, want)
		}
	}
}

func TestNqueensCountsOEIS(t *testing.T) {
	for n := uint32(1); n <= 10; n++ {
		if got := (board{}).count(n); got != nqExpected(n) {
			t.Errorf("n = %d: %d, want %d", n, got, nqExpected(n))
		}
		if got := nqueens(n, 3); got != nqExpected(n) {
			t.Errorf("n = %d, in parallel: %d, want %d", n, got, nqExpected(n))
		}
	}
}

func TestSortSortsAndKeepsTheFingerprint(t *testing.T) {
	for _, n := range []uint64{1, 31, 32, 33, 1000, 4097} {
		keys := makeKeys(n, sortSeed)
		a, tmp := append([]uint32(nil), keys...), make([]uint32, n)
		parallelSort(a, tmp, 100)
		want := append([]uint32(nil), keys...)
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		for i := range a {
			if a[i] != want[i] {
				t.Fatalf("n = %d: a[%d] = %d, want %d", n, i, a[i], want[i])
			}
		}
		if err := sortCheck(a, fingerprint(keys)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSortCheckCatchesAKeyUpAndOneDown(t *testing.T) {
	// in order, same count and sum: what a plain sum of the keys would pass
	if sortCheck([]uint32{4, 4}, fingerprint([]uint32{3, 5})) == nil {
		t.Error("[4, 4] passed as the sort of [3, 5]")
	}
	if err := sortCheck([]uint32{3, 5}, fingerprint([]uint32{3, 5})); err != nil {
		t.Error(err)
	}
}

func TestReduceMatchesSerial(t *testing.T) {
	a := makeKeys(1000000, reduceSeed) // a size whose answer programs.c gave
	for _, grain := range []uint64{0, 1000, 1 << 20} {
		if got, want := reduce(a, grain, 2), reduceExpected(a); got != want {
			t.Errorf("grain %d: %d, want %d", grain, got, want)
		}
	}
}
