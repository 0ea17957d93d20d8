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
 *   peer-NAME wake THREADS COUNT      prints median, 99th percentile and
 *                                     max of COUNT wake-up latencies, in ns
 *
 * WORKLOAD is flat, spawn_inside, tree, fib or imbalanced, with the same
 * meaning as in bench.c; SIZE is the task count (flat, spawn_inside,
 * imbalanced), the depth (tree) or n (fib).  A peer that ran the wrong
 * number of tasks, or got fib wrong, prints why and exits with status 1.
 *
 * This header is C and C++ (the oneTBB peer is C++).
 */
#ifndef PEER_H
#define PEER_H

#ifdef __cplusplus
extern "C" {
#endif

enum peer_workload { PEER_FLAT, PEER_SPAWN_INSIDE, PEER_TREE, PEER_FIB, PEER_IMBALANCED };

/* ---- written by each peer ---- */

/* Sets up the runtime for `threads` threads.  Returns 0, or -1. */
int peer_init(unsigned threads);

/* One run of workload w of size n; returns when every task has run. */
void peer_run(enum peer_workload w, unsigned long n);

/* fib's answer from the last PEER_FIB run. */
unsigned long peer_fib_result(void);

/* Runs one task that calls peer_started(), and returns when it has. */
void peer_note_start(void);

/* ---- provided by peer_main.c ---- */

/* The trivial task's body: counts one task for thread `thread` (0 ..
 * 255), on that thread's own cache line. */
void peer_trivial(int thread);

/* Spins for `us` microseconds, and the imbalanced workload's task i length. */
void peer_spin_us(unsigned us);
unsigned peer_imbalanced_us(unsigned long i);

/* Records the time a wake-up task started. */
void peer_started(void);

#ifdef __cplusplus
}
#endif

#endif
