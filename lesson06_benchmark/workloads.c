/*
 * workloads.c: the tasks of the benchmark, and one run of each workload.
 *
 * Every task is trivial: one atomic increment (a fib call only adds its
 * children's results).  A task that does almost nothing makes the time per
 * task the scheduler's own cost: queueing, waking, taking, counting.  Each
 * worker increments a counter of its own, on its own cache line: one
 * counter shared by all would bounce between cores on every task and
 * measure the workload's contention instead of the scheduler
 * (--shared-counter shows how much).
 *
 *   flat          the main thread spawns N tasks, then waits.  Every task
 *                 enters from outside the pool.
 *   spawn_inside  one task spawns N tasks from inside the pool: all the work
 *                 starts on one worker's queue, and the others must steal it.
 *   tree          a binary tree of tasks, each spawning its two children, the
 *                 shape of divide-and-conquer (depth 13: 16,383 tasks).
 *   fib           fork-join fib(n), one join() per call (lesson 4 on).
 *   imbalanced    the main thread spawns N tasks that spin 1 us, and every
 *                 100th 100 us: load balance, against the ideal.
 *   find_any      a search of an array of N numbers that stops at the first
 *                 match (there is one, at a place bench picks each round):
 *                 one task per chunk of 4,096, each checking every 256
 *                 elements whether another has found it already.
 *                 Cancellation: how soon the pool stops once the answer is
 *                 known, against a serial scan that stops there.
 * SERIAL does the same work with plain function calls on one thread;
 * SERIAL_CALLS, for fib, with exactly one call per node (see fib_call_task).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "workloads.h"

const struct scheduler *cur_sched;
void *cur_pool;
bool shared_counter;

/* counts[w + 1] is worker w's; counts[0] is for threads that are not workers. */
static struct {
    _Alignas(64) atomic_ulong n;
} counts[SCHED_MAX_WORKERS + 1];

static atomic_int spawn_error;
static unsigned long spawn_inside_tasks;
static unsigned long cur_find_n;        /* find_any's elements, for its tasks */
static uint64_t fib_result;

/* relaxed: only the total matters, and wait() orders it before we read it. */
static void trivial_task(void *arg)
{
    (void)arg;
    int slot = 0;
    if (!shared_counter && cur_pool != NULL)
        slot = cur_sched->current_worker(cur_pool) + 1;
    atomic_fetch_add_explicit(&counts[slot].n, 1, memory_order_relaxed);
}

/* relaxed (all three): between runs, and after wait(), which orders the
 * increments before the reads. */
void reset_counts(void)
{
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++)
        atomic_store_explicit(&counts[i].n, 0, memory_order_relaxed);
    atomic_store_explicit(&spawn_error, 0, memory_order_relaxed);
}

static unsigned long total_count(void)
{
    unsigned long sum = 0;
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++)
        sum += atomic_load_explicit(&counts[i].n, memory_order_relaxed);
    return sum;
}

static void spawn_or_record(task_fn fn, void *arg)
{
    int err = cur_sched->spawn(cur_pool, fn, arg);
    if (err != 0)
        atomic_store(&spawn_error, err);
}

static void spawner_task(void *arg)
{
    (void)arg;
    for (unsigned long i = 0; i < spawn_inside_tasks; i++)
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

static void tree_serial(uintptr_t depth)
{
    trivial_task(NULL);
    if (depth > 0) {
        tree_serial(depth - 1);
        tree_serial(depth - 1);
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

/* fib as plain recursion.  gcc -O2 inlines it into itself several levels
 * deep and keeps a running sum, and clang turns one of the two calls into a
 * loop: a fraction of a nanosecond per call of fib(n), far fewer calls than
 * nodes.  It is kept as a row of its own: it is what the serial leaves of
 * a real fork-join program (below a cut-off) would run. */
static uint64_t fib_serial(unsigned n)
{
    return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

/* fib with one real call per node: fib_task's own shape, with join replaced
 * by two calls through the same task_fn pointer type, which is what
 * fork-join does once the scheduler is taken away (join calls both halves
 * through their task_fn pointers).  The pointer is volatile, so the
 * compiler cannot see which function it calls, and can neither inline the
 * recursion nor turn it into a loop: every node costs one indirect call. */
static void fib_call_task(void *arg);
static task_fn volatile fib_call = fib_call_task;

static void fib_call_task(void *arg)
{
    struct fib *f = arg;
    if (f->n < 2) {
        f->result = f->n;
        return;
    }
    struct fib a = { f->n - 1, 0 }, b = { f->n - 2, 0 };
    fib_call(&a);
    fib_call(&b);
    f->result = a.result + b.result;
}

/* fib(n) by iteration: the answer to check against, at no cost. */
static uint64_t fib_iter(unsigned n)
{
    uint64_t a = 0, b = 1;
    for (unsigned i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

/* find_any: find_data[find_at] is the only 0.  find_found is the first
 * index found, or -1; every task reads it every FIND_CHECK elements and
 * gives up once it is set. */
enum { FIND_CHUNK = 4096, FIND_CHECK = 256 };
static uint32_t *find_data;
static unsigned long find_at;
static atomic_long find_found;

int find_any_setup(unsigned long elements)
{
    free(find_data);
    find_data = malloc(elements * sizeof *find_data);
    if (find_data == NULL)
        return -1;
    uint64_t x = 88172645463325252u;          /* xorshift: numbers, never 0 */
    for (unsigned long i = 0; i < elements; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        find_data[i] = (uint32_t)x | 1;
    }
    find_at = elements / 4 * 3;
    find_data[find_at] = 0;
    return 0;
}

void find_any_place(unsigned long at)
{
    find_data[find_at] = 1;
    find_at = at;
    find_data[find_at] = 0;
}

/* The predicate, called through a pointer the compiler cannot see through,
 * as a search with a predicate of the caller's does: without it, the scan
 * is one vector compare per 8 elements and measures the memory bus. */
static bool is_match(unsigned long i)
{
    return find_data[i] == 0;
}
static bool (*volatile find_pred)(unsigned long i) = is_match;

/* Scans [lo, hi); returns the match's index, or -1. */
static long find_in(unsigned long lo, unsigned long hi)
{
    for (unsigned long i = lo; i < hi; i++)
        if (find_pred(i))
            return (long)i;
    return -1;
}

static void find_task(void *arg)
{
    unsigned long lo = (uintptr_t)arg * FIND_CHUNK, end = lo + FIND_CHUNK, n = cur_find_n;
    if (end > n)
        end = n;
    for (; lo < end; lo += FIND_CHECK) {
        /* relaxed: a hint to stop early; the answer is read after wait(). */
        if (atomic_load_explicit(&find_found, memory_order_relaxed) >= 0)
            return;
        long at = find_in(lo, lo + FIND_CHECK < end ? lo + FIND_CHECK : end);
        if (at >= 0) {
            atomic_store_explicit(&find_found, at, memory_order_relaxed);  /* as above */
            return;
        }
    }
}

static void *thread_main(void *arg)
{
    trivial_task(arg);
    return NULL;
}

void run_workload(const struct workload *wl, enum kind kind)
{
    unsigned long n = wl->size;
    task_fn volatile call = trivial_task;   /* a real call, as a pool makes */
    switch (wl->id) {
    case FIB: {
        struct fib root = { (unsigned)n, 0 };
        if (kind == SERIAL) {
            root.result = fib_serial((unsigned)n);
        } else if (kind == SERIAL_CALLS) {
            fib_call(&root);
        } else {
            spawn_or_record(fib_task, &root);
            cur_sched->wait(cur_pool);
        }
        fib_result = root.result;
        return;
    }
    case TREE:
        if (kind == SERIAL)
            tree_serial(n);
        else
            spawn_or_record(tree_task, (void *)(uintptr_t)n);
        break;
    case IMBALANCED:
        for (unsigned long i = 0; i < n; i++) {
            if (kind == SERIAL)
                spin_task(imbalanced_arg(i));
            else
                spawn_or_record(spin_task, imbalanced_arg(i));
        }
        break;
    case FLAT:
    case SPAWN_INSIDE:
        if (kind == SERIAL) {
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
        } else if (wl->id == FLAT) {
            for (unsigned long i = 0; i < n; i++)
                spawn_or_record(trivial_task, NULL);
        } else {        /* the spawner task itself is not counted */
            spawn_inside_tasks = n;
            spawn_or_record(spawner_task, NULL);
        }
        break;
    case FIND_ANY:
        atomic_store(&find_found, -1);
        if (kind == SERIAL) {
            atomic_store(&find_found, find_in(0, n));
            return;
        }
        cur_find_n = n;
        for (unsigned long c = 0; c * FIND_CHUNK < n; c++)
            spawn_or_record(find_task, (void *)(uintptr_t)c);
        break;
    case NWORKLOADS:
        break;
    }
    if (kind == POOL || kind == POOL_ONE)
        cur_sched->wait(cur_pool);
}

unsigned long expected_tasks(const struct workload *wl)
{
    if (wl->id == FIB)          /* calls of fib(n): 2 fib(n+1) - 1 */
        return 2 * (unsigned long)fib_iter((unsigned)wl->size + 1) - 1;
    if (wl->id == TREE)
        return (2ul << wl->size) - 1;
    return wl->size;
}

int check_run(const struct workload *wl, unsigned long *ran, int *err)
{
    unsigned long want = expected_tasks(wl);
    *ran = total_count();
    if (wl->id == FIB)          /* fib counts nothing: check its answer instead */
        *ran = fib_result == fib_iter((unsigned)wl->size) ? want : 0;
    if (wl->id == FIND_ANY)     /* nor does find_any: it must have found the one */
        *ran = atomic_load(&find_found) == (long)find_at ? want : 0;
    *err = atomic_load(&spawn_error);
    return *ran == want && *err == 0 ? 0 : -1;
}
