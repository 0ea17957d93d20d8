/*
 * tbb_peer.cpp: the benchmark's workloads written with oneTBB's
 * task_group, the C++ programmer's choice (Debian: libtbb-dev).  A program
 * of its own, as the OpenMP peers are (see peer.h).
 *
 * Threads: a task_arena of THREADS slots (and a global_control that lets
 * TBB have more threads than CPUs, for the oversubscribed runs).  The calling thread enters it
 * (arena.execute) and takes one slot, so THREADS threads run tasks, the
 * caller among them, as in an OpenMP team.  (The lessons' pools have
 * THREADS workers, and the spawning thread only waits.)
 *
 * How each workload maps:
 *   flat, imbalanced  the caller runs n tasks into one task_group, then
 *                     waits on it
 *   spawn_inside      one task of the group adds n more to the same group
 *   tree              each task adds its two children to the same group
 *   fib               a task_group per call: run fib(n-1), call fib(n-2),
 *                     wait (TBB's own example): one task per call, as join
 *
 * The real programs (../programs.h, called through extern "C"): a
 * task_group per board above the cut-off, a task per placement (nqueens);
 * a task_group per split, run the right half, the left in place, wait,
 * merge (sort); the same split for reduce, whose pieces compare their
 * arena slot (current_thread_index) with their splitter's to tell a
 * stolen one.  A slot is not a thread: a worker that leaves the arena and
 * comes back may take another slot, and a piece then looks stolen when it
 * was not, or the other way round.  That costs speed, never the answer.
 *
 * The wake-up test (peer.h): the arena has THREADS slots, none reserved
 * for the caller, and TBB may start THREADS workers for it.  The caller
 * never enters the arena: it enqueues each task into it from outside
 * (task_arena::enqueue) and waits on a semaphore, so a worker must wake
 * and take the task, as in a lesson's pool.
 */
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include "../programs.h"
#include "peer.h"

static tbb::task_arena *arena;
static unsigned long fib_out;

static int slot()
{
    return tbb::this_task_arena::current_thread_index();
}

static void tree(tbb::task_group &g, unsigned depth)
{
    peer_trivial(slot());
    if (depth > 0) {
        g.run([&g, depth] { tree(g, depth - 1); });
        g.run([&g, depth] { tree(g, depth - 1); });
    }
}

static unsigned long fib(unsigned n)
{
    if (n < 2)
        return n;
    unsigned long a, b;
    tbb::task_group g;
    g.run([&a, n] { a = fib(n - 1); });
    b = fib(n - 2);
    g.wait();
    return a + b;
}

static void spawn_n(tbb::task_group &g, unsigned long n, bool imbalanced)
{
    for (unsigned long i = 0; i < n; i++)
        g.run([i, imbalanced] {
            if (imbalanced)
                peer_spin_us(peer_imbalanced_us(i));
            peer_trivial(slot());
        });
}

extern "C" void peer_run(enum peer_workload w, unsigned long n)
{
    arena->execute([w, n] {
        tbb::task_group g;
        switch (w) {
        case PEER_FLAT:
            spawn_n(g, n, false);
            break;
        case PEER_IMBALANCED:
            spawn_n(g, n, true);
            break;
        case PEER_SPAWN_INSIDE:
            g.run([&g, n] { spawn_n(g, n, false); });
            break;
        case PEER_TREE:
            g.run([&g, n] { tree(g, (unsigned)n); });
            break;
        case PEER_FIB:
            fib_out = fib((unsigned)n);
            break;
        }
        g.wait();
    });
}

extern "C" void peer_wake(unsigned long rounds)
{
    for (unsigned long i = 0; i < rounds; i++) {
        peer_wake_gap();
        arena->enqueue([] { peer_wake_task(); });
        peer_wake_wait();
    }
}

extern "C" unsigned long peer_fib_result(void)
{
    return fib_out;
}

/* ---- the real programs ---- */

static uint64_t nqueens(unsigned n, unsigned cutoff, prog_board b)
{
    uint32_t cols = prog_nq_free(n, &b);
    if (!prog_nq_splits(&b, cols, cutoff))
        return prog_nq_count(n, &b);
    uint64_t counts[32];
    int k = 0;
    tbb::task_group g;
    for (; cols != 0; cols &= cols - 1, k++) {
        prog_board child = prog_nq_place(&b, cols & -cols);
        g.run([&counts, k, n, cutoff, child] { counts[k] = nqueens(n, cutoff, child); });
    }
    g.wait();
    uint64_t sum = 0;
    while (k > 0)
        sum += counts[--k];
    return sum;
}

extern "C" uint64_t peer_nqueens(unsigned n, unsigned cutoff)
{
    uint64_t result = 0;
    arena->execute([&result, n, cutoff] { result = nqueens(n, cutoff, prog_board{ 0, 0, 0, 0 }); });
    return result;
}

static void sort(uint32_t *a, uint32_t *tmp, size_t n, size_t grain)
{
    if (!prog_sort_splits(n, grain)) {
        prog_sort(a, tmp, n);
        return;
    }
    size_t m = n / 2;
    tbb::task_group g;
    g.run([=] { sort(a + m, tmp + m, n - m, grain); });
    sort(a, tmp, m, grain);
    g.wait();
    prog_merge(a, m, n, tmp);
}

extern "C" void peer_sort(uint32_t *a, uint32_t *tmp, size_t n, size_t grain)
{
    arena->execute([=] { sort(a, tmp, n, grain); });
}

static uint64_t reduce(const uint32_t *a, size_t lo, size_t hi, size_t grain, unsigned threads,
                       unsigned splits, int splitter)
{
    int me = slot();
    bool stolen = splitter != PROG_NO_SPLITTER && splitter != me;
    if (!prog_reduce_splits(hi - lo, grain, stolen, threads, &splits))
        return prog_reduce_range(a, lo, hi);
    size_t m = lo + (hi - lo) / 2;
    uint64_t right = 0;
    tbb::task_group g;
    g.run([=, &right] { right = reduce(a, m, hi, grain, threads, splits, me); });
    uint64_t left = reduce(a, lo, m, grain, threads, splits, me);
    g.wait();
    return left + right;
}

extern "C" uint64_t peer_reduce(const uint32_t *a, size_t n, size_t grain, unsigned threads)
{
    uint64_t sum = 0;
    arena->execute([&sum, a, n, grain, threads] {
        sum = reduce(a, 0, n, grain, threads, threads, PROG_NO_SPLITTER);
    });
    return sum;
}

extern "C" int peer_init(unsigned threads, int outside)
{
    /* TBB caps its workers at the CPUs unless told otherwise; the sweep's
     * oversubscribed runs need THREADS threads, as the lessons' pools get.
     * The limit counts the calling thread: outside, THREADS workers need
     * THREADS + 1, and no arena slot is kept for the caller. */
    unsigned total = threads + (outside != 0);
    new tbb::global_control(tbb::global_control::max_allowed_parallelism, total);
    arena = new tbb::task_arena((int)threads, outside ? 0 : 1);
    arena->initialize();
    return 0;
}
