/*
 * exercises.h: the functions you write in lesson 3's exercises.
 *
 * Your code goes in exercises/steal_half.c and exercises/lock_order.c; the
 * tests that grade it are exercises/NAME_test.c; reference answers are in
 * solutions/.  Both use this lesson's deque, ../deque.h.
 */
#ifndef LESSON03_EXERCISES_H
#define LESSON03_EXERCISES_H

#include <stddef.h>

#include "../deque.h"

/*
 * Exercise 1 (steal_half.c).  The caller holds both victim->lock and
 * into->lock.  Takes half of victim's tasks, rounded up, from its top (the
 * oldest end): the oldest into *t, the others, oldest first, onto the
 * bottom of `into`.  Returns the number of tasks taken, *t included: 0 when
 * victim is empty.  You may assume pushes into `into` succeed.
 */
size_t take_half(struct deque *victim, struct deque *into, struct task *t);

/*
 * Exercise 2 (lock_order.c).  Locks both `own` (the thief's deque) and
 * `victim` for a steal, and returns 0 with both locked; or returns EBUSY,
 * with neither locked, when the victim is busy.  Must never deadlock, however
 * many threads steal from each other at once.
 */
int lock_for_steal(struct deque *own, struct deque *victim);

#endif
