/*
 * find_any_test.c: grades exercise 2 (find_any.c).
 *
 * The predicate is the test's: it knows where the matches are, and counts
 * every element it is asked about, per worker, split into "before" and
 * "after the first match was found".  So the test sees what the search did,
 * not only what it answered: an answer can be right while the pool goes on
 * scanning sixteen million elements for nothing.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "exercises.h"
#include "test_util.h"

extern const struct scheduler lesson05_parking;
static const struct scheduler *S = &lesson05_parking;

enum { N = 1 << 24, WORKERS = 4 };

struct haystack {
    void *pool;
    const unsigned char *match;         /* match[i]: pred(i) is true */
    atomic_bool answered;               /* pred has returned true once */
    _Alignas(64) atomic_ulong after[WORKERS + 1][16];  /* [w][0], padded; WORKERS: not a worker */
    atomic_ulong late_chunks;           /* chunks begun after the answer */
};

static bool pred(size_t i, void *ctx)
{
    struct haystack *h = ctx;
    int w = S->current_worker(h->pool);
    if (w < 0 || w >= WORKERS)
        w = WORKERS;
    /* relaxed: counts, read after wait(). */
    if (atomic_load_explicit(&h->answered, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&h->after[w][0], 1, memory_order_relaxed);
        if (i % FIND_CHUNK == 0)        /* a task's first element: it began after */
            atomic_fetch_add_explicit(&h->late_chunks, 1, memory_order_relaxed);
    }
    if (h->match[i]) {
        /* relaxed: a flag for the counting above; nothing is published
         * through it. */
        atomic_store_explicit(&h->answered, true, memory_order_relaxed);
        return true;
    }
    return false;
}

static unsigned long scanned_after(struct haystack *h)
{
    unsigned long sum = 0;
    for (int w = 0; w <= WORKERS; w++)
        sum += atomic_load(&h->after[w][0]);
    return sum;
}

/* Searches an array with matches at the given places; returns the answer. */
static long search(void *pool, const size_t *at, size_t nat, struct haystack *h)
{
    unsigned char *match = calloc(N, 1);
    ck_assert_ptr_nonnull(match);
    for (size_t k = 0; k < nat; k++)
        match[at[k]] = 1;
    memset(h, 0, sizeof *h);
    h->pool = pool;
    h->match = match;
    long r = find_any(S, pool, N, pred, h);
    ck_assert_msg(r != -2, "find_any: spawn failed");
    if (r >= 0) {
        ck_assert_msg(r < N, "find_any returned %ld, beyond n = %d", r, N);
        ck_assert_msg(match[r], "find_any returned %ld, which is not a match", r);
    }
    /* The pool is free: every task find_any spawned has run. */
    struct sched_stats st;
    S->stats(pool, &st);
    ck_assert_msg(st.spawned == st.executed, "find_any returned with %llu of its tasks unfinished",
                  (unsigned long long)(st.spawned - st.executed));
    free(match);
    h->match = NULL;
    return r;
}

START_TEST(no_match)
{
    void *pool = S->create(WORKERS);
    struct haystack h;
    ck_assert_int_eq(search(pool, NULL, 0, &h), -1);
    S->destroy(pool);
}
END_TEST

START_TEST(one_match_anywhere)
{
    void *pool = S->create(WORKERS);
    struct haystack h;
    const size_t places[] = { 0, 12345, N / 2 + 7, N - 1 };
    for (size_t k = 0; k < sizeof places / sizeof places[0]; k++) {
        long r = search(pool, &places[k], 1, &h);
        ck_assert_msg(r == (long)places[k], "the only match is at %zu; find_any returned %ld",
                      places[k], r);
    }
    S->destroy(pool);
}
END_TEST

START_TEST(many_matches)
{
    void *pool = S->create(WORKERS);
    size_t *at = malloc(N / 1000 * sizeof *at);
    ck_assert_ptr_nonnull(at);
    for (size_t k = 0; k < N / 1000; k++)
        at[k] = 500 + k * 1000;
    struct haystack h;
    long r = search(pool, at, N / 1000, &h);
    ck_assert_msg(r >= 0, "there are %d matches; find_any returned %ld", N / 1000, r);
    free(at);
    S->destroy(pool);
}
END_TEST

/* One match, in seven places across the array, one search each: when it is
 * found, the pool is busy scanning and much of the array is left.  A task
 * that began before the answer may scan up to FIND_CHECK_EVERY more
 * elements before it looks (and one more, if it was inside pred); a task
 * that begins after the answer should scan nothing.  So no worker should
 * scan more than FIND_CHECK_EVERY + 1 elements after the answer, and no
 * chunk should begin after it.
 *
 * "After the answer" starts when pred returns true, a moment before your
 * code can publish it; a task preempted in that moment (or slowed down by
 * a sanitizer) can make one search look bad.  So one search of the seven
 * may break each rule; a task that never looks breaks them in all. */
START_TEST(the_others_stop)
{
    void *pool = S->create(WORKERS);
    struct haystack h;
    unsigned long after = 0, worst = 0, late = 0;
    int searches_late = 0, searches_long = 0;
    for (size_t k = 1; k <= 7; k++) {
        const size_t at = k * (N / 8) + 1234;
        ck_assert_int_eq(search(pool, &at, 1, &h), (long)at);
        after += scanned_after(&h);
        unsigned long this_late = atomic_load(&h.late_chunks), this_worst = 0;
        for (int w = 0; w <= WORKERS; w++)
            if (atomic_load(&h.after[w][0]) > this_worst)
                this_worst = atomic_load(&h.after[w][0]);
        late += this_late;
        searches_late += this_late > 0;
        searches_long += this_worst > FIND_CHECK_EVERY + 1;
        if (this_worst > worst)
            worst = this_worst;
    }
    ck_assert_msg(searches_late <= 1, "in %d of 7 searches, tasks began scanning their chunk "
                  "after the match was found (%lu such tasks, %lu elements scanned after it in "
                  "all): does a task look before it starts?", searches_late, late, after);
    ck_assert_msg(searches_long <= 1, "in %d of 7 searches a worker scanned more than %d "
                  "elements after the match was found (up to %lu; %lu in all); looking every "
                  "FIND_CHECK_EVERY = %d elements, it would stop within %d", searches_long,
                  FIND_CHECK_EVERY + 1, worst, after, FIND_CHECK_EVERY, FIND_CHECK_EVERY + 1);
    /* And the pool works for the next thing at once. */
    struct runs r;
    runs_init(&r, 1000);
    ck_assert_int_eq(spawn_runs(S, pool, &r, 0, r.n), 0);
    S->wait(pool);
    ck_assert_uint_eq(runs_first_bad(&r), r.n);
    runs_free(&r);
    S->destroy(pool);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { no_match, one_match_anywhere, many_matches, the_others_stop, NULL };
    return run_tests("lesson05_parking: find_any", tests);
}
