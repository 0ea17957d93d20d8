/*
 * test_util.c: the helpers declared in test_util.h.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "test_util.h"

void runs_init(struct runs *r, size_t n)
{
    r->n = n;
    r->count = calloc(n ? n : 1, sizeof *r->count);
    ck_assert_ptr_nonnull(r->count);
}

void runs_free(struct runs *r)
{
    free(r->count);
    r->count = NULL;
}

/*
 * relaxed: the count needs no ordering of its own.  wait() returns only after
 * the task finished, and the scheduler's wait() is what makes the task's
 * writes visible to the thread that called it (the contract).
 */
void run_once(void *counter)
{
    atomic_fetch_add_explicit((atomic_uint *)counter, 1, memory_order_relaxed);
}

void no_op(void *arg)
{
    (void)arg;
}

int spawn_runs(const struct scheduler *s, void *pool, struct runs *r, size_t first, size_t k)
{
    for (size_t i = first; i < first + k; i++) {
        int err = s->spawn(pool, run_once, &r->count[i]);
        if (err != 0)
            return err;
    }
    return 0;
}

size_t runs_first_bad(const struct runs *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (runs_count(r, i) != 1)
            return i;
    return r->n;
}

/* relaxed: read after wait() or pthread_join, which ordered the runs. */
unsigned runs_count(const struct runs *r, size_t i)
{
    return atomic_load_explicit(&r->count[i], memory_order_relaxed);
}

/* release/acquire: whatever the opener wrote before opening is visible to a
 * waiter that saw the gate open. */
void gate_open(struct gate *g)
{
    atomic_store_explicit(&g->open, true, memory_order_release);
}

bool gate_wait(struct gate *g, unsigned timeout_ms)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    /* acquire: pairs with the release store in gate_open. */
    while (!atomic_load_explicit(&g->open, memory_order_acquire)) {
        if (now_ns() > deadline)
            return false;
        sleep_ms(1);
    }
    return true;
}

bool counter_wait(atomic_uint *c, unsigned target, unsigned timeout_ms)
{
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    /* acquire: pairs with the writer's increment (release or stronger), so
     * what it wrote before counting is visible once we see the count. */
    while (atomic_load_explicit(c, memory_order_acquire) < target) {
        if (now_ns() > deadline)
            return false;
        sleep_ms(1);
    }
    return true;
}

int run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

Suite *suite_of(const char *name, const char *tcase, const TTest *const tests[])
{
    Suite *suite = suite_create(name);
    TCase *tc = tcase_create(tcase);
    tcase_set_timeout(tc, 60);  /* scaled by CK_TIMEOUT_MULTIPLIER under sanitizers */
    for (size_t i = 0; tests[i] != NULL; i++)
        tcase_add_test(tc, tests[i]);
    suite_add_tcase(suite, tc);
    return suite;
}

int run_tests(const char *name, const TTest *const tests[])
{
    return run_suite(suite_of(name, "tests", tests)) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int run_per_scheduler(int argc, char **argv, const struct scheduler **current,
                      Suite *(*make_suite)(const struct scheduler *s))
{
    int failed = 0;
    for (int i = 1; i < argc; i++)
        if (sched_find(argv[i]) == NULL) {
            fprintf(stderr, "%s: no scheduler named '%s'\n", argv[0], argv[i]);
            failed++;
        }
    for (const struct scheduler *const *s = sched_all; *s != NULL; s++) {
        bool chosen = argc < 2;
        for (int i = 1; i < argc; i++)
            chosen |= strcmp(argv[i], (*s)->name) == 0;
        if (chosen) {
            *current = *s;
            failed += run_suite(make_suite(*s));
        }
    }
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
