/*
 * exercises.h: the functions you write in lesson 6's exercises.
 *
 * Your code goes in exercises/single_thread.c and exercises/fair_rounds.c;
 * the tests that grade it are exercises/NAME_test.c; reference answers are
 * in solutions/ (try first: the hints in HINTS.md come before the answers).
 */
#ifndef LESSON06_EXERCISES_H
#define LESSON06_EXERCISES_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "scheduler.h"

/* ---- Exercise 1 (single_thread.c): a single-threaded executor ---- */

struct exec_task {
    task_fn fn;
    void *arg;
};

/*
 * One thread, no locks: a FIFO array of tasks, run by whoever calls
 * exec_wait().  tasks[head .. tail) wait to run, the oldest at head; the
 * array has cap slots.  The fields are public so that the test can see
 * them (and so can you, in a debugger).
 */
struct executor {
    struct exec_task *tasks;
    size_t head, tail;
    size_t cap;
    /* How the array grows: realloc, unless a test has put its own here
     * (to count the calls, or to make one fail; what it returns must be
     * memory that free() releases). */
    void *(*realloc_fn)(void *ptr, size_t size);
};

/* Slots in the array the first time it grows from nothing. */
#define EXEC_FIRST_CAP 64

/* An empty executor, with no memory yet. */
void exec_init(struct executor *ex);

/*
 * Appends fn(arg) at the tail of the queue; it runs in exec_wait(), never
 * before.  There are no locks: one thread at a time uses the executor (the
 * one that spawns and waits, and the tasks that exec_wait runs on it), and
 * a hand-over to another thread needs its own synchronisation (as
 * pthread_create and pthread_join give).  The array grows (doubling) when it
 * is full, so there is no fixed capacity and no allocation per task.
 * Returns 0, or:
 *   EINVAL  ex or fn is NULL;
 *   ENOMEM  the array had to grow and ex->realloc_fn returned NULL: the task
 *           is not queued, and the tasks queued before it are still there.
 */
int exec_spawn(struct executor *ex, task_fn fn, void *arg);

/*
 * Runs the queued tasks on the calling thread, oldest first, until none is
 * left, tasks spawned meanwhile (by the tasks it runs) included.  Then the
 * queue starts again at slot 0, so the array is reused.  Returns 0, or
 * EINVAL when ex is NULL.  Not to be called from a task.
 */
int exec_wait(struct executor *ex);

/* Runs whatever is still queued (as exec_wait), then frees the array and
 * leaves ex empty, as exec_init does.  exec_destroy(NULL) does nothing. */
void exec_destroy(struct executor *ex);

/* ---- Exercise 2 (fair_rounds.c): rounds, shuffled, and medians ---- */

/* Something to time: run(ctx) does one run of it. */
struct contestant {
    const char *name;
    void (*run)(void *ctx);
    void *ctx;
};

/* The clock the rounds read: now(ctx) in nanoseconds.  A benchmark passes
 * the monotonic clock (now_ns); the test, a fake one. */
struct fair_clock {
    uint64_t (*now)(void *ctx);
    void *ctx;
};

#define FAIR_MAX_CONTESTANTS 64

/*
 * The median of v[0 .. n-1] (n >= 1): the middle value once sorted, or for
 * an even n the mean of the two middle values.  Sorts v in place.
 */
double median_of(uint64_t *v, unsigned n);

/*
 * Times k contestants c[0 .. k-1] over `rounds` rounds.  In each round,
 * every contestant runs exactly once, in an order freshly shuffled
 * (Fisher-Yates, drawing from rng); a run's time is clock.now() just after
 * it minus clock.now() just before it.  On return, ns[i * rounds ..
 * i * rounds + rounds - 1] holds contestant i's times, sorted (median_of
 * sorts them), and medians[i] their median.
 * Returns 0, or EINVAL (running nothing) when k is 0 or more than
 * FAIR_MAX_CONTESTANTS, rounds is 0, or a pointer is NULL.
 */
int fair_rounds(const struct contestant *c, unsigned k, unsigned rounds, struct rng *rng,
                const struct fair_clock *clock, uint64_t *ns, double *medians);

#endif
