/*
 * options.c: bench's command line: the usage text, each option's checks
 * and defaults, and the thread counts --threads and --sweep make.  None of
 * it measures anything, so it is kept out of bench.c, which reads best as
 * the method alone; a bad command line ends here, with one line saying
 * what is wrong, the usage and exit status 2 (common/cli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "options.h"
#include "programs.h"
#include "programs_pool.h"


/* The synopsis and what each option means, to f. */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench [--threads N] [--sweep auto|none|N,N,...] [--reps N]\n"
            "             [--workload NAME] [--sched NAME] [--tasks N] [--tree-depth N]\n"
            "             [--fib N] [--find N] [--nqueens N] [--cutoff LIST] [--sort N]\n"
            "             [--sort-grain LIST] [--reduce N] [--reduce-grain LIST]\n"
            "             [--idle SECONDS] [--wakeups N]\n"
            "             [--thread-per-task] [--shared-counter] [--peers DIR] [--out DIR]\n"
            "             [--reference DIR] [-h|--help]\n"
            "  --threads N      workers per pool in the full tables (default: the CPUs)\n"
            "  --sweep LIST     thread counts at which flat, tree and fib run again;\n"
            "                   auto (default): 1, 2, 3, ... 8, 16, ... up to the CPUs,\n"
            "                   then 2x and 4x the CPUs; none: no sweep\n"
            "  --reps N         timed runs per contestant (default: 21, fewer, down to 7,\n"
            "                   for workloads whose rounds take long)\n"
            "  --workload NAME  flat, spawn_inside, tree, fib, imbalanced, find_any,\n"
            "                   nqueens, sort or reduce (default: all)\n"
            "  --sched NAME     only this scheduler (and serial), e.g. for perf\n"
            "  --tasks N        tasks per run of flat and spawn_inside (default 10000)\n"
            "  --tree-depth N   depth of the tree workload (default 13: 16,383 tasks)\n"
            "  --fib N          n for the fib workload (default 30)\n"
            "  --find N         elements find_any searches (default 1048576)\n"
            "  --nqueens N      the real program nqueens: N queens (default 14; 1 to 18)\n"
            "  --cutoff LIST    nqueens' cut-offs: a task per placement in the rows above\n"
            "                   it; the first is the table's, every one gets a speed-up\n"
            "                   column (default 4,1,2,6; each 0 to 7)\n"
            "  --sort N         keys the real program sort sorts (default 10000000)\n"
            "  --sort-grain LIST  sort's grains: longer pieces split in two in parallel;\n"
            "                   the first is the table's (default 100000 and N/2)\n"
            "  --reduce N       keys the real program reduce sums over (default 10000000)\n"
            "  --reduce-grain LIST  reduce's grains, the same way; 0: adaptive, as rayon\n"
            "                   splits (default 0,100,1000,100000 and N/2)\n"
            "  --idle SECONDS   how long to measure idle CPU (default 1; 0 skips it)\n"
            "  --wakeups N      wake-ups to time on an idle pool (default 1000; 0 skips)\n"
            "  --thread-per-task  add the no-pool baseline to flat: a thread per task\n"
            "  --shared-counter   every task increments one shared counter, not its\n"
            "                   worker's own (to see what that contention costs)\n"
            "  --peers DIR      also run the peer programs found in DIR (peer-libgomp,\n"
            "                   peer-libomp, peer-onetbb, peer-rayon, peer-crossbeam,\n"
            "                   peer-go: other runtimes, same workloads)\n"
            "  --out DIR        where runs.csv, summary.csv, wakeup.csv, programs.csv,\n"
            "                   programs-runs.csv, bench.txt and the plot data go\n"
            "                   (default lesson06_benchmark/results/latest)\n"
            "  --reference DIR  the run whose ratios the last table puts beside this\n"
            "                   run's: a directory with its summary.csv (default\n"
            "                   lesson06_benchmark/results/reference, the book's)\n"
            "  -h, --help       this text\n");
}

/* A bad command line: one line saying what is wrong, the usage, exit 2. */
/* After a bad option: the one line that says what is wrong, and where the
 * forty lines of usage are, rather than those lines themselves. */
static void usage_pointer(FILE *f)
{
    fprintf(f, "(bench --help lists every option)\n");
}

#define bad_usage(...) cli_bad_usage("bench", usage_pointer, __VA_ARGS__)

/* s as a whole number from min to max, or a bad_usage() naming opt_name. */
static unsigned long parse_count(const char *opt_name, const char *s, unsigned long min,
                                 unsigned long max)
{
    return cli_parse_count("bench", usage_pointer, opt_name, s, min, max);
}

/* --workload's names: the workloads, then the real programs. */
static const char *workload_names[NWORKLOADS + NPROGS] = { "flat", "spawn_inside", "tree", "fib",
                                                      "imbalanced", "find_any", "nqueens",
                                                      "sort", "reduce" };

/* A comma-separated list of whole numbers from min to max into v, in the
 * order given, a repeated value counted once; at most max_n of them.
 * Returns how many.  A bad list is a bad_usage(). */
static unsigned parse_list(const char *opt_name, const char *s, unsigned long min,
                           unsigned long max, unsigned long *v, unsigned max_n)
{
    char copy[256];
    size_t len = strlen(s);
    if (len >= sizeof copy)
        bad_usage("%s: a list of at most %zu characters, not '%s'", opt_name, sizeof copy - 1, s);
    if (len == 0 || s[0] == ',' || s[len - 1] == ',' || strstr(s, ",,"))
        bad_usage("%s wants values separated by single commas, like 4 or 4,1,2, not '%s'",
                  opt_name, s);
    snprintf(copy, sizeof copy, "%s", s);
    unsigned n = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        unsigned long x = parse_count(opt_name, tok, min, max);
        bool seen = false;
        for (unsigned i = 0; i < n; i++)
            seen |= v[i] == x;
        if (seen)
            continue;
        if (n == max_n)
            bad_usage("%s takes at most %u values, not '%s'", opt_name, max_n, s);
        v[n++] = x;
    }
    return n;
}

static void parse_grains(const char *opt_name, const char *s, unsigned long min,
                         unsigned long max, struct grains *g)
{
    g->n = parse_list(opt_name, s, min, max, g->v, MAX_GRAINS);
}

enum {
    OPT_THREADS = 256, OPT_TASKS, OPT_REPS, OPT_TREE_DEPTH, OPT_FIB, OPT_FIND, OPT_WAKEUPS,
    OPT_WORKLOAD, OPT_SCHED, OPT_OUT, OPT_PEERS, OPT_REFERENCE, OPT_SWEEP, OPT_IDLE,
    OPT_THREAD_PER_TASK, OPT_SHARED_COUNTER, OPT_NQUEENS, OPT_CUTOFF, OPT_SORT, OPT_SORT_GRAIN,
    OPT_REDUCE, OPT_REDUCE_GRAIN,
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
    { "nqueens", required_argument, NULL, OPT_NQUEENS },
    { "cutoff", required_argument, NULL, OPT_CUTOFF },
    { "sort", required_argument, NULL, OPT_SORT },
    { "sort-grain", required_argument, NULL, OPT_SORT_GRAIN },
    { "reduce", required_argument, NULL, OPT_REDUCE },
    { "reduce-grain", required_argument, NULL, OPT_REDUCE_GRAIN },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

void parse_options(int argc, char **argv, struct options *opt, struct bench *b)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    b->cpus = cpus > 0 ? (unsigned)cpus : 1;
    *opt = (struct options){
        .threads = b->cpus < SCHED_MAX_WORKERS ? b->cpus : SCHED_MAX_WORKERS,
        .tasks = 10000,
        .find_elements = 1 << 20,
        .idle_seconds = 1,
        .wakeups = 1000,
        .tree_depth = 13,
        .fib_n = 30,
        .out_dir = "lesson06_benchmark/results/latest",
        .reference = REFERENCE_DIR,
        .sweep = "auto",
        .nq_n = 14,
        .sort_n = 10000000,
        .reduce_n = 10000000,
    };
    /* the grain lists, read once the sizes are known (N/2 in the defaults) */
    const char *cutoffs = "4,1,2,6", *sort_grains = NULL, *reduce_grains = NULL;
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
            opt->threads = (unsigned)parse_count(name, optarg, 1, SCHED_MAX_WORKERS);
            break;
        case OPT_TASKS:
            opt->tasks = parse_count(name, optarg, 1, 100000000);
            break;
        case OPT_REPS:
            opt->reps = (unsigned)parse_count(name, optarg, 1, 1000);
            break;
        case OPT_TREE_DEPTH:
            opt->tree_depth = (unsigned)parse_count(name, optarg, 1, 24);
            break;
        case OPT_FIB:
            opt->fib_n = (unsigned)parse_count(name, optarg, 1, 40);
            break;
        case OPT_FIND:
            opt->find_elements = parse_count(name, optarg, 1, 1ul << 28);
            break;
        case OPT_WAKEUPS:
            opt->wakeups = (unsigned)parse_count(name, optarg, 0, 100000);
            break;
        case OPT_WORKLOAD:
            opt->only = optarg;
            break;
        case OPT_SCHED:
            opt->sched = optarg;
            break;
        case OPT_OUT:
            opt->out_dir = optarg;
            break;
        case OPT_PEERS:
            opt->peers = optarg;
            break;
        case OPT_REFERENCE:
            opt->reference = optarg;
            break;
        case OPT_SWEEP:
            opt->sweep = optarg;
            break;
        case OPT_IDLE: {
            char *end;
            opt->idle_seconds = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' ||
                !(opt->idle_seconds >= 0 && opt->idle_seconds <= 60))
                bad_usage("--idle wants seconds from 0 to 60, not '%s'", optarg);
            break;
        }
        case OPT_THREAD_PER_TASK:
            opt->thread_per_task = true;
            break;
        case OPT_SHARED_COUNTER:
            shared_counter = true;
            break;
        case OPT_NQUEENS:
            opt->nq_n = parse_count(name, optarg, 1, PROG_NQ_MAX);
            break;
        case OPT_SORT:
            opt->sort_n = parse_count(name, optarg, 1, 1ul << 28);
            break;
        case OPT_REDUCE:
            opt->reduce_n = parse_count(name, optarg, 1, 1ul << 28);
            break;
        case OPT_CUTOFF:
            cutoffs = optarg;
            break;
        case OPT_SORT_GRAIN:
            sort_grains = optarg;
            break;
        case OPT_REDUCE_GRAIN:
            reduce_grains = optarg;
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
    if (opt->sched != NULL && sched_find(opt->sched) == NULL) {
        char names[512] = "";
        for (const struct scheduler *const *s = sched_all; *s != NULL; s++)
            snprintf(names + strlen(names), sizeof names - strlen(names), " %s", (*s)->name);
        bad_usage("--sched wants one of%s, not '%s'", names, opt->sched);
    }
    bool known = opt->only == NULL;
    for (int w = 0; w < NWORKLOADS + NPROGS && !known; w++)
        known = strcmp(opt->only, workload_names[w]) == 0;
    if (!known)
        bad_usage("--workload wants flat, spawn_inside, tree, fib, imbalanced, find_any, "
                  "nqueens, sort or reduce, not '%s'", opt->only);
    char list[96];
    parse_grains("--cutoff", cutoffs, 0, 7, &opt->cutoffs);
    snprintf(list, sizeof list, "100000,%lu", opt->sort_n / 2 ? opt->sort_n / 2 : 1);
    parse_grains("--sort-grain", sort_grains ? sort_grains : list, 1, 1ul << 28,
                 &opt->sort_grains);
    snprintf(list, sizeof list, "0,100,1000,100000,%lu", opt->reduce_n / 2);
    parse_grains("--reduce-grain", reduce_grains ? reduce_grains : list, 0, 1ul << 28,
                 &opt->reduce_grains);
}

/* The thread counts: opt->threads, and the sweep's. */
void thread_counts(struct bench *b, const struct options *opt)
{
    unsigned *t = b->threads, n = 0;
    t[n++] = opt->threads;
    if (strcmp(opt->sweep, "auto") == 0) {
        for (unsigned k = 1; k < b->cpus && n < MAX_CONFIGS - 3; k = k < 8 ? k + 1 : 2 * k)
            t[n++] = k;         /* every count to 8, then doubling */
        t[n++] = b->cpus;
        t[n++] = 2 * b->cpus;
        t[n++] = 4 * b->cpus;
    } else if (strcmp(opt->sweep, "none") != 0) {
        t[n++] = 1;             /* the sweep's speed-ups are over 1 worker */
        unsigned long v[MAX_CONFIGS - 2];
        unsigned k = parse_list("--sweep (auto, none, or thread counts)", opt->sweep, 1,
                                SCHED_MAX_WORKERS, v, MAX_CONFIGS - 2);
        for (unsigned i = 0; i < k; i++)
            t[n++] = (unsigned)v[i];
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
    b->nconfigs = m;
    for (unsigned i = 0; i < m; i++)
        if (t[i] == opt->threads)
            b->main_config = i;
}
