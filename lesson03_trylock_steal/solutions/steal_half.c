/*
 * Solution to exercise 1: steal half.  (See exercises/steal_half.c.)
 *
 * Taking from the victim's top and pushing onto our bottom in the same
 * order keeps the oldest of our new tasks at our top: whoever steals from us
 * next gets the biggest piece, as they would have from the victim.
 */
#include "../exercises/exercises.h"

size_t take_half(struct deque *victim, struct deque *into, struct task *t)
{
    size_t n = (victim->len + 1) / 2;       /* 5 -> 3, 4 -> 2, 1 -> 1, 0 -> 0 */
    if (n == 0)
        return 0;
    *t = deque_take_top_locked(victim);
    for (size_t i = 1; i < n; i++)
        deque_push_locked(into, deque_take_top_locked(victim));
    return n;
}
