/*
 * bench.c: `make bench`, every scheduler in sched_all on the same workloads,
 * in one run, so that the ratios between them are fair.
 *
 * WORKLOADS (each task is trivial: one atomic increment, so the time per task
 * is the scheduler's own cost: queueing, waking, taking, counting.  Each
 * worker increments a counter of its own, on its own cache line: one counter
 * shared by all would bounce between cores on every task and measure the
 * workload's contention instead of the scheduler; --shared-counter shows how
 * much.)
 *   flat          the main thread spawns N tasks, then waits.  Every task
 *                 enters from outside the pool.
 *   spawn_inside  one task spawns N tasks from inside the pool: all the work
 *                 starts on one worker's queue, and the others must steal it.
 *   tree          a binary tree of tasks, each spawning its two children, the
 *                 shape of divide-and-conquer (depth 13: 16,383 tasks).
 *   fib           fork-join fib(n), one join() per call, on the schedulers that
 *                 have join (lesson 4 on), on 1 worker and on all of them.
 *                 Each call only adds: the purest measure of join's overhead.
 * A serial baseline does the same work with plain function calls on one
 * thread: the floor no scheduler reaches.
 *
 * METHOD
 * Rounds: in each, every contestant runs once, in a freshly shuffled order,
 * so drift (another process, frequency scaling) is spread over all of them.
 * For each run a fresh pool is created, warmed up with one untimed run, timed
 * for one run, and destroyed: no pool's idle workers compete with another
 * pool's timed run, and creating threads is never timed.  We report the
 * median (robust to the odd slow run), min and max.  Each run checks that
 * every task ran, since a scheduler that drops tasks would look fast.
 * Idle CPU: a pool that has just run a workload is left with nothing to do
 * for a while, and the CPU time the process burns meanwhile is measured.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "rng.h"
#include "scheduler.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "?"
#endif

/* ---- the tasks ---- */

/* What tasks need to know (a task gets only one pointer). */
static const struct scheduler *cur_sched;
static void *cur_pool;
static bool shared_counter;

/* counts[w + 1] is worker w's; counts[0] is for threads that are not workers. */
static struct {
    _Alignas(64) atomic_ulong n;
} counts[SCHED_MAX_WORKERS + 1];

/* relaxed: only the total matters, and wait() orders it before we read it. */
static void trivial_task(void *arg)
{
    (void)arg;
    int slot = 0;   /* relaxed increment below: see the comment above */
    if (!shared_counter && cur_pool != NULL)
        slot = cur_sched->current_worker(cur_pool) + 1;
    atomic_fetch_add_explicit(&counts[slot].n, 1, memory_order_relaxed);
}

/* relaxed (both): between runs, and after wait(), which orders the
 * increments before the read. */
static void reset_counts(void)
{
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++)
        atomic_store_explicit(&counts[i].n, 0, memory_order_relaxed);
}

/* relaxed: read after wait(), as reset_counts says. */
static unsigned long total_count(void)
{
    unsigned long sum = 0;
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++)
        sum += atomic_load_explicit(&counts[i].n, memory_order_relaxed);
    return sum;
}

static unsigned long cur_tasks;
static atomic_int spawn_error;

static void spawn_or_record(task_fn fn, void *arg)
{
    int err = cur_sched->spawn(cur_pool, fn, arg);
    if (err != 0)
        atomic_store(&spawn_error, err);
}

static void spawner_task(void *arg)
{
    (void)arg;
    for (unsigned long i = 0; i < cur_tasks; i++)
        spawn_or_record(trivial_task, NULL);
}

static void tree_task(void *arg)
{
    uintptr_t depth = (uintptr_t)arg;
    trivial_task(NULL);
    if (depth > 0) {
        spawn_or_record(tree_task, (void *)(depth - 1));
        spawn_or_record(tree_task, (void *)(depth - 1));
    }
}

/* imbalanced: the argument is how long to spin, in microseconds. */
static void spin_task(void *arg)
{
    spin_ns((uintptr_t)arg * 1000u);
    trivial_task(NULL);
}

/* Task i of the imbalanced workload: 1 us, and every 100th 100 us. */
static void *imbalanced_arg(unsigned long i)
{
    return (void *)(uintptr_t)(i % 100 == 99 ? 100 : 1);
}

/* fib: the argument carries n in and the result out. */
struct fib {
    unsigned n;
    uint64_t result;
};

static void fib_task(void *arg)
{
    struct fib *f = arg;
    if (f->n < 2) {
        f->result = f->n;
        return;
    }
    struct fib a = { f->n - 1, 0 }, b = { f->n - 2, 0 };
    cur_sched->join(cur_pool, fib_task, &a, fib_task, &b);
    f->result = a.result + b.result;
}

static uint64_t fib_serial(unsigned n)
{
    return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

static unsigned fib_n = 30;
static uint64_t fib_result;

static void tree_serial(uintptr_t depth)
{
    trivial_task(NULL);
    if (depth > 0) {
        tree_serial(depth - 1);
        tree_serial(depth - 1);
    }
}

/* ---- workloads ---- */

/* POOL_ONE: a pool of one worker, for fib's T1.  PEER: another runtime,
 * a program of its own (peers/peer.h), run once per timed run. */
enum kind { SERIAL, THREAD_PER_TASK, POOL, POOL_ONE, PEER };

struct workload {
    const char *name;
    const char *about;
    unsigned long tasks;        /* tasks per run (set from the options) */
    bool thread_per_task;       /* offers the no-pool baseline */
    bool needs_join;            /* only for schedulers with join, also on 1 worker */
};

static void *thread_main(void *arg)
{
    trivial_task(arg);
    return NULL;
}

/* Does one run of workload `wl`; the pool, if any, is cur_pool. */
static void run_workload(const struct workload *wl, enum kind kind)
{
    unsigned long n = wl->tasks;
    task_fn volatile call = trivial_task;   /* a real call, as a pool makes */
    if (wl->needs_join) {
        struct fib root = { fib_n, 0 };
        if (kind == SERIAL) {
            root.result = fib_serial(fib_n);
        } else {
            spawn_or_record(fib_task, &root);
            cur_sched->wait(cur_pool);
        }
        fib_result = root.result;
        return;
    }
    if (strcmp(wl->name, "tree") == 0) {
        uintptr_t depth = 0;
        while ((2ul << depth) - 1 < n)
            depth++;
        if (kind == SERIAL)
            tree_serial(depth);
        else
            spawn_or_record(tree_task, (void *)depth);
    } else if (strcmp(wl->name, "imbalanced") == 0) {
        for (unsigned long i = 0; i < n; i++) {
            if (kind == SERIAL)
                spin_task(imbalanced_arg(i));
            else
                spawn_or_record(spin_task, imbalanced_arg(i));
        }
    } else if (kind == SERIAL) {
        for (unsigned long i = 0; i < n; i++)
            call(NULL);
    } else if (kind == THREAD_PER_TASK) {
        for (unsigned long i = 0; i < n; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, thread_main, NULL) != 0) {
                perror("bench: pthread_create");
                exit(1);
            }
            pthread_join(t, NULL);
        }
    } else if (strcmp(wl->name, "flat") == 0) {
        for (unsigned long i = 0; i < n; i++)
            spawn_or_record(trivial_task, NULL);
    } else {        /* spawn_inside: the spawner task itself is not counted */
        cur_tasks = n;
        spawn_or_record(spawner_task, NULL);
    }
    if (kind == POOL)
        cur_sched->wait(cur_pool);
}

/* ---- contestants and their results ---- */

struct entry {
    const char *name;
    enum kind kind;
    const struct scheduler *sched;
    const char *peer;           /* PEER: the program's path */
    double *ns;                 /* ns per task, one per round */
    struct sched_stats stats;   /* summed over the timed runs */
};

struct options {
    unsigned threads;
    unsigned reps;
    unsigned long tasks;
    unsigned long imbalanced_tasks;
    unsigned tree_depth;
    unsigned fib_n;
    double idle_seconds;
    unsigned wakeups;
    bool thread_per_task;
    bool shared_counter;
    const char *only;           /* run just this workload */
    const char *sched;          /* run just this scheduler (and serial) */
    const char *csv_path;
    const char *peers;          /* directory of peer programs, or NULL */
};

static unsigned long expected_tasks(const struct workload *wl)
{
    if (wl->needs_join)         /* calls of fib(n): 2 fib(n+1) - 1 */
        return 2 * (unsigned long)fib_serial(fib_n + 1) - 1;
    if (strcmp(wl->name, "tree") != 0)
        return wl->tasks;
    unsigned long nodes = 1;
    while (nodes < wl->tasks)
        nodes = 2 * nodes + 1;
    return nodes;
}

/* The peers bench knows, by program name, with the name in the tables. */
static const struct {
    const char *program, *name;
} peer_kinds[] = {
    { "peer-libgomp", "OpenMP tasks (gcc libgomp)" },
    { "peer-libomp", "OpenMP tasks (LLVM libomp)" },
    { "peer-onetbb", "oneTBB task_group" },
};

/* Runs `peer ARGS` and reads its one line of output into out[0..n-1].
 * Exits on failure: a peer that fails would make the table a lie. */
static void run_peer(const char *peer, const char *args, unsigned long long *out, int n)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' %s", peer, args);
    FILE *f = popen(cmd, "r");
    int got = 0;
    if (f != NULL) {
        for (got = 0; got < n; got++)
            if (fscanf(f, "%llu", &out[got]) != 1)
                break;
        if (pclose(f) != 0)
            got = -1;
    }
    if (got != n) {
        fprintf(stderr, "bench: %s failed\n", cmd);
        exit(1);
    }
}

/* A peer's timed run: the program warms up, times one run, and says how
 * long it took. */
static double time_peer(struct entry *e, const struct workload *wl, const struct options *o)
{
    unsigned long size = wl->tasks;
    if (wl->needs_join)
        size = fib_n;
    else if (strcmp(wl->name, "tree") == 0)
        size = o->tree_depth;
    char args[128];
    snprintf(args, sizeof args, "%s %u %lu", wl->name, o->threads, size);
    unsigned long long ns;
    run_peer(e->peer, args, &ns, 1);
    return (double)ns / (double)expected_tasks(wl);
}

/* Creates a pool, warms it up, times one run, destroys it.  Returns ns per
 * task; *run gets the stats of the timed run alone. */
static double time_one(struct entry *e, const struct workload *wl, const struct options *o,
                       struct sched_stats *run)
{
    if (e->kind == PEER) {
        *run = (struct sched_stats){ 0 };
        return time_peer(e, wl, o);
    }
    cur_sched = e->sched;
    cur_pool = NULL;
    bool pool = e->kind == POOL || e->kind == POOL_ONE;
    if (pool) {
        unsigned n = e->kind == POOL_ONE ? 1 : o->threads;
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

    unsigned long want = expected_tasks(wl), got = total_count();
    if (wl->needs_join)         /* fib counts nothing: check its answer instead */
        got = fib_result == fib_serial(fib_n) ? want : 0;
    if (got != want || atomic_load(&spawn_error) != 0) {
        fprintf(stderr, "bench: %s on %s ran %lu of %lu tasks (spawn error %d)\n", e->name,
                wl->name, got, want, atomic_load(&spawn_error));
        exit(1);
    }
    *run = (struct sched_stats){ 0 };
    if (pool) {
        e->sched->stats(cur_pool, &after);
        run->spawned = after.spawned - before.spawned;
        run->executed = after.executed - before.executed;
        run->steals = after.steals - before.steals;
        run->steal_attempts = after.steal_attempts - before.steal_attempts;
        run->steal_batches = after.steal_batches - before.steal_batches;
        run->steal_busy = after.steal_busy - before.steal_busy;
        run->parks = after.parks - before.parks;
        run->unparks = after.unparks - before.unparks;
        run->wakeups_noop = after.wakeups_noop - before.wakeups_noop;
        run->searches_failed = after.searches_failed - before.searches_failed;
        e->stats.spawned += run->spawned;
        e->stats.executed += run->executed;
        e->stats.steals += run->steals;
        e->stats.steal_attempts += run->steal_attempts;
        e->stats.steal_batches += run->steal_batches;
        e->stats.steal_busy += run->steal_busy;
        e->stats.parks += run->parks;
        e->sched->destroy(cur_pool);
    }
    return (double)(t1 - t0) / (double)want;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* CPU milliseconds the process burns per second while a pool sits idle. */
static double idle_cpu(const struct scheduler *s, const struct options *o)
{
    struct workload wl = { "flat", "", 1000, false, false };
    cur_sched = s;
    cur_pool = s->create(o->threads);
    if (cur_pool == NULL)
        return -1;
    run_workload(&wl, POOL);
    sleep_ms(20);       /* let the workers run out of things to look at */
    double c0 = cpu_seconds();
    sleep_ms((unsigned)(o->idle_seconds * 1000));
    double c1 = cpu_seconds();
    s->destroy(cur_pool);
    return (c1 - c0) * 1000 / o->idle_seconds;
}

/*
 * Wake-up latency: with the pool idle for a millisecond (every worker as
 * deeply asleep as it gets), the time from spawn() to the task's first
 * instruction, over `o->wakeups` wake-ups.  Fills lat[] sorted.
 */
static _Atomic uint64_t task_started;

static void note_start(void *arg)
{
    (void)arg;
    /* relaxed: wait() orders it before the main thread's read. */
    atomic_store_explicit(&task_started, now_ns(), memory_order_relaxed);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static bool wake_latency(const struct scheduler *s, const struct options *o, uint64_t *lat)
{
    struct workload wl = { "flat", "", 1000, false, false };
    cur_sched = s;
    cur_pool = s->create(o->threads);
    if (cur_pool == NULL)
        return false;
    run_workload(&wl, POOL);
    for (unsigned i = 0; i < o->wakeups; i++) {
        sleep_ms(1);
        uint64_t t0 = now_ns();
        if (s->spawn(cur_pool, note_start, NULL) != 0) {
            s->destroy(cur_pool);
            return false;
        }
        s->wait(cur_pool);
        /* relaxed: wait() orders note_start's store before this load. */
        lat[i] = atomic_load_explicit(&task_started, memory_order_relaxed) - t0;
    }
    s->destroy(cur_pool);
    qsort(lat, o->wakeups, sizeof *lat, cmp_u64);
    return true;
}

/* ---- statistics and printing ---- */

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

static const char *only_sched;      /* --sched */

/* Whether entry e runs workload wl. */
static bool takes_part(const struct entry *e, const struct workload *wl)
{
    if (e->sched != NULL && only_sched != NULL && strcmp(e->sched->name, only_sched) != 0)
        return false;
    if (e->kind == THREAD_PER_TASK)
        return wl->thread_per_task;
    if (e->kind == PEER)
        return only_sched == NULL;
    if (wl->needs_join)
        return e->kind == SERIAL || e->sched->join != NULL;
    return e->kind != POOL_ONE;
}

static void print_table(const struct workload *wl, struct entry *entries, unsigned n,
                        const struct options *o)
{
    printf("\n%s: %s\n%lu %s per run, %u workers, median of %u runs\n\n", wl->name,
           wl->about, expected_tasks(wl), wl->needs_join ? "calls" : "tasks", o->threads, o->reps);
    bool imbalanced = strcmp(wl->name, "imbalanced") == 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    double cores = ncpu > 0 && (unsigned long)ncpu < o->threads ? (double)ncpu : (double)o->threads;
    printf("%-30s %9s %20s %9s %11s %11s %9s %8s\n", "", "ns/task", "min - max", "tasks/s",
           wl->needs_join ? "vs serial" : imbalanced ? "vs ideal" : "vs lesson01", "steals/task",
           "per steal", "parks");
    double base = 0;
    for (unsigned i = 0; i < n; i++)
        if (entries[i].kind == POOL && strcmp(entries[i].name, "lesson01_shared_queue") == 0)
            base = median(entries[i].ns, o->reps);
    if (wl->needs_join)         /* no lesson01 here: compare with serial */
        base = median(entries[0].ns, o->reps);
    for (unsigned i = 0; i < n; i++) {
        struct entry *e = &entries[i];
        if (!takes_part(e, wl))
            continue;
        double med = median(e->ns, o->reps);
        char ratio[16] = "", steals[16] = "", batch[16] = "", parks[24] = "";
        if (imbalanced)         /* ideal: the serial time shared out over the cores */
            snprintf(ratio, sizeof ratio, "%.2fx", med / (median(entries[0].ns, o->reps) / cores));
        else if (base > 0)
            snprintf(ratio, sizeof ratio, base / med < 0.1 ? "%.4fx" : "%.2fx", base / med);
        if (e->kind == POOL && !wl->needs_join) {
            double executed = e->stats.executed ? (double)e->stats.executed : 1;
            snprintf(steals, sizeof steals, "%.3f", (double)e->stats.steals / executed);
            if (e->stats.steal_batches > 0)
                snprintf(batch, sizeof batch, "%.1f",
                         (double)e->stats.steals / (double)e->stats.steal_batches);
            snprintf(parks, sizeof parks, "%llu", (unsigned long long)e->stats.parks);
        }
        char name[40];
        snprintf(name, sizeof name, "%s%s", e->name, e->kind == POOL_ONE ? " (1 worker)" : "");
        printf("%-30s %9.1f %9.1f - %8.1f %8.2fM %11s %11s %9s %8s\n", name, med, e->ns[0],
               e->ns[o->reps - 1], 1e3 / med, ratio, steals, batch, parks);
    }
}

/* ---- main ---- */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench [--threads N] [--tasks N] [--reps N] [--workload NAME]\n"
            "             [--tree-depth N] [--fib N] [--sched NAME]\n"
            "             [--idle SECONDS] [--wakeups N] [--thread-per-task] [--shared-counter]\n"
            "             [--csv FILE]\n"
            "  --threads N      workers per pool (default: the number of CPUs)\n"
            "  --tasks N        tasks per run of flat and spawn_inside (default 10000)\n"
            "  --reps N         timed runs per scheduler and workload (default 21)\n"
            "  --workload NAME  flat, spawn_inside, tree, fib or imbalanced (default: all)\n"
            "  --sched NAME     only this scheduler (and serial), e.g. for perf\n"
            "  --tree-depth N   depth of the tree workload (default 13: 16,383 tasks)\n"
            "  --fib N          n for the fib workload (default 30)\n"
            "  --idle SECONDS   how long to measure idle CPU (default 1; 0 skips it)\n"
            "  --wakeups N      wake-ups to time on an idle pool (default 1000; 0 skips)\n"
            "  --thread-per-task  add the no-pool baseline to flat: a thread per task\n"
            "  --shared-counter   every task increments one shared counter, not its\n"
            "                   worker's own (to see what that contention costs)\n"
            "  --peers DIR      also run the peer programs found in DIR (peer-libgomp,\n"
            "                   peer-libomp, peer-onetbb: other runtimes, same workloads)\n"
            "  --csv FILE       raw results, one row per run\n"
            "                   (default lesson06_benchmark/results/latest.csv)\n");
    exit(2);
}

static unsigned long parse_count(const char *s, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (s == NULL || *s == '-' || errno != 0 || *end != '\0' || v == 0 || v > max)
        usage();
    return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){
        .threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN),
        .reps = 21,
        .tasks = 10000,
        .imbalanced_tasks = 10000,
        .idle_seconds = 1,
        .wakeups = 1000,
        .tree_depth = 13,
        .fib_n = 30,
        .csv_path = "lesson06_benchmark/results/latest.csv",
    };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--threads") == 0)
            o->threads = (unsigned)parse_count(val, SCHED_MAX_WORKERS), i++;
        else if (strcmp(arg, "--tasks") == 0)
            o->tasks = parse_count(val, 100000000), i++;
        else if (strcmp(arg, "--reps") == 0)
            o->reps = (unsigned)parse_count(val, 10000), i++;
        else if (strcmp(arg, "--workload") == 0 && val != NULL)
            o->only = val, i++;
        else if (strcmp(arg, "--sched") == 0 && val != NULL) {
            if (sched_find(val) == NULL)
                usage();
            o->sched = val, i++;
        } else if (strcmp(arg, "--tree-depth") == 0)
            o->tree_depth = (unsigned)parse_count(val, 24), i++;
        else if (strcmp(arg, "--fib") == 0)
            o->fib_n = (unsigned)parse_count(val, 40), i++;
        else if (strcmp(arg, "--idle") == 0 && val != NULL) {
            char *end;
            o->idle_seconds = strtod(val, &end);
            if (*end != '\0' || o->idle_seconds < 0 || o->idle_seconds > 60)
                usage();
            i++;
        } else if (strcmp(arg, "--wakeups") == 0 && val != NULL) {
            o->wakeups = strcmp(val, "0") == 0 ? 0 : (unsigned)parse_count(val, 100000);
            i++;
        } else if (strcmp(arg, "--thread-per-task") == 0)
            o->thread_per_task = true;
        else if (strcmp(arg, "--shared-counter") == 0)
            o->shared_counter = true;
        else if (strcmp(arg, "--csv") == 0 && val != NULL)
            o->csv_path = val, i++;
        else if (strcmp(arg, "--peers") == 0 && val != NULL)
            o->peers = val, i++;
        else
            usage();
    }
    if (o->only != NULL && strcmp(o->only, "flat") != 0 && strcmp(o->only, "spawn_inside") != 0 &&
        strcmp(o->only, "tree") != 0 && strcmp(o->only, "fib") != 0 &&
        strcmp(o->only, "imbalanced") != 0)
        usage();
}

int main(int argc, char **argv)
{
    struct options o;
    parse_options(argc, argv, &o);
    shared_counter = o.shared_counter;
    only_sched = o.sched;

    fib_n = o.fib_n;
    char tree_about[80], fib_about[96];
    snprintf(tree_about, sizeof tree_about,
             "a binary tree of tasks, each spawning its two children (depth %u)", o.tree_depth);
    snprintf(fib_about, sizeof fib_about, "fork-join fib(%u), one join per call (on schedulers "
             "with join)", o.fib_n);
    struct workload workloads[] = {
        { "flat", "the main thread spawns trivial tasks, then waits", o.tasks, o.thread_per_task,
          false },
        { "spawn_inside", "one task spawns trivial tasks inside the pool, then the main thread waits",
          o.tasks, false, false },
        { "tree", tree_about, (2ul << o.tree_depth) - 1, false, false },
        { "fib", fib_about, 0, false, true },
        { "imbalanced", "tasks of 1 us, every 100th of 100 us, spawned by the main thread",
          o.imbalanced_tasks, false, false },
    };
    unsigned nworkloads = sizeof workloads / sizeof workloads[0];

    /* The contestants: the serial loop, [thread per task,] every scheduler,
     * and every scheduler with join again on 1 worker (for fib). */
    unsigned first = o.thread_per_task ? 2 : 1, nsched = 0, njoin = 0;
    while (sched_all[nsched] != NULL)
        njoin += sched_all[nsched++]->join != NULL;
    /* The peers that were built (make bench builds what it can). */
    char *peer_path[sizeof peer_kinds / sizeof peer_kinds[0]];
    unsigned npeers = 0;
    for (unsigned k = 0; o.peers != NULL && k < sizeof peer_kinds / sizeof peer_kinds[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", o.peers, peer_kinds[k].program);
        if (access(path, X_OK) == 0 && (peer_path[npeers] = strdup(path)) != NULL)
            npeers++;
    }
    unsigned n = first + nsched + njoin + npeers;
    struct entry *entries = calloc(n, sizeof *entries);
    double *all_ns = calloc((size_t)n * o.reps, sizeof *all_ns);
    unsigned *order = calloc(n, sizeof *order);
    if (entries == NULL || all_ns == NULL || order == NULL) {
        perror("bench");
        return 1;
    }
    for (unsigned i = 0, j = first + nsched; i < n; i++) {
        struct entry *e = &entries[i];
        e->ns = all_ns + (size_t)i * o.reps;
        if (i == 0 || i < first) {
            e->kind = i == 0 ? SERIAL : THREAD_PER_TASK;
            e->name = i == 0 ? "serial" : "thread per task";
        } else if (i < first + nsched) {
            e->kind = POOL;
            e->sched = sched_all[i - first];
            e->name = e->sched->name;
            if (e->sched->join != NULL) {       /* its 1-worker twin */
                entries[j] = (struct entry){ e->name, POOL_ONE, e->sched, NULL,
                                             all_ns + (size_t)j * o.reps, { 0 } };
                j++;
            }
        }
    }
    for (unsigned k = 0, i = first + nsched + njoin; k < npeers; k++, i++) {
        const char *program = strrchr(peer_path[k], '/') + 1;
        for (unsigned m = 0; m < sizeof peer_kinds / sizeof peer_kinds[0]; m++)
            if (strcmp(program, peer_kinds[m].program) == 0)
                entries[i].name = peer_kinds[m].name;
        entries[i].kind = PEER;
        entries[i].peer = peer_path[k];
    }

    char cpu[128], date[32];
    cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    printf("machine: %s, %ld CPUs; compiler: %s %s; %s\n", cpu, sysconf(_SC_NPROCESSORS_ONLN),
#ifdef __clang__
           "clang",
#else
           "gcc",
#endif
           __VERSION__ " " BENCH_CFLAGS, date);

    FILE *csv = fopen(o.csv_path, "w");
    if (csv == NULL)
        fprintf(stderr, "bench: cannot write %s: %s\n", o.csv_path, strerror(errno));
    else
        fprintf(csv, "workload,scheduler,threads,tasks,rep,ns_per_task,"
                     "executed,steals,steal_batches,steal_attempts,steal_busy,parks,"
                     "unparks,wakeups_noop,searches_failed\n");

    bool progress = isatty(STDERR_FILENO);     /* a progress line, for people watching */
    struct rng rng;
    rng_seed(&rng, (uint64_t)now);
    for (unsigned w = 0; w < nworkloads; w++) {
        struct workload *wl = &workloads[w];
        if (o.only != NULL && strcmp(o.only, wl->name) != 0)
            continue;
        for (unsigned i = 0; i < n; i++)
            entries[i].stats = (struct sched_stats){ 0 };
        for (unsigned i = 0; i < n; i++)
            order[i] = i;
        for (unsigned r = 0; r < o.reps; r++) {
            for (unsigned i = n - 1; i > 0; i--) {      /* Fisher-Yates shuffle */
                unsigned j = rng_below(&rng, i + 1);
                unsigned t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (unsigned k = 0; k < n; k++) {
                struct entry *e = &entries[order[k]];
                if (!takes_part(e, wl))
                    continue;
                if (progress)
                    fprintf(stderr, "\r  %s: round %u/%u, %-28s", wl->name, r + 1, o.reps, e->name);
                struct sched_stats run;
                e->ns[r] = time_one(e, wl, &o, &run);
                if (csv != NULL)
                    fprintf(csv, "%s,%s,%u,%lu,%u,%.3f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n",
                            wl->name, e->name,
                            e->kind == POOL || e->kind == PEER ? o.threads : 1,
                            expected_tasks(wl), r, e->ns[r], (unsigned long long)run.executed,
                            (unsigned long long)run.steals, (unsigned long long)run.steal_batches,
                            (unsigned long long)run.steal_attempts,
                            (unsigned long long)run.steal_busy, (unsigned long long)run.parks,
                            (unsigned long long)run.unparks, (unsigned long long)run.wakeups_noop,
                            (unsigned long long)run.searches_failed);
            }
        }
        if (progress)
            fprintf(stderr, "\r%70s\r", "");
        print_table(wl, entries, n, &o);
    }

    if (o.idle_seconds > 0) {
        printf("\nidle: CPU time the whole process burns while a pool of %u workers has "
               "nothing to do (measured over %.1f s)\n\n", o.threads, o.idle_seconds);
        for (unsigned i = first; i < first + nsched; i++) {
            if (only_sched != NULL && strcmp(entries[i].name, only_sched) != 0)
                continue;
            if (progress)
                fprintf(stderr, "\r  idle: %-28s", entries[i].name);
            double ms = idle_cpu(entries[i].sched, &o);
            if (progress)
                fprintf(stderr, "\r%70s\r", "");
            printf("%-28s %8.1f ms of CPU per second (%.1f%% of one core)\n", entries[i].name,
                   ms, ms / 10);
        }
        for (unsigned i = first + nsched + njoin; i < n; i++) {
            char args[64];
            unsigned long long tenths;      /* the peer prints ms with one decimal: read x10 */
            snprintf(args, sizeof args, "idle %u %u", o.threads, (unsigned)(o.idle_seconds * 1000));
            run_peer(entries[i].peer, args, &tenths, 1);
            printf("%-28s %8.1f ms of CPU per second (%.1f%% of one core)\n", entries[i].name,
                   tenths / 10.0, tenths / 100.0);
        }
    }

    if (o.wakeups > 0) {
        printf("\nwake-up: from spawn() on a pool idle for 1 ms to the task's start, %u wake-ups, "
               "%u workers\n\n%-28s %10s %10s %10s\n", o.wakeups, o.threads, "", "median", "p99",
               "max");
        uint64_t *lat = malloc(o.wakeups * sizeof *lat);
        for (unsigned i = first; lat != NULL && i < first + nsched; i++) {
            if (only_sched != NULL && strcmp(entries[i].name, only_sched) != 0)
                continue;
            if (progress)
                fprintf(stderr, "\r  wake-up: %-28s", entries[i].name);
            bool ok = wake_latency(entries[i].sched, &o, lat);
            if (progress)
                fprintf(stderr, "\r%70s\r", "");
            if (!ok) {
                printf("%-28s failed: %s\n", entries[i].name, strerror(errno));
                continue;
            }
            printf("%-28s %7.1f us %7.1f us %7.1f us\n", entries[i].name,
                   lat[o.wakeups / 2] / 1e3, lat[o.wakeups * 99 / 100] / 1e3,
                   lat[o.wakeups - 1] / 1e3);
        }
        free(lat);
        for (unsigned i = first + nsched + njoin; i < n; i++) {
            char args[64];
            unsigned long long ns[3];
            snprintf(args, sizeof args, "wake %u %u", o.threads, o.wakeups);
            run_peer(entries[i].peer, args, ns, 3);
            printf("%-28s %7.1f us %7.1f us %7.1f us\n", entries[i].name, ns[0] / 1e3,
                   ns[1] / 1e3, ns[2] / 1e3);
        }
    }

    printf("\n(vs lesson01: times faster than lesson01 in this run, or for fib, than serial;\n"
           " vs ideal (imbalanced): time over the ideal, the serial time / min(workers, CPUs);\n"
           " steals/task: tasks taken from another worker per task run; per steal: tasks one\n"
           " successful steal took; parks: times a worker went to sleep, in the timed runs)\n");
    if (csv != NULL) {
        fclose(csv);
        printf("raw results: %s\n", o.csv_path);
    }
    free(order);
    free(all_ns);
    free(entries);
    return 0;
}
