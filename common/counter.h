/*
 * counter.h: a statistics counter written by one thread, read by any.
 *
 * Each worker counts its own events (tasks run, steals, sleeps), and stats()
 * sums the workers' counters on demand.  The reader runs concurrently with
 * the writer, so the counter must be atomic (a plain uint64_t would be a data
 * race, undefined behaviour in C11).  But only its owner ever writes it, so
 * the increment need not be an atomic read-modify-write: a relaxed load and
 * a relaxed store compile to two plain instructions, with no `lock` prefix
 * on x86 and no LL/SC loop on Arm.
 *
 * relaxed: a counter orders nothing.  A reader that needs an exact value
 * (stats() after wait()) gets it from whatever orders the counted events
 * before it.  In lessons 2 to 4 that is wait()'s acquire load of pending,
 * which pairs with the release subtraction in settle(): a worker counts a
 * task before it settles it.
 */
#ifndef COUNTER_H
#define COUNTER_H

#include <stdatomic.h>
#include <stdint.h>

struct counter {
    _Atomic uint64_t n;
};

/* Only the counter's owner may call this. */
static inline void counter_add(struct counter *c, uint64_t k)
{
    uint64_t v = atomic_load_explicit(&c->n, memory_order_relaxed);
    atomic_store_explicit(&c->n, v + k, memory_order_relaxed);
}

/* relaxed: see the top of this file; the caller's own synchronization
 * (wait(), pthread_join) decides how fresh the value must be. */
static inline uint64_t counter_read(struct counter *c)
{
    return atomic_load_explicit(&c->n, memory_order_relaxed);
}

#endif
