/*
 * Exercise 2: grain size.                       medium, about 20 minutes
 *
 * On the shared queue every task costs a trip through the one lock to be
 * queued and another to be taken, whatever the task does.  `make bench`
 * shows that cost for tasks that do nothing.  When the work is a loop over
 * n indices, one task per index pays it n times; one task per `grain`
 * consecutive indices pays it only n / grain times.
 *
 * Finish parallel_for() (contract in exercises.h): body(i, ctx) exactly once
 * for every i in [0, n), in ceil(n / grain) tasks.  The test counts the
 * calls per index and the tasks spawned (from stats()), and tries the edges:
 * n = 0, grain = 1, grain larger than n, grain = SIZE_MAX, grain = 0.
 *
 * Check your work:  make -C lesson01_shared_queue exercises
 * Stuck?            exercises/HINTS.md
 */
#include <errno.h>
#include <stdlib.h>

#include "exercises.h"

/* One task's share of the loop: indices [begin, end). */
struct chunk {
    index_fn body;
    void *ctx;
    size_t begin;
    size_t end;
};

static void run_chunk(void *arg)
{
    struct chunk *c = arg;
    /* TODO: call c->body(i, c->ctx) for every i in [c->begin, c->end). */
    (void)c;
}

int parallel_for(const struct scheduler *s, void *pool, size_t n, size_t grain,
                 index_fn body, void *ctx)
{
    /* TODO: refuse grain == 0 or a NULL body with EINVAL, before anything runs. */

    /* TODO: the number of tasks, ceil(n / grain).  Careful: the usual
     *       (n + grain - 1) / grain overflows when grain is huge. */
    size_t ntasks = 0;

    struct chunk *chunks = calloc(ntasks ? ntasks : 1, sizeof *chunks);
    if (chunks == NULL)
        return ENOMEM;
    for (size_t k = 0; k < ntasks; k++) {
        /* TODO: fill in chunks[k] and spawn run_chunk with it.  The last
         *       chunk ends at n, not past it. */
    }
    /* TODO: wait for the tasks before freeing the chunks they read. */
    (void)s, (void)pool, (void)n, (void)grain, (void)body, (void)ctx;
    (void)run_chunk;        /* (these two lines only let the untouched file compile) */
    free(chunks);
    return 0;
}
