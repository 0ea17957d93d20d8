/*
 * Exercise 3: a parallel sum with join.          medium, about 20-30 minutes
 *
 * join(a, b) is fork-join: it may run a and b in parallel, and returns when
 * both are done.  Divide and conquer is its natural use: split the array
 * in two halves, join the two sums, add.  Split all the way down to single
 * elements, though, and every addition pays for a push and a take; so below
 * a `cutoff` length, a range is summed by a plain loop (sum_leaf).
 *
 * Write parallel_sum() (contract in exercises.h).  join's tasks take one
 * pointer each: struct range below holds a range, what summing it needs,
 * and the place for its result.  The test checks the sum for many sizes
 * and cutoffs, that every leaf is at most `cutoff` long and at least half
 * of it (halving, not chopping off one element at a time), and that two
 * workers really summed leaves at the same time.
 *
 * Check your work:  make -C lesson04_chase_lev exercises
 * Stuck?            exercises/HINTS.md, one hint at a time
 */
#include "exercises.h"

/* One range to sum, and where its sum goes. */
struct range {
    const struct scheduler *s;
    void *pool;
    const uint64_t *v;
    size_t n;
    size_t cutoff;
    uint64_t sum;
};

static void sum_range(void *arg)
{
    struct range *r = arg;
    /* TODO: leave the sum of r's elements in r->sum: with sum_leaf when
     *       the range is at most the cutoff long, and otherwise as the sum
     *       of its two halves, summed in parallel. */
    (void)r;
}

uint64_t parallel_sum(const struct scheduler *s, void *pool, const uint64_t *v, size_t n,
                      size_t cutoff)
{
    struct range all = { s, pool, v, n, cutoff, 0 };
    /* TODO: return the sum of `all`.  (join may be called from outside
     *       the pool, as here.) */
    (void)sum_range;    /* (only so the untouched file compiles) */
    return all.sum;
}
