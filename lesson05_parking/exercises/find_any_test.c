/*
 * find_any_test.c: grades exercise 2 (find_any.c), the capstone.
 *
 * The predicate is the test's.  It knows where the matches are, and it
 * watches the search: which thread asks about each element, how many
 * elements each worker asks about after the predicate first answered true,
 * whether it is asked anything after find_any has returned.  And find_any
 * gets a copy of the scheduler whose join, spawn and wait count their
 * calls before doing the real thing.  So a failure can say what the
 * search did, not only what it answered.
 *
 * Every test runs on lesson 5's scheduler; the answers and the stop bound
 * are checked on lesson 4's too, which has join but no parking.
 *
 * Under ThreadSanitizer the big searches are 8 times smaller: the tool
 * slows every atomic operation of the predicate down many times over.
 */
#include <check.h>
#include <pthread.h>
#include <string.h>

#include "cacheline.h"
#include "clock.h"
#include "exercises.h"
#include "test_util.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

#ifdef UNDER_TSAN
enum { BIG = 1 << 21 };
#else
enum { BIG = 1 << 24 };         /* 16,777,216 elements */
#endif
enum { WORKERS = 4, OUTSIDE = WORKERS };

/*
 * Under ThreadSanitizer a data race is reported on stderr, and the test's
 * process would only end with status 66 at exit.  ThreadSanitizer calls
 * __tsan_on_report (a hook it defines as a weak no-op) for each report, so
 * the test can count them and fail with a message after each search.
 */
static atomic_ulong races;      /* reports so far */
#ifdef UNDER_TSAN
void __tsan_on_report(const void *report);
void __tsan_on_report(const void *report)
{
    (void)report;
    /* relaxed: a count, read with count() below. */
    atomic_fetch_add_explicit(&races, 1, memory_order_relaxed);
}
#endif

/*
 * The test's thread reads every count and flag of the search with count(),
 * once find_any has returned.  A find_any that keeps the contract has seen
 * every task of its search finish by then, and join's own release and
 * acquire order the tasks' writes before its return; so the loads need no
 * ordering of their own: relaxed.  (For a find_any that breaks the
 * contract, a count may be read mid-search: it is still a number, and the
 * failure it shows is real.)
 */
static unsigned long count(atomic_ulong *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static void no_race(void)
{
    ck_assert_msg(count(&races) == 0, "ThreadSanitizer reported a data race (its report, on "
                  "stderr, names the two accesses): is a flag or an answer that one task writes "
                  "and others read a plain variable?  Make it atomic");
}

extern const struct scheduler lesson04_chase_lev, lesson05_parking;

/* ---- the scheduler find_any gets: S, with join, spawn and wait counted ---- */

static const struct scheduler *S;       /* the scheduler under test */
static struct scheduler watched;        /* what find_any is given */
/* Calls find_any made; relaxed increments: counts, read with count(). */
static atomic_ulong joins, joins_inside, spawns, waits;

static void watched_join(void *pool, task_fn a, void *a_arg, task_fn b, void *b_arg)
{
    atomic_fetch_add_explicit(&joins, 1, memory_order_relaxed);
    if (S->current_worker(pool) >= 0)
        atomic_fetch_add_explicit(&joins_inside, 1, memory_order_relaxed);
    S->join(pool, a, a_arg, b, b_arg);
}

static int watched_spawn(void *pool, task_fn fn, void *arg)
{
    atomic_fetch_add_explicit(&spawns, 1, memory_order_relaxed);
    return S->spawn(pool, fn, arg);
}

static int watched_wait(void *pool)
{
    atomic_fetch_add_explicit(&waits, 1, memory_order_relaxed);
    return S->wait(pool);
}

static void *use(const struct scheduler *s)
{
    S = s;
    watched = *s;
    watched.join = watched_join;
    watched.spawn = watched_spawn;
    watched.wait = watched_wait;
    /* relaxed: no worker exists yet; create() orders these before any. */
    atomic_store_explicit(&joins, 0, memory_order_relaxed);
    atomic_store_explicit(&joins_inside, 0, memory_order_relaxed);
    atomic_store_explicit(&spawns, 0, memory_order_relaxed);
    atomic_store_explicit(&waits, 0, memory_order_relaxed);
    void *pool = s->create(WORKERS);
    ck_assert_ptr_nonnull(pool);
    return pool;
}

/* ---- the haystack and the predicate ---- */

/* What one thread asked.  Written only by that thread (the calling thread
 * for OUTSIDE), so a load and a store count without a read-modify-write. */
struct asker {
    _Alignas(CACHELINE) atomic_ulong scanned;   /* elements asked about */
    atomic_ulong after;                         /* ... after the first true */
};

struct haystack {
    void *pool;
    size_t n;
    size_t at[4], nat;                  /* pred(i) is true for i in at[] */
    size_t every;                       /* > 0: and for i % every == every / 2 */
    _Alignas(CACHELINE) atomic_bool answered;   /* pred has returned true */
    atomic_bool returned;               /* find_any has returned */
    atomic_ulong late;                  /* calls after find_any returned */
    atomic_ulong beyond;                /* 0, or 1 + an i >= n pred was asked about */
    struct asker askers[WORKERS + 1];   /* [w] worker w; [OUTSIDE] any other thread */
};

/* Static: a broken find_any's tasks may still call pred after the test
 * has moved on, and must find a haystack there. */
static struct haystack hay[2];

static bool is_match(const struct haystack *h, size_t i)
{
    for (size_t k = 0; k < h->nat; k++)
        if (h->at[k] == i)
            return true;
    return h->every > 0 && i % h->every == h->every / 2;
}

/* Every atomic here is relaxed: counts and flags that publish nothing but
 * themselves.  Their readers: count() on the test's thread, after find_any
 * has returned; and pred itself, for `answered` and `returned`, which
 * only decide what a count counts. */
static bool pred(size_t i, void *ctx)
{
    struct haystack *h = ctx;
    if (atomic_load_explicit(&h->returned, memory_order_relaxed))
        atomic_fetch_add_explicit(&h->late, 1, memory_order_relaxed);
    if (i >= h->n) {
        atomic_store_explicit(&h->beyond, (unsigned long)i + 1, memory_order_relaxed);
        return false;
    }
    int w = S->current_worker(h->pool);
    struct asker *me = &h->askers[w >= 0 && w < WORKERS ? w : OUTSIDE];
    atomic_store_explicit(&me->scanned,
                          atomic_load_explicit(&me->scanned, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    if (atomic_load_explicit(&h->answered, memory_order_relaxed))
        atomic_store_explicit(&me->after,
                              atomic_load_explicit(&me->after, memory_order_relaxed) + 1,
                              memory_order_relaxed);
    if (!is_match(h, i))
        return false;
    atomic_store_explicit(&h->answered, true, memory_order_relaxed);
    return true;
}

static struct haystack *haystack(int k, void *pool, size_t n)
{
    struct haystack *h = &hay[k];
    memset(h, 0, sizeof *h);
    h->pool = pool;
    h->n = n;
    return h;
}

static void match_at(struct haystack *h, size_t i)
{
    h->at[h->nat++] = i;
}

static unsigned long total_scanned(struct haystack *h)
{
    unsigned long sum = 0;
    for (int w = 0; w <= WORKERS; w++)
        sum += count(&h->askers[w].scanned);
    return sum;
}

/*
 * find_any on h, called from deeper down the stack than anything the test
 * calls after it: a task of a broken find_any that runs on after the call
 * has returned finds the dead frame as it was left, and the test can say
 * so, instead of crashing on a frame that sleep_ms has written over.
 */
static __attribute__((noinline)) long find_any_deep(struct haystack *h,
                                                    bool (*p)(size_t i, void *ctx))
{
    volatile char pad[64 * 1024];
    pad[0] = 1;
    long r = find_any(&watched, h->pool, h->n, p, h);
    pad[sizeof pad - 1] = pad[0];
    return r;
}

/* From now on, a call of pred is late.  relaxed: see pred. */
static void mark_returned(struct haystack *h)
{
    atomic_store_explicit(&h->returned, true, memory_order_relaxed);
}

/* Searches h and checks the answer; returns it. */
static long search(struct haystack *h)
{
    long r = find_any_deep(h, pred);
    mark_returned(h);
    no_race();
    unsigned long beyond = count(&h->beyond);
    ck_assert_msg(beyond == 0, "n = %zu, yet pred was asked about i = %lu: do the halves "
                  "stay inside [0, n)?", h->n, beyond - 1);
    bool any = h->every > 0 && h->n > h->every / 2;
    for (size_t k = 0; k < h->nat; k++)
        any = any || h->at[k] < h->n;
    if (!any) {
        ck_assert_msg(r == -1, "n = %zu and nothing matches; find_any returned %ld, not -1",
                      h->n, r);
        unsigned long asked = total_scanned(h);
        ck_assert_msg(asked >= h->n, "n = %zu and nothing matches; find_any returned -1 having "
                      "asked about only %lu elements: some were never looked at (did it "
                      "return before its tasks had looked?)", h->n, asked);
        return r;
    }
    ck_assert_msg(r >= 0, "n = %zu, with a match at %zu%s; find_any returned %ld", h->n,
                  h->nat > 0 ? h->at[0] : h->every / 2, h->every > 0 ? " and many more" : "", r);
    ck_assert_msg((size_t)r < h->n && is_match(h, (size_t)r),
                  "n = %zu; find_any returned %ld, which is not a match", h->n, r);
    return r;
}

/* ---- the answers ---- */

static void one_match_each_place(void *pool, size_t n)
{
    const size_t places[] = { 0, n / 2, n - 1 };
    for (size_t k = 0; k < 3; k++) {
        struct haystack *h = haystack(0, pool, n);
        match_at(h, places[k]);
        long r = search(h);
        ck_assert_msg(r == (long)places[k], "n = %zu and the only match is at %zu; find_any "
                      "returned %ld", n, places[k], r);
    }
}

static void answers(const struct scheduler *s)
{
    void *pool = use(s);
    /* n = 0: nothing to ask about. */
    search(haystack(0, pool, 0));
    ck_assert_msg(total_scanned(&hay[0]) == 0, "n = 0, yet pred was called");
    /* Small and odd sizes, where a split is easily off by one. */
    const size_t sizes[] = { 1, 2, 3, 1000, 4097, 65537, 1000003 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        search(haystack(0, pool, sizes[k]));
        one_match_each_place(pool, sizes[k]);
    }
    /* The big one: no match, one match first, middle, last, many matches. */
    search(haystack(0, pool, BIG));
    one_match_each_place(pool, BIG);
    struct haystack *h = haystack(0, pool, BIG);
    h->every = 1000;
    search(h);
    s->destroy(pool);
}

START_TEST(answers_lesson05)
{
    answers(&lesson05_parking);
}
END_TEST

START_TEST(answers_lesson04)
{
    answers(&lesson04_chase_lev);
}
END_TEST

/* ---- parallel, with join ---- */

/* A big search with no match: the pool's workers, more than one of them,
 * must have done it, with joins nested inside tasks.  The first worker can
 * finish a big share before a sleeping one wakes up on a loaded machine,
 * so a search that ran on one worker alone is tried again, up to 5 times. */
START_TEST(parallel_with_join)
{
    void *pool = use(&lesson05_parking);
    int ran_on = 0, only = -1;
    for (int attempt = 0; attempt < 5 && ran_on < 2; attempt++) {
        struct haystack *h = haystack(0, pool, BIG);
        search(h);
        unsigned long outside = count(&h->askers[OUTSIDE].scanned);
        ck_assert_msg(outside < BIG, "all %d elements were scanned by the thread that called "
                      "find_any, not by the pool's workers: the search must run as tasks "
                      "on the pool, split with s->join", BIG);
        unsigned long joined = count(&joins);
        ck_assert_msg(joined > 0, "find_any never called join: split the range in halves "
                      "with s->join");
        ck_assert_msg(count(&joins_inside) > 0, "find_any called join %lu time%s, only "
                      "from outside the pool: split recursively, each task joining the "
                      "halves of its own range", joined, joined == 1 ? "" : "s");
        ran_on = 0;
        for (int w = 0; w < WORKERS; w++)
            if (count(&h->askers[w].scanned) > 0) {
                ran_on++;
                only = w;
            }
    }
    ck_assert_msg(ran_on >= 2, "only worker %d ever scanned, in 5 searches of %d elements "
                  "on %d workers: is the search parallel?  (Does each task split its range "
                  "before scanning it?)", only, BIG, WORKERS);
    S->destroy(pool);
}
END_TEST

/* ---- the stop bound ---- */

/*
 * One match, at a place where the other workers should be busy scanning
 * when it is found, and at the very start, where they may still be
 * splitting.  "After the match" starts when pred returns true, a moment
 * before your code can store the answer; a task preempted in that moment
 * could make a correct search look bad, so a search over the bound is
 * tried again, up to 3 times, and fails only if every try is over.
 */
static void stops_within_the_bound(const struct scheduler *s)
{
    void *pool = use(s);
    const size_t places[] = { 1234, BIG / 16 + 1234, BIG / 2 + BIG / 16 + 1234,
                              BIG - BIG / 16 + 1234 };
    for (size_t k = 0; k < sizeof places / sizeof places[0]; k++) {
        int worst = -1;
        unsigned long worst_after = 0, all_after = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            struct haystack *h = haystack(0, pool, BIG);
            match_at(h, places[k]);
            long r = search(h);
            ck_assert_msg(r == (long)places[k], "the only match is at %zu; find_any returned "
                          "%ld", places[k], r);
            worst = -1;
            worst_after = all_after = 0;
            for (int w = 0; w <= WORKERS; w++) {
                unsigned long after = count(&h->askers[w].after);
                all_after += after;
                if (after > worst_after) {
                    worst_after = after;
                    worst = w;
                }
            }
            if (worst_after <= FIND_STOP_WITHIN)
                break;
        }
        if (worst == OUTSIDE && worst_after > FIND_STOP_WITHIN)
            ck_abort_msg("the thread that called find_any scanned %lu elements after the match "
                         "at %zu (at most FIND_STOP_WITHIN = %d): it must look for a match "
                         "found elsewhere as it scans", worst_after, places[k],
                         FIND_STOP_WITHIN);
        ck_assert_msg(worst_after <= FIND_STOP_WITHIN, "worker %d scanned %lu elements after "
                      "the match at %zu (at most FIND_STOP_WITHIN = %d; %lu in all, of %d): "
                      "does every task look for a match found elsewhere, before it splits or "
                      "scans a range and every few elements while it scans?", worst,
                      worst_after, places[k], FIND_STOP_WITHIN, all_after, BIG);
    }
    s->destroy(pool);
}

START_TEST(stops_lesson05)
{
    stops_within_the_bound(&lesson05_parking);
}
END_TEST

START_TEST(stops_lesson04)
{
    stops_within_the_bound(&lesson04_chase_lev);
}
END_TEST

/* ---- nothing after the return ---- */

/* A search with no match and one with a match near the start; after each,
 * 20 ms in which pred must not be called again. */
START_TEST(nothing_runs_after_return)
{
    void *pool = use(&lesson05_parking);
    for (int k = 0; k < 2; k++) {
        struct haystack *h = haystack(0, pool, BIG);
        if (k == 1)
            match_at(h, BIG / 16);
        long r = find_any_deep(h, pred);
        mark_returned(h);
        sleep_ms(20);
        no_race();
        unsigned long late = count(&h->late);
        ck_assert_msg(late == 0, "a task of yours was still scanning after find_any returned "
                      "(pred was called %lu times in the next 20 ms): return only once every "
                      "task of the search has finished; the tasks use your stack frame, which "
                      "is gone", late);
        long want = k == 0 ? -1 : BIG / 16;
        ck_assert_msg(r == want, "the only match is at %ld (-1: none); find_any returned %ld",
                      want, r);
    }
    S->destroy(pool);
}
END_TEST

/* ---- a pool shared with others ---- */

static struct gate someone_elses;
static atomic_uint blocked_started;

/* Another caller's task: it keeps a worker until the test opens the gate,
 * which it does once find_any has returned (or after 1 s). */
static void blocked(void *arg)
{
    (void)arg;
    /* relaxed: only the count; counter_wait's acquire needs nothing from
     * this task. */
    atomic_fetch_add_explicit(&blocked_started, 1, memory_order_relaxed);
    gate_wait(&someone_elses, 1000);
}

START_TEST(no_wait_no_spawn)
{
    void *pool = use(&lesson05_parking);
    /* relaxed: the task that reads these does not exist yet; spawn orders
     * them before it. */
    atomic_store_explicit(&someone_elses.open, false, memory_order_relaxed);
    atomic_store_explicit(&blocked_started, 0, memory_order_relaxed);
    ck_assert_int_eq(S->spawn(pool, blocked, NULL), 0);
    ck_assert_msg(counter_wait(&blocked_started, 1, 2000), "a task spawned on an idle pool did "
                  "not start within 2 s");
    struct haystack *h = haystack(0, pool, BIG);
    match_at(h, BIG / 3);
    uint64_t t0 = now_ns();
    long r = find_any_deep(h, pred);
    double ms = (now_ns() - t0) / 1e6;
    gate_open(&someone_elses);
    S->wait(pool);
    no_race();
    ck_assert_msg(count(&waits) == 0, "find_any called wait(): wait() waits for every "
                  "task in the pool, and here another caller's task was running until "
                  "find_any returned, %.0f ms later (it gives up after 1000 ms); find your own "
                  "tasks' end another way (join returns once both halves have)", ms);
    unsigned long spawned = count(&spawns);
    ck_assert_msg(spawned == 0, "find_any called spawn() %lu time%s: a spawned task is a root of "
                  "its own, whose end only wait() sees; split with join, whose tasks nest below "
                  "the caller's", spawned, spawned == 1 ? "" : "s");
    ck_assert_msg(r == BIG / 3, "the only match is at %d; find_any returned %ld", BIG / 3, r);
    S->destroy(pool);
}
END_TEST

/* Two searches at once on one pool: A has a match near the start, B none.
 * B must still look at every one of its elements: A's match is not B's.
 * They surely overlap: B's first look holds its worker until A has
 * returned (A runs on the other three), and says whether A did. */
static atomic_bool b_started, a_done, overlapped;
static long a_result;

static void *search_a(void *arg)
{
    (void)arg;
    /* Start once B is under way.  relaxed: a nudge for timing; the result
     * goes back through pthread_join. */
    uint64_t give_up = now_ns() + 2000000000u;
    while (!atomic_load_explicit(&b_started, memory_order_relaxed) && now_ns() < give_up)
        sleep_ms(1);
    a_result = find_any_deep(&hay[0], pred);
    /* relaxed: only a signal to pred_b's wait; a_result goes back through
     * pthread_join. */
    atomic_store_explicit(&a_done, true, memory_order_relaxed);
    return NULL;
}

static bool pred_b(size_t i, void *ctx)
{
    /* relaxed: flags for timing, read back after B's search has returned
     * (which orders its tasks' effects before) or after pthread_join.
     * Only the first look waits. */
    if (!atomic_exchange_explicit(&b_started, true, memory_order_relaxed)) {
        uint64_t give_up = now_ns() + 2000000000u;
        while (!atomic_load_explicit(&a_done, memory_order_relaxed) && now_ns() < give_up)
            sleep_ms(1);
        atomic_store_explicit(&overlapped, atomic_load_explicit(&a_done, memory_order_relaxed),
                              memory_order_relaxed);
    }
    return pred(i, ctx);
}

START_TEST(two_searches_at_once)
{
    void *pool = use(&lesson05_parking);
    /* relaxed: before thread A and B's tasks exist. */
    atomic_store_explicit(&b_started, false, memory_order_relaxed);
    atomic_store_explicit(&a_done, false, memory_order_relaxed);
    atomic_store_explicit(&overlapped, false, memory_order_relaxed);
    struct haystack *a = haystack(0, pool, BIG), *b = haystack(1, pool, BIG);
    match_at(a, 100);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, search_a, NULL), 0);
    long rb = find_any_deep(b, pred_b);
    pthread_join(t, NULL);
    no_race();
    unsigned long asked = total_scanned(b);
    ck_assert_msg(rb == -1, "two searches at once on one pool: the one with no match returned "
                  "%ld, the other's match: do the searches share state, such as a static "
                  "variable?  Each search needs its own", rb);
    ck_assert_msg(asked >= BIG, "two searches at once on one pool: the one with no match "
                  "returned -1 having asked about only %lu of its %d elements: did it stop "
                  "because the other found its match (shared state, such as a static "
                  "variable), or return before its tasks had looked?", asked, BIG);
    ck_assert_msg(a_result == 100, "two searches at once on one pool: the one whose only match "
                  "is at 100 returned %ld: do the searches share state, such as a static "
                  "variable?", a_result);
    /* Last: a search that returned before its tasks were done would fail
     * here for the wrong reason. */
    ck_assert_msg(atomic_load_explicit(&overlapped, memory_order_relaxed),
                  "two searches at once on one pool: the search with its match at 100 had not "
                  "returned 2 s after the other began, with three workers free for it");
    S->destroy(pool);
}
END_TEST

/* ---- the pool afterwards ---- */

START_TEST(pool_works_afterwards)
{
    void *pool = use(&lesson05_parking);
    for (int k = 0; k < 3; k++) {
        struct haystack *h = haystack(0, pool, BIG / 4);
        match_at(h, k * (BIG / 10));
        search(h);
    }
    struct runs r;
    runs_init(&r, 1000);
    ck_assert_int_eq(spawn_runs(S, pool, &r, 0, r.n), 0);
    ck_assert_int_eq(S->wait(pool), 0);
    size_t bad = runs_first_bad(&r);
    if (bad < r.n)
        ck_abort_msg("after find_any, task %zu of 1000 spawned ran %u times, not once", bad,
                     runs_count(&r, bad));
    runs_free(&r);
    S->destroy(pool);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { answers_lesson05, parallel_with_join, stops_lesson05,
                             nothing_runs_after_return, no_wait_no_spawn, two_searches_at_once,
                             pool_works_afterwards, answers_lesson04, stops_lesson04, NULL };
    return run_tests("lesson05_parking: find_any", tests);
}
