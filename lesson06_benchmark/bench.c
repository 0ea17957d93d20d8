/*
 * bench.c: `make bench`, every scheduler in sched_all and the peers on the
 * same workloads (workloads.c), in one run, so that the ratios between them
 * are fair.  report.c prints the tables and writes the files.
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
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "bench.h"
#include "clock.h"
#include "rng.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "?"
#endif

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
};

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
};
enum { NPEER_KINDS = sizeof peer_kinds / sizeof peer_kinds[0] };

/* ---- one timed run ---- */

/* Runs `peer ARGS` and reads its one line of output into out[0..n-1].
 * Exits on failure: a peer that fails would make the table a lie. */
static void run_peer(const char *peer, const char *args, unsigned long long *res, int n)
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
static bool takes_part(const struct entry *e, enum workload_id w, bool sweep)
{
    if (e->sched != NULL && opt.sched != NULL && strcmp(e->sched->name, opt.sched) != 0)
        return false;
    if (sweep)
        return (e->kind == POOL && (w != FIB || e->sched->join != NULL)) ||
               (e->kind == PEER && opt.sched == NULL);
    switch (e->kind) {
    case SERIAL:
        return true;
    case SERIAL_CALLS:
        return w == FIB;
    case THREAD_PER_TASK:
        return w == FLAT;
    case PEER:
        return opt.sched == NULL && w != FIND_ANY;     /* the peers have no find_any */
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

static void summarise(struct cell *c, double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    c->n = n;
    c->med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
            if ((sweep || c == B.main_config) && takes_part(&B.entries[i], w, sweep)) {
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
        for (unsigned i = npairs - 1; i > 0; i--) {     /* Fisher-Yates shuffle */
            unsigned j = (unsigned)rng_below(rng, i + 1);
            unsigned t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
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

/* ---- idle CPU and wake-up latency ---- */

/* The CPU time of the whole process, every thread, in ns.  A thread
 * running on another core has its time brought up to date at the
 * scheduler's tick, so one reading may lag by a tick; summed over many
 * readings the lag averages out. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU milliseconds the process burns per second while a pool sits idle,
 * from IDLE_AFTER_MS after a workload on, over opt.idle_seconds. */
static double idle_cpu(const struct scheduler *s)
{
    struct workload wl = { FLAT, "flat", "", 1000 };
    cur_sched = s;
    cur_pool = s->create(opt.threads);
    if (cur_pool == NULL)
        return -1;
    run_workload(&wl, POOL);
    sleep_ms(IDLE_AFTER_MS);    /* let the workers run out of things to look at */
    uint64_t c0 = cpu_ns(), t0 = now_ns();
    sleep_ms((unsigned)(opt.idle_seconds * 1000));
    uint64_t c1 = cpu_ns(), t1 = now_ns();
    s->destroy(cur_pool);
    return (double)(c1 - c0) / 1e6 / ((double)(t1 - t0) / 1e9);
}

enum { WAKE_WARMUP = 10 };      /* untimed wake-ups before the timed ones */

static pthread_t submitter;     /* the thread that spawns the timed tasks */
static _Atomic uint64_t task_started;
static atomic_bool started_on_caller;

/* The timed task: notes when it started, and whether on the submitting
 * thread.  relaxed (both stores): wait() orders them before the main
 * thread's loads.  submitter was written before the pool was created. */
static void note_start(void *arg)
{
    (void)arg;
    atomic_store_explicit(&task_started, now_ns(), memory_order_relaxed);
    atomic_store_explicit(&started_on_caller, pthread_equal(pthread_self(), submitter) != 0,
                          memory_order_relaxed);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Fills e's wake-up figures from the sorted latencies lat[0..n-1]. */
static void note_latencies(struct entry *e, const uint64_t *lat, unsigned n)
{
    unsigned at[3] = { n / 2, n * 99 / 100, n - 1 };
    for (int k = 0; k < 3; k++)
        e->wake_us[k] = (double)lat[at[k]] / 1e3;
}

/* The wake-up test on a fresh pool of opt.threads workers: WAKE_WARMUP
 * untimed rounds, then opt.wakeups timed ones.  A round leaves the pool
 * quiet for WAKE_GAP_MS, spawns one task from the main thread (not a
 * worker) and waits for it.  Fills e's latency (spawn() to the task's first
 * instruction), CPU per wake-up (the process's CPU over all timed rounds,
 * gaps included), idle CPU during the gaps, and how many tasks ran on the
 * main thread.  lat: room for opt.wakeups.  Returns 0, or the errno value
 * of create() or spawn() when the pool cannot be created or refuses. */
static int wake_test(struct entry *e, uint64_t *lat)
{
    const struct scheduler *s = e->sched;
    struct workload wl = { FLAT, "flat", "", 1000 };
    submitter = pthread_self();
    cur_sched = s;
    cur_pool = s->create(opt.threads);
    if (cur_pool == NULL)
        return errno;
    run_workload(&wl, POOL);
    uint64_t cpu0 = 0, gap_cpu = 0, gap_wall = 0;
    unsigned on_caller = 0;
    for (unsigned i = 0; i < WAKE_WARMUP + opt.wakeups; i++) {
        if (i == WAKE_WARMUP)
            cpu0 = cpu_ns();
        uint64_t g0 = now_ns(), c0 = cpu_ns();
        sleep_ms(WAKE_GAP_MS);
        uint64_t c1 = cpu_ns(), g1 = now_ns();
        uint64_t t0 = now_ns();
        int err = s->spawn(cur_pool, note_start, NULL);
        if (err != 0) {
            s->destroy(cur_pool);
            return err;
        }
        s->wait(cur_pool);
        if (i < WAKE_WARMUP)
            continue;
        gap_cpu += c1 - c0;
        gap_wall += g1 - g0;
        /* relaxed: wait() orders note_start's stores before these loads. */
        lat[i - WAKE_WARMUP] = atomic_load_explicit(&task_started, memory_order_relaxed) - t0;
        on_caller += atomic_load_explicit(&started_on_caller, memory_order_relaxed);
    }
    uint64_t cpu = cpu_ns() - cpu0;
    s->destroy(cur_pool);
    qsort(lat, opt.wakeups, sizeof *lat, cmp_u64);
    note_latencies(e, lat, opt.wakeups);
    e->wake_cpu_us = (double)cpu / 1e3 / opt.wakeups;
    e->idle_gap_ms = (double)gap_cpu / 1e6 / ((double)gap_wall / 1e9);
    e->wake_on_caller = on_caller;
    return 0;
}

static void measure_idle_and_wakeups(void)
{
    bool progress = isatty(STDERR_FILENO);
    uint64_t *lat = malloc((opt.wakeups ? opt.wakeups : 1) * sizeof *lat);
    if (lat == NULL) {
        perror("bench");
        exit(1);
    }
    for (unsigned i = 0; i < B.nentries; i++) {
        struct entry *e = &B.entries[i];
        if ((e->kind != POOL && e->kind != PEER) || !takes_part(e, FLAT, false))
            continue;
        if (progress)
            fprintf(stderr, "\r  idle and wake-up: %-28s", e->name);
        char args[64];
        if (opt.idle_seconds > 0 && e->kind == POOL) {
            e->idle_ms = idle_cpu(e->sched);
        } else if (opt.idle_seconds > 0) {
            unsigned long long tenths;  /* the peer prints ms with one decimal: read x10 */
            snprintf(args, sizeof args, "idle %u %u", opt.threads,
                     (unsigned)(opt.idle_seconds * 1000));
            run_peer(e->peer, args, &tenths, 1);
            e->idle_ms = (double)tenths / 10;
        }
        if (opt.wakeups > 0 && e->kind == POOL) {
            int err = wake_test(e, lat);
            if (err != 0)
                fprintf(stderr, "bench: %s: the wake-up test failed: %s\n", e->name,
                        strerror(err));
        } else if (opt.wakeups > 0) {
            /* median, p99, max (ns), CPU ns per wake-up, CPU us per second
             * of the gaps, tasks that ran on the submitting thread */
            unsigned long long res[6];
            snprintf(args, sizeof args, "wake %u %u", opt.threads, opt.wakeups);
            run_peer(e->peer, args, res, 6);
            e->wake_us[0] = (double)res[0] / 1e3;
            e->wake_us[1] = (double)res[1] / 1e3;
            e->wake_us[2] = (double)res[2] / 1e3;
            e->wake_cpu_us = (double)res[3] / 1e3;
            e->idle_gap_ms = (double)res[4] / 1e3;
            e->wake_on_caller = (unsigned)res[5];
        }
    }
    if (progress)
        fprintf(stderr, "\r%78s\r", "");
    free(lat);
}

/* ---- options ---- */

/* The synopsis and what each option means, to f. */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench [--threads N] [--sweep auto|none|N,N,...] [--reps N]\n"
            "             [--workload NAME] [--sched NAME] [--tasks N] [--tree-depth N]\n"
            "             [--fib N] [--find N] [--idle SECONDS] [--wakeups N]\n"
            "             [--thread-per-task] [--shared-counter] [--peers DIR] [--out DIR]\n"
            "             [--reference DIR] [-h|--help]\n"
            "  --threads N      workers per pool in the full tables (default: the CPUs)\n"
            "  --sweep LIST     thread counts at which flat, tree and fib run again;\n"
            "                   auto (default): 1, 2, 3, ... 8, 16, ... up to the CPUs,\n"
            "                   then 2x and 4x the CPUs; none: no sweep\n"
            "  --reps N         timed runs per contestant (default: 21, fewer, down to 7,\n"
            "                   for workloads whose rounds take long)\n"
            "  --workload NAME  flat, spawn_inside, tree, fib, imbalanced or find_any\n"
            "                   (default: all)\n"
            "  --sched NAME     only this scheduler (and serial), e.g. for perf\n"
            "  --tasks N        tasks per run of flat and spawn_inside (default 10000)\n"
            "  --tree-depth N   depth of the tree workload (default 13: 16,383 tasks)\n"
            "  --fib N          n for the fib workload (default 30)\n"
            "  --find N         elements find_any searches (default 1048576)\n"
            "  --idle SECONDS   how long to measure idle CPU (default 1; 0 skips it)\n"
            "  --wakeups N      wake-ups to time on an idle pool (default 1000; 0 skips)\n"
            "  --thread-per-task  add the no-pool baseline to flat: a thread per task\n"
            "  --shared-counter   every task increments one shared counter, not its\n"
            "                   worker's own (to see what that contention costs)\n"
            "  --peers DIR      also run the peer programs found in DIR (peer-libgomp,\n"
            "                   peer-libomp, peer-onetbb: other runtimes, same workloads)\n"
            "  --out DIR        where runs.csv, summary.csv, wakeup.csv, bench.txt and the\n"
            "                   plot data go (default lesson06_benchmark/results/latest)\n"
            "  --reference DIR  the run whose ratios the last table puts beside this\n"
            "                   run's: a directory with its summary.csv (default\n"
            "                   lesson06_benchmark/results/reference, the book's)\n"
            "  -h, --help       this text\n");
}

/* A bad command line: one line saying what is wrong, the usage, exit 2. */
#define bad_usage(...) cli_bad_usage("bench", usage, __VA_ARGS__)

/* s as a whole number from min to max, or a bad_usage() naming opt_name. */
static unsigned long parse_count(const char *opt_name, const char *s, unsigned long min,
                                 unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '-' || *s == '\0' || errno != 0 || *end != '\0' || v < min || v > max)
        bad_usage("%s wants a whole number from %lu to %lu, not '%s'", opt_name, min, max, s);
    return v;
}

static const char *workload_names[NWORKLOADS] = { "flat", "spawn_inside", "tree", "fib",
                                                  "imbalanced", "find_any" };

enum {
    OPT_THREADS = 256, OPT_TASKS, OPT_REPS, OPT_TREE_DEPTH, OPT_FIB, OPT_FIND, OPT_WAKEUPS,
    OPT_WORKLOAD, OPT_SCHED, OPT_OUT, OPT_PEERS, OPT_REFERENCE, OPT_SWEEP, OPT_IDLE,
    OPT_THREAD_PER_TASK, OPT_SHARED_COUNTER,
};

static const struct option long_options[] = {
    { "threads", required_argument, NULL, OPT_THREADS },
    { "tasks", required_argument, NULL, OPT_TASKS },
    { "reps", required_argument, NULL, OPT_REPS },
    { "tree-depth", required_argument, NULL, OPT_TREE_DEPTH },
    { "fib", required_argument, NULL, OPT_FIB },
    { "find", required_argument, NULL, OPT_FIND },
    { "wakeups", required_argument, NULL, OPT_WAKEUPS },
    { "workload", required_argument, NULL, OPT_WORKLOAD },
    { "sched", required_argument, NULL, OPT_SCHED },
    { "out", required_argument, NULL, OPT_OUT },
    { "peers", required_argument, NULL, OPT_PEERS },
    { "reference", required_argument, NULL, OPT_REFERENCE },
    { "sweep", required_argument, NULL, OPT_SWEEP },
    { "idle", required_argument, NULL, OPT_IDLE },
    { "thread-per-task", no_argument, NULL, OPT_THREAD_PER_TASK },
    { "shared-counter", no_argument, NULL, OPT_SHARED_COUNTER },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static void parse_options(int argc, char **argv)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    B.cpus = cpus > 0 ? (unsigned)cpus : 1;
    opt = (struct options){
        .threads = B.cpus < SCHED_MAX_WORKERS ? B.cpus : SCHED_MAX_WORKERS,
        .tasks = 10000,
        .find_elements = 1 << 20,
        .idle_seconds = 1,
        .wakeups = 1000,
        .tree_depth = 13,
        .fib_n = 30,
        .out_dir = "lesson06_benchmark/results/latest",
        .reference = REFERENCE_DIR,
        .sweep = "auto",
    };
    opterr = 0;                 /* we say what is wrong ourselves */
    int c, i;
    /* The leading ':' makes a missing value ':' rather than '?'; either way
     * argv[optind - 1] is the option at fault. */
    while ((c = getopt_long(argc, argv, ":h", long_options, &i)) != -1) {
        char name[40] = "";     /* the option's full name, for messages: "--threads" */
        if (c >= OPT_THREADS)
            snprintf(name, sizeof name, "--%s", long_options[i].name);
        switch (c) {
        case OPT_THREADS:
            opt.threads = (unsigned)parse_count(name, optarg, 1, SCHED_MAX_WORKERS);
            break;
        case OPT_TASKS:
            opt.tasks = parse_count(name, optarg, 1, 100000000);
            break;
        case OPT_REPS:
            opt.reps = (unsigned)parse_count(name, optarg, 1, 1000);
            break;
        case OPT_TREE_DEPTH:
            opt.tree_depth = (unsigned)parse_count(name, optarg, 1, 24);
            break;
        case OPT_FIB:
            opt.fib_n = (unsigned)parse_count(name, optarg, 1, 40);
            break;
        case OPT_FIND:
            opt.find_elements = parse_count(name, optarg, 1, 1ul << 28);
            break;
        case OPT_WAKEUPS:
            opt.wakeups = (unsigned)parse_count(name, optarg, 0, 100000);
            break;
        case OPT_WORKLOAD:
            opt.only = optarg;
            break;
        case OPT_SCHED:
            opt.sched = optarg;
            break;
        case OPT_OUT:
            opt.out_dir = optarg;
            break;
        case OPT_PEERS:
            opt.peers = optarg;
            break;
        case OPT_REFERENCE:
            opt.reference = optarg;
            break;
        case OPT_SWEEP:
            opt.sweep = optarg;
            break;
        case OPT_IDLE: {
            char *end;
            opt.idle_seconds = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' ||
                !(opt.idle_seconds >= 0 && opt.idle_seconds <= 60))
                bad_usage("--idle wants seconds from 0 to 60, not '%s'", optarg);
            break;
        }
        case OPT_THREAD_PER_TASK:
            opt.thread_per_task = true;
            break;
        case OPT_SHARED_COUNTER:
            shared_counter = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case ':':
            bad_usage("%s wants a value after it", argv[optind - 1]);
        default:                /* '?': an unknown option, or a prefix of two */
            if (optopt != 0)
                bad_usage("unknown option '-%c'", optopt);
            bad_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        bad_usage("unexpected argument '%s' (bench takes only options)", argv[optind]);
    if (opt.sched != NULL && sched_find(opt.sched) == NULL) {
        char names[512] = "";
        for (const struct scheduler *const *s = sched_all; *s != NULL; s++)
            snprintf(names + strlen(names), sizeof names - strlen(names), " %s", (*s)->name);
        bad_usage("--sched wants one of%s, not '%s'", names, opt.sched);
    }
    bool known = opt.only == NULL;
    for (int w = 0; w < NWORKLOADS && !known; w++)
        known = strcmp(opt.only, workload_names[w]) == 0;
    if (!known)
        bad_usage("--workload wants flat, spawn_inside, tree, fib, imbalanced or find_any, "
                  "not '%s'", opt.only);
}

/* The thread counts: opt.threads, and the sweep's. */
static void thread_counts(void)
{
    unsigned *t = B.threads, n = 0;
    t[n++] = opt.threads;
    if (strcmp(opt.sweep, "auto") == 0) {
        for (unsigned k = 1; k < B.cpus && n < MAX_CONFIGS - 3; k = k < 8 ? k + 1 : 2 * k)
            t[n++] = k;         /* every count to 8, then doubling */
        t[n++] = B.cpus;
        t[n++] = 2 * B.cpus;
        t[n++] = 4 * B.cpus;
    } else if (strcmp(opt.sweep, "none") != 0) {
        t[n++] = 1;             /* the sweep's speed-ups are over 1 worker */
        const char *s = opt.sweep;
        while (*s != '\0') {
            char *end;
            unsigned long v = strtoul(s, &end, 10);
            if (end == s || v == 0 || v > SCHED_MAX_WORKERS || n == MAX_CONFIGS ||
                (*end != ',' && *end != '\0'))
                bad_usage("--sweep wants auto, none, or thread counts like 1,2,8, not '%s'",
                          opt.sweep);
            t[n++] = (unsigned)v;
            s = *end == ',' ? end + 1 : end;
        }
    }
    /* sort, drop duplicates and counts over SCHED_MAX_WORKERS */
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned v = t[i], j = m;      /* insertion sort, in place: t[m..i] unsorted */
        if (v > SCHED_MAX_WORKERS)
            continue;
        while (j > 0 && t[j - 1] > v)
            j--;
        if (j > 0 && t[j - 1] == v)
            continue;
        memmove(&t[j + 1], &t[j], (m - j) * sizeof *t);
        t[j] = v;
        m++;
    }
    B.nconfigs = m;
    for (unsigned i = 0; i < m; i++)
        if (t[i] == opt.threads)
            B.main_config = i;
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

static FILE *open_in(const char *name, const char *mode)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", opt.out_dir, name);
    FILE *f = fopen(path, mode);
    if (f == NULL)
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

int main(int argc, char **argv)
{
    parse_options(argc, argv);
    thread_counts();
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
    B.txt = open_in("bench.txt", "w");
    csv = open_in("runs.csv", "w");
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
    B.wakeups = opt.wakeups;
    B.idle_seconds = opt.idle_seconds;
    if (opt.idle_seconds > 0 || opt.wakeups > 0) {
        measure_idle_and_wakeups();
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
    print_summary(&B);
    print_reference(&B, opt.reference);

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
