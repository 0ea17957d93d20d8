/*
 * injector.h: where tasks from outside the pool wait until a worker takes
 * them: a FIFO ring buffer behind a mutex.
 *
 * Spawns from outside come from any number of threads at once, and a
 * Chase-Lev deque has one owner, so they cannot go onto a worker's deque.
 * They are the slow path, and they are taken in batches (half of what is
 * queued, at most a caller's `max`), so a plain mutex is enough: it is taken
 * once per spawn and once per batch, not once per task run.
 *
 *   push (any thread) ──► [ head ... head+len-1 ] ──► take_half (a worker):
 *                          slots[i & mask], grows    the oldest to run, the
 *                          by doubling               rest onto its deque
 *
 * The lock protects everything but len_hint, which is written under it and
 * read without it, as a hint.
 */
#ifndef LESSON04_INJECTOR_H
#define LESSON04_INJECTOR_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "deque.h"              /* struct task */
#include "trace.h"

#define INJECTOR_INITIAL_CAP 64 /* slots at first; a power of two */

struct injector {
    /* len as last written under the lock, for a look without it: a worker
     * that finds 0 skips the lock; one that finds more takes it. */
    atomic_size_t len_hint;
    pthread_mutex_t lock;       /* protects every field below */
    struct task *slots;
    size_t head, len, mask;
    bool closed;                /* destroy() has begun: refuse new tasks */
    uint64_t spawned;           /* tasks accepted here */
};

/* Returns 0 or ENOMEM. */
static inline int injector_init(struct injector *q)
{
    q->slots = malloc(INJECTOR_INITIAL_CAP * sizeof *q->slots);
    if (q->slots == NULL)
        return ENOMEM;
    q->head = q->len = 0;
    q->mask = INJECTOR_INITIAL_CAP - 1;
    q->closed = false;
    q->spawned = 0;
    atomic_init(&q->len_hint, 0);
    pthread_mutex_init(&q->lock, NULL);
    return 0;
}

static inline void injector_destroy(struct injector *q)
{
    pthread_mutex_destroy(&q->lock);
    free(q->slots);
}

/* Lock held.  Doubles the ring, copying oldest first.  0 or ENOMEM. */
static inline int injector_grow(struct injector *q)
{
    size_t cap = q->mask + 1;
    struct task *slots = cap <= SIZE_MAX / 2 / sizeof *slots ? malloc(2 * cap * sizeof *slots) : NULL;
    if (slots == NULL)
        return ENOMEM;
    for (size_t i = 0; i < q->len; i++)
        slots[i] = q->slots[(q->head + i) & q->mask];
    free(q->slots);
    q->slots = slots;
    q->head = 0;
    q->mask = 2 * cap - 1;
    return 0;
}

/*
 * Queues t at the back, and counts it in *pending.  Returns 0, ECANCELED
 * once `closed` is set, or ENOMEM (the ring could not grow); on error
 * nothing was queued.
 */
static inline int injector_push(struct injector *q, struct task t, atomic_size_t *pending)
{
    int err = 0;
    pthread_mutex_lock(&q->lock);
    if (q->closed)
        err = ECANCELED;
    else if (q->len == q->mask + 1)
        err = injector_grow(q);
    if (err == 0) {
        q->slots[(q->head + q->len) & q->mask] = t;
        q->len++;
        q->spawned++;
        trace_spawn(t.arg);
        /* relaxed: a hint for the look without the lock in take_half. */
        atomic_store_explicit(&q->len_hint, q->len, memory_order_relaxed);
        /* relaxed: the lock orders it before the take of this task, and
         * so before the task's run and its settle(). */
        atomic_fetch_add_explicit(pending, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&q->lock);
    return err;
}

/*
 * Takes the oldest task into *first and up to max - 1 more into rest[],
 * half of what is queued.  Returns how many it took (0: the injector was
 * empty).
 */
static inline size_t injector_take_half(struct injector *q, struct task *first,
                                        struct task *rest, size_t max)
{
    /* Most of the time the injector is empty: look before taking the lock,
     * whose cache line every idle worker would otherwise pull to itself.
     * relaxed: a stale 0 only delays us to the next look; a spawn that
     * wakes nobody is found within one back-off round. */
    if (atomic_load_explicit(&q->len_hint, memory_order_relaxed) == 0)
        return 0;
    pthread_mutex_lock(&q->lock);
    size_t n = (q->len + 1) / 2;
    if (n > max)
        n = max;
    if (n > 0) {
        *first = q->slots[q->head];
        q->head = (q->head + 1) & q->mask;
        for (size_t i = 1; i < n; i++) {
            rest[i - 1] = q->slots[q->head];
            q->head = (q->head + 1) & q->mask;
        }
        q->len -= n;
    }
    /* relaxed: a hint; the lock orders the queue itself. */
    atomic_store_explicit(&q->len_hint, q->len, memory_order_relaxed);
    pthread_mutex_unlock(&q->lock);
    return n;
}

static inline uint64_t injector_spawned(struct injector *q)
{
    pthread_mutex_lock(&q->lock);
    uint64_t n = q->spawned;
    pthread_mutex_unlock(&q->lock);
    return n;
}

#endif
