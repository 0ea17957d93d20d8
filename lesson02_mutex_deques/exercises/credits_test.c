/*
 * credits_test.c: grades exercise 2 (exercises/credits.c).
 *
 * A small pool, built here from this lesson's deques: each worker pops its
 * own deque, calls on_idle when it is empty, then steals from the others,
 * and stops once the shared count is 0.  A task spawns two children down to
 * a depth, calling on_spawn before each push and on_finish after it ran.
 * The test keeps the true number of unfinished tasks beside your count,
 * under one lock, and checks on every pending_sub that yours is not lower.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "clock.h"
#include "exercises.h"
#include "test_util.h"

enum { DEPTH = 14, TASKS = (2 << DEPTH) - 1, MAX_WORKERS = 4 };

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static long pending;            /* yours, under check_lock */
static long unfinished;         /* the truth, under check_lock */
static long touches;            /* calls of pending_add and pending_sub */
static long too_low;            /* subtractions that left pending below the truth */
static long lowest_gap;

void pending_add(size_t n)
{
    pthread_mutex_lock(&check_lock);
    pending += (long)n;
    touches++;
    pthread_mutex_unlock(&check_lock);
}

void pending_sub(size_t n)
{
    pthread_mutex_lock(&check_lock);
    pending -= (long)n;
    touches++;
    if (pending < unfinished) {
        too_low++;
        if (pending - unfinished < lowest_gap)
            lowest_gap = pending - unfinished;
    }
    pthread_mutex_unlock(&check_lock);
}

static long read_pending(void)
{
    pthread_mutex_lock(&check_lock);
    long p = pending;
    pthread_mutex_unlock(&check_lock);
    return p;
}

static struct deque deques[MAX_WORKERS];
static struct credits credits[MAX_WORKERS];
static unsigned nworkers;
static atomic_uint ran;

static void run(unsigned w, struct task t)
{
    uintptr_t depth = (uintptr_t)t.arg;
    atomic_fetch_add(&ran, 1);
    for (int child = 0; depth > 0 && child < 2; child++) {
        on_spawn(&credits[w]);
        pthread_mutex_lock(&check_lock);
        unfinished++;               /* counted by you, not yet visible */
        pthread_mutex_unlock(&check_lock);
        deque_push(&deques[w], (struct task){ NULL, (void *)(depth - 1) });
    }
    pthread_mutex_lock(&check_lock);
    unfinished--;
    pthread_mutex_unlock(&check_lock);
    on_finish(&credits[w]);
}

static void *worker(void *arg)
{
    unsigned w = (unsigned)(uintptr_t)arg;
    struct task t;
    for (;;) {
        if (deque_pop(&deques[w], &t)) {
            run(w, t);
            continue;
        }
        on_idle(&credits[w]);
        bool found = false;
        for (unsigned k = 1; k < nworkers && !found; k++)
            found = deque_steal(&deques[(w + k) % nworkers], &t);
        if (found)
            run(w, t);
        else if (read_pending() == 0)
            return NULL;            /* your count says all is done */
        else
            sched_yield();
    }
}

static void run_pool(unsigned n)
{
    nworkers = n;
    pending = unfinished = touches = too_low = lowest_gap = 0;
    atomic_store(&ran, 0);
    for (unsigned w = 0; w < n; w++) {
        ck_assert_int_eq(deque_init(&deques[w]), 0);
        credits[w] = (struct credits){ 0, 0 };
    }
    /* The root comes from outside the pool: +1, as an external spawn. */
    pending_add(1);
    unfinished = 1;
    touches = 0;
    ck_assert_int_eq(deque_push(&deques[0], (struct task){ NULL, (void *)(uintptr_t)DEPTH }), 0);

    pthread_t threads[MAX_WORKERS];
    for (uintptr_t w = 0; w < n; w++)
        ck_assert_int_eq(pthread_create(&threads[w], NULL, worker, (void *)w), 0);
    /* Your count reaching 0 is what lets the workers stop.  (If a check
     * fails, the workers are left running: Check ends the test's process.) */
    uint64_t deadline = now_ns() + 10000000000u;
    long left, low;
    do {
        sleep_ms(1);
        pthread_mutex_lock(&check_lock);
        left = pending;
        low = too_low;
        pthread_mutex_unlock(&check_lock);
    } while (left != 0 && low == 0 && now_ns() < deadline);
    ck_assert_msg(low == 0, "%u workers: your count fell below the number of unfinished tasks "
                  "(by %ld): wait() would have returned early; is every spawn counted before "
                  "its task can be seen?", n, -lowest_gap);
    ck_assert_msg(left == 0, "%u workers: pending is still %ld after 10 s with %u of %d tasks "
                  "run: does every idle worker give back what it holds?", n, left,
                  atomic_load(&ran), TASKS);
    for (unsigned w = 0; w < n; w++)
        pthread_join(threads[w], NULL);
    ck_assert_msg(atomic_load(&ran) == TASKS, "%u workers: %u of %d tasks ran", n,
                  atomic_load(&ran), TASKS);
    ck_assert_msg(touches <= TASKS / 16, "%u workers: %ld touches of the shared count for %d "
                  "tasks; want at most one per 16 tasks (%d)", n, touches, TASKS, TASKS / 16);
    for (unsigned w = 0; w < n; w++)
        deque_destroy(&deques[w]);
}

START_TEST(two_workers)
{
    run_pool(2);
}
END_TEST

START_TEST(four_workers)
{
    run_pool(4);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { two_workers, four_workers, NULL };
    return run_tests("lesson02 exercise: credits", tests);
}
