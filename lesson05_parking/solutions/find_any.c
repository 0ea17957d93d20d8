/*
 * Exercise 2, a reference answer: a parallel search that stops itself.
 *
 * DESIGN
 * A range of more than LEAF elements is split in two halves, joined with
 * s->join; a range of at most LEAF elements (a leaf) is scanned in order.
 * Called from outside the pool, the first join runs as a task of the pool
 * (join does that itself), and every other task nests below it, so when
 * that first join returns, every task of the search has returned.  That is
 * how find_any knows its tasks are done without wait(), and why nothing
 * touches its frame, or a half's frame, after it returns.
 *
 * The tasks share one atomic index, `found`: -1, then the first match.  A
 * task looks at it before it splits or scans a range (a range stolen or
 * taken back after the answer is known costs one load), and once every
 * CHECK_EVERY elements while it scans a leaf.  That is cooperative
 * cancellation, as in rayon's find_any: nothing interrupts a task; it
 * looks, and stops.
 *
 * THE BOUND
 * A worker that sees the match stops within CHECK_EVERY elements.  Before
 * it sees it, it may scan a few more: the match has to be stored by the
 * task that found it and reach this worker's core, the time of a cache
 * miss or two, a few elements of a cheap predicate.  CHECK_EVERY = 64
 * leaves three quarters of FIND_STOP_WITHIN (256) for that.  Checking
 * more often would cost almost nothing either: until the match, no one
 * writes `found`, so its line sits in every core's cache and a load of it
 * is a hit; after the match, each core misses on it once, and stops.
 */
#include <stdatomic.h>

#include "../exercises/exercises.h"

/* A range of at most LEAF elements is scanned, not split.  Small enough
 * that a big search makes plenty of ranges for thieves (16 million
 * elements make 4096 leaves); big enough that a join, a push and a take of
 * the deque, is nothing next to the 4096 calls of pred that it buys. */
#define LEAF 4096
#define CHECK_EVERY 64          /* elements scanned between two looks at `found` */

_Static_assert(CHECK_EVERY < FIND_STOP_WITHIN, "a worker must look within the bound");

/* One search: shared by all its tasks, on find_any's stack. */
struct search {
    const struct scheduler *s;
    void *pool;
    bool (*pred)(size_t i, void *ctx);
    void *ctx;
    atomic_long found;          /* -1 until a task finds a match; then its index */
};

/* A task's range [begin, end), on the stack of the task that joined it. */
struct range {
    struct search *search;
    size_t begin, end;
};

/* relaxed: `found` carries nothing but itself.  A task that reads it only
 * decides whether to stop; it needs no other write of the task that
 * stored it.  Partner: the CAS in scan_leaf. */
static bool found_yet(struct search *s)
{
    return atomic_load_explicit(&s->found, memory_order_relaxed) >= 0;
}

static void scan_leaf(struct search *s, size_t begin, size_t end)
{
    for (size_t block = begin; block < end; block += CHECK_EVERY) {
        if (found_yet(s))
            return;
        size_t stop = end - block < CHECK_EVERY ? end : block + CHECK_EVERY;
        for (size_t i = block; i < stop; i++) {
            if (s->pred(i, s->ctx)) {
                long none = -1;
                /* relaxed, both outcomes: the first match wins, and a
                 * later one, from another task, is just as good and is
                 * dropped.  The index is all the CAS publishes; found_yet's
                 * loads read it, and find_any's load gets it through
                 * join (see there). */
                atomic_compare_exchange_strong_explicit(&s->found, &none, (long)i,
                                                        memory_order_relaxed,
                                                        memory_order_relaxed);
                return;
            }
        }
    }
}

/* The task: a range, split with join or scanned. */
static void search_range(void *arg)
{
    struct range *r = arg;
    struct search *s = r->search;
    if (found_yet(s))
        return;                 /* the answer is known: neither split nor scan */
    if (r->end - r->begin <= LEAF) {
        scan_leaf(s, r->begin, r->end);
        return;
    }
    size_t mid = r->begin + (r->end - r->begin) / 2;
    struct range left = { s, r->begin, mid }, right = { s, mid, r->end };
    /* Returns once both halves, and everything below them, have returned. */
    s->s->join(s->pool, search_range, &left, search_range, &right);
}

long find_any(const struct scheduler *s, void *pool, size_t n,
              bool (*pred)(size_t i, void *ctx), void *ctx)
{
    struct search search = { .s = s, .pool = pool, .pred = pred, .ctx = ctx };
    atomic_init(&search.found, -1);
    struct range all = { &search, 0, n };
    /* From outside the pool, the first join (if n > LEAF) runs as a task,
     * and we sleep until it is done; n <= LEAF is scanned right here. */
    search_range(&all);
    /* relaxed: every task of the search has returned by now, and its CAS
     * happens before this load through join itself.  A join returns after
     * running a half itself, or after an acquire load of the release store
     * with which a thief ended it (run_join_job, common/join.h); the first
     * join, from outside, returns after the mutex and condition variable
     * its caller sleeps on.  No ordering of ours is needed. */
    return atomic_load_explicit(&search.found, memory_order_relaxed);
}
