/*
 * deque.h: lesson 3's deque: lesson 2's, plus stealing half at a time,
 * with a try-lock.
 *
 * WHAT CHANGED FROM LESSON 2
 * deque_steal_half() is new.  A thief no longer takes one task and comes
 * back for the next: it takes half of the victim's tasks (rounded up) in one
 * lock hold, runs the oldest, and keeps the rest in its own deque.  And it
 * never waits for a victim's lock: if the lock is taken, it says BUSY and
 * the thief tries someone else.
 *
 *   victim before:  top ┤ t0 │ t1 │ t2 │ t3 │ t4 ├ bottom    (5 tasks)
 *   thief takes ceil(5/2) = 3 from the top: runs t0, keeps t1 t2
 *   victim after:   top ┤ t3 │ t4 ├ bottom
 *   thief's deque:  top ┤ t1 │ t2 ├ bottom    (oldest still at the top,
 *                                              for whoever steals from us)
 *
 * Everything else is lesson 2's code.  (Header-only so that tests and
 * exercises can use it; lesson 2 has its own copy.)
 */
#ifndef LESSON03_DEQUE_H
#define LESSON03_DEQUE_H

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
 * taken modulo the capacity, mask + 1, a power of two.
 */
struct deque {
    pthread_mutex_t lock;       /* protects every field below */
    struct task *slots;
    size_t head;
    size_t len;
    size_t mask;
};

/* ---- copied unchanged from lesson02_mutex_deques/deque.h: deque_init, deque_destroy ---- */
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
/* ---- end of copy ---- */

/* Doubles the capacity (lock held), copying the tasks oldest first. */
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

/* Adds t at the bottom, for a caller that holds d->lock.  0 or ENOMEM. */
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

/* Removes and returns the oldest task, for a caller that holds d->lock.
 * The deque must not be empty. */
static inline struct task deque_take_top_locked(struct deque *d)
{
    struct task t = d->slots[d->head];
    d->head = (d->head + 1) & d->mask;
    d->len--;
    return t;
}

/* The owner's end: adds t at the bottom.  Returns 0, or ENOMEM (not added). */
static inline int deque_push(struct deque *d, struct task t)
{
    pthread_mutex_lock(&d->lock);
    int err = deque_push_locked(d, t);
    pthread_mutex_unlock(&d->lock);
    return err;
}

/* ---- copied unchanged from lesson02_mutex_deques/deque.h: deque_pop ---- */
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
/* ---- end of copy ---- */

enum steal_result { STEAL_EMPTY, STEAL_BUSY, STEAL_OK };

/*
 * The thieves' end, half at a time.  Takes half of victim's tasks, rounded
 * up, from its top: the oldest goes to *t, to be run now, and the others move
 * oldest first to the bottom of `into`, the thief's own deque.  *taken gets
 * the number of tasks taken, *t included.
 *
 * Never waits for the victim: STEAL_BUSY when its lock is taken, STEAL_EMPTY
 * when it has no task, STEAL_OK otherwise.
 *
 * LOCK ORDER.  This holds two locks, which is how deadlocks are made: thief A
 * holding B's lock and waiting for its own while thief B holds A's and waits
 * for its own.  The rule that prevents it: a thread waits for a lock only
 * while it holds none.  So we take our own lock first, blocking (we hold
 * nothing yet), and the victim's second, with trylock, which never waits.
 * A cycle of waiting threads cannot form, because nobody in it could be
 * holding anything.
 */
static inline enum steal_result deque_steal_half(struct deque *victim, struct deque *into,
                                                 struct task *t, size_t *taken)
{
    *taken = 0;
    pthread_mutex_lock(&into->lock);
    if (pthread_mutex_trylock(&victim->lock) != 0) {
        pthread_mutex_unlock(&into->lock);
        return STEAL_BUSY;
    }
    size_t n = (victim->len + 1) / 2;
    /* Make room in our deque first, so no task is ever out of both deques;
     * if memory is short, take only what fits (at least the one we run). */
    while (n > 1 && into->mask + 1 - into->len < n - 1) {
        if (deque_grow(into) != 0) {
            n = 1 + (into->mask + 1 - into->len);
            break;
        }
    }
    if (n > 0) {
        *t = deque_take_top_locked(victim);
        for (size_t i = 1; i < n; i++)
            deque_push_locked(into, deque_take_top_locked(victim));     /* fits: see above */
        *taken = n;
    }
    pthread_mutex_unlock(&victim->lock);
    pthread_mutex_unlock(&into->lock);
    return n > 0 ? STEAL_OK : STEAL_EMPTY;
}

#endif
