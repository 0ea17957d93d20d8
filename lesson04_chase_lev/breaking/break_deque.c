/*
 * break_deque.c: what each ordering in ../deque.h is for, shown by removing it.
 *
 * `make break` builds this program in both of deque.h's forms (ORDERING):
 * the seq_cst operations it ships, and the paper's fences (-DDEQUE_FENCES).
 * Each form is built as it is, and with -DBREAK=n, removing one ordering:
 *   1  take:  seq_cst form: bottom stored release, not seq_cst
 *             fence form:   no seq_cst fence between the store of bottom
 *                           and the load of top
 *   2  take:  seq_cst form: top loaded acquire, not seq_cst
 *   3  steal: seq_cst form: top and bottom loaded acquire, not seq_cst
 *             fence form:   no seq_cst fence between the two loads
 *   4  push:  bottom stored relaxed instead of release (the same in both)
 * Each build runs rounds of the race the orderings exist for: the owner
 * pushes one to three tasks and takes them back while a thief steals, both
 * starting at once.  After every round it counts the tasks nobody got (lost)
 * and those that two threads got (run twice).  A correct deque has 0 and 0.
 *
 *   break-N SECONDS    (prints one line: the counts; exits 0 either way)
 *   break-N --cost     what an owner's push + take costs in this build, one
 *                      thread, the deque never empty (take's fast path)
 *
 * This is a demonstration, not a test: a weakening the hardware hides shows
 * 0 and 0 here, and that is the point of the README's section on it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "../deque.h"
#include "rng.h"

enum { MAX_PER_ROUND = 3 };

static struct deque d;
static atomic_uint round_no;        /* the owner starts round r by storing r */
static atomic_uint thief_done;      /* the thief has finished round r */
static atomic_bool stop;
static atomic_uint taken[MAX_PER_ROUND + 1];    /* per task of this round */

/* The task's argument points at data the owner wrote just before pushing:
 * a thief that gets the task must see it (push's release, steal's acquire). */
static atomic_uint payload[MAX_PER_ROUND + 1];
static atomic_ulong stale_payloads;

static void nothing(void *arg)
{
    (void)arg;
}

static void got(struct task t, unsigned round)
{
    uintptr_t i = (uintptr_t)t.arg;
    if (i == 0 || i > MAX_PER_ROUND) {
        atomic_fetch_add(&stale_payloads, 1);   /* garbage: a slot never written */
        return;
    }
    /* relaxed: what we check is exactly whether push's release made the
     * owner's earlier relaxed store visible; a stale value is the finding. */
    if (atomic_load_explicit(&payload[i], memory_order_relaxed) != round)
        atomic_fetch_add(&stale_payloads, 1);
    atomic_fetch_add(&taken[i], 1);
}

static void *thief(void *arg)
{
    (void)arg;
    struct task t;
    for (unsigned r = 1;; r++) {
        /* acquire: pairs with the owner's release store of round_no. */
        while (atomic_load_explicit(&round_no, memory_order_acquire) < r)
            if (atomic_load(&stop))
                return NULL;
        enum steal_result res;
        while ((res = deque_steal(&d, &t)) != STEAL_EMPTY)
            if (res == STEAL_OK)
                got(t, r);
        /* release: our round is done before the owner counts it. */
        atomic_store_explicit(&thief_done, r, memory_order_release);
    }
}

/* One thread: push then take, 20 million times, with one spare task below
 * so that take never reaches the last-task CAS.  ns per push + take. */
static void cost(void)
{
    enum { PAIRS = 20000000 };
    struct task t;
    deque_push(&d, (struct task){ nothing, (void *)1 });
    uint64_t t0 = now_ns();
    for (long i = 0; i < PAIRS; i++) {
        deque_push(&d, (struct task){ nothing, (void *)2 });
        deque_take(&d, &t);
    }
    double ns = (double)(now_ns() - t0) / PAIRS;
    printf("push + take: %.1f ns\n", ns);
}

int main(int argc, char **argv)
{
    if (deque_init(&d) != 0)
        return 1;
    if (argc > 1 && strcmp(argv[1], "--cost") == 0) {
        cost();
        deque_destroy(&d);
        return 0;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 2;
    pthread_t th;
    pthread_create(&th, NULL, thief, NULL);

    struct rng rng;
    rng_seed(&rng, 1);
    unsigned long rounds = 0, tasks = 0, lost = 0, twice = 0;
    uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
    struct task t;
    for (unsigned r = 1; now_ns() < end; r++) {
        unsigned k = 1 + rng_below(&rng, MAX_PER_ROUND);
        for (uintptr_t i = 1; i <= k; i++) {
            atomic_store(&taken[i], 0);
            /* relaxed: deliberately; only push's release may publish it,
             * so a stale payload is the finding (see got()). */
            atomic_store_explicit(&payload[i], r, memory_order_relaxed);
            deque_push(&d, (struct task){ nothing, (void *)i });
        }
        /* release: the tasks pushed above are in the deque before the
         * thief starts the round (it acquires round_no). */
        atomic_store_explicit(&round_no, r, memory_order_release);
        /* A random pause, so that take and steal meet at every offset. */
        for (volatile unsigned spin = rng_below(&rng, 3000); spin > 0; spin--)
            ;
        while (deque_take(&d, &t))
            got(t, r);
        while (atomic_load_explicit(&thief_done, memory_order_acquire) < r)
            ;
        for (unsigned i = 1; i <= k; i++) {
            unsigned n = atomic_load(&taken[i]);
            lost += n == 0;
            twice += n > 1;
        }
        rounds++;
        tasks += k;
    }
    atomic_store(&stop, true);
    pthread_join(th, NULL);
    deque_destroy(&d);
    printf("%lu rounds, %lu tasks: %lu lost, %lu run twice, %lu seen with stale data\n", rounds,
           tasks, lost, twice, atomic_load(&stale_payloads));
    return 0;
}
