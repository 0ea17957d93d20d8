/*
 * Solution to exercise 2: swap the deque.  (See exercises/swap.c.)
 *
 * The only line that needs thought is the loop in lf_steal: STEAL_LOST means
 * another thread moved top under us, not that the deque is empty, so we try
 * again.  (Every retry follows someone else's successful CAS, so the loop
 * ends: the deque only has so many tasks.)
 *
 * The measurement's puzzle: alone, both deques cost about the same per
 * push and pop, yet lesson 3's whole scheduler spends half its time in
 * pthread_mutex_lock and unlock.  A push and a pop on the locked deque are
 * four locked instructions (lock and unlock, twice); lesson 4's owner runs
 * one full barrier per task, take's fence.  Each of them waits until every
 * earlier store of this core has left its store buffer.  In the tight loop
 * of the measurement there is almost nothing in the buffer; in a scheduler
 * running tasks, there is (the task's own writes, the counters), so each
 * barrier costs more, and four cost more than one.
 */
#include <stdlib.h>

#include "../deque.h"
#include "../exercises/swap.h"

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
    return deque_push(d, (struct task){ fn, arg });
}

static bool lf_pop(void *d, task_fn *fn, void **arg)
{
    struct task t;
    if (!deque_take(d, &t))
        return false;
    *fn = t.fn;
    *arg = t.arg;
    return true;
}

static bool lf_steal(void *d, task_fn *fn, void **arg)
{
    struct task t;
    enum steal_result res;
    while ((res = deque_steal(d, &t)) == STEAL_LOST)
        ;       /* someone else took that one: there may be more */
    if (res == STEAL_EMPTY)
        return false;
    *fn = t.fn;
    *arg = t.arg;
    return true;
}

const struct deque_ops lockfree_ops = {
    "lesson04 Chase-Lev", lf_create, lf_destroy, lf_push, lf_pop, lf_steal,
};
