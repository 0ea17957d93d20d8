/*
 * Exercise 1, a reference answer: a single-threaded executor.
 *
 * The queue is a plain array with two indices.  spawn appends at tail and
 * doubles the array when it is full, so 10,000 spawns cost 9 reallocs, not
 * 10,000.  wait takes at head until head meets tail; a task that spawns
 * moves tail on, and the loop reads tail again before each task, so
 * spawned tasks run too, after those already queued (FIFO).  A spawn may
 * also move the array (realloc): so the loop copies the task out before
 * calling it, and never keeps a pointer into the array across a call.
 */
#include <errno.h>
#include <stdlib.h>

#include "../exercises/exercises.h"

void exec_init(struct executor *ex)
{
    *ex = (struct executor){ NULL, 0, 0, 0, realloc };
}

int exec_spawn(struct executor *ex, task_fn fn, void *arg)
{
    if (ex == NULL || fn == NULL)
        return EINVAL;
    if (ex->tail == ex->cap) {
        /* Doubling: each task is copied once on average over all the
         * growths, so spawn costs O(1) amortised.  The old array stays
         * ours until realloc has succeeded: on failure, it still holds
         * every task queued so far. */
        size_t cap = ex->cap ? 2 * ex->cap : EXEC_FIRST_CAP;
        if (cap > SIZE_MAX / sizeof *ex->tasks)
            return ENOMEM;
        struct exec_task *tasks = ex->realloc_fn(ex->tasks, cap * sizeof *tasks);
        if (tasks == NULL)
            return ENOMEM;
        ex->tasks = tasks;
        ex->cap = cap;
    }
    ex->tasks[ex->tail++] = (struct exec_task){ fn, arg };
    return 0;
}

int exec_wait(struct executor *ex)
{
    if (ex == NULL)
        return EINVAL;
    while (ex->head < ex->tail) {
        struct exec_task t = ex->tasks[ex->head++];    /* a copy: t.fn may move the array */
        t.fn(t.arg);
    }
    /* Empty: start over, or the array would grow by every task ever
     * spawned.  (A ring buffer would also reuse the slots of tasks already
     * run while wait is still going: it would be as big as the most tasks
     * ever waiting at once, not as all the tasks of one wait.) */
    ex->head = ex->tail = 0;
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
