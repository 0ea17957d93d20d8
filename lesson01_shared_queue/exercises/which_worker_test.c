/*
 * which_worker_test.c: grades exercise 1 (exercises/which_worker.c).
 */
#include <check.h>
#include <stdlib.h>

#include "exercises.h"
#include "test_util.h"

enum { TASKS = 100, ROUNDS = 100 };

static const struct scheduler *S;

static void run_round(void *pool, int round)
{
    int ran_on[TASKS];
    for (int i = 0; i < TASKS; i++)
        ran_on[i] = -2;     /* "never written" */
    ck_assert_int_eq(which_worker(S, pool, ran_on, TASKS), 0);

    int count[2] = { 0, 0 };
    for (int i = 0; i < TASKS; i++) {
        ck_assert_msg(ran_on[i] != -2, "round %d: task %d recorded nothing", round, i);
        ck_assert_msg(ran_on[i] == 0 || ran_on[i] == 1,
                      "round %d: task %d says it ran on worker %d (want 0 or 1)",
                      round, i, ran_on[i]);
        count[ran_on[i]]++;
    }
    ck_assert_msg(count[0] > 0 && count[1] > 0,
                  "round %d: worker 0 ran %d tasks and worker 1 ran %d: "
                  "both must run some, every round", round, count[0], count[1]);
}

START_TEST(each_task_records_its_worker)
{
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    run_round(pool, 0);
    S->destroy(pool);
}
END_TEST

START_TEST(both_workers_every_round)
{
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    for (int r = 0; r < ROUNDS; r++)
        run_round(pool, r);
    S->destroy(pool);
}
END_TEST

int main(void)
{
    S = sched_find("lesson01_shared_queue");
    const TTest *tests[] = { each_task_records_its_worker, both_workers_every_round, NULL };
    return run_tests("lesson01 exercise: which_worker", tests);
}
