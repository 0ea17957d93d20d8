/*
 * steal_half_test.c: grades exercise 1 (exercises/steal_half.c).
 *
 * First take_half() alone on a pair of deques, then inside a two-worker run:
 * worker 0 owns 50 tasks, worker 1 none, and worker 1 steals with your
 * take_half().  Each worker's first task waits (at most 2 s) until the
 * other has run one, so worker 1 must steal, whatever the timing.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "exercises.h"
#include "test_util.h"

static uintptr_t no_of(struct task t)
{
    return (uintptr_t)t.arg;
}

static void check_split(size_t n)
{
    struct deque victim, into;
    ck_assert_int_eq(deque_init(&victim), 0);
    ck_assert_int_eq(deque_init(&into), 0);
    for (uintptr_t i = 0; i < n; i++)
        ck_assert_int_eq(deque_push(&victim, (struct task){ no_op, (void *)i }), 0);
    struct task t = { NULL, NULL };
    size_t want = (n + 1) / 2;
    size_t got = take_half(&victim, &into, &t);
    ck_assert_msg(got == want, "%zu tasks: took %zu, want half rounded up, %zu", n, got, want);
    if (want > 0)
        ck_assert_msg(t.fn == no_op && no_of(t) == 0,
                      "%zu tasks: *t is task %lu, want the oldest, task 0", n, (unsigned long)no_of(t));
    ck_assert_msg(into.len == (want ? want - 1 : 0), "%zu tasks: the thief kept %zu, want %zu", n,
                  into.len, want ? want - 1 : 0);
    ck_assert_msg(victim.len == n - want, "%zu tasks: the victim has %zu left, want %zu", n,
                  victim.len, n - want);
    /* The thief's deque holds 1 .. want-1, oldest at the top.  (One thread:
     * no lock needed to look.) */
    for (uintptr_t i = 1; i < want; i++) {
        t = deque_take_top_locked(&into);
        ck_assert_msg(no_of(t) == i, "%zu tasks: the thief's deque has task %lu where %lu "
                      "belongs (keep the batch oldest first)", n, (unsigned long)no_of(t),
                      (unsigned long)i);
    }
    deque_destroy(&into);
    deque_destroy(&victim);
}

START_TEST(splits)
{
    const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 49, 50 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check_split(sizes[i]);
}
END_TEST

/* ---- two workers, all work on worker 0 ---- */

enum { N = 50 };

static struct deque deques[2];
static struct runs r;
static atomic_uint ran_by[2];
static atomic_bool first_done[2];
static atomic_size_t remaining;
static _Thread_local int self = -1;
static unsigned long stolen, batches, first_batch;     /* worker 1 only */

static void task(void *arg)
{
    run_once(&r.count[(uintptr_t)arg]);
    atomic_fetch_add(&ran_by[self], 1);
    if (!atomic_exchange(&first_done[self], true))
        counter_wait(&ran_by[1 - self], 1, 2000);     /* until the other has run one */
}

static void *worker(void *arg)
{
    self = (int)(uintptr_t)arg;
    while (atomic_load(&remaining) > 0) {
        struct task t;
        bool found = deque_pop(&deques[self], &t);
        if (!found && self == 1) {
            pthread_mutex_lock(&deques[1].lock);
            pthread_mutex_lock(&deques[0].lock);    /* fine here: only worker 1 steals */
            size_t n = take_half(&deques[0], &deques[1], &t);
            pthread_mutex_unlock(&deques[0].lock);
            pthread_mutex_unlock(&deques[1].lock);
            if (n > 0) {
                found = true;
                stolen += n;
                if (batches++ == 0)
                    first_batch = n;
            }
        }
        if (found) {
            t.fn(t.arg);
            atomic_fetch_sub(&remaining, 1);
        } else {
            sched_yield();
        }
    }
    return NULL;
}

START_TEST(worker_1_steals_in_batches)
{
    runs_init(&r, N);
    for (int w = 0; w < 2; w++) {
        ck_assert_int_eq(deque_init(&deques[w]), 0);
        atomic_store(&ran_by[w], 0);
        atomic_store(&first_done[w], false);
    }
    for (uintptr_t i = 0; i < N; i++)
        ck_assert_int_eq(deque_push(&deques[0], (struct task){ task, (void *)i }), 0);
    atomic_store(&remaining, N);
    stolen = batches = first_batch = 0;
    pthread_t threads[2];
    for (uintptr_t w = 0; w < 2; w++)
        ck_assert_int_eq(pthread_create(&threads[w], NULL, worker, (void *)w), 0);
    for (int w = 0; w < 2; w++)
        pthread_join(threads[w], NULL);

    size_t bad = runs_first_bad(&r);
    ck_assert_msg(bad == N, "task %zu ran %u times (want exactly 1)", bad,
                  bad < N ? runs_count(&r, bad) : 0);
    ck_assert_msg(atomic_load(&ran_by[1]) > 0, "worker 1 ran no task: take_half gave it none");
    ck_assert_msg(first_batch == 25, "worker 1's first steal took %lu tasks; with 49 or 50 "
                  "tasks on worker 0, half rounded up is 25", first_batch);
    ck_assert_msg(batches < stolen, "worker 1 stole %lu tasks in %lu steals: one at a time, "
                  "not in batches", stolen, batches);
    for (int w = 0; w < 2; w++)
        deque_destroy(&deques[w]);
    runs_free(&r);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { splits, worker_1_steals_in_batches, NULL };
    return run_tests("lesson03 exercise: steal_half", tests);
}
