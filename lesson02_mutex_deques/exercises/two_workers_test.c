/*
 * two_workers_test.c: grades the two-worker runtime (exercises/two_workers.c).
 *
 * Each worker's first task waits, for up to 2 seconds, until the other
 * worker has run a task.  Every task starts in worker 0's deque, so worker 1
 * can only get one by stealing: if it never steals, the wait times out,
 * worker 0 runs everything, and the test says so.  And whichever thread the
 * OS starts first, neither can run everything before the other has begun.
 * No luck involved either way.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "clock.h"
#include "exercises.h"
#include "test_util.h"

enum { N = 100 };

static struct runs r;
static atomic_int first_task[2];        /* the first task each worker ran, or -1 */
static atomic_uint ran_by[2];

static void task(void *arg)
{
    int i = (int)(uintptr_t)arg;
    int w = two_workers_self();
    run_once(&r.count[i]);
    if (w != 0 && w != 1)
        return;
    int none = -1;
    bool first = atomic_compare_exchange_strong(&first_task[w], &none, i);
    atomic_fetch_add(&ran_by[w], 1);
    if (first)
        counter_wait(&ran_by[1 - w], 1, 2000);  /* until the other worker has run one */
}

START_TEST(worker_1_steals_the_oldest_task)
{
    runs_init(&r, N);
    atomic_store(&first_task[0], -1);
    atomic_store(&first_task[1], -1);
    atomic_store(&ran_by[0], 0);
    atomic_store(&ran_by[1], 0);
    struct task tasks[N];
    for (int i = 0; i < N; i++)
        tasks[i] = (struct task){ task, (void *)(uintptr_t)i };
    unsigned long ran[2] = { 0, 0 };
    ck_assert_int_eq(run_two_workers(tasks, N, ran), 0);

    size_t bad = runs_first_bad(&r);
    ck_assert_msg(bad == N, "task %zu ran %u times (want exactly 1)", bad,
                  bad < N ? runs_count(&r, bad) : 0);
    ck_assert_msg(ran[0] + ran[1] == N, "the workers report %lu + %lu tasks, want %d in all",
                  ran[0], ran[1], N);
    ck_assert_msg(ran[1] > 0, "worker 1 ran no task (worker 0 ran %lu): it never stole",
                  ran[0]);
    int w0 = atomic_load(&first_task[0]), w1 = atomic_load(&first_task[1]);
    ck_assert_msg(w1 == 0, "worker 1's first task was task %d: a thief takes the oldest "
                  "task (0), from the other end than the owner", w1);
    ck_assert_msg(w0 == N - 1, "worker 0 began with task %d; an owner takes its newest (%d)",
                  w0, N - 1);
    runs_free(&r);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { worker_1_steals_the_oldest_task, NULL };
    return run_tests("lesson02 exercise: two_workers", tests);
}
