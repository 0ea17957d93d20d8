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
 * Exercise 2 (find_any.c), the capstone.  Returns some i < n for which
 * pred(i, ctx) is true, or -1 when there is none (n <= LONG_MAX).
 *
 * The search runs as tasks on `pool`, a pool of scheduler s, which has
 * join.  find_any is called from a thread outside the pool, and the pool
 * may be running other callers' tasks, other searches among them.
 *
 *  - It splits [0, n) in halves with s->join, and those halves again, so
 *    that its tasks nest below one root, as rayon's find_any does.  It
 *    calls neither s->spawn nor s->wait: wait() waits for every task in
 *    the pool, other callers' too, and a spawned task is a root of its own,
 *    whose end only wait() would see.  (s->current_worker and s->stats are
 *    allowed; s->create and s->destroy are the caller's.)
 *  - It returns only once no task of this search is running: nothing
 *    touches its stack frame after it returns.
 *  - Once any task of this search has found a match, every worker scans
 *    at most FIND_STOP_WITHIN more elements of it (cooperative
 *    cancellation: the tasks check; nothing interrupts them).
 *
 * pred may be called on any thread, on several at once, and must be
 * called only with i < n.  Nothing here can fail: join cannot.
 */
#define FIND_STOP_WITHIN 256    /* elements a worker may scan after a match */

long find_any(const struct scheduler *s, void *pool, size_t n,
              bool (*pred)(size_t i, void *ctx), void *ctx);

#endif
