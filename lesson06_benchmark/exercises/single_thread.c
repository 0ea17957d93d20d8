/*
 * Exercise 1: a single-threaded executor.            easy, about 20 minutes
 *
 * Before you believe that a pool of workers makes your tasks faster,
 * measure it against the simplest thing that could work: one thread, a
 * growable array of tasks used as a FIFO queue, and a loop that runs them.
 * No locks, no atomics, no waking anyone: spawn appends, wait runs.
 *
 * Four TODOs, in order: grow the array when it is full (doubling), append
 * the task, run the queue until it is empty (tasks spawned by tasks
 * included), and start the queue over once it is empty.  The contract is
 * in exercises.h.  The test spawns 10,000 tasks, spawns from tasks, checks
 * the order they ran in, the thread they ran on, that nothing ran before
 * wait, the array's size after 200 rounds, realloc's call count, and what
 * happens when realloc fails.
 *
 * Check your work:  make -C lesson06_benchmark exercises
 * Then measure:     make -s lesson06-compare   (and TASK_NS=1000, ...)
 * Stuck?            exercises/HINTS.md (gentle hints first)
 */
#include <errno.h>
#include <stdlib.h>

#include "exercises.h"

void exec_init(struct executor *ex)
{
    *ex = (struct executor){ NULL, 0, 0, 0, realloc };
}

int exec_spawn(struct executor *ex, task_fn fn, void *arg)
{
    if (ex == NULL || fn == NULL)
        return EINVAL;
    if (ex->tail == ex->cap) {
        /* TODO: grow: twice as many slots (EXEC_FIRST_CAP when cap is 0), with
         *       ex->realloc_fn.  If it returns NULL, return ENOMEM with ex unchanged. */
        return ENOMEM;
    }
    /* TODO: append the task at the tail. */
    (void)arg;
    return 0;
}

int exec_wait(struct executor *ex)
{
    if (ex == NULL)
        return EINVAL;
    /* TODO: while the queue is not empty, take the oldest task (at head) and run it.
     *       A task may spawn: what does that do to ex->tail, and to ex->tasks? */
    /* TODO: the queue is empty: start it over at slot 0, so the array is reused. */
    return 0;
}

void exec_destroy(struct executor *ex)
{
    if (ex == NULL)
        return;
    exec_wait(ex);
    free(ex->tasks);
    exec_init(ex);
}
