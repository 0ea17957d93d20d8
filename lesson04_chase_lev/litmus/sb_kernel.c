/*
 * sb_kernel.c: the store-buffering litmus test (sb_kernel.h), and the
 * harness that makes its rare outcome show.
 *
 * The iterations run in batches of BATCH.  Each batch has fresh variables,
 * x[i] and y[i] for iteration i, all 0, so that no iteration waits for the
 * cache lines of the one before, and two new threads, A and B, that meet
 * before every iteration (litmus.h) and then race through it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "litmus.h"
#include "sb_kernel.h"

enum {
    BATCH = 1 << 16,    /* iterations per batch: x and y fit in the L2 cache */
    DELAY = 64,         /* random delay before each iteration, in loop turns */
};

const char *const sb_mode_name[SB_MODES] = { "relaxed", "acq_rel", "fence", "seq_cst" };

/* What one thread is given.  A stores x and loads y; B the other way round. */
struct side {
    enum sb_mode mode;
    unsigned long n;            /* iterations in this batch */
    atomic_int *mine;           /* the variables this side stores: x or y */
    atomic_int *theirs;         /* the variables it loads: y or x */
    unsigned char *seen;        /* seen[i]: what it loaded in iteration i */
    struct meeting *meeting;    /* shared with the other side */
    uint64_t seed;
    unsigned long done;         /* iterations finished, when the thread ends */
};

/*
 * One side of one iteration: `*mine = 1`, then return `*theirs`, with the
 * orderings of `mode`.  The other side runs the same code on the other
 * variables: its store is the one our load may or may not see.
 */
static inline int store_then_load(enum sb_mode mode, atomic_int *mine, atomic_int *theirs)
{
    switch (mode) {
    case SB_RELAXED:
        /* relaxed store, relaxed load: nothing orders the load after the
         * store.  On x86 both are plain movs, and the store waits in this
         * core's store buffer while the load reads the cache. */
        atomic_store_explicit(mine, 1, memory_order_relaxed);
        return atomic_load_explicit(theirs, memory_order_relaxed);
    case SB_ACQ_REL:
        /* release: orders this store after this thread's EARLIER accesses.
         * acquire: orders this load before this thread's LATER accesses.
         * Neither orders a store before a later load, so this is no
         * stronger than relaxed here: on x86 both are plain movs again. */
        atomic_store_explicit(mine, 1, memory_order_release);
        return atomic_load_explicit(theirs, memory_order_acquire);
#ifndef LITMUS_TSAN
    case SB_FENCE:
        /* relaxed: the fence below does the ordering. */
        atomic_store_explicit(mine, 1, memory_order_relaxed);
        /* seq_cst fence: the store above before the load below.  It pairs
         * with the other side's fence: the seq_cst fences of a run happen
         * in one order, and the load after the later fence sees the store
         * before the earlier one.  On x86 it is mfence or a locked
         * instruction (gcc: lock or), and either waits until the store
         * buffer has drained into the cache. */
        atomic_thread_fence(memory_order_seq_cst);
        return atomic_load_explicit(theirs, memory_order_relaxed);
#endif
    case SB_SEQ_CST:
    default:
        /* seq_cst store and seq_cst load: every seq_cst access of a run
         * happens in one order that keeps each thread's program order, so
         * whichever store comes first in it is seen by the other side's
         * load.  On x86 the store is an xchg, which drains the store
         * buffer; the load is a plain mov. */
        atomic_store_explicit(mine, 1, memory_order_seq_cst);
        return atomic_load_explicit(theirs, memory_order_seq_cst);
    }
}

static void *run_side(void *arg)
{
    struct side *s = arg;
    struct rng rng;
    rng_seed(&rng, s->seed);
    unsigned long i;
    for (i = 0; i < s->n && meet(s->meeting, i); i++) {
        random_delay(&rng, DELAY);
        s->seen[i] = (unsigned char)store_then_load(s->mode, &s->mine[i], &s->theirs[i]);
    }
    s->done = i;
    return NULL;
}

/* One batch of n iterations; adds the outcomes of those both threads
 * finished to *c. */
static int run_batch(enum sb_mode mode, unsigned long n, atomic_int *x, atomic_int *y,
                     unsigned char *seen_a, unsigned char *seen_b, uint64_t seed,
                     uint64_t deadline, struct sb_counts *c)
{
    /* The threads start after these stores (pthread_create orders them). */
    for (unsigned long i = 0; i < n; i++) {
        atomic_init(&x[i], 0);
        atomic_init(&y[i], 0);
    }
    struct meeting m = { 0, false };
    struct side a = { mode, n, x, y, seen_a, &m, seed, 0 };
    struct side b = { mode, n, y, x, seen_b, &m, seed + 1, 0 };
    int err = run_pair(run_side, &a, run_side, &b, &m, deadline);
    if (err != 0)
        return err;
    /* The threads have ended: seen_a, seen_b and done are ours to read. */
    unsigned long both = a.done < b.done ? a.done : b.done;
    for (unsigned long i = 0; i < both; i++)
        c->n[seen_a[i]][seen_b[i]]++;
    c->runs += both;
    return 0;
}

int sb_run(enum sb_mode mode, unsigned long iterations, double seconds, struct sb_counts *out)
{
#ifdef LITMUS_TSAN
    if (mode == SB_FENCE)
        return ENOTSUP;     /* see sb_kernel.h */
#endif
    uint64_t deadline = now_ns() + (uint64_t)(seconds * 1e9);
    atomic_int *x = malloc(BATCH * sizeof *x);
    atomic_int *y = malloc(BATCH * sizeof *y);
    unsigned char *seen_a = malloc(BATCH);
    unsigned char *seen_b = malloc(BATCH);
    int err = x && y && seen_a && seen_b ? 0 : ENOMEM;
    struct sb_counts c = { { { 0 } }, 0 };
    for (unsigned long done = 0; err == 0 && done < iterations && now_ns() < deadline; done += BATCH) {
        unsigned long n = iterations - done < BATCH ? iterations - done : BATCH;
        err = run_batch(mode, n, x, y, seen_a, seen_b, done, deadline, &c);
    }
    if (err == 0)
        *out = c;
    free(x);
    free(y);
    free(seen_a);
    free(seen_b);
    return err;
}
