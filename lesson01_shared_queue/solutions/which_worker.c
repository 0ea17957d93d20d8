/*
 * Solution to exercise 1: which worker ran it?  (See exercises/which_worker.c
 * for the task.)
 *
 * Recording the index is one line.  The real point is the second part: a
 * test that passes because the timing happened to be kind proves nothing.
 * Here each worker's first task waits until a task has started on the other
 * worker as well.  That cannot succeed unless both workers are running, so
 * when it succeeds, both indices are in ran_on -- on every run, not most.
 * The wait is bounded: a pool whose second worker never runs makes the task
 * give up after a second and the test fail, instead of hanging.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "clock.h"
#include "../exercises/exercises.h"

struct round {
    const struct scheduler *s;
    void *pool;
    int *ran_on;
    atomic_int started[2];
};

struct job {
    struct round *round;
    int i;
};

static void record_worker(void *arg)
{
    struct job *job = arg;
    struct round *r = job->round;

    int w = r->s->current_worker(r->pool);
    r->ran_on[job->i] = w;
    if (w != 0 && w != 1)
        return;

    /* seq_cst by default: simplest to reason about, and this is not a hot
     * path.  Only a worker's first task waits; the rest just record. */
    if (atomic_fetch_add(&r->started[w], 1) == 0) {
        uint64_t give_up = now_ns() + 1000000000u;
        while (atomic_load(&r->started[1 - w]) == 0 && now_ns() < give_up)
            sched_yield();
    }
}

int which_worker(const struct scheduler *s, void *pool, int *ran_on, int n)
{
    struct round round = { .s = s, .pool = pool, .ran_on = ran_on };
    struct job *jobs = calloc((size_t)n, sizeof *jobs);
    if (jobs == NULL)
        return ENOMEM;

    int err = 0;
    for (int i = 0; i < n && err == 0; i++) {
        jobs[i] = (struct job){ &round, i };
        err = s->spawn(pool, record_worker, &jobs[i]);
    }
    /* Even if a spawn failed, the tasks already accepted point at round
     * and jobs: wait for them before either goes away. */
    s->wait(pool);
    free(jobs);
    return err;
}
