/*
 * peer_main.c: the part of every peer program that is not the peer's
 * runtime: arguments, timing, counting, checking (protocol in peer.h).
 *
 * The task bodies are bench.c's: a trivial task adds one to its thread's
 * own counter (on a cache line of its own, so that counting costs no
 * contention), and an imbalanced task spins first.  Each counter has one
 * writer, and is read only after the run has ended (the runtime's barrier,
 * or join, orders the writes before the read), so plain integers do.
 *
 * The wake-up test's bookkeeping is bench.c's wake_test, step for step, so
 * that a peer's row and a lesson's measure the same thing.
 *
 * The real programs (nqueens, sort, reduce): the input, the warm-up, the
 * timing and the checks are here, with the code of ../programs.c, which
 * every runtime shares; each peer writes only its parallel part.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "peer.h"

#include "../programs.h"

#define MAX_THREADS 256

static struct {
    _Alignas(64) unsigned long n;
} counts[MAX_THREADS];

/* The wake-up test, as bench.c's: WAKE_WARMUP untimed rounds, then the
 * timed ones, each after a quiet gap of WAKE_GAP_MS. */
enum { WAKE_WARMUP = 10, WAKE_GAP_MS = 1 };
static struct {
    unsigned long round;        /* rounds begun, warm-up included */
    uint64_t *lat;              /* the timed rounds' latencies */
    uint64_t cpu0;              /* the process's CPU time when the timed rounds began */
    uint64_t gap_cpu, gap_wall; /* CPU and wall time in the timed rounds' gaps */
    uint64_t t0;                /* this round's submit time */
    unsigned long on_caller;    /* timed tasks run by the submitting thread */
    /* written by the submitter before it submits the task, which reads it */
    pthread_t submitter;
    /* written by the task, read by the submitter after sem_wait(done): the
     * semaphore orders them */
    uint64_t started_at;
    int started_on_caller;
    sem_t done;                 /* posted by the task once it has noted its start */
} wake;

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

/* On the submitting thread, before each submit: the quiet gap, and the
 * submit time. */
void peer_wake_gap(void)
{
    if (wake.round == WAKE_WARMUP)
        wake.cpu0 = cpu_ns();
    wake.submitter = pthread_self();
    uint64_t g0 = now_ns(), c0 = cpu_ns();
    sleep_ms(WAKE_GAP_MS);
    uint64_t c1 = cpu_ns(), g1 = now_ns();
    if (wake.round >= WAKE_WARMUP) {
        wake.gap_cpu += c1 - c0;
        wake.gap_wall += g1 - g0;
    }
    wake.t0 = now_ns();
}

/* The task: when it started, and on which thread. */
void peer_wake_task(void)
{
    wake.started_at = now_ns();
    wake.started_on_caller = pthread_equal(pthread_self(), wake.submitter) != 0;
    sem_post(&wake.done);
}

/* On the submitting thread: blocks in the kernel until the task has run.
 * A semaphore is no task scheduling point of any runtime, so the
 * submitter cannot pick up the task while it waits.  A task that has not
 * run within 10 s never will (the runtime has no thread left to run it):
 * exits, since bench would otherwise wait for ever. */
void peer_wake_wait(void)
{
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += 10;
    while (sem_timedwait(&wake.done, &limit) != 0) {
        if (errno == EINTR)
            continue;
        fprintf(stderr, "peer: the wake-up task did not run within 10 s\n");
        exit(1);
    }
    if (wake.round >= WAKE_WARMUP) {
        wake.lat[wake.round - WAKE_WARMUP] = wake.started_at - wake.t0;
        wake.on_caller += (unsigned long)wake.started_on_caller;
    }
    wake.round++;
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

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int usage(void)
{
    fprintf(stderr, "usage: peer flat|spawn_inside|tree|fib|imbalanced THREADS SIZE\n"
                    "       peer idle THREADS MS | peer wake THREADS COUNT\n"
                    "       peer nqueens THREADS N CUTOFF | peer sort|reduce THREADS COUNT GRAIN\n");
    return 2;
}

/* One run of a real program, then its check against `want` (nqueens'
 * count, sort's input fingerprint, reduce's sum): 0, or 1 with why on
 * stderr. */
static int program_run(const char *what, unsigned threads, unsigned long size,
                       unsigned long grain, const uint32_t *keys, uint32_t *a, uint32_t *tmp,
                       uint64_t want, uint64_t *ns)
{
    char why[256] = "";
    uint64_t got = want;
    bool sort = strcmp(what, "sort") == 0;
    uint64_t t0 = now_ns();     /* the run alone is timed, as bench times a lesson's */
    if (strcmp(what, "nqueens") == 0)
        got = peer_nqueens((unsigned)size, (unsigned)grain);
    else if (sort)
        peer_sort(a, tmp, size, grain);
    else
        got = peer_reduce(keys, size, grain, threads);
    *ns = now_ns() - t0;
    if (sort)
        prog_sort_check(a, size, want, why, sizeof why);
    if (got != want)
        snprintf(why, sizeof why, "%s %lu: %llu, not %llu", what, size,
                 (unsigned long long)got, (unsigned long long)want);
    if (why[0] != '\0') {
        fprintf(stderr, "peer: %s\n", why);
        return 1;
    }
    return 0;
}

/* peer nqueens|sort|reduce THREADS SIZE GRAIN: the input and the answer,
 * untimed; one warm-up run and one timed run, both checked; the timed
 * run's ns printed. */
static int program(const char *what, unsigned threads, unsigned long size, unsigned long grain)
{
    bool nq = strcmp(what, "nqueens") == 0, sort = strcmp(what, "sort") == 0;
    if (nq ? size > PROG_NQ_MAX : sort && grain == 0)
        return usage();
    uint32_t *keys = NULL, *a = NULL, *tmp = NULL;
    uint64_t want = prog_nq_expected((unsigned)size);
    if (!nq) {
        keys = malloc(size * sizeof *keys);
        a = malloc(size * sizeof *a);
        tmp = calloc(size, sizeof *tmp);
        if (keys == NULL || a == NULL || tmp == NULL) {
            fprintf(stderr, "peer: no memory for %lu keys\n", (unsigned long)size);
            free(keys);
            free(a);
            free(tmp);
            return 1;
        }
        prog_keys(keys, size, sort ? PROG_SORT_SEED : PROG_REDUCE_SEED);
        want = sort ? prog_fingerprint(keys, size) : prog_reduce_expected(keys, size);
    }
    int rc = 0;
    uint64_t ns = 0;
    for (int run = 0; run < 2 && rc == 0; run++) {     /* a warm-up, then the timed run */
        if (a != NULL)
            memcpy(a, keys, size * sizeof *a);
        rc = program_run(what, threads, size, grain, keys, a, tmp, want, &ns);
    }
    if (rc == 0)
        printf("%llu\n", (unsigned long long)ns);
    free(keys);
    free(a);
    free(tmp);
    return rc;
}

int main(int argc, char **argv)
{
    bool real = argc == 5 && (strcmp(argv[1], "nqueens") == 0 || strcmp(argv[1], "sort") == 0 ||
                              strcmp(argv[1], "reduce") == 0);
    if (argc != 4 && !real)
        return usage();
    const char *what = argv[1];
    unsigned long threads = strtoul(argv[2], NULL, 10), size = strtoul(argv[3], NULL, 10);
    if (threads == 0 || threads > MAX_THREADS || size == 0)
        return usage();
    if (peer_init((unsigned)threads, strcmp(what, "wake") == 0) != 0) {
        fprintf(stderr, "peer: cannot start %lu threads\n", threads);
        return 1;
    }
    if (real) {
        char *end;
        unsigned long grain = strtoul(argv[4], &end, 10);
        if (*argv[4] == '\0' || *end != '\0')
            return usage();
        return program(what, (unsigned)threads, size, grain);
    }

    if (strcmp(what, "idle") == 0) {        /* size: milliseconds */
        peer_run(PEER_FLAT, 1000);
        sleep_ms(20);   /* as bench does: let the threads run out of things to look at */
        uint64_t c0 = cpu_ns(), t0 = now_ns();
        sleep_ms((unsigned)size);
        uint64_t c1 = cpu_ns(), t1 = now_ns();
        /* ms of CPU per second idle, in tenths (an integer, for bench) */
        printf("%.0f\n", (double)(c1 - c0) / 1e6 / ((double)(t1 - t0) / 1e9) * 10);
        return 0;
    }
    if (strcmp(what, "wake") == 0) {
        uint64_t *lat = malloc(size * sizeof *lat);
        if (lat == NULL || sem_init(&wake.done, 0, 0) != 0)
            return 1;
        wake.lat = lat;
        peer_run(PEER_FLAT, 1000);
        peer_wake(WAKE_WARMUP + size);
        uint64_t cpu = cpu_ns() - wake.cpu0;
        if (wake.round != WAKE_WARMUP + size) {
            fprintf(stderr, "peer: the wake-up test ran %lu rounds of %lu\n", wake.round,
                    WAKE_WARMUP + size);
            return 1;
        }
        qsort(lat, size, sizeof *lat, cmp_u64);
        printf("%llu %llu %llu %llu %llu %lu\n", (unsigned long long)lat[size / 2],
               (unsigned long long)lat[size * 99 / 100], (unsigned long long)lat[size - 1],
               (unsigned long long)(cpu / size),
               (unsigned long long)((double)wake.gap_cpu / 1e3 / ((double)wake.gap_wall / 1e9)),
               wake.on_caller);
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
