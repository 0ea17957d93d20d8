/*
 * sum_test.c: grades exercise 3 (exercises/sum.c).
 *
 * sum_leaf() is the test's: it checks each leaf's length against the
 * cutoff and adds up the lengths, so the leaves must cover the array
 * exactly.  In the last test the first leaf on each worker waits (at most
 * 2 s) until a leaf has run on another worker: only a sum whose halves
 * really run in parallel gets through without the wait timing out.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "exercises.h"
#include "test_util.h"

static const struct scheduler *S;
static void *pool;
static size_t cutoff_now, n_now;
static atomic_size_t covered, leaves;
static atomic_size_t too_long, too_short;    /* 0, or the length of such a leaf, plus 1 */
static atomic_bool rendezvous;
static atomic_uint leaves_on[2];

uint64_t sum_leaf(const uint64_t *v, size_t n)
{
    atomic_fetch_add(&leaves, 1);
    atomic_fetch_add(&covered, n);
    /* A leaf is at most cutoff long, and, when the array was split at all,
     * at least half of it: what halving produces. */
    if (n > cutoff_now)
        atomic_store(&too_long, n + 1);
    if (n_now > cutoff_now && 2 * n < cutoff_now)
        atomic_store(&too_short, n + 1);
    if (atomic_load(&rendezvous)) {
        int w = S->current_worker(pool);
        if (w == 0 || w == 1) {
            if (atomic_fetch_add(&leaves_on[w], 1) == 0)
                counter_wait(&leaves_on[1 - w], 1, 2000);
        }
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    return sum;
}

static void check_sum(size_t n, size_t cutoff)
{
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    uint64_t want = 0;
    for (size_t i = 0; i < n; i++)
        want += v[i] = 3 * i + 1;
    cutoff_now = cutoff;
    n_now = n;
    atomic_store(&covered, 0);
    atomic_store(&too_long, 0);
    atomic_store(&too_short, 0);
    atomic_store(&leaves, 0);
    uint64_t got = parallel_sum(S, pool, v, n, cutoff);
    ck_assert_msg(atomic_load(&leaves) > 0, "n=%zu cutoff=%zu: sum_leaf was never called (every "
                  "range is summed in leaves, even an empty one)", n, cutoff);
    size_t covered_n = atomic_load(&covered);
    ck_assert_msg(covered_n == n, "n=%zu cutoff=%zu: the leaves covered %zu elements, want %zu: "
                  "the ranges overlap, or leave elements out", n, cutoff, covered_n, n);
    ck_assert_msg(got == want, "n=%zu cutoff=%zu: sum %llu, want %llu, though the leaves' lengths "
                  "add up to n: does each half start at the right element, and is every leaf's "
                  "sum added exactly once, after join has returned?", n, cutoff,
                  (unsigned long long)got, (unsigned long long)want);
    size_t big = atomic_load(&too_long), small = atomic_load(&too_short);
    ck_assert_msg(big == 0, "n=%zu cutoff=%zu: a leaf of %zu elements, more than the cutoff: a "
                  "range longer than the cutoff must be split", n, cutoff, big - 1);
    ck_assert_msg(small == 0, "n=%zu cutoff=%zu: a leaf of %zu elements, less than half the "
                  "cutoff: split a range in two halves, not one piece off at a time", n, cutoff,
                  small - 1);
    free(v);
}

START_TEST(sums)
{
    S = sched_find("lesson04_chase_lev");
    pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    atomic_store(&rendezvous, false);
    const size_t sizes[] = { 0, 1, 5, 1000, 65539 };
    const size_t cutoffs[] = { 1, 7, 64, 1 << 20 };
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++)
        for (size_t b = 0; b < sizeof cutoffs / sizeof cutoffs[0]; b++)
            check_sum(sizes[a], cutoffs[b]);
    S->destroy(pool);
}
END_TEST

START_TEST(halves_run_in_parallel)
{
    S = sched_find("lesson04_chase_lev");
    pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    atomic_store(&leaves_on[0], 0);
    atomic_store(&leaves_on[1], 0);
    atomic_store(&rendezvous, true);
    check_sum(1 << 20, 1 << 12);
    unsigned w0 = atomic_load(&leaves_on[0]), w1 = atomic_load(&leaves_on[1]);
    ck_assert_msg(w0 > 0 && w1 > 0, "worker 0 summed %u leaves and worker 1 %u: both must, at "
                  "the same time (are the halves joined, not summed one after the other?)", w0, w1);
    S->destroy(pool);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { sums, halves_run_in_parallel, NULL };
    return run_tests("lesson04 exercise: sum", tests);
}
