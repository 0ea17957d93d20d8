/*
 * scheduler.h: the contract every lesson's scheduler implements.
 *
 * Each lesson builds a different scheduler, but all of them are reached
 * through one table of operations, `struct scheduler`.  That is what lets a
 * single test suite (common/contract_test.c) and a single benchmark
 * (lesson06_benchmark/) drive every stage the same way, so that a difference
 * in the results is a difference in the scheduler and nothing else.
 *
 * A "pool" is an opaque pointer returned by create().  A "task" is a plain
 * function pointer and an argument, copied by value into the scheduler's
 * queues: spawning a task never allocates memory for it.
 *
 * Errors follow the errno convention: functions that return int return 0 on
 * success or an errno value; create() returns NULL and sets errno.
 *
 * A task must return, on the thread that called it.  A task that never
 * returns keeps its worker for good, and wait() and destroy() wait for it,
 * as they promise to.  A task that leaves its worker another way
 * (pthread_exit, a longjmp out of the task, thread cancellation) kills the
 * worker, and the tasks in that worker's queue never run.  C has no panic
 * for a pool to catch, as rayon catches one and hands it to join's caller
 * and tokio hands it to the task's JoinHandle; detecting these cases would
 * cost every task a check, so no lesson does, and they are outside the
 * contract, as a crash is (SIGSEGV ends the whole process, pool and all).
 *
 * Memory: every scheduler orders what a task's code may rely on, in the
 * C11 sense of happens-before:
 *   - what the caller of spawn() did before the call happens before the
 *     task runs;
 *   - everything a task did happens before wait() returns, or destroy();
 *   - everything a and b of join() did happens before join returns.
 * So a task may read its argument, and the caller of wait() or join() the
 * tasks' results, with no atomics of their own (the contract suite relies
 * on all three, and runs under ThreadSanitizer).
 *
 * (The file is not called sched.h because `-I common` would then hide the
 * system's <sched.h>, which <pthread.h> includes.)
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <stdint.h>

#define SCHED_MAX_WORKERS 256

typedef void (*task_fn)(void *arg);

/*
 * Counters, summed over the workers when stats() is called.  Each worker keeps
 * its own copy, written only by itself, so counting costs no shared cache line
 * on the hot path.  A counter a stage does not have (steals in lesson01) is 0.
 * More fields may follow these.
 */
struct sched_stats {
    uint64_t spawned;           /* tasks accepted by spawn() */
    uint64_t executed;          /* tasks run to completion */
    uint64_t steals;            /* tasks a worker took from another worker's queue */
    uint64_t steal_attempts;    /* attempts to steal, successful or not */
    uint64_t parks;             /* times a worker went to sleep for lack of work */
    uint64_t steal_batches;     /* successful steals; steals / steal_batches is the
                                   number of tasks one steal takes (1 before lesson03) */
    uint64_t steal_busy;        /* steal attempts that found the victim locked and
                                   moved on (lesson03's try-lock), or lost the race
                                   for the task (lessons 04 and 05) */
    uint64_t unparks;           /* times a parked worker was woken (lesson05) */
    uint64_t wakeups_noop;      /* wake-ups after which the worker found nothing
                                   and parked again */
    uint64_t searches_failed;   /* searches that ended in parking, empty-handed */
};

struct scheduler {
    /* The lesson directory, e.g. "lesson01_shared_queue". */
    const char *name;

    /*
     * Starts nworkers worker threads and returns the pool.
     * Errors: NULL with errno EINVAL when nworkers is 0 or greater than
     * SCHED_MAX_WORKERS; NULL with errno set (ENOMEM, EAGAIN, ...) when memory
     * or a thread cannot be had, in which case every thread already started
     * has been stopped and joined and nothing is leaked.
     */
    void *(*create)(unsigned nworkers);

    /*
     * Queues fn(arg) to run once on some worker.  Callable from any thread:
     * the thread that created the pool, other threads, and tasks running on
     * the pool (nested spawns).  Queues grow, so there is no fixed capacity.
     * A task that spawn() accepted (returned 0) runs exactly once.
     * Returns 0, or:
     *   EINVAL     pool or fn is NULL;
     *   ENOMEM     a queue had to grow and memory could not be had (the task
     *              is not queued and will not run);
     *   ECANCELED  destroy() has begun and the caller is not one of the pool's
     *              workers (tasks running during destroy may still spawn).
     *              This is a courtesy to a thread that races with destroy()
     *              while it drains the pool; no thread may call spawn() once
     *              destroy() can have returned, since the pool is then freed.
     */
    int (*spawn)(void *pool, task_fn fn, void *arg);

    /*
     * Blocks until every accepted task, nested descendants included, has
     * finished, then returns 0.  Reusable: spawn, wait, spawn, wait, ...
     * Several threads may wait at once.
     * Errors: EINVAL for a NULL pool; EDEADLK, at once, when called from a
     * task running on this pool (it would wait for itself).
     */
    int (*wait)(void *pool);

    /*
     * Runs every task still queued (and whatever those spawn), stops and
     * joins the workers, and frees the pool.  destroy(NULL) does nothing.
     * Must not be called from one of the pool's own tasks, nor twice.
     * While it runs, other threads may still call spawn() and get ECANCELED
     * (see spawn), but nothing may use the pool after it returns.
     */
    void (*destroy)(void *pool);

    /*
     * Fills *out with the counters summed over all workers.  Callable at any
     * time; while tasks run, the sum is a snapshot that may be mid-update.
     * After wait() returns, out->spawned == out->executed.
     */
    void (*stats)(void *pool, struct sched_stats *out);

    /*
     * Fork-join: runs a(a_arg) and b(b_arg), possibly in parallel, and returns
     * when both have finished.  NULL until lesson04.
     */
    void (*join)(void *pool, task_fn a, void *a_arg, task_fn b, void *b_arg);

    /*
     * The index (0 .. nworkers-1) of the calling thread among this pool's
     * workers, or -1 when the caller is not one of them.  Tests and exercises
     * use it to see which worker ran a task.
     */
    int (*current_worker)(void *pool);
};

/* Every lesson's scheduler, in lesson order, NULL-terminated. */
extern const struct scheduler *const sched_all[];

/* The scheduler whose name is `name`, or NULL when there is none. */
const struct scheduler *sched_find(const char *name);

#endif
