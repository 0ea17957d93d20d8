/*
 * deque_test.c: lesson 5's deque (deque.h) on its own.
 *
 * Lesson 4's tests of the Chase-Lev deque, with the thieves now stealing
 * in batches (deque_steal_half): each end's order; an empty deque at index
 * 0; how much a batch steal takes; growth while thieves steal; exactly-once
 * with one owner and three batch-stealing thieves over ten million tasks;
 * and the race for the last task between take and steal.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "deque.h"
#include "rng.h"
#include "test_util.h"

/* ThreadSanitizer runs this code 10 to 20 times slower: fewer tasks there. */
#ifdef DEQUE_TSAN
enum { HAMMER_TASKS = 1000000, LAST_TASK_ROUNDS = 20000 };
#else
enum { HAMMER_TASKS = 10000000, LAST_TASK_ROUNDS = 200000 };
#endif

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
    ck_assert(deque_take(&d, &t));
    ck_assert_msg(no_of(t) == 9, "take got task %lu: the owner takes the newest (9)",
                  (unsigned long)no_of(t));
    ck_assert_int_eq(deque_steal(&d, &t), STEAL_OK);
    ck_assert_msg(no_of(t) == 0, "steal got task %lu: a thief takes the oldest (0)",
                  (unsigned long)no_of(t));
    deque_destroy(&d);
}
END_TEST

/* With bottom == top == 0, take computes b = -1.  Unsigned, that would be
 * the largest index there is, and "top <= b" would say the deque is full. */
START_TEST(empty_at_index_zero)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task t;
    ck_assert(!deque_take(&d, &t));
    ck_assert_int_eq(deque_steal(&d, &t), STEAL_EMPTY);
    ck_assert_int_eq(atomic_load(&d.bottom), 0);
    ck_assert_int_eq(atomic_load(&d.top), 0);
    /* One task: the owner takes it through the last-task CAS. */
    ck_assert_int_eq(deque_push(&d, task_no(5)), 0);
    ck_assert(deque_take(&d, &t));
    ck_assert_uint_eq(no_of(t), 5);
    ck_assert(!deque_take(&d, &t));
    ck_assert_int_eq(deque_steal(&d, &t), STEAL_EMPTY);
    ck_assert_int_eq(deque_len(&d), 0);
    deque_destroy(&d);
}
END_TEST

/* A batch steal takes half, rounded up, oldest first; from a deque
 * shorter than half_from it takes one; never more than 1 + rest_cap. */
START_TEST(steal_half_takes_half)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task first, rest[63];
    for (uintptr_t i = 0; i < 100; i++)
        ck_assert_int_eq(deque_push(&d, task_no(i)), 0);
    int got;
    ck_assert_int_eq(deque_steal_half(&d, &first, rest, 63, 64, &got), STEAL_OK);
    ck_assert_msg(got == 49, "from 100 tasks a steal took %d: want 50 (half)", 1 + got);
    ck_assert_uint_eq(no_of(first), 0);
    for (int i = 0; i < got; i++)
        ck_assert_uint_eq(no_of(rest[i]), (uintptr_t)i + 1);
    ck_assert_int_eq(deque_len(&d), 50);
    ck_assert_int_eq(deque_steal_half(&d, &first, rest, 63, 64, &got), STEAL_OK); /* 50 < 64 */
    ck_assert_msg(got == 0, "from 50 tasks, below half_from = 64, a steal took %d: want 1", 1 + got);
    ck_assert_uint_eq(no_of(first), 50);
    ck_assert_int_eq(deque_steal_half(&d, &first, rest, 7, 1, &got), STEAL_OK); /* capped: 1 + 7 */
    ck_assert_int_eq(got, 7);
    ck_assert_uint_eq(no_of(rest[6]), 58);
    struct task t;
    while (deque_take(&d, &t))
        ;
    ck_assert_int_eq(deque_steal_half(&d, &first, rest, 63, 1, &got), STEAL_EMPTY);
    ck_assert_int_eq(got, 0);
    deque_destroy(&d);
}
END_TEST

START_TEST(growth_keeps_order)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task t;
    uintptr_t next = 0, oldest = 0;
    for (; next < 50; next++)
        ck_assert_int_eq(deque_push(&d, task_no(next)), 0);
    for (; oldest < 40; oldest++) {         /* top moves to 40 */
        ck_assert_int_eq(deque_steal(&d, &t), STEAL_OK);
        ck_assert_uint_eq(no_of(t), oldest);
    }
    for (; next < 50 + 1000; next++)        /* wraps, then grows four times */
        ck_assert_int_eq(deque_push(&d, task_no(next)), 0);
    struct ring *r = atomic_load(&d.ring);
    ck_assert_int_eq(r->mask + 1, 1024);
    while (deque_steal(&d, &t) == STEAL_OK) {
        ck_assert_msg(no_of(t) == oldest, "steal got %lu, want %lu", (unsigned long)no_of(t),
                      (unsigned long)oldest);
        oldest++;
    }
    ck_assert_uint_eq(oldest, next);
    deque_destroy(&d);
}
END_TEST

/* ---- one owner, three thieves ---- */

enum { THIEVES = 3 };

static struct deque shared;
static atomic_uint *ran;
static atomic_bool owner_done;
static atomic_ulong stolen;

static atomic_ulong batches, batched;     /* batch steals, and the tasks they took */

/* Steals half of whatever the deque holds, however short (half_from = 1),
 * so that every steal races the owner over a whole batch. */
static void *thief_main(void *arg)
{
    (void)arg;
    struct task t, rest[31];
    unsigned long mine = 0, my_batches = 0, my_batched = 0;
    for (;;) {
        int got;
        enum steal_result res = deque_steal_half(&shared, &t, rest, 31, 1, &got);
        if (res == STEAL_OK) {      /* relaxed: pthread_join orders it before the check */
            atomic_fetch_add_explicit(&ran[no_of(t)], 1, memory_order_relaxed);
            for (int i = 0; i < got; i++)
                atomic_fetch_add_explicit(&ran[no_of(rest[i])], 1, memory_order_relaxed);
            mine += 1 + (unsigned long)got;
            if (got > 0) {
                my_batches++;
                my_batched += 1 + (unsigned long)got;
            }
        } else if (res == STEAL_EMPTY) {
            if (atomic_load(&owner_done))
                break;  /* the owner has finished and emptied its deque */
            sched_yield();  /* on 2 cores, spinning thieves starve the owner */
        }
    }
    atomic_fetch_add(&stolen, mine);
    atomic_fetch_add(&batches, my_batches);
    atomic_fetch_add(&batched, my_batched);
    return NULL;
}

/* The owner pushes n tasks, taking some back at random, while three thieves
 * steal; then every task must have been taken exactly once. */
static void hammer(size_t n, unsigned take_one_in)
{
    struct runs r;
    runs_init(&r, n);
    ran = r.count;
    ck_assert_int_eq(deque_init(&shared), 0);
    atomic_store(&owner_done, false);
    atomic_store(&stolen, 0);
    atomic_store(&batches, 0);
    atomic_store(&batched, 0);
    pthread_t thieves[THIEVES];
    for (int i = 0; i < THIEVES; i++)
        ck_assert_int_eq(pthread_create(&thieves[i], NULL, thief_main, NULL), 0);

    /* No ck_assert in this loop: a passing Check assertion still records
     * where it was, a system call in fork mode, ten million times. */
    struct rng rng;
    rng_seed(&rng, 7);
    struct task t;
    size_t push_failures = 0;
    for (uintptr_t i = 0; i < n; i++) {
        push_failures += deque_push(&shared, task_no(i)) != 0;
        if (rng_below(&rng, take_one_in) == 0 && deque_take(&shared, &t))  /* relaxed: as above */
            atomic_fetch_add_explicit(&ran[no_of(t)], 1, memory_order_relaxed);
    }
    while (deque_take(&shared, &t))     /* relaxed: as above */
        atomic_fetch_add_explicit(&ran[no_of(t)], 1, memory_order_relaxed);
    atomic_store(&owner_done, true);
    for (int i = 0; i < THIEVES; i++)
        pthread_join(thieves[i], NULL);

    ck_assert_uint_eq(push_failures, 0);
    size_t bad = runs_first_bad(&r);
    ck_assert_msg(bad == n, "task %zu of %zu was taken %u times (want exactly 1); thieves "
                  "stole %lu", bad, n, bad < n ? runs_count(&r, bad) : 0, atomic_load(&stolen));
    ck_assert_msg(atomic_load(&stolen) > 0, "the thieves stole nothing: the test tested nothing");
    ck_assert_msg(atomic_load(&batches) > 0, "no steal took more than one task: no batch was tested");
    fprintf(stderr, "%zu tasks: thieves stole %lu, %lu of them in %lu batches of 2 or more\n", n,
            atomic_load(&stolen), atomic_load(&batched), atomic_load(&batches));
    deque_destroy(&shared);
    runs_free(&r);
}

/* Thieves take most tasks: the deque grows while they steal. */
START_TEST(growth_while_thieves_steal)
{
    hammer(HAMMER_TASKS / 10, 1000);
}
END_TEST

/* The owner takes half back: both ends busy, batches cut short by the
 * owner's takes, many last-task races. */
START_TEST(one_owner_three_batch_thieves_10m)
{
    hammer(HAMMER_TASKS, 2);
}
END_TEST

/* ---- the last task: take against steal ---- */

static atomic_uint round_no;            /* the owner announces each round */
static atomic_uint thief_round;         /* the thief has finished this round */
static atomic_uint *winners;            /* per round: how many took the task */

static void *last_task_thief(void *arg)
{
    (void)arg;
    struct task t;
    for (unsigned r = 1; r <= LAST_TASK_ROUNDS; r++) {
        /* acquire: pairs with the owner's release store of round_no. */
        while (atomic_load_explicit(&round_no, memory_order_acquire) < r)
            ;   /* spin: the race must start at once */
        enum steal_result res;
        do
            res = deque_steal(&shared, &t);
        while (res == STEAL_LOST);
        if (res == STEAL_OK)
            atomic_fetch_add(&winners[no_of(t)], 1);
        /* release: our round's work is done before the owner starts the next. */
        atomic_store_explicit(&thief_round, r, memory_order_release);
    }
    return NULL;
}

START_TEST(last_task_race)
{
    struct runs r;
    runs_init(&r, LAST_TASK_ROUNDS + 1);
    winners = r.count;
    ck_assert_int_eq(deque_init(&shared), 0);
    atomic_store(&round_no, 0);
    atomic_store(&thief_round, 0);
    pthread_t thief;
    ck_assert_int_eq(pthread_create(&thief, NULL, last_task_thief, NULL), 0);
    unsigned owner_won = 0;
    struct task t;
    /* The thief needs a moment to see each new round.  Without a delay the
     * owner would take every last task before the thief arrives; a random
     * delay makes take and steal overlap at every possible offset. */
    struct rng rng;
    rng_seed(&rng, 3);
    size_t push_failures = 0;
    for (unsigned round = 1; round <= LAST_TASK_ROUNDS; round++) {
        push_failures += deque_push(&shared, task_no(round)) != 0;
        /* release: the push happens before the thief, acquiring round_no,
         * starts its steal. */
        atomic_store_explicit(&round_no, round, memory_order_release);
        for (volatile unsigned spin = rng_below(&rng, 3000); spin > 0; spin--)
            ;
        if (deque_take(&shared, &t)) {
            atomic_fetch_add(&winners[no_of(t)], 1);
            owner_won++;
        }
        /* acquire: pairs with the thief's release store of thief_round. */
        while (atomic_load_explicit(&thief_round, memory_order_acquire) < round)
            ;   /* both sides done before the next round */
    }
    pthread_join(thief, NULL);
    ck_assert_uint_eq(push_failures, 0);
    fprintf(stderr, "last_task_race: the owner won %u of %d rounds\n", owner_won, LAST_TASK_ROUNDS);
    atomic_store(&winners[0], 1);           /* there is no round 0 */
    size_t bad = runs_first_bad(&r);
    ck_assert_msg(bad == r.n, "round %zu: the last task was taken %u times (want exactly 1)",
                  bad, bad < r.n ? runs_count(&r, bad) : 0);
    ck_assert_msg(owner_won > LAST_TASK_ROUNDS / 1000 && owner_won < LAST_TASK_ROUNDS - LAST_TASK_ROUNDS / 1000,
                  "the owner won %u of %d rounds: too few real races happened", owner_won,
                  LAST_TASK_ROUNDS);
    deque_destroy(&shared);
    runs_free(&r);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { owner_lifo_thief_fifo, empty_at_index_zero, steal_half_takes_half,
                             growth_keeps_order, growth_while_thieves_steal,
                             one_owner_three_batch_thieves_10m, last_task_race, NULL };
    return run_tests("lesson05_parking: deque", tests);
}
