/*
 * deque.h: lesson 4's deque, the lock-free work-stealing deque of Chase and
 * Lev, with the C11 memory orderings of Lê et al.
 *
 *   D. Chase and Y. Lev, "Dynamic Circular Work-Stealing Deque", SPAA 2005.
 *   N. M. Lê, A. Pop, A. Cohen and F. Zappa Nardelli, "Correct and Efficient
 *   Work-Stealing for Weak Memory Models", PPoPP 2013 (their figure 1).
 *
 * WHAT CHANGED FROM LESSON 4
 * Only deque_steal_half, at the end of the file: a thief takes up to half
 * of the victim's tasks, by repeating the one-task steal.  Everything above
 * it is lesson 4's deque, but for the include guard's name and lesson 4's
 * BREAK switches (which only its `make break` uses).
 *
 * WHY NOT ONE CAS FOR THE WHOLE BATCH
 * A thief could read top t and bottom b, copy n = (b - t) / 2 tasks, and
 * claim them all with one CAS of top from t to t + n.  That CAS only proves
 * that no other *thief* moved top.  The owner does not touch top when it
 * takes, except for the last task, so it can take from below while the
 * thief copies:
 *
 *   deque holds tasks 0..3: top = 0, bottom = 4
 *   thief: reads top = 0, bottom = 4: n = 2, copies tasks 0 and 1
 *   owner: take: bottom = 3, sees top = 0 < 3: task 3 is its own, no CAS
 *   owner: take: bottom = 2, sees top = 0 < 2: task 2 is its own, no CAS
 *   owner: take: bottom = 1, sees top = 0 < 1: task 1 is its own, no CAS
 *   thief: CAS top 0 -> 2 succeeds: it runs tasks 0 and 1
 *                                   task 1 runs twice
 *
 * The owner's take is wait-free and CAS-free because a thief claims one
 * slot at a time and the owner only has to look at the single slot that
 * both could want.  A batch CAS breaks that: the owner would have to CAS on
 * every take (the tokio and Go queues do exactly that, and their owner
 * takes oldest-first, from the same end as thieves).  Repeating the
 * single steal keeps lesson 4's proof as it is, at the price of one CAS and
 * two seq_cst loads per task moved (two fences in the -DDEQUE_FENCES
 * form), paid by the thief, who has nothing else to do.
 *
 *          top                          bottom
 *           │                             │
 *     ... ┤ t │ t+1 │ ... │ b-1 ├ ...     tasks are slots [top, bottom)
 *           ▲                       ▲
 *   thieves: CAS top -> top+1    owner: bottom +1 (push), -1 (take)
 *
 * `top` only grows (thieves and, for the last task, the owner advance it by
 * CAS); `bottom` is written by the owner alone.  Indices never wrap: they
 * are 64-bit counters, and slot i lives at ring->slots[i & mask].
 *
 * WHERE THIS CODE DEPARTS FROM THE PAPER
 *  - Indices are signed (int64_t).  The paper uses size_t: in take, on an
 *    empty deque with bottom == 0, b = bottom - 1 wraps to SIZE_MAX and the
 *    test "top <= b" says the deque holds 2^64 tasks.
 *  - After growing, push writes into the new ring.  (The paper's figure
 *    keeps using the old one; CDSChecker found this.)
 *  - A task is two words, so a slot is two relaxed atomics, not one.  A
 *    thief may read them torn, half from an old task and half from a new
 *    one, while the owner reuses the slot; but then top has moved, its CAS
 *    fails, and the torn pair is thrown away unused.
 *  - The paper's "consume" ordering, for the thief's load of the ring
 *    pointer, is acquire here: compilers implement consume as acquire anyway.
 *  - Replaced rings are kept on a list and freed by deque_destroy.  A thief
 *    may still be reading an old ring, and freeing it safely while thieves
 *    run needs a reclamation scheme (epochs, hazard pointers).  The memory
 *    this keeps is bounded: rings double, so all the old ones together are
 *    smaller than the current one.
 *  - How take and steal are ordered against each other (ORDERING, before
 *    deque_take, after lesson 4's exercise 1); -DDEQUE_FENCES builds the
 *    paper's form instead.
 */
#ifndef LESSON05_DEQUE_H
#define LESSON05_DEQUE_H

/* ---- copied unchanged from lesson04_chase_lev/deque.h: #includes ... enum steal_result ---- */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cacheline.h"
#include "scheduler.h"

/* A task is stored by value: pushing never allocates per task. */
struct task {
    task_fn fn;
    void *arg;
};

struct slot {
    _Atomic(task_fn) fn;
    _Atomic(void *) arg;
};

/* The circular array.  Replaced, never resized in place. */
struct ring {
    int64_t mask;               /* capacity - 1; capacity is a power of two */
    struct ring *older;         /* the ring this one replaced, kept until destroy */
    struct slot slots[];
};

/*
 * top is written by thieves, bottom and the ring pointer by the owner: three
 * cache lines, so that a thief's CAS on top does not take away the line the
 * owner is writing bottom on.
 */
struct deque {
    _Alignas(CACHELINE) _Atomic int64_t top;
    _Alignas(CACHELINE) _Atomic int64_t bottom;
    _Alignas(CACHELINE) _Atomic(struct ring *) ring;
};

enum steal_result { STEAL_EMPTY, STEAL_LOST, STEAL_OK };
/* ---- end of copy ---- */

/*
 * DEQUE_TSAN is set here under ThreadSanitizer: the tests then run fewer
 * rounds, and the fence form (-DDEQUE_FENCES) is refused, as TSan cannot
 * check it (ORDERING, before deque_take, says why).
 */
#if defined(__SANITIZE_THREAD__)
#define DEQUE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DEQUE_TSAN 1
#endif
#endif
#if defined(DEQUE_TSAN) && defined(DEQUE_FENCES)
#error "ThreadSanitizer does not model fences: build the fence form without it"
#endif

/* ---- copied unchanged from lesson04_chase_lev/deque.h: ring_new ... deque_destroy ---- */
/* Zeroed: a thief with a stale top may read a slot that was never written
 * (its CAS then fails and it drops what it read), and it should read zeros,
 * not whatever malloc left there. */
static inline struct ring *ring_new(int64_t capacity, struct ring *older)
{
    struct ring *r = calloc(1, sizeof *r + (size_t)capacity * sizeof(struct slot));
    if (r != NULL) {
        r->mask = capacity - 1;
        r->older = older;
    }
    return r;
}

/* relaxed: who may read a slot is decided by top and bottom, not the slot. */
static inline void slot_put(struct ring *r, int64_t i, struct task t)
{
    struct slot *s = &r->slots[i & r->mask];
    atomic_store_explicit(&s->fn, t.fn, memory_order_relaxed);
    atomic_store_explicit(&s->arg, t.arg, memory_order_relaxed);
}

/* relaxed: as slot_put; a reader keeps what it read only if its claim on
 * the index (take's bottom, steal's CAS) succeeds. */
static inline struct task slot_get(struct ring *r, int64_t i)
{
    struct slot *s = &r->slots[i & r->mask];
    return (struct task){ atomic_load_explicit(&s->fn, memory_order_relaxed),
                          atomic_load_explicit(&s->arg, memory_order_relaxed) };
}

#define DEQUE_INITIAL_CAP 64

/* Returns 0 or ENOMEM. */
static inline int deque_init(struct deque *d)
{
    struct ring *r = ring_new(DEQUE_INITIAL_CAP, NULL);
    if (r == NULL)
        return ENOMEM;
    atomic_init(&d->top, 0);
    atomic_init(&d->bottom, 0);
    atomic_init(&d->ring, r);
    return 0;
}

/* Frees the ring and every ring it replaced.  No other thread may be using d. */
static inline void deque_destroy(struct deque *d)
{
    struct ring *r = atomic_load_explicit(&d->ring, memory_order_relaxed);
    while (r != NULL) {
        struct ring *older = r->older;
        free(r);
        r = older;
    }
}
/* ---- end of copy ---- */

/*
 * Owner only.  Copies tasks [t, b) into a ring twice the size and publishes
 * it.  The old ring stays readable (a thief may be in it), and keeps its
 * contents: the owner never writes to a ring after replacing it.  Never
 * inlined: push, which calls it when the ring is full, runs at every spawn
 * and join, and without this path it is small enough to be inlined there.
 * (unused: not every includer grows.)
 */
__attribute__((noinline, unused)) static struct ring *deque_grow(struct deque *d,
                                                                 struct ring *old, int64_t t,
                                                                 int64_t b)
{
    struct ring *r = ring_new(2 * (old->mask + 1), old);
    if (r == NULL)
        return NULL;
    for (int64_t i = t; i < b; i++)
        slot_put(r, i, slot_get(old, i));
    /* release: a thief that loads this pointer (acquire, in steal) sees the
     * copied slots. */
    atomic_store_explicit(&d->ring, r, memory_order_release);
    return r;
}

/* Owner only: adds t at the bottom.  Returns 0, or ENOMEM (t not added). */
static inline int deque_push(struct deque *d, struct task task)
{
    /* relaxed: only this thread writes bottom and ring. */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
    /* acquire: when the ring is nearly full, the slot we write below last
     * held task b - capacity, which someone (a thief, or our own last-task
     * CAS) claimed by moving top past it, after reading it.  Every write to
     * top is such a read-modify-write, so any later value of top was
     * written by an RMW that continues the claim's release sequence, and
     * reading it synchronizes with the claim: its read of the slot happens
     * before our overwrite. */
    int64_t t = atomic_load_explicit(&d->top, memory_order_acquire);
    struct ring *r = atomic_load_explicit(&d->ring, memory_order_relaxed);
    if (b - t > r->mask) {                  /* full: b - t == capacity */
        r = deque_grow(d, r, t, b);         /* and write into the new ring */
        if (r == NULL)
            return ENOMEM;
    }
    slot_put(r, b, task);
    /* release: publishes the slot (and everything the spawner wrote before
     * spawning) before the new bottom.  Pairs with the load of bottom in
     * steal (seq_cst, or acquire in the fence form; both acquire): a thief
     * that sees b + 1 sees the task in slot b.
     * (The paper writes a release fence and a relaxed store.  The fence
     * also covers take's later stores of bottom; this store covers them
     * only through C11's rule that a later store by the same thread
     * continues its release sequence, which C++20 and Rust dropped, so
     * deque_take does without it.) */
    atomic_store_explicit(&d->bottom, b + 1, memory_order_release);
    return 0;
}

/*
 * ORDERING.  Take stores bottom and then loads top; steal loads top and
 * then bottom.  Each side must see the other's write, or both may claim
 * the same task (take's comments say how).  Release and acquire cannot
 * give that: it takes sequential consistency, in one of two forms.
 *
 *  - seq_cst operations (shipped): take's store of bottom and load of top,
 *    steal's loads of top and bottom, and the CASes on top are seq_cst.
 *    C11 puts every seq_cst operation in one total order S that agrees
 *    with each thread's program order, and a seq_cst load reads the last
 *    seq_cst write to its variable before it in S, or a later value (in
 *    general C11 allows a little more; here only the owner writes bottom,
 *    and every write to top is a seq_cst CAS, so this is exact).  So
 *    every access to top and bottom that races here is in S, and a seq_cst
 *    load after a seq_cst store is not reordered with it.  Take's store of
 *    bottom W, a thief's load of bottom R: if W is first in S, R reads W's
 *    bottom or a later one; if R is first, so is the thief's load of top
 *    before it, and the CAS that wrote that top, and take's load of top,
 *    after W, reads that top or a later one.  Either way one side sees the
 *    other's write.  ("A later one" of bottom is the owner's restore, and
 *    then slot b goes to whichever CAS wins, or a new push at b, and then
 *    the thief takes that new task.)  On x86 the store is an `xchg`
 *    (which drains the store buffer) and the loads are plain `mov`s; on
 *    AArch64, `stlr` and `ldar`, with no barrier instruction.
 *  - -DDEQUE_FENCES: the paper's form (Lê et al., figure 1): one
 *    atomic_thread_fence(memory_order_seq_cst) between take's store and
 *    load, and one between steal's two loads, with weaker operations
 *    around them.  On x86 each fence is a full barrier: `lock orq $0,(%rsp)`
 *    with gcc, `mfence` with clang, which on many x86 processors costs
 *    several times a locked instruction; and steal pays one too, where x86
 *    needs none.  On AArch64 each is a `dmb ish`.
 *
 * The shipped form is also the one ThreadSanitizer can check: TSan does
 * not model atomic_thread_fence, so it could neither check nor refute the
 * fence form's argument, and that form is refused under TSan.
 */

/*
 * Owner only: takes the newest task.  False when the deque is empty, or
 * when a thief won the race for the last task.
 */
static inline bool deque_take(struct deque *d, struct task *out)
{
    /* relaxed: only this thread writes bottom and ring. */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed) - 1;
    struct ring *r = atomic_load_explicit(&d->ring, memory_order_relaxed);
    /*
     * Claim slot b by moving bottom, THEN look at top.  The order of that
     * store and that load is the heart of the algorithm.  A thief does the
     * mirror image: it reads top, then bottom.  If both threads could see
     * the other's old value (our store of bottom still in this core's store
     * buffer while we read top; the thief's read of bottom served before
     * our store reached it), each would believe slot b is its own, and
     * the task would run twice.  A store followed by a load to another
     * address is the one reordering that even x86 performs, and release
     * and acquire allow it: this needs seq_cst (ORDERING above), pairing
     * with steal's.  Then at least one side sees the other's update.
     */
#ifndef DEQUE_FENCES
    /* seq_cst: in S before our load of top below, which cannot be served
     * before it (on x86 an xchg: the store buffer drains first).  Pairs
     * with steal's seq_cst loads of top and bottom.  Also a release: a
     * thief that reads this bottom and steals a task pushed earlier, below
     * it, sees that task's slot (its load of bottom is an acquire too). */
    atomic_store_explicit(&d->bottom, b, memory_order_seq_cst);
    /* seq_cst: after our store of bottom in S, so it reads the top of
     * every CAS before that store in S, or a later one.  Pairs with
     * steal's seq_cst loads and the CASes on top. */
    int64_t t = atomic_load_explicit(&d->top, memory_order_seq_cst);
#else
    /* release: a thief may read this bottom and go on to steal a task below
     * it, pushed earlier; it must then see that task's slot.  The paper's
     * push ends with a release fence, which covers every later store of
     * bottom, this one included.  Our push uses a release store, which
     * covers this one only through C11's rule that a later store by the
     * same thread continues a release sequence, a rule that C++20 and Rust
     * dropped.  A release store here does not rely on it, and costs
     * nothing more on x86 (a plain mov). */
    atomic_store_explicit(&d->bottom, b, memory_order_release);
    /* seq_cst fence: store before load.  Pairs with the seq_cst fence in
     * steal. */
    atomic_thread_fence(memory_order_seq_cst);
    /* relaxed: the fence above orders it after the store of bottom. */
    int64_t t = atomic_load_explicit(&d->top, memory_order_relaxed);
#endif
    if (t > b) {
        /* Empty.  relaxed: put bottom back.  It publishes nothing a thief
         * needs: a thief that reads it and an older top can only CAS top
         * past an index that another CAS already claimed, and that fails
         * (each index goes to the one CAS that moves top past it). */
        atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
        return false;
    }
    *out = slot_get(r, b);
    if (t < b)
        return true;            /* more than one task: thieves cannot reach b */

    /* The last task: thieves may be after it too.  Whoever moves top from t
     * to t+1 first has it.  seq_cst: in S with the thieves' loads and CASes
     * of top (its partners; in the fence form, one of the accesses to top
     * that the fences order).  On failure we read nothing from the result,
     * so relaxed. */
    bool won = atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                       memory_order_relaxed);
    /* Either way the deque is now empty with top == b + 1: restore bottom
     * to match.  relaxed: it publishes nothing a thief needs; index b went
     * to the one CAS that moved top past it, ours or a thief's. */
    atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
    return won;
}

/*
 * Any thread but the owner: takes the oldest task.  STEAL_EMPTY when there
 * is none; STEAL_LOST when another thief, or the owner, took it first (there
 * may be more: the caller may try again).
 */
static inline enum steal_result deque_steal(struct deque *d, struct task *out)
{
    /* Read top, THEN bottom: the mirror image of take's store-then-load,
     * and it needs the matching seq_cst order.  If we read bottom first, we
     * could see the owner's bottom from before its take and the top from
     * after it: a task the owner has taken would look stealable. */
#ifndef DEQUE_FENCES
    /* seq_cst: its partners are two accesses in take (ORDERING, before
     * deque_take) and every CAS on top.  So the top we read, even one
     * another thief's CAS wrote, is before our load of bottom in S, and so
     * is our own last CAS, when we steal again. */
    int64_t t = atomic_load_explicit(&d->top, memory_order_seq_cst);
    /* seq_cst: as above.  Also an acquire, which pairs with the release
     * store of bottom in push: a thief that sees b + 1 sees slot b. */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
#else
    /* acquire: the top we read may have been written by another thief's
     * CAS.  Acquire makes that CAS happen before our fence below, and so
     * puts it before our fence in the one order of seq_cst operations, as
     * take's fence argument needs.  With a relaxed load, C11 allows this:
     * thief A's CAS moves top 5 -> 6; the owner stores bottom = 6, fences,
     * reads top = 5 and takes task 6 without a CAS; thief B reads top = 6
     * (A's CAS), fences, reads the old bottom = 7 and steals task 6 too.
     * (C++20 strengthened seq_cst fences so that relaxed would do, and
     * crossbeam-deque's proof assumes those rules; C11's do not.) */
    int64_t t = atomic_load_explicit(&d->top, memory_order_acquire);
    /* seq_cst fence: keeps our load of top before our load of bottom in
     * S, for the argument in ORDERING, before deque_take. */
    atomic_thread_fence(memory_order_seq_cst);
    /* acquire: pairs with the release store of bottom in push, so that the
     * slot's contents are visible once we see the bottom that covers it. */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_acquire);
#endif
    if (t >= b)
        return STEAL_EMPTY;

    /* acquire: pairs with the release store in deque_grow.  Loaded after
     * bottom, so it is at least as new as the ring that push wrote slot t
     * into: a ring loaded before bottom could be an older one, without the
     * task.  A ring that is older than the newest is fine: it is never
     * written after being replaced, and slot t was copied from it. */
    struct ring *r = atomic_load_explicit(&d->ring, memory_order_acquire);
    struct task task = slot_get(r, t);

    /* Claim slot t.  If top is no longer t, someone else took it, and the
     * task we read may be stale or torn: drop it.  seq_cst: its partners
     * are the other thieves' loads and CASes of top, and take's accesses
     * to top (ORDERING, before deque_take).  On failure we use nothing we
     * read, so relaxed. */
    if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                 memory_order_relaxed))
        return STEAL_LOST;
    *out = task;
    return STEAL_OK;
}

/* Tasks in the deque, approximately: exact only when no thread is using it. */
static inline int64_t deque_len(struct deque *d)
{
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
    int64_t t = atomic_load_explicit(&d->top, memory_order_relaxed);
    return b > t ? b - t : 0;
}

/*
 * Any thread but the owner: takes the oldest task into *first and, when
 * the deque held at least `half_from` tasks, keeps stealing, one task at a
 * time, until it has half of them (rounded up), or rest_cap more, or the
 * victim runs dry.  Those further tasks go to rest[0 .. *nrest - 1],
 * oldest first.  Returns deque_steal's result for the first task:
 * STEAL_OK, or, when not even the first task could be had, STEAL_EMPTY
 * (the deque looked empty) or STEAL_LOST (another thread took that task
 * first), and then *nrest is 0.
 *
 * WHY NOT ALWAYS HALF
 * Half the tasks is not half the work.  A recursive computation (a tree,
 * fork-join) leaves a short deque whose oldest task is the biggest: it is
 * about half of everything the victim has, the next one a quarter, and so
 * on.  One steal is then already half the work, and taking half the tasks
 * would take nearly all of it, leaving the victim to steal back.  A flat
 * loop of small tasks leaves a long deque of equal tasks, where one task
 * is not worth the trip and half the tasks is half the work.  The length
 * tells the two apart well enough: recursion deep enough to leave
 * `half_from` (64) tasks in one deque is rare.
 *
 * "Half" is measured once, after the first steal: the owner may push and
 * take meanwhile, and each single steal checks afresh, so the batch is
 * only ever smaller than planned, never wrong.
 */
static inline enum steal_result deque_steal_half(struct deque *d, struct task *first,
                                                 struct task *rest, int rest_cap,
                                                 int64_t half_from, int *nrest)
{
    *nrest = 0;
    enum steal_result res = deque_steal(d, first);
    if (res != STEAL_OK)
        return res;
    /* It held len + 1; half of that, rounded up, is 1 + len / 2. */
    int64_t len = deque_len(d);
    int64_t want = len + 1 >= half_from ? len / 2 : 0;
    if (want > rest_cap)
        want = rest_cap;
    int n = 0;
    while (n < want && deque_steal(d, &rest[n]) == STEAL_OK)
        n++;
    *nrest = n;
    return STEAL_OK;
}

#endif
