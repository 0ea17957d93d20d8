/*
 * lock_order_test.c: grades exercise 2 (exercises/lock_order.c).
 *
 * Four threads, each with a deque of its own, steal single tasks from each
 * other as fast as they can through lock_for_steal() (the solution took
 * 0.057 to 0.063 s on the book's machine, 0.24 to 0.45 s under
 * ThreadSanitizer: [R3] in lesson 3's README).  A deadlock shows as
 * threads that never finish: the test waits at most 5 seconds for them and
 * fails (Check then ends the stuck process) instead of hanging.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "clock.h"
#include "exercises.h"
#include "rng.h"
#include "test_util.h"

enum { THREADS = 4, TASKS_EACH = 100, ROUNDS = 200000 };

static struct deque deques[THREADS];
static atomic_uint finished;
static atomic_int held_after_busy;      /* EBUSY returned with our lock still held */
static atomic_int bad_result;

static void *stealer(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    struct rng rng;
    rng_seed(&rng, me);
    for (int i = 0; i < ROUNDS; i++) {
        unsigned victim = rng_below(&rng, THREADS - 1);
        victim += victim >= me;                         /* anyone but me */
        int err = lock_for_steal(&deques[me], &deques[victim]);
        if (err == 0) {
            if (deques[victim].len > 0)
                deque_push_locked(&deques[me], deque_take_top_locked(&deques[victim]));
            pthread_mutex_unlock(&deques[victim].lock);
            pthread_mutex_unlock(&deques[me].lock);
        } else if (err == EBUSY) {
            /* Error-checking mutexes: locking one we already hold fails
             * at once with EDEADLK, so that means lock_for_steal kept it.
             * Otherwise we get it (perhaps after a thief lets go). */
            if (pthread_mutex_lock(&deques[me].lock) == EDEADLK)
                atomic_store(&held_after_busy, 1);
            else
                pthread_mutex_unlock(&deques[me].lock);
        } else {
            atomic_store(&bad_result, err);
        }
    }
    atomic_fetch_add(&finished, 1);
    return NULL;
}

START_TEST(no_deadlock)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    for (unsigned d = 0; d < THREADS; d++) {
        ck_assert_int_eq(deque_init(&deques[d]), 0);
        pthread_mutex_destroy(&deques[d].lock);
        pthread_mutex_init(&deques[d].lock, &attr);
        for (int i = 0; i < TASKS_EACH; i++)
            ck_assert_int_eq(deque_push(&deques[d], (struct task){ no_op, NULL }), 0);
    }
    atomic_store(&finished, 0);
    pthread_t threads[THREADS];
    pthread_mutexattr_destroy(&attr);
    for (uintptr_t t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&threads[t], NULL, stealer, (void *)t), 0);

    bool done = counter_wait(&finished, THREADS, 5000);
    ck_assert_msg(done, "deadlock: after 5 s, %u of %d threads are stuck, each holding one "
                  "deque's lock and waiting for another's", THREADS - atomic_load(&finished), THREADS);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);

    int err = atomic_load(&bad_result);
    ck_assert_msg(err == 0, "lock_for_steal returned %d; want 0 or EBUSY", err);
    ck_assert_msg(!atomic_load(&held_after_busy), "lock_for_steal returned EBUSY but still "
                  "held the thief's own lock");
    size_t total = 0;
    for (unsigned d = 0; d < THREADS; d++)
        total += deques[d].len;
    ck_assert_msg(total == THREADS * TASKS_EACH, "%zu tasks left in all, want %d: a steal lost "
                  "or duplicated some", total, THREADS * TASKS_EACH);
    for (unsigned d = 0; d < THREADS; d++)
        deque_destroy(&deques[d]);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { no_deadlock, NULL };
    return run_tests("lesson03 exercise: lock_order", tests);
}
