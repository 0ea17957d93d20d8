/*
 * programs_pool.h: the real programs (programs.h) on a lesson's scheduler,
 * through the contract alone, and serially; for bench (programs_bench.c)
 * and programs_test.c.
 *
 * A run on a pool spawns one root task and waits.  On a scheduler with
 * join (lessons 4 and 5) the parallel work of programs.h is join's b: a
 * board's placements split in two with join until one is left, a sort's
 * two halves, a reduce piece's two halves.  Without join (lessons 1 to 3)
 * it is spawned, and nobody waits for it but the root's caller: nqueens
 * spawns a task per placement and adds counts into per-worker sums; sort
 * spawns its right half, carries on with its left, and whichever half
 * finishes second merges (a counter per split); reduce spawns its right
 * half, carries on with its left, and adds into per-worker sums.
 *
 * Nothing is allocated while a run runs: prog_reserve() sets aside the
 * spawned tasks' argument blocks beforehand, and the runs take them in
 * order.
 */
#ifndef PROGRAMS_POOL_H
#define PROGRAMS_POOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cacheline.h"
#include "programs.h"
#include "scheduler.h"

enum prog_id { PROG_NQUEENS, PROG_SORT, PROG_REDUCE, NPROGS };

/* One program at one size: its input, its answer, and room for its runs.
 * Fields are the program's own; tests and bench read some of them (id,
 * size, out_of_blocks) after a run. */
struct prog {
    enum prog_id id;
    unsigned long size;         /* N (nqueens) or COUNT */
    uint32_t *input;            /* sort: the keys; reduce: the array */
    uint32_t *a, *tmp;          /* sort: sorted in place in a, with tmp */
    uint64_t input_fingerprint; /* sort: of the keys (programs.h) */
    uint64_t expected;          /* nqueens, reduce: the answer */
    uint64_t result;            /* nqueens, reduce: the last run's */

    /* The run in progress on a pool: set before its root task is spawned,
     * read-only while it runs. */
    const struct scheduler *s;
    void *pool;
    unsigned threads;
    unsigned long grain;        /* nqueens: the cut-off */

    /* Without join: the spawned tasks' argument blocks, taken in order. */
    void *blocks;
    size_t block_size, nblocks;
    /* Written by every spawn: a cache line of its own, away from the
     * read-only fields above that every task reads. */
    _Alignas(CACHELINE) atomic_size_t next_block;
    atomic_ulong out_of_blocks; /* reduce, adaptive: pieces summed unsplit */
    atomic_int error;           /* the first error a spawn returned, or 0 */
    struct {
        _Alignas(CACHELINE) atomic_uint_least64_t sum;
        atomic_ulong forks;     /* pieces of parallel work made: spawns, joins */
    } *sums;                    /* [SCHED_MAX_WORKERS + 1]: worker w's is sums[w + 1] */
};

/* The program, its input made and its answer known.  NULL: no memory, or
 * nqueens' N not in the answer table (errno EINVAL). */
struct prog *prog_new(enum prog_id id, unsigned long size);
void prog_free(struct prog *p);

/* Room for the argument blocks of runs at this grain (nqueens: cut-off)
 * with `threads` workers, on a scheduler without join.  0, or -1 (no
 * memory).  Call it for every grain before the timed runs. */
int prog_reserve(struct prog *p, unsigned long grain, unsigned threads);

/* Before every run, not timed: sort's keys put back unsorted. */
void prog_prepare(struct prog *p);

/* One run: serially, or on pool (of s, `threads` workers) at grain. */
void prog_run_serial(struct prog *p);
void prog_run_pool(struct prog *p, const struct scheduler *s, void *pool, unsigned threads,
                   unsigned long grain);

/* After a run: 0 if its answer is right; else -1 and why in why[0..size). */
int prog_check(struct prog *p, char *why, size_t size);

/* After a run on a pool: the pieces of parallel work it made (the root
 * task not counted), whether spawned or join's b. */
unsigned long prog_forks(const struct prog *p);

/* Writes a byte of every page of p[0..bytes), p NULL or not. */
void prog_touch(void *p, size_t bytes);

#endif
