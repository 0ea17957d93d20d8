/*
 * contract_test.c: the contract suite.  Every scheduler in sched_all must pass
 * it, so each lesson gets these tests for free the moment it is registered.
 *
 *   build/tests/contract                          every scheduler
 *   build/tests/contract lesson01_shared_queue    just one
 *
 * Each scheduler is one Check suite; each test runs in its own forked process
 * with a timeout, so a deadlock fails one test instead of hanging the run
 * (CK_FORK=no runs them in-process, for gdb and valgrind).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "scheduler.h"
#include "test_util.h"

/* The scheduler under test, set before each suite runs. */
static const struct scheduler *S;

/* Tasks that need the pool find it here (a task gets only one pointer). */
static void *the_pool;

static void *create_or_fail(unsigned n)
{
    void *pool = S->create(n);
    ck_assert_msg(pool != NULL, "create(%u) failed: %s", n, strerror(errno));
    return pool;
}

static void check_exactly_once(const struct runs *r)
{
    size_t bad = runs_first_bad(r);
    ck_assert_msg(bad == r->n, "task %zu of %zu ran %u times (want exactly 1)",
                  bad, r->n, bad < r->n ? runs_count(r, bad) : 0);
}

/* Spawns n counted tasks on a pool of `workers`, waits, checks each ran once. */
static void exactly_once(unsigned workers, size_t n)
{
    void *pool = create_or_fail(workers);
    struct runs r;
    runs_init(&r, n);
    ck_assert_int_eq(spawn_runs(S, pool, &r, 0, n), 0);
    ck_assert_int_eq(S->wait(pool), 0);
    check_exactly_once(&r);

    struct sched_stats st;
    S->stats(pool, &st);
    ck_assert_uint_eq(st.spawned, n);
    ck_assert_uint_eq(st.executed, n);
    S->destroy(pool);
    runs_free(&r);
}

START_TEST(exactly_once_10k) { exactly_once(4, 10000); }
END_TEST

START_TEST(exactly_once_1m) { exactly_once(4, 1000000); }
END_TEST

START_TEST(one_worker) { exactly_once(1, 10000); }
END_TEST

START_TEST(more_workers_than_cores) { exactly_once(64, 100000); }
END_TEST

/* ---- nested spawns: a binary tree of tasks, each spawning two children ---- */

static atomic_uint tree_ran;
static atomic_int tree_spawn_error;

static void tree_task(void *arg)
{
    uintptr_t depth = (uintptr_t)arg;
    /* relaxed: wait() orders every task before the test reads the count. */
    atomic_fetch_add_explicit(&tree_ran, 1, memory_order_relaxed);
    if (depth == 0)
        return;
    for (int child = 0; child < 2; child++) {
        int err = S->spawn(the_pool, tree_task, (void *)(depth - 1));
        if (err != 0)
            atomic_store(&tree_spawn_error, err);
    }
}

static void spawn_tree(unsigned workers, unsigned depth)
{
    the_pool = create_or_fail(workers);
    atomic_store(&tree_ran, 0);
    atomic_store(&tree_spawn_error, 0);
    ck_assert_int_eq(S->spawn(the_pool, tree_task, (void *)(uintptr_t)depth), 0);
    ck_assert_int_eq(S->wait(the_pool), 0);

    unsigned want = (2u << depth) - 1;   /* 2^(depth+1) - 1 nodes */
    int spawn_error = atomic_load(&tree_spawn_error);
    unsigned ran = atomic_load(&tree_ran);
    ck_assert_int_eq(spawn_error, 0);
    ck_assert_uint_eq(ran, want);
    struct sched_stats st;
    S->stats(the_pool, &st);
    ck_assert_uint_eq(st.spawned, want);
    ck_assert_uint_eq(st.executed, want);
    S->destroy(the_pool);
}

START_TEST(nested_tree) { spawn_tree(4, 15); }
END_TEST

START_TEST(nested_tree_one_worker) { spawn_tree(1, 12); }
END_TEST

/* ---- several external threads spawning and waiting at once ---- */

#define EXTERNAL_THREADS 4
#define PER_THREAD 10000

struct spawner {
    pthread_t thread;
    void *pool;
    struct runs *r;
    size_t first;
    int spawn_err, wait_err;
};

static void *spawner_main(void *arg)
{
    struct spawner *sp = arg;
    sp->spawn_err = spawn_runs(S, sp->pool, sp->r, sp->first, PER_THREAD);
    sp->wait_err = S->wait(sp->pool);   /* several waiters at once */
    return NULL;
}

START_TEST(external_threads)
{
    void *pool = create_or_fail(4);
    struct runs r;
    runs_init(&r, EXTERNAL_THREADS * PER_THREAD);
    struct spawner sp[EXTERNAL_THREADS];
    for (int i = 0; i < EXTERNAL_THREADS; i++) {
        sp[i] = (struct spawner){ .pool = pool, .r = &r, .first = (size_t)i * PER_THREAD };
        ck_assert_int_eq(pthread_create(&sp[i].thread, NULL, spawner_main, &sp[i]), 0);
    }
    for (int i = 0; i < EXTERNAL_THREADS; i++) {
        pthread_join(sp[i].thread, NULL);
        ck_assert_int_eq(sp[i].spawn_err, 0);
        ck_assert_int_eq(sp[i].wait_err, 0);
    }
    ck_assert_int_eq(S->wait(pool), 0);
    check_exactly_once(&r);
    S->destroy(pool);
    runs_free(&r);
}
END_TEST

/* ---- wait() is reusable ---- */

START_TEST(spawn_wait_cycles)
{
    enum { CYCLES = 200, PER_CYCLE = 100 };
    void *pool = create_or_fail(4);
    struct runs r;
    runs_init(&r, CYCLES * PER_CYCLE);
    for (size_t c = 0; c < CYCLES; c++) {
        ck_assert_int_eq(spawn_runs(S, pool, &r, c * PER_CYCLE, PER_CYCLE), 0);
        ck_assert_int_eq(S->wait(pool), 0);
        /* After this wait, every task of this cycle has run. */
        for (size_t i = c * PER_CYCLE; i < (c + 1) * PER_CYCLE; i++)
            ck_assert_msg(runs_count(&r, i) == 1, "cycle %zu: task %zu ran %u times",
                          c, i, runs_count(&r, i));
    }
    check_exactly_once(&r);
    S->destroy(pool);
    runs_free(&r);
}
END_TEST

/* wait() on a pool that never had a task returns at once. */
START_TEST(wait_on_idle_pool)
{
    void *pool = create_or_fail(2);
    ck_assert_int_eq(S->wait(pool), 0);
    ck_assert_int_eq(S->wait(pool), 0);
    S->destroy(pool);
}
END_TEST

/* ---- create and destroy ---- */

START_TEST(create_destroy_churn)
{
    enum { ROUNDS = 200 };
    struct runs r;
    runs_init(&r, ROUNDS * 4);
    size_t next = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        void *pool = create_or_fail(1 + i % 8);
        size_t k = i % 5;   /* some pools get no task at all */
        ck_assert_int_eq(spawn_runs(S, pool, &r, next, k), 0);
        next += k;
        S->destroy(pool);   /* without wait(): destroy runs what is queued */
    }
    r.n = next;
    check_exactly_once(&r);
    runs_free(&r);
}
END_TEST

static struct gate slow_gate;

static void wait_at_gate(void *arg)
{
    (void)arg;
    gate_wait(&slow_gate, 10000);
}

/* destroy() runs the tasks still queued; none is dropped. */
START_TEST(destroy_runs_queued_tasks)
{
    enum { N = 10000 };
    void *pool = create_or_fail(1);
    struct runs r;
    runs_init(&r, N);
    /* The only worker is held at the gate, so all N tasks are still queued. */
    atomic_store(&slow_gate.open, false);
    ck_assert_int_eq(S->spawn(pool, wait_at_gate, NULL), 0);
    ck_assert_int_eq(spawn_runs(S, pool, &r, 0, N), 0);
    gate_open(&slow_gate);
    S->destroy(pool);
    check_exactly_once(&r);
    runs_free(&r);
}
END_TEST

/* Tasks that spawn while destroy() drains the pool: their children run too. */
START_TEST(destroy_runs_nested_spawns)
{
    the_pool = create_or_fail(2);
    atomic_store(&tree_ran, 0);
    atomic_store(&tree_spawn_error, 0);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(S->spawn(the_pool, tree_task, (void *)(uintptr_t)8), 0);
    S->destroy(the_pool);
    int spawn_error = atomic_load(&tree_spawn_error);
    unsigned ran = atomic_load(&tree_ran);
    ck_assert_int_eq(spawn_error, 0);
    ck_assert_uint_eq(ran, 8u * ((2u << 8) - 1));
}
END_TEST

/* Once destroy() has begun, spawns from outside the pool are refused. */
struct destroyer {
    pthread_t thread;
    void *pool;
};

static void *destroyer_main(void *arg)
{
    struct destroyer *d = arg;
    S->destroy(d->pool);
    return NULL;
}

START_TEST(spawn_during_destroy_refused)
{
    void *pool = create_or_fail(1);
    struct runs r;
    runs_init(&r, 100000);
    atomic_store(&slow_gate.open, false);
    ck_assert_int_eq(S->spawn(pool, wait_at_gate, NULL), 0);

    /* destroy() cannot finish while the worker is held at the gate, so the
     * pool stays valid for our spawns until we open it. */
    struct destroyer d = { .pool = pool };
    ck_assert_int_eq(pthread_create(&d.thread, NULL, destroyer_main, &d), 0);
    size_t accepted = 0;
    int err = 0;
    uint64_t deadline = now_ns() + 10000000000u;
    while (accepted < r.n && now_ns() < deadline) {
        err = S->spawn(pool, run_once, &r.count[accepted]);
        if (err != 0)
            break;
        accepted++;
        sleep_ms(1);
    }
    ck_assert_msg(err == ECANCELED, "spawn during destroy returned %d (%s), want ECANCELED",
                  err, strerror(err));
    gate_open(&slow_gate);
    pthread_join(d.thread, NULL);
    /* Everything accepted before the refusal ran, exactly once. */
    r.n = accepted;
    check_exactly_once(&r);
    runs_free(&r);
}
END_TEST

/* ---- documented errors ---- */

START_TEST(create_rejects_bad_sizes)
{
    errno = 0;
    ck_assert_ptr_null(S->create(0));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(S->create(SCHED_MAX_WORKERS + 1));
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(null_arguments)
{
    void *pool = create_or_fail(2);
    ck_assert_int_eq(S->spawn(pool, NULL, NULL), EINVAL);
    ck_assert_int_eq(S->spawn(NULL, run_once, NULL), EINVAL);
    ck_assert_int_eq(S->wait(NULL), EINVAL);
    S->destroy(NULL);
    struct sched_stats st;
    memset(&st, 0xff, sizeof st);
    S->stats(NULL, &st);
    ck_assert_uint_eq(st.spawned, 0);
    ck_assert_uint_eq(st.executed, 0);
    /* The refused spawn was not counted. */
    ck_assert_int_eq(S->wait(pool), 0);
    S->stats(pool, &st);
    ck_assert_uint_eq(st.spawned, 0);
    S->destroy(pool);
}
END_TEST

static atomic_int wait_in_task_result;

static void wait_in_task(void *arg)
{
    (void)arg;
    atomic_store(&wait_in_task_result, S->wait(the_pool));
}

START_TEST(wait_inside_task_is_edeadlk)
{
    the_pool = create_or_fail((unsigned)_i);
    atomic_store(&wait_in_task_result, -1);
    ck_assert_int_eq(S->spawn(the_pool, wait_in_task, NULL), 0);
    ck_assert_int_eq(S->wait(the_pool), 0);
    int result = atomic_load(&wait_in_task_result);
    ck_assert_int_eq(result, EDEADLK);
    S->destroy(the_pool);
}
END_TEST

/* ---- current_worker ---- */

static atomic_uint seen_worker[SCHED_MAX_WORKERS + 1];   /* [n] counts "-1 or out of range" */
static unsigned pool_size;

static void note_worker(void *arg)
{
    (void)arg;
    int w = S->current_worker(the_pool);
    unsigned slot = (w >= 0 && (unsigned)w < pool_size) ? (unsigned)w : SCHED_MAX_WORKERS;
    atomic_fetch_add(&seen_worker[slot], 1);
}

START_TEST(current_worker_in_range)
{
    pool_size = 3;
    the_pool = create_or_fail(pool_size);
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++)
        atomic_store(&seen_worker[i], 0);
    ck_assert_int_eq(S->current_worker(the_pool), -1);     /* we are not a worker */
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(S->spawn(the_pool, note_worker, NULL), 0);
    ck_assert_int_eq(S->wait(the_pool), 0);
    unsigned strays = atomic_load(&seen_worker[SCHED_MAX_WORKERS]);
    ck_assert_msg(strays == 0, "%u tasks saw current_worker() outside [0, %u)", strays, pool_size);
    unsigned total = 0;
    for (unsigned i = 0; i < pool_size; i++)
        total += atomic_load(&seen_worker[i]);
    ck_assert_uint_eq(total, 1000);
    S->destroy(the_pool);
}
END_TEST

/* ---- join (lesson04 on) ---- */

struct fib {
    unsigned n;
    uint64_t result;
};

static void fib_task(void *arg)
{
    struct fib *f = arg;
    if (f->n < 2) {
        f->result = f->n;
        return;
    }
    struct fib a = { f->n - 1, 0 }, b = { f->n - 2, 0 };
    S->join(the_pool, fib_task, &a, fib_task, &b);
    f->result = a.result + b.result;
}

START_TEST(join_fib)
{
    the_pool = create_or_fail(4);
    struct fib f = { 25, 0 };
    /* From inside a task ... */
    ck_assert_int_eq(S->spawn(the_pool, fib_task, &f), 0);
    ck_assert_int_eq(S->wait(the_pool), 0);
    ck_assert_uint_eq(f.result, 75025);
    /* ... and from an external thread. */
    struct fib g = { 20, 0 };
    fib_task(&g);
    ck_assert_uint_eq(g.result, 6765);
    S->destroy(the_pool);
}
END_TEST

static Suite *contract_suite(const struct scheduler *s)
{
    Suite *suite = suite_create(s->name);
    TCase *tc = tcase_create("contract");
    tcase_set_timeout(tc, 60);   /* scaled by CK_TIMEOUT_MULTIPLIER under sanitizers */
    tcase_add_test(tc, exactly_once_10k);
    tcase_add_test(tc, exactly_once_1m);
    tcase_add_test(tc, one_worker);
    tcase_add_test(tc, more_workers_than_cores);
    tcase_add_test(tc, nested_tree);
    tcase_add_test(tc, nested_tree_one_worker);
    tcase_add_test(tc, external_threads);
    tcase_add_test(tc, spawn_wait_cycles);
    tcase_add_test(tc, wait_on_idle_pool);
    tcase_add_test(tc, create_destroy_churn);
    tcase_add_test(tc, destroy_runs_queued_tasks);
    tcase_add_test(tc, destroy_runs_nested_spawns);
    tcase_add_test(tc, spawn_during_destroy_refused);
    tcase_add_test(tc, create_rejects_bad_sizes);
    tcase_add_test(tc, null_arguments);
    tcase_add_loop_test(tc, wait_inside_task_is_edeadlk, 1, 3);   /* 1 and 2 workers */
    tcase_add_test(tc, current_worker_in_range);
    if (s->join != NULL)
        tcase_add_test(tc, join_fib);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(int argc, char **argv)
{
    return run_per_scheduler(argc, argv, &S, contract_suite);
}
