/*
 * Solution to exercise 1: steal.  (See exercises/steal.c; it is deque.h's
 * deque_steal, in the ordinary build.)
 */
#include "../exercises/exercises.h"

enum steal_result my_steal(struct deque *d, struct task *out)
{
#ifdef DEQUE_TSAN
    /* ThreadSanitizer does not model fences: seq_cst loads instead. */
    int64_t t = atomic_load_explicit(&d->top, memory_order_seq_cst);
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
#else
    /* acquire: the top we read may come from another thief's CAS; acquire
     * puts that CAS before our fence in the seq_cst order, which take's
     * fence argument needs (deque.h shows the run that breaks without it). */
    int64_t t = atomic_load_explicit(&d->top, memory_order_acquire);
    /* seq_cst fence: pairs with the one in take, between its store of bottom
     * and its load of top.  Without the pair, the owner and we could each
     * miss the other's update and both take the last task. */
    atomic_thread_fence(memory_order_seq_cst);
    /* acquire: pairs with push's release store of bottom, so that the task
     * in slot t, and what the spawner wrote before pushing it, are visible. */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_acquire);
#endif
    if (t >= b)
        return STEAL_EMPTY;
    /* acquire: pairs with the release store in deque_grow; read after bottom
     * so the ring is at least as new as the one slot t was written into. */
    struct ring *r = atomic_load_explicit(&d->ring, memory_order_acquire);
    struct task task = slot_get(r, t);
    /* seq_cst CAS: the claim.  If top moved, someone took slot t and what we
     * read may be stale or torn: drop it.  relaxed on failure: unused. */
    if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                 memory_order_relaxed))
        return STEAL_LOST;
    *out = task;
    return STEAL_OK;
}
