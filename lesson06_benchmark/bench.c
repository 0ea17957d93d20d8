/*
 * bench.c: `make bench`, every scheduler in sched_all on the same workload,
 * in one run, so that the ratios between them are fair.
 *
 * The workload, `flat`: the main thread spawns N trivial tasks (each one
 * atomic increment), then calls wait().  A trivial task does almost no work,
 * so the time per task is the scheduler's own cost: spawn, queue, wake, pop,
 * run, count finished.  The serial loop calls the same task function N times
 * on one thread: the floor no scheduler can reach.
 *
 * Method: each pool is created once (creation is not timed).  One warm-up
 * run per scheduler, then `reps` rounds; in each round every scheduler runs
 * once, in a freshly shuffled order, so that drift (frequency scaling, other
 * processes) is spread over all of them instead of landing on one.  We
 * report the median (robust to the odd slow run) with min and max.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "rng.h"
#include "scheduler.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "?"
#endif

static atomic_ulong counter;

/* relaxed: only the total matters, and wait() orders it before we read it. */
static void trivial_task(void *arg)
{
    (void)arg;
    atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
}

/* One contestant: a scheduler from sched_all, the serial loop, or (with
 * --thread-per-task) no pool at all: a new thread for every task. */
enum kind { SERIAL, THREAD_PER_TASK, POOL };

struct entry {
    const char *name;
    enum kind kind;
    const struct scheduler *sched;
    void *pool;
    double *ns;             /* ns per task, one per repetition */
    struct sched_stats stats;
};

/* Runs the workload once and returns the nanoseconds per task. */
static void *thread_main(void *arg)
{
    trivial_task(arg);
    return NULL;
}

static double run_flat(struct entry *e, unsigned long tasks)
{
    atomic_store(&counter, 0);
    uint64_t t0 = now_ns();
    if (e->kind == SERIAL) {
        task_fn volatile fn = trivial_task;    /* a real call, as a pool makes */
        for (unsigned long i = 0; i < tasks; i++)
            fn(NULL);
    } else if (e->kind == THREAD_PER_TASK) {
        for (unsigned long i = 0; i < tasks; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, thread_main, NULL) != 0) {
                perror("bench: pthread_create");
                exit(1);
            }
            pthread_join(t, NULL);
        }
    } else {
        for (unsigned long i = 0; i < tasks; i++) {
            int err = e->sched->spawn(e->pool, trivial_task, NULL);
            if (err != 0) {
                fprintf(stderr, "bench: %s: spawn: %s\n", e->name, strerror(err));
                exit(1);
            }
        }
        e->sched->wait(e->pool);
    }
    uint64_t t1 = now_ns();
    if (atomic_load(&counter) != tasks) {
        fprintf(stderr, "bench: %s ran %lu of %lu tasks\n", e->name, atomic_load(&counter), tasks);
        exit(1);
    }
    return (double)(t1 - t0) / (double)tasks;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place and returns its median. */
static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            snprintf(buf, size, "%s", colon + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    }
    fclose(f);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench [--threads N] [--tasks N] [--reps N] [--csv FILE] [--thread-per-task]\n"
            "  --threads N  workers per pool (default: the number of CPUs)\n"
            "  --tasks N    tasks per run (default 10000)\n"
            "  --reps N     timed repetitions per scheduler (default 21)\n"
            "  --csv FILE   raw results, one row per run\n"
            "               (default lesson06_benchmark/results/latest.csv)\n"
            "  --thread-per-task  also time the life without a pool: create and\n"
            "               join one thread per task\n");
    exit(2);
}

static unsigned long parse_count(const char *s, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (s == NULL || errno != 0 || *end != '\0' || v == 0 || v > max || *s == '-')
        usage();
    return v;
}

int main(int argc, char **argv)
{
    unsigned threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    unsigned long tasks = 10000;
    unsigned reps = 21;
    const char *csv_path = "lesson06_benchmark/results/latest.csv";
    bool thread_per_task = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0)
            threads = (unsigned)parse_count(argv[++i], SCHED_MAX_WORKERS);
        else if (strcmp(argv[i], "--tasks") == 0)
            tasks = parse_count(argv[++i], 100000000);
        else if (strcmp(argv[i], "--reps") == 0)
            reps = (unsigned)parse_count(argv[++i], 10000);
        else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv_path = argv[++i];
        else if (strcmp(argv[i], "--thread-per-task") == 0)
            thread_per_task = true;
        else
            usage();
    }

    /* The contestants: the serial loop, [thread per task,] every scheduler. */
    unsigned first = thread_per_task ? 2 : 1;
    unsigned n = first;
    while (sched_all[n - first] != NULL)
        n++;
    struct entry *entries = calloc(n, sizeof *entries);
    double *all_ns = calloc((size_t)n * reps, sizeof *all_ns);
    unsigned *order = calloc(n, sizeof *order);
    if (entries == NULL || all_ns == NULL || order == NULL) {
        perror("bench");
        return 1;
    }
    for (unsigned i = 0; i < n; i++) {
        entries[i].ns = all_ns + (size_t)i * reps;
        entries[i].kind = i == 0 ? SERIAL : i < first ? THREAD_PER_TASK : POOL;
        entries[i].sched = i < first ? NULL : sched_all[i - first];
        entries[i].name = i == 0 ? "serial loop" : i < first ? "thread per task" : entries[i].sched->name;
        if (entries[i].sched != NULL) {
            entries[i].pool = entries[i].sched->create(threads);
            if (entries[i].pool == NULL) {
                fprintf(stderr, "bench: %s: create(%u): %s\n", entries[i].name, threads, strerror(errno));
                return 1;
            }
        }
        order[i] = i;
    }

    char cpu[128], date[32];
    cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    printf("machine: %s, %ld CPUs; compiler: %s %s; %s\n", cpu,
           sysconf(_SC_NPROCESSORS_ONLN),
#ifdef __clang__
           "clang",
#else
           "gcc",
#endif
           __VERSION__ " " BENCH_CFLAGS, date);

    /* Warm-up: page in the code, grow the queues to size, wake the workers. */
    for (unsigned i = 0; i < n; i++)
        run_flat(&entries[i], tasks);

    /* A progress line, for people watching: only when stderr is a terminal. */
    bool progress = isatty(STDERR_FILENO);
    struct rng rng;
    rng_seed(&rng, (uint64_t)now);
    for (unsigned r = 0; r < reps; r++) {
        for (unsigned i = n - 1; i > 0; i--) {          /* Fisher-Yates shuffle */
            unsigned j = rng_below(&rng, i + 1);
            unsigned t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (unsigned k = 0; k < n; k++) {
            struct entry *e = &entries[order[k]];
            if (progress)
                fprintf(stderr, "\r  flat: round %u/%u, %-28s", r + 1, reps, e->name);
            e->ns[r] = run_flat(e, tasks);
        }
    }
    if (progress)
        fprintf(stderr, "\r%60s\r", "");

    FILE *csv = fopen(csv_path, "w");
    if (csv == NULL)
        fprintf(stderr, "bench: cannot write %s: %s\n", csv_path, strerror(errno));
    else
        fprintf(csv, "workload,scheduler,threads,tasks,rep,ns_per_task\n");
    for (unsigned i = 0; i < n && csv != NULL; i++)
        for (unsigned r = 0; r < reps; r++)
            fprintf(csv, "flat,%s,%u,%lu,%u,%.3f\n", entries[i].name,
                    entries[i].kind == POOL ? threads : 1, tasks, r, entries[i].ns[r]);

    printf("\nflat: %lu trivial tasks spawned from the main thread, then wait(); "
           "%u workers; median of %u runs after a warm-up\n\n", tasks, threads, reps);
    printf("%-24s %10s %19s %12s %12s %10s\n", "", "ns/task", "min - max", "tasks/s",
           "vs lesson01", "parks");
    double base = 0;
    for (unsigned i = 0; i < n; i++)
        if (entries[i].sched != NULL && strcmp(entries[i].name, "lesson01_shared_queue") == 0)
            base = median(entries[i].ns, reps);
    for (unsigned i = 0; i < n; i++) {
        struct entry *e = &entries[i];
        double med = median(e->ns, reps);
        char ratio[16] = "", parks[24] = "";
        if (e->sched != NULL) {
            e->sched->stats(e->pool, &e->stats);
            snprintf(parks, sizeof parks, "%llu", (unsigned long long)e->stats.parks);
        }
        if (base > 0)
            snprintf(ratio, sizeof ratio, base / med < 0.1 ? "%.4fx" : "%.2fx", base / med);
        printf("%-24s %10.1f %8.1f - %8.1f %11.2fM %12s %10s\n", e->name, med, e->ns[0],
               e->ns[reps - 1], 1e3 / med, ratio, parks);
    }
    printf("\n(vs lesson01: how many times faster than lesson01 in this run; "
           "parks: times a worker went to sleep, all runs)\n");
    if (csv != NULL) {
        fclose(csv);
        printf("raw results: %s\n", csv_path);
    }

    for (unsigned i = first; i < n; i++)
        entries[i].sched->destroy(entries[i].pool);
    free(order);
    free(all_ns);
    free(entries);
    return 0;
}
