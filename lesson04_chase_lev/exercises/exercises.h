/*
 * exercises.h: the functions you write in lesson 4's exercises.
 *
 * Your code goes in exercises/take.c (exercise 1), exercises/swap.c
 * (exercise 2, whose interface is in swap.h) and exercises/sum.c (exercise
 * 3); the tests that grade it are exercises/NAME_test.c; reference answers
 * are in solutions/.
 */
#ifndef LESSON04_EXERCISES_H
#define LESSON04_EXERCISES_H

#include <stddef.h>
#include <stdint.h>

#include "../deque.h"

/*
 * Exercise 1 (take.c).  The owner's side of the Chase-Lev deque, with the
 * contract of deque_take() (whose code sits below the STOP line in
 * ../deque.h).  Owner only: the thread that pushes on d.  Thieves may run
 * deque_steal() on d at the same time.  Takes the newest task of d into
 * *out and returns true; returns false when d is empty, or when a thief got
 * the last task first.  *out means nothing when it returns false.
 */
bool my_take(struct deque *d, struct task *out);

/*
 * Exercise 3 (sum.c).  Returns v[0] + ... + v[n-1], computed on `pool` (a
 * pool of scheduler s, which has join) by recursive halving: a range of more
 * than `cutoff` elements is split in two halves, summed with s->join; a
 * range of at most `cutoff` elements (cutoff >= 1) is summed by calling
 * sum_leaf(v + start, length).  May be called from outside the pool.
 */
uint64_t parallel_sum(const struct scheduler *s, void *pool, const uint64_t *v, size_t n,
                      size_t cutoff);

/* Provided by the test: the sum of one leaf range.  (It counts and checks
 * the leaves you make.) */
uint64_t sum_leaf(const uint64_t *v, size_t n);

#endif
