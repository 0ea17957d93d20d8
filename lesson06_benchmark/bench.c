/*
 * bench.c: `make bench`, every scheduler in sched_all and the peers on the
 * same workloads (workloads.c), in one run, so that the ratios between them
 * are fair.  options.c reads the command line, wakeup.c runs the idle CPU
 * and wake-up tests, programs_bench.c the real programs, report.c prints
 * the tables (reference.c the last) and plot_data.c writes the files.
 *
 * METHOD
 * Rounds: in each, every contestant runs once, in a freshly shuffled order,
 * so drift (another process, frequency scaling) is spread over all of them.
 * For each run a fresh pool is created, warmed up with one untimed run, timed
 * for one run, and destroyed: no pool's idle workers compete with another
 * pool's timed run, and creating threads is never timed.  We report the
 * median (robust to the odd slow run), min and max, and n.  Each run checks
 * that every task ran, since a scheduler that drops tasks would look fast.
 * Rounds: 21, or, when a round is long, as many as fit in a few seconds, but
 * never fewer than 7 (--reps N fixes the number).
 * The sweep does flat, tree and fib again at other thread counts: 1, 2, 3,
 * ... 8, then doubling, up to the CPUs, and 2x and 4x the CPUs
 * (oversubscribed).
 * Wake-up: on a pool left quiet for 1 ms, one task spawned from a thread
 * that is not a worker; the time from spawn() to the task's start, the
 * process's CPU time over the whole test per wake-up (a pool that spins
 * before it sleeps wakes fast and pays here), and how many of the tasks
 * ran on the spawning thread (none, in the lessons; the peers, whose
 * submitting thread can run tasks, are set up so that it does not: see
 * peers/peer.h).
 * Idle CPU: the CPU time the process burns per second of quiet, at two
 * gaps: during the wake-up test's 1 ms gaps (the quiet a wake-up wakes
 * from), and from 20 ms after a workload on, over a second.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "options.h"
#include "rng.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "?"
#endif

static struct options opt;
static struct bench B;
static FILE *csv;               /* one row per timed run */

/* The peers bench knows, by program name, with the name in the tables. */
static const struct {
    const char *program, *name;
} peer_kinds[] = {
    { "peer-libgomp", "OpenMP tasks (gcc libgomp)" },
    { "peer-libomp", "OpenMP tasks (LLVM libomp)" },
    { "peer-onetbb", "oneTBB task_group" },
    { "peer-rayon", "rayon (join, scope)" },
    { "peer-crossbeam", "crossbeam-deque pool" },
    { "peer-go", "Go goroutines" },
};
enum { NPEER_KINDS = sizeof peer_kinds / sizeof peer_kinds[0] };

/* ---- one timed run ---- */

/* Runs `peer ARGS` and reads its one line of output into out[0..n-1].
 * Exits on failure: a peer that fails would make the table a lie. */
void run_peer(const char *peer, const char *args, unsigned long long *res, int n)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' %s", peer, args);
    FILE *f = popen(cmd, "r");
    int got = 0;
    if (f != NULL) {
        for (got = 0; got < n; got++)
            if (fscanf(f, "%llu", &res[got]) != 1)
                break;
        if (pclose(f) != 0)
            got = -1;
    }
    if (got != n) {
        fprintf(stderr, "bench: %s failed\n", cmd);
        exit(1);
    }
}

static void stats_delta(struct sched_stats *d, const struct sched_stats *a,
                        const struct sched_stats *b)
{
    d->spawned = b->spawned - a->spawned;
    d->executed = b->executed - a->executed;
    d->steals = b->steals - a->steals;
    d->steal_attempts = b->steal_attempts - a->steal_attempts;
    d->parks = b->parks - a->parks;
    d->steal_batches = b->steal_batches - a->steal_batches;
    d->steal_busy = b->steal_busy - a->steal_busy;
    d->unparks = b->unparks - a->unparks;
    d->wakeups_noop = b->wakeups_noop - a->wakeups_noop;
    d->searches_failed = b->searches_failed - a->searches_failed;
}

static void stats_add(struct sched_stats *sum, const struct sched_stats *d)
{
    sum->spawned += d->spawned;
    sum->executed += d->executed;
    sum->steals += d->steals;
    sum->steal_attempts += d->steal_attempts;
    sum->parks += d->parks;
    sum->steal_batches += d->steal_batches;
    sum->steal_busy += d->steal_busy;
    sum->unparks += d->unparks;
    sum->wakeups_noop += d->wakeups_noop;
    sum->searches_failed += d->searches_failed;
}

/* Creates a pool of `threads`, warms it up, times one run, destroys it.
 * Returns ns per task; *run gets the stats of the timed run alone. */
static double time_one(const struct entry *e, const struct workload *wl, unsigned threads,
                       struct sched_stats *run)
{
    *run = (struct sched_stats){ 0 };
    if (e->kind == PEER) {      /* the program warms up and times one run itself */
        char args[128];
        snprintf(args, sizeof args, "%s %u %lu", wl->name, threads, wl->size);
        unsigned long long ns;
        run_peer(e->peer, args, &ns, 1);
        return (double)ns / (double)expected_tasks(wl);
    }
    cur_sched = e->sched;
    cur_pool = NULL;
    bool pool = e->kind == POOL || e->kind == POOL_ONE;
    if (pool) {
        unsigned n = e->kind == POOL_ONE ? 1 : threads;
        cur_pool = e->sched->create(n);
        if (cur_pool == NULL) {
            fprintf(stderr, "bench: %s: create(%u): %s\n", e->name, n, strerror(errno));
            exit(1);
        }
        run_workload(wl, e->kind);  /* warm-up: grows the queues, wakes the workers */
    }
    struct sched_stats before = { 0 }, after = { 0 };
    if (pool)
        e->sched->stats(cur_pool, &before);

    reset_counts();
    uint64_t t0 = now_ns();
    run_workload(wl, e->kind);
    uint64_t t1 = now_ns();

    unsigned long ran;
    int err;
    if (check_run(wl, &ran, &err) != 0) {
        fprintf(stderr, "bench: %s on %s ran %lu of %lu tasks (spawn error %d)\n", e->name,
                wl->name, ran, expected_tasks(wl), err);
        exit(1);
    }
    if (pool) {
        e->sched->stats(cur_pool, &after);
        stats_delta(run, &before, &after);
        e->sched->destroy(cur_pool);
    }
    return (double)(t1 - t0) / (double)expected_tasks(wl);
}

/* ---- rounds ---- */

/* Whether entry e runs workload w: in the table, or in the sweep (pools
 * and peers only, at every thread count). */
bool takes_part(const struct entry *e, enum workload_id w, bool sweep, const char *only_sched)
{
    if (e->sched != NULL && only_sched != NULL && strcmp(e->sched->name, only_sched) != 0)
        return false;
    if (sweep)
        return (e->kind == POOL && (w != FIB || e->sched->join != NULL)) ||
               (e->kind == PEER && only_sched == NULL);
    switch (e->kind) {
    case SERIAL:
        return true;
    case SERIAL_CALLS:
        return w == FIB;
    case THREAD_PER_TASK:
        return w == FLAT;
    case PEER:
        return only_sched == NULL && w != FIND_ANY;     /* the peers have no find_any */
    case POOL_ONE:
        return w == FIB;
    case POOL:
        return w != FIB || e->sched->join != NULL;
    }
    return false;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double sort_median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void shuffle_runs(unsigned *order, unsigned n, struct rng *rng)
{
    for (unsigned i = n; i > 1; i--) {      /* Fisher-Yates: order[i - 1] gets one of i */
        unsigned j = (unsigned)rng_below(rng, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

static void summarise(struct cell *c, double *v, unsigned n)
{
    c->n = n;
    c->med = sort_median(v, n);
    c->min = v[0];
    c->q1 = v[n / 4];
    c->q3 = v[(3 * n) / 4];
    c->max = v[n - 1];
}

/* Times workload w in rounds: for the table, every contestant with
 * opt.threads workers; for the sweep, every pool and peer at every thread
 * count, all in the same rounds, so that T1 / Tp divides times taken side
 * by side. */
static void measure(enum workload_id w, bool sweep, struct rng *rng)
{
    const struct workload *wl = sweep ? &B.sweep_workloads[w] : &B.workloads[w];
    unsigned max_reps = opt.reps ? opt.reps : 21, min_reps = opt.reps ? opt.reps : 7;
    /* adaptive: stop after this many seconds, from round 7 on */
    double budget_s = sweep ? 1.5 * B.nconfigs : 4;
    /* the runs of a round: (contestant, thread count) pairs */
    unsigned npairs = 0, max_pairs = B.nentries * B.nconfigs;
    unsigned *pair_e = calloc(max_pairs, sizeof *pair_e), *pair_c = calloc(max_pairs, sizeof *pair_c);
    unsigned *order = calloc(max_pairs, sizeof *order);
    double *ns = calloc((size_t)max_pairs * max_reps, sizeof *ns);
    if (pair_e == NULL || pair_c == NULL || order == NULL || ns == NULL) {
        perror("bench");
        exit(1);
    }
    for (unsigned i = 0; i < B.nentries; i++)
        for (unsigned c = 0; c < B.nconfigs; c++)
            if ((sweep || c == B.main_config) && takes_part(&B.entries[i], w, sweep, opt.sched)) {
                pair_e[npairs] = i;
                pair_c[npairs] = c;
                order[npairs] = npairs;
                npairs++;
            }
    bool progress = isatty(STDERR_FILENO);     /* a progress line, for people watching */
    uint64_t start = now_ns();
    unsigned r;
    for (r = 0; r < max_reps; r++) {
        if (r >= min_reps && (double)(now_ns() - start) / 1e9 > budget_s)
            break;
        if (w == FIND_ANY)      /* the same place for everyone in a round */
            find_any_place((unsigned long)rng_below(rng, wl->size));
        shuffle_runs(order, npairs, rng);
        for (unsigned k = 0; k < npairs; k++) {
            unsigned p = order[k], threads = B.threads[pair_c[p]];
            struct entry *e = &B.entries[pair_e[p]];
            struct cell *cell = sweep ? &e->sweep[w][pair_c[p]] : &e->table[w];
            if (progress)
                fprintf(stderr, "\r  %s%s, %u threads: round %u, %-28s", wl->name,
                        sweep ? " (sweep)" : "", threads, r + 1, e->name);
            struct sched_stats run;
            double t = time_one(e, wl, threads, &run);
            ns[(size_t)p * max_reps + r] = t;
            stats_add(&cell->stats, &run);
            if (csv != NULL)
                fprintf(csv, "%s,%s,%s,%u,%lu,%u,%.3f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n",
                        wl->name, sweep ? "sweep" : "table", e->name,
                        e->kind == POOL || e->kind == PEER ? threads : 1, expected_tasks(wl), r, t,
                        (unsigned long long)run.executed, (unsigned long long)run.steals,
                        (unsigned long long)run.steal_batches,
                        (unsigned long long)run.steal_attempts, (unsigned long long)run.steal_busy,
                        (unsigned long long)run.parks, (unsigned long long)run.unparks,
                        (unsigned long long)run.wakeups_noop,
                        (unsigned long long)run.searches_failed);
        }
    }
    if (progress)
        fprintf(stderr, "\r%78s\r", "");
    for (unsigned p = 0; p < npairs; p++) {
        struct entry *e = &B.entries[pair_e[p]];
        summarise(sweep ? &e->sweep[w][pair_c[p]] : &e->table[w], ns + (size_t)p * max_reps, r);
    }
    free(pair_e);
    free(pair_c);
    free(order);
    free(ns);
}

/* ---- main ---- */

static void add_entries(void)
{
    unsigned nsched = 0, njoin = 0;
    while (sched_all[nsched] != NULL)
        njoin += sched_all[nsched++]->join != NULL;
    B.entries = calloc(3 + nsched + njoin + NPEER_KINDS, sizeof *B.entries);
    if (B.entries == NULL) {
        perror("bench");
        exit(1);
    }
    unsigned n = 0;
    B.entries[n++] = (struct entry){ .name = "serial", .kind = SERIAL };
    /* fib's baseline: a call per node, the calls join makes (workloads.c) */
    B.entries[n++] = (struct entry){ .name = "serial (a call per node)", .kind = SERIAL_CALLS };
    if (opt.thread_per_task)
        B.entries[n++] = (struct entry){ .name = "thread per task", .kind = THREAD_PER_TASK };
    for (unsigned i = 0; i < nsched; i++)
        B.entries[n++] = (struct entry){ .name = sched_all[i]->name, .kind = POOL,
                                         .sched = sched_all[i] };
    for (unsigned i = 0; i < nsched; i++)   /* 1-worker twins, for fib's T1 */
        if (sched_all[i]->join != NULL)
            B.entries[n++] = (struct entry){ .name = sched_all[i]->name, .kind = POOL_ONE,
                                             .sched = sched_all[i] };
    /* the peers that were built (make bench builds what it can) */
    for (unsigned k = 0; opt.peers != NULL && k < NPEER_KINDS; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", opt.peers, peer_kinds[k].program);
        char *copy = access(path, X_OK) == 0 ? strdup(path) : NULL;
        if (copy != NULL)
            B.entries[n++] = (struct entry){ .name = peer_kinds[k].name, .kind = PEER,
                                             .peer = copy };
    }
    for (unsigned i = 0; i < n; i++) {
        B.entries[i].idle_ms = B.entries[i].idle_gap_ms = B.entries[i].wake_cpu_us = -1;
        for (int k = 0; k < 3; k++)
            B.entries[i].wake_us[k] = -1;
    }
    B.nentries = n;
}

FILE *open_in(const char *dir, const char *name, const char *mode)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    if (f == NULL)
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

int main(int argc, char **argv)
{
    parse_options(argc, argv, &opt, &B);
    thread_counts(&B, &opt);
    add_entries();
    char tree_about[80], fib_about[96];
    snprintf(tree_about, sizeof tree_about,
             "a binary tree of tasks, each spawning its two children (depth %u)", opt.tree_depth);
    snprintf(fib_about, sizeof fib_about,
             "fork-join fib(%u), one join per call (on schedulers with join)", opt.fib_n);
    struct workload wl[NWORKLOADS] = {
        { FLAT, "flat", "the main thread spawns trivial tasks, then waits", opt.tasks },
        { SPAWN_INSIDE, "spawn_inside",
          "one task spawns trivial tasks inside the pool, then the main thread waits", opt.tasks },
        { TREE, "tree", tree_about, opt.tree_depth },
        { FIB, "fib", fib_about, opt.fib_n },
        { IMBALANCED, "imbalanced", "tasks of 1 us, every 100th of 100 us, spawned by the main "
                                    "thread", 10000 },     /* 21 ms serial: not --tasks */
        { FIND_ANY, "find_any", "search for the one match (a new place each round) and stop; "
                                "a task per 4,096 elements", opt.find_elements },
    };
    memcpy(B.workloads, wl, sizeof wl);
    /* The sweep's fib is 5 smaller (11 times fewer calls): a run of
     * fib(30) on libgomp takes a second, and the sweep has 4 runs of every
     * contestant per round.  T1 / Tp is a ratio, and fib(25)'s 243,000 calls
     * still have far more parallelism than any machine's cores. */
    memcpy(B.sweep_workloads, wl, sizeof wl);
    if (opt.fib_n > 15)
        B.sweep_workloads[FIB].size = opt.fib_n - 5;
    if (find_any_setup(opt.find_elements) != 0) {
        perror("bench: find_any");
        return 1;
    }
    B.sweep[FLAT] = B.sweep[TREE] = B.sweep[FIB] = true;

    if (mkdir(opt.out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench: cannot make %s: %s\n", opt.out_dir, strerror(errno));
        return 1;
    }
    B.txt = open_in(opt.out_dir, "bench.txt", "w");
    csv = open_in(opt.out_dir, "runs.csv", "w");
    if (csv != NULL)
        fprintf(csv, "workload,part,scheduler,threads,tasks,rep,ns_per_task,"
                     "executed,steals,steal_batches,steal_attempts,steal_busy,parks,"
                     "unparks,wakeups_noop,searches_failed\n");

    char cpu[128] = "unknown CPU", line[256], date[32];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            snprintf(cpu, sizeof cpu, "%s", colon + 2);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    out(&B, "machine: %s, %u CPUs; compiler: %s %s; %s\n", cpu, B.cpus,
#ifdef __clang__
        "clang",
#else
        "gcc",
#endif
        __VERSION__ " " BENCH_CFLAGS, date);
    /* make bench sets BENCH_COMMIT to the commit the sources came from
     * (with -dirty when they differ from it), so a results folder says
     * which code it measured. */
    const char *commit = getenv("BENCH_COMMIT");
    if (commit != NULL && commit[0] != '\0')
        out(&B, "commit: %s\n", commit);

    struct rng rng;
    rng_seed(&rng, (uint64_t)now);
    for (int w = 0; w < NWORKLOADS; w++) {
        if (opt.only != NULL && strcmp(opt.only, B.workloads[w].name) != 0)
            continue;
        measure(w, false, &rng);
        print_table(&B, w);
    }
    run_programs(&B, &opt, &rng);       /* nqueens, sort, reduce: programs_bench.c */
    B.wakeups = opt.wakeups;
    B.idle_seconds = opt.idle_seconds;
    if (opt.idle_seconds > 0 || opt.wakeups > 0) {
        measure_idle_and_wakeups(&B, &opt);
        if (opt.wakeups > 0)
            print_wakeups(&B);
        print_idle(&B);
    }
    for (int w = 0; w < NWORKLOADS && B.nconfigs > 1; w++) {
        if (!B.sweep[w] || (opt.only != NULL && strcmp(opt.only, B.workloads[w].name) != 0))
            continue;
        measure(w, true, &rng);
        print_sweep(&B, w);
    }
    bool only_a_program = true;     /* --workload names a real program: no summary */
    for (int w = 0; w < NWORKLOADS; w++)
        only_a_program &= opt.only != NULL && strcmp(opt.only, B.workloads[w].name) != 0;
    if (!only_a_program) {
        print_summary(&B);
        print_reference(&B, opt.reference, opt.out_dir);
    }

    if (csv != NULL)
        fclose(csv);
    if (write_plot_data(&B, opt.out_dir) != 0)
        fprintf(stderr, "bench: cannot write the plot data in %s: %s\n", opt.out_dir,
                strerror(errno));
    out(&B, "\nraw runs: %s/runs.csv; medians: %s/summary.csv\n", opt.out_dir, opt.out_dir);
    if (B.txt != NULL)
        fclose(B.txt);
    return 0;
}
