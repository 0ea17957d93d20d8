/*
 * Exercise 1: steal half.                          medium, about 20 minutes
 *
 * A thief that takes one task per steal comes back for the next one almost
 * at once, and every visit costs a trip through the victim's lock.  Taking
 * half of what the victim has, in one visit, makes steals rare: a woken
 * worker gets a useful batch, and work spreads out in a logarithmic number
 * of steals instead of a linear one.
 *
 * Write take_half() (contract in exercises.h).  The caller already holds
 * both locks, so this is pure ring-buffer work with the helpers of deque.h:
 * deque_take_top_locked() and deque_push_locked().  Try it before reading
 * deque_steal_half() in ../deque.h, which does the same and more.
 *
 * The test checks the split for several sizes (0, 1, 2, odd, even), the
 * order of the tasks the thief keeps, and then runs two workers with 50
 * tasks all on worker 0: worker 1 must run some, and take them in batches.
 *
 * Check your work:  make -C lesson03_trylock_steal exercises
 * Stuck?            exercises/HINTS.md
 */
#include "exercises.h"

size_t take_half(struct deque *victim, struct deque *into, struct task *t)
{
    /* TODO: how many tasks is half of victim->len, rounded up? */
    /* TODO: if there are none, take nothing and return 0. */
    /* TODO: the oldest task goes to *t; the others, oldest first, are
     *       pushed onto the bottom of `into`. */
    (void)victim, (void)into, (void)t;
    return 0;
}
