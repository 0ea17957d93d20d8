/*
 * join.h: the parts of join() that do not touch a worker's deque, shared by
 * the schedulers that have join (lessons 4 and 5).  Each lesson's own join
 * (cl_join, pk_join) pushes b, runs a, and takes b back or helps until a
 * thief has run it; its comments say how.  This file holds the rest:
 *
 *   - b's task.  The joiner pushes b as a join_job: b itself, and a flag
 *     that its runner sets when b is done, which the joiner waits for.  The
 *     job lives on the joiner's stack.
 *   - join from outside the pool.  A thread that is not one of the pool's
 *     workers has no deque to push b onto.  So the whole join is spawned as
 *     one task, which joins inside the pool, and the caller sleeps on a
 *     condition variable until it is done.  If the pool refuses the task
 *     (no memory, or destroy has begun), the caller runs a then b itself.
 *     (That task is a real spawn: stats() counts it as spawned and
 *     executed.)  It uses only the scheduler's own spawn and join, through
 *     `struct scheduler`.
 */
#ifndef JOIN_H
#define JOIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "scheduler.h"

/* ---- b's task ---- */

/* b of a join, as pushed onto the joiner's deque.  Lives on its stack. */
struct join_job {
    task_fn fn;
    void *arg;
    atomic_bool done;
};

static inline void run_join_job(void *arg)
{
    struct join_job *job = arg;
    job->fn(job->arg);
    /* release: b's effects happen before the joiner's acquire load of done
     * (in cl_join, pk_join) sees true.  This is our last touch of *job: the
     * joiner may return and its stack frame, with *job in it, disappear
     * right after. */
    atomic_store_explicit(&job->done, true, memory_order_release);
}

/* ---- join from outside the pool ---- */

struct external_join {
    const struct scheduler *s;
    void *pool;
    task_fn a, b;
    void *a_arg, *b_arg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;              /* protected by lock */
};

/* The task: the join itself, on a worker, then wake the caller. */
static inline void external_join_task(void *arg)
{
    struct external_join *ej = arg;
    ej->s->join(ej->pool, ej->a, ej->a_arg, ej->b, ej->b_arg);
    pthread_mutex_lock(&ej->lock);
    ej->done = true;
    pthread_cond_signal(&ej->cond);
    pthread_mutex_unlock(&ej->lock);
}

/* Runs a and b on `pool`, of scheduler s, from a thread outside it;
 * returns when both have finished.  Never inlined: the lessons' joins call
 * it on their rare path, and inlined there its mutex and condition
 * variable would make every join's stack frame several times bigger.
 * (unused: not every file that includes this calls it.) */
__attribute__((noinline, unused)) static void join_from_outside(const struct scheduler *s,
                                                                 void *pool, task_fn a,
                                                                 void *a_arg, task_fn b,
                                                                 void *b_arg)
{
    struct external_join ej = { .s = s, .pool = pool, .a = a, .a_arg = a_arg, .b = b,
                                .b_arg = b_arg };
    pthread_mutex_init(&ej.lock, NULL);
    pthread_cond_init(&ej.cond, NULL);
    if (s->spawn(pool, external_join_task, &ej) == 0) {
        pthread_mutex_lock(&ej.lock);
        while (!ej.done)
            pthread_cond_wait(&ej.cond, &ej.lock);
        pthread_mutex_unlock(&ej.lock);
    } else {
        a(a_arg);
        b(b_arg);
    }
    pthread_cond_destroy(&ej.cond);
    pthread_mutex_destroy(&ej.lock);
}

#endif
