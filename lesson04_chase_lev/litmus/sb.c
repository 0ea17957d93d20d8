/*
 * sb.c: store buffering, the one reordering that x86 does.
 *
 *   x = y = 0
 *   thread A:  x = 1;  r0 = y;        thread B:  y = 1;  r1 = x;
 *
 * Read as a program, at least one thread must read 1: whichever store runs
 * first comes before the other thread's load.  But a core does not wait for
 * its store to reach the cache: the store waits in the core's store buffer,
 * and the load after it goes ahead and reads the cache.  If both cores do
 * that at once, both read 0.  The C11 memory orderings say when that is
 * allowed; this program shows it happening.
 *
 *   sb MODE [ITERATIONS]     MODE: relaxed, acq_rel, fence or seq_cst
 *                            ITERATIONS: 1000000 by default (20000 under
 *                            ThreadSanitizer), or as many as fit in
 *                            2 s (SECONDS) on a machine busy with other work
 *
 * It prints how often each outcome (r0,r1) happened.  The test and its
 * harness are in sb_kernel.c, which ../litmus_test.c runs as well.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "litmus.h"
#include "sb_kernel.h"

enum { SECONDS = 2 };

/* What each mode is, and what it lets (0,0) do. */
static const char *const what[SB_MODES] = {
    "relaxed stores and loads",
    "release stores, acquire loads",
    "relaxed, with atomic_thread_fence(seq_cst) between store and load",
    "seq_cst stores and loads",
};
static const char *const verdict[SB_MODES][2] = {
    { "(0,0) allowed: nothing keeps a load after an earlier store", NULL },
    { "(0,0) allowed: release keeps a store after EARLIER accesses, acquire keeps a",
      "load before LATER ones; neither keeps a store before a later load" },
    { "(0,0) forbidden: the two fences are in one order, S; the load after the later",
      "one sees the store before the earlier (on x86 the fence drains the store buffer)" },
    { "(0,0) forbidden: all seq_cst accesses fall in one order that keeps each",
      "thread's own order; the load after the second store sees the first" },
};
static const char *const meaning[2][2] = {
    { "both read 0: each store still in its core's store buffer",
      "A read before B's store arrived; B saw A's store" },
    { "B read before A's store arrived; A saw B's store", "both stores arrived before both loads" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sb relaxed|acq_rel|fence|seq_cst [ITERATIONS]\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        cli_bad_usage("sb", usage, "wants a mode, and at most a number of iterations");
    enum sb_mode mode = SB_MODES;
    for (int m = 0; m < SB_MODES; m++)
        if (strcmp(argv[1], sb_mode_name[m]) == 0)
            mode = m;
    if (mode == SB_MODES)
        cli_bad_usage("sb", usage, "no mode called '%s'", argv[1]);
#ifdef LITMUS_TSAN
    unsigned long iterations = litmus_iterations("sb", usage, argc, argv, 20000);
#else
    unsigned long iterations = litmus_iterations("sb", usage, argc, argv, 1000000);
#endif

    struct sb_counts c;
    uint64_t t0 = now_ns();
    int err = sb_run(mode, iterations, SECONDS, &c);
    if (err == ENOTSUP) {
        printf("sb %s: left out under ThreadSanitizer, which does not model fences\n",
               sb_mode_name[mode]);
        return 0;
    }
    if (err != 0) {
        fprintf(stderr, "sb: %s\n", strerror(err));
        return 1;
    }
    double seconds = (double)(now_ns() - t0) / 1e9;

    printf("sb %s: %s; %lu runs, %.1f s\n", sb_mode_name[mode], what[mode], c.runs, seconds);
    if (c.runs < iterations)
        printf("  (stopped at %d s, short of %lu: the machine is busy with other work)\n",
               SECONDS, iterations);
    for (int r0 = 0; r0 < 2; r0++)
        for (int r1 = 0; r1 < 2; r1++)
            printf("  (r0,r1) = (%d,%d) %9lu  %s\n", r0, r1, c.n[r0][r1], meaning[r0][r1]);
    for (int i = 0; i < 2 && verdict[mode][i]; i++)
        printf("  %s\n", verdict[mode][i]);
    return 0;
}
