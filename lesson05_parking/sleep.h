/*
 * sleep.h: lesson 5's sleep protocol: who counts as searching, when an idle
 * worker parks, and whom a new task wakes.  Modelled on rayon-core's `sleep`
 * module.
 *
 * The worker loop (parking.c) reports what happens to it, and the
 * functions below decide:
 *
 *   the worker loop, or a spawn           calls
 *   found nothing, is not searching       sleep_start_looking
 *   found work while searching            sleep_work_found
 *   searched in vain                      sleep_no_work_found: may park
 *   a first push into the injector        sleep_new_external_job
 *   a push onto its own deque (inside)    sleep_new_internal_job (inline)
 *   destroy()                             sleep_wake_all
 *
 * sleep.c holds the code and, in its top comment, the argument that no
 * wake-up is lost.  This header holds the state word's layout and the
 * check that a spawn from inside the pool makes, which is inline: it runs
 * at every such spawn and every join.
 */
#ifndef LESSON05_SLEEP_H
#define LESSON05_SLEEP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cacheline.h"
#include "parker.h"
#include "scheduler.h"

/*
 * The state word: awake workers in the high half, searching workers (a
 * subset of the awake) in the low half.  Adding SLEEP_ONE_AWAKE +
 * SLEEP_ONE_SEARCHING counts one worker into both with one RMW.
 */
#define SLEEP_COUNT_BITS 16                                 /* bits per count */
#define SLEEP_SEARCHING_MASK ((1u << SLEEP_COUNT_BITS) - 1) /* the low half */
#define SLEEP_ONE_SEARCHING 1u                              /* 1 in the low half */
#define SLEEP_ONE_AWAKE (1u << SLEEP_COUNT_BITS)            /* 1 in the high half */

_Static_assert(SCHED_MAX_WORKERS <= SLEEP_SEARCHING_MASK, "a count must fit in its half of state");

static inline unsigned sleep_searching(uint32_t state) { return state & SLEEP_SEARCHING_MASK; }
static inline unsigned sleep_awake(uint32_t state) { return state >> SLEEP_COUNT_BITS; }

/* One worker's parker, on cache lines of its own: written by that worker
 * and by whoever wakes it. */
struct sleeper {
    _Alignas(CACHELINE) struct parker parker;
};

struct sleep {
    /* Read by every spawn, written when a worker starts or stops searching,
     * parks or wakes: a line of its own.  Written only by read-modify-
     * writes (sleep.c says why). */
    _Alignas(CACHELINE) _Atomic uint32_t state;

    /* The parked workers, roughly newest last (we wake the last: its cache
     * is likely the warmest).  The awake count in state changes only under
     * this lock, together with the list; the searching count does not
     * need it. */
    _Alignas(CACHELINE) pthread_mutex_t idle_lock;
    unsigned idle_count;
    unsigned *idle;             /* idle[0 .. idle_count-1]: worker indices */
    bool *listed;               /* listed[i]: worker i is in idle[] */
    unsigned nworkers;          /* set by sleep_init, then only read */
    struct sleeper *sleepers;   /* sleepers[i]: worker i's parker */
};

/* For a pool of nworkers, all counted awake, none searching.  Returns 0,
 * ENOMEM, or the error of parker_init; on error nothing is left to free. */
int sleep_init(struct sleep *s, unsigned nworkers);

/* No worker may be using s any more (destroy has joined them). */
void sleep_destroy(struct sleep *s);

/* Found nothing and not searching: counts the caller as searching, and
 * sets *searching.  Every idle worker may search (sleep.c says why there
 * is no bound). */
void sleep_start_looking(struct sleep *s, bool *searching);

/* Was searching (*searching) and found work: stops searching, and, if it
 * was the last searcher and work_visible(ctx) sees more, wakes a peer. */
void sleep_work_found(struct sleep *s, bool *searching, bool (*work_visible)(void *ctx),
                      void *ctx);

/*
 * Found nothing: counts worker `worker` out, looks once more with
 * work_visible(ctx), and parks unless that look found something.  Returns
 * true when it parked and got a token.  On return the worker is counted
 * awake again, and *searching says whether as a searcher (its waker
 * counted it so).
 */
bool sleep_no_work_found(struct sleep *s, unsigned worker, bool *searching,
                         bool (*work_visible)(void *ctx), void *ctx);

/* A spawn from outside queued the first task in the injector: makes sure
 * that some worker will look at it (the release RMW of state, and maybe a
 * wake-up). */
void sleep_new_external_job(struct sleep *s);

/* destroy(): leaves a token with workers 0 .. n-1, parked or not. */
void sleep_wake_all(struct sleep *s, unsigned n);

/* Times worker `worker` slept in the kernel (not counting its polling). */
uint64_t sleep_parks(struct sleep *s, unsigned worker);

/* The slow part of sleep_wake_one, out of line. */
void sleep_wake_sleeper(struct sleep *s);

/*
 * A new task, and `state` as the caller read it: wakes one parked worker
 * if nobody is searching and somebody sleeps.  The check is inline and the
 * rest (sleep_wake_sleeper) out of line: the check runs at every spawn
 * from inside the pool and every join, where a call costs a few percent
 * of lesson 4's speed on `tree`.
 */
static inline void sleep_wake_one(struct sleep *s, uint32_t state)
{
    if (sleep_searching(state) == 0 && sleep_awake(state) < s->nworkers)
        sleep_wake_sleeper(s);
}

/*
 * A worker pushed a task onto its own deque (a spawn from inside, a join's
 * b), or left tasks in the injector.  No RMW: the caller is awake and gets
 * to the task itself if no one else does, so a stale state delays a task,
 * never loses it.  The delay is store buffering again (our push, then this
 * load, against a parker's RMW, then its look at our deque): both may miss
 * the other, and the task then waits for our next push, or for the end of
 * the task we are running.  tokio closes that gap with an RMW here, on
 * every push that may wake.  relaxed: a hint, with no partner;
 * sleep_wake_sleeper looks again under idle_lock.
 */
static inline void sleep_new_internal_job(struct sleep *s)
{
    sleep_wake_one(s, atomic_load_explicit(&s->state, memory_order_relaxed));
}

#endif
