/*
 * clock.h: one monotonic clock in nanoseconds, for tests and the benchmark.
 *
 * CLOCK_MONOTONIC never jumps when the wall clock is set, which is what an
 * interval measurement needs.  Reading it costs about 20 ns through the vDSO,
 * so the benchmark reads it once per run, never once per task.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The CPU time of the whole process, every thread, in ns.  A thread
 * running on another core has its time brought up to date at the
 * scheduler's tick, so one reading may lag by a tick; summed over many
 * readings the lag averages out. */
static inline uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Busy-waits for ns nanoseconds: a task of a known length, for tests and
 * the benchmark's imbalanced workload. */
static inline void spin_ns(uint64_t ns)
{
    uint64_t end = now_ns() + ns;
    while (now_ns() < end)
        ;
}

/* Sleeps for ms milliseconds (tests use it to let other threads get ahead). */
static inline void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

#endif
