/*
 * parallel_for_test.c: grades exercise 2 (exercises/parallel_for.c).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "exercises.h"
#include "test_util.h"

static const struct scheduler *S;

static void count_index(size_t i, void *ctx)
{
    run_once(&((atomic_uint *)ctx)[i]);
}

/* Runs parallel_for over n indices and checks calls and task count. */
static void check_loop(void *pool, size_t n, size_t grain)
{
    struct runs r;
    runs_init(&r, n);
    struct sched_stats before, after;
    S->stats(pool, &before);
    ck_assert_int_eq(parallel_for(S, pool, n, grain, count_index, r.count), 0);
    S->stats(pool, &after);

    size_t bad = runs_first_bad(&r);
    ck_assert_msg(bad == n, "n=%zu grain=%zu: body(%zu) was called %u times (want 1)",
                  n, grain, bad, bad < n ? runs_count(&r, bad) : 0);
    uint64_t want = n / grain + (n % grain != 0);
    uint64_t tasks = after.spawned - before.spawned;
    ck_assert_msg(tasks == want, "n=%zu grain=%zu: %llu tasks spawned (want %llu)",
                  n, grain, (unsigned long long)tasks, (unsigned long long)want);
    runs_free(&r);
}

START_TEST(every_index_once)
{
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    const size_t sizes[] = { 1, 7, 1000, 1001, 100000 };
    const size_t grains[] = { 1, 3, 64, 1000 };
    for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++)
        for (size_t b = 0; b < sizeof grains / sizeof *grains; b++)
            check_loop(pool, sizes[a], grains[b]);
    S->destroy(pool);
}
END_TEST

START_TEST(edges)
{
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    check_loop(pool, 0, 10);            /* nothing to do: no task */
    check_loop(pool, 5, 100);           /* grain > n: one task */
    check_loop(pool, 5, SIZE_MAX);      /* and no overflow doing so */
    check_loop(pool, 100, 100);         /* exactly one full task */
    S->destroy(pool);
}
END_TEST

START_TEST(bad_arguments)
{
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    atomic_uint calls[4] = { 0 };
    int err = parallel_for(S, pool, 4, 0, count_index, calls);
    ck_assert_msg(err == EINVAL, "grain 0 returned %d, want EINVAL (%d)", err, EINVAL);
    err = parallel_for(S, pool, 4, 1, NULL, calls);
    ck_assert_msg(err == EINVAL, "a NULL body returned %d, want EINVAL (%d)", err, EINVAL);
    S->wait(pool);
    struct sched_stats st;
    S->stats(pool, &st);
    ck_assert_msg(st.spawned == 0, "a refused call spawned %llu tasks",
                  (unsigned long long)st.spawned);
    unsigned total = calls[0] + calls[1] + calls[2] + calls[3];
    ck_assert_uint_eq(total, 0);
    S->destroy(pool);
}
END_TEST

int main(void)
{
    S = sched_find("lesson01_shared_queue");
    const TTest *tests[] = { every_index_once, edges, bad_arguments, NULL };
    return run_tests("lesson01 exercise: parallel_for", tests);
}
