/*
 * pin.h: for the exercise tests that race threads against each other.
 *
 * pin_to(i) pins the calling thread to the i-th CPU it may run on (i modulo
 * their number), so that two racing threads run on different CPUs even on a
 * busy machine, where the kernel might otherwise keep them on one CPU,
 * taking turns, and the race would never happen.  Returns false when it
 * could not (one CPU only, or the calls failed); the test then runs
 * unpinned.  Linux (and glibc) only, as the rest of this repository.
 */
#ifndef LESSON04_PIN_H
#define LESSON04_PIN_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

static inline bool pin_to(unsigned i)
{
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return false;
    unsigned n = (unsigned)CPU_COUNT(&allowed);
    if (n < 2)
        return false;
    i %= n;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &allowed) && i-- == 0) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
        }
    return false;
}

#endif
