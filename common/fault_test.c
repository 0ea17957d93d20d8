/*
 * fault_test.c: the error paths of the contract, driven for real.
 *
 * This program is linked with -Wl,--wrap for malloc, calloc, aligned_alloc
 * and pthread_create, so every call the schedulers in libsched.a make to
 * them comes here first, and a test can make the k-th one fail.  Nothing in
 * a scheduler is mocked: each runs its own error path.
 *
 *   create fails on the k-th allocation, for every k it makes: NULL, errno
 *   ENOMEM, no thread left behind (and, under ASan, nothing leaked).
 *   create fails on the k-th pthread_create: NULL, errno EAGAIN, every
 *   thread already started joined.
 *   spawn, when the queue must grow and cannot: ENOMEM, the task is not
 *   run, every task accepted before it is, and once memory is back, spawns
 *   work again.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "scheduler.h"
#include "test_util.h"

/* ---- the wrappers ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg);

static const struct scheduler *S;

/* Fail the n-th call from now (1 = the next), or every call (FAIL_ALL); 0: off. */
enum { FAIL_ALL = -1 };
static atomic_int alloc_countdown, thread_countdown;

static bool should_fail(atomic_int *countdown)
{
    int c = atomic_load(countdown);
    if (c == FAIL_ALL)
        return true;
    if (c <= 0)
        return false;
    return atomic_fetch_sub(countdown, 1) == 1;
}

void *__wrap_malloc(size_t size)
{
    if (should_fail(&alloc_countdown)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (should_fail(&alloc_countdown)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, size);
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
    if (should_fail(&alloc_countdown)) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_aligned_alloc(align, size);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg)
{
    if (should_fail(&thread_countdown))
        return EAGAIN;
    return __real_pthread_create(t, a, f, arg);
}

/* Threads of this process, from /proc. */
static int thread_count(void);

/* The baseline: after one pool has come and gone, since some runtimes
 * (ThreadSanitizer's) start a thread of their own with the first one. */
static int baseline_threads(void)
{
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    S->destroy(pool);
    /* Joined threads leave /proc a moment later: wait until the count has
     * stayed the same for 20 ms (at most a second). */
    int n = thread_count(), same = 0;
    for (int i = 0; i < 1000 && same < 20; i++) {
        sleep_ms(1);
        int m = thread_count();
        same = m == n ? same + 1 : 0;
        n = m;
    }
    return n;
}

/*
 * Threads of this process, waiting up to a second for it to come down to
 * `want`: pthread_join returns when the kernel clears the thread's id,
 * a moment before the thread leaves /proc/self/task.  A thread really left
 * behind never leaves.
 */
static int threads_settle_to(int want)
{
    int n = thread_count();
    for (int i = 0; i < 1000 && n != want; i++) {
        sleep_ms(1);
        n = thread_count();
    }
    return n;
}

static int thread_count(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n;
}

/* ---- create ---- */

START_TEST(create_fails_on_any_allocation)
{
    int threads = baseline_threads();
    int failures = 0;
    for (int k = 1; k < 200; k++) {
        atomic_store(&alloc_countdown, k);
        errno = 0;
        void *pool = S->create(4);
        int err = errno;
        atomic_store(&alloc_countdown, 0);
        if (pool != NULL) {         /* create needs fewer than k allocations: done */
            S->destroy(pool);
            ck_assert_msg(failures > 0, "no allocation of create could be made to fail");
            return;
        }
        failures++;
        ck_assert_msg(err == ENOMEM, "allocation %d failed: errno %d (%s), want ENOMEM", k, err,
                      strerror(err));
        int now = threads_settle_to(threads);
        ck_assert_msg(now == threads, "allocation %d failed: %d threads left behind", k,
                      now - threads);
    }
    ck_abort_msg("create made 200 allocations or more");
}
END_TEST

START_TEST(create_fails_on_any_thread)
{
    int threads = baseline_threads();
    for (int k = 1; k <= 4; k++) {
        atomic_store(&thread_countdown, k);
        errno = 0;
        void *pool = S->create(4);
        int err = errno;
        atomic_store(&thread_countdown, 0);
        ck_assert_msg(pool == NULL, "pthread_create number %d failed, yet create succeeded", k);
        ck_assert_msg(err == EAGAIN, "pthread_create number %d failed: errno %d, want EAGAIN", k, err);
        int now = threads_settle_to(threads);
        ck_assert_msg(now == threads, "pthread_create number %d failed: %d threads left behind",
                      k, now - threads);
    }
}
END_TEST

/* ---- spawn when the queue cannot grow ---- */

static struct gate hold;

static void wait_at_gate(void *arg)
{
    (void)arg;
    gate_wait(&hold, 10000);
}

START_TEST(spawn_enomem_drops_nothing_accepted)
{
    enum { MAX = 100000 };
    void *pool = S->create(1);
    ck_assert_ptr_nonnull(pool);
    struct runs r;
    runs_init(&r, MAX + 1000);
    atomic_store(&hold.open, false);
    ck_assert_int_eq(S->spawn(pool, wait_at_gate, NULL), 0);   /* the one worker is held */

    /* No memory from now on: the spawn that needs the queue to grow fails. */
    atomic_store(&alloc_countdown, FAIL_ALL);
    size_t accepted = 0;
    int err = 0;
    while (accepted < MAX && (err = S->spawn(pool, run_once, &r.count[accepted])) == 0)
        accepted++;
    atomic_store(&alloc_countdown, 0);
    ck_assert_msg(err == ENOMEM, "spawn returned %d (%s) with no memory to grow, want ENOMEM",
                  err, strerror(err));

    /* Memory is back: the pool takes tasks again. */
    for (size_t i = 0; i < 1000; i++)
        ck_assert_int_eq(S->spawn(pool, run_once, &r.count[accepted + 1 + i]), 0);
    gate_open(&hold);
    ck_assert_int_eq(S->wait(pool), 0);

    for (size_t i = 0; i < accepted; i++)
        ck_assert_msg(runs_count(&r, i) == 1, "task %zu, accepted before the failure, ran %u "
                      "times", i, runs_count(&r, i));
    ck_assert_msg(runs_count(&r, accepted) == 0, "the refused task ran");
    for (size_t i = accepted + 1; i < accepted + 1001; i++)
        ck_assert_msg(runs_count(&r, i) == 1, "a task spawned after memory came back ran %u "
                      "times", runs_count(&r, i));
    struct sched_stats st;
    S->stats(pool, &st);
    ck_assert_uint_eq(st.spawned, st.executed);
    S->destroy(pool);
    runs_free(&r);
}
END_TEST

static Suite *fault_suite(const struct scheduler *s)
{
    const TTest *const tests[] = { create_fails_on_any_allocation, create_fails_on_any_thread,
                                   spawn_enomem_drops_nothing_accepted, NULL };
    return suite_of(s->name, "faults", tests);
}

int main(int argc, char **argv)
{
    return run_per_scheduler(argc, argv, &S, fault_suite);
}
