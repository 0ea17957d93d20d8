/*
 * mp.c: message passing, the pattern every work-stealing deque relies on:
 * write the task, then publish it.
 *
 *   data = 0, flag = 0
 *   writer:  data = 42;  flag = 1;
 *   reader:  r0 = flag;  if (r0 == 1) r1 = data;
 *
 * If the reader sees the flag, does it see the data?  Only if something
 * orders the two stores on the writer's side and the two loads on the
 * reader's.  In `release` mode the store of flag is a release and its load
 * an acquire, and the answer is yes on every machine.  In `relaxed` mode
 * nothing orders them: Arm and POWER may make flag visible before data, or
 * perform the reader's loads out of order, and the reader gets 0.
 *
 * x86 cannot show that.  It is TSO (total store order): a core's stores
 * become visible in the order they were made, and loads are not reordered
 * with loads, so relaxed mode prints 0 failures here as well.  The bug is
 * still there, in the C program, and two tools find it:
 *  - ThreadSanitizer: `data` is a plain int, so in relaxed mode the
 *    reader's read of data is a data race with the writer's write, and
 *    TSan reports it (`make litmus-tsan`).  That race is deliberate: it is
 *    the demonstration.  In release mode the acquire load that sees flag ==
 *    1 orders the read after the write, and TSan reports nothing.
 *  - spin: mp.pml models a machine whose stores reach the other thread in
 *    any order, and finds the failure (`make verify`).
 *
 *   mp MODE [ITERATIONS]     MODE: relaxed or release
 *                            ITERATIONS: 1000000 by default (10000 under
 *                            TSan), or as many as fit in 2 s (SECONDS) on
 *                            a machine busy with other work
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "litmus.h"

enum {
    BATCH = 1 << 16,    /* iterations per batch, each with fresh variables */
    DELAY = 64,         /* random delay before each iteration, in loop turns */
    SECONDS = 2,        /* the time limit */
};

/* What the reader found in one iteration. */
enum outcome { SEEN_42, SEEN_0, NOT_SEEN, OUTCOMES };

static const char *const outcome_name[OUTCOMES] = {
    "flag seen, data 42",
    "flag seen, data 0",
    "flag not seen",
};
static const char *const outcome_meaning[OUTCOMES] = {
    "the message arrived whole",
    "FAILURE: the flag arrived before the data",
    "the reader came first",
};

/* One batch: data[i] and flag[i] for iteration i, and what the reader found. */
struct batch {
    bool release;               /* release mode, or relaxed */
    unsigned long n;
    int *data;                  /* plain ints: see the top of the file */
    atomic_int *flag;
    unsigned char *found;       /* found[i]: an enum outcome, written by the reader */
    struct meeting meeting;     /* litmus.h */
    unsigned long writer_done;  /* iterations each thread finished */
    unsigned long reader_done;
};

static void *writer(void *arg)
{
    struct batch *b = arg;
    struct rng rng;
    rng_seed(&rng, b->n);
    unsigned long i;
    for (i = 0; i < b->n && meet(&b->meeting, i); i++) {
        random_delay(&rng, DELAY);
        b->data[i] = 42;
        if (b->release)
            /* release: the store of data above becomes visible no later
             * than this store of flag; pairs with the reader's acquire. */
            atomic_store_explicit(&b->flag[i], 1, memory_order_release);
        else
            /* relaxed: orders nothing; flag may become visible first. */
            atomic_store_explicit(&b->flag[i], 1, memory_order_relaxed);
    }
    b->writer_done = i;
    return NULL;
}

static void *reader(void *arg)
{
    struct batch *b = arg;
    struct rng rng;
    rng_seed(&rng, b->n + 1);
    unsigned long i;
    for (i = 0; i < b->n && meet(&b->meeting, i); i++) {
        random_delay(&rng, DELAY);
        int r0;
        if (b->release)
            /* acquire: the read of data below comes after this load; if it
             * reads the writer's 1, it sees everything before its release. */
            r0 = atomic_load_explicit(&b->flag[i], memory_order_acquire);
        else
            /* relaxed: orders nothing; the read of data may see 0. */
            r0 = atomic_load_explicit(&b->flag[i], memory_order_relaxed);
        if (r0 == 1)
            /* In relaxed mode, the deliberate data race (see the top). */
            b->found[i] = b->data[i] == 42 ? SEEN_42 : SEEN_0;
        else
            b->found[i] = NOT_SEEN;
    }
    b->reader_done = i;
    return NULL;
}

/* Runs b's n iterations, and adds the outcomes of those both threads
 * finished to counts, and their number to *runs.  Returns 0 or
 * pthread_create's error. */
static int run_batch(struct batch *b, uint64_t deadline, unsigned long counts[OUTCOMES],
                     unsigned long *runs)
{
    /* The threads start after these stores (pthread_create orders them). */
    for (unsigned long i = 0; i < b->n; i++) {
        b->data[i] = 0;
        atomic_init(&b->flag[i], 0);
    }
    b->meeting = (struct meeting){ 0, false };
    int err = run_pair(writer, b, reader, b, &b->meeting, deadline);
    if (err != 0)
        return err;
    /* The threads have ended: found[] and the counts are ours to read. */
    unsigned long both = b->writer_done < b->reader_done ? b->writer_done : b->reader_done;
    for (unsigned long i = 0; i < both; i++)
        counts[b->found[i]]++;
    *runs += both;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: mp relaxed|release [ITERATIONS]\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        cli_bad_usage("mp", usage, "wants a mode, and at most a number of iterations");
    if (strcmp(argv[1], "relaxed") != 0 && strcmp(argv[1], "release") != 0)
        cli_bad_usage("mp", usage, "no mode called '%s'", argv[1]);
#ifdef LITMUS_TSAN
    unsigned long iterations = litmus_iterations("mp", usage, argc, argv, 10000);
#else
    unsigned long iterations = litmus_iterations("mp", usage, argc, argv, 1000000);
#endif

    static struct batch b;
    b.release = strcmp(argv[1], "release") == 0;
    b.data = malloc(BATCH * sizeof *b.data);
    b.flag = malloc(BATCH * sizeof *b.flag);
    b.found = malloc(BATCH);
    if (!b.data || !b.flag || !b.found) {
        fprintf(stderr, "mp: %s\n", strerror(ENOMEM));
        return 1;
    }
    unsigned long counts[OUTCOMES] = { 0 };
    unsigned long runs = 0;
    uint64_t t0 = now_ns();
    uint64_t deadline = t0 + SECONDS * 1000000000ull;
    for (unsigned long done = 0; done < iterations && now_ns() < deadline; done += BATCH) {
        b.n = iterations - done < BATCH ? iterations - done : BATCH;
        int err = run_batch(&b, deadline, counts, &runs);
        if (err != 0) {
            fprintf(stderr, "mp: %s\n", strerror(err));
            return 1;
        }
    }
    double seconds = (double)(now_ns() - t0) / 1e9;

    printf("mp %s: %s; %lu runs, %.1f s\n", argv[1],
           b.release ? "release store of flag, acquire load" : "relaxed store and load of flag",
           runs, seconds);
    if (runs < iterations)
        printf("  (stopped at %d s, short of %lu: the machine is busy with other work)\n",
               SECONDS, iterations);
    for (int o = 0; o < OUTCOMES; o++)
        printf("  %-18s %9lu  %s\n", outcome_name[o], counts[o], outcome_meaning[o]);
    if (b.release) {
        printf("  forbidden everywhere: the release keeps data = 42 before flag = 1, the\n"
               "  acquire that reads 1 keeps the read of data after it\n");
    } else {
#if defined(__x86_64__) || defined(__i386__)
        printf("  allowed, but x86 cannot show it: its stores become visible in order, and\n"
               "  loads are not reordered with loads, so 0 here; Arm and POWER can show it.\n"
               "  Caught anyway by: make litmus-tsan (the data race), make verify (mp.pml)\n");
#else
        printf("  allowed: nothing orders the two stores, nor the two loads; this machine\n"
               "  is not x86 and may show it (x86 cannot: its stores become visible in order)\n");
#endif
    }
    free(b.data);
    free(b.flag);
    free(b.found);
    return 0;
}
