/*
 * Exercise 1: steal, with the right orderings.       hard, about 30 minutes
 *
 * Write my_steal(): the thieves' end of the Chase-Lev deque.  You have the
 * owner's side in ../deque.h (deque_push, deque_take) and its fields:
 * d->top, d->bottom, d->ring, and slot_get(ring, index).  Before you look at
 * deque_steal() there, try to derive it from take:
 *   - which of top and bottom must you read first, and why?
 *   - which read must see the task's contents that push published?
 *   - when are you allowed to keep the task you read from the slot?
 * Give every atomic operation an explicit memory_order and a comment that
 * names the operation on the other thread it pairs with.
 *
 * The test checks the order (oldest first), the empty deque, then races
 * your steal against the owner's take over about 600,000 tasks, counting
 * tasks lost, run twice, or seen with a wrong payload, and against an owner
 * that keeps its deque nearly full, so that slots are reused at once.  Built
 * under ThreadSanitizer (make exercises SANITIZE=thread) it also catches a
 * missing acquire.  What it cannot catch, on x86: a missing fence (the
 * README's "breaking it" section shows why).  Check that one yourself
 * against solutions/steal.c once you pass.
 *
 * Check your work:  make -C lesson04_chase_lev exercises
 * Stuck?            exercises/HINTS.md
 */
#include "exercises.h"

enum steal_result my_steal(struct deque *d, struct task *out)
{
    /* TODO: read top, then bottom (with the ordering that pairs with take). */
    /* TODO: empty if top >= bottom. */
    /* TODO: read the ring, then the task at index top. */
    /* TODO: claim it: move top from the value you read to the next, with a
     *       compare-and-swap; if that fails, someone else has it. */
    (void)d, (void)out;
    return STEAL_EMPTY;
}
