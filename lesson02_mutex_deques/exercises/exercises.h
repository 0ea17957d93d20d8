/*
 * exercises.h: the functions you write in lesson 2's exercise.
 *
 * Your code goes in exercises/two_workers.c and exercises/credits.c; the
 * tests that grade it are exercises/NAME_test.c; reference answers are in
 * solutions/.
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

/*
 * Exercise 2 (credits.c): counting unfinished tasks without a shared cache
 * line per task.  The test's workers call these, each with its own
 * struct credits (yours to use; only that worker touches it):
 *   on_spawn   before a task that worker spawned can be seen by others;
 *   on_finish  after that worker ran a task;
 *   on_idle    when that worker's own deque is empty, before it looks
 *              elsewhere (and before it may decide that all work is done).
 * The shared count may be changed only through pending_add() and
 * pending_sub(), which the test provides and counts.  It must never be
 * below the true number of unfinished tasks, must reach 0 once all tasks
 * are done, and should be touched rarely.
 */
struct credits {
    size_t credits;         /* reserved in pending, not yet spent */
    size_t finished;        /* finished, not yet taken off pending */
};

void on_spawn(struct credits *c);
void on_finish(struct credits *c);
void on_idle(struct credits *c);

/* Provided by the test. */
void pending_add(size_t n);
void pending_sub(size_t n);

#endif
