/*
 * wakeup.c: the idle CPU and wake-up latency tests (see bench.c's METHOD):
 * what a pool costs while it has nothing to do, and how long it takes to
 * start a task that arrives when it is quiet.  They are a different kind
 * of test from the timed workloads, on a pool left alone rather than kept
 * busy, so they live apart from bench.c's rounds; report.c prints what
 * they fill in (print_wakeups, print_idle).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "options.h"


/* CPU milliseconds the process burns per second while a pool sits idle,
 * from IDLE_AFTER_MS after a workload on, over opt->idle_seconds. */
static double idle_cpu(const struct scheduler *s, const struct options *opt)
{
    struct workload wl = { FLAT, "flat", "", 1000 };
    cur_sched = s;
    cur_pool = s->create(opt->threads);
    if (cur_pool == NULL)
        return -1;
    run_workload(&wl, POOL);
    sleep_ms(IDLE_AFTER_MS);    /* let the workers run out of things to look at */
    uint64_t c0 = cpu_ns(), t0 = now_ns();
    sleep_ms((unsigned)(opt->idle_seconds * 1000));
    uint64_t c1 = cpu_ns(), t1 = now_ns();
    s->destroy(cur_pool);
    return (double)(c1 - c0) / 1e6 / ((double)(t1 - t0) / 1e9);
}

enum { WAKE_WARMUP = 10 };      /* untimed wake-ups before the timed ones */

static pthread_t submitter;     /* the thread that spawns the timed tasks */
static _Atomic uint64_t task_started;
static atomic_bool started_on_caller;

/* The timed task: notes when it started, and whether on the submitting
 * thread.  relaxed (both stores): wait() orders them before the main
 * thread's loads.  submitter was written before the pool was created. */
static void note_start(void *arg)
{
    (void)arg;
    atomic_store_explicit(&task_started, now_ns(), memory_order_relaxed);
    atomic_store_explicit(&started_on_caller, pthread_equal(pthread_self(), submitter) != 0,
                          memory_order_relaxed);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Fills e's wake-up figures from the sorted latencies lat[0..n-1]. */
static void note_latencies(struct entry *e, const uint64_t *lat, unsigned n)
{
    unsigned at[3] = { n / 2, n * 99 / 100, n - 1 };
    for (int k = 0; k < 3; k++)
        e->wake_us[k] = (double)lat[at[k]] / 1e3;
}

/* The wake-up test on a fresh pool of opt->threads workers: WAKE_WARMUP
 * untimed rounds, then opt->wakeups timed ones.  A round leaves the pool
 * quiet for WAKE_GAP_MS, spawns one task from the main thread (not a
 * worker) and waits for it.  Fills e's latency (spawn() to the task's first
 * instruction), CPU per wake-up (the process's CPU over all timed rounds,
 * gaps included), idle CPU during the gaps, and how many tasks ran on the
 * main thread.  lat: room for opt->wakeups.  Returns 0, or the errno value
 * of create() or spawn() when the pool cannot be created or refuses. */
static int wake_test(struct entry *e, uint64_t *lat, const struct options *opt)
{
    const struct scheduler *s = e->sched;
    struct workload wl = { FLAT, "flat", "", 1000 };
    submitter = pthread_self();
    cur_sched = s;
    cur_pool = s->create(opt->threads);
    if (cur_pool == NULL)
        return errno;
    run_workload(&wl, POOL);
    uint64_t cpu0 = 0, gap_cpu = 0, gap_wall = 0;
    unsigned on_caller = 0;
    for (unsigned i = 0; i < WAKE_WARMUP + opt->wakeups; i++) {
        if (i == WAKE_WARMUP)
            cpu0 = cpu_ns();
        uint64_t g0 = now_ns(), c0 = cpu_ns();
        sleep_ms(WAKE_GAP_MS);
        uint64_t c1 = cpu_ns(), g1 = now_ns();
        uint64_t t0 = g1;
        int err = s->spawn(cur_pool, note_start, NULL);
        if (err != 0) {
            s->destroy(cur_pool);
            return err;
        }
        s->wait(cur_pool);
        if (i < WAKE_WARMUP)
            continue;
        gap_cpu += c1 - c0;
        gap_wall += g1 - g0;
        /* relaxed: wait() orders note_start's stores before these loads. */
        lat[i - WAKE_WARMUP] = atomic_load_explicit(&task_started, memory_order_relaxed) - t0;
        on_caller += atomic_load_explicit(&started_on_caller, memory_order_relaxed);
    }
    uint64_t cpu = cpu_ns() - cpu0;
    s->destroy(cur_pool);
    qsort(lat, opt->wakeups, sizeof *lat, cmp_u64);
    note_latencies(e, lat, opt->wakeups);
    e->wake_cpu_us = (double)cpu / 1e3 / opt->wakeups;
    e->idle_gap_ms = (double)gap_cpu / 1e6 / ((double)gap_wall / 1e9);
    e->wake_on_caller = on_caller;
    return 0;
}

void measure_idle_and_wakeups(struct bench *b, const struct options *opt)
{
    bool progress = isatty(STDERR_FILENO);
    uint64_t *lat = malloc((opt->wakeups ? opt->wakeups : 1) * sizeof *lat);
    if (lat == NULL) {
        perror("bench");
        exit(1);
    }
    for (unsigned i = 0; i < b->nentries; i++) {
        struct entry *e = &b->entries[i];
        if ((e->kind != POOL && e->kind != PEER) || !takes_part(e, FLAT, false, opt->sched))
            continue;
        if (progress)
            fprintf(stderr, "\r  idle and wake-up: %-28s", e->name);
        char args[64];
        if (opt->idle_seconds > 0 && e->kind == POOL) {
            e->idle_ms = idle_cpu(e->sched, opt);
        } else if (opt->idle_seconds > 0) {
            unsigned long long tenths;  /* the peer prints ms with one decimal: read x10 */
            snprintf(args, sizeof args, "idle %u %u", opt->threads,
                     (unsigned)(opt->idle_seconds * 1000));
            run_peer(e->peer, args, &tenths, 1);
            e->idle_ms = (double)tenths / 10;
        }
        if (opt->wakeups > 0 && e->kind == POOL) {
            int err = wake_test(e, lat, opt);
            if (err != 0)
                fprintf(stderr, "bench: %s: the wake-up test failed: %s\n", e->name,
                        strerror(err));
        } else if (opt->wakeups > 0) {
            /* median, p99, max (ns), CPU ns per wake-up, CPU us per second
             * of the gaps, tasks that ran on the submitting thread */
            unsigned long long res[6];
            snprintf(args, sizeof args, "wake %u %u", opt->threads, opt->wakeups);
            run_peer(e->peer, args, res, 6);
            e->wake_us[0] = (double)res[0] / 1e3;
            e->wake_us[1] = (double)res[1] / 1e3;
            e->wake_us[2] = (double)res[2] / 1e3;
            e->wake_cpu_us = (double)res[3] / 1e3;
            e->idle_gap_ms = (double)res[4] / 1e3;
            e->wake_on_caller = (unsigned)res[5];
        }
    }
    if (progress)
        fprintf(stderr, "\r%78s\r", "");
    free(lat);
}
