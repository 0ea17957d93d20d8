/*
 * trylock_steal.c: lesson 3, stealing with try-locks, random victims, and
 * half the victim's work at a time.
 *
 * WHAT CHANGED FROM LESSON 2
 * Only how a worker with nothing to do finds work: try_steal(), steal_round()
 * and find_work() below, deque_steal_half() in deque.h, and two counters
 * (steal_batches, steal_busy; steals now counts every task of a batch).
 * steal_attempts and steal_busy count attempts on workers, not the injector.
 * Everything else (the deques, the injector, pending, wait, shutdown) is
 * lesson 2's code, unchanged.
 *
 * DESIGN
 * Lesson 2's pool, with a different way to steal.  Lesson 2's idle worker
 * scanned the other deques in a fixed order and waited on each victim's
 * lock.  Now (find_work, steal_round):
 *
 *   1. victims are chosen at random: each round starts at a random worker
 *      (a per-worker xorshift generator, no shared state) and tries each
 *      other worker once, so thieves spread out instead of all queueing
 *      behind the same victim;
 *   2. a thief never waits for a lock: pthread_mutex_trylock, and if the
 *      victim's deque is locked it moves on to the next victim (a busy lock
 *      means its owner or another thief is already there);
 *   3. a successful thief takes half the victim's tasks, not one
 *      (deque_steal_half in deque.h), from workers and from the injector.
 *
 *      injector ──steal half──┐
 *                             ▼
 *   worker 2 (idle) ──trylock──► worker 0 [locked: skip] ──► worker 3 [steal half]
 *        (random start)
 *
 * Idle workers still back off by yielding and then sleeping 100 µs at a time
 * when there is nothing anywhere; lesson 5 fixes that.
 *
 * COUNTING UNFINISHED TASKS
 * wait() must know when every task, nested ones included, has finished.
 * The obvious way, one shared counter that every spawn adds to and every
 * finished task subtracts from, puts one cache line in the path of every
 * task on every core: a shared queue in disguise.  On the 2-vCPU machine
 * this course was measured on, a tree of 16K tasks ran about three times
 * faster once it was gone (lesson 2's README has the measurements).
 *
 * So `pending` is allowed to overestimate, never to underestimate: it is 0
 * only when every task has finished.  A worker reserves spawn credits in
 * blocks of SPAWN_CREDITS with one atomic add, spends them one per spawn,
 * and counts the tasks it finishes in a plain local variable.  When its own
 * deque runs dry (settle), it subtracts its finished tasks and its unspent
 * credits in one atomic operation.  Spawns from outside the pool add 1
 * each, under the injector's lock.  The worker that takes pending to 0
 * wakes the waiters.
 *
 * The invariant: every value pending takes is at least
 *   (tasks accepted and unfinished) + (unspent credits)
 *                                   + (tasks finished but not settled).
 * A task's +1 comes before anyone can run it (credits are taken before the
 * push, external +1s under the lock that guards the injector), so every
 * subtraction of a finished task follows its addition.  A worker only ever
 * subtracts what it holds: its own unspent credits and tasks it finished.
 * So pending cannot reach 0 while a task is unfinished, and once it is 0
 * nothing is running that could spawn.
 *
 * LOCKS
 * Each deque's lock protects that deque (deque.h).  done_lock protects only
 * the sleeping and waking of wait()ers on all_done.  A steal holds two deque
 * locks, the thief's own and the victim's; deque.h explains the order that
 * makes this deadlock-free (own first, victim only by trylock).
 *
 * TRACING
 * The trace_* lines are hooks for `make timeline` (common/trace.h,
 * TRACING.md).  In a normal build they are empty macros and compile to
 * nothing.  A trace's "park" here is back_off's 100 µs nap.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "cacheline.h"
#include "counter.h"
#include "deque.h"
#include "rng.h"
#include "scheduler.h"
#include "trace.h"

/* Spawn credits a worker reserves at a time: one atomic add per 64 spawns. */
#define SPAWN_CREDITS 64

struct worker {
    /* Touched by the owner and by thieves (through its lock). */
    _Alignas(CACHELINE) struct deque deque;
    struct pool *pool;
    unsigned index;
    pthread_t thread;
    struct rng rng;                 /* picks victims; used by this worker only */

    /* Written by this worker only, read by stats(): a line of their own so
     * that counting does not disturb thieves reading the deque. */
    _Alignas(CACHELINE) struct counter spawned;
    size_t credits;                 /* reserved in pending, not yet spent */
    size_t finished;                /* tasks finished, not yet taken off pending */
    struct counter executed;
    struct counter steals;          /* tasks taken from others */
    struct counter steal_batches;   /* successful steals */
    struct counter steal_attempts;
    struct counter steal_busy;      /* attempts that found the victim locked */
    struct counter parks;
};

/* ---- copied unchanged from lesson02_mutex_deques/mutex_deques.c: struct pool ... settle ---- */
struct pool {
    struct deque injector;          /* spawns from threads that are not workers */
    struct counter injected;        /* written under injector.lock */
    atomic_bool shutdown;           /* written under injector.lock */

    _Alignas(CACHELINE) atomic_size_t pending;  /* accepted and not yet finished */
    pthread_mutex_t done_lock;
    pthread_cond_t all_done;        /* pending reached 0 */

    unsigned nworkers;              /* threads started; fixed once create() returns */
    struct worker *workers;
};

/* The worker the calling thread is, or NULL. */
static _Thread_local struct worker *self;

static struct worker *self_in(struct pool *pool)
{
    return (self != NULL && self->pool == pool) ? self : NULL;
}

/* ---- finding work ---- */

/*
 * Called when our own deque is empty, before looking elsewhere: gives back
 * the unspent credits and the finished tasks in one subtraction.
 * release: the finished tasks' writes (and the executed counts) happen
 * before whatever a wait()er does after it sees pending reach 0 with its
 * acquire load.  Every settle is a release read-modify-write on the same
 * variable, so the waiter that reads the final 0 synchronizes with all of
 * them, not just the last.
 */
static void settle(struct worker *w)
{
    struct pool *pool = w->pool;
    size_t n = w->credits + w->finished;
    if (n == 0)
        return;
    w->credits = 0;
    w->finished = 0;
    /* release: pairs with wait()'s acquire load (the comment above). */
    if (atomic_fetch_sub_explicit(&pool->pending, n, memory_order_release) == n) {
        /* Take the lock before broadcasting: a wait()er that saw pending != 0
         * holds it until it is asleep, so it cannot miss this broadcast. */
        pthread_mutex_lock(&pool->done_lock);
        pthread_cond_broadcast(&pool->all_done);
        pthread_mutex_unlock(&pool->done_lock);
    }
}
/* ---- end of copy ---- */

/* One steal attempt from `victim` into our own deque, counted.  (For the
 * trace hooks: victim is the first member of its struct worker, so the
 * cast gives that worker, and the subtraction its index.) */
static bool try_steal(struct worker *w, struct deque *victim, struct task *t)
{
    size_t taken;
    counter_add(&w->steal_attempts, 1);
    trace_steal_try((struct worker *)victim - w->pool->workers);
    switch (deque_steal_half(victim, &w->deque, t, &taken)) {
    case STEAL_OK:
        counter_add(&w->steals, taken);
        counter_add(&w->steal_batches, 1);
        trace_steal((struct worker *)victim - w->pool->workers, taken);
        return true;
    case STEAL_BUSY:
        counter_add(&w->steal_busy, 1);
        return false;
    case STEAL_EMPTY:
        return false;
    }
    return false;
}

/* Every other worker once, starting at a random one. */
static bool steal_round(struct worker *w, struct task *t)
{
    struct pool *pool = w->pool;
    unsigned n = pool->nworkers;
    unsigned start = rng_below(&w->rng, n);
    for (unsigned k = 0; k < n; k++) {
        unsigned v = (start + k) % n;
        if (v != w->index && try_steal(w, &pool->workers[v].deque, t))
            return true;
    }
    return false;
}

/* Own deque (newest first), then half of the injector, then half of a victim. */
static bool find_work(struct worker *w, struct task *t)
{
    if (deque_pop(&w->deque, t))
        return true;
    settle(w);      /* our own deque is empty: settle before looking elsewhere */
    size_t taken;
    if (deque_steal_half(&w->pool->injector, &w->deque, t, &taken) == STEAL_OK)
        return true;
    return steal_round(w, t);
}

/* ---- copied unchanged from lesson02_mutex_deques/mutex_deques.c: back_off ... free_pool ---- */
/* Nothing found anywhere: yield a few times, then sleep 100 µs at a time. */
static void back_off(struct worker *w, unsigned *idle_rounds)
{
    if (++*idle_rounds <= 64) {
        sched_yield();
        return;
    }
    counter_add(&w->parks, 1);
    struct timespec ts = { 0, 100 * 1000 };
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
        if (find_work(w, &t)) {
            idle_rounds = 0;
            trace_task_start(t.arg);
            t.fn(t.arg);
            trace_task_end(t.arg);
            counter_add(&w->executed, 1);
            w->finished++;
            continue;
        }
        /*
         * Leave once destroy() has begun and nothing is left.  Read shutdown
         * first.  The other order loses tasks: we read pending == 0; the
         * main thread spawns a task (pending = 1) and calls destroy(); we
         * read shutdown == true and leave, and so does every other worker,
         * with the task still queued.  In this order: acquire on shutdown
         * pairs with the release store in stop_workers, which comes after
         * every external spawn's +1 (both under the injector's lock), so
         * the load of pending below sees those additions.  relaxed on
         * pending: we need only the count, not what the tasks wrote
         * (pthread_join orders that for destroy()).
         */
        if (atomic_load_explicit(&pool->shutdown, memory_order_acquire) &&
            atomic_load_explicit(&pool->pending, memory_order_relaxed) == 0)
            break;
        back_off(w, &idle_rounds);
    }
    return NULL;
}

/* ---- the contract (common/scheduler.h) ---- */

/* Stops and joins the first `started` workers: they leave once shutdown is
 * set and pending is 0. */
static void stop_workers(struct pool *pool, unsigned started)
{
    /* Under the injector's lock: an external spawn either got the lock first,
     * and its task is already counted in pending (so no worker leaves before
     * running it), or gets it after, sees shutdown and refuses the task.
     * release: a worker whose acquire load sees shutdown == true also sees
     * every pending increment made before it, under this same lock. */
    pthread_mutex_lock(&pool->injector.lock);
    atomic_store_explicit(&pool->shutdown, true, memory_order_release);
    pthread_mutex_unlock(&pool->injector.lock);
    for (unsigned i = 0; i < started; i++)
        pthread_join(pool->workers[i].thread, NULL);
}

static void free_pool(struct pool *pool, unsigned ndeques)
{
    for (unsigned i = 0; i < ndeques; i++)
        deque_destroy(&pool->workers[i].deque);
    deque_destroy(&pool->injector);
    pthread_cond_destroy(&pool->all_done);
    pthread_mutex_destroy(&pool->done_lock);
    free(pool->workers);
    free(pool);
}
/* ---- end of copy ---- */

static void *ts_create(unsigned nworkers)
{
    if (nworkers == 0 || nworkers > SCHED_MAX_WORKERS) {
        errno = EINVAL;
        return NULL;
    }
    struct pool *pool = aligned_alloc(CACHELINE, sizeof *pool);
    if (pool == NULL)
        return NULL;
    *pool = (struct pool){ 0 };
    pool->workers = aligned_alloc(CACHELINE, nworkers * sizeof *pool->workers);
    if (pool->workers == NULL || deque_init(&pool->injector) != 0) {
        free(pool->workers);
        free(pool);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&pool->done_lock, NULL);
    pthread_cond_init(&pool->all_done, NULL);
    for (unsigned i = 0; i < nworkers; i++) {
        pool->workers[i] = (struct worker){ .pool = pool, .index = i };
        rng_seed(&pool->workers[i].rng, i);
        if (deque_init(&pool->workers[i].deque) != 0) {
            free_pool(pool, i);
            errno = ENOMEM;
            return NULL;
        }
    }
    /* Every deque exists before any worker starts: thieves scan them all. */
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

static int ts_spawn(void *p, task_fn fn, void *arg)
{
    struct pool *pool = p;
    if (pool == NULL || fn == NULL)
        return EINVAL;
    struct task t = { fn, arg };

    struct worker *w = self_in(pool);
    if (w != NULL) {
        /* Count the task before a thief can see it, out of our credits.
         * relaxed: the deque's lock orders this addition before the
         * settle() of whoever runs the task. */
        if (w->credits == 0) {
            atomic_fetch_add_explicit(&pool->pending, SPAWN_CREDITS, memory_order_relaxed);
            w->credits = SPAWN_CREDITS;
        }
        w->credits--;
        int err = deque_push(&w->deque, t);
        if (err != 0) {
            w->credits++;       /* not spawned: the credit is still ours */
            return err;
        }
        counter_add(&w->spawned, 1);
        trace_spawn(arg);
        return 0;
    }

    /* From outside: the injector.  Its lock is held from the shutdown check
     * to the push, so no worker can take the task before it is counted.
     * relaxed load of shutdown: the lock orders it (destroy stores it under
     * this lock too). */
    int err = ECANCELED;
    pthread_mutex_lock(&pool->injector.lock);
    if (!atomic_load_explicit(&pool->shutdown, memory_order_relaxed)) {
        err = deque_push_locked(&pool->injector, t);
        if (err == 0) {
            /* relaxed: the injector's lock orders it before the task's run. */
            atomic_fetch_add_explicit(&pool->pending, 1, memory_order_relaxed);
            counter_add(&pool->injected, 1);
            trace_spawn(arg);
        }
    }
    pthread_mutex_unlock(&pool->injector.lock);
    return err;
}

static int ts_wait(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return EINVAL;
    if (self_in(pool) != NULL)
        return EDEADLK;

    /* acquire: pairs with the release subtractions in settle, so that the
     * tasks' writes are visible to our caller once we return. */
    if (atomic_load_explicit(&pool->pending, memory_order_acquire) == 0)
        return 0;
    pthread_mutex_lock(&pool->done_lock);
    while (atomic_load_explicit(&pool->pending, memory_order_acquire) != 0)
        pthread_cond_wait(&pool->all_done, &pool->done_lock);
    pthread_mutex_unlock(&pool->done_lock);
    return 0;
}

static void ts_destroy(void *p)
{
    struct pool *pool = p;
    if (pool == NULL)
        return;
    stop_workers(pool, pool->nworkers);
    free_pool(pool, pool->nworkers);
}

static void ts_stats(void *p, struct sched_stats *out)
{
    struct pool *pool = p;
    *out = (struct sched_stats){ 0 };
    if (pool == NULL)
        return;
    /* The injector's counter is written under its lock. */
    pthread_mutex_lock(&pool->injector.lock);
    out->spawned = counter_read(&pool->injected);
    pthread_mutex_unlock(&pool->injector.lock);
    for (unsigned i = 0; i < pool->nworkers; i++) {
        struct worker *w = &pool->workers[i];
        out->spawned += counter_read(&w->spawned);
        out->executed += counter_read(&w->executed);
        out->steals += counter_read(&w->steals);
        out->steal_batches += counter_read(&w->steal_batches);
        out->steal_attempts += counter_read(&w->steal_attempts);
        out->steal_busy += counter_read(&w->steal_busy);
        out->parks += counter_read(&w->parks);
    }
}

static int ts_current_worker(void *pool)
{
    struct worker *w = self_in(pool);
    return w != NULL ? (int)w->index : -1;
}

const struct scheduler lesson03_trylock_steal = {
    .name = "lesson03_trylock_steal",
    .create = ts_create,
    .spawn = ts_spawn,
    .wait = ts_wait,
    .destroy = ts_destroy,
    .stats = ts_stats,
    .join = NULL,
    .current_worker = ts_current_worker,
};
