/*
 * deque_test.c: lesson 3's deque (deque.h) on its own, without a pool:
 * how steal-half splits odd and even deques, one task, none; that a locked
 * victim is skipped, not waited for; and exactly-once delivery with one
 * owner and three thieves that steal half at a time from everybody.
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

/*
 * Victim holds tasks 0 .. n-1; a thief with an empty deque steals half.
 * Checks what it ran, what it kept and in which order, and what is left.
 */
static void check_split(size_t n)
{
    struct deque victim, thief;
    ck_assert_int_eq(deque_init(&victim), 0);
    ck_assert_int_eq(deque_init(&thief), 0);
    for (uintptr_t i = 0; i < n; i++)
        ck_assert_int_eq(deque_push(&victim, task_no(i)), 0);

    struct task t;
    size_t taken;
    enum steal_result res = deque_steal_half(&victim, &thief, &t, &taken);
    size_t want = (n + 1) / 2;
    if (n == 0) {
        ck_assert_int_eq(res, STEAL_EMPTY);
        ck_assert_uint_eq(taken, 0);
    } else {
        ck_assert_int_eq(res, STEAL_OK);
        ck_assert_msg(taken == want, "n=%zu: took %zu tasks, want ceil(n/2) = %zu", n, taken, want);
        ck_assert_msg(no_of(t) == 0, "n=%zu: ran task %lu, want the oldest (0)", n,
                      (unsigned long)no_of(t));
    }
    ck_assert_uint_eq(thief.len, want > 0 ? want - 1 : 0);
    ck_assert_uint_eq(victim.len, n - want);
    /* The thief keeps tasks 1 .. want-1; its owner end gives the newest first. */
    for (uintptr_t i = want - 1; want > 0 && i >= 1; i--) {
        ck_assert(deque_pop(&thief, &t));
        ck_assert_msg(no_of(t) == i, "n=%zu: the thief kept task %lu where %lu belongs", n,
                      (unsigned long)no_of(t), (unsigned long)i);
    }
    deque_destroy(&thief);
    deque_destroy(&victim);
}

START_TEST(split_sizes)
{
    for (size_t n = 0; n <= 9; n++)
        check_split(n);
    check_split(1000);
    check_split(1001);
}
END_TEST

/* The tasks the thief keeps stay oldest-first: its top is the next-oldest. */
START_TEST(kept_tasks_keep_their_order)
{
    struct deque victim, thief;
    ck_assert_int_eq(deque_init(&victim), 0);
    ck_assert_int_eq(deque_init(&thief), 0);
    for (uintptr_t i = 0; i < 9; i++)
        ck_assert_int_eq(deque_push(&victim, task_no(i)), 0);
    struct task t;
    size_t taken;
    ck_assert_int_eq(deque_steal_half(&victim, &thief, &t, &taken), STEAL_OK);
    ck_assert_uint_eq(taken, 5);            /* runs 0, keeps 1 2 3 4, leaves 5 .. 8 */
    for (uintptr_t want = 4; want >= 1; want--) {
        ck_assert(deque_pop(&thief, &t));   /* the thief's owner end: newest first */
        ck_assert_uint_eq(no_of(t), want);
    }
    ck_assert(!deque_pop(&thief, &t));
    for (uintptr_t want = 8; want >= 5; want--) {
        ck_assert(deque_pop(&victim, &t));
        ck_assert_uint_eq(no_of(t), want);
    }
    deque_destroy(&thief);
    deque_destroy(&victim);
}
END_TEST

/* A thief whose deque is not empty appends the batch below its own tasks. */
START_TEST(batch_goes_below_own_tasks)
{
    struct deque victim, thief;
    ck_assert_int_eq(deque_init(&victim), 0);
    ck_assert_int_eq(deque_init(&thief), 0);
    ck_assert_int_eq(deque_push(&thief, task_no(100)), 0);
    for (uintptr_t i = 0; i < 4; i++)
        ck_assert_int_eq(deque_push(&victim, task_no(i)), 0);
    struct task t;
    size_t taken;
    ck_assert_int_eq(deque_steal_half(&victim, &thief, &t, &taken), STEAL_OK);
    ck_assert_uint_eq(taken, 2);
    ck_assert_uint_eq(no_of(t), 0);
    ck_assert(deque_pop(&thief, &t));
    ck_assert_uint_eq(no_of(t), 1);
    ck_assert(deque_pop(&thief, &t));
    ck_assert_uint_eq(no_of(t), 100);
    deque_destroy(&thief);
    deque_destroy(&victim);
}
END_TEST

/* A victim whose lock is held is skipped at once, and no_op is taken. */
START_TEST(locked_victim_is_busy)
{
    struct deque victim, thief;
    ck_assert_int_eq(deque_init(&victim), 0);
    ck_assert_int_eq(deque_init(&thief), 0);
    ck_assert_int_eq(deque_push(&victim, task_no(1)), 0);
    pthread_mutex_lock(&victim.lock);       /* as if its owner were pushing */
    struct task t;
    size_t taken;
    ck_assert_int_eq(deque_steal_half(&victim, &thief, &t, &taken), STEAL_BUSY);
    ck_assert_uint_eq(taken, 0);
    ck_assert_uint_eq(victim.len, 1);
    /* ... and the thief did not keep its own lock. */
    ck_assert_int_eq(pthread_mutex_trylock(&thief.lock), 0);
    pthread_mutex_unlock(&thief.lock);
    pthread_mutex_unlock(&victim.lock);
    deque_destroy(&thief);
    deque_destroy(&victim);
}
END_TEST

/* ---- one owner and three thieves stealing half from everybody ---- */

enum { HAMMER_TASKS = 250000, THIEVES = 3 };

static struct deque deques[1 + THIEVES];    /* [0] is the owner's */
static atomic_uint *ran;
static atomic_bool owner_done;

static void run(struct task t)
{
    atomic_fetch_add_explicit(&ran[no_of(t)], 1, memory_order_relaxed);
}

static void *thief_main(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    struct rng rng;
    rng_seed(&rng, me);
    struct task t;
    size_t taken;
    for (;;) {
        while (deque_pop(&deques[me], &t))
            run(t);
        unsigned victim = rng_below(&rng, 1 + THIEVES);
        if (victim != me && deque_steal_half(&deques[victim], &deques[me], &t, &taken) == STEAL_OK) {
            run(t);
            continue;
        }
        /* Stop once the owner is done and every deque is empty.  A task
         * that another thief has just taken, into its hand or its deque, is
         * that thief's to run, and it does not stop until its own deque is
         * empty: so no task is left behind when the last thief stops. */
        if (atomic_load(&owner_done)) {
            bool all_empty = true;
            for (unsigned d = 0; d <= THIEVES; d++) {
                pthread_mutex_lock(&deques[d].lock);
                all_empty &= deques[d].len == 0;
                pthread_mutex_unlock(&deques[d].lock);
            }
            if (all_empty)
                return NULL;
        }
    }
}

START_TEST(one_owner_three_half_thieves)
{
    struct runs r;
    runs_init(&r, HAMMER_TASKS);
    ran = r.count;
    for (unsigned d = 0; d <= THIEVES; d++)
        ck_assert_int_eq(deque_init(&deques[d]), 0);
    atomic_store(&owner_done, false);
    pthread_t thieves[THIEVES];
    for (unsigned i = 0; i < THIEVES; i++)
        ck_assert_int_eq(pthread_create(&thieves[i], NULL, thief_main, (void *)(uintptr_t)(i + 1)), 0);

    struct rng rng;
    rng_seed(&rng, 42);
    struct task t;
    size_t push_failures = 0;      /* (no ck_assert in the loop: each one is a syscall) */
    for (uintptr_t i = 0; i < HAMMER_TASKS; i++) {
        push_failures += deque_push(&deques[0], task_no(i)) != 0;
        if (rng_below(&rng, 2) == 0 && deque_pop(&deques[0], &t))
            run(t);
    }
    while (deque_pop(&deques[0], &t))
        run(t);
    atomic_store(&owner_done, true);
    for (unsigned i = 0; i < THIEVES; i++)
        pthread_join(thieves[i], NULL);

    ck_assert_uint_eq(push_failures, 0);
    size_t bad = runs_first_bad(&r);
    ck_assert_msg(bad == r.n, "task %zu was taken %u times (want exactly 1)", bad,
                  bad < r.n ? runs_count(&r, bad) : 0);
    for (unsigned d = 0; d <= THIEVES; d++)
        deque_destroy(&deques[d]);
    runs_free(&r);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { split_sizes, kept_tasks_keep_their_order, batch_goes_below_own_tasks,
                             locked_victim_is_busy, one_owner_three_half_thieves, NULL };
    return run_tests("lesson03_trylock_steal: deque", tests);
}
