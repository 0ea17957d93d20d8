/*
 * chase_lev.c: lesson 4, lock-free deques, and fork-join.
 *
 * WHAT CHANGED FROM LESSON 3
 * Each worker's deque is now Chase and Lev's lock-free deque (deque.h): the
 * owner pushes and takes with no lock and no atomic read-modify-write except
 * in the race for the last task (take still pays one full barrier), and a
 * thief steals with one CAS.  Stealing
 * one task per CAS replaces lesson 3's steal-half between workers (a batch
 * cannot be taken with one CAS; lesson 5 brings it back).  The injector
 * keeps a lock and keeps handing out half its tasks at a time.  New: join(),
 * fork-join as rayon does it, on Cilk's work-first principle.
 *
 * DESIGN
 *
 *   external threads ── spawn ──► [ injector: mutex + FIFO ring ]
 *                                         │ take half, into own deque
 *        ┌─────────────────┬──────────────┴──┬─────────────────┐
 *        ▼                 ▼                 ▼                 ▼
 *    worker 0          worker 1          worker 2          worker 3
 *  [Chase-Lev 0]     [Chase-Lev 1]     [Chase-Lev 2]     [Chase-Lev 3]
 *  push/take bottom ◄── steal top (CAS), random victims
 *
 * The injector (injector.h) keeps its mutex: external spawns are the slow
 * path, come from several threads at once (a Chase-Lev deque has one
 * owner), and are taken in batches, so the lock is taken once per batch,
 * not per task.
 *
 * JOIN (work-first: the cost of parallelism goes on the steal)
 * join(a, b) pushes b, runs a itself, then takes b back from its own deque
 * and runs it, the common case when no thief wanted it, at the cost of one
 * push and one take.  If a thief stole b, the worker helps: it runs other
 * tasks until b's thief sets b's done flag.  It never sleeps while it
 * waits, and helps with work from any deque, but not from the injector
 * (cl_join says why).  Thieves take b, a closure, as in rayon and TBB;
 * Cilk's take the continuation instead (the rest of the caller after the
 * spawn), so that no worker ever waits at a join, which needs a compiler
 * that can hand a frame to another thread.  b's task
 * (join_job) and a join from outside the pool, which has no deque to push
 * b onto, are in common/join.h.
 *
 * COUNTING UNFINISHED TASKS, SHUTDOWN, WAIT: as in lessons 2 and 3 (spawn
 * credits, settle when the own deque runs dry).  A join's b is not a spawned
 * task: it is neither counted in pending nor in the stats, because the task
 * that called join is still running, and counted, until b is done.
 *
 * TRACING
 * The trace_* lines are hooks for `make timeline` (common/trace.h,
 * TRACING.md).  In a normal build they are empty macros and compile to
 * nothing.  A trace's "park" here is back_off's 100 µs nap; a join's b that
 * a thief stole shows as a task of its own.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cacheline.h"
#include "counter.h"
#include "deque.h"
#include "injector.h"
#include "join.h"
#include "rng.h"
#include "scheduler.h"
#include "trace.h"

#define SPAWN_CREDITS 64        /* added to pending at a time by a spawning worker (lesson 2) */
#define INJECTOR_BATCH 128      /* at most this many tasks per take from the injector */
#define YIELD_ROUNDS 64         /* idle rounds that only yield, before back_off naps */
#define NAP_NS (100 * 1000)     /* back_off's nap, after YIELD_ROUNDS: 100 us */
#define JOIN_SPINS 64           /* fruitless help rounds before join yields between them */

struct worker {
    _Alignas(CACHELINE) struct deque deque;     /* aligned inside, three lines */
    struct pool *pool;
    unsigned index;
    pthread_t thread;
    struct rng rng;

    /* Written by this worker only. */
    _Alignas(CACHELINE) size_t credits;         /* reserved in pending, unspent */
    size_t finished;                            /* finished, not yet settled */
    struct counter spawned;
    struct counter executed;
    struct counter steals;
    struct counter steal_attempts;
    struct counter steal_lost;                  /* CAS races lost */
    struct counter parks;
};

struct pool {
    struct injector injector;
    _Alignas(CACHELINE) atomic_size_t pending;  /* accepted, not finished (over-estimate) */
    atomic_bool shutdown;
    pthread_mutex_t done_lock;
    pthread_cond_t all_done;
    unsigned nworkers;
    struct worker *workers;
};

static _Thread_local struct worker *self;
extern const struct scheduler lesson04_chase_lev;   /* at the end of the file */

static struct worker *self_in(struct pool *pool)
{
    return (self != NULL && self->pool == pool) ? self : NULL;
}

/* ---- running and finding work ---- */

static void run_task(struct worker *w, struct task t)
{
    trace_task_start(t.arg);
    t.fn(t.arg);
    trace_task_end(t.arg);
    if (t.fn != run_join_job) {     /* a join's b is not a spawned task */
        counter_add(&w->executed, 1);
        w->finished++;
    }
}

/* See lesson 2: give back finished tasks and unspent credits in one go. */
static void settle(struct worker *w)
{
    struct pool *pool = w->pool;
    size_t n = w->credits + w->finished;
    if (n == 0)
        return;
    w->credits = 0;
    w->finished = 0;
    /* release: the finished tasks' effects happen before what a wait()er
     * does once its acquire load sees pending reach 0. */
    if (atomic_fetch_sub_explicit(&pool->pending, n, memory_order_release) == n) {
        pthread_mutex_lock(&pool->done_lock);
        pthread_cond_broadcast(&pool->all_done);
        pthread_mutex_unlock(&pool->done_lock);
    }
}

/*
 * Half of the injector's tasks, at most INJECTOR_BATCH: the oldest to run
 * now, the rest pushed onto our own deque, where other workers can steal
 * them.
 */
static bool take_from_injector(struct worker *w, struct task *t)
{
    struct task rest[INJECTOR_BATCH - 1];
    size_t n = injector_take_half(&w->pool->injector, t, rest, INJECTOR_BATCH);
    if (n == 0)
        return false;
    for (size_t i = 0; i < n - 1; i++) {
        /* If our deque cannot grow, run the task here instead: a task
         * taken out of the injector must not be dropped. */
        if (deque_push(&w->deque, rest[i]) != 0)
            run_task(w, rest[i]);
    }
    return true;
}

/* Every other worker once, from a random start, one task per steal. */
static bool steal_round(struct worker *w, struct task *t)
{
    struct pool *pool = w->pool;
    unsigned n = pool->nworkers, start = rng_below(&w->rng, n);
    for (unsigned k = 0; k < n; k++) {
        unsigned v = (start + k) % n;
        if (v == w->index)
            continue;
        counter_add(&w->steal_attempts, 1);
        trace_steal_try(v);
        enum steal_result res = deque_steal(&pool->workers[v].deque, t);
        if (res == STEAL_OK) {
            counter_add(&w->steals, 1);
            trace_steal(v, 1);
            return true;
        }
        if (res == STEAL_LOST)
            counter_add(&w->steal_lost, 1);
    }
    return false;
}

/* Somewhere other than our own deque: the injector, then the others. */
static bool find_work_elsewhere(struct worker *w, struct task *t)
{
    return take_from_injector(w, t) || steal_round(w, t);
}

static void back_off(struct worker *w, unsigned *idle_rounds)
{
    if (++*idle_rounds <= YIELD_ROUNDS) {
        sched_yield();
        return;
    }
    counter_add(&w->parks, 1);
    struct timespec ts = { 0, NAP_NS };
    trace_park();
    nanosleep(&ts, NULL);
    trace_unpark();
}

static void *worker_loop(void *arg)
{
    struct worker *w = arg;
    struct pool *pool = w->pool;
    unsigned idle_rounds = 0;

    self = w;
    trace_worker(w->index);
    for (;;) {
        struct task t;
        if (deque_take(&w->deque, &t)) {
            run_task(w, t);
            idle_rounds = 0;
            continue;
        }
        settle(w);      /* our own deque is empty: settle before looking elsewhere */
        if (find_work_elsewhere(w, &t)) {
            run_task(w, t);
            idle_rounds = 0;
            continue;
        }
        /* Shutdown first, then pending, as lesson 2's worker_loop explains.
         * acquire: pairs with the release store in stop_workers; relaxed:
         * only the count matters. */
        if (atomic_load_explicit(&pool->shutdown, memory_order_acquire) &&
            atomic_load_explicit(&pool->pending, memory_order_relaxed) == 0)
            break;
        back_off(w, &idle_rounds);
    }
    return NULL;
}

/* ---- join ---- */

static void cl_join(void *p, task_fn a, void *a_arg, task_fn b, void *b_arg)
{
    struct pool *pool = p;
    struct worker *w = self_in(pool);
    if (w == NULL) {
        join_from_outside(&lesson04_chase_lev, pool, a, a_arg, b, b_arg);    /* join.h */
        return;
    }
    struct join_job job = { b, b_arg, false };
    if (deque_push(&w->deque, (struct task){ run_join_job, &job }) != 0) {
        a(a_arg);       /* no memory to offer b to thieves: run both here */
        b(b_arg);
        return;
    }
    a(a_arg);

    /*
     * Take b back.  Anything a spawned (and left) is above b in our deque:
     * run it on the way down.  If we find our deque empty before we find
     * b, a thief has b: help with other work until it is done.
     */
    struct task t;
    while (deque_take(&w->deque, &t)) {
        if (t.fn == run_join_job && t.arg == &job) {
            b(b_arg);   /* not stolen: the common case, no atomics beyond take */
            return;
        }
        run_task(w, t);
    }
    /*
     * While b's thief runs it, help: run tasks from our own deque or stolen
     * from other workers.  Not from the injector: a task from there is a
     * new root, unrelated to this join, which could run long on our stack
     * above this frame and keep join from returning.  Even so, helping can
     * nest frames deeper than the task tree (rayon has the same property);
     * a runtime that must bound its stack helps only with tasks stolen
     * back from b's thief ("leapfrogging").
     */
    unsigned idle_rounds = 0;
    /* acquire: pairs with the release store in run_join_job, so b's
     * effects are visible to the caller of join once we return. */
    while (!atomic_load_explicit(&job.done, memory_order_acquire)) {
        if (deque_take(&w->deque, &t) || steal_round(w, &t)) {
            run_task(w, t);
            idle_rounds = 0;
        } else if (++idle_rounds > JOIN_SPINS) {
            sched_yield();      /* b is running on another worker */
        }
    }
}

/* ---- the contract (common/scheduler.h) ---- */

static void stop_workers(struct pool *pool, unsigned started)
{
    /* Under the injector's lock, as in lesson 2: an external spawn either
     * came first and is counted, or comes after and is refused.
     * release: pairs with the acquire load in worker_loop. */
    pthread_mutex_lock(&pool->injector.lock);
    pool->injector.closed = true;
    atomic_store_explicit(&pool->shutdown, true, memory_order_release);
    pthread_mutex_unlock(&pool->injector.lock);
    for (unsigned i = 0; i < started; i++)
        pthread_join(pool->workers[i].thread, NULL);
}

static void free_pool(struct pool *pool, unsigned ndeques)
{
    for (unsigned i = 0; i < ndeques; i++)
        deque_destroy(&pool->workers[i].deque);
    injector_destroy(&pool->injector);
    pthread_cond_destroy(&pool->all_done);
    pthread_mutex_destroy(&pool->done_lock);
    free(pool->workers);
    free(pool);
}

static void *cl_create(unsigned nworkers)
{
    if (nworkers == 0 || nworkers > SCHED_MAX_WORKERS) {
        errno = EINVAL;
        return NULL;
    }
    struct pool *pool = aligned_alloc(CACHELINE, sizeof *pool);
    if (pool == NULL)
        return NULL;
    memset(pool, 0, sizeof *pool);
    pool->workers = aligned_alloc(CACHELINE, nworkers * sizeof *pool->workers);
    if (pool->workers == NULL || injector_init(&pool->injector) != 0) {
        free(pool->workers);
        free(pool);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&pool->done_lock, NULL);
    pthread_cond_init(&pool->all_done, NULL);
    for (unsigned i = 0; i < nworkers; i++) {
        struct worker *w = &pool->workers[i];
        memset(w, 0, sizeof *w);
        w->pool = pool;
        w->index = i;
        rng_seed(&w->rng, i);
        if (deque_init(&w->deque) != 0) {
            free_pool(pool, i);
            errno = ENOMEM;
            return NULL;
        }
    }
    pool->nworkers = nworkers;
    for (unsigned i = 0; i < nworkers; i++) {
        int err = pthread_create(&pool->workers[i].thread, NULL, worker_loop, &pool->workers[i]);
        if (err != 0) {
            /* nworkers stays as it is: the workers already running read it
             * (they scan every deque, and all of them exist). */
            stop_workers(pool, i);
            free_pool(pool, nworkers);
            errno = err;
            return NULL;
        }
    }
    return pool;
}

static int cl_spawn(void *p, task_fn fn, void *arg)
{
    struct pool *pool = p;
    if (pool == NULL || fn == NULL)
        return EINVAL;
    struct task t = { fn, arg };

    struct worker *w = self_in(pool);
    if (w != NULL) {
        /* As in lesson 2: count before a thief can see it.  relaxed: the
         * release store of bottom in deque_push orders this addition
         * before the settle() of whoever runs the task. */
        if (w->credits == 0) {
            atomic_fetch_add_explicit(&pool->pending, SPAWN_CREDITS, memory_order_relaxed);
            w->credits = SPAWN_CREDITS;
        }
        w->credits--;
        int err = deque_push(&w->deque, t);
        if (err != 0) {
            w->credits++;
            return err;
        }
        counter_add(&w->spawned, 1);
        trace_spawn(arg);
        return 0;
    }

    /* From outside: into the injector, counted in pending under its lock. */
    return injector_push(&pool->injector, t, &pool->pending);
}

static int cl_wait(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return EINVAL;
    if (self_in(pool) != NULL)
        return EDEADLK;
    /* acquire: pairs with the release subtractions in settle. */
    if (atomic_load_explicit(&pool->pending, memory_order_acquire) == 0)
        return 0;
    pthread_mutex_lock(&pool->done_lock);
    while (atomic_load_explicit(&pool->pending, memory_order_acquire) != 0)
        pthread_cond_wait(&pool->all_done, &pool->done_lock);
    pthread_mutex_unlock(&pool->done_lock);
    return 0;
}

static void cl_destroy(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return;
    stop_workers(pool, pool->nworkers);
    free_pool(pool, pool->nworkers);
}

static void cl_stats(void *p, struct sched_stats *out)
{
    struct pool *pool = p;
    *out = (struct sched_stats){ 0 };
    if (pool == NULL)
        return;
    out->spawned = injector_spawned(&pool->injector);
    for (unsigned i = 0; i < pool->nworkers; i++) {
        struct worker *w = &pool->workers[i];
        out->spawned += counter_read(&w->spawned);
        out->executed += counter_read(&w->executed);
        out->steals += counter_read(&w->steals);
        out->steal_batches += counter_read(&w->steals);     /* one task per steal */
        out->steal_attempts += counter_read(&w->steal_attempts);
        out->steal_busy += counter_read(&w->steal_lost);
        out->parks += counter_read(&w->parks);
    }
}

static int cl_current_worker(void *pool)
{
    struct worker *w = self_in(pool);
    return w != NULL ? (int)w->index : -1;
}

const struct scheduler lesson04_chase_lev = {
    .name = "lesson04_chase_lev",
    .create = cl_create,
    .spawn = cl_spawn,
    .wait = cl_wait,
    .destroy = cl_destroy,
    .stats = cl_stats,
    .join = cl_join,
    .current_worker = cl_current_worker,
};
