/*
 * Exercise 1: park with a time limit.                medium, about 25 minutes
 *
 * parker.h's park() sleeps until a token comes.  A timed park gives up
 * after timeout_ns.  Two things are left for you:
 *
 *  - The deadline.  pthread_cond_timedwait takes an absolute time on the
 *    condition variable's clock (parker_init set it to CLOCK_MONOTONIC).
 *    Why absolute, and not "timeout_ns from now"?  (Condition variables
 *    wake up spuriously; what would a relative time do to the total wait?)
 *  - Giving up.  On timeout, we are SLEEPING, and must leave the parker
 *    EMPTY, so that the next park works.  But unpark() swaps in NOTIFIED
 *    without taking the mutex: it may have just done so.  That token must
 *    not be lost.
 *
 * The contract is in exercises.h.  The test times out parks, wakes them,
 * wakes them spuriously, and races unparks against the deadline.  That
 * race has a window a few instructions wide, which the test hits rarely:
 * a pass is not proof.  Write down the interleaving that would lose the
 * token, and convince yourself that your code cannot.
 *
 * Check your work:  make -C lesson05_parking exercises
 * Stuck?            exercises/HINTS.md
 */
#include <errno.h>

#include "exercises.h"

int park_timeout(struct parker *p, uint64_t timeout_ns)
{
    if (parker_try_take(p))
        return 0;
    struct timespec deadline = { 0, 0 };
    /* TODO: make the wait below end timeout_ns from now, however often
     *       the condition variable wakes up for nothing. */
    (void)timeout_ns;

    pthread_mutex_lock(&p->lock);
    /* acquire (both outcomes): on failure the token is there, and we take
     * what its unpark() released; C11 wants success at least as strong. */
    int expected = PARKER_EMPTY;
    if (!atomic_compare_exchange_strong_explicit(&p->state, &expected, PARKER_SLEEPING,
                                                 memory_order_acquire, memory_order_acquire)) {
        /* The token came meanwhile: take it (as park() in parker.h does). */
        atomic_exchange_explicit(&p->state, PARKER_EMPTY, memory_order_acquire);
        pthread_mutex_unlock(&p->lock);
        return 0;
    }
    int err = 0;
    while (!parker_try_take(p)) {
        if (err == ETIMEDOUT) {
            /* TODO: give up, leaving the parker as the next park expects
             *       it, without losing a token that an unpark() (which
             *       does not take the mutex) may have left just now. */
            pthread_mutex_unlock(&p->lock);
            return ETIMEDOUT;
        }
        err = pthread_cond_timedwait(&p->wake, &p->lock, &deadline);
    }
    pthread_mutex_unlock(&p->lock);
    return 0;
}
