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
 * WHAT CHANGED FROM LESSON 4
 * The ring, the lock and len_hint are lesson 4's.  What changed is what a
 * spawn from outside pays for besides the mutex, now that idle workers
 * sleep (sleep.c has the whole argument):
 *  - First push.  injector_push says whether the task is to be treated as
 *    the first one queued.  Only a first push must make sure that a worker
 *    is coming (sleep_new_external_job).  A task queued behind others is
 *    taken by whoever takes the ones ahead of it, or left for that
 *    worker's next look; and a worker that leaves tasks here calls a peer
 *    (take_from_injector in parking.c).
 *  - `callers` counts the first pushes whose spawner has not yet called a
 *    worker (injector_called); injector_close waits for them, so that
 *    destroy() cannot free the pool under a spawner.
 *  - Counting into pending on take.  A task is counted in the pool's
 *    `pending` when a worker takes it from here (injector_take_half), not
 *    when it is pushed.  The spawning thread then never writes `pending`, a
 *    cache line that every worker writes as it finishes tasks.  Every
 *    accepted task is either still queued or counted in `pending`, so the
 *    pool is done when the injector is empty (injector_empty) and then
 *    `pending` is 0, in that order (wait_all_done in parking.c).
 *  - take_half tries the lock, unless told to wait for it, and says how
 *    many tasks it left.
 *
 * The lock protects everything but len_hint, which is written under it and
 * read without it, as a hint, and callers (see injector_push).
 */
#ifndef LESSON05_INJECTOR_H
#define LESSON05_INJECTOR_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
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
    pthread_mutex_t lock;       /* protects every field below but callers */
    struct task *slots;
    size_t head, len, mask;
    bool closed;                /* destroy() has begun: refuse new tasks */
    uint64_t spawned;           /* tasks accepted here */
    atomic_uint callers;        /* first pushes not yet injector_called */
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
    atomic_init(&q->callers, 0);
    pthread_mutex_init(&q->lock, NULL);
    return 0;
}

/* ---- copied unchanged from lesson04_chase_lev/injector.h: injector_destroy, injector_grow ---- */
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
/* ---- end of copy ---- */

/*
 * Queues t at the back.  Returns 0, ECANCELED once injector_close has run,
 * or ENOMEM (the ring could not grow); on error nothing was queued.
 *
 * On success, *first says whether t must be treated as the first task
 * queued: it found the injector empty, or another first push has not yet
 * finished calling a worker (`callers` is not 0; its spawner may have been
 * preempted between its unlock and its call, and t should not wait for
 * it).  Only under the lock is "a task is ahead of t, and its worker is
 * called" a fact rather than a guess, so this is where it is decided.
 *
 * A first task obliges the caller to make sure a worker is coming, after
 * the unlock, when a worker may already have run t and destroy() be about
 * to free the pool.  So the caller is counted in `callers` before the
 * unlock, and must call injector_called once it no longer touches the
 * pool; destroy() waits until none is left.
 */
static inline int injector_push(struct injector *q, struct task t, bool *first)
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
        /* relaxed: a hint for the looks without the lock (take_half's
         * first look, the work_visible look of a parking worker).  For a
         * first push, the release RMW of state in sleep_new_external_job,
         * which comes after this store, publishes it to the parker whose
         * acquire RMW reads that RMW or a later one; a task behind others
         * is seen by whoever takes the ones ahead, under this lock. */
        atomic_store_explicit(&q->len_hint, q->len, memory_order_relaxed);
        /* relaxed (both): every change of callers that matters here is
         * ordered by the lock: the increments are made under it; a
         * decrement not yet seen only makes this push a first one, which
         * is never wrong, only an RMW more.  And the lock orders the
         * increment before destroy's look, which comes after
         * injector_close takes the lock. */
        *first = q->len == 1 || atomic_load_explicit(&q->callers, memory_order_relaxed) != 0;
        if (*first)
            atomic_fetch_add_explicit(&q->callers, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&q->lock);
    return err;
}

/* The caller of a first push no longer touches the pool.  release: all it
 * did happens before destroy()'s acquire load sees the count at 0. */
static inline void injector_called(struct injector *q)
{
    atomic_fetch_sub_explicit(&q->callers, 1, memory_order_release);
}

/*
 * Takes the oldest task into *first and up to max - 1 more into rest[],
 * half of what is queued, if the lock is free, or, with `wait`, once it
 * is.  Before they leave the queue, under the lock, they are added to
 * *pending, so that whoever sees the injector empty sees them counted.
 * Returns how many it took (0: the injector was empty, or its lock busy),
 * and in *left how many it left.
 */
static inline size_t injector_take_half(struct injector *q, struct task *first,
                                        struct task *rest, size_t max,
                                        atomic_size_t *pending, size_t *left, bool wait)
{
    *left = 0;
    /* Most of the time the injector is empty: look before taking the lock,
     * whose cache line every idle worker would otherwise pull to itself.
     * relaxed: a stale 0 costs this look only: the worker that must see a
     * task here sees it (sleep.c, "a task queued behind others"). */
    if (atomic_load_explicit(&q->len_hint, memory_order_relaxed) == 0)
        return 0;
    /* Try, and do not wait: the lock is held by the thread that is
     * spawning (or by another worker taking, or for a moment by wait(),
     * stats() or destroy()).  Waiting would put both to sleep in the
     * kernel over a critical section a few instructions long.  The task
     * is not lost: our caller looks again before it parks, and that look
     * (work_visible) reads the len_hint we just read or a later one (a
     * later load of a variable cannot return an older value), so it sees
     * a task unless a take has emptied the queue.
     * The caller waits when its last look before parking saw work it
     * could not get: trying again at once could spin for as long as the
     * holder keeps the lock (preempted, say).  It sleeps until the unlock;
     * if the holder was merely busy, the wait is short. */
    if ((wait ? pthread_mutex_lock(&q->lock) : pthread_mutex_trylock(&q->lock)) != 0)
        return 0;
    size_t n = (q->len + 1) / 2;
    if (n > max)
        n = max;
    if (n > 0) {
        /* relaxed: the lock orders it before a waiter's look at len, and
         * the worker that runs a task settles it after this addition
         * (this thread, or a thief whose steal synchronized with our
         * push of the task onto our deque). */
        atomic_fetch_add_explicit(pending, n, memory_order_relaxed);
        *first = q->slots[q->head];
        q->head = (q->head + 1) & q->mask;
        for (size_t i = 1; i < n; i++) {
            rest[i - 1] = q->slots[q->head];
            q->head = (q->head + 1) & q->mask;
        }
        q->len -= n;
        *left = q->len;
        /* relaxed: a hint, as in push.  Only a take that empties the
         * queue writes 0, and this thread's later loads of len_hint read
         * this value or a later one. */
        atomic_store_explicit(&q->len_hint, q->len, memory_order_relaxed);
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* Is nothing queued?  Under the lock: a true answer means every task ever
 * taken from here has been added to pending (see take_half). */
static inline bool injector_empty(struct injector *q)
{
    pthread_mutex_lock(&q->lock);
    bool empty = q->len == 0;
    pthread_mutex_unlock(&q->lock);
    return empty;
}

/* From now on push refuses: it returns ECANCELED.  Then waits until the
 * callers of first pushes accepted before are done with the pool: rarely
 * more than a few rounds, a wake-up at most. */
static inline void injector_close(struct injector *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_mutex_unlock(&q->lock);
    /* acquire: pairs with the release in injector_called. */
    while (atomic_load_explicit(&q->callers, memory_order_acquire) != 0)
        sched_yield();
}

static inline uint64_t injector_spawned(struct injector *q)
{
    pthread_mutex_lock(&q->lock);
    uint64_t n = q->spawned;
    pthread_mutex_unlock(&q->lock);
    return n;
}

#endif
