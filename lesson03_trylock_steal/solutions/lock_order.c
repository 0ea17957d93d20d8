/*
 * Solution to exercise 2: lock order.  (See exercises/lock_order.c.)
 *
 * The rule: a thread waits for a lock only while it holds no other lock.
 * Then no thread in a cycle of waiting threads can be holding anything, so
 * there is no cycle.  Our own lock we may wait for, since we hold nothing
 * yet; the victim's lock we only try for, and on failure we let go of ours
 * and report EBUSY.  The thief moves on to another victim, which is also
 * the better policy: a locked deque is one that its owner or another thief
 * is already busy with.
 *
 * (The other classic cure, one global lock order, also works: lock the
 * deque with the lower address first, both blocking.  It never deadlocks,
 * but it waits behind busy victims, the convoy this lesson removes.)
 */
#include <errno.h>
#include <pthread.h>

#include "../exercises/exercises.h"

int lock_for_steal(struct deque *own, struct deque *victim)
{
    pthread_mutex_lock(&own->lock);
    if (pthread_mutex_trylock(&victim->lock) != 0) {
        pthread_mutex_unlock(&own->lock);
        return EBUSY;
    }
    return 0;
}
