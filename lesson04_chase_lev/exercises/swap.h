/*
 * swap.h: exercise 2's interface, a deque seen through a table of functions
 * that hides which deque it is (like struct scheduler for schedulers).
 * It includes no deque.h: the test puts lesson 3's locked deque behind the
 * same table, to measure one against the other.
 */
#ifndef LESSON04_SWAP_H
#define LESSON04_SWAP_H

#include <stdbool.h>

#include "scheduler.h"

struct deque_ops {
    const char *name;
    void *(*create)(void);                              /* NULL on failure */
    void (*destroy)(void *d);
    int (*push)(void *d, task_fn fn, void *arg);        /* owner: 0 or ENOMEM */
    bool (*pop)(void *d, task_fn *fn, void **arg);      /* owner: the newest task */
    /* Any thread: the oldest task.  false means the deque was empty, and
     * only that: a caller that gets false may go to sleep. */
    bool (*steal)(void *d, task_fn *fn, void **arg);
};

/* Exercise 2 (swap.c): lesson 4's Chase-Lev deque behind this table. */
extern const struct deque_ops lockfree_ops;

#endif
