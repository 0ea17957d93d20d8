/*
 * litmus.h: what the litmus programs (sb.c, mp.c) share: two threads that
 * start each iteration together, a random delay, and a time limit.
 *
 * A litmus test is a few loads and stores on two threads, run many times
 * to count what the loads can return.  The outcomes that teach something
 * need the two threads to run those few instructions within the same
 * hundred nanoseconds or so.  Left alone, one thread would be thousands of
 * iterations ahead of the other, so every iteration starts with a meeting,
 * and each thread then waits a random few nanoseconds, so that the two
 * sides meet at every offset from each other.
 *
 * The meeting needs both threads running at once, on two CPUs: two threads
 * taking turns on one CPU never show a store buffer's effects, because a
 * switch from one thread to another empties it.  So the two threads are
 * placed on two different CPUs, and a thread that waits long at the
 * meeting (its partner is not running: the machine is busy with other
 * work) gives its CPU away for a moment.  On a very busy machine that is
 * still slow, hence a time limit, after which the main thread tells both
 * threads to stop.
 */
#ifndef LITMUS_H
#define LITMUS_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cacheline.h"
#include "cli.h"
#include "clock.h"
#include "rng.h"

/* Where two threads meet before each iteration.  Zero it before use.  It
 * has a cache line of its own: both threads write it, and nothing else
 * they read every iteration should move with it. */
struct meeting {
    _Alignas(CACHELINE) atomic_ulong arrived;   /* arrivals, both threads together */
    atomic_bool stop;           /* set by the main thread at the time limit */
};

/*
 * Waits until both threads have arrived for iteration i (0, 1, 2, ...):
 * true then, false if told to stop first.  A thread that gets false may
 * have arrived alone: the other can still run that iteration by itself,
 * so only iterations that both threads finished count.
 *
 * relaxed, all three accesses here and the stores of stop in run_pair:
 * the meeting lines the threads up in time and publishes nothing.  Each
 * iteration's variables were zeroed before the threads started
 * (pthread_create orders that), their results are read after they end
 * (pthread_join orders that), and stop is only a signal.
 */
static inline bool meet(struct meeting *m, unsigned long i)
{
    atomic_fetch_add_explicit(&m->arrived, 1, memory_order_relaxed);
    for (unsigned spins = 1; atomic_load_explicit(&m->arrived, memory_order_relaxed) < 2 * (i + 1);
         spins++) {
        if (atomic_load_explicit(&m->stop, memory_order_relaxed))
            return false;
        if (spins % 1024 == 0)  /* a microsecond or so: the other is not running */
            sched_yield();
    }
    return true;
}

/* Spins for a random 0 to max-1 turns of an empty loop (a nanosecond or
 * less each). */
static inline void random_delay(struct rng *r, unsigned max)
{
    for (volatile unsigned k = rng_below(r, max); k > 0; k--)
        ;
}

/* Thread attributes for the which-th (0 or 1) CPU that this process may
 * run on; any CPU if it may run on only one. */
static inline void on_cpu(pthread_attr_t *attr, int which)
{
    cpu_set_t allowed, one;
    pthread_attr_init(attr);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
        return;
    CPU_ZERO(&one);
    for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &allowed) && seen++ == which) {
            CPU_SET(cpu, &one);
            break;
        }
    pthread_attr_setaffinity_np(attr, sizeof one, &one);
}

/*
 * Runs a(arg_a) and b(arg_b) on two new threads, on two CPUs, that meet at
 * m, and waits for both; past deadline (now_ns()'s clock) it tells them to
 * stop first.  Returns 0 or pthread_create's error.
 */
static inline int run_pair(void *(*a)(void *), void *arg_a, void *(*b)(void *), void *arg_b,
                           struct meeting *m, uint64_t deadline)
{
    pthread_t ta, tb;
    pthread_attr_t attr_a, attr_b;
    on_cpu(&attr_a, 0);
    on_cpu(&attr_b, 1);
    int err = pthread_create(&ta, &attr_a, a, arg_a);
    if (err == 0) {
        err = pthread_create(&tb, &attr_b, b, arg_b);
        if (err != 0) {
            /* relaxed (see meet): a is waiting at the first meeting, alone. */
            atomic_store_explicit(&m->stop, true, memory_order_relaxed);
            pthread_join(ta, NULL);
        }
    }
    pthread_attr_destroy(&attr_a);
    pthread_attr_destroy(&attr_b);
    if (err != 0)
        return err;
    /* pthread_timedjoin_np takes a wall-clock time: deadline moved there.
     * (It, sched_getaffinity and pthread_attr_setaffinity_np are GNU
     * extensions: the Makefile defines _GNU_SOURCE.) */
    uint64_t left = deadline > now_ns() ? deadline - now_ns() : 0;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    uint64_t at = (uint64_t)until.tv_sec * 1000000000u + (uint64_t)until.tv_nsec + left;
    until.tv_sec = (time_t)(at / 1000000000u);
    until.tv_nsec = (long)(at % 1000000000u);
    if (pthread_timedjoin_np(ta, NULL, &until) != 0) {
        /* relaxed (see meet): the time is up. */
        atomic_store_explicit(&m->stop, true, memory_order_relaxed);
        pthread_join(ta, NULL);
    }
    pthread_join(tb, NULL);
    return 0;
}

/* ThreadSanitizer makes every atomic access a call into its runtime, some
 * 10 to 50 times slower: the programs run fewer iterations under it. */
#if defined(__SANITIZE_THREAD__)
#define LITMUS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LITMUS_TSAN 1
#endif
#endif

/* The iteration count: argv[2] if there is one, else `dflt`.  When argv[2]
 * is not a positive number, says so and exits with prog's usage. */
static inline unsigned long litmus_iterations(const char *prog, void (*usage)(FILE *), int argc,
                                              char **argv, unsigned long dflt)
{
    if (argc < 3)
        return dflt;
    char *end;
    unsigned long n = strtoul(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || n == 0)
        cli_bad_usage(prog, usage, "ITERATIONS must be a positive number, not '%s'", argv[2]);
    return n;
}

#endif
