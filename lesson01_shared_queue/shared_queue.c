/*
 * shared_queue.c: lesson 1, the simplest thread pool that is correct.
 *
 * DESIGN
 *
 *   spawn() ──push──►  ┌─────────────────────────────┐  ──pop──► worker 0
 *   spawn() ──push──►  │ one FIFO ring buffer        │  ──pop──► worker 1
 *   (any thread)       │ one mutex, two condvars     │  ──pop──► worker n-1
 *                      └─────────────────────────────┘
 *
 * One queue, shared by every thread, protected by one mutex.  spawn() appends
 * a task under the lock and signals one sleeping worker.  Each worker loops:
 * take the lock, sleep on `work_ready` while the queue is empty, pop the
 * oldest task, drop the lock, run the task, take the lock again to count it
 * finished.  wait() sleeps on `all_done` until no accepted task is unfinished.
 *
 * Every thread goes through the same lock for every task.  That is what makes
 * the code short and easy to prove correct, and it is also its cost: the lock
 * is one cache line that every core must own in turn.  Lesson 2 splits it.
 *
 * LOCKING
 * pool->lock protects everything in struct pool and in struct worker except
 * the fields that never change after create() (nworkers, workers[i].pool,
 * workers[i].index, workers[i].thread).  There is no other lock, so there is
 * no lock order to get wrong.  Counters are kept per worker, but since they
 * are only touched with the lock held they need no atomics.
 *
 * TRACING
 * The trace_* lines are hooks for `make timeline` (common/trace.h,
 * TRACING.md).  In a normal build they are empty macros and compile to
 * nothing.  There are no steal hooks here: with one shared queue there is
 * nobody to steal from.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "scheduler.h"
#include "trace.h"

/* A task is stored by value: spawning never allocates. */
struct task {
    task_fn fn;
    void *arg;
};

/*
 * A growable FIFO ring buffer.  The tasks are slots[head], slots[head+1], ...
 * (len of them), indices taken modulo cap.  cap is a power of two so that
 * "modulo" is a mask.  It doubles when full and never shrinks, so a pool that
 * has once held k tasks never allocates again for k tasks or fewer.
 */
struct queue {
    struct task *slots;
    size_t head;
    size_t len;
    size_t cap;
};

#define QUEUE_INITIAL_CAP 256

struct worker {
    struct pool *pool;
    unsigned index;
    pthread_t thread;
    uint64_t executed;      /* tasks this worker ran to completion */
    uint64_t parks;         /* times it slept on work_ready */
};

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready;  /* the queue got a task, or shutdown began */
    pthread_cond_t all_done;    /* pending dropped to zero */
    struct queue queue;
    uint64_t pending;           /* tasks accepted and not yet finished */
    uint64_t spawned;           /* tasks accepted, ever */
    bool shutdown;              /* destroy() has begun */
    unsigned nworkers;          /* threads actually started */
    struct worker *workers;
};

/* The worker the calling thread is, or NULL for threads that are not workers. */
static _Thread_local struct worker *self;

/* ---- the queue (caller holds pool->lock) ---- */

static int queue_init(struct queue *q)
{
    q->slots = malloc(QUEUE_INITIAL_CAP * sizeof *q->slots);
    q->head = 0;
    q->len = 0;
    q->cap = QUEUE_INITIAL_CAP;
    return q->slots ? 0 : ENOMEM;
}

/*
 * Doubles the capacity.  The tasks may wrap around the end of the old array
 * (head near the end, the newest tasks at the start), so they cannot be
 * copied with one memcpy: copy them in FIFO order to the start of the new
 * array, which also resets head to 0.
 */
static int queue_grow(struct queue *q)
{
    if (q->cap > SIZE_MAX / 2 / sizeof *q->slots)
        return ENOMEM;
    size_t cap = q->cap * 2;
    struct task *slots = malloc(cap * sizeof *slots);
    if (slots == NULL)
        return ENOMEM;
    for (size_t i = 0; i < q->len; i++)
        slots[i] = q->slots[(q->head + i) & (q->cap - 1)];
    free(q->slots);
    q->slots = slots;
    q->head = 0;
    q->cap = cap;
    return 0;
}

static int queue_push(struct queue *q, struct task t)
{
    if (q->len == q->cap) {
        int err = queue_grow(q);
        if (err != 0)
            return err;
    }
    q->slots[(q->head + q->len) & (q->cap - 1)] = t;
    q->len++;
    return 0;
}

/* Removes and returns the oldest task.  The queue must not be empty. */
static struct task queue_pop(struct queue *q)
{
    struct task t = q->slots[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
    return t;
}

/* ---- the workers ---- */

/*
 * Each worker runs this loop until destroy() sets shutdown and the queue is
 * empty.  The lock is held at the top of the loop and released only around
 * the task itself, so "look at the queue, decide to sleep, sleep" happens
 * with the lock held: pthread_cond_wait releases it atomically as it sleeps,
 * and a spawn() cannot slip its signal in between the look and the sleep.
 */
static void *worker_loop(void *arg)
{
    struct worker *w = arg;
    struct pool *pool = w->pool;

    self = w;
    trace_worker(w->index);
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        if (pool->queue.len == 0 && !pool->shutdown) {
            w->parks++;
            trace_park();
            /* A loop, not an if: a wake-up can be spurious, and another
             * worker may have taken the task before we got the lock back. */
            while (pool->queue.len == 0 && !pool->shutdown)
                pthread_cond_wait(&pool->work_ready, &pool->lock);
            trace_unpark();
        }
        if (pool->queue.len == 0)
            break;      /* shutdown, and nothing left to run */

        struct task t = queue_pop(&pool->queue);
        pthread_mutex_unlock(&pool->lock);
        trace_task_start(t.arg);
        t.fn(t.arg);
        trace_task_end(t.arg);
        pthread_mutex_lock(&pool->lock);

        /* Both in one critical section: wait() needs the lock to return,
         * so it never sees pending at 0 with executed not yet counted. */
        w->executed++;
        if (--pool->pending == 0)
            pthread_cond_broadcast(&pool->all_done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/*
 * Tells the workers to finish the queue and exit, and joins them.  A worker
 * exits only when the queue is empty, so a task that spawns while the pool
 * drains is still run: the worker running it is alive and will pop its child.
 */
static void stop_workers(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->shutdown = true;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i < pool->nworkers; i++)
        pthread_join(pool->workers[i].thread, NULL);
}

static void free_pool(struct pool *pool)
{
    pthread_cond_destroy(&pool->all_done);
    pthread_cond_destroy(&pool->work_ready);
    pthread_mutex_destroy(&pool->lock);
    free(pool->queue.slots);
    free(pool->workers);
    free(pool);
}

/* ---- the contract (common/scheduler.h) ---- */

static void *sq_create(unsigned nworkers)
{
    if (nworkers == 0 || nworkers > SCHED_MAX_WORKERS) {
        errno = EINVAL;
        return NULL;
    }
    struct pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return NULL;    /* errno is ENOMEM */
    pool->workers = calloc(nworkers, sizeof *pool->workers);
    if (pool->workers == NULL || queue_init(&pool->queue) != 0) {
        free(pool->workers);
        free(pool);
        errno = ENOMEM;
        return NULL;
    }
    /* Default attributes: these calls cannot fail on Linux. */
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work_ready, NULL);
    pthread_cond_init(&pool->all_done, NULL);

    for (unsigned i = 0; i < nworkers; i++) {
        struct worker *w = &pool->workers[i];
        w->pool = pool;
        w->index = i;
        int err = pthread_create(&w->thread, NULL, worker_loop, w);
        if (err != 0) {
            stop_workers(pool);         /* joins the i already started */
            free_pool(pool);
            errno = err;
            return NULL;
        }
        pool->nworkers++;
    }
    return pool;
}

static int sq_spawn(void *p, task_fn fn, void *arg)
{
    struct pool *pool = p;
    if (pool == NULL || fn == NULL)
        return EINVAL;

    pthread_mutex_lock(&pool->lock);
    if (pool->shutdown && (self == NULL || self->pool != pool)) {
        pthread_mutex_unlock(&pool->lock);
        return ECANCELED;
    }
    int err = queue_push(&pool->queue, (struct task){ fn, arg });
    if (err == 0) {
        pool->pending++;
        pool->spawned++;
        trace_spawn(arg);
        /* Signal with the lock held: the pool cannot be destroyed between
         * our unlock and the signal, and the reasoning stays simple. */
        pthread_cond_signal(&pool->work_ready);
    }
    pthread_mutex_unlock(&pool->lock);
    return err;
}

static int sq_wait(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return EINVAL;
    if (self != NULL && self->pool == pool)
        return EDEADLK;     /* a task waiting for all tasks waits for itself */

    pthread_mutex_lock(&pool->lock);
    while (pool->pending > 0)
        pthread_cond_wait(&pool->all_done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    return 0;
}

static void sq_destroy(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return;
    stop_workers(pool);
    free_pool(pool);
}

static void sq_stats(void *p, struct sched_stats *out)
{
    struct pool *pool = p;
    *out = (struct sched_stats){ 0 };
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    out->spawned = pool->spawned;
    for (unsigned i = 0; i < pool->nworkers; i++) {
        out->executed += pool->workers[i].executed;
        out->parks += pool->workers[i].parks;
    }
    pthread_mutex_unlock(&pool->lock);
}

static int sq_current_worker(void *pool)
{
    return (self != NULL && self->pool == pool) ? (int)self->index : -1;
}

const struct scheduler lesson01_shared_queue = {
    .name = "lesson01_shared_queue",
    .create = sq_create,
    .spawn = sq_spawn,
    .wait = sq_wait,
    .destroy = sq_destroy,
    .stats = sq_stats,
    .join = NULL,
    .current_worker = sq_current_worker,
};
