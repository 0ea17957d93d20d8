/*
 * bench.h: what bench.c (who runs, how often) and report.c (tables, CSV,
 * plot data) share: the contestants and what was measured of them.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdio.h>

#include "scheduler.h"
#include "workloads.h"

enum { MAX_CONFIGS = 16 };      /* thread counts in one run (the sweep) */

/* One contestant on one workload at one thread count, over its runs. */
struct cell {
    unsigned n;                 /* timed runs; 0: did not take part */
    double med, min, q1, q3, max;   /* ns per task */
    struct sched_stats stats;   /* summed over the timed runs */
};

struct entry {
    const char *name;
    enum kind kind;
    const struct scheduler *sched;  /* POOL, POOL_ONE */
    const char *peer;           /* PEER: the program's path */
    struct cell table[NWORKLOADS];  /* the tables: with threads[main_config] */
    struct cell sweep[NWORKLOADS][MAX_CONFIGS];     /* the sweep: threads[c] */
    double idle_ms;             /* CPU ms per idle second; < 0: not measured */
    double wake_us[3];          /* wake-up median, p99, max; < 0: not measured */
};

struct bench {
    struct workload workloads[NWORKLOADS];
    struct workload sweep_workloads[NWORKLOADS];    /* the same, but a smaller fib */
    struct entry *entries;
    unsigned nentries;
    unsigned threads[MAX_CONFIGS];  /* the thread counts, ascending */
    unsigned nconfigs;
    unsigned main_config;       /* threads[main_config]: --threads, the tables' */
    unsigned cpus;
    bool sweep[NWORKLOADS];     /* workloads run at every thread count */
    FILE *txt;                  /* a copy of what is printed */
};

/* printf, to stdout and to b->txt. */
void out(const struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The block for workload w at the main thread count. */
void print_table(const struct bench *b, enum workload_id w);

/* The sweep of workload w: one row per contestant, a column per thread count. */
void print_sweep(const struct bench *b, enum workload_id w);

/* One line per contestant: the headline figures side by side. */
void print_summary(const struct bench *b);

/* The files gnuplot draws from (lesson06_benchmark/plot.gp), and
 * summary.csv, into directory dir.  Returns 0, or -1 with errno. */
int write_plot_data(const struct bench *b, const char *dir);

#endif
