/*
 * parker.h: where one worker sleeps, and how another wakes it.
 *
 * A parker holds at most one token.  unpark() leaves the token; park()
 * waits until there is one and takes it.  The token is what makes the
 * order of the two calls irrelevant: an unpark that comes *before* the
 * park is not lost, park just returns.  (A bare pthread_cond_signal with
 * nobody waiting does nothing at all: that is the classic lost wake-up.)
 * A second unpark before the park is not counted twice.  Java's
 * LockSupport.park and Rust's std::thread::park have these semantics, and
 * this is the design of Rust's pthread-based parker:
 *
 *   state:   EMPTY ──unpark──► NOTIFIED ──park takes it──► EMPTY
 *              │                  ▲
 *            park: nothing        │ unpark: swap in NOTIFIED; it was
 *            there, going to      │ SLEEPING, so take and drop the
 *            sleep                │ mutex, then signal the condvar
 *              ▼                  │
 *           SLEEPING ─────────────┘
 *
 * TWO PHASES
 * park() first polls the state for a while, yielding the CPU between
 * polls, and only then blocks in the kernel.  A worker that parks is often
 * woken again within microseconds (the next burst of spawns); while it
 * polls, unpark() is a single atomic exchange, with no system call on
 * either side.  Once it blocks, both sides pay a futex call and the
 * wake-up latency of the operating system.
 *
 * WHY A MUTEX AND A CONDITION VARIABLE, NOT A FUTEX
 * On Linux, glibc's condition variable is built on futexes, so the sleep
 * and the wake-up make the same system calls a hand-written futex would;
 * the futex would save the mutex, an uncontended lock taken once per
 * sleep and once per wake-up, on a path that already pays a system call.
 * This works on every POSIX system and reads like ordinary pthreads code.
 *
 * The condition variable measures timeouts on CLOCK_MONOTONIC, so that a
 * change of the wall clock cannot stretch or cut a timed park (lesson 5's
 * exercise, park_timeout).
 */
#ifndef LESSON05_PARKER_H
#define LESSON05_PARKER_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "counter.h"

#ifndef PARK_POLLS              /* -DPARK_POLLS=0: straight to sleep (README) */
#define PARK_POLLS 64           /* polls, a sched_yield() apart, before sleeping */
#endif

enum { PARKER_EMPTY, PARKER_NOTIFIED, PARKER_SLEEPING };

struct parker {
    _Atomic int state;          /* PARKER_EMPTY, _NOTIFIED or _SLEEPING */
    pthread_mutex_t lock;       /* held to go to sleep, and to signal */
    pthread_cond_t wake;
    struct counter sleeps;      /* times park() slept in the kernel (its thread's) */
};

/* Returns 0 or an errno value. */
static inline int parker_init(struct parker *p)
{
    pthread_condattr_t attr;
    int err = pthread_condattr_init(&attr);
    if (err != 0)
        return err;
    err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (err == 0)
        err = pthread_cond_init(&p->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (err != 0)
        return err;
    pthread_mutex_init(&p->lock, NULL);
    atomic_init(&p->state, PARKER_EMPTY);
    atomic_init(&p->sleeps.n, 0);
    return 0;
}

static inline void parker_destroy(struct parker *p)
{
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}

/* Takes the token if there is one.  acquire: pairs with unpark's release
 * exchange, so what the unparker did before unpark() is visible to us. */
static inline bool parker_try_take(struct parker *p)
{
    int expected = PARKER_NOTIFIED;
    return atomic_compare_exchange_strong_explicit(&p->state, &expected, PARKER_EMPTY,
                                                   memory_order_acquire, memory_order_relaxed);
}

/* Waits until a token is there, and takes it. */
static inline void park(struct parker *p)
{
    for (int i = 0; i < PARK_POLLS; i++) {
        if (parker_try_take(p))
            return;
        sched_yield();
    }
    pthread_mutex_lock(&p->lock);
    /* EMPTY -> SLEEPING, under the mutex: an unpark that sees SLEEPING
     * then takes the mutex, which it gets only once we are inside
     * pthread_cond_wait, so its signal cannot come too early.  If the CAS
     * fails, the token arrived meanwhile.  acquire: on failure, for the
     * token; on success only because C11 forbids a failure order stronger
     * than the success order. */
    int expected = PARKER_EMPTY;
    if (atomic_compare_exchange_strong_explicit(&p->state, &expected, PARKER_SLEEPING,
                                                memory_order_acquire, memory_order_acquire)) {
        counter_add(&p->sleeps, 1);
        /* A loop: condition variables wake spuriously. */
        do
            pthread_cond_wait(&p->wake, &p->lock);
        while (!parker_try_take(p));
    } else {
        /* Take the token with an exchange, not a plain store of EMPTY: a
         * second unpark may have swapped NOTIFIED in again since the CAS
         * failed.  acquire: reading the newest NOTIFIED synchronizes with
         * every unpark so far, the second one included, so we see what it
         * wrote before unparking (destroy's `shutdown`, for one). */
        atomic_exchange_explicit(&p->state, PARKER_EMPTY, memory_order_acquire);
    }
    pthread_mutex_unlock(&p->lock);
}

/* Leaves the token, and wakes the parker's thread if it sleeps. */
static inline void unpark(struct parker *p)
{
    /* release: pairs with the acquire in park; see parker_try_take. */
    if (atomic_exchange_explicit(&p->state, PARKER_NOTIFIED, memory_order_release) !=
        PARKER_SLEEPING)
        return;             /* it is polling, or not parked: it will see the token */
    /* Wait until the parker is inside pthread_cond_wait (it set SLEEPING
     * holding the lock, and lets go of it only there), then signal.  After
     * the unlock, as Rust's parker does: signalled while we still held
     * the lock, the parker would wake only to block on it again.  The
     * parker is still there for the signal: destroy frees parkers only
     * after joining the workers and waiting for outside spawners still
     * calling (injector.h's callers). */
    pthread_mutex_lock(&p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_cond_signal(&p->wake);
}

#endif
