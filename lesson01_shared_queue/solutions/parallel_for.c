/*
 * Solution to exercise 2: grain size.  (See exercises/parallel_for.c.)
 *
 * The chunks live in one array allocated per call, not per task, and the
 * call waits before freeing them: a task that spawn() accepted may still be
 * reading its chunk until wait() returns, even if a later spawn failed.
 */
#include <errno.h>
#include <stdlib.h>

#include "../exercises/exercises.h"

struct chunk {
    index_fn body;
    void *ctx;
    size_t begin;
    size_t end;
};

static void run_chunk(void *arg)
{
    struct chunk *c = arg;
    for (size_t i = c->begin; i < c->end; i++)
        c->body(i, c->ctx);
}

int parallel_for(const struct scheduler *s, void *pool, size_t n, size_t grain,
                 index_fn body, void *ctx)
{
    if (grain == 0 || body == NULL)
        return EINVAL;

    /* ceil(n / grain) without computing n + grain - 1, which can overflow. */
    size_t ntasks = n / grain + (n % grain != 0);

    struct chunk *chunks = calloc(ntasks ? ntasks : 1, sizeof *chunks);
    if (chunks == NULL)
        return ENOMEM;
    int err = 0;
    for (size_t k = 0; k < ntasks && err == 0; k++) {
        size_t begin = k * grain;
        size_t end = n - begin > grain ? begin + grain : n;
        chunks[k] = (struct chunk){ body, ctx, begin, end };
        err = s->spawn(pool, run_chunk, &chunks[k]);
    }
    s->wait(pool);
    free(chunks);
    return err;
}
