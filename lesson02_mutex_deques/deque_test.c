/*
 * deque_test.c: lesson 2's deque (deque.h) on its own, without a pool.
 *
 * The contract suite already runs the whole scheduler; these tests pin down
 * the data structure: which end each side uses, wrap-around and growth,
 * why the owner works LIFO (measured), and exactly-once delivery with one
 * owner and three thieves hammering the same deque.
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "deque.h"
#include "rng.h"
#include "test_util.h"

static struct task task_no(uintptr_t i)
{
    return (struct task){ no_op, (void *)i };
}

static uintptr_t no_of(struct task t)
{
    return (uintptr_t)t.arg;
}

START_TEST(owner_lifo_thief_fifo)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    for (uintptr_t i = 0; i < 10; i++)
        ck_assert_int_eq(deque_push(&d, task_no(i)), 0);
    struct task t;
    ck_assert(deque_pop(&d, &t));
    ck_assert_msg(no_of(t) == 9, "pop took task %lu: the owner takes the newest (9)",
                  (unsigned long)no_of(t));
    ck_assert(deque_steal(&d, &t));
    ck_assert_msg(no_of(t) == 0, "steal took task %lu: a thief takes the oldest (0)",
                  (unsigned long)no_of(t));
    deque_destroy(&d);
}
END_TEST

START_TEST(empty_deque)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task t;
    ck_assert(!deque_pop(&d, &t));
    ck_assert(!deque_steal(&d, &t));
    ck_assert_int_eq(deque_push(&d, task_no(7)), 0);
    ck_assert(deque_steal(&d, &t));
    ck_assert(!deque_pop(&d, &t));      /* the one task is gone from both ends */
    ck_assert(!deque_steal(&d, &t));
    deque_destroy(&d);
}
END_TEST

/*
 * Move the head away from slot 0 with steals, then push until the ring is
 * full with its contents wrapped around the end of the array, and beyond, so
 * it grows.  Both ends must still see the right order.
 */
START_TEST(wrap_around_and_growth)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    uintptr_t next = 0, oldest = 0;
    struct task t;
    for (; next < 48; next++)
        ck_assert_int_eq(deque_push(&d, task_no(next)), 0);
    for (; oldest < 40; oldest++) {            /* head is now 40 */
        ck_assert(deque_steal(&d, &t));
        ck_assert_uint_eq(no_of(t), oldest);
    }
    for (; next < 48 + 200; next++)            /* wraps at 64, then grows twice */
        ck_assert_int_eq(deque_push(&d, task_no(next)), 0);
    ck_assert_uint_eq(d.mask + 1, 256);
    ck_assert(deque_pop(&d, &t));
    ck_assert_uint_eq(no_of(t), next - 1);
    next--;
    while (deque_steal(&d, &t)) {
        ck_assert_msg(no_of(t) == oldest, "steal took %lu, want %lu", (unsigned long)no_of(t),
                      (unsigned long)oldest);
        oldest++;
    }
    ck_assert_uint_eq(oldest, next);
    deque_destroy(&d);
}
END_TEST

/*
 * Why the owner works LIFO, measured: unfold a binary tree of depth D on one
 * deque (take a node, push its two children) and record the most tasks the
 * deque ever holds.  Taking the newest (depth-first) keeps about one task
 * per level; taking the oldest (breadth-first) holds a whole level.
 */
static size_t max_len_unfolding(unsigned depth, bool lifo)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    ck_assert_int_eq(deque_push(&d, task_no(depth)), 0);
    size_t most = d.len;
    struct task t;
    while (lifo ? deque_pop(&d, &t) : deque_steal(&d, &t)) {
        if (no_of(t) > 0) {
            ck_assert_int_eq(deque_push(&d, task_no(no_of(t) - 1)), 0);
            ck_assert_int_eq(deque_push(&d, task_no(no_of(t) - 1)), 0);
        }
        if (d.len > most)
            most = d.len;
    }
    deque_destroy(&d);
    return most;
}

START_TEST(lifo_keeps_the_deque_short)
{
    size_t lifo = max_len_unfolding(16, true), fifo = max_len_unfolding(16, false);
    ck_assert_msg(lifo == 17, "LIFO held at most %zu tasks, want depth + 1 = 17", lifo);
    ck_assert_msg(fifo == 65536, "FIFO held at most %zu tasks, want 2^16 = 65536", fifo);
}
END_TEST

/* ---- one owner, three thieves ---- */

enum { HAMMER_TASKS = 250000, THIEVES = 3 };

static struct deque shared;
static atomic_uint *ran;            /* ran[i]: times task i was taken */
static atomic_bool owner_done;

static void *thief_main(void *arg)
{
    (void)arg;
    struct task t;
    for (;;) {
        if (deque_steal(&shared, &t))   /* relaxed: pthread_join orders it before the check */
            atomic_fetch_add_explicit(&ran[no_of(t)], 1, memory_order_relaxed);
        else if (atomic_load(&owner_done))
            return NULL;        /* owner finished and the deque is empty */
    }
}

START_TEST(one_owner_three_thieves)
{
    struct runs r;
    runs_init(&r, HAMMER_TASKS);
    ran = r.count;
    ck_assert_int_eq(deque_init(&shared), 0);
    atomic_store(&owner_done, false);
    pthread_t thieves[THIEVES];
    for (int i = 0; i < THIEVES; i++)
        ck_assert_int_eq(pthread_create(&thieves[i], NULL, thief_main, NULL), 0);

    /* The owner pushes every task and, at random, pops some back, the way
     * a worker interleaves spawning and running. */
    struct rng rng;
    rng_seed(&rng, 42);
    struct task t;
    size_t push_failures = 0;      /* (no ck_assert in the loop: each one is a syscall) */
    for (uintptr_t i = 0; i < HAMMER_TASKS; i++) {
        push_failures += deque_push(&shared, task_no(i)) != 0;
        if (rng_below(&rng, 2) == 0 && deque_pop(&shared, &t))     /* relaxed: as the thieves' */
            atomic_fetch_add_explicit(&ran[no_of(t)], 1, memory_order_relaxed);
    }
    while (deque_pop(&shared, &t))
        atomic_fetch_add_explicit(&ran[no_of(t)], 1, memory_order_relaxed);
    atomic_store(&owner_done, true);
    for (int i = 0; i < THIEVES; i++)
        pthread_join(thieves[i], NULL);

    ck_assert_uint_eq(push_failures, 0);
    size_t bad = runs_first_bad(&r);
    ck_assert_msg(bad == r.n, "task %zu was taken %u times (want exactly 1)", bad,
                  bad < r.n ? runs_count(&r, bad) : 0);
    deque_destroy(&shared);
    runs_free(&r);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { owner_lifo_thief_fifo, empty_deque, wrap_around_and_growth,
                             lifo_keeps_the_deque_short, one_owner_three_thieves, NULL };
    return run_tests("lesson02_mutex_deques: deque", tests);
}
