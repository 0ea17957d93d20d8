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
 * The wake-up test (peer.h): in OpenMP the thread that creates a task is
 * always one of the team, and it may run the task itself at its next task
 * scheduling point.  So the team has THREADS + 1 threads: the master
 * creates each task and then waits on a semaphore, which is no scheduling
 * point, while the THREADS others wait for tasks in the region's closing
 * barrier, asleep or spinning as the runtime decides.  One of them must
 * wake and take the task.  Which thread ran it is counted all the same.
 */
#include <omp.h>

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
