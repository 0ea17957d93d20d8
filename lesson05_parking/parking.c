/*
 * parking.c: lesson 5, idle workers sleep, and wake precisely.
 *
 * WHAT CHANGED FROM LESSON 4
 * A worker with nothing to do no longer yields and naps in a loop (an idle
 * lesson-4 pool burns CPU doing that; the README measures it): it
 * searches for a while, then parks on its parker (parker.h) until a new
 * task wakes it.  So an idle pool costs no CPU, and a new task wakes one
 * sleeper at most, and only when no awake worker will find it.  When to
 * search, to park and to wake is the sleep protocol, in sleep.c; this file
 * reports to it what happens (the sleep_* calls).  Thieves steal half a
 * deque again (deque_steal_half), so a worker that wakes up gets a batch;
 * injector.h says what changed in the injector.  The rest is lesson 4's.
 *
 * THE THREE STATES OF A WORKER (worker_loop)
 *
 *             own deque empty, nothing
 *             elsewhere:                  SEARCH_ROUNDS
 *             sleep_start_looking         rounds in vain
 *   RUNNING ────────────────► SEARCHING ────────────────► PARKED
 *  (awake,   ◄──────────────── (awake,   ◄──────────────── (asleep on
 *   tasks)    found work:       stealing, woken by a spawn  its parker)
 *      ▲      sleep_work_found  injector) or last searcher:    │
 *      │                                  counted searching    │
 *      └──── its last look before sleeping found work, or ─────┘
 *            destroy() woke it: counted awake (and searching, if a
 *            waker took it off the idle list meanwhile)
 *
 * To park (sleep_no_work_found), a worker counts itself out, looks once
 * more (work_visible), and sleeps unless that look found something.  Why no
 * task is left behind while every worker sleeps: sleep.c's top comment.
 *
 * TRACING: the trace_* lines are hooks for `make timeline` (TRACING.md),
 * empty in a normal build; a trace's "park" includes park()'s polling.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cacheline.h"
#include "counter.h"
#include "deque.h"
#include "injector.h"
#include "join.h"
#include "rng.h"
#include "scheduler.h"
#include "sleep.h"
#include "trace.h"

#define SPAWN_CREDITS 64        /* added to pending at a time by a spawning worker (lesson 2) */
#define STEAL_BATCH 32          /* at most this many tasks per steal */
#ifndef STEAL_HALF_FROM         /* -DSTEAL_HALF_FROM=1: always half (README) */
#define STEAL_HALF_FROM 64      /* ... and only from a deque this long (deque.h) */
#endif
#ifndef SEARCH_ROUNDS           /* -DSEARCH_ROUNDS=1: park after one round (README) */
#define SEARCH_ROUNDS 64        /* rounds of stealing before a searcher parks */
#endif
#define INJECTOR_BATCH 128      /* at most this many tasks per take from the injector */
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
    bool searching;                             /* counted as searching in state */
    struct counter spawned;
    struct counter executed;
    struct counter steals;                      /* tasks stolen */
    struct counter steal_batches;               /* successful steals */
    struct counter steal_attempts;
    struct counter steal_lost;                  /* CAS races lost */
    struct counter unparks;                     /* got a token while parked */
    struct counter wakeups_noop;                /* woken, and found nothing */
    struct counter searches_failed;             /* searched, found nothing */
};

struct pool {
    struct sleep sleep;         /* first: &pool->sleep is pool, no add on the hot path */
    struct injector injector;
    /* Tasks out of the injector (taken, or spawned inside the pool) and not
     * finished, plus the workers' unspent credits. */
    _Alignas(CACHELINE) atomic_size_t pending;
    pthread_mutex_t done_lock;
    pthread_cond_t all_done;
    _Alignas(CACHELINE) atomic_bool shutdown;   /* read-mostly, as the two below */
    unsigned nworkers;
    struct worker *workers;
};

static _Thread_local struct worker *self;
extern const struct scheduler lesson05_parking;     /* at the end of the file */

static struct worker *self_in(struct pool *pool)
{
    return (self != NULL && self->pool == pool) ? self : NULL;
}

/* Is there a task anywhere?  sleep.c's look before parking, and a last
 * searcher's look for more.  relaxed loads: the RMW of state just before
 * them orders them (sleep.c, "the precise argument", points 4 and 5). */
static bool work_visible(void *p)
{
    struct pool *pool = p;
    if (atomic_load_explicit(&pool->injector.len_hint, memory_order_relaxed) != 0)
        return true;
    for (unsigned i = 0; i < pool->nworkers; i++)
        if (deque_len(&pool->workers[i].deque) > 0)
            return true;
    return false;
}

/* ---- copied unchanged from lesson04_chase_lev/chase_lev.c: run_task, settle ---- */
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
/* ---- end of copy ---- */

/* Tasks we took (from the injector, or stolen) onto our own deque, for
 * others to steal in turn; run here if it cannot grow, never dropped. */
static void keep(struct worker *w, struct task *tasks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (deque_push(&w->deque, tasks[i]) != 0)
            run_task(w, tasks[i]);
}

/* Half of the injector's tasks, as in lesson 4 (`wait`: for its lock).  If we
 * leave some there, we call a peer (sleep.c, "a task queued behind others"). */
static bool take_from_injector(struct worker *w, struct task *t, bool wait)
{
    struct pool *pool = w->pool;
    struct task rest[INJECTOR_BATCH - 1];
    size_t left;
    size_t n = injector_take_half(&pool->injector, t, rest, INJECTOR_BATCH, &pool->pending, &left,
                                  wait);
    if (n == 0)
        return false;
    keep(w, rest, n - 1);       /* first, so that the peer can steal them too */
    if (left > 0)
        sleep_new_internal_job(&pool->sleep);
    return true;
}

/* Every other worker once, from a random start, half a deque per steal. */
static bool steal_round(struct worker *w, struct task *t)
{
    struct pool *pool = w->pool;
    struct task rest[STEAL_BATCH - 1];
    unsigned n = pool->nworkers, start = rng_below(&w->rng, n);
    for (unsigned k = 0; k < n; k++) {
        unsigned v = (start + k) % n;
        if (v == w->index)
            continue;
        counter_add(&w->steal_attempts, 1);
        trace_steal_try(v);
        int got;
        enum steal_result res = deque_steal_half(&pool->workers[v].deque, t, rest,
                                                 STEAL_BATCH - 1, STEAL_HALF_FROM, &got);
        if (res == STEAL_OK) {
            trace_steal(v, 1 + got);
            keep(w, rest, (size_t)got);
            counter_add(&w->steals, 1 + (uint64_t)got);
            counter_add(&w->steal_batches, 1);
            return true;
        }
        if (res == STEAL_LOST)
            counter_add(&w->steal_lost, 1);
    }
    return false;
}

/* The three states at the top of the file. */
static void *worker_loop(void *arg)
{
    struct worker *w = arg;
    struct pool *pool = w->pool;
    unsigned rounds = 0;            /* fruitless search rounds in a row */
    bool woken = false;             /* woken, and found nothing yet */
    bool in_sight = false;          /* did not park: saw work it could not get */

    self = w;
    trace_worker(w->index);
    for (;;) {
        struct task t;
        if (deque_take(&w->deque, &t)) {
            run_task(w, t);
            continue;
        }
        settle(w);      /* our own deque is empty: settle before looking elsewhere */
        if (take_from_injector(w, &t, in_sight) || steal_round(w, &t)) {
            if (w->searching)
                sleep_work_found(&pool->sleep, &w->searching, work_visible, pool);
            rounds = 0;
            woken = in_sight = false;
            run_task(w, t);
            continue;
        }
        /* acquire: pairs with the release store in stop_workers, which
         * destroy calls after the last task has finished. */
        if (atomic_load_explicit(&pool->shutdown, memory_order_acquire))
            break;
        if (!w->searching)
            sleep_start_looking(&pool->sleep, &w->searching);
        if (++rounds < SEARCH_ROUNDS) {
            sched_yield();
            continue;
        }
        counter_add(&w->searches_failed, 1);
        rounds = 0;
        if (woken)
            counter_add(&w->wakeups_noop, 1);
        woken = sleep_no_work_found(&pool->sleep, w->index, &w->searching, work_visible, pool);
        if (woken)
            counter_add(&w->unparks, 1);
        /* Not parked: the tasks it saw may be behind a lock whose holder does
         * not run.  The next look waits for it, so as not to spin (injector.h). */
        in_sight = !woken;
    }
    return NULL;
}

/* ---- join ---- */

static void pk_join(void *p, task_fn a, void *a_arg, task_fn b, void *b_arg)
{
    struct pool *pool = p;
    struct worker *w = self_in(pool);
    if (w == NULL) {
        join_from_outside(&lesson05_parking, pool, a, a_arg, b, b_arg);    /* join.h */
        return;
    }
    struct join_job job = { b, b_arg, false };
    if (deque_push(&w->deque, (struct task){ run_join_job, &job }) != 0) {
        a(a_arg);       /* no memory to offer b to thieves: run both here */
        b(b_arg);
        return;
    }
    sleep_new_internal_job(&pool->sleep);  /* b is for the taking, as after a spawn */
    a(a_arg);

    /* Take b back, or, if a thief has it, help until it is done: lesson 4's
     * cl_join explains both, and why not from the injector. */
    struct task t;
    while (deque_take(&w->deque, &t)) {
        if (t.fn == run_join_job && t.arg == &job) {
            b(b_arg);   /* not stolen: the common case, no atomics beyond take */
            return;
        }
        run_task(w, t);
    }
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

/* Workers [0, started) are running: tell them to stop, and join them.
 * Call only once no task is left (destroy waits for that). */
static void stop_workers(struct pool *pool, unsigned started)
{
    /* release: pairs with the acquire load in worker_loop. */
    atomic_store_explicit(&pool->shutdown, true, memory_order_release);
    sleep_wake_all(&pool->sleep, started);
    for (unsigned i = 0; i < started; i++)
        pthread_join(pool->workers[i].thread, NULL);
}

static void free_pool(struct pool *pool, unsigned ndeques)
{
    for (unsigned i = 0; i < ndeques; i++)
        deque_destroy(&pool->workers[i].deque);
    injector_destroy(&pool->injector);
    sleep_destroy(&pool->sleep);
    pthread_cond_destroy(&pool->all_done);
    pthread_mutex_destroy(&pool->done_lock);
    free(pool->workers);
    free(pool);
}

static void *pk_create(unsigned nworkers)
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
    int err = pool->workers == NULL ? ENOMEM : injector_init(&pool->injector);
    if (err == 0) {
        err = sleep_init(&pool->sleep, nworkers);
        if (err != 0)
            injector_destroy(&pool->injector);
    }
    if (err != 0) {
        free(pool->workers);
        free(pool);
        errno = err;
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
        err = pthread_create(&pool->workers[i].thread, NULL, worker_loop, &pool->workers[i]);
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

static int pk_spawn(void *p, task_fn fn, void *arg)
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
        sleep_new_internal_job(&pool->sleep);  /* we are awake: no RMW */
        return 0;
    }

    /* From outside: only a first push calls a worker (sleep.c says why). */
    bool first;
    int err = injector_push(&pool->injector, t, &first);
    if (err != 0 || !first)
        return err;
    sleep_new_external_job(&pool->sleep);
    injector_called(&pool->injector);
    return 0;
}

/* Has every accepted task finished?  Each is still queued or counted in
 * pending (injector.h), so: the injector empty, and only then pending 0.
 * In the other order a task could move between the two looks, unseen. */
static bool all_done(struct pool *pool)
{
    /* acquire: pairs with the release subtractions in settle. */
    return injector_empty(&pool->injector) &&
           atomic_load_explicit(&pool->pending, memory_order_acquire) == 0;
}

/* Sleeps until all_done.  settle() broadcasts whenever pending reaches 0,
 * now also while tasks are still queued: a waiter then wakes, looks, and
 * sleeps again.  None is missed: we hold done_lock from our look on. */
static void wait_all_done(struct pool *pool)
{
    if (all_done(pool))
        return;
    pthread_mutex_lock(&pool->done_lock);
    while (!all_done(pool))
        pthread_cond_wait(&pool->all_done, &pool->done_lock);
    pthread_mutex_unlock(&pool->done_lock);
}

static int pk_wait(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return EINVAL;
    if (self_in(pool) != NULL)
        return EDEADLK;
    wait_all_done(pool);
    return 0;
}

static void pk_destroy(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return;
    /* Under the injector's lock, as in lesson 2: a spawn from outside is
     * queued or refused (close also waits for first pushes still calling a
     * worker).  What is queued, and what it spawns, runs before the stop. */
    injector_close(&pool->injector);
    wait_all_done(pool);
    stop_workers(pool, pool->nworkers);
    free_pool(pool, pool->nworkers);
}

static void pk_stats(void *p, struct sched_stats *out)
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
        out->steal_batches += counter_read(&w->steal_batches);
        out->steal_attempts += counter_read(&w->steal_attempts);
        out->steal_busy += counter_read(&w->steal_lost);
        out->parks += sleep_parks(&pool->sleep, i);       /* in the kernel, not polling */
        out->unparks += counter_read(&w->unparks);
        out->wakeups_noop += counter_read(&w->wakeups_noop);
        out->searches_failed += counter_read(&w->searches_failed);
    }
}

static int pk_current_worker(void *pool)
{
    struct worker *w = self_in(pool);
    return w != NULL ? (int)w->index : -1;
}

const struct scheduler lesson05_parking = {
    .name = "lesson05_parking",
    .create = pk_create,
    .spawn = pk_spawn,
    .wait = pk_wait,
    .destroy = pk_destroy,
    .stats = pk_stats,
    .join = pk_join,
    .current_worker = pk_current_worker,
};
