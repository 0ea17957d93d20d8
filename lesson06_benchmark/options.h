/*
 * options.h: bench's command line, as options.c reads it; bench.c and
 * wakeup.c run what it asks for.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>

struct bench;

enum { MAX_GRAINS = 8 };        /* grains (or cut-offs) per real program */

/* A real program's grains: v[0] is the tables' (the first given), the rest
 * are the sweep's; all distinct. */
struct grains {
    unsigned long v[MAX_GRAINS];
    unsigned n;
};

/* What the command line asked for (defaults in parse_options). */
struct options {
    unsigned threads;
    unsigned reps;              /* 0: adaptive, 7 to 21 */
    unsigned long tasks;
    unsigned long find_elements;
    unsigned tree_depth;
    unsigned fib_n;
    double idle_seconds;
    unsigned wakeups;
    bool thread_per_task;
    const char *only;           /* run just this workload */
    const char *sched;          /* run just this scheduler (and serial) */
    const char *out_dir;
    const char *peers;          /* directory of peer programs, or NULL */
    const char *reference;      /* the reference run's directory (summary.csv) */
    const char *sweep;          /* "auto", "none" or a list: 1,2,8 */
    /* the real programs (programs.h): sizes, and grains (nqueens: cut-offs) */
    unsigned long nq_n, sort_n, reduce_n;
    struct grains cutoffs, sort_grains, reduce_grains;
};

/* Fills *opt from the command line, and b->cpus (the CPUs online, the
 * default --threads).  A bad command line exits 2 with the usage. */
void parse_options(int argc, char **argv, struct options *opt, struct bench *b);

/* Fills b->threads, b->nconfigs and b->main_config from opt->threads and
 * opt->sweep; needs b->cpus.  A bad --sweep exits 2 with the usage. */
void thread_counts(struct bench *b, const struct options *opt);

#endif
