/*
 * Exercise 2, a reference answer: fair rounds.
 *
 * Rounds spread whatever the machine does over every contestant: a slow
 * drift costs each of them about the same, because each runs once per
 * round.  The shuffle does the same for what comes back at a rhythm, and
 * for what one run leaves to the next: with one fixed order, a
 * disturbance every k runs lands on the same contestant every round; and
 * a rotation (a fixed order moved on by one each round) still puts each
 * contestant after the same one nearly every round, to pay for whatever
 * that one leaves behind (caches filled with its data, threads still
 * winding down, a CPU clocked up or down).  The median then drops the runs
 * that disturbances did hit, as long as fewer than half of a contestant's
 * were.
 */
#include <errno.h>
#include <stdlib.h>

#include "../exercises/exercises.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

double median_of(uint64_t *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_u64);
    /* The mean of the two middle values in double: their sum might not
     * fit in 64 bits. */
    return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* Puts order[0 .. k-1] in a random order, each of the k! orders equally likely. */
static void shuffle(unsigned *order, unsigned k, struct rng *rng)
{
    /* Fisher-Yates (Durstenfeld's form): order[i] gets one of the i + 1
     * values still in order[0 .. i], each with chance 1/(i + 1).  j must
     * be allowed to be i itself; drawn from [0, i) instead (Sattolo's
     * algorithm), no value ever stays where it is. */
    for (unsigned i = k - 1; i > 0; i--) {
        unsigned j = rng_below(rng, i + 1);
        unsigned t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
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
    for (unsigned r = 0; r < rounds; r++) {
        shuffle(order, k, rng);
        for (unsigned j = 0; j < k; j++)
            ns[(size_t)order[j] * rounds + r] = time_one(&c[order[j]], clock);
    }
    for (unsigned i = 0; i < k; i++)
        medians[i] = median_of(&ns[(size_t)i * rounds], rounds);
    return 0;
}
