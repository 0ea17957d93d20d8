/*
 * programs_pool.c: the three real programs on a lesson's pool, through
 * struct scheduler only, and serially (programs_pool.h says how each is
 * split into tasks; programs.h what each computes).  One section per
 * program, each with its join form (lessons 4 and 5) and its spawn form
 * (lessons 1 to 3); the code they share is at the top, a run at the end.
 * programs_setup.c has the rest of a program's life: input, answer, the
 * serial run, the check.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "programs_pool.h"

/* ---- shared by the three ---- */

/* The thread a task runs on, as programs.h numbers threads: -1 when it is
 * not one of the pool's workers. */
static int self(const struct prog *p)
{
    return p->s->current_worker(p->pool);
}

/* The next argument block of the run, or NULL when prog_reserve set aside
 * too few.  relaxed: the index only has to be unique; what the caller
 * writes into the block reaches the task through spawn, which orders it
 * before the task runs (the contract). */
static void *take_block(struct prog *p)
{
    size_t k = atomic_fetch_add_explicit(&p->next_block, 1, memory_order_relaxed);
    return k < p->nblocks ? (char *)p->blocks + k * p->block_size : NULL;
}

/* Adds v to the calling worker's sum.  An RMW, though each sum has one
 * writer: between runs the main thread resets them, which counter.h's
 * single-writer counters do not allow, and one RMW per leaf of thousands
 * of keys costs nothing measurable.  relaxed:
 * each sum is read only after wait(), which orders every task's effects
 * before its return. */
static void add_sum(struct prog *p, uint64_t v)
{
    atomic_fetch_add_explicit(&p->sums[self(p) + 1].sum, v, memory_order_relaxed);
}

/* Counts one piece of parallel work made by the calling worker.  An RMW
 * and relaxed, as add_sum and for its reasons. */
static void count_fork(struct prog *p, int me)
{
    atomic_fetch_add_explicit(&p->sums[me + 1].forks, 1, memory_order_relaxed);
}

/* Records the first error a spawn returned; the check reports it.
 * relaxed: read after wait(). */
static void spawn_failed(struct prog *p, int err)
{
    int none = 0;
    atomic_compare_exchange_strong_explicit(&p->error, &none, err, memory_order_relaxed,
                                            memory_order_relaxed);
}

/* Spawns fn(arg), or, if the pool refuses, runs it here (it must still
 * run: a sort's merge waits for it) and records the error. */
static void spawn_or_call(struct prog *p, task_fn fn, void *arg)
{
    int err = p->s->spawn(p->pool, fn, arg);
    if (err != 0) {
        spawn_failed(p, err);
        fn(arg);
    }
}

/* ---- nqueens ---- */

struct nq_job {
    struct prog *p;
    struct prog_board board;    /* the board the placements are made on */
    uint32_t bits;              /* join: the placements of this job */
    uint64_t result;            /* join: their solutions */
};

static uint64_t nq_join_board(struct prog *p, const struct prog_board *b);

/* join: one placement counts its child board; more are split in two
 * halves (the lower bits, the higher) and joined. */
static void nq_join_task(void *arg)
{
    struct nq_job *j = arg;
    int k = __builtin_popcount(j->bits);
    if (k == 1) {
        struct prog_board child = prog_nq_place(&j->board, j->bits);
        j->result = nq_join_board(j->p, &child);
        return;
    }
    uint32_t low = 0;
    for (int i = 0; i < k / 2; i++)
        low |= (j->bits & ~low) & -(j->bits & ~low);   /* the lowest bit not yet in low */
    struct nq_job a = { j->p, j->board, low, 0 }, b = { j->p, j->board, j->bits & ~low, 0 };
    count_fork(j->p, self(j->p));
    j->p->s->join(j->p->pool, nq_join_task, &a, nq_join_task, &b);
    j->result = a.result + b.result;
}

static uint64_t nq_join_board(struct prog *p, const struct prog_board *b)
{
    uint32_t avail = prog_nq_free((unsigned)p->size, b);
    if (!prog_nq_splits(b, avail, (unsigned)p->grain))
        return prog_nq_count((unsigned)p->size, b);
    struct nq_job j = { p, *b, avail, 0 };
    nq_join_task(&j);
    return j.result;
}

/* spawn: a task per placement, each on a board of its own; counts go
 * into the per-worker sums. */
static void nq_spawn_task(void *arg)
{
    struct nq_job *j = arg;
    struct prog *p = j->p;
    uint32_t avail = prog_nq_free((unsigned)p->size, &j->board);
    if (!prog_nq_splits(&j->board, avail, (unsigned)p->grain)) {
        add_sum(p, prog_nq_count((unsigned)p->size, &j->board));
        return;
    }
    int me = self(p);
    for (; avail != 0; avail &= avail - 1) {
        struct nq_job *child = take_block(p);
        if (child == NULL) {
            spawn_failed(p, ENOSPC);
            return;
        }
        *child = (struct nq_job){ p, prog_nq_place(&j->board, avail & -avail), 0, 0 };
        count_fork(p, me);
        spawn_or_call(p, nq_spawn_task, child);
    }
}

/* The root: the empty board.  (Without join it may live on this stack:
 * its placements copy the board they need.) */
static void nq_root(void *arg)
{
    struct prog *p = arg;
    struct nq_job root = { p, { 0, 0, 0, 0 }, 0, 0 };
    if (p->s->join != NULL)
        p->result = nq_join_board(p, &root.board);
    else
        nq_spawn_task(&root);
}

/* ---- sort ---- */

struct sort_job {
    struct prog *p;
    uint32_t *a, *tmp;
    size_t n;
    struct sort_job *parent;    /* spawn: whose half this is */
    atomic_uint pending;        /* spawn: halves not yet sorted */
};

/* Fills an argument block with a piece to sort.  Field by field, not by
 * assigning a whole struct: that would write `pending` non-atomically.
 * pending is set when the piece splits, before its halves exist. */
static void sort_job_set(struct sort_job *j, struct prog *p, uint32_t *a, uint32_t *tmp,
                         size_t n, struct sort_job *parent)
{
    j->p = p;
    j->a = a;
    j->tmp = tmp;
    j->n = n;
    j->parent = parent;
}

static void sort_join_task(void *arg)
{
    struct sort_job *j = arg;
    if (!prog_sort_splits(j->n, j->p->grain)) {
        prog_sort(j->a, j->tmp, j->n);
        return;
    }
    size_t m = j->n / 2;
    struct sort_job a = { .p = j->p, .a = j->a, .tmp = j->tmp, .n = m };
    struct sort_job b = { .p = j->p, .a = j->a + m, .tmp = j->tmp + m, .n = j->n - m };
    count_fork(j->p, self(j->p));
    j->p->s->join(j->p->pool, sort_join_task, &a, sort_join_task, &b);
    prog_merge(j->a, m, j->n, j->tmp);
}

/* spawn: a half is done; the second of two halves to finish merges its
 * parent, and so on up. */
static void sort_done(struct sort_job *j)
{
    for (struct sort_job *up = j->parent; up != NULL; up = up->parent) {
        /* acq_rel, against the other half's decrement of the same counter:
         * the first half's release publishes its sorted keys, and the
         * second half's acquire sees them before it merges. */
        if (atomic_fetch_sub_explicit(&up->pending, 1, memory_order_acq_rel) != 1)
            return;
        prog_merge(up->a, up->n / 2, up->n, up->tmp);
    }
}

static void sort_spawn_task(void *arg)
{
    struct sort_job *j = arg;
    struct prog *p = j->p;
    int me = self(p);
    while (prog_sort_splits(j->n, p->grain)) {
        struct sort_job *a = take_block(p), *b = take_block(p);
        if (a == NULL || b == NULL) {   /* cannot be: prog_reserve counted them */
            spawn_failed(p, ENOSPC);
            return;
        }
        size_t m = j->n / 2;
        sort_job_set(a, p, j->a, j->tmp, m, j);
        sort_job_set(b, p, j->a + m, j->tmp + m, j->n - m, j);
        /* relaxed: spawn publishes it to b's task, and a runs here */
        atomic_store_explicit(&j->pending, 2, memory_order_relaxed);
        count_fork(p, me);
        spawn_or_call(p, sort_spawn_task, b);
        j = a;
    }
    prog_sort(j->a, j->tmp, j->n);
    sort_done(j);
}

/* The root: the whole array.  Without join it is an argument block, not a
 * local: the last half to finish merges it, maybe after this task has
 * returned. */
static void sort_root(void *arg)
{
    struct prog *p = arg;
    if (p->s->join != NULL) {
        struct sort_job whole = { .p = p, .a = p->a, .tmp = p->tmp, .n = p->size };
        sort_join_task(&whole);
        return;
    }
    struct sort_job *root = take_block(p);
    if (root == NULL) {         /* cannot be: prog_reserve counted it */
        spawn_failed(p, ENOSPC);
        return;
    }
    sort_job_set(root, p, p->a, p->tmp, p->size, NULL);
    sort_spawn_task(root);
}

/* ---- reduce ---- */

struct piece {
    struct prog *p;
    size_t lo, hi;
    unsigned splits;            /* adaptive: programs.h */
    int splitter;               /* the thread that split it off */
    uint64_t result;            /* join: the piece's sum */
};

static bool stolen(const struct piece *pc, int me)
{
    return pc->splitter != PROG_NO_SPLITTER && pc->splitter != me;
}

static void reduce_join_task(void *arg)
{
    struct piece *pc = arg;
    struct prog *p = pc->p;
    int me = self(p);
    unsigned splits = pc->splits;
    if (!prog_reduce_splits(pc->hi - pc->lo, p->grain, stolen(pc, me), p->threads, &splits)) {
        pc->result = prog_reduce_range(p->input, pc->lo, pc->hi);
        return;
    }
    size_t m = pc->lo + (pc->hi - pc->lo) / 2;
    struct piece a = { p, pc->lo, m, splits, me, 0 }, b = { p, m, pc->hi, splits, me, 0 };
    count_fork(p, me);
    p->s->join(p->pool, reduce_join_task, &a, reduce_join_task, &b);
    pc->result = a.result + b.result;
}

/* spawn: split off right halves while the piece splits, sum the rest. */
static void reduce_spawn_task(void *arg)
{
    struct piece pc = *(struct piece *)arg;
    struct prog *p = pc.p;
    int me = self(p);
    bool moved = stolen(&pc, me);
    while (prog_reduce_splits(pc.hi - pc.lo, p->grain, moved, p->threads, &pc.splits)) {
        struct piece *b = take_block(p);
        if (b == NULL) {        /* adaptive only: sum the rest here */
            /* relaxed: a count, read after wait() */
            atomic_fetch_add_explicit(&p->out_of_blocks, 1, memory_order_relaxed);
            break;
        }
        size_t m = pc.lo + (pc.hi - pc.lo) / 2;
        *b = (struct piece){ p, m, pc.hi, pc.splits, me, 0 };
        count_fork(p, me);
        spawn_or_call(p, reduce_spawn_task, b);
        pc.hi = m;
        moved = false;          /* the left half stays on this thread */
    }
    add_sum(p, prog_reduce_range(p->input, pc.lo, pc.hi));
}

/* The root: the whole array, which no thread split off. */
static void reduce_root(void *arg)
{
    struct prog *p = arg;
    struct piece whole = { p, 0, p->size, p->threads, PROG_NO_SPLITTER, 0 };
    if (p->s->join != NULL) {
        reduce_join_task(&whole);
        p->result = whole.result;
    } else {
        reduce_spawn_task(&whole);
    }
}

/* ---- runs ---- */

/* Reduce, adaptive, without join: room for the pieces one run may split
 * off.  How many depends on which pieces run on another thread than their
 * splitter's: on a deque per worker a few times THREADS * log2(COUNT), on
 * lesson 1's one queue, where about every other piece moves, up to one
 * per key.  Room for COUNT / 8 (at least 4,096 per thread), so a run
 * takes at most 5 bytes a key; past that, a piece sums its range unsplit,
 * and out_of_blocks counts those. */
static size_t adaptive_blocks(unsigned long n, unsigned threads)
{
    size_t cap = n / 8 > (size_t)threads * 4096 ? n / 8 : (size_t)threads * 4096;
    return n < cap ? n + 1 : cap;
}

int prog_reserve(struct prog *p, unsigned long grain, unsigned threads)
{
    size_t need, size;
    switch (p->id) {
    case PROG_NQUEENS:
        need = (size_t)prog_nq_tasks((unsigned)p->size, (unsigned)grain);
        size = sizeof(struct nq_job);
        break;
    case PROG_SORT:
        need = prog_sort_pieces(p->size, grain);
        size = sizeof(struct sort_job);
        break;
    default:    /* a block per split: the pieces, less the leaves */
        need = grain ? (prog_reduce_pieces(p->size, grain) - 1) / 2
                     : adaptive_blocks(p->size, threads);
        size = sizeof(struct piece);
        break;
    }
    if (need <= p->nblocks)
        return 0;
    void *blocks = malloc(need * size);
    if (blocks == NULL)
        return -1;
    prog_touch(blocks, need * size);
    free(p->blocks);
    p->blocks = blocks;
    p->nblocks = need;
    p->block_size = size;
    return 0;
}

void prog_run_pool(struct prog *p, const struct scheduler *s, void *pool, unsigned threads,
                   unsigned long grain)
{
    p->s = s;
    p->pool = pool;
    p->threads = threads;
    p->grain = grain;
    /* relaxed, all: the root task is spawned after these, and spawn orders
     * them before it and everything it spawns. */
    atomic_store_explicit(&p->next_block, 0, memory_order_relaxed);
    atomic_store_explicit(&p->out_of_blocks, 0, memory_order_relaxed);
    atomic_store_explicit(&p->error, 0, memory_order_relaxed);
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++) {
        atomic_store_explicit(&p->sums[i].sum, 0, memory_order_relaxed);
        atomic_store_explicit(&p->sums[i].forks, 0, memory_order_relaxed);
    }
    static const task_fn roots[NPROGS] = { nq_root, sort_root, reduce_root };
    int err = s->spawn(pool, roots[p->id], p);
    if (err != 0)
        spawn_failed(p, err);
    s->wait(pool);
    if (s->join == NULL && p->id != PROG_SORT) {
        uint64_t sum = 0;
        for (int i = 0; i <= SCHED_MAX_WORKERS; i++)   /* relaxed: after wait() */
            sum += atomic_load_explicit(&p->sums[i].sum, memory_order_relaxed);
        p->result = sum;
    }
}
