/*
 * Exercise 2: swap the deque, and measure.    medium: about 20 minutes for
 *                                             the code, 40 for the measuring
 *
 * Lesson 3's scheduler talks to its deque through push, pop and steal.
 * Put lesson 4's Chase-Lev deque (../deque.h) behind the same three
 * operations, the table in swap.h, so well that a scheduler written against
 * the table could not tell which deque it has.  Read the table's contract
 * in swap.h closely, above all what a false from steal promises, and
 * compare it with what each of deque_steal's answers means.
 *
 * The test checks each end's order, then runs two thieves against a deque
 * of tasks and counts every "empty" they were told while tasks were left.
 *
 * Then measure, and explain what you measured: your own numbers, on your
 * machine, whatever they turn out to be.
 *   1. The deques alone:
 *        SWAP_MEASURE=1 build/exercises/lesson04_chase_lev/swap-starter
 *      times both through the same table: the owner pushing and popping
 *      with nobody else about, then the owner with one thief stealing flat
 *      out.  Run it three times: which differences are larger than the
 *      spread between runs?
 *   2. Whole schedulers, one worker, so nothing is stolen:
 *        build/bench --workload tree --threads 1 --sweep none --idle 0 \
 *            --wakeups 0 --sched lesson03_trylock_steal
 *      and the same with --sched lesson04_chase_lev.
 *      Is the ratio between the two what step 1 predicted?
 *   3. Where the time goes: run the same two commands under `perf stat` and
 *      `perf record` (then `perf report`); add --tree-depth 18 for enough
 *      samples.  (On a virtual machine without hardware counters, perf
 *      falls back to a timer: task-clock, cpu-clock.)  Which functions take
 *      the time in each?
 *   4. Explain: from the code (../../lesson03_trylock_steal/deque.h and
 *      ../deque.h), count the atomic read-modify-writes and full barriers
 *      each owner executes per task, a push and a pop, and say what each
 *      has to wait for.  Does that count account for steps 1 and 2?  If it
 *      does not, what differs between a tight loop of push and pop and a
 *      scheduler running tasks?
 * Write your numbers and your explanation in a comment at the end of this
 * file.  solutions/swap.c gives our reasoning to compare with, not figures
 * to match.
 *
 * Check your work:  make -C lesson04_chase_lev exercises
 * Stuck?            exercises/HINTS.md, one hint at a time
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
    /* TODO: the table's push (swap.h), on the Chase-Lev deque. */
    (void)d, (void)fn, (void)arg;
    return ENOSYS;
}

static bool lf_pop(void *d, task_fn *fn, void **arg)
{
    /* TODO: the table's pop. */
    (void)d, (void)fn, (void)arg;
    return false;
}

static bool lf_steal(void *d, task_fn *fn, void **arg)
{
    /* TODO: the table's steal: keep its promise about false. */
    (void)d, (void)fn, (void)arg;
    return false;
}

const struct deque_ops lockfree_ops = {
    "lesson04 Chase-Lev", lf_create, lf_destroy, lf_push, lf_pop, lf_steal,
};
