/*
 * Exercise 1, a reference answer: park() with a time limit.
 */
#include <errno.h>

#include "../exercises/exercises.h"

int park_timeout(struct parker *p, uint64_t timeout_ns)
{
    if (parker_try_take(p))
        return 0;
    /* An absolute deadline, on the clock the condition variable measures
     * (parker_init chose CLOCK_MONOTONIC): after a spurious wake-up we wait
     * for what is left, not for timeout_ns again. */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    uint64_t ns = (uint64_t)deadline.tv_nsec + timeout_ns % 1000000000u;
    deadline.tv_sec += (time_t)(timeout_ns / 1000000000u + ns / 1000000000u);
    deadline.tv_nsec = (long)(ns % 1000000000u);

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
            /* Withdraw: SLEEPING back to EMPTY.  unpark() swaps in NOTIFIED
             * without the mutex, so it may have done so just now; then the
             * CAS fails, and the token is ours.  (A plain store of EMPTY
             * would throw it away.)  acquire on failure: the token's
             * (on success there is nothing to order, but C11 does not let
             * the failure order be stronger than the success order). */
            expected = PARKER_SLEEPING;
            if (atomic_compare_exchange_strong_explicit(&p->state, &expected, PARKER_EMPTY,
                                                        memory_order_acquire,
                                                        memory_order_acquire)) {
                pthread_mutex_unlock(&p->lock);
                return ETIMEDOUT;
            }
            /* The token is ours; take it as park() does: acquire, for
             * every unpark so far. */
            atomic_exchange_explicit(&p->state, PARKER_EMPTY, memory_order_acquire);
            break;
        }
        err = pthread_cond_timedwait(&p->wake, &p->lock, &deadline);
    }
    pthread_mutex_unlock(&p->lock);
    return 0;
}
