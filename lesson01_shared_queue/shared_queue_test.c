/*
 * shared_queue_test.c: tests of what is particular to lesson 1.  The contract
 * suite (common/contract_test.c) covers what every scheduler must do; these
 * cover the one property only a single FIFO queue has: on one worker, tasks
 * run in the order they were spawned, even while the ring buffer wraps
 * around its end and grows.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "scheduler.h"
#include "test_util.h"

static const struct scheduler *S;

/* Each task appends its number to `order`; one worker, so no race on next. */
static size_t order[20000];
static atomic_size_t next;

static void record(void *arg)
{
    size_t i = atomic_fetch_add_explicit(&next, 1, memory_order_relaxed);
    if (i < sizeof order / sizeof order[0])
        order[i] = (size_t)(uintptr_t)arg;
}

static void check_in_order(size_t n)
{
    size_t ran = atomic_load(&next);
    ck_assert_uint_eq(ran, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(order[i] == i, "position %zu ran task %zu (want FIFO order)", i, order[i]);
}

START_TEST(fifo_on_one_worker)
{
    void *pool = S->create(1);
    ck_assert_ptr_nonnull(pool);
    atomic_store(&next, 0);
    for (size_t i = 0; i < 10000; i++)
        ck_assert_int_eq(S->spawn(pool, record, (void *)(uintptr_t)i), 0);
    ck_assert_int_eq(S->wait(pool), 0);
    check_in_order(10000);
    S->destroy(pool);
}
END_TEST

/*
 * Make the ring grow while its tasks wrap around the end of the array: the
 * copy must unwrap them in FIFO order.  The one worker is held at gates, so
 * the test, not the timing, decides where the ring's head is when it grows:
 *
 *   1. the worker is held in holder task H(r);
 *   2. spawn m tasks, with holder H(r+1) in the middle of them;
 *   3. open gate r: the worker pops up to H(r+1) and is held again, so the
 *      ring's head is now far from slot 0;
 *   4. spawn 3m more tasks: the ring fills with its contents wrapped around
 *      the end of the array, and grows.
 *
 * With the initial capacity of 256 the first round already grows wrapped;
 * the doubling rounds do the same for larger capacities.
 */
enum { ROUNDS = 5 };
static struct gate gates[ROUNDS + 1];
static atomic_uint held;

static void hold(void *arg)
{
    record(arg);
    unsigned g = atomic_fetch_add(&held, 1);
    gate_wait(&gates[g], 10000);
}

static void spawn_record(void *pool, size_t *id, task_fn fn)
{
    ck_assert_int_eq(S->spawn(pool, fn, (void *)(uintptr_t)*id), 0);
    (*id)++;
}

START_TEST(fifo_across_wrap_and_growth)
{
    void *pool = S->create(1);
    ck_assert_ptr_nonnull(pool);
    atomic_store(&next, 0);
    atomic_store(&held, 0);
    for (int g = 0; g <= ROUNDS; g++)
        atomic_store(&gates[g].open, false);

    size_t id = 0;
    spawn_record(pool, &id, hold);
    ck_assert(counter_wait(&held, 1, 10000));
    for (unsigned r = 0; r < ROUNDS; r++) {
        size_t m = (size_t)100 << r;
        for (size_t k = 0; k < m; k++)
            spawn_record(pool, &id, k == m / 2 ? hold : record);
        gate_open(&gates[r]);
        ck_assert_msg(counter_wait(&held, r + 2, 10000), "round %u: worker never reached its holder", r);
        for (size_t k = 0; k < 3 * m; k++)
            spawn_record(pool, &id, record);
    }
    gate_open(&gates[ROUNDS]);
    ck_assert_int_eq(S->wait(pool), 0);
    check_in_order(id);
    S->destroy(pool);
}
END_TEST

int main(void)
{
    S = sched_find("lesson01_shared_queue");
    const TTest *tests[] = { fifo_on_one_worker, fifo_across_wrap_and_growth, NULL };
    return run_tests("lesson01_shared_queue: FIFO queue", tests);
}
