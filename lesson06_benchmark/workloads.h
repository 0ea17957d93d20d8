/*
 * workloads.h: the benchmark's workloads, one run at a time.
 *
 * bench.c decides who runs what, when, and how often; this file only knows
 * how to do one run of one workload on the pool in cur_pool (or serially),
 * and whether every task of it ran.  peers/peer_main.c and the peers do
 * the same workloads, with the same definitions, in other runtimes.
 */
#ifndef WORKLOADS_H
#define WORKLOADS_H

#include <stdbool.h>

#include "scheduler.h"

/* Who runs a workload.  SERIAL: plain calls on one thread, as the compiler
 * optimises them.  SERIAL_CALLS: fib only, one real call per node, the
 * calls fork-join makes without the scheduler (fib's baseline).
 * POOL_ONE: a pool of one worker (fib's T1).  PEER: another runtime, in a
 * program of its own (peers/peer.h). */
enum kind { SERIAL, SERIAL_CALLS, THREAD_PER_TASK, POOL, POOL_ONE, PEER };

enum workload_id { FLAT, SPAWN_INSIDE, TREE, FIB, IMBALANCED, FIND_ANY, NWORKLOADS };

struct workload {
    enum workload_id id;
    const char *name;
    const char *about;
    unsigned long size;         /* tasks (flat, spawn_inside, imbalanced),
                                   depth (tree), n (fib): as peers take it;
                                   elements to search (find_any) */
};

/* The pool runs use: set them before run_workload(). */
extern const struct scheduler *cur_sched;
extern void *cur_pool;
extern bool shared_counter;     /* --shared-counter: one counter for all tasks */

/* One run of wl: spawns its tasks (or calls them, for SERIAL) and, for a
 * pool, waits until all have run. */
void run_workload(const struct workload *wl, enum kind kind);

/* Tasks (for fib, calls; for find_any, elements) in one run of wl. */
unsigned long expected_tasks(const struct workload *wl);

/* find_any's array: call once before its first run.  Returns 0 or -1. */
int find_any_setup(unsigned long elements);

/* Moves find_any's one match to index `at` (bench moves it every round, so
 * that no scheduler is lucky or unlucky with one place every time). */
void find_any_place(unsigned long at);

/* Zeroes the task counters before a run. */
void reset_counts(void);

/* After a run: 0 if every task ran (for fib: if the answer is right) and
 * no spawn was refused; otherwise -1, with the tasks that ran in *ran and
 * the refused spawn's error in *err. */
int check_run(const struct workload *wl, unsigned long *ran, int *err);

#endif
