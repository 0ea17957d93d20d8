/*
 * Exercise 2 (the capstone): find any match, stop the others.
 *                                                     medium, about 30 minutes
 *
 * find_any() cuts [0, n) into chunks of FIND_CHUNK elements and spawns a
 * task per chunk; each task scans its chunk for an i with pred(i) true.
 * It already finds the right answers.  What it does not do is stop: when
 * one task has found a match, every other task goes on scanning to the end
 * of its chunk, and the chunks not started yet start and scan everything
 * too.  On a 16-million-element search with a match near the start, that
 * is nearly all of the work done for nothing.
 *
 * Make the tasks stop: a task that starts after the answer is known
 * returns at once, and a running task looks every FIND_CHECK_EVERY
 * elements and returns if someone has found a match.  (Why not look at
 * every element?  What does a load of a cache line that another core has
 * just written cost?)  This is cooperative cancellation: rayon's
 * find_any, Go's context cancellation and tokio's CancellationToken all
 * work this way.  A task is never interrupted; it checks.
 *
 * The test counts the elements scanned after the answer was found, checks
 * the answer for no match, one match (first, middle, last element) and many
 * matches, and that the pool is ready for other work when you return.
 *
 * Check your work:  make -C lesson05_parking exercises
 * Stuck?            exercises/HINTS.md
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "exercises.h"

struct search {
    bool (*pred)(size_t i, void *ctx);
    void *ctx;
    atomic_long found;          /* -1 until some task finds a match */
};

struct chunk {
    struct search *search;
    size_t begin, end;
};

/* relaxed: `found` is a flag to stop early and the answer itself; the
 * tasks' effects reach the caller through wait(), not through it. */
static inline bool someone_found(struct search *s)
{
    return atomic_load_explicit(&s->found, memory_order_relaxed) >= 0;
}

static void scan(void *arg)
{
    struct chunk *c = arg;
    struct search *s = c->search;
    /* TODO: if someone has already found a match, return at once. */
    for (size_t i = c->begin; i < c->end; i++) {
        /* TODO: every FIND_CHECK_EVERY elements, return if someone has found a match. */
        if (s->pred(i, s->ctx)) {
            long none = -1;
            /* relaxed: as in someone_found.  The first match wins; a later
             * one, from another task, is just as good and is dropped. */
            atomic_compare_exchange_strong_explicit(&s->found, &none, (long)i,
                                                    memory_order_relaxed, memory_order_relaxed);
            return;
        }
    }
}

long find_any(const struct scheduler *s, void *pool, size_t n,
              bool (*pred)(size_t i, void *ctx), void *ctx)
{
    struct search search = { pred, ctx, -1 };
    size_t nchunks = (n + FIND_CHUNK - 1) / FIND_CHUNK;
    struct chunk *chunks = malloc((nchunks > 0 ? nchunks : 1) * sizeof *chunks);
    if (chunks == NULL)
        return -2;
    long result = 0;
    for (size_t k = 0; k < nchunks; k++) {
        chunks[k] = (struct chunk){ &search, k * FIND_CHUNK,
                                    k + 1 < nchunks ? (k + 1) * FIND_CHUNK : n };
        if (s->spawn(pool, scan, &chunks[k]) != 0) {
            result = -2;
            break;
        }
    }
    s->wait(pool);              /* every chunk has returned: chunks can go */
    free(chunks);
    /* relaxed: wait() above orders every task's CAS before this load. */
    return result == -2 ? -2 : atomic_load_explicit(&search.found, memory_order_relaxed);
}
