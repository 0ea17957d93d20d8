/*
 * bench.h: what bench.c (who runs, how often), wakeup.c (idle CPU and
 * wake-up latency), report.c (tables), reference.c (the last table) and
 * plot_data.c (CSV, plot data) share: the contestants, what was measured
 * of them, and the few helpers more than one of those files calls.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdio.h>

#include "scheduler.h"
#include "workloads.h"

/* "worker" or "workers", for "%u %s" in the report. */
static inline const char *workers_word(unsigned n)
{
    return n == 1 ? "worker" : "workers";
}

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
    /* Idle CPU, in CPU ms per second of quiet; < 0: not measured.
     * idle_gap_ms: during the wake-up test's 1 ms gaps, the quiet the
     * wake-ups wake from; idle_ms: from 20 ms of quiet on, over --idle. */
    double idle_gap_ms, idle_ms;
    double wake_us[3];          /* wake-up median, p99, max; < 0: not measured */
    double wake_cpu_us;         /* process CPU over the wake-up test, per wake-up */
    unsigned wake_on_caller;    /* timed tasks that ran on the submitting thread */
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
    unsigned wakeups;           /* timed wake-ups per contestant */
    double idle_seconds;        /* how long idle CPU was measured */
    FILE *txt;                  /* a copy of what is printed */
};

/* The wake-up test's quiet gap before each wake-up, in milliseconds, and
 * how long the pool is left before idle CPU is measured over --idle. */
enum { WAKE_GAP_MS = 1, IDLE_AFTER_MS = 20 };

/* The reference run the last table compares with by default: the book's. */
#define REFERENCE_DIR "lesson06_benchmark/results/reference"

struct options;                 /* options.h */
struct rng;                     /* rng.h */

/* ---- bench.c ---- */

/* Runs `peer ARGS`, reads n numbers from its output into res; exits on failure. */
void run_peer(const char *peer, const char *args, unsigned long long *res, int n);

/* Whether e runs w (in the table, or the sweep); only_sched: --sched, or NULL. */
bool takes_part(const struct entry *e, enum workload_id w, bool sweep, const char *only_sched);

/* The rounds' order: order[0..n) shuffled, every order equally likely. */
void shuffle_runs(unsigned *order, unsigned n, struct rng *rng);

/* Sorts v[0..n) ascending and returns its median. */
double sort_median(double *v, unsigned n);

/* DIR/NAME opened with mode, or NULL, said on stderr. */
FILE *open_in(const char *dir, const char *name, const char *mode);

/* ---- plot_data.c ---- */

/* A name gnuplot can show: "lesson03_trylock_steal" -> "lesson03 trylock steal". */
void plot_label(char *buf, size_t size, const char *name);

/* ---- wakeup.c ---- */

/* Fills every pool's and peer's idle and wake-up figures, as opt asks. */
void measure_idle_and_wakeups(struct bench *b, const struct options *opt);

/* ---- report.c: what it prints, and helpers reference.c and plot_data.c share ---- */

/* e's cell in workload w's table, or NULL when e did not take part. */
const struct cell *table_of(const struct entry *e, enum workload_id w);

/* e's cell in w's sweep with threads[c] workers, or NULL. */
const struct cell *sweep_of(const struct entry *e, enum workload_id w, unsigned c);

/* The sweep's figure for e at threads[c]: T1 / Tp, or ns per task on flat; 0: none. */
double sweep_value(const struct bench *b, const struct entry *e, enum workload_id w,
                   unsigned c);

/* The ratio column of w's table for a median m (see its heading); 0: no baseline. */
double ratio(const struct bench *b, enum workload_id w, double m);

/* fmt (one double) of v into buf, or "" when v < 0 (not measured). */
void fmt_or_blank(char *buf, size_t size, const char *fmt, double v);


/* printf, to stdout and to b->txt. */
void out(const struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The block for workload w at the main thread count. */
void print_table(const struct bench *b, enum workload_id w);

/* The sweep of workload w: one row per contestant, a column per thread count. */
void print_sweep(const struct bench *b, enum workload_id w);

/* The wake-up test: latency, CPU per wake-up, where the task ran. */
void print_wakeups(const struct bench *b);

/* Idle CPU after a 1 ms gap and after 20 ms. */
void print_idle(const struct bench *b);

/* One line per contestant: the headline figures side by side. */
void print_summary(const struct bench *b);

/* ---- reference.c ---- */

/* Each lesson's time over lesson04's (flat: lesson01's) on every
 * workload, from this run, beside the same ratios from the reference run
 * whose summary.csv is in dir.  One line instead when that file cannot be
 * read, or when this run is written into dir (out_dir): it is the new
 * reference. */
void print_reference(const struct bench *b, const char *dir, const char *out_dir);

/* ---- programs_bench.c ---- */

/* The real programs (programs.h), as opt asks: times them on serial, every
 * pool and every peer, prints a table each, and writes programs.csv,
 * programs-runs.csv and program-*.dat into opt->out_dir. */
void run_programs(const struct bench *b, const struct options *opt, struct rng *rng);

/* ---- plot_data.c ---- */

/* The files gnuplot draws from (lesson06_benchmark/plot.gp), summary.csv
 * and wakeup.csv, into directory dir.  Returns 0, or -1 with errno. */
int write_plot_data(const struct bench *b, const char *dir);

#endif
