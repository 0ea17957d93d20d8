/*
 * exercises.h: the functions you write in lesson 2's exercise.
 *
 * Your code goes in exercises/two_workers.c; the test that grades it is
 * exercises/two_workers_test.c; a reference answer is in solutions/.
 */
#ifndef LESSON02_EXERCISES_H
#define LESSON02_EXERCISES_H

#include <stddef.h>

#include "../deque.h"

/*
 * The two-worker runtime (two_workers.c).  Runs tasks[0 .. n-1] on two
 * worker threads and returns once every task has run.  All n tasks start in
 * worker 0's deque, pushed in order (tasks[0] is the oldest, at the top);
 * worker 1 starts with an empty deque.  ran[w] receives the number of tasks
 * worker w ran.  Returns 0, or an errno value if the runtime could not start.
 */
int run_two_workers(const struct task *tasks, size_t n, unsigned long ran[2]);

/* While a task runs: 0 or 1, the worker running it.  Elsewhere: -1. */
int two_workers_self(void);

#endif
