/*
 * peer.h: what a peer (another runtime, in a program of its own) provides
 * to peer_main.c, and what peer_main.c provides to it.
 *
 * bench runs a peer once per timed run, as it creates a fresh pool per
 * timed run of a lesson's scheduler:
 *
 *   peer-NAME WORKLOAD THREADS SIZE   one warm-up run, then one timed run;
 *                                     prints the timed run's nanoseconds
 *   peer-NAME idle THREADS MS         prints, in tenths of a millisecond, the
 *                                     CPU burnt per second idle, over MS ms
 *   peer-NAME wake THREADS COUNT      the wake-up test (below); prints the
 *                                     median, 99th percentile and max of
 *                                     COUNT latencies in ns, the process's
 *                                     CPU ns per wake-up, its CPU us per
 *                                     second of the quiet gaps, and how many
 *                                     of the COUNT tasks ran on the
 *                                     submitting thread
 *
 * WORKLOAD is flat, spawn_inside, tree, fib or imbalanced, with the same
 * meaning as in bench.c; SIZE is the task count (flat, spawn_inside,
 * imbalanced), the depth (tree) or n (fib).  A peer that ran the wrong
 * number of tasks, or got fib wrong, prints why and exits with status 1.
 *
 * The real programs, defined in ../programs.h (keys, f, what a task is):
 *
 *   peer-NAME nqueens THREADS N CUTOFF   the solutions of N queens, a task
 *                                        per placement above row CUTOFF
 *   peer-NAME sort THREADS COUNT GRAIN   merge sort of COUNT keys (seed 1),
 *                                        halves in parallel above GRAIN
 *   peer-NAME reduce THREADS COUNT GRAIN the sum of f over COUNT keys
 *                                        (seed 2); GRAIN 0: adaptive
 *
 * Each makes its input untimed, does one warm-up run and one timed run,
 * checks both answers (nqueens against OEIS A000170; sort: ascending, and
 * the input's count and sum; reduce: the serial sum) and prints the timed
 * run's nanoseconds.  A wrong answer: why on stderr, exit status 1.
 * The Rust and Go peers speak the same protocol.
 *
 * The wake-up test, as bench.c does it for a lesson's pool: the runtime
 * left quiet for 1 ms, then one task submitted by a thread that does not
 * run it, and the time to the task's first instruction.  In the workloads
 * the thread that submits is one of the THREADS and runs tasks too, as
 * the runtime's own examples have it; a lone task submitted that way is
 * mostly run by the submitter itself, which times no wake-up at all.  So
 * for this test the runtime gets THREADS workers and the submitter on top,
 * as a lesson's pool has THREADS workers and the main thread outside, and
 * the submitter waits for the task where it cannot run it (each peer says
 * how).  Whether a task ran on the submitter anyway is counted.
 *
 * This header is C and C++ (the oneTBB peer is C++).
 */
#ifndef PEER_H
#define PEER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum peer_workload { PEER_FLAT, PEER_SPAWN_INSIDE, PEER_TREE, PEER_FIB, PEER_IMBALANCED };

/* ---- written by each peer ---- */

/* Sets up the runtime for `threads` threads.  outside == 0: the calling
 * thread is one of them (the workloads, the idle test); outside != 0: the
 * runtime gets `threads` workers besides the calling thread, which only
 * submits (the wake-up test).  Returns 0, or -1. */
int peer_init(unsigned threads, int outside);

/* One run of workload w of size n; returns when every task has run. */
void peer_run(enum peer_workload w, unsigned long n);

/* fib's answer from the last PEER_FIB run. */
unsigned long peer_fib_result(void);

/* The wake-up test, `rounds` times on one submitting thread: call
 * peer_wake_gap(), submit one task that calls peer_wake_task(), and call
 * peer_wake_wait(), which blocks until that task has run without letting
 * the submitting thread run tasks. */
void peer_wake(unsigned long rounds);

/* The real programs (programs.h), each on the runtime, returning when
 * done: nqueens' count; sort of a[0..n) with tmp; reduce's sum into *sum,
 * splits starting at `threads` when adaptive (grain 0). */
uint64_t peer_nqueens(unsigned n, unsigned cutoff);
void peer_sort(uint32_t *a, uint32_t *tmp, size_t n, size_t grain);
uint64_t peer_reduce(const uint32_t *a, size_t n, size_t grain, unsigned threads);

/* ---- provided by peer_main.c ---- */

/* The trivial task's body: counts one task for thread `thread` (0 ..
 * 255), on that thread's own cache line. */
void peer_trivial(int thread);

/* Spins for `us` microseconds, and the imbalanced workload's task i length. */
void peer_spin_us(unsigned us);
unsigned peer_imbalanced_us(unsigned long i);

/* The wake-up test's three steps (see peer_wake). */
void peer_wake_gap(void);
void peer_wake_task(void);
void peer_wake_wait(void);

#ifdef __cplusplus
}
#endif

#endif
