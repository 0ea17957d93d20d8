/*
 * swap_test.c: grades exercise 2 (exercises/swap.c), and, with
 * SWAP_MEASURE=1 in the environment, measures it against lesson 3's
 * locked deque behind the same table instead of testing.
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lesson03_trylock_steal/deque.h"
#include "clock.h"
#include "pin.h"
#include "swap.h"
#include "test_util.h"

/* ---- lesson 3's deque behind the same table, for the measurement ---- */

static void *lk_create(void)
{
    struct deque *d = malloc(sizeof *d);
    if (d != NULL && deque_init(d) != 0) {
        free(d);
        d = NULL;
    }
    return d;
}

static void lk_destroy(void *d)
{
    deque_destroy(d);
    free(d);
}

static int lk_push(void *d, task_fn fn, void *arg)
{
    return deque_push(d, (struct task){ fn, arg });
}

static bool lk_pop(void *d, task_fn *fn, void **arg)
{
    struct task t;
    if (!deque_pop(d, &t))
        return false;
    *fn = t.fn;
    *arg = t.arg;
    return true;
}

static bool lk_steal(void *d, task_fn *fn, void **arg)
{
    struct deque *q = d;
    pthread_mutex_lock(&q->lock);
    bool found = q->len > 0;
    if (found) {
        struct task t = deque_take_top_locked(q);
        *fn = t.fn;
        *arg = t.arg;
    }
    pthread_mutex_unlock(&q->lock);
    return found;
}

static const struct deque_ops locked_ops = {
    "lesson03 locked", lk_create, lk_destroy, lk_push, lk_pop, lk_steal,
};

/* ---- tests of lockfree_ops ---- */

START_TEST(ends)
{
    const struct deque_ops *ops = &lockfree_ops;
    void *d = ops->create();
    ck_assert_ptr_nonnull(d);
    for (uintptr_t i = 0; i < 10; i++) {
        int rc = ops->push(d, no_op, (void *)i);
        ck_assert_msg(rc == 0, "push returned %d (%s), want 0", rc, strerror(rc));
    }
    task_fn fn;
    void *arg;
    ck_assert_msg(ops->pop(d, &fn, &arg), "pop found no task after 10 pushes");
    ck_assert_msg((uintptr_t)arg == 9 && fn == no_op, "pop got %lu, want the newest, 9",
                  (unsigned long)(uintptr_t)arg);
    ck_assert_msg(ops->steal(d, &fn, &arg), "steal found no task, with 9 in the deque");
    ck_assert_msg((uintptr_t)arg == 0, "steal got %lu, want the oldest, 0",
                  (unsigned long)(uintptr_t)arg);
    while (ops->pop(d, &fn, &arg))
        ;
    ck_assert_msg(!ops->steal(d, &fn, &arg), "steal found a task after pop had taken them all");
    ops->destroy(d);
}
END_TEST

enum { N = 200000 };

static void *shared;
static struct runs r;
static atomic_size_t claimed;           /* tasks stolen so far, counted after steal returns */
static atomic_ulong false_with_work;    /* steal said "empty" while tasks were left */

static void *thief(void *arg)
{
    /* The two thieves on different CPUs; with fewer than two, they rarely
     * race, and a pass says little: say so. */
    if (!pin_to((unsigned)(uintptr_t)arg))
        fprintf(stderr, "swap: could not put the thieves on two CPUs; lost races will be "
                        "rare, and this test tests little here\n");
    task_fn fn;
    void *task_arg;
    while (atomic_load(&claimed) < N) {
        if (lockfree_ops.steal(shared, &fn, &task_arg)) {
            run_once(&r.count[(uintptr_t)task_arg]);
            atomic_fetch_add(&claimed, 1);
        } else if (atomic_load(&claimed) + 2 <= N) {
            /* The other thief may hold one task it has not counted yet;
             * beyond that, at least one task was still in the deque. */
            atomic_fetch_add(&false_with_work, 1);
        }
    }
    return NULL;
}

/* Two thieves drain a deque of N tasks, over and over for up to a second
 * (a lost race needs both running at once, which a busy machine does not
 * always allow), or until one of them is told "empty" with tasks left. */
START_TEST(lost_is_not_empty)
{
    uint64_t end = now_ns() + 1000000000u;
    unsigned long wrong = 0, drains = 0;
    do {
        runs_init(&r, N);
        shared = lockfree_ops.create();
        ck_assert_ptr_nonnull(shared);
        size_t push_failures = 0;
        for (uintptr_t i = 0; i < N; i++)
            push_failures += lockfree_ops.push(shared, no_op, (void *)i) != 0;
        ck_assert_msg(push_failures == 0, "push failed %zu times of %d", push_failures, N);
        atomic_store(&claimed, 0);
        atomic_store(&false_with_work, 0);
        pthread_t thieves[2];
        for (int i = 0; i < 2; i++)
            ck_assert_int_eq(pthread_create(&thieves[i], NULL, thief, (void *)(uintptr_t)i), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(thieves[i], NULL);
        wrong = atomic_load(&false_with_work);
        size_t bad = runs_first_bad(&r);
        ck_assert_msg(bad == N, "task %zu was stolen %u times (want exactly 1)", bad,
                      bad < N ? runs_count(&r, bad) : 0);
        lockfree_ops.destroy(shared);
        runs_free(&r);
        drains++;
    } while (wrong == 0 && now_ns() < end);
    ck_assert_msg(wrong == 0, "steal returned false %lu times while tasks were left (drain %lu "
                  "of a deque of %d tasks by two thieves): a lost race (STEAL_LOST) is not an "
                  "empty deque", wrong, drains, N);
}
END_TEST

/* ---- SWAP_MEASURE=1: the two deques on the same work ---- */

static double owner_only(const struct deque_ops *ops)
{
    enum { PAIRS = 10000000 };
    void *d = ops->create();
    task_fn fn;
    void *arg;
    ops->push(d, no_op, NULL);        /* one spare below: take's fast path */
    uint64_t t0 = now_ns();
    for (long i = 0; i < PAIRS; i++) {
        ops->push(d, no_op, NULL);
        ops->pop(d, &fn, &arg);
    }
    double ns = (double)(now_ns() - t0) / PAIRS;
    ops->destroy(d);
    return ns;
}

static const struct deque_ops *measured;
static atomic_bool owner_done;

static void *measure_thief(void *arg)
{
    unsigned long *stolen = arg;
    task_fn fn;
    void *task_arg;
    while (!atomic_load(&owner_done))
        *stolen += measured->steal(shared, &fn, &task_arg);
    return NULL;
}

/* The owner pushes 2 million tasks and pops half of them back, as a worker
 * does, while one thief steals: ns per task, and how many the thief got. */
static double with_a_thief(const struct deque_ops *ops, unsigned long *stolen)
{
    enum { TASKS = 2000000 };
    measured = ops;
    shared = ops->create();
    atomic_store(&owner_done, false);
    *stolen = 0;
    pthread_t th;
    pthread_create(&th, NULL, measure_thief, stolen);
    task_fn fn;
    void *arg;
    uint64_t t0 = now_ns();
    for (long i = 0; i < TASKS; i++) {
        ops->push(shared, no_op, NULL);
        if (i % 2)
            ops->pop(shared, &fn, &arg);
    }
    while (ops->pop(shared, &fn, &arg))
        ;
    double ns = (double)(now_ns() - t0) / TASKS;
    atomic_store(&owner_done, true);
    pthread_join(th, NULL);
    ops->destroy(shared);
    return ns;
}

static int measure(void)
{
    const struct deque_ops *all[] = { &locked_ops, &lockfree_ops };
    printf("%-20s %22s %24s\n", "", "owner: push + pop", "owner and one thief");
    for (int i = 0; i < 2; i++) {
        unsigned long stolen;
        double alone = owner_only(all[i]);
        double shared_ns = with_a_thief(all[i], &stolen);
        printf("%-20s %19.1f ns %14.1f ns/task (thief got %lu)\n", all[i]->name, alone, shared_ns,
               stolen);
    }
    return 0;
}

int main(void)
{
    if (getenv("SWAP_MEASURE") != NULL)
        return measure();
    const TTest *tests[] = { ends, lost_is_not_empty, NULL };
    return run_tests("lesson04 exercise: swap", tests);
}
