/*
 * programs.c: the real programs' code that is the same on every runtime
 * (programs.h defines each): the keys, f, the serial nqueens count, the
 * serial merge sort, the answers and the checks.  One copy, compiled into
 * bench, the tests and the C and C++ peers; the parallel parts live with
 * each runtime (programs_pool.c for the lessons, peers/ for the others).
 */
#include <stdio.h>

#include "programs.h"

/* ---- keys ---- */

/* One round of splitmix64's mixing, a bijection on uint64: the generator's
 * output, f's round, and the fingerprint's. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* The next splitmix64 output; advances *state. */
static uint64_t prog_splitmix64(uint64_t *state)
{
    uint64_t z = mix(*state);
    *state += 0x9e3779b97f4a7c15u;
    return z;
}

void prog_keys(uint32_t *a, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        a[i] = (uint32_t)(prog_splitmix64(&s) >> 32);
}

/* A sum of mixed keys, not of the keys: a plain sum misses any change that
 * moves as much up as down ([3, 5] sorted to [4, 4]), while after a
 * bijective mixer a changed multiset keeps the sum with a chance near
 * 2^-64. */
uint64_t prog_fingerprint(const uint32_t *a, size_t n)
{
    uint64_t fp = 0;
    for (size_t i = 0; i < n; i++)
        fp += mix(a[i]);
    return fp;
}

/* ---- nqueens ---- */

uint32_t prog_nq_free(unsigned n, const struct prog_board *b)
{
    uint32_t all = n >= 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
    return all & ~(b->cols | b->d1 | b->d2);
}

struct prog_board prog_nq_place(const struct prog_board *b, uint32_t bit)
{
    return (struct prog_board){ b->cols | bit, (b->d1 | bit) << 1, (b->d2 | bit) >> 1,
                                b->depth + 1 };
}

/* The serial count, on three masks: the hot loop of every runtime's
 * nqueens, so it takes no struct and no depth. */
static uint64_t count(uint32_t all, uint32_t cols, uint32_t d1, uint32_t d2)
{
    if (cols == all)
        return 1;
    uint64_t sum = 0;
    for (uint32_t avail = all & ~(cols | d1 | d2); avail != 0;) {
        uint32_t bit = avail & -avail;      /* the lowest free column */
        avail ^= bit;
        sum += count(all, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
    }
    return sum;
}

uint64_t prog_nq_count(unsigned n, const struct prog_board *b)
{
    uint32_t all = n >= 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1;
    return count(all, b->cols, b->d1, b->d2);
}

static uint64_t tasks_below(unsigned n, const struct prog_board *b, unsigned cutoff)
{
    if (b->depth >= cutoff)
        return 0;
    uint64_t sum = 0;
    for (uint32_t avail = prog_nq_free(n, b); avail != 0; avail &= avail - 1) {
        struct prog_board child = prog_nq_place(b, avail & -avail);
        sum += 1 + tasks_below(n, &child, cutoff);
    }
    return sum;
}

uint64_t prog_nq_tasks(unsigned n, unsigned cutoff)
{
    struct prog_board empty = { 0, 0, 0, 0 };
    return tasks_below(n, &empty, cutoff);
}

/* OEIS A000170, a(1) .. a(18). */
static const uint64_t nq_answers[PROG_NQ_MAX + 1] = {
    0, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365596, 2279184,
    14772512, 95815104, 666090624,
};

uint64_t prog_nq_expected(unsigned n)
{
    return n >= 1 && n <= PROG_NQ_MAX ? nq_answers[n] : 0;
}

/* ---- sort ---- */

static void prog_insertion_sort(uint32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t key = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > key; j--)
            a[j] = a[j - 1];
        a[j] = key;
    }
}

/* The left run moves to tmp; the merged output, written front to back,
 * never overtakes the right run's next unread key (the output index is
 * i + j, the right run's next key m + j, and i <= m), so the right run can
 * stay where it is. */
void prog_merge(uint32_t *a, size_t m, size_t n, uint32_t *tmp)
{
    for (size_t k = 0; k < m; k++)
        tmp[k] = a[k];
    size_t i = 0, j = m, out = 0;
    while (i < m && j < n)
        a[out++] = tmp[i] <= a[j] ? tmp[i++] : a[j++];
    while (i < m)
        a[out++] = tmp[i++];
    /* what is left of a[j..n) is in place already */
}

void prog_sort(uint32_t *a, uint32_t *tmp, size_t n)
{
    if (n < PROG_INSERTION) {
        prog_insertion_sort(a, n);
        return;
    }
    size_t m = n / 2;
    prog_sort(a, tmp, m);
    prog_sort(a + m, tmp + m, n - m);
    prog_merge(a, m, n, tmp);
}

size_t prog_sort_pieces(size_t n, size_t grain)
{
    if (!prog_sort_splits(n, grain))
        return 1;
    return 1 + prog_sort_pieces(n / 2, grain) + prog_sort_pieces(n - n / 2, grain);
}

int prog_sort_check(const uint32_t *a, size_t n, uint64_t input_fingerprint, char *why,
                    size_t size)
{
    for (size_t i = 1; i < n; i++)
        if (a[i - 1] > a[i]) {
            snprintf(why, size, "sort: out of order at %zu: %u before %u", i, a[i - 1], a[i]);
            return -1;
        }
    uint64_t fp = prog_fingerprint(a, n);
    if (fp != input_fingerprint) {
        snprintf(why, size, "sort: the output's %zu keys have fingerprint %llu, the input's %llu",
                 n, (unsigned long long)fp, (unsigned long long)input_fingerprint);
        return -1;
    }
    return 0;
}

/* ---- reduce ---- */

static uint64_t prog_f(uint32_t v)
{
    uint64_t x = v;
    for (int r = 0; r < PROG_F_ROUNDS; r++)
        x = mix(x);
    return x;
}

uint64_t prog_reduce_range(const uint32_t *a, size_t lo, size_t hi)
{
    uint64_t sum = 0;
    for (size_t i = lo; i < hi; i++)
        sum += prog_f(a[i]);
    return sum;
}

bool prog_reduce_splits(size_t len, size_t grain, bool stolen, unsigned threads,
                        unsigned *splits)
{
    if (grain > 0)
        return len > grain;
    if (len < 2)
        return false;
    if (stolen) {
        *splits = *splits / 2 > threads ? *splits / 2 : threads;
        return true;
    }
    if (*splits > 0) {
        *splits /= 2;
        return true;
    }
    return false;
}

size_t prog_reduce_pieces(size_t n, size_t grain)
{
    if (grain == 0 || n <= grain)
        return 1;
    return 1 + prog_reduce_pieces(n / 2, grain) + prog_reduce_pieces(n - n / 2, grain);
}

/* Known answers: the sizes of programs_test.c, QUICK=1 and bench. */
static const struct {
    size_t n;
    uint64_t sum;
} reduce_answers[] = {
    { 5000, 0xd90d2797f2415740u },
    { 1000000, 0x396d68b19346a7d8u },
    { 10000000, 0xb60768e7c091a4b7u },
};

uint64_t prog_reduce_expected(const uint32_t *a, size_t n)
{
    for (size_t k = 0; k < sizeof reduce_answers / sizeof reduce_answers[0]; k++)
        if (reduce_answers[k].n == n)
            return reduce_answers[k].sum;
    return prog_reduce_range(a, 0, n);
}
