/*
 * Solution to the two-worker runtime.  (See exercises/two_workers.c.)
 *
 * One line: a worker with nothing of its own steals from the top of the
 * other deque, the oldest task, leaving the owner the newest ones at the
 * bottom, where its cache is warm.  In a divide-and-conquer computation the
 * oldest task is also the biggest piece of work left, so one steal keeps
 * the thief busy for a long time.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "../exercises/exercises.h"

struct runtime {
    struct deque deques[2];
    atomic_size_t remaining;        /* tasks not yet run */
};

struct worker {
    struct runtime *rt;
    int index;                      /* 0 or 1 */
    unsigned long ran;
};

static _Thread_local int self = -1;

int two_workers_self(void)
{
    return self;
}

/* The next task for worker `me`: its own newest task, or else the other's oldest. */
static bool find_task(struct runtime *rt, int me, struct task *t)
{
    if (deque_pop(&rt->deques[me], t))
        return true;
    /* Nothing left of our own: steal the oldest task of the other worker. */
    return deque_steal(&rt->deques[1 - me], t);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    self = w->index;
    while (atomic_load(&w->rt->remaining) > 0) {
        struct task t;
        if (find_task(w->rt, w->index, &t)) {
            t.fn(t.arg);
            w->ran++;
            atomic_fetch_sub(&w->rt->remaining, 1);
        } else {
            sched_yield();          /* nothing found: let the other worker run */
        }
    }
    return NULL;
}

int run_two_workers(const struct task *tasks, size_t n, unsigned long ran[2])
{
    struct runtime rt;
    if (deque_init(&rt.deques[0]) != 0)
        return ENOMEM;
    if (deque_init(&rt.deques[1]) != 0) {
        deque_destroy(&rt.deques[0]);
        return ENOMEM;
    }
    int err = 0;
    for (size_t i = 0; i < n && err == 0; i++)
        err = deque_push(&rt.deques[0], tasks[i]);
    atomic_store(&rt.remaining, err == 0 ? n : 0);

    struct worker workers[2] = { { &rt, 0, 0 }, { &rt, 1, 0 } };
    pthread_t threads[2];
    int started = 0;
    while (err == 0 && started < 2) {
        err = pthread_create(&threads[started], NULL, worker_main, &workers[started]);
        if (err == 0)
            started++;
    }
    if (err != 0)
        atomic_store(&rt.remaining, 0);     /* lets a worker already started leave */
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    ran[0] = workers[0].ran;
    ran[1] = workers[1].ran;
    deque_destroy(&rt.deques[0]);
    deque_destroy(&rt.deques[1]);
    return err;
}
