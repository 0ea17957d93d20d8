/*
 * steal_test.c: grades exercise 1 (exercises/steal.c).
 *
 * The owner uses deque.h's push and take; the thief uses your my_steal().
 *
 * race_with_the_owner: each round the owner announces the round, then
 * writes a payload and pushes one to three tasks, and takes them back while
 * the thief steals.  Every task must be taken exactly once, by someone who
 * sees its payload.  The payload is a plain int, and nothing but the
 * steal's own acquire orders it for a task stolen while the owner is still
 * pushing: built with `make exercises SANITIZE=thread`, a steal without
 * that acquire is reported as a data race.
 *
 * slot_reuse: the owner keeps its deque at the ring's full 64 slots, so the
 * moment a thief's CAS moves top past a slot, the owner may write the next
 * task into it.  A steal that reads the slot after its CAS takes that task
 * instead of its own.
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "exercises.h"
#include "rng.h"
#include "test_util.h"

#ifdef DEQUE_TSAN
enum { ROUNDS = 20000, REUSE_TASKS = 200000 };
#else
enum { ROUNDS = 300000, REUSE_TASKS = 2000000 };
#endif
enum { PER_ROUND = 3 };

static const char *result_name(enum steal_result res)
{
    return res == STEAL_OK ? "STEAL_OK" : res == STEAL_EMPTY ? "STEAL_EMPTY" :
           res == STEAL_LOST ? "STEAL_LOST" : "not a steal_result";
}

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
        ck_assert_msg(res == STEAL_OK, "steal %lu returned %s, want STEAL_OK", (unsigned long)want,
                      result_name(res));
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
static atomic_uint round_no, pushed, thief_done;
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
        /* acquire: pairs with the owner's release store of round_no. */
        while (atomic_load_explicit(&round_no, memory_order_acquire) < r)
            ;
        /* Steal until the deque is empty after the owner has pushed. */
        for (;;) {
            enum steal_result res = my_steal(&d, &t);
            if (res == STEAL_OK)
                got(t, r);
            else if (res == STEAL_EMPTY &&
                     atomic_load_explicit(&pushed, memory_order_acquire) >= r)
                break;
        }
        /* release: the round's reads of payload happen before the owner
         * rewrites it (pairs with its acquire load of thief_done). */
        atomic_store_explicit(&thief_done, r, memory_order_release);
    }
    return NULL;
}

START_TEST(race_with_the_owner)
{
    ck_assert_int_eq(deque_init(&d), 0);
    atomic_store(&round_no, 0);
    atomic_store(&pushed, 0);
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
        for (uintptr_t i = 1; i <= k; i++)
            atomic_store(&taken[i], 0);
        /* Announce first, then publish: the payload is ordered for the
         * thief only by push and steal. */
        atomic_store_explicit(&round_no, r, memory_order_release);
        for (uintptr_t i = 1; i <= k; i++) {
            payload[i] = (int)r;
            push_failures += deque_push(&d, (struct task){ no_op, (void *)i }) != 0;
        }
        atomic_store_explicit(&pushed, r, memory_order_release);
        for (volatile unsigned spin = rng_below(&rng, 3000); spin > 0; spin--)
            ;
        while (deque_take(&d, &t))
            got(t, r);
        /* acquire: pairs with the thief's release store of thief_done. */
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

/* ---- slot reuse: the ring always full ---- */

static struct runs reuse;
static atomic_bool reuse_done;

static void *reuse_thief(void *arg)
{
    (void)arg;
    struct task t;
    for (;;) {
        enum steal_result res = my_steal(&d, &t);
        if (res == STEAL_OK)
            run_once(&reuse.count[(uintptr_t)t.arg]);
        else if (res == STEAL_EMPTY && atomic_load(&reuse_done))
            return NULL;
    }
}

START_TEST(slot_reuse)
{
    runs_init(&reuse, REUSE_TASKS);
    ck_assert_int_eq(deque_init(&d), 0);
    atomic_store(&reuse_done, false);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, reuse_thief, NULL), 0);
    struct task t;
    size_t push_failures = 0;
    for (uintptr_t i = 0; i < REUSE_TASKS; i++) {
        /* Keep the deque at 64 tasks, the ring's size: the next push goes
         * into the slot that the last steal has just freed. */
        while (deque_len(&d) >= 64)
            if (deque_take(&d, &t))
                run_once(&reuse.count[(uintptr_t)t.arg]);
        push_failures += deque_push(&d, (struct task){ no_op, (void *)i }) != 0;
    }
    while (deque_take(&d, &t))
        run_once(&reuse.count[(uintptr_t)t.arg]);
    atomic_store(&reuse_done, true);
    pthread_join(th, NULL);
    ck_assert_uint_eq(push_failures, 0);
    int64_t ring_size = atomic_load(&d.ring)->mask + 1;
    size_t bad = runs_first_bad(&reuse);
    ck_assert_msg(bad == REUSE_TASKS, "with every slot reused at once: task %zu was taken %u "
                  "times (want exactly 1); do you read the slot before the CAS that claims it?",
                  bad, bad < REUSE_TASKS ? runs_count(&reuse, bad) : 0);
    ck_assert_msg(ring_size == 64, "the ring grew to %lld slots: the test did not test reuse",
                  (long long)ring_size);
    deque_destroy(&d);
    runs_free(&reuse);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { order_and_empty, race_with_the_owner, slot_reuse, NULL };
    return run_tests("lesson04 exercise: steal", tests);
}
