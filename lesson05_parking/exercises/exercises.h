/*
 * exercises.h: the functions you write in lesson 5's exercises.
 *
 * Your code goes in exercises/park_timeout.c and exercises/find_any.c; the
 * tests that grade it are exercises/NAME_test.c; reference answers are in
 * solutions/.
 */
#ifndef LESSON05_EXERCISES_H
#define LESSON05_EXERCISES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../parker.h"
#include "scheduler.h"

/*
 * Exercise 1 (park_timeout.c).  park() with a time limit: waits until p
 * has a token and takes it (returns 0), or until timeout_ns nanoseconds
 * have passed (returns ETIMEDOUT).  A token that arrives at the last moment
 * is either taken (0) or left in p for the next park: never lost.  On
 * return the parker is EMPTY or NOTIFIED, never SLEEPING.
 */
int park_timeout(struct parker *p, uint64_t timeout_ns);

/*
 * Exercise 2 (find_any.c).  Returns some i < n for which pred(i, ctx) is
 * true, or -1 when there is none, searching [0, n) in parallel as tasks on
 * `pool` (a pool of scheduler s; call from outside the pool).  Once any
 * task has found a match, the others stop soon: within FIND_CHECK_EVERY
 * elements.  Returns only when every task it spawned has finished, so the
 * pool is free for other work at once.  Returns -2 if a spawn fails.
 */
#define FIND_CHUNK 4096         /* elements per task */
#define FIND_CHECK_EVERY 256    /* how often a task looks for a match found elsewhere */

long find_any(const struct scheduler *s, void *pool, size_t n,
              bool (*pred)(size_t i, void *ctx), void *ctx);

#endif
