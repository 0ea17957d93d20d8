/*
 * omp_peer.c: the benchmark's workloads written with OpenMP tasks, so that
 * `make bench` can put the lessons' schedulers beside what a C programmer
 * would use instead.  Built twice: with gcc (GNU libgomp) and, where it is
 * installed, with clang (LLVM libomp).  The two runtimes export the same
 * symbols, so they cannot share a process: each is a program of its own,
 * which bench runs once per timed run (see peer.h for the protocol).
 *
 * How each workload maps:
 *   flat, imbalanced  one thread of the team (omp single) creates n tasks;
 *                     the barrier at the end of the parallel region waits
 *   spawn_inside      that thread creates one task, which creates n tasks
 *   tree              each task creates its two children (no taskwait:
 *                     the region's barrier waits for them all)
 *   fib               one task per call for fib(n-1), fib(n-2) in the
 *                     caller, then taskwait: one task per call, as join
 *
 * The real programs (../programs.h): a task per placement above the
 * cut-off, then taskwait (nqueens); a task for the right half, the left
 * half in place, then taskwait and the merge (sort); the same split for
 * reduce, whose pieces compare omp_get_thread_num() with their splitter's
 * to tell a stolen one (tasks are tied: a task stays on its thread).
 *
 * The wake-up test (peer.h): in OpenMP the thread that creates a task is
 * always one of the team, and it may run the task itself at its next task
 * scheduling point.  So the team has THREADS + 1 threads: the master
 * creates each task and then waits on a semaphore, which is no scheduling
 * point, while the THREADS others wait for tasks in the region's closing
 * barrier, asleep or spinning as the runtime decides.  One of them must
 * wake and take the task.  Which thread ran it is counted all the same.
 */
#include <omp.h>

#include "../programs.h"
#include "peer.h"

static unsigned long fib_out;

static void tree(unsigned depth)
{
    peer_trivial(omp_get_thread_num());
    if (depth > 0) {
#pragma omp task
        tree(depth - 1);
#pragma omp task
        tree(depth - 1);
    }
}

static unsigned long fib(unsigned n)
{
    if (n < 2)
        return n;
    unsigned long a, b;
#pragma omp task shared(a)
    a = fib(n - 1);
    b = fib(n - 2);
#pragma omp taskwait
    return a + b;
}

static void spawn_n(unsigned long n, int imbalanced)
{
    for (unsigned long i = 0; i < n; i++) {
#pragma omp task
        {
            if (imbalanced)
                peer_spin_us(peer_imbalanced_us(i));
            peer_trivial(omp_get_thread_num());
        }
    }
}

void peer_run(enum peer_workload w, unsigned long n)
{
#pragma omp parallel
#pragma omp single
    {
        switch (w) {
        case PEER_FLAT:
            spawn_n(n, 0);
            break;
        case PEER_IMBALANCED:
            spawn_n(n, 1);
            break;
        case PEER_SPAWN_INSIDE:
#pragma omp task
            spawn_n(n, 0);
            break;
        case PEER_TREE:
            tree((unsigned)n);
            break;
        case PEER_FIB:
            fib_out = fib((unsigned)n);
            break;
        }
    }
}

void peer_wake(unsigned long rounds)
{
#pragma omp parallel
#pragma omp master
    for (unsigned long i = 0; i < rounds; i++) {
        peer_wake_gap();
#pragma omp task
        peer_wake_task();
        peer_wake_wait();
    }
}

unsigned long peer_fib_result(void)
{
    return fib_out;
}

int peer_init(unsigned threads, int outside)
{
    omp_set_num_threads((int)threads + (outside != 0));     /* outside: the master */
    return 0;
}

/* ---- the real programs ---- */

static uint64_t nqueens(unsigned n, unsigned cutoff, struct prog_board b)
{
    uint32_t cols = prog_nq_free(n, &b);
    if (!prog_nq_splits(&b, cols, cutoff))
        return prog_nq_count(n, &b);
    uint64_t counts[32];
    int k = 0;
    for (; cols != 0; cols &= cols - 1, k++) {
        struct prog_board child = prog_nq_place(&b, cols & -cols);
#pragma omp task shared(counts) firstprivate(child, k)
        counts[k] = nqueens(n, cutoff, child);
    }
#pragma omp taskwait
    uint64_t sum = 0;
    while (k > 0)
        sum += counts[--k];
    return sum;
}

uint64_t peer_nqueens(unsigned n, unsigned cutoff)
{
    uint64_t result = 0;
    struct prog_board empty = { 0, 0, 0, 0 };
#pragma omp parallel
#pragma omp single
    result = nqueens(n, cutoff, empty);
    return result;
}

static void sort(uint32_t *a, uint32_t *tmp, size_t n, size_t grain)
{
    if (!prog_sort_splits(n, grain)) {
        prog_sort(a, tmp, n);
        return;
    }
    size_t m = n / 2;
#pragma omp task
    sort(a + m, tmp + m, n - m, grain);
    sort(a, tmp, m, grain);
#pragma omp taskwait
    prog_merge(a, m, n, tmp);
}

void peer_sort(uint32_t *a, uint32_t *tmp, size_t n, size_t grain)
{
#pragma omp parallel
#pragma omp single
    sort(a, tmp, n, grain);
}

static uint64_t reduce(const uint32_t *a, size_t lo, size_t hi, size_t grain, unsigned threads,
                       unsigned splits, int splitter)
{
    int me = omp_get_thread_num();
    bool stolen = splitter != PROG_NO_SPLITTER && splitter != me;
    if (!prog_reduce_splits(hi - lo, grain, stolen, threads, &splits))
        return prog_reduce_range(a, lo, hi);
    size_t m = lo + (hi - lo) / 2;
    uint64_t right;
#pragma omp task shared(right)
    right = reduce(a, m, hi, grain, threads, splits, me);
    uint64_t left = reduce(a, lo, m, grain, threads, splits, me);
#pragma omp taskwait
    return left + right;
}

uint64_t peer_reduce(const uint32_t *a, size_t n, size_t grain, unsigned threads)
{
    uint64_t sum = 0;
#pragma omp parallel
#pragma omp single
    sum = reduce(a, 0, n, grain, threads, threads, PROG_NO_SPLITTER);
    return sum;
}
