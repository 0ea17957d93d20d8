/*
 * Exercise 2: fair rounds.                          medium, about 30 minutes
 *
 * A benchmark compares contestants that cannot run at the same time, so
 * they run one after the other, on a machine that does not stand still:
 * it warms up and throttles, other programs come and go, a backup starts
 * halfway through.  Run every run of A, then every run of B, and whatever
 * changed in between is charged to B alone.  bench.c runs in rounds
 * instead: every contestant once per round, in a freshly shuffled order,
 * and reports each one's median.  This file is that scheme; three things
 * are left for you, one TODO each:
 *
 *  - median_of returns the mean.  One run hit by an interrupt moves the
 *    mean; it hardly moves the median.
 *  - shuffle does nothing.  Fisher-Yates: every order equally likely.
 *  - fair_rounds runs block by block: contestant 0 all its rounds, then
 *    contestant 1, ...  Make it rounds, a fresh shuffle at each.
 *
 * The contract is in exercises.h.  The test never reads a real clock: it
 * hands you a fake one, on a fake machine whose contestants are identical,
 * and makes that machine slow down, suffer a burst of noise, or stall
 * every 4th run; your medians must agree.  It also checks each round's
 * order, how the orders vary, and the median of odd and even counts.
 *
 * Check your work:  make -C lesson06_benchmark exercises
 * Stuck?            exercises/HINTS.md (gentle hints first)
 */
#include <errno.h>
#include <stdlib.h>

#include "exercises.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

double median_of(uint64_t *v, unsigned n)
{
    /* TODO: the median, not the mean: sort v (qsort with cmp_u64), then the middle
     *       value, or for an even n the mean of the two middle values. */
    (void)cmp_u64;      /* (only so the untouched file compiles) */
    double sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += (double)v[i];
    return sum / n;
}

/* Puts order[0 .. k-1] in a random order, each of the k! orders equally likely. */
static void shuffle(unsigned *order, unsigned k, struct rng *rng)
{
    /* TODO: Fisher-Yates: for i from k-1 down to 1, swap order[i] with order[j],
     *       j drawn from [0, i] by rng_below (common/rng.h). */
    (void)order;
    (void)k;
    (void)rng;
}

/* Runs c once; returns the time it took, by `clock`. */
static uint64_t time_one(const struct contestant *c, const struct fair_clock *clock)
{
    uint64_t t0 = clock->now(clock->ctx);
    c->run(c->ctx);
    return clock->now(clock->ctx) - t0;
}

int fair_rounds(const struct contestant *c, unsigned k, unsigned rounds, struct rng *rng,
                const struct fair_clock *clock, uint64_t *ns, double *medians)
{
    if (c == NULL || k == 0 || k > FAIR_MAX_CONTESTANTS || rounds == 0 || rng == NULL ||
        clock == NULL || ns == NULL || medians == NULL)
        return EINVAL;
    unsigned order[FAIR_MAX_CONTESTANTS];
    for (unsigned i = 0; i < k; i++)
        order[i] = i;
    /* TODO: rounds, not blocks.  As written, one shuffle, then each contestant runs all
     *       its rounds before the next one starts.  Loop over the rounds outside; in each,
     *       shuffle order[] afresh, then run order[0], ..., order[k-1] once each. */
    shuffle(order, k, rng);
    for (unsigned j = 0; j < k; j++)
        for (unsigned r = 0; r < rounds; r++)
            ns[(size_t)order[j] * rounds + r] = time_one(&c[order[j]], clock);
    for (unsigned i = 0; i < k; i++)
        medians[i] = median_of(&ns[(size_t)i * rounds], rounds);
    return 0;
}
