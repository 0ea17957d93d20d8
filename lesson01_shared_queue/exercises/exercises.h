/*
 * exercises.h: the functions you write in lesson 1's exercises.
 *
 * Your code goes in exercises/which_worker.c and exercises/parallel_for.c;
 * the tests that grade it are exercises/NAME_test.c; reference answers are in
 * solutions/ (try first: the hints in HINTS.md come before the answers).
 */
#ifndef LESSON01_EXERCISES_H
#define LESSON01_EXERCISES_H

#include <stddef.h>

#include "scheduler.h"

/*
 * Exercise 1 (which_worker.c).  Runs n tasks on `pool`, a pool of 2 workers
 * of scheduler s.  Task i stores in ran_on[i] the index of the worker that
 * ran it.  Returns 0 when every task has finished, or an errno value.
 */
int which_worker(const struct scheduler *s, void *pool, int *ran_on, int n);

/*
 * Exercise 2 (parallel_for.c).  Calls body(i, ctx) exactly once for every i
 * in [0, n), in tasks of `grain` consecutive indices each (the last task may
 * have fewer), so ceil(n / grain) tasks in all.  Returns 0 once every call
 * has returned; EINVAL, running nothing, when grain is 0 or body is NULL;
 * or the error of spawn() or of an allocation.
 */
typedef void (*index_fn)(size_t i, void *ctx);

int parallel_for(const struct scheduler *s, void *pool, size_t n, size_t grain,
                 index_fn body, void *ctx);

#endif
