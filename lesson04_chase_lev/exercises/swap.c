/*
 * Exercise 2: swap the deque, and measure.           medium, about 15 minutes
 *
 * Lesson 3's scheduler talks to its deque through push, pop and steal.
 * Put lesson 4's Chase-Lev deque (../deque.h) behind the same three
 * operations (the table in swap.h) and the scheduler would not know the
 * difference, almost.  The one place where the two deques do not mean the
 * same thing is what a failed steal says.  A locked steal fails only when
 * the deque is empty.  A lock-free steal can also fail because another
 * thread won the CAS (STEAL_LOST), with tasks still there; and a scheduler
 * whose thief reads that as "empty" may go to sleep with work left.
 *
 * Fill in the three functions below.  The test checks each end's order, and
 * runs two thieves against a deque of tasks until both say "empty": then the
 * deque must really be empty.
 *
 * Then measure what the swap buys: run
 *     SWAP_MEASURE=1 build/exercises/lesson04_chase_lev/swap-starter
 * which times your table and lesson 3's locked deque on the same work.
 *
 * Check your work:  make -C lesson04_chase_lev exercises
 * Stuck?            exercises/HINTS.md
 */
#include <errno.h>
#include <stdlib.h>

#include "../deque.h"
#include "swap.h"

static void *lf_create(void)
{
    struct deque *d = aligned_alloc(CACHELINE, sizeof *d);
    if (d != NULL && deque_init(d) != 0) {
        free(d);
        d = NULL;
    }
    return d;
}

static void lf_destroy(void *d)
{
    deque_destroy(d);
    free(d);
}

static int lf_push(void *d, task_fn fn, void *arg)
{
    /* TODO: push the task (fn, arg) onto d's bottom. */
    (void)d, (void)fn, (void)arg;
    return ENOSYS;
}

static bool lf_pop(void *d, task_fn *fn, void **arg)
{
    /* TODO: take the newest task; false when there is none. */
    (void)d, (void)fn, (void)arg;
    return false;
}

static bool lf_steal(void *d, task_fn *fn, void **arg)
{
    /* TODO: steal the oldest task.  Return false only when the deque is
     *       empty (STEAL_EMPTY).  What must you do on STEAL_LOST? */
    (void)d, (void)fn, (void)arg;
    return false;
}

const struct deque_ops lockfree_ops = {
    "lesson04 Chase-Lev", lf_create, lf_destroy, lf_push, lf_pop, lf_steal,
};
