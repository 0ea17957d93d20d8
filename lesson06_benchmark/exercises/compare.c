/*
 * compare.c: `make -s lesson06-compare`, exercise 1's measurement.  Your
 * single-threaded executor (exercises/single_thread.c) against lesson 5's
 * work-stealing pool with 4 workers, on the same 10,000 tasks, in tasks
 * per second: the median of 11 runs each.
 *
 *   compare [TASK_NS [TASKS]]     (make -s lesson06-compare TASK_NS=1000)
 *
 * Each task is one atomic increment, on a counter of the running worker's
 * own (as in bench.c: a counter shared by every task would measure the
 * counter), after spinning TASK_NS nanoseconds (0 by default: trivial
 * tasks, so that the time per task is the executor's own cost).
 *
 * The method is bench.c's, in small: for each timed run, a fresh executor
 * or pool, one untimed warm-up run (threads started, arrays grown, code
 * paged in), one timed run (spawn every task, then wait), and a check that
 * every task ran.  The two contestants take turns in rounds, in a random
 * order each round (exercise 2 shows why), and we report the median.
 * This is a measurement, not a test: it asserts nothing about speed.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "exercises.h"
#include "rng.h"

enum { REPS = 11, WORKERS = 4 };

/* ---- the task ---- */

static uint64_t task_ns;
static const struct scheduler *pool_sched;
static void *cur_pool;          /* the pool running tasks now; NULL for the executor */

/* counts[w + 1] is worker w's; counts[0] the executor's (its caller is no
 * worker). */
static struct {
    _Alignas(64) atomic_ulong n;
} counts[SCHED_MAX_WORKERS + 1];

/* relaxed: only the total matters, read after wait(), which orders the
 * increments before the read. */
static void task(void *arg)
{
    (void)arg;
    if (task_ns > 0)
        spin_ns(task_ns);
    int slot = cur_pool != NULL ? pool_sched->current_worker(cur_pool) + 1 : 0;
    atomic_fetch_add_explicit(&counts[slot].n, 1, memory_order_relaxed);
}

/* relaxed: between runs, and after wait() (see task). */
static unsigned long take_count(void)
{
    unsigned long sum = 0;
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++)
        sum += atomic_exchange_explicit(&counts[i].n, 0, memory_order_relaxed);
    return sum;
}

/* ---- one run of each ---- */

static unsigned long ntasks = 10000;

static const char *err_name(int err)
{
    return err == ENOMEM ? "ENOMEM" : err == EINVAL ? "EINVAL" : strerror(err);
}

/* Spawns ntasks tasks on the executor, runs them; exits if any went missing. */
static void executor_run(struct executor *ex)
{
    for (unsigned long i = 0; i < ntasks; i++) {
        int err = exec_spawn(ex, task, NULL);
        if (err != 0) {
            printf("your executor: exec_spawn of task %lu returned %s: finish exercise 1 "
                   "first (make -C lesson06_benchmark exercises)\n", i, err_name(err));
            exit(1);
        }
    }
    exec_wait(ex);
    unsigned long ran = take_count();
    if (ran != ntasks) {
        printf("your executor ran %lu of %lu tasks: finish exercise 1 first "
               "(make -C lesson06_benchmark exercises)\n", ran, ntasks);
        exit(1);
    }
}

static double time_executor(void)
{
    struct executor ex;
    exec_init(&ex);
    cur_pool = NULL;
    executor_run(&ex);                  /* warm-up: the array grows to size */
    uint64_t t0 = now_ns();
    executor_run(&ex);
    double ns = (double)(now_ns() - t0);
    exec_destroy(&ex);
    return ns / (double)ntasks;
}

static void pool_run(void *pool)
{
    for (unsigned long i = 0; i < ntasks; i++) {
        int err = pool_sched->spawn(pool, task, NULL);
        if (err != 0) {
            printf("%s: spawn returned %s\n", pool_sched->name, err_name(err));
            exit(1);
        }
    }
    pool_sched->wait(pool);
    unsigned long ran = take_count();
    if (ran != ntasks) {
        printf("%s ran %lu of %lu tasks\n", pool_sched->name, ran, ntasks);
        exit(1);
    }
}

static double time_pool(void)
{
    void *pool = pool_sched->create(WORKERS);
    if (pool == NULL) {
        printf("%s: create(%d) failed: %s\n", pool_sched->name, WORKERS, strerror(errno));
        exit(1);
    }
    cur_pool = pool;
    pool_run(pool);                     /* warm-up: workers started, queues grown */
    uint64_t t0 = now_ns();
    pool_run(pool);
    double ns = (double)(now_ns() - t0);
    pool_sched->destroy(pool);
    cur_pool = NULL;
    return ns / (double)ntasks;
}

/* ---- rounds and medians ---- */

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

static void usage(FILE *f)
{
    fprintf(f, "usage: compare [TASK_NS [TASKS]]   (make -s lesson06-compare TASK_NS=1000)\n"
               "  TASK_NS    how long each task spins first, 0 to 10000000 ns (default 0)\n"
               "  TASKS      tasks per run, 1 to 100000000 (default 10000)\n"
               "  -h, --help this text\n");
}

int main(int argc, char **argv)
{
    unsigned long ns_arg = 0;
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 3)
        cli_bad_usage("compare", usage, "too many arguments (at most TASK_NS and TASKS)");
    if (argc > 1)
        ns_arg = cli_parse_count("compare", usage, "TASK_NS", argv[1], 0, 10000000);
    if (argc > 2)
        ntasks = cli_parse_count("compare", usage, "TASKS", argv[2], 1, 100000000);
    task_ns = ns_arg;
    pool_sched = sched_find("lesson05_parking");
    if (pool_sched == NULL) {
        fprintf(stderr, "compare: no scheduler lesson05_parking\n");
        return 1;
    }

    double exec_ns[REPS], pool_ns[REPS];
    struct rng rng;
    rng_seed(&rng, now_ns());
    for (unsigned r = 0; r < REPS; r++) {
        if (rng_below(&rng, 2) == 0) {  /* a fresh order each round */
            exec_ns[r] = time_executor();
            pool_ns[r] = time_pool();
        } else {
            pool_ns[r] = time_pool();
            exec_ns[r] = time_executor();
        }
    }

    double e = median(exec_ns, REPS), p = median(pool_ns, REPS);
    char what[64] = "one atomic increment";
    if (task_ns > 0)
        snprintf(what, sizeof what, "%lu ns of spinning, then one atomic increment", ns_arg);
    printf("%lu tasks per run, each %s; median of %d runs, %ld CPUs\n\n", ntasks, what, REPS,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-36s %12s %10s %21s\n", "", "tasks/s", "ns/task", "ns/task, min - max");
    printf("%-36s %11.2fM %10.1f %10.1f - %8.1f\n", "single-threaded executor (yours)",
           1e3 / e, e, exec_ns[0], exec_ns[REPS - 1]);
    char name[64];
    snprintf(name, sizeof name, "%s, %d workers", pool_sched->name, WORKERS);
    printf("%-36s %11.2fM %10.1f %10.1f - %8.1f\n\n", name, 1e3 / p, p, pool_ns[0],
           pool_ns[REPS - 1]);
    /* Within 5% of each other the medians say nothing about which is faster. */
    if (p < 1.05 * e && e < 1.05 * p)
        printf("A tie: one thread and %d workers within 5%% of each other (%.2f).\n", WORKERS,
               p / e);
    else if (e < p)
        printf("One thread ran them %.1f times as fast as %d workers.\n", p / e, WORKERS);
    else
        printf("%d workers ran them %.1f times as fast as one thread.\n", WORKERS, e / p);
    return 0;
}
