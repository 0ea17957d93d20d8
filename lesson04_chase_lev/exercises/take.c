/*
 * Exercise 1: write take.                          hard, about 45-60 minutes
 *
 * Write my_take(), the owner's end of the Chase-Lev deque (contract in
 * exercises.h).  The goal: take the newest task, lock-free, racing thieves
 * correctly for the last one.  Every task must be taken exactly once,
 * whatever the thieves do at the same time.
 *
 * What you have: the README's description of the algorithm (take, in
 * prose), and in ../deque.h the deque's fields (d->top, d->bottom, d->ring),
 * slot_get(), and the code that runs against yours: deque_push on your
 * thread, deque_steal on the thieves'.  Stop reading deque.h at its STOP
 * line: below it is the answer.
 *
 * What the README leaves to you: the code, and its memory orderings.  Give
 * every atomic operation an explicit memory_order, and a comment saying
 * what it orders and which operation on the other thread it pairs with.
 * The README's two litmus experiments, store buffering and message
 * passing, are the tools: for each pair of accesses in your take and in
 * the steal it races, ask whether one of those patterns applies.
 *
 * The test checks: newest first; an empty deque, also a fresh one at index
 * 0; that the deque still works after every kind of take (one that found
 * it empty, one that won the last task, one that lost it); the race for the
 * last task against a thief; and your take against one, then two thieves,
 * in rounds of one to three tasks, counting tasks lost and run twice.  The
 * races take a second or two, longer on a busy machine.  A pass shows that
 * no mistake was caught on this machine, not that there is none: on x86
 * some wrong orderings never fail (the README's "Breaking it on purpose").
 * Argue each ordering in its comment, then compare with solutions/take.c.
 *
 * Check your work:  make -C lesson04_chase_lev exercises
 * Stuck?            exercises/HINTS.md, one hint at a time
 */
#include "exercises.h"

bool my_take(struct deque *d, struct task *out)
{
    /* TODO: the whole function. */
    (void)d, (void)out;
    return false;
}
