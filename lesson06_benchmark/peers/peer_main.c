/*
 * peer_main.c: the part of every peer program that is not the peer's
 * runtime: arguments, timing, counting, checking (protocol in peer.h).
 *
 * The task bodies are bench.c's: a trivial task adds one to its thread's
 * own counter (on a cache line of its own, so that counting costs no
 * contention), and an imbalanced task spins first.  Each counter has one
 * writer, and is read only after the run has ended (the runtime's barrier,
 * or join, orders the writes before the read), so plain integers do.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "peer.h"

#define MAX_THREADS 256

static struct {
    _Alignas(64) unsigned long n;
} counts[MAX_THREADS];

static uint64_t started_at;

void peer_trivial(int thread)
{
    counts[(unsigned)thread % MAX_THREADS].n++;
}

void peer_spin_us(unsigned us)
{
    spin_ns(us * 1000ull);
}

unsigned peer_imbalanced_us(unsigned long i)
{
    return i % 100 == 99 ? 100 : 1;
}

void peer_started(void)
{
    started_at = now_ns();
}

static unsigned long total(void)
{
    unsigned long sum = 0;
    for (int i = 0; i < MAX_THREADS; i++)
        sum += counts[i].n;
    return sum;
}

static unsigned long fib_serial(unsigned n)
{
    return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int usage(void)
{
    fprintf(stderr, "usage: peer flat|spawn_inside|tree|fib|imbalanced THREADS SIZE\n"
                    "       peer idle THREADS MS | peer wake THREADS COUNT\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return usage();
    const char *what = argv[1];
    unsigned long threads = strtoul(argv[2], NULL, 10), size = strtoul(argv[3], NULL, 10);
    if (threads == 0 || threads > MAX_THREADS || size == 0)
        return usage();
    if (peer_init((unsigned)threads) != 0) {
        fprintf(stderr, "peer: cannot start %lu threads\n", threads);
        return 1;
    }

    if (strcmp(what, "idle") == 0) {        /* size: milliseconds */
        peer_run(PEER_FLAT, 1000);
        sleep_ms(20);   /* as bench does: let the threads run out of things to look at */
        double c0 = cpu_ms();
        sleep_ms((unsigned)size);
        /* ms of CPU per second idle, in tenths (an integer, for bench) */
        printf("%.0f\n", (cpu_ms() - c0) / ((double)size / 1000) * 10);
        return 0;
    }
    if (strcmp(what, "wake") == 0) {
        uint64_t *lat = malloc(size * sizeof *lat);
        if (lat == NULL)
            return 1;
        peer_run(PEER_FLAT, 1000);
        for (unsigned long i = 0; i < size; i++) {
            sleep_ms(1);
            uint64_t t0 = now_ns();
            peer_note_start();
            lat[i] = started_at - t0;
        }
        qsort(lat, size, sizeof *lat, cmp_u64);
        printf("%llu %llu %llu\n", (unsigned long long)lat[size / 2],
               (unsigned long long)lat[size * 99 / 100], (unsigned long long)lat[size - 1]);
        free(lat);
        return 0;
    }

    static const char *const names[] = { "flat", "spawn_inside", "tree", "fib", "imbalanced" };
    int w = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(what, names[i]) == 0)
            w = i;
    if (w < 0)
        return usage();
    unsigned long want = size;
    if (w == PEER_TREE)
        want = (2ul << size) - 1;
    peer_run((enum peer_workload)w, size);          /* warm-up */
    memset(counts, 0, sizeof counts);
    uint64_t t0 = now_ns();
    peer_run((enum peer_workload)w, size);
    uint64_t t1 = now_ns();
    if (w == PEER_FIB ? peer_fib_result() != fib_serial((unsigned)size) : total() != want) {
        fprintf(stderr, "peer: %s ran %lu of %lu tasks\n", what, total(), want);
        return 1;
    }
    printf("%llu\n", (unsigned long long)(t1 - t0));
    return 0;
}
