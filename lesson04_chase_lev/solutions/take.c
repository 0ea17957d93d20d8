/*
 * Solution to exercise 1: take.  (See exercises/take.c.)
 *
 * The algorithm is deque.h's deque_take, in the form deque.h ships: a
 * seq_cst store of bottom and a seq_cst load of top.  The paper's form
 * (deque.h with -DDEQUE_FENCES) writes a release store, a seq_cst fence
 * and a relaxed load instead; both are correct C11, by neighbouring rules
 * of C11 7.17.3.  This form is the one ThreadSanitizer can check: TSan
 * does not model atomic_thread_fence.  On x86 both cost one full barrier:
 * the fence becomes a locked instruction or an mfence, the seq_cst store
 * an xchg.
 *
 * Why take needs it: take stores bottom, then loads top; a thief loads top,
 * then bottom.  That is the store-buffering pattern.  With nothing between
 * take's store and its load, the store can wait in the owner's store buffer
 * while the load reads an old top, and the thief meanwhile reads the old
 * bottom: with tasks 5 and 6 in the deque, the thief steals 5, then reads
 * top = 6 and the old bottom = 7 and steals 6, while the owner, which read
 * top = 5, believes two tasks are left and takes 6 without a CAS.  Task 6
 * runs twice.  Store buffering is the one reordering x86 performs, and
 * release/acquire do not forbid it; seq_cst does.
 */
#include "../exercises/exercises.h"

bool my_take(struct deque *d, struct task *out)
{
    /* relaxed: only this thread writes bottom and ring, so it reads its
     * own latest values. */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed) - 1;
    struct ring *r = atomic_load_explicit(&d->ring, memory_order_relaxed);

    /*
     * Claim slot b by moving bottom, THEN read top.  On the thief's side,
     * deque_steal loads top, then bottom, both seq_cst.  seq_cst puts our
     * store and our load in C11's single total order S of seq_cst
     * operations, with the thief's loads and every CAS on top:
     *  - if our store comes before the thief's load of bottom in S, that
     *    load sees b or a later value: the thief can reach slot b only by
     *    racing the CAS below;
     *  - if the thief's load of bottom comes first, so do its load of top
     *    and the CAS that wrote the top it read, and our load of top, after
     *    our store, sees that top or a later one: if it is b, we know we
     *    are racing, and CAS.
     * Either way one of us sees the other's write, and the double take
     * described at the top cannot happen.  Pairs with the seq_cst loads
     * in deque_steal.
     *
     * The store is also a release (seq_cst includes release): a thief may
     * read this bottom and steal a task pushed earlier, below it; pairing
     * with its acquire load of bottom, it then sees that task's slot.
     */
    atomic_store_explicit(&d->bottom, b, memory_order_seq_cst);
    int64_t t = atomic_load_explicit(&d->top, memory_order_seq_cst);

    if (t > b) {
        /* Empty.  relaxed: put bottom back, to b + 1, which is top.  A
         * thief that reads it either reads top == b + 1 (empty) or an
         * older top, and then its CAS fails; it needs nothing published by
         * this store. */
        atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
        return false;
    }
    *out = slot_get(r, b);
    if (t < b)
        return true;            /* more than one task: no thief can reach b */

    /* The last task: thieves may be after it too.  Whoever moves top from t
     * to t + 1 first has it.  seq_cst: our CAS and the thieves' CASes on
     * top (deque_steal) are in S, as the argument above needs.  On failure we use nothing the CAS read, so relaxed. */
    bool won = atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                       memory_order_relaxed);
    /* Won or lost, the deque is now empty with top == b + 1: restore bottom
     * to match.  relaxed: a thief that reads it reads top == b + 1 (empty)
     * or an older top, and then its CAS fails. */
    atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
    return won;
}
