/*
 * timeline.c: runs one workload on one lesson's scheduler with tracing on,
 * and writes the trace as CSV (TRACING.md documents the columns).
 *
 *   build-trace/timeline [--workers N] [--runs N] [--csv FILE] LESSON WORKLOAD
 *   build-trace/timeline --help      the options, and the names of the lessons and workloads
 *
 * With --runs N it runs the workload N times, each on a new pool, and
 * writes the trace of the fastest run.  On a machine that other programs
 * share, a slow run is one in which the operating system took a worker's
 * CPU away, and the picture would show that rather than the scheduler
 * (make timeline-all uses 5).
 *
 * `make timeline LESSON=... WORKLOAD=...` runs it and draws the CSV with
 * gnuplot (common/scripts/timeline.sh).  The workloads are small on
 * purpose, a few hundred tasks of tens to hundreds of microseconds: every
 * task must be wide enough to see in a picture of a few milliseconds.
 *
 *   imbalanced  three waves, 1 ms apart.  In each, the main thread spawns
 *               one root task, and the root spawns 100 tasks from inside
 *               the pool: all the work starts on one worker, and the others
 *               must steal it.  Tasks spin 20 us, every 10th 300 us.
 *               Between the waves there is nothing to do: workers park.
 *   tree        a binary tree of 511 tasks, each spinning 10 us and then
 *               spawning its two children: work that spreads by itself.
 *   flat        the main thread spawns 300 tasks of imbalanced's mix from
 *               outside the pool: they go to the injector (lesson 1: to
 *               the one queue), which is not stealing and draws no arrow.
 *
 * A task's argument is its number, which the trace records: in the CSV,
 * task 0 is imbalanced's first root, 1 to 100 its children, 101 the
 * second root, and so on; tree numbers its nodes 1 (the root) to 511, the
 * children of n being 2n and 2n+1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "scheduler.h"
#include "trace.h"

enum {
    WAVES = 3,
    WAVE_TASKS = 100,           /* per root, in imbalanced */
    FLAT_TASKS = 300,
    TREE_DEPTH = 9,             /* 2^9 - 1 = 511 nodes */
    SHORT_US = 20,
    LONG_US = 300,              /* every 10th task */
    TREE_US = 10,
    GAP_MS = 1,                 /* between imbalanced's waves */
    EVENTS_PER_WORKER = 1 << 16,
};

static const struct scheduler *S;
static void *the_pool;
/* Set by a spawn that fails, on any thread.  relaxed: read after destroy(),
 * whose pthread_join orders the tasks' stores before the read. */
static atomic_bool spawn_failed;

static void spawn_or_note(task_fn fn, uintptr_t arg)
{
    if (S->spawn(the_pool, fn, (void *)arg) != 0)
        atomic_store_explicit(&spawn_failed, true, memory_order_relaxed);   /* see spawn_failed */
}

/* Tasks 1, 2, ... 9 are short, task 10 long, and so on. */
static void spin_task(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    spin_ns((id % 10 == 0 ? LONG_US : SHORT_US) * 1000u);
}

/* Imbalanced's root: its number is its wave's first; the children follow. */
static void root_task(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    for (uintptr_t i = 1; i <= WAVE_TASKS; i++)
        spawn_or_note(spin_task, id + i);
}

static void tree_task(void *arg)
{
    uintptr_t n = (uintptr_t)arg;
    spin_ns(TREE_US * 1000u);
    if (n < (1u << (TREE_DEPTH - 1))) {
        spawn_or_note(tree_task, 2 * n);
        spawn_or_note(tree_task, 2 * n + 1);
    }
}

struct workload {
    const char *name;
    const char *about;
    void (*run)(void);
};

static void run_imbalanced(void)
{
    for (uintptr_t w = 0; w < WAVES; w++) {
        if (w > 0)
            sleep_ms(GAP_MS);
        spawn_or_note(root_task, w * (WAVE_TASKS + 1));
        S->wait(the_pool);
    }
}

static void run_tree(void)
{
    spawn_or_note(tree_task, 1);
    S->wait(the_pool);
}

static void run_flat(void)
{
    for (uintptr_t i = 1; i <= FLAT_TASKS; i++)
        spawn_or_note(spin_task, i);
    S->wait(the_pool);
}

static const struct workload workloads[] = {
    { "imbalanced",
      "3 waves 1 ms apart; in each one root task spawns 100 tasks (20 us, every 10th 300 us)",
      run_imbalanced },
    { "tree", "a binary tree of 511 tasks of 10 us, each spawning its two children", run_tree },
    { "flat", "300 tasks (20 us, every 10th 300 us) spawned from outside the pool", run_flat },
};

/* The synopsis and the names LESSON and WORKLOAD may take, to f. */
static void usage(FILE *f)
{
    fprintf(f, "usage: timeline [--workers N] [--runs N] [--csv FILE] LESSON WORKLOAD\n"
               "       timeline -h|--help\n"
               "  --workers N  workers in the pool, 1 to %d (default 2)\n"
               "  --runs N     run N times, each on a new pool, and keep the fastest\n"
               "               (default 1)\n"
               "  --csv FILE   write the trace there (default: standard output)\n",
            SCHED_MAX_WORKERS);
    fprintf(f, "  LESSON:");
    for (const struct scheduler *const *s = sched_all; *s != NULL; s++)
        fprintf(f, " %s", (*s)->name);
    fprintf(f, "\n  WORKLOAD:");
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        fprintf(f, " %s", workloads[i].name);
    fprintf(f, "\n");
}

/* A bad command line: one line saying what is wrong, the usage, exit 2. */
#define bad_usage(...) cli_bad_usage("timeline", usage, __VA_ARGS__)

/* s as a whole number from 1 to max, or a bad_usage() naming opt_name. */
static unsigned parse_count(const char *opt_name, const char *s, unsigned long max)
{
    return (unsigned)cli_parse_count("timeline", usage, opt_name, s, 1, max);
}

/*
 * One traced run on a new pool; its trace goes to a temporary file, which
 * is returned (NULL on error, said on stderr), with the run's time in *ns.
 */
static FILE *traced_run(const struct workload *wl, unsigned nworkers, uint64_t *ns)
{
    int err = trace_begin(nworkers, EVENTS_PER_WORKER);
    if (err != 0) {
        fprintf(stderr, "timeline: trace_begin: %s\n", strerror(err));
        return NULL;
    }
    the_pool = S->create(nworkers);
    if (the_pool == NULL) {
        fprintf(stderr, "timeline: create(%u): %s\n", nworkers, strerror(errno));
        trace_end();
        return NULL;
    }
    uint64_t t0 = now_ns();
    wl->run();
    *ns = now_ns() - t0;
    S->destroy(the_pool);       /* joins the workers: now their buffers may be read */

    char about[300];
    snprintf(about, sizeof about, "%s, workload %s, %u workers: %s", S->name, wl->name, nworkers,
             wl->about);
    FILE *f = tmpfile();
    err = f != NULL ? trace_write_csv(f, about) : errno;
    uint64_t drops = 0, events = 0;
    for (int w = -1; w < (int)nworkers; w++) {
        drops += trace_buffer(w)->drops;
        events += trace_buffer(w)->len;
    }
    fprintf(stderr, "timeline: %s %s on %u workers: %.2f ms, %llu events, %llu dropped\n", S->name,
            wl->name, nworkers, (double)*ns / 1e6, (unsigned long long)events,
            (unsigned long long)drops);
    trace_end();
    if (err != 0) {
        fprintf(stderr, "timeline: writing the trace: %s\n", strerror(err));
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    return f;
}

int main(int argc, char **argv)
{
    unsigned nworkers = 2, runs = 1;
    const char *csv = NULL;
    static const struct option long_options[] = {
        { "workers", required_argument, NULL, 'w' },
        { "runs", required_argument, NULL, 'r' },
        { "csv", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opterr = 0;                 /* we say what is wrong ourselves */
    /* Only -h is short; the leading ':' makes a missing value ':' rather
     * than '?'.  Either way argv[optind - 1] is the option at fault. */
    for (int c; (c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1;) {
        switch (c) {
        case 'w':
            nworkers = parse_count("--workers", optarg, SCHED_MAX_WORKERS);
            break;
        case 'r':
            runs = parse_count("--runs", optarg, 1000);
            break;
        case 'c':
            csv = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            bad_usage("%s wants a value after it", argv[optind - 1]);
        default:
            if (optopt != 0)
                bad_usage("unknown option '-%c'", optopt);
            bad_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        bad_usage("wants two names, LESSON and WORKLOAD, and was given %d", argc - optind);
    const char *lesson = argv[optind], *workload = argv[optind + 1];
    S = sched_find(lesson);
    if (S == NULL)
        bad_usage("no lesson is called '%s' (the LESSONs are below)", lesson);
    const struct workload *wl = NULL;
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (strcmp(workloads[i].name, workload) == 0)
            wl = &workloads[i];
    if (wl == NULL)
        bad_usage("no workload is called '%s' (the WORKLOADs are below)", workload);

    FILE *best = NULL;
    uint64_t best_ns = UINT64_MAX;
    for (unsigned r = 0; r < runs; r++) {
        uint64_t ns;
        FILE *f = traced_run(wl, nworkers, &ns);
        if (f == NULL)
            return 1;
        if (ns < best_ns) {
            if (best != NULL)
                fclose(best);
            best = f;
            best_ns = ns;
        } else {
            fclose(f);
        }
    }
    /* relaxed: see spawn_failed. */
    if (atomic_load_explicit(&spawn_failed, memory_order_relaxed)) {
        fprintf(stderr, "timeline: a spawn failed\n");
        return 1;
    }
    if (runs > 1)
        fprintf(stderr, "timeline: writing the fastest run, %.2f ms\n", (double)best_ns / 1e6);

    FILE *out = csv != NULL ? fopen(csv, "w") : stdout;
    if (out == NULL) {
        fprintf(stderr, "timeline: %s: %s\n", csv, strerror(errno));
        return 1;
    }
    rewind(best);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, best)) > 0)
        fwrite(buf, 1, n, out);
    fclose(best);
    if (fflush(out) != 0 || ferror(out) || (out != stdout && fclose(out) != 0)) {
        fprintf(stderr, "timeline: writing %s failed\n", csv != NULL ? csv : "the trace");
        return 1;
    }
    return 0;
}
