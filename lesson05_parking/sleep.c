/*
 * sleep.c: lesson 5's sleep protocol: idle workers park, and a new task
 * wakes one of them only when nobody else will find it.
 *
 * THE STATE WORD
 * One atomic word, `state`, counts the awake workers and, among them, the
 * searching ones (sleep.h has the layout).  A spawn reads it to decide
 * whether to wake anyone:
 *   - if a worker is searching, it will find the new task: wake nobody;
 *   - if every worker is awake, one of them will find it: wake nobody;
 *   - otherwise wake one parked worker, and count it as searching at once,
 *     so that the next spawn, a moment later, does not wake a second one.
 * Every idle worker may search (sleep_start_looking says why there is no
 * bound, as tokio and Go have).  When the last searcher finds work, it
 * wakes one more, which searches in turn: under load, workers wake one by
 * one until there are enough of them, and no spawn ever wakes a crowd.
 *
 * The parked workers are on the idle list.  The awake count changes only
 * under idle_lock, together with the list, so whenever the lock is free,
 * awake + listed == nworkers.  Every write to `state` is a read-modify-
 * write (an RMW: fetch_add, fetch_sub, CAS), never a plain store; the
 * argument below needs that.
 *
 * NO LOST WAKE-UP
 * The danger is a task that sits in the injector while every worker
 * sleeps.  Take a worker P that has found nothing and is going to sleep,
 * and a thread S outside the pool that spawns at that moment:
 *
 *     S: spawn from outside                P: park
 *     1. queue the task                    1. count itself out of `state`
 *     2. read `state`                      2. look at the queues once more
 *     3. wake a worker if `state`          3. sleep, unless 2 found a task
 *        says nobody will look
 *
 * This is lesson 4's STORE BUFFERING pattern.  Each side writes one thing,
 * then reads the other:
 *
 *     S: write queue; read state           P: write state; read queue
 *
 * With plain stores and loads, both reads may return the old value, even
 * on x86 (each store still sits in its core's store buffer while the load
 * runs), exactly as lesson 4's litmus test showed for x and y.  The
 * injector's mutex does not prevent it in C11: P looks at len_hint without
 * the lock, and an unlock orders what came before it only for the thread
 * that takes the lock next.  (On x86 with glibc, an unlock happens to be an
 * xchg, which drains the store buffer and hides the bug; on Arm nothing
 * hides it.)
 *
 *     S                                    P
 *     queue the task (in S's buffer)
 *                                          awake -= 1 (in P's buffer)
 *     read state: P is awake
 *                                          read queue: empty
 *     "P will look": wake nobody
 *                                          sleep
 *                     the task waits, and every worker sleeps
 *
 * The goal is lesson 4's, reached another way: neither side may read
 * before its own write is seen.  Here both sides make their access to `state` an RMW: S reads
 * state with fetch_add(0) (adding 0 changes nothing, but it is an RMW),
 * and P counts itself out with fetch_sub.  All RMWs of one variable happen
 * one after another, in a single order (the variable's modification
 * order), and each reads the value that the one before it wrote.  So of
 * S's RMW and P's, one comes second, and sees the other:
 *
 *   - P's comes second.  P's RMW reads what S's RMW wrote, or what a
 *     later RMW wrote.  S's RMW is a
 *     release and P's an acquire: that is lesson 4's MESSAGE PASSING, with
 *     `state` as the flag and the queued task as the data.  P's second
 *     look (step 2) sees the task, and P does not sleep.
 *   - S's comes second.  S sees P counted out, so P is not among the
 *     workers that S counts on: S goes by the others (below).
 *
 * Now all of it, for any number of workers.  Look at what S's RMW read:
 *
 *   (a) Somebody searching, or every worker awake: S wakes nobody.  A
 *       worker that S's read counts as awake (a searcher is awake too)
 *       has yet to park: before it sleeps, it parks, and that park RMW
 *       comes after S's in the modification order.  It is then the P of
 *       the first case above: it sees the task.
 *   (b) Nobody searching and not every worker awake: S wakes one (under
 *       idle_lock: it takes a worker off the list and counts it awake and
 *       searching, with an RMW after S's).  That worker has yet to park:
 *       case (a) again.
 *   (c) As (b), but under idle_lock S finds somebody searching after all,
 *       or nobody on the list: S wakes nobody.  Then a worker began to
 *       search, or counted itself awake again, with an RMW after S's, and
 *       that worker's next park RMW comes after S's too: case (a) again.
 *
 * Either way, some worker sees the task.  (A plain load in S's step 2
 * would not do: a load is not part of the modification order, and nothing
 * stops it from returning the value from before P's RMW; the store
 * buffering above is then possible.  model/parking.pml, built with
 * -DPLAIN_LOAD, finds that interleaving.)
 *
 * Two other places need no such care, and decide whom to wake from a
 * relaxed load of `state`.  A worker that stops searching because it
 * found work: it is awake, and will look again before it parks.  A spawn
 * from inside the pool (sleep_new_internal_job): the spawning worker is
 * awake and will get to its own task, so a stale `state` there delays a
 * task, never loses it: until the spawner's next push, or the end of the
 * task it is running (sleep.h, sleep_new_internal_job).
 *
 * A TASK QUEUED BEHIND OTHERS
 * A spawn from outside that finds tasks already in the injector only
 * queues: no RMW of `state`, no wake-up (injector.h decides, under its
 * lock, which push is a "first" one).  That is safe because of this rule:
 *
 *   while the injector holds a task, some awake worker is still to look
 *   at it, or a first push is still to call sleep_new_external_job
 *   (injector.h's `callers` counts those).
 *
 *   - A first push makes the rule true, by the argument above.
 *   - A push behind other tasks, with no first push still calling, finds
 *     the rule true and keeps it true.  The tasks ahead of ours were there
 *     when we held the lock, so whoever takes them takes the lock after
 *     us, and sees ours behind them.  That worker takes ours too, or
 *     leaves it queued, with len_hint saying so; then it is the awake
 *     worker still to look, because it looks at the injector again before
 *     it parks (at the latest in work_visible, which reads the len_hint it
 *     wrote or a later value; only a take that empties the queue writes 0).
 *
 * So a burst of external spawns pays for the mutex and nothing else, but
 * for the first one.  (A push made while a first push is still calling is
 * made a first one itself: not for correctness, as the calling spawner
 * will call, but so that its task does not wait for a spawner that was
 * preempted before its call.  "Looks again before it parks" can also
 * wait: a worker inside join's help loop looks at no injector until its
 * join is done.  A delay, never a lost task.)
 *
 * Parallelism needs one more rule.  The spawner of the next task used to
 * wake a parked worker; now it calls nobody.  So a worker that takes from
 * the injector and leaves tasks there calls a peer itself
 * (sleep_new_internal_job: only if nobody searches and somebody sleeps),
 * as the last searcher does in sleep_work_found.  Without it, one worker
 * could serve a stream of external tasks alone while another slept, for as
 * long as the injector never emptied.
 *
 * THE PRECISE ARGUMENT, for readers who want it
 * In the terms of the C11 standard (5.1.2.4 and 7.17.3):
 *  1. Every write to `state` is an RMW, and an RMW always reads the last
 *     value before its own write in the modification order of `state`.
 *     So S's RMW and a worker W's park RMW are ordered one way or the
 *     other, and in cases (a) to (c) the worker that S relies on makes its
 *     park RMW after S's RMW in that order.
 *  2. S's fetch_add(0, release) heads a release sequence: S's RMW and every
 *     RMW after it in the modification order.  As every write to `state`
 *     is an RMW (the relaxed ones in sleep_start_looking,
 *     sleep_wake_sleeper and the return from a park too), every value that
 *     `state` takes after S's RMW is in that release sequence.
 *  3. W's park fetch_sub is an acquire that reads a value in S's release
 *     sequence, so S's RMW synchronizes with it: S's queueing of the task,
 *     and its relaxed store of len_hint, happen before W's second look.
 *  4. W's second look loads len_hint (relaxed).  A load cannot read a
 *     value older than a store that happens before it (write-read
 *     coherence), so it reads S's len_hint or a later one, and a later one
 *     is 0 only if a take emptied the queue, after which a worker holds
 *     the task.
 *  5. For a task queued behind others, the worker that must see it is the
 *     last to take from the injector; its own store of len_hint is
 *     sequenced before its second look, so again by coherence the look
 *     reads that value or a later one.
 *  6. The relaxed RMWs need no order of their own, and still continue
 *     the release sequence (2): in sleep_wake_sleeper and the return from
 *     a park, idle_lock orders them with the list; sleep_start_looking's
 *     publishes nothing (a searcher that S counts on makes its park RMW
 *     later, which is 1 to 3 again).
 *  The argument does not depend on x86: there the RMWs are locked
 *  instructions, which drain the store buffer, but the C11 reasoning above
 *  holds on any machine.
 *
 * SHUTDOWN
 * sleep_wake_all leaves every worker a token.  A parker keeps its token,
 * so a worker that was between its check of `shutdown` and its sleep still
 * wakes (parker.h).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "sleep.h"
#include "trace.h"

int sleep_init(struct sleep *s, unsigned nworkers)
{
    s->idle = calloc(nworkers, sizeof *s->idle);
    s->listed = calloc(nworkers, sizeof *s->listed);
    s->sleepers = aligned_alloc(CACHELINE, nworkers * sizeof *s->sleepers);
    int err = (s->idle == NULL || s->listed == NULL || s->sleepers == NULL) ? ENOMEM : 0;
    unsigned ready = 0;             /* parkers initialized */
    while (err == 0 && ready < nworkers) {
        err = parker_init(&s->sleepers[ready].parker);
        if (err == 0)
            ready++;
    }
    if (err != 0) {
        while (ready > 0)
            parker_destroy(&s->sleepers[--ready].parker);
        free(s->idle);
        free(s->listed);
        free(s->sleepers);
        return err;
    }
    pthread_mutex_init(&s->idle_lock, NULL);
    s->idle_count = 0;
    s->nworkers = nworkers;
    /* Every worker starts awake; each parks when it finds nothing.  Before
     * any worker runs, so no RMW is needed. */
    atomic_init(&s->state, nworkers * SLEEP_ONE_AWAKE);
    return 0;
}

void sleep_destroy(struct sleep *s)
{
    for (unsigned i = 0; i < s->nworkers; i++)
        parker_destroy(&s->sleepers[i].parker);
    pthread_mutex_destroy(&s->idle_lock);
    free(s->idle);
    free(s->listed);
    free(s->sleepers);
}

/* ---- waking ---- */

/*
 * Takes one parked worker off the idle list, counts it as awake and
 * searching before it even runs, and unparks it; unless, under the lock,
 * someone is searching after all or nobody is parked (case (c) above).
 */
void sleep_wake_sleeper(struct sleep *s)
{
    pthread_mutex_lock(&s->idle_lock);
    /* relaxed: the lock orders the awake count and the list; the
     * searching count only has to be no older than the caller's look. */
    uint32_t state = atomic_load_explicit(&s->state, memory_order_relaxed);
    if (sleep_searching(state) != 0 || s->idle_count == 0) {
        pthread_mutex_unlock(&s->idle_lock);
        return;             /* another waker got there first */
    }
    unsigned id = s->idle[--s->idle_count];
    s->listed[id] = false;
    /* relaxed: idle_lock orders it with the sleepers' own updates (the
     * woken worker reads its `listed` flag under that lock).  Still an RMW,
     * as every write to state must be: see the top of the file. */
    atomic_fetch_add_explicit(&s->state, SLEEP_ONE_AWAKE + SLEEP_ONE_SEARCHING,
                              memory_order_relaxed);
    pthread_mutex_unlock(&s->idle_lock);
    unpark(&s->sleepers[id].parker);
}

void sleep_new_external_job(struct sleep *s)
{
    /* S's step 2 at the top of the file: read state with an RMW.
     * release: the queued task happens before any parker's acquire RMW
     * (in sleep_no_work_found) that reads this one or a later one. */
    uint32_t state = atomic_fetch_add_explicit(&s->state, 0, memory_order_release);
    sleep_wake_one(s, state);       /* step 3, if state says so */
}

void sleep_wake_all(struct sleep *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        unpark(&s->sleepers[i].parker);
}

uint64_t sleep_parks(struct sleep *s, unsigned worker)
{
    return counter_read(&s->sleepers[worker].parker.sleeps);
}

/* ---- searching and parking ---- */

/*
 * Every idle worker may search.  tokio and Go let at most half the workers
 * search, so that a crowd of thieves does not fight over one victim; a
 * worker refused parks at once.  Here that bound made more workers than
 * CPUs slower than one worker on `tree` and `fib` (the README, "More
 * workers than CPUs").  The count cannot pass nworkers: a worker is
 * counted searching at most once, by itself here (only when its own
 * `searching` is false) or by the waker that takes it off the idle list.
 */
void sleep_start_looking(struct sleep *s, bool *searching)
{
    /* relaxed: it publishes nothing.  An outside spawner
     * (sleep_new_external_job) whose RMW reads us as searching, and so
     * wakes nobody, relies on our next park RMW, an acquire that comes
     * after its release RMW in the modification order of state (point 6
     * at the top).  An RMW, as every write to state: a plain store could
     * lose a concurrent update of the counts, and would end the spawner's
     * release sequence. */
    atomic_fetch_add_explicit(&s->state, SLEEP_ONE_SEARCHING, memory_order_relaxed);
    *searching = true;
}

/*
 * If we were the last searcher and there is more work in sight than the
 * task we are about to run, wake one more worker to search: nobody else is
 * looking, and this is how, under load, the workers wake one another until
 * there are enough of them.  For a lone task we wake nobody: a peer would
 * search in vain, and the wake-up would delay the task we hold.
 */
void sleep_work_found(struct sleep *s, bool *searching, bool (*work_visible)(void *ctx),
                      void *ctx)
{
    *searching = false;
    /* acq_rel.  Acquire: pairs with the release of the same fetch_sub done
     * earlier by another searcher, which pushed its batch before its RMW,
     * and with sleep_new_external_job's release RMW: our look at the
     * queues, after ours, sees that batch or that task (or later values).
     * Release: pairs in turn with a later searcher's acquire here, and
     * with the acquire park RMW in sleep_no_work_found, so that a worker
     * giving up after us sees the batch we hold in its last look. */
    uint32_t before = atomic_fetch_sub_explicit(&s->state, SLEEP_ONE_SEARCHING,
                                                memory_order_acq_rel);
    if (sleep_searching(before) == 1 && work_visible(ctx))
        sleep_new_internal_job(s);
}

bool sleep_no_work_found(struct sleep *s, unsigned worker, bool *searching,
                         bool (*work_visible)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&s->idle_lock);
    s->idle[s->idle_count++] = worker;
    s->listed[worker] = true;
    /* P's step 1 at the top of the file.  acquire: pairs with the release
     * RMW in sleep_new_external_job, through its release sequence. */
    uint32_t out = SLEEP_ONE_AWAKE + (*searching ? SLEEP_ONE_SEARCHING : 0);
    uint32_t before = atomic_fetch_sub_explicit(&s->state, out, memory_order_acquire);
    /* The counts never drift: we were counted awake, and searching if we
     * think we were.  (A drifted searching count would make every spawn
     * believe someone is looking.) */
    assert(sleep_awake(before) >= 1 && sleep_searching(before) >= (*searching ? 1u : 0u));
    pthread_mutex_unlock(&s->idle_lock);
    *searching = false;

    bool parked = false;
    if (!work_visible(ctx)) {                       /* steps 2 and 3 */
        trace_park();
        park(&s->sleepers[worker].parker);
        trace_unpark();
        parked = true;
    }

    /* Off the list.  If a waker took us off, it has counted us awake and
     * searching; if not (we did not sleep, or destroy woke us), we count
     * ourselves back in.  A waker that took us off just now, while we were
     * not asleep, still leaves its token: our next park returns at once,
     * one wasted round and nothing worse. */
    pthread_mutex_lock(&s->idle_lock);
    if (s->listed[worker]) {
        s->listed[worker] = false;
        for (unsigned i = 0; i < s->idle_count; i++) {
            if (s->idle[i] == worker) {
                s->idle[i] = s->idle[--s->idle_count];
                break;
            }
        }
        /* relaxed: under the lock, as in sleep_wake_sleeper. */
        atomic_fetch_add_explicit(&s->state, SLEEP_ONE_AWAKE, memory_order_relaxed);
    } else {
        *searching = true;
    }
    pthread_mutex_unlock(&s->idle_lock);
    return parked;
}
