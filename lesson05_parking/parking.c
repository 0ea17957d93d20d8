/*
 * parking.c: lesson 5, idle workers sleep, and wake precisely.
 *
 * WHAT CHANGED FROM LESSON 4
 * A worker with nothing to do no longer yields and naps in a loop (an idle
 * pool of 2 lesson-4 workers burns a fifth of a core doing that).  It searches
 * for a short while, then parks: it sleeps on its own parker (parker.h)
 * until a spawn wakes it.  A thief steals half of its victim's tasks again
 * (deque_steal_half in deque.h), so a worker that wakes up gets a batch.
 * A spawn from outside into an injector that already holds tasks only
 * queues (injector.h, and "a task queued behind others" below).
 * Everything else, the deques, the injector's queue, join, is lesson 4's.
 *
 * THE THREE STATES OF A WORKER
 *
 *                 found work                       nothing, after a
 *      ┌──────────────────────────┐                few rounds; or too
 *      ▼                          │                many searching
 *   RUNNING ── own deque ──► SEARCHING ───────────────────────► PARKED
 *  (tasks)     empty        (stealing,                        (asleep on
 *      ▲                     injector)                         its parker)
 *      │                          ▲    woken: counted as           │
 *      │                          └──── searching by its waker ────┘
 *      └── a non-searching worker that finds nothing parks at once
 *
 * One atomic word, `state`, counts the awake workers and, among them, the
 * searching ones.  It is what spawn reads to decide whether to wake anyone:
 *   - if a worker is searching, it will find the new task: wake nobody;
 *   - if every worker is awake, one of them will find it: wake nobody;
 *   - otherwise wake one parked worker, and count it as searching at once,
 *     so the next spawn, a moment later, does not wake a second one.
 * At most half the workers search at a time (as in tokio and Go); the
 * others park at once.  When the last searcher finds work it wakes one
 * more, which searches in turn: under load, workers wake one by one until
 * there is enough of them, and no spawn ever wakes a crowd.
 *
 * NO LOST WAKE-UP
 * The danger: a worker looks, finds nothing, and while it goes to sleep an
 * external thread spawns, reads `state` from *before* the worker counted
 * itself out (so "everyone is awake, wake nobody"), and leaves.  The task
 * sits in the injector with every worker asleep.  Both sides therefore end
 * their part with a read-modify-write of `state`:
 *
 *   external spawn                      park
 *   1. queue the task                   1. awake -= 1 in state (acquire RMW)
 *   2. read state with an RMW           2. look at the injector (and the
 *      that adds 0 (release)               deques) once more
 *   3. wake someone if state says so    3. sleep only if 2 found nothing
 *
 * All RMWs of one variable happen in a single order, its modification
 * order.  Take any worker W that the spawner's read counts as awake or
 * searching (it wakes nobody when a worker searches, or when all are
 * awake).  W is awake, so before it sleeps it will park, and its park RMW
 * comes after the spawner's in that order.  Every write to `state` is an
 * RMW (never a plain store), so the spawner's release heads a "release
 * sequence" that runs through every later RMW, and W's acquire RMW reads
 * from it: it synchronizes with the spawner, the queued task happens
 * before W's second look, and W sees it.  If the read counts nobody as
 * searching and not everyone as awake, the workers it does not count are
 * on the idle list (the awake count and the list change together, under
 * idle_lock, so awake + listed == nworkers whenever the lock is free), and
 * the spawner wakes one: it is then counted awake, the case above.  If,
 * under idle_lock, it finds someone searching after all, or nobody
 * listed, it wakes nobody: then some worker began to search, or counted
 * itself awake again, with an RMW after the spawner's in the modification
 * order, and that worker's next park reads from the release sequence too:
 * the case above again.  Either way, someone runs the task.  (A plain load
 * in step 2 would not do: C11 lets the load be served before the task's
 * stores are visible to other threads, and then both sides miss each
 * other.  model/parking.pml shows that interleaving.)
 * A worker that stops searching because it found work needs no such care:
 * it is awake, and will look again before it parks.  Spawns from inside
 * the pool skip step 2's RMW: the spawning worker is awake and will get to
 * its own task, so a stale `state` there costs parallelism for a moment,
 * never a task.
 *
 * A TASK QUEUED BEHIND OTHERS
 * An external spawn that finds tasks already in the injector skips steps
 * 2 and 3: it only queues.  The invariant that makes this safe: while the
 * injector holds a task, some awake worker is still to look at it, or a
 * first push is still to do steps 2 and 3 (injector.h's `callers` counts
 * those).  A first push makes it true, by the argument above.  A push
 * behind other tasks, with no first push still calling, finds it true and
 * keeps it so: the tasks ahead of ours were there when we held the lock,
 * so whoever takes them takes the lock after us, and sees ours behind
 * them.  That worker takes ours too, or leaves it queued, with len_hint
 * saying so; then that worker is the awake one still to look, since it
 * looks at the injector again before it parks (at the latest in park's
 * second look, which reads the len_hint it wrote or a later value; only a
 * take that empties the queue writes 0).  So a burst of external spawns
 * pays for the mutex and nothing else, but for the first one.  (A push
 * made while a first push is still calling is made a first one itself:
 * not for correctness, as the calling spawner will call, but so that its
 * task does not wait for a spawner that was preempted before its call.
 * "Looks again before it parks" can also wait: a worker inside join's
 * help loop looks at no injector until its join is done.  A delay, never
 * a lost task.)
 *
 * Parallelism needs one more rule.  Before, the spawner of the next task
 * would have woken a parked worker; now it calls nobody, so a worker that
 * takes from the injector and leaves tasks there calls a peer itself
 * (wake_one: only if nobody searches and somebody sleeps), as the last
 * searcher does in stop_searching.  Without it, one worker could serve a
 * stream of external tasks alone while another slept, for as long as the
 * injector never emptied.
 *
 * SHUTDOWN
 * destroy() refuses external spawns, waits for the spawns still waking a
 * worker (injector.h's `callers`: they touch the pool after their task may
 * have run),
 * waits (as wait() does) until every task has run, and only then sets
 * `shutdown` and unparks everyone; a worker that finds nothing and sees
 * `shutdown` returns.  Unpark leaves a token, so a worker that was between
 * its check and its sleep still wakes.
 *
 * TRACING
 * The trace_* lines are hooks for `make timeline` (common/trace.h,
 * TRACING.md).  In a normal build they are empty macros and compile to
 * nothing.  A trace's "park" is park_worker's call of park(), its polling
 * phase included.
 */
#include <assert.h>
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
#include "parker.h"
#include "rng.h"
#include "scheduler.h"
#include "trace.h"

#define SPAWN_CREDITS 64
#define STEAL_BATCH 32          /* at most this many tasks per steal */
#ifndef STEAL_HALF_FROM         /* -DSTEAL_HALF_FROM=1: always half (README) */
#define STEAL_HALF_FROM 64      /* ... and only from a deque this long (deque.h) */
#endif
#define SEARCH_ROUNDS 64        /* rounds of stealing before a searcher parks */
#define INJECTOR_BATCH 128      /* at most this many tasks per take from the injector */

/* state: awake workers in the high half, searching ones in the low half. */
#define ONE_SEARCHING 1u
#define ONE_AWAKE (1u << 16)

static unsigned searching(uint32_t state) { return state & 0xffff; }
static unsigned awake(uint32_t state) { return state >> 16; }

struct worker {
    _Alignas(CACHELINE) struct deque deque;     /* aligned inside, three lines */
    struct pool *pool;
    unsigned index;
    pthread_t thread;
    struct rng rng;

    /* Written by this worker and whoever wakes it. */
    _Alignas(CACHELINE) struct parker parker;

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
    struct injector injector;
    /* Tasks out of the injector (taken, or spawned inside the pool) and not
     * finished, plus the workers' unspent credits. */
    _Alignas(CACHELINE) atomic_size_t pending;
    pthread_mutex_t done_lock;
    pthread_cond_t all_done;

    /* Read by every spawn, written when a worker starts or stops searching,
     * parks or wakes: a line of its own. */
    _Alignas(CACHELINE) _Atomic uint32_t state;

    /* The parked workers, roughly newest last (we wake the last: its cache
     * is likely the warmest).  The awake count in state changes only under
     * this lock, together with the list; the searching count does not
     * need it. */
    _Alignas(CACHELINE) pthread_mutex_t idle_lock;
    unsigned idle_count;
    unsigned *idle;             /* idle[0 .. idle_count-1]: worker indices */
    bool *listed;               /* listed[i]: worker i is in idle[] */

    atomic_bool shutdown;
    unsigned nworkers;
    struct worker *workers;
};

static _Thread_local struct worker *self;

static struct worker *self_in(struct pool *pool)
{
    return (self != NULL && self->pool == pool) ? self : NULL;
}

/* ---- waking ---- */

/*
 * Takes one parked worker off the idle list, counts it as awake and
 * searching before it even runs, and unparks it; unless, under the lock,
 * someone is searching after all or nobody is parked.
 */
static void wake_sleeper(struct pool *pool)
{
    pthread_mutex_lock(&pool->idle_lock);
    /* relaxed: the lock orders the awake count and the list; the
     * searching count only has to be no older than the caller's look. */
    uint32_t s = atomic_load_explicit(&pool->state, memory_order_relaxed);
    if (searching(s) != 0 || pool->idle_count == 0) {
        pthread_mutex_unlock(&pool->idle_lock);
        return;             /* another waker got there first */
    }
    unsigned id = pool->idle[--pool->idle_count];
    pool->listed[id] = false;
    /* relaxed: idle_lock orders it with the sleepers' own updates (the
     * woken worker reads its `listed` flag under that lock).  Still an RMW,
     * as every write to state must be: see the top of the file. */
    atomic_fetch_add_explicit(&pool->state, ONE_AWAKE + ONE_SEARCHING, memory_order_relaxed);
    pthread_mutex_unlock(&pool->idle_lock);
    unpark(&pool->workers[id].parker);
}

/*
 * Wakes one parked worker if `s`, the state the caller read, says that
 * nobody is searching and somebody sleeps.  The check is inline and the
 * rest a function of its own (which gcc and clang at -O2 leave out of
 * line): the check runs at every spawn from inside the pool and every
 * join, where a call cost lesson 5 a few percent of lesson 4's speed on
 * `tree`.
 */
static inline void wake_one(struct pool *pool, uint32_t s)
{
    if (searching(s) == 0 && awake(s) < pool->nworkers)
        wake_sleeper(pool);
}

/* destroy(): every worker, parked or not, gets a token. */
static void wake_all(struct pool *pool, unsigned started)
{
    for (unsigned i = 0; i < started; i++)
        unpark(&pool->workers[i].parker);
}

/* ---- searching and parking ---- */

/* At most half the workers (and at least one) search at once. */
static bool start_searching(struct worker *w)
{
    struct pool *pool = w->pool;
    /* relaxed: a first guess; the CAS checks it. */
    uint32_t s = atomic_load_explicit(&pool->state, memory_order_relaxed);
    do {
        if (2 * searching(s) >= pool->nworkers && searching(s) > 0)
            return false;
    } while (!atomic_compare_exchange_weak(&pool->state, &s, s + ONE_SEARCHING));
    w->searching = true;
    return true;
}

/* Is there a task anywhere?  relaxed loads.  A task pushed first into the
 * injector, or onto a deque by a spawn the argument covers: the RMW on
 * state just before these loads (park's, stop_searching's) orders them
 * after its queueing.  A task queued behind others: no RMW orders it, but
 * the worker that must see it is the last to take from the injector, and
 * its own store of len_hint is the oldest value its loads can read (only
 * a take that empties the queue writes 0).  See the top of the file. */
static bool work_visible(struct pool *pool)
{
    if (atomic_load_explicit(&pool->injector.len_hint, memory_order_relaxed) != 0)
        return true;
    for (unsigned i = 0; i < pool->nworkers; i++)
        if (deque_len(&pool->workers[i].deque) > 0)
            return true;
    return false;
}

/*
 * Found work.  If we were the last searcher and there is more work in
 * sight than the task we are about to run, wake one more worker to
 * search: nobody else is looking, and this is how, under load, the workers
 * wake one another until there are enough of them.  For a lone task we
 * wake nobody: a peer would search in vain, and the wake-up would delay
 * the task we hold.  seq_cst (acquire and release would do): a searcher
 * that stopped before us pushed its batch before its own RMW, so our look
 * at the queues, after ours, sees that batch.
 */
static void stop_searching(struct worker *w)
{
    struct pool *pool = w->pool;
    w->searching = false;
    uint32_t before = atomic_fetch_sub(&pool->state, ONE_SEARCHING);
    /* relaxed: wake_sleeper looks again under idle_lock. */
    if (searching(before) == 1 && work_visible(pool))
        wake_one(pool, atomic_load_explicit(&pool->state, memory_order_relaxed));
}

/*
 * Counts ourselves out, looks once more, and parks unless that look found
 * something.  Returns true when we parked and got a token.
 */
static bool park_worker(struct worker *w)
{
    struct pool *pool = w->pool;
    pthread_mutex_lock(&pool->idle_lock);
    pool->idle[pool->idle_count++] = w->index;
    pool->listed[w->index] = true;
    /* acquire: step 1 of park in the argument at the top of the file. */
    uint32_t before = atomic_fetch_sub_explicit(&pool->state,
                                                ONE_AWAKE + (w->searching ? ONE_SEARCHING : 0),
                                                memory_order_acquire);
    /* The counts never drift: we were counted awake, and searching if we
     * think we were.  (A drifted searching count would make every spawn
     * believe someone is looking.) */
    assert(awake(before) >= 1 && searching(before) >= (w->searching ? 1u : 0u));
    pthread_mutex_unlock(&pool->idle_lock);
    w->searching = false;

    bool parked = false;
    if (!work_visible(pool)) {                      /* steps 2 and 3 */
        trace_park();
        park(&w->parker);
        trace_unpark();
        parked = true;
    }

    /* Off the list.  If a waker took us off, it has counted us awake and
     * searching; if not (we did not sleep, or destroy woke us), we count
     * ourselves back in.  A waker that took us off just now, while we were
     * not asleep, still leaves its token: our next park returns at once,
     * one wasted round and nothing worse. */
    pthread_mutex_lock(&pool->idle_lock);
    if (pool->listed[w->index]) {
        pool->listed[w->index] = false;
        for (unsigned i = 0; i < pool->idle_count; i++) {
            if (pool->idle[i] == w->index) {
                pool->idle[i] = pool->idle[--pool->idle_count];
                break;
            }
        }
        /* relaxed: under the lock, as in wake_sleeper. */
        atomic_fetch_add_explicit(&pool->state, ONE_AWAKE, memory_order_relaxed);
    } else {
        w->searching = true;
    }
    pthread_mutex_unlock(&pool->idle_lock);
    if (parked)
        counter_add(&w->unparks, 1);
    return parked;
}

/* ---- join's task (lesson 4) ---- */

/* b of a join, as pushed onto the joiner's deque.  Lives on its stack. */
struct join_job {
    task_fn fn;
    void *arg;
    atomic_bool done;
};

static void run_join_job(void *arg)
{
    struct join_job *job = arg;
    job->fn(job->arg);
    /* release: b's effects happen before the joiner's acquire load of done
     * sees true.  This is our last touch of *job: the joiner may return
     * and its stack frame, with *job in it, disappear right after. */
    atomic_store_explicit(&job->done, true, memory_order_release);
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

/* Moves tasks we took (from the injector, or stolen) onto our own deque,
 * where other workers can steal them in turn.  If our deque cannot grow,
 * the task runs here instead: a task taken out of a queue must not be
 * dropped. */
static void keep(struct worker *w, struct task *tasks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (deque_push(&w->deque, tasks[i]) != 0)
            run_task(w, tasks[i]);
}

/*
 * Half of the injector's tasks, at most INJECTOR_BATCH, if its lock is
 * free: the oldest to run now, the rest kept on our own deque (lesson 4).
 * If we leave tasks in the injector, we call a peer, as a last searcher
 * does: a spawn behind queued tasks calls nobody, so under a steady stream
 * from outside this is how a parked worker learns that one worker is not
 * keeping up.  relaxed: a hint; wake_sleeper looks again under idle_lock.
 */
static bool take_from_injector(struct worker *w, struct task *t)
{
    struct pool *pool = w->pool;
    struct task rest[INJECTOR_BATCH - 1];
    size_t left;
    size_t n = injector_take_half(&pool->injector, t, rest, INJECTOR_BATCH, &pool->pending,
                                  &left);
    if (n == 0)
        return false;
    keep(w, rest, n - 1);       /* first, so that the peer can steal them too */
    if (left > 0)
        wake_one(pool, atomic_load_explicit(&pool->state, memory_order_relaxed));
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
        int got = deque_steal_half(&pool->workers[v].deque, t, rest, STEAL_BATCH - 1,
                                   STEAL_HALF_FROM);
        if (got >= 0) {
            trace_steal(v, 1 + got);
            keep(w, rest, (size_t)got);
            counter_add(&w->steals, 1 + (uint64_t)got);
            counter_add(&w->steal_batches, 1);
            return true;
        }
        if (got == -2)
            counter_add(&w->steal_lost, 1);
    }
    return false;
}

static bool find_work_elsewhere(struct worker *w, struct task *t)
{
    return take_from_injector(w, t) || steal_round(w, t);
}

static void *worker_loop(void *arg)
{
    struct worker *w = arg;
    struct pool *pool = w->pool;
    unsigned rounds = 0;            /* fruitless search rounds in a row */
    bool woken = false;             /* woken, and found nothing yet */

    self = w;
    trace_worker(w->index);
    for (;;) {
        struct task t;
        if (deque_take(&w->deque, &t)) {
            run_task(w, t);
            continue;
        }
        settle(w);      /* our own deque is empty: settle before looking elsewhere */
        if (find_work_elsewhere(w, &t)) {
            if (w->searching)
                stop_searching(w);
            rounds = 0;
            woken = false;
            run_task(w, t);
            continue;
        }
        /* acquire: pairs with the release store in destroy, which comes
         * after the last task has finished. */
        if (atomic_load_explicit(&pool->shutdown, memory_order_acquire))
            break;
        if (w->searching || start_searching(w)) {
            if (++rounds < SEARCH_ROUNDS) {
                sched_yield();
                continue;
            }
            counter_add(&w->searches_failed, 1);
        }
        rounds = 0;
        if (woken)
            counter_add(&w->wakeups_noop, 1);
        woken = park_worker(w);
    }
    return NULL;
}

/* ---- join ---- */

/* join called from a thread that is not one of the pool's workers. */
struct external_join {
    struct pool *pool;
    task_fn a, b;
    void *a_arg, *b_arg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;              /* protected by lock */
};

static void pk_join(void *p, task_fn a, void *a_arg, task_fn b, void *b_arg);

static void external_join_task(void *arg)
{
    struct external_join *ej = arg;
    pk_join(ej->pool, ej->a, ej->a_arg, ej->b, ej->b_arg);
    pthread_mutex_lock(&ej->lock);
    ej->done = true;
    pthread_cond_signal(&ej->cond);
    pthread_mutex_unlock(&ej->lock);
}

static int pk_spawn(void *p, task_fn fn, void *arg);

/*
 * From outside the pool there is no deque to push b onto.  So the whole
 * join is spawned as one task, which joins inside the pool, and the caller
 * sleeps on a condition variable until it is done.  If the pool refuses the
 * task (no memory, or destroy has begun), the caller runs a then b itself.
 * (That task is a real spawn: stats() counts it as spawned and executed.)
 */
static void join_from_outside(struct pool *pool, task_fn a, void *a_arg, task_fn b, void *b_arg)
{
    struct external_join ej = { .pool = pool, .a = a, .a_arg = a_arg, .b = b, .b_arg = b_arg };
    pthread_mutex_init(&ej.lock, NULL);
    pthread_cond_init(&ej.cond, NULL);
    if (pk_spawn(pool, external_join_task, &ej) == 0) {
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

static void pk_join(void *p, task_fn a, void *a_arg, task_fn b, void *b_arg)
{
    struct pool *pool = p;
    struct worker *w = self_in(pool);
    if (w == NULL) {
        join_from_outside(pool, a, a_arg, b, b_arg);
        return;
    }
    struct join_job job = { b, b_arg, false };
    if (deque_push(&w->deque, (struct task){ run_join_job, &job }) != 0) {
        a(a_arg);       /* no memory to offer b to thieves: run both here */
        b(b_arg);
        return;
    }
    /* As after a spawn from inside the pool: b is for the taking; wake a
     * thief if all of them sleep.  relaxed: a hint, as in pk_spawn. */
    wake_one(pool, atomic_load_explicit(&pool->state, memory_order_relaxed));
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
        } else if (++idle_rounds > 64) {
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
    wake_all(pool, started);
    for (unsigned i = 0; i < started; i++)
        pthread_join(pool->workers[i].thread, NULL);
}

static void free_pool(struct pool *pool, unsigned nready)
{
    for (unsigned i = 0; i < nready; i++) {
        deque_destroy(&pool->workers[i].deque);
        parker_destroy(&pool->workers[i].parker);
    }
    injector_destroy(&pool->injector);
    pthread_cond_destroy(&pool->all_done);
    pthread_mutex_destroy(&pool->done_lock);
    pthread_mutex_destroy(&pool->idle_lock);
    free(pool->idle);
    free(pool->listed);
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
    pool->idle = calloc(nworkers, sizeof *pool->idle);
    pool->listed = calloc(nworkers, sizeof *pool->listed);
    if (pool->workers == NULL || pool->idle == NULL || pool->listed == NULL ||
        injector_init(&pool->injector) != 0) {
        free(pool->workers);
        free(pool->idle);
        free(pool->listed);
        free(pool);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&pool->done_lock, NULL);
    pthread_cond_init(&pool->all_done, NULL);
    pthread_mutex_init(&pool->idle_lock, NULL);
    /* Every worker starts awake; each parks when it finds nothing. */
    atomic_init(&pool->state, nworkers * ONE_AWAKE);
    for (unsigned i = 0; i < nworkers; i++) {
        struct worker *w = &pool->workers[i];
        memset(w, 0, sizeof *w);
        w->pool = pool;
        w->index = i;
        rng_seed(&w->rng, i);
        int err = deque_init(&w->deque);
        if (err == 0) {
            err = parker_init(&w->parker);
            if (err != 0)
                deque_destroy(&w->deque);
        }
        if (err != 0) {
            free_pool(pool, i);
            errno = err;
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
        /* No RMW: we are awake and will run this task ourselves if no one
         * steals it.  relaxed: a stale state only delays a helper. */
        wake_one(pool, atomic_load_explicit(&pool->state, memory_order_relaxed));
        return 0;
    }

    /* From outside.  Step 1 of an external spawn (see the top of the
     * file): queue the task.  If it is queued behind others, the worker
     * that takes them will find it, and that is all. */
    bool first;
    int err = injector_push(&pool->injector, t, &first);
    if (err != 0 || !first)
        return err;
    /* Step 2: read state with an RMW.  release: the queued task happens
     * before any parker's acquire RMW that reads this one or a later one. */
    uint32_t s = atomic_fetch_add_explicit(&pool->state, 0, memory_order_release);
    wake_one(pool, s);      /* step 3, if state says so */
    injector_called(&pool->injector);
    return 0;
}

/*
 * Has every accepted task finished?  Each one is either still in the
 * injector or counted in pending (a worker counts what it takes from the
 * injector before it unlocks it), so: the injector empty, and only then
 * pending 0.  In the other order a task could move from the injector into
 * pending between the two looks, and be missed by both.
 */
static bool all_done(struct pool *pool)
{
    /* acquire: pairs with the release subtractions in settle. */
    return injector_empty(&pool->injector) &&
           atomic_load_explicit(&pool->pending, memory_order_acquire) == 0;
}

/*
 * Sleeps until all_done.  settle() broadcasts whenever pending reaches 0.
 * Now that tasks are counted as they leave the injector, pending can reach
 * 0 while tasks are still queued, as often as once per batch taken, and
 * rise again: each time, settle takes done_lock to broadcast, and a waiter
 * that was asleep wakes, looks, and sleeps again.  No broadcast is missed:
 * we hold done_lock from our look until pthread_cond_wait releases it.
 */
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
    /* Under the injector's lock, as in lesson 2: an external spawn either
     * came first and is queued, or comes after and is refused.  Then no
     * new root task can arrive, and the tasks still queued, and what they
     * spawn, run to the end before the workers are stopped.  close also
     * waits for the spawns that are still calling a worker. */
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
        out->parks += counter_read(&w->parker.sleeps);    /* in the kernel, not polling */
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
