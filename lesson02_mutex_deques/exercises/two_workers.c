/*
 * Exercise: the two-worker runtime.                 easy, about 10 minutes
 *
 * A runtime does not get simpler than this: two workers, two deques (the
 * ones from ../deque.h), and every task starts in worker 0's deque.  Worker 0
 * works through its own deque from the bottom.  Worker 1 has nothing of its
 * own, so as written it never runs a task, and worker 0 does everything.
 *
 * Make worker 1 steal.  The test holds worker 0 inside its first task until
 * worker 1 has run one, then checks that every task ran exactly once, that
 * both workers ran tasks, and that worker 1 stole from the right end.  Which
 * end is right, and why?  (The comment at the top of ../deque.h argues it.)
 *
 * Check your work:  make -C lesson02_mutex_deques exercises
 * Stuck?            exercises/HINTS.md
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "exercises.h"

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

/* The next task for worker `me`: its own newest task, or else ... */
static bool find_task(struct runtime *rt, int me, struct task *t)
{
    if (deque_pop(&rt->deques[me], t))
        return true;
    /* TODO: nothing left of our own.  Take a task from the other worker's
     *       deque (1 - me), from the end that deque.h reserves for thieves. */
    return false;
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
