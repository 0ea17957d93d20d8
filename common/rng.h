/*
 * rng.h: a small, fast pseudo-random number generator (xorshift64*, from
 * Vigna, "An experimental exploration of Marsaglia's xorshift generators",
 * 2016).  Each thread keeps its own state, so drawing a number touches no
 * shared cache line: that is why schedulers pick random victims with this and
 * not with rand(), whose hidden state is shared (and locked) by all threads.
 * Not for cryptography.
 */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

struct rng {
    uint64_t state;     /* never 0: xorshift would stay at 0 forever */
};

/* splitmix64 spreads nearby seeds (0, 1, 2: worker indices) far apart. */
static inline void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    r->state = z ? z : 1;
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * 0x2545f4914f6cdd1du;
}

/* A number in [0, n), n > 0.  Multiply-shift instead of %: no division, and
 * the bias (at most n / 2^32) does not matter for picking victims. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

#endif
