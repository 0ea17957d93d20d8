/*
 * programs_setup.c: a real program's life outside the pool: its input and
 * answer made (prog_new), its serial run, the check after every run, and
 * the counts bench reads.  programs_pool.c has the runs on a pool.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "programs_pool.h"

/* Writes a byte of every page of p[0..bytes), so that the page faults of
 * fresh memory happen now, not in a timed run.  (volatile: a memset of
 * fresh memory to 0 may become calloc, which leaves the pages untouched.) */
void prog_touch(void *p, size_t bytes)
{
    volatile char *c = p;
    for (size_t i = 0; p != NULL && i < bytes; i += 4096)
        c[i] = 0;
}

struct prog *prog_new(enum prog_id id, unsigned long size)
{
    struct prog *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->id = id;
    p->size = size;
    p->sums = aligned_alloc(CACHELINE, (SCHED_MAX_WORKERS + 1) * sizeof *p->sums);
    bool ok = p->sums != NULL;
    if (id == PROG_NQUEENS) {
        p->expected = prog_nq_expected((unsigned)size);
        if (p->expected == 0 && size != 2 && size != 3) {
            prog_free(p);
            errno = EINVAL;
            return NULL;
        }
    } else if (ok) {
        size_t n = size ? size : 1;
        p->input = malloc(n * sizeof *p->input);
        if (id == PROG_SORT) {
            p->a = malloc(n * sizeof *p->a);
            p->tmp = malloc(n * sizeof *p->tmp);
            prog_touch(p->tmp, n * sizeof *p->tmp);
        }
        ok = p->input != NULL && (id != PROG_SORT || (p->a != NULL && p->tmp != NULL));
        if (ok) {
            prog_keys(p->input, size, id == PROG_SORT ? PROG_SORT_SEED : PROG_REDUCE_SEED);
            if (id == PROG_SORT)
                p->input_fingerprint = prog_fingerprint(p->input, size);
            else
                p->expected = prog_reduce_expected(p->input, size);
        }
    }
    if (!ok) {
        prog_free(p);
        errno = ENOMEM;
        return NULL;
    }
    return p;
}

void prog_free(struct prog *p)
{
    if (p == NULL)
        return;
    free(p->input);
    free(p->a);
    free(p->tmp);
    free(p->blocks);
    free(p->sums);
    free(p);
}

void prog_prepare(struct prog *p)
{
    if (p->id == PROG_SORT)
        memcpy(p->a, p->input, p->size * sizeof *p->a);
    p->result = 0;
}

void prog_run_serial(struct prog *p)
{
    struct prog_board empty = { 0, 0, 0, 0 };
    switch (p->id) {
    case PROG_NQUEENS:
        p->result = prog_nq_count((unsigned)p->size, &empty);
        break;
    case PROG_SORT:
        prog_sort(p->a, p->tmp, p->size);
        break;
    default:
        p->result = prog_reduce_range(p->input, 0, p->size);
        break;
    }
}

int prog_check(struct prog *p, char *why, size_t size)
{
    static const char *const names[NPROGS] = { "nqueens", "sort", "reduce" };
    int err = atomic_load_explicit(&p->error, memory_order_relaxed);    /* after the run */
    if (err != 0) {
        snprintf(why, size, "%s: a spawn failed: %s", names[p->id], strerror(err));
        return -1;
    }
    if (p->id == PROG_SORT)
        return prog_sort_check(p->a, p->size, p->input_fingerprint, why, size);
    if (p->result != p->expected) {
        snprintf(why, size, "%s %lu: %llu, not %llu", names[p->id], p->size,
                 (unsigned long long)p->result, (unsigned long long)p->expected);
        return -1;
    }
    return 0;
}

unsigned long prog_forks(const struct prog *p)
{
    unsigned long sum = 0;
    for (int i = 0; i <= SCHED_MAX_WORKERS; i++)   /* relaxed: after wait() */
        sum += atomic_load_explicit(&p->sums[i].forks, memory_order_relaxed);
    return sum;
}
