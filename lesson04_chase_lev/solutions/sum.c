/*
 * Solution to exercise 3: a parallel sum with join.  (See exercises/sum.c.)
 *
 * The ranges live in sum_range's stack frame: join does not return until
 * both halves are done, so they outlive every task that uses them, and
 * nothing is allocated.  An empty range (n = 0) is a leaf too.
 */
#include "../exercises/exercises.h"

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
    if (r->n <= r->cutoff) {
        r->sum = sum_leaf(r->v, r->n);
        return;
    }
    size_t half = r->n / 2;
    struct range left = { r->s, r->pool, r->v, half, r->cutoff, 0 };
    struct range right = { r->s, r->pool, r->v + half, r->n - half, r->cutoff, 0 };
    r->s->join(r->pool, sum_range, &left, sum_range, &right);
    r->sum = left.sum + right.sum;
}

uint64_t parallel_sum(const struct scheduler *s, void *pool, const uint64_t *v, size_t n,
                      size_t cutoff)
{
    struct range all = { s, pool, v, n, cutoff, 0 };
    sum_range(&all);
    return all.sum;
}
