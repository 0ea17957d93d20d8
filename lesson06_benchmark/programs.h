/*
 * programs.h: the three real programs of the benchmark, the part that is
 * the same on every runtime: their inputs, their serial code, and their
 * answers.  bench (programs_pool.c: the lessons' schedulers), the C and C++
 * peers (peers/) and programs_test.c all call this one copy; the Rust and
 * Go peers port it, so every definition a port needs is written out here.
 * All arithmetic is on unsigned integers and wraps (mod 2^32, 2^64).
 *
 * KEYS.  splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom
 * number generators", OOPSLA 2014), state s, one output per call:
 *     s += 0x9e3779b97f4a7c15
 *     z  = s
 *     z  = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
 *     z  = (z ^ (z >> 27)) * 0x94d049bb133111eb
 *     return z ^ (z >> 31)
 * COUNT uint32 keys from seed S: s = S, then key i (i = 0, 1, ...) is the
 * top 32 bits of the (i+1)-th output: (uint32)(splitmix64(&s) >> 32).
 * sort's seed is 1, reduce's 2.  Seed 1's first three keys are
 * 0x910a2dec, 0xbeeb8da1, 0xf893a2ee (the test checks them); its
 * first 10,000,000 keys have fingerprint 0x855b2db90952753a (SORT, below).
 *
 * NQUEENS N CUTOFF: the number of ways to place N queens on an N x N board,
 * none attacking another (OEIS A000170: 14,200 for 12, 365,596 for 14).
 * A board is (cols, d1, d2, depth): queens are placed a row at a time, in
 * row `depth`; bit c of cols is set when column c is taken, of d1 (d2)
 * when the diagonal going down-left (down-right) through column c of this
 * row is.  The free columns are ((1 << N) - 1) & ~(cols | d1 | d2); placing
 * a queen at bit b makes (cols | b, (d1 | b) << 1, (d2 | b) >> 1, depth + 1),
 * with cols, d1, d2 uint32.  Serial: count(board) is 1 when cols is full,
 * else the sum of count(child) over the free bits, lowest first.
 * Parallel: at a board with depth < CUTOFF, each free bit is a task (a
 * placement), which counts its child board the same way, recursively; a
 * board at depth >= CUTOFF is counted serially.  CUTOFF 0: no task.  How a
 * runtime forks a board's placements (a spawn per placement and a wait,
 * a binary split of the set of bits with join, a scope) is its own
 * idiom; each placement must be able to run on another thread.
 *
 * SORT COUNT GRAIN: sorts sort's COUNT keys ascending.  The one serial
 * algorithm, every runtime's, on a, with a buffer tmp of COUNT keys:
 *     sort(a, tmp, n):  if n < 32: insertion sort of a[0..n), return
 *                       m = n / 2 (rounded down)
 *                       sort(a, tmp, m); sort(a + m, tmp + m, n - m)
 *                       merge(a, m, n, tmp)
 *     merge:            copy a[0..m) to tmp[0..m); merge tmp[0..m) with
 *                       a[m..n) into a[0..n), front to back, taking from
 *                       tmp while tmp's key <= a's (stable)
 * Insertion sort: for i in 1..n, move a[i] left past every greater key.
 * Parallel (GRAIN >= 1): the same recursion, but while n > GRAIN and
 * n >= 32 the right half is parallel work (it may run on another thread),
 * the left half runs on, and the merge runs once both are done, serially;
 * a piece that does not split runs sort().  So every runtime does exactly the same comparisons;
 * GRAIN only decides which calls may run in parallel.  (Why the top merge
 * stays serial: lesson06_benchmark/README.md, "Real programs".)
 * Check: the output is ascending, and its count and its fingerprint are
 * the input's.  The fingerprint of keys a[0..n) is the sum mod 2^64 of
 * m(a[i]), where m is one round of f's mixing (REDUCE, below) on the key
 * widened to uint64: x += 0x9e3779b97f4a7c15, then splitmix64's finalizer.
 * m is a bijection, so a sum of m's catches any change of the multiset of
 * keys but for a chance near 2^-64, where a plain sum misses every change
 * that moves as much up as down ([3, 5] sorted to [4, 4]).  Keys 0, 1 and
 * 0xffffffff alone have fingerprints 0xe220a8397b1dcdaf,
 * 0x910a2dec89025cc1 and 0x73b13ba2aff181c0.
 *
 * REDUCE COUNT GRAIN: the sum mod 2^64 of f(a[i]) over reduce's COUNT keys
 * a[0..COUNT), where f(v) is 6 rounds of splitmix64's mixing on a uint64
 * x = v, then x (about 6 ns a key on the reference machine, so a run is
 * bound by the CPU, not by memory):
 *     repeat 6 times:  x += 0x9e3779b97f4a7c15
 *                      x  = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
 *                      x  = (x ^ (x >> 27)) * 0x94d049bb133111eb
 *                      x ^= x >> 31
 * A piece is a range [lo, hi) of indices, the whole array at first;
 * splitting it makes [lo, m) and [m, hi), m = lo + (hi - lo) / 2.  A piece
 * that does not split sums f over its range, in index order.
 *   GRAIN > 0: a piece splits while hi - lo > GRAIN.
 *   GRAIN = 0: adaptive, as rayon's Splitter and LengthSplitter (rayon's
 *   src/iter/plumbing/mod.rs, with min 1): a piece carries `splits`,
 *   THREADS (the run's worker count) at the whole array, and the identity
 *   of the thread that split it off (any value that differs between
 *   threads: a worker's index).  A piece is stolen when it runs on another
 *   thread than that one; the whole array never is.  A piece of 2 keys or
 *   more: if stolen, splits = max(THREADS, splits / 2) and split; else if
 *   splits > 0, splits /= 2 and split; else sum serially.  A piece of 1 key
 *   sums serially, splits unchanged.  Both halves get the new splits.
 * Of a split, the right half [m, hi) is the parallel work (join's b, or
 * spawned); the left half runs on in the splitting thread, so it is never
 * stolen.  Check: the sum equals the serial one: for 1,000,000 keys
 * 0x396d68b19346a7d8, for 10,000,000 0xb60768e7c091a4b7 (programs.c has a
 * table).
 *
 * A serial version of each program is the same code with the parallel
 * work replaced by plain calls: count(empty board), sort(a, tmp, COUNT),
 * and one loop over the whole array.
 *
 * This header is C and C++ (the oneTBB peer calls it through extern "C").
 */
#ifndef PROGRAMS_H
#define PROGRAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    PROG_SORT_SEED = 1,
    PROG_REDUCE_SEED = 2,
    PROG_INSERTION = 32,        /* sort: below this many keys, insertion sort */
    PROG_F_ROUNDS = 6,          /* reduce: rounds of mixing in f */
    PROG_NQ_MAX = 18,           /* the largest N the answer table has */
};

/* The identity a piece gets when no thread split it off (the whole array):
 * never stolen.  Threads are numbered from -1 up (-1: not a worker). */
#define PROG_NO_SPLITTER (-2)

/* ---- keys ---- */


/* a[0..n) = the n keys from seed `seed`. */
void prog_keys(uint32_t *a, size_t n, uint64_t seed);

/* The sort check's fingerprint of a[0..n) (SORT, at the top): the same for
 * any order of the same keys. */
uint64_t prog_fingerprint(const uint32_t *a, size_t n);

/* ---- nqueens ---- */

struct prog_board {
    uint32_t cols, d1, d2;
    unsigned depth;
};

/* The free columns of b's next row, as bits, on an n x n board. */
uint32_t prog_nq_free(unsigned n, const struct prog_board *b);

/* b with a queen placed at `bit` (one of prog_nq_free's). */
struct prog_board prog_nq_place(const struct prog_board *b, uint32_t bit);

/* The solutions below b, counted serially. */
uint64_t prog_nq_count(unsigned n, const struct prog_board *b);

/* Whether the parallel nqueens makes tasks below b, whose next row has the
 * free columns `avail`: above the cut-off, and with somewhere to go. */
static inline bool prog_nq_splits(const struct prog_board *b, uint32_t avail, unsigned cutoff)
{
    return b->depth < cutoff && avail != 0;
}

/* The placements (tasks) one run makes at this cut-off: the boards at depth
 * 1 .. cutoff that can be reached. */
uint64_t prog_nq_tasks(unsigned n, unsigned cutoff);

/* OEIS A000170's a(n) for 1 <= n <= PROG_NQ_MAX; 0 otherwise. */
uint64_t prog_nq_expected(unsigned n);

/* ---- sort ---- */


/* Merges the sorted a[0..m) and a[m..n) into a[0..n), with tmp[0..m). */
void prog_merge(uint32_t *a, size_t m, size_t n, uint32_t *tmp);

/* sort(a, tmp, n), serially. */
void prog_sort(uint32_t *a, uint32_t *tmp, size_t n);

/* Whether the parallel sort splits a piece of n keys. */
static inline bool prog_sort_splits(size_t n, size_t grain)
{
    return n > grain && n >= PROG_INSERTION;
}

/* The pieces of the parallel sort's tree (split or not) for n keys. */
size_t prog_sort_pieces(size_t n, size_t grain);

/* 0 if a[0..n) is ascending and its fingerprint is input_fingerprint;
 * else -1, and why in why[0..size). */
int prog_sort_check(const uint32_t *a, size_t n, uint64_t input_fingerprint, char *why,
                    size_t size);

/* ---- reduce ---- */


/* The sum mod 2^64 of f(a[i]) over [lo, hi). */
uint64_t prog_reduce_range(const uint32_t *a, size_t lo, size_t hi);

/* Whether a piece of len keys splits, by its grain, as the comment at the
 * top says; *splits is the piece's, and becomes its halves' when it
 * splits.  stolen: whether it runs on another thread than its splitter's. */
bool prog_reduce_splits(size_t len, size_t grain, bool stolen, unsigned threads,
                        unsigned *splits);

/* The pieces of the fixed-grain split tree (split or not) for n keys. */
size_t prog_reduce_pieces(size_t n, size_t grain);

/* The answer for reduce's first n keys: from the table when it has n,
 * else computed serially (a[0..n) must be those keys). */
uint64_t prog_reduce_expected(const uint32_t *a, size_t n);


#ifdef __cplusplus
}
#endif

#endif
