/*
 * Exercise 2: lock order.                          medium, about 15 minutes
 *
 * A steal moves tasks from the victim's deque into the thief's own, so it
 * holds two locks at once.  The version below takes the victim's lock, then
 * its own, both with pthread_mutex_lock.  Run the test: it deadlocks within
 * seconds (on the book's machine, 3 runs of 3 ended at the 5-second limit
 * with all four threads stuck: [R3] in lesson 3's README).  Thief A holds
 * B's lock and waits for its own, while thief B holds A's lock and waits for
 * its own.  Neither will ever let go.
 *
 * Make lock_for_steal() (contract in exercises.h) deadlock-free.  There are
 * two classic cures: one global order for all locks (by address, say), or
 * the rule that a thread never waits for a lock while it holds another.
 * Either passes the test; the lesson uses the second, with
 * pthread_mutex_trylock, because a busy victim is a reason to go elsewhere.
 *
 * The test runs four threads that steal from each other as fast as they
 * can.  A correct version finishes in well under a second (the solution:
 * 0.06 s on the book's machine, [R3]); if the threads have not finished
 * after five, the test fails instead of hanging.  It also checks that EBUSY
 * leaves no lock held.
 *
 * Check your work:  make -C lesson03_trylock_steal exercises
 * Stuck?            exercises/HINTS.md
 */
#include <errno.h>
#include <pthread.h>

#include "exercises.h"

int lock_for_steal(struct deque *own, struct deque *victim)
{
    /* TODO: this order, and waiting for the victim, can deadlock.  Fix both. */
    pthread_mutex_lock(&victim->lock);
    pthread_mutex_lock(&own->lock);
    return 0;
}
