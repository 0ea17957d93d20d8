/*
 * single_thread_test.c: grades exercise 1 (exercises/single_thread.c).
 *
 * Tasks record what the test can see: how many times each ran, the order
 * they ran in, the thread they ran on, whether they ran before exec_wait.
 * The test also puts its own realloc in ex->realloc_fn: one that counts
 * the calls, one that fails on demand, and one that always moves the array
 * and fills the old one with poison, so that a task read from an array
 * that has since moved is caught instead of running by luck.  No test here
 * times anything: speed is for `make lesson06-compare`.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercises.h"
#include "test_util.h"

static const char *err_name(int err)
{
    static char other[32];
    switch (err) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    default: snprintf(other, sizeof other, "%d", err); return other;
    }
}

/* exec_spawn, which must succeed; `what` says which task, for the message. */
static void must_spawn(struct executor *ex, task_fn fn, void *arg, const char *what)
{
    size_t cap = ex->cap;
    int err = exec_spawn(ex, fn, arg);
    if (err == ENOMEM && cap == 0)
        ck_abort_msg("exec_spawn of %s returned ENOMEM: the array starts with no slots "
                     "(cap 0), so the first spawn must grow it", what);
    if (err == ENOMEM)
        ck_abort_msg("exec_spawn of %s returned ENOMEM with realloc working: the array was "
                     "full (%zu slots), so spawn must grow it", what, cap);
    ck_assert_msg(err == 0, "exec_spawn of %s returned %s, not 0", what, err_name(err));
}

static void spawn_all(struct executor *ex, struct runs *r)
{
    char what[96];
    for (size_t i = 0; i < r->n; i++) {
        snprintf(what, sizeof what, "task %zu of %zu", i, r->n);
        must_spawn(ex, run_once, &r->count[i], what);
    }
}

/* Every task of r ran exactly once; `how` says how they were spawned. */
static void check_runs(const struct runs *r, const char *how)
{
    size_t bad = runs_first_bad(r);
    if (bad == r->n)
        return;
    size_t ran = 0;
    for (size_t i = 0; i < r->n; i++)
        ran += runs_count(r, i) > 0;
    ck_abort_msg("%s: task %zu ran %u times, not once (%zu of %zu tasks ran at all)", how, bad,
                 runs_count(r, bad), ran, r->n);
}

static size_t queued(const struct executor *ex)
{
    return ex->tail - ex->head;
}

START_TEST(ten_thousand_run_once)
{
    struct executor ex;
    exec_init(&ex);
    struct runs r;
    runs_init(&r, 10000);
    spawn_all(&ex, &r);
    ck_assert_msg(queued(&ex) == 10000, "after 10,000 spawns, tail - head is %zu: does spawn "
                  "append the task at the tail?", queued(&ex));
    ck_assert_int_eq(exec_wait(&ex), 0);
    check_runs(&r, "10,000 tasks spawned, then exec_wait");
    ck_assert_msg(queued(&ex) == 0, "after exec_wait, %zu tasks are still queued", queued(&ex));
    exec_destroy(&ex);
    runs_free(&r);
}
END_TEST

/* ---- nothing runs before wait ---- */

struct parent {
    struct executor *ex;
    atomic_uint child_runs;         /* the child's run counter */
    unsigned child_runs_at_spawn;   /* what it was just after the parent spawned it */
};

static void spawn_child_and_look(void *arg)
{
    struct parent *p = arg;
    exec_spawn(p->ex, run_once, &p->child_runs);
    p->child_runs_at_spawn = atomic_load(&p->child_runs);
}

START_TEST(nothing_runs_before_wait)
{
    struct executor ex;
    exec_init(&ex);
    struct runs r;
    runs_init(&r, 100);
    spawn_all(&ex, &r);
    unsigned ran = 0;
    for (size_t i = 0; i < r.n; i++)
        ran += runs_count(&r, i);
    ck_assert_msg(ran == 0, "%u of 100 tasks ran inside exec_spawn, before exec_wait: spawn "
                  "only queues a task, wait runs it", ran);
    ck_assert_int_eq(exec_wait(&ex), 0);
    check_runs(&r, "100 tasks spawned, then exec_wait");

    struct parent p = { &ex, 0, 0 };
    must_spawn(&ex, spawn_child_and_look, &p, "a task that spawns a child");
    ck_assert_int_eq(exec_wait(&ex), 0);
    ck_assert_msg(p.child_runs_at_spawn == 0, "a task spawned from a running task ran inside "
                  "its parent's exec_spawn call: it must wait its turn in the queue");
    ck_assert_msg(atomic_load(&p.child_runs) == 1, "a task spawned from a running task ran %u "
                  "times, not once: exec_wait goes on until the queue is empty, tasks spawned "
                  "meanwhile included", atomic_load(&p.child_runs));
    exec_destroy(&ex);
    runs_free(&r);
}
END_TEST

/* ---- the order ---- */

static struct executor *log_ex;
static char order_log[64];
static size_t order_len;

/* A task named by a letter and a digit ("A1"); arg is its name.  The
 * children of "R" are "A" and "B", those of "A" are "A1" and "A2", that of
 * "B" is "B1": each task spawns its children in that order. */
static void named_task(void *arg)
{
    const char *name = arg;
    if (order_len + 3 < sizeof order_log) {
        if (order_len > 0)
            order_log[order_len++] = ' ';
        for (const char *c = name; *c != '\0'; c++)
            order_log[order_len++] = *c;
        order_log[order_len] = '\0';
    }
    static const char *const children[][3] = {
        { "R", "A", "B" }, { "A", "A1", "A2" }, { "B", "B1", NULL },
    };
    for (size_t i = 0; i < sizeof children / sizeof children[0]; i++)
        if (strcmp(children[i][0], name) == 0)
            for (size_t k = 1; k < 3 && children[i][k] != NULL; k++)
                exec_spawn(log_ex, named_task, (void *)children[i][k]);
}

static size_t ran_order[1000];
static size_t ran_n;

static void log_index(void *arg)
{
    if (ran_n < 1000)
        ran_order[ran_n] = (size_t)(uintptr_t)arg;
    ran_n++;
}

START_TEST(fifo_order)
{
    struct executor ex;
    exec_init(&ex);
    ran_n = 0;
    char what[96];
    for (size_t i = 0; i < 1000; i++) {
        snprintf(what, sizeof what, "task %zu", i);
        must_spawn(&ex, log_index, (void *)(uintptr_t)i, what);
    }
    ck_assert_int_eq(exec_wait(&ex), 0);
    ck_assert_msg(ran_n == 1000, "1,000 tasks spawned, %zu ran", ran_n);
    ck_assert_msg(ran_order[0] != 999, "the first task to run was the last one spawned (task "
                  "999): that is a stack (LIFO); a FIFO runs the oldest first, from head");
    for (size_t i = 0; i < 1000; i++)
        ck_assert_msg(ran_order[i] == i, "the task run %zu-th was task %zu, not task %zu: run "
                      "them in the order they were spawned (FIFO)", i, ran_order[i], i);

    /* Spawned by tasks: behind everything queued before them. */
    log_ex = &ex;
    order_len = 0;
    order_log[0] = '\0';
    must_spawn(&ex, named_task, (void *)"R", "task R");
    ck_assert_int_eq(exec_wait(&ex), 0);
    ck_assert_msg(strcmp(order_log, "R A B A1 A2 B1") == 0, "R spawns A and B, A spawns A1 and "
                  "A2, B spawns B1: they ran as \"%s\", not \"R A B A1 A2 B1\" (FIFO: a task "
                  "spawned by a task waits behind those queued before it)", order_log);
    exec_destroy(&ex);
}
END_TEST

/* ---- tasks spawned by tasks ---- */

/* A realloc that always moves the array, and fills the old one with
 * poison (tasks that only count) and keeps it until the test ends, so that
 * a task read from it is seen and not merely undefined.  Each block has
 * room for POISON_SLOTS tasks, whatever its size, so that a pointer that
 * walks on past the end of a block it kept finds poison there too. */
enum { MAX_BLOCKS = 128, POISON_SLOTS = 16384 };
static struct {
    void *p;
    size_t size;
} live[MAX_BLOCKS], dead[MAX_BLOCKS];
static size_t nlive, ndead;
static atomic_uint poisoned_runs;
static bool too_many_reallocs;

static void poison_task(void *arg)
{
    (void)arg;
    atomic_fetch_add(&poisoned_runs, 1);
}

static void *moving_realloc(void *old, size_t size)
{
    if (nlive == MAX_BLOCKS || ndead == MAX_BLOCKS) {
        too_many_reallocs = true;
        return NULL;
    }
    size_t room = POISON_SLOTS * sizeof(struct exec_task);
    void *p = malloc(size > room ? size : room);
    if (p == NULL)
        return NULL;
    if (old != NULL) {
        size_t i = 0;
        while (i < nlive && live[i].p != old)
            i++;
        ck_assert_msg(i < nlive, "realloc_fn was given a pointer it never returned");
        memcpy(p, old, live[i].size < size ? live[i].size : size);
        struct exec_task *t = old;
        size_t slots = live[i].size / sizeof *t;
        for (size_t k = 0; k < (slots > POISON_SLOTS ? slots : POISON_SLOTS); k++)
            t[k] = (struct exec_task){ poison_task, NULL };
        dead[ndead++] = live[i];
        live[i] = live[--nlive];
    }
    live[nlive].p = p;
    live[nlive].size = size;
    nlive++;
    return p;
}

static void bury_the_dead(void)
{
    for (size_t i = 0; i < ndead; i++)
        free(dead[i].p);
    ndead = nlive = 0;
}

struct spawner {
    struct executor *ex;
    struct runs *r;
    atomic_uint spawn_errors;
};

static void spawn_them_all(void *arg)
{
    struct spawner *s = arg;
    for (size_t i = 0; i < s->r->n; i++)
        if (exec_spawn(s->ex, run_once, &s->r->count[i]) != 0)
            atomic_fetch_add(&s->spawn_errors, 1);
}

struct link {
    struct executor *ex;
    unsigned left;
    atomic_uint ran;
};

static void chain(void *arg)
{
    struct link *l = arg;
    atomic_fetch_add(&l->ran, 1);
    if (l->left > 0) {
        l->left--;
        exec_spawn(l->ex, chain, l);
    }
}

START_TEST(tasks_spawned_by_tasks_run)
{
    struct executor ex;
    exec_init(&ex);
    ex.realloc_fn = moving_realloc;
    atomic_store(&poisoned_runs, 0);
    struct runs r;
    runs_init(&r, 10000);
    struct spawner s = { &ex, &r, 0 };
    must_spawn(&ex, spawn_them_all, &s, "a task that spawns 10,000");
    ck_assert_int_eq(exec_wait(&ex), 0);
    ck_assert_msg(!too_many_reallocs, "10,001 spawns called realloc_fn more than %d times: grow "
                  "the array by doubling it (see grows_by_doubling)", MAX_BLOCKS);
    ck_assert_msg(atomic_load(&poisoned_runs) == 0, "exec_wait ran %u tasks out of an array "
                  "that exec_spawn had since replaced (a spawn from a running task may move "
                  "the array: keep no pointer into ex->tasks across a task's call)",
                  atomic_load(&poisoned_runs));
    ck_assert_msg(atomic_load(&s.spawn_errors) == 0, "%u of 10,000 spawns from a running task "
                  "failed", atomic_load(&s.spawn_errors));
    check_runs(&r, "one task spawned 10,000 tasks, then exec_wait (wait goes on until the "
                   "queue is empty, tasks spawned meanwhile included)");

    struct link l = { &ex, 999, 0 };
    must_spawn(&ex, chain, &l, "the first task of a chain");
    ck_assert_int_eq(exec_wait(&ex), 0);
    ck_assert_msg(atomic_load(&l.ran) == 1000, "a chain of 1,000 tasks, each spawning the next: "
                  "%u ran, after one exec_wait", atomic_load(&l.ran));
    ck_assert_msg(queued(&ex) == 0, "after exec_wait, %zu tasks are still queued", queued(&ex));
    exec_destroy(&ex);
    bury_the_dead();
    runs_free(&r);
}
END_TEST

/* ---- which thread ---- */

static pthread_t ran_on[100];

static void record_thread(void *arg)
{
    ran_on[(uintptr_t)arg] = pthread_self();
}

static void *wait_here(void *arg)
{
    exec_wait(arg);
    return NULL;
}

START_TEST(runs_on_the_calling_thread)
{
    struct executor ex;
    exec_init(&ex);
    for (uintptr_t i = 0; i < 100; i++)
        must_spawn(&ex, record_thread, (void *)i, "a task that records its thread");
    ck_assert_int_eq(exec_wait(&ex), 0);
    for (size_t i = 0; i < 100; i++)
        ck_assert_msg(pthread_equal(ran_on[i], pthread_self()), "task %zu did not run on the "
                      "thread that called exec_wait: the executor has one thread, the caller's",
                      i);

    /* Spawned here, waited for on another thread: they run there. */
    for (uintptr_t i = 0; i < 100; i++)
        must_spawn(&ex, record_thread, (void *)i, "a task that records its thread");
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, wait_here, &ex), 0);
    pthread_join(t, NULL);
    for (size_t i = 0; i < 100; i++)
        ck_assert_msg(pthread_equal(ran_on[i], t), "task %zu did not run on the thread that "
                      "called exec_wait", i);
    exec_destroy(&ex);
}
END_TEST

/* ---- reuse, growth, errors ---- */

START_TEST(reusable_after_wait)
{
    struct executor ex;
    exec_init(&ex);
    ck_assert_msg(exec_wait(&ex) == 0, "exec_wait with nothing queued returned %s",
                  err_name(exec_wait(&ex)));
    struct runs r;
    runs_init(&r, 1000);
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < r.n; i++)
            atomic_store(&r.count[i], 0);
        spawn_all(&ex, &r);
        ck_assert_int_eq(exec_wait(&ex), 0);
        check_runs(&r, "a round of 1,000 tasks and an exec_wait, of 200");
    }
    ck_assert_msg(ex.cap <= 1024, "after 200 rounds of 1,000 tasks the array has %zu slots, "
                  "for at most 1,000 tasks queued at once: once the queue is empty, start it "
                  "over at slot 0", ex.cap);
    exec_destroy(&ex);
    runs_free(&r);
}
END_TEST

static unsigned realloc_calls;

static void *counting_realloc(void *p, size_t size)
{
    realloc_calls++;
    return realloc(p, size);
}

START_TEST(grows_by_doubling)
{
    struct executor ex;
    exec_init(&ex);
    ex.realloc_fn = counting_realloc;
    realloc_calls = 0;
    struct runs r;
    runs_init(&r, 100000);
    spawn_all(&ex, &r);
    ck_assert_msg(realloc_calls > 0, "100,000 spawns and realloc_fn was never called: grow "
                  "the array with ex->realloc_fn");
    ck_assert_msg(realloc_calls <= 20, "100,000 spawns called realloc %u times (doubling from "
                  "%d slots takes 12): each call may copy the whole array, so grow it by a "
                  "factor (double it), not by a fixed number of slots", realloc_calls,
                  EXEC_FIRST_CAP);
    ck_assert_msg(ex.cap >= ex.tail, "cap is %zu with %zu tasks queued", ex.cap, ex.tail);
    ck_assert_int_eq(exec_wait(&ex), 0);
    check_runs(&r, "100,000 tasks spawned, then exec_wait");
    exec_destroy(&ex);
    runs_free(&r);
}
END_TEST

START_TEST(bad_arguments)
{
    struct executor ex;
    exec_init(&ex);
    int err = exec_spawn(&ex, NULL, NULL);
    ck_assert_msg(err == EINVAL, "exec_spawn with a NULL fn returned %s, not EINVAL",
                  err_name(err));
    ck_assert_msg(queued(&ex) == 0, "exec_spawn with a NULL fn queued it");
    err = exec_spawn(NULL, no_op, NULL);
    ck_assert_msg(err == EINVAL, "exec_spawn(NULL, ...) returned %s, not EINVAL", err_name(err));
    err = exec_wait(NULL);
    ck_assert_msg(err == EINVAL, "exec_wait(NULL) returned %s, not EINVAL", err_name(err));
    exec_destroy(NULL);
    exec_destroy(&ex);
}
END_TEST

/* A realloc that works `allowed` more times, then fails until allowed
 * again. */
static int allowed;

static void *failing_realloc(void *p, size_t size)
{
    if (allowed <= 0)
        return NULL;
    allowed--;
    return realloc(p, size);
}

START_TEST(enomem_keeps_accepted_tasks)
{
    struct executor ex;
    exec_init(&ex);
    ex.realloc_fn = failing_realloc;
    struct runs r;
    runs_init(&r, 4096);

    /* The very first growth fails: nothing is queued, nothing breaks. */
    allowed = 0;
    int err = exec_spawn(&ex, run_once, &r.count[0]);
    ck_assert_msg(err == ENOMEM, "the first spawn, with realloc failing, returned %s, not "
                  "ENOMEM", err_name(err));
    ck_assert_msg(ex.cap == 0, "after a failed first growth cap is %zu, not 0: the array did "
                  "not grow (change cap only once realloc has succeeded)", ex.cap);
    ck_assert_msg(ex.tasks == NULL && queued(&ex) == 0, "after a failed first growth, tasks is "
                  "%p and %zu tasks are queued: a refused task is not queued", (void *)ex.tasks,
                  queued(&ex));
    ck_assert_int_eq(exec_wait(&ex), 0);
    ck_assert_msg(runs_count(&r, 0) == 0, "a task refused with ENOMEM ran");

    /* One growth works, then the array is full and the next growth fails. */
    allowed = 1;
    must_spawn(&ex, run_once, &r.count[0], "task 0 (realloc works once)");
    size_t cap = ex.cap;
    ck_assert_msg(cap >= 1 && cap < r.n, "the first growth gave %zu slots", cap);
    struct exec_task *tasks = ex.tasks;
    char what[96];
    for (size_t i = 1; i < cap; i++) {
        snprintf(what, sizeof what, "task %zu of the first %zu slots", i, cap);
        must_spawn(&ex, run_once, &r.count[i], what);
    }
    err = exec_spawn(&ex, run_once, &r.count[cap]);
    ck_assert_msg(err == ENOMEM, "with the array full and realloc failing, exec_spawn returned "
                  "%s, not ENOMEM", err_name(err));
    ck_assert_msg(ex.tasks != NULL, "after a failed growth ex->tasks is NULL: the %zu tasks "
                  "queued before are lost (keep the old array until realloc has succeeded)", cap);
    ck_assert_msg(ex.tasks == tasks, "after a failed growth ex->tasks has changed");
    ck_assert_msg(ex.cap == cap, "after a failed growth cap is %zu, not %zu: the array did not "
                  "grow (change cap only once realloc has succeeded)", ex.cap, cap);
    ck_assert_msg(queued(&ex) == cap, "after a failed spawn, %zu tasks are queued, not %zu",
                  queued(&ex), cap);

    /* Memory is back: spawning works again, and every accepted task runs. */
    allowed = 100;
    must_spawn(&ex, run_once, &r.count[cap], "the refused task, once realloc works again");
    ck_assert_int_eq(exec_wait(&ex), 0);
    for (size_t i = 0; i <= cap; i++)
        ck_assert_msg(runs_count(&r, i) == 1, "task %zu ran %u times, not once (a spawn of "
                      "task %zu had failed with ENOMEM, then succeeded)", i, runs_count(&r, i),
                      cap);
    exec_destroy(&ex);
    runs_free(&r);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { ten_thousand_run_once, nothing_runs_before_wait, fifo_order,
                             tasks_spawned_by_tasks_run, runs_on_the_calling_thread,
                             reusable_after_wait, grows_by_doubling, bad_arguments,
                             enomem_keeps_accepted_tasks, NULL };
    return run_tests("lesson06 exercise: single_thread", tests);
}
