/*
 * deque.h: lesson 2's deque, a growable ring buffer of tasks behind a mutex.
 *
 * A deque ("double-ended queue") has two ends.  Its owner, one worker,
 * pushes and pops at the bottom; other workers, the thieves, take from the
 * top:
 *
 *          top = slots[head]                 bottom = slots[head + len - 1]
 *                 │                                 │
 *   thieves ◄─ steal ─┤ t0 │ t1 │ t2 │ ... │ tn-1 ├─ push, pop ─► owner
 *                 oldest                         newest
 *
 * The owner works LIFO: it runs the task it spawned last, whose data is
 * still in its cache, and a recursive computation unfolds depth-first, so
 * the deque holds about one task per level of recursion instead of a whole
 * level of the tree.  Thieves work FIFO: they take the oldest task, which in
 * a divide-and-conquer computation is the biggest piece left, so one steal
 * moves a lot of work and steals stay rare.
 *
 * Every function takes the deque's mutex for its whole length (except the
 * ones named _locked, for callers that already hold it, and deque_grow,
 * which they call).  That keeps this file short and obviously correct;
 * lesson 4 replaces the mutex with atomics.  (Header-only so that tests and exercises can use it directly;
 * lesson 3 has its own copy, grown to steal half at a time.)
 */
#ifndef LESSON02_DEQUE_H
#define LESSON02_DEQUE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "scheduler.h"

/* A task is stored by value: pushing never allocates per task. */
struct task {
    task_fn fn;
    void *arg;
};

/*
 * The tasks are slots[head], slots[head + 1], ..., len of them, indices
 * taken modulo the capacity.  The capacity is a power of two, mask + 1, so
 * "modulo" is "& mask" (the layout of Rust's VecDeque).
 */
struct deque {
    pthread_mutex_t lock;       /* protects every field below */
    struct task *slots;
    size_t head;
    size_t len;
    size_t mask;
};

#define DEQUE_INITIAL_CAP 64

/* Returns 0 or ENOMEM. */
static inline int deque_init(struct deque *d)
{
    d->slots = malloc(DEQUE_INITIAL_CAP * sizeof *d->slots);
    if (d->slots == NULL)
        return ENOMEM;
    d->head = 0;
    d->len = 0;
    d->mask = DEQUE_INITIAL_CAP - 1;
    pthread_mutex_init(&d->lock, NULL);     /* default attributes: cannot fail on Linux */
    return 0;
}

/* No other thread may be using the deque. */
static inline void deque_destroy(struct deque *d)
{
    pthread_mutex_destroy(&d->lock);
    free(d->slots);
}

/*
 * Doubles the capacity (lock held).  The tasks may wrap around the end of the
 * array, so copy them oldest first to the start of the new one.
 */
static inline int deque_grow(struct deque *d)
{
    size_t cap = d->mask + 1;
    if (cap > SIZE_MAX / 2 / sizeof *d->slots)
        return ENOMEM;
    struct task *slots = malloc(2 * cap * sizeof *slots);
    if (slots == NULL)
        return ENOMEM;
    for (size_t i = 0; i < d->len; i++)
        slots[i] = d->slots[(d->head + i) & d->mask];
    free(d->slots);
    d->slots = slots;
    d->head = 0;
    d->mask = 2 * cap - 1;
    return 0;
}

/* Adds t at the bottom, for a caller that already holds d->lock.
 * Returns 0, or ENOMEM (t not added). */
static inline int deque_push_locked(struct deque *d, struct task t)
{
    if (d->len == d->mask + 1) {
        int err = deque_grow(d);
        if (err != 0)
            return err;
    }
    d->slots[(d->head + d->len) & d->mask] = t;
    d->len++;
    return 0;
}

/* The owner's end: adds t at the bottom.  Returns 0, or ENOMEM (t not added).
 * (The lock makes every function safe from any thread; "owner" and "thief"
 * say who calls which in a work-stealing pool.) */
static inline int deque_push(struct deque *d, struct task t)
{
    pthread_mutex_lock(&d->lock);
    int err = deque_push_locked(d, t);
    pthread_mutex_unlock(&d->lock);
    return err;
}

/* The owner's end: takes the newest task.  False when the deque is empty. */
static inline bool deque_pop(struct deque *d, struct task *t)
{
    pthread_mutex_lock(&d->lock);
    bool found = d->len > 0;
    if (found) {
        d->len--;
        *t = d->slots[(d->head + d->len) & d->mask];
    }
    pthread_mutex_unlock(&d->lock);
    return found;
}

/* The thieves' end: takes the oldest task.  False when the deque is empty. */
static inline bool deque_steal(struct deque *d, struct task *t)
{
    pthread_mutex_lock(&d->lock);
    bool found = d->len > 0;
    if (found) {
        *t = d->slots[d->head];
        d->head = (d->head + 1) & d->mask;
        d->len--;
    }
    pthread_mutex_unlock(&d->lock);
    return found;
}

#endif
