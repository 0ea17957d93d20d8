/*
 * Solution to exercise 2: swap the deque.  (See exercises/swap.c.)
 *
 * The only line that needs thought is the loop in lf_steal: STEAL_LOST means
 * another thread moved top under us, not that the deque is empty, so we try
 * again.  (Every retry follows someone else's successful CAS, so the loop
 * ends: the deque only has so many tasks.)
 *
 * The measurement: our reasoning, to compare with yours.  The figures are
 * yours to find, and where they disagree with this, believe them and find
 * out why with perf.
 *
 * Per task, a push and a pop, lesson 3's owner executes four atomic
 * read-modify-writes: pthread_mutex_lock and pthread_mutex_unlock, twice.
 * Lesson 4's executes none in push, and in take one full barrier (the
 * xchg of its seq_cst store of bottom), plus a CAS whenever it takes the
 * last task in its deque (often, in fork-join code: join pushes b, runs a,
 * and takes b back, and b is often the only task there).  On x86 a locked
 * instruction and a full barrier both wait until every earlier store of
 * this core has left its store buffer.
 *
 * So the count predicts Chase-Lev ahead, and in SWAP_MEASURE's tight loop
 * it can come out behind.  The store buffer then holds push's stores, one
 * of them to bottom, the very address take's xchg writes, and some cores
 * make a locked instruction wait longer for a store to its own address
 * than for stores elsewhere; the mutex's locked instructions write only
 * the mutex.  On the lesson's 2-CPU machine, a loop of push and take
 * costs 10.1 to 10.6 ns with the xchg on bottom, 6.0 to 6.5 with an xchg
 * on another line, and 3.7 with no barrier
 * (lesson06_benchmark/results/2026-12-04-2253-2cpu-xeon-xchg-same-address.txt).  `make
 * break`'s first lines show it: push and take with the xchg against the
 * fence form, whose barrier (with gcc) is a `lock orq` on the stack, and
 * against no barrier at all.  In a scheduler the picture changes: the
 * mutex calls are real calls, four barriers wait behind the tasks' own
 * writes, and that is where a one-worker tree shows lesson 4 ahead, and
 * where perf finds lesson 3's time in pthread_mutex_lock and unlock.
 *
 * With a thief, the locked deque's owner also waits whenever the thief
 * holds the lock, and the lock's cache line moves between the two cores on
 * every operation of either.  The Chase-Lev owner writes bottom, which
 * thieves only read, and reads top, which they write; it competes with them
 * for top only in the last-task race.
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
