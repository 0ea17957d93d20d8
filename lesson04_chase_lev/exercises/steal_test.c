/*
 * steal_test.c: grades exercise 1 (exercises/steal.c).
 *
 * The owner uses deque.h's push and take; the thief uses your my_steal().
 * Each round the owner writes a payload, pushes one to three tasks that
 * point at it, and takes them back while the thief steals, both starting at
 * once.  Every task must be taken exactly once, by someone who sees its
 * payload.  (The payload is a plain int: under `make tsan` a steal without
 * its acquire is a data race on it.)
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "exercises.h"
#include "rng.h"
#include "test_util.h"

#ifdef DEQUE_TSAN
enum { ROUNDS = 20000 };
#else
enum { ROUNDS = 300000 };
#endif
enum { PER_ROUND = 3 };

START_TEST(order_and_empty)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task t;
    ck_assert_msg(my_steal(&d, &t) == STEAL_EMPTY, "an empty deque must give STEAL_EMPTY");
    for (uintptr_t i = 0; i < 10; i++)
        ck_assert_int_eq(deque_push(&d, (struct task){ no_op, (void *)i }), 0);
    for (uintptr_t want = 0; want < 3; want++) {
        enum steal_result res = my_steal(&d, &t);
        ck_assert_msg(res == STEAL_OK, "steal %lu returned %d, want STEAL_OK", (unsigned long)want, res);
        ck_assert_msg((uintptr_t)t.arg == want && t.fn == no_op,
                      "steal got task %lu, want %lu: thieves take the oldest",
                      (unsigned long)(uintptr_t)t.arg, (unsigned long)want);
    }
    ck_assert(deque_take(&d, &t));
    ck_assert_uint_eq((uintptr_t)t.arg, 9);
    while (deque_take(&d, &t))
        ;
    ck_assert_msg(my_steal(&d, &t) == STEAL_EMPTY, "after the owner took the rest: STEAL_EMPTY");
    deque_destroy(&d);
}
END_TEST

static struct deque d;
static atomic_uint round_no, thief_done;
static int payload[PER_ROUND + 1];          /* plain: written by the owner before pushing */
static atomic_uint taken[PER_ROUND + 1];
static atomic_ulong stale;

static void got(struct task t, unsigned round)
{
    uintptr_t i = (uintptr_t)t.arg;
    if (i == 0 || i > PER_ROUND || payload[i] != (int)round)
        atomic_fetch_add(&stale, 1);
    else
        atomic_fetch_add(&taken[i], 1);
}

static void *thief(void *arg)
{
    (void)arg;
    struct task t;
    for (unsigned r = 1; r <= ROUNDS; r++) {
        while (atomic_load_explicit(&round_no, memory_order_acquire) < r)
            ;
        enum steal_result res;
        while ((res = my_steal(&d, &t)) != STEAL_EMPTY)
            if (res == STEAL_OK)
                got(t, r);
        atomic_store_explicit(&thief_done, r, memory_order_release);
    }
    return NULL;
}

START_TEST(race_with_the_owner)
{
    ck_assert_int_eq(deque_init(&d), 0);
    atomic_store(&round_no, 0);
    atomic_store(&thief_done, 0);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, thief, NULL), 0);
    struct rng rng;
    rng_seed(&rng, 5);
    unsigned long lost = 0, twice = 0, tasks = 0;
    size_t push_failures = 0;
    struct task t;
    for (unsigned r = 1; r <= ROUNDS; r++) {
        unsigned k = 1 + rng_below(&rng, PER_ROUND);
        for (uintptr_t i = 1; i <= k; i++) {
            atomic_store(&taken[i], 0);
            payload[i] = (int)r;
            push_failures += deque_push(&d, (struct task){ no_op, (void *)i }) != 0;
        }
        atomic_store_explicit(&round_no, r, memory_order_release);
        for (volatile unsigned spin = rng_below(&rng, 3000); spin > 0; spin--)
            ;
        while (deque_take(&d, &t))
            got(t, r);
        while (atomic_load_explicit(&thief_done, memory_order_acquire) < r)
            ;
        for (unsigned i = 1; i <= k; i++) {
            unsigned n = atomic_load(&taken[i]);
            lost += n == 0;
            twice += n > 1;
        }
        tasks += k;
    }
    pthread_join(th, NULL);
    deque_destroy(&d);
    ck_assert_uint_eq(push_failures, 0);
    unsigned long s = atomic_load(&stale);
    ck_assert_msg(lost == 0 && twice == 0 && s == 0,
                  "of %lu tasks: %lu lost, %lu taken twice, %lu taken with a wrong or stale "
                  "payload", tasks, lost, twice, s);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { order_and_empty, race_with_the_owner, NULL };
    return run_tests("lesson04 exercise: steal", tests);
}
