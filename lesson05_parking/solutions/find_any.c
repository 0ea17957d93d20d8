/*
 * Exercise 2, a reference answer: find any match, and stop the others.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "../exercises/exercises.h"

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
    if (someone_found(s))
        return;                 /* started after the answer: nothing to do */
    for (size_t i = c->begin; i < c->end; i++) {
        if ((i - c->begin) % FIND_CHECK_EVERY == FIND_CHECK_EVERY - 1 && someone_found(s))
            return;
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
