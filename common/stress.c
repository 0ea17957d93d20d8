/*
 * stress.c: a randomised soak of every scheduler in sched_all.
 *
 *   make stress                      60 seconds, a seed from the clock
 *   make stress SECONDS=600 SEED=42  longer, and replayable
 *
 * Round after round, with a seed of its own: a scheduler and a pool size
 * (1 to 4 times the CPUs) at random; a few external threads spawning root
 * tasks at once; tasks that spawn children and, where the scheduler has
 * it, call join; tasks of random length; spawn/wait cycles; and a destroy
 * with work still queued.  Every task carries an id, and at the end of the
 * round each id given out must have run exactly once, and the stats must
 * agree.  A failure prints the round's seed and scheduler; `stress 1 SEED
 * NAME` replays that round alone.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "rng.h"
#include "scheduler.h"
#include "test_util.h"

enum { MAX_IDS = 20000, MAX_SPAWNERS = 4 };

struct round {
    const struct scheduler *s;
    void *pool;
    atomic_uint *ran;           /* ran[id]: times task id ran */
    atomic_uint next_id;        /* ids given out: [0, next_id) (capped at MAX_IDS) */
    uint64_t seed;
    atomic_int task_spawn_error;    /* a spawn from a task that was refused */
};

static struct round R;

/* A task's argument is its id, with its seed for the choices it makes. */
static void task(void *arg);

/* Gives out an id, or returns -1 when the round has used them all. */
static long new_id(void)
{
    unsigned id = atomic_fetch_add(&R.next_id, 1);
    return id < MAX_IDS ? (long)id : -1;
}

static void join_half(void *arg)
{
    task(arg);
}

static void task(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    run_once(&R.ran[id]);
    struct rng rng;
    rng_seed(&rng, R.seed ^ (id * 0x9e3779b97f4a7c15u));
    if (rng_below(&rng, 8) == 0)
        spin_ns(rng_below(&rng, 20000));        /* now and then, a long one */
    unsigned children = (unsigned)rng_below(&rng, 3);
    for (unsigned c = 0; c < children; c++) {
        long child = new_id();
        if (child < 0)
            return;
        int err = R.s->spawn(R.pool, task, (void *)(uintptr_t)child);
        if (err != 0) {             /* none is expected: a task may always spawn */
            atomic_store(&R.task_spawn_error, err);
            run_once(&R.ran[child]);        /* so that only this is reported */
        }
    }
    if (R.s->join != NULL && rng_below(&rng, 4) == 0) {
        long a = new_id(), b = new_id();
        if (a >= 0 && b >= 0)
            R.s->join(R.pool, join_half, (void *)(uintptr_t)a, join_half, (void *)(uintptr_t)b);
        else if (a >= 0)
            task((void *)(uintptr_t)a);
    }
}

struct spawner {
    pthread_t thread;
    unsigned roots;
    uint64_t seed;
    int error;
};

static void *spawner_main(void *arg)
{
    struct spawner *sp = arg;
    struct rng rng;
    rng_seed(&rng, sp->seed);
    for (unsigned i = 0; i < sp->roots; i++) {
        /* Now and then a pause, long enough for the pool to go idle and
         * its workers to sleep: the next spawn must wake one. */
        if (rng_below(&rng, 32) == 0) {
            struct timespec pause = { 0, (long)rng_below(&rng, 200000) };
            nanosleep(&pause, NULL);
        }
        long id = new_id();
        if (id < 0)
            break;
        int err = R.s->spawn(R.pool, task, (void *)(uintptr_t)id);
        if (err != 0) {
            sp->error = err;
            run_once(&R.ran[id]);
        }
    }
    return NULL;
}

/* A round that takes more than ROUND_LIMIT seconds is stuck (a lost
 * wake-up, a deadlock): say which one, and end the process. */
enum { ROUND_LIMIT = 60 };
static char stuck_message[200];

static void on_alarm(int sig)
{
    (void)sig;
    ssize_t w = write(STDOUT_FILENO, stuck_message, strlen(stuck_message));
    (void)w;
    _exit(1);
}

/* One round.  Returns 0, or prints what went wrong and returns 1. */
static int one_round(const struct scheduler *s, uint64_t seed, unsigned ncpu)
{
    struct rng rng;
    rng_seed(&rng, seed);
    R.s = s;
    R.seed = seed;
    atomic_store(&R.next_id, 0);
    atomic_store(&R.task_spawn_error, 0);
    R.ran = calloc(MAX_IDS, sizeof *R.ran);
    if (R.ran == NULL) {
        perror("stress");
        exit(1);
    }
    unsigned nworkers = 1 + (unsigned)rng_below(&rng, 4 * ncpu);
    snprintf(stuck_message, sizeof stuck_message,
             "FAIL seed %llu %s (%u workers): the round did not end within %d s\n"
             "  replay: build/stress 1 %llu %s\n", (unsigned long long)seed, s->name, nworkers,
             ROUND_LIMIT, (unsigned long long)seed, s->name);
    alarm(ROUND_LIMIT);
    R.pool = s->create(nworkers);
    if (R.pool == NULL) {
        printf("FAIL seed %llu %s: create(%u): %s\n", (unsigned long long)seed, s->name,
               nworkers, strerror(errno));
        return 1;
    }
    unsigned cycles = 1 + (unsigned)rng_below(&rng, 3);
    bool destroy_busy = rng_below(&rng, 4) == 0;  /* last cycle: no wait before destroy */
    int errors = 0;
    for (unsigned c = 0; c < cycles; c++) {
        unsigned nsp = 1 + (unsigned)rng_below(&rng, MAX_SPAWNERS);
        struct spawner sp[MAX_SPAWNERS];
        bool started[MAX_SPAWNERS];
        for (unsigned i = 0; i < nsp; i++) {
            sp[i] = (struct spawner){ .roots = 1 + (unsigned)rng_below(&rng, 500),
                                      .seed = rng_next(&rng) };
            started[i] = pthread_create(&sp[i].thread, NULL, spawner_main, &sp[i]) == 0;
            if (!started[i])
                spawner_main(&sp[i]);           /* no thread to be had: spawn from here */
        }
        for (unsigned i = 0; i < nsp; i++) {
            if (started[i])
                pthread_join(sp[i].thread, NULL);
            if (sp[i].error != 0) {
                printf("FAIL seed %llu %s (%u workers): spawn returned %s\n",
                       (unsigned long long)seed, s->name, nworkers, strerror(sp[i].error));
                errors++;
            }
        }
        if (c + 1 < cycles || !destroy_busy) {
            s->wait(R.pool);
            struct sched_stats st;
            s->stats(R.pool, &st);
            if (st.spawned != st.executed) {
                printf("FAIL seed %llu %s (%u workers): after wait, spawned %llu, executed %llu\n",
                       (unsigned long long)seed, s->name, nworkers,
                       (unsigned long long)st.spawned, (unsigned long long)st.executed);
                errors++;
            }
        }
    }
    s->destroy(R.pool);         /* runs whatever is still queued */
    if (atomic_load(&R.task_spawn_error) != 0) {
        printf("FAIL seed %llu %s (%u workers): a spawn from a task returned %s\n",
               (unsigned long long)seed, s->name, nworkers,
               strerror(atomic_load(&R.task_spawn_error)));
        errors++;
    }
    unsigned given = atomic_load(&R.next_id);
    if (given > MAX_IDS)
        given = MAX_IDS;
    for (unsigned id = 0; id < MAX_IDS; id++) {
        unsigned want = id < given ? 1 : 0, got = atomic_load(&R.ran[id]);
        if (got != want) {
            printf("FAIL seed %llu %s (%u workers): task %u ran %u times, want %u\n",
                   (unsigned long long)seed, s->name, nworkers, id, got, want);
            errors++;
            break;
        }
    }
    alarm(0);
    if (errors > 0)
        printf("  replay: build/stress 1 %llu %s\n", (unsigned long long)seed, s->name);
    free(R.ran);
    return errors > 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: stress [SECONDS [SEED [SCHEDULER]]]\n"
               "       stress -h|--help\n"
               "  SECONDS: how long, more than 0 and at most 86400 (default 60)\n"
               "  SEED: a whole number, to replay a run (default: from the clock)\n"
               "  SCHEDULER: one of sched_all's names, to replay a round\n"
               "  (make stress SECONDS=600 SEED=42 passes the first two; an empty\n"
               "  SECONDS or SEED is the default)\n");
}

/* A bad command line: one line saying what is wrong, the usage, exit 2. */
#define bad_usage(...) cli_bad_usage("stress", usage, __VA_ARGS__)

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opterr = 0;                 /* we say what is wrong ourselves */
    for (int c; (c = getopt_long(argc, argv, "h", long_options, NULL)) != -1;) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (optopt >= '0' && optopt <= '9')
            bad_usage("SECONDS and SEED are never negative: an argument starts '-%c'", optopt);
        if (optopt != 0)
            bad_usage("unknown option '-%c'", optopt);
        bad_usage("unknown option '%s'", argv[optind - 1]);
    }
    char **arg = argv + optind;     /* the positional arguments */
    int nargs = argc - optind;
    double seconds = 60;
    uint64_t seed = now_ns();
    const char *only = nargs > 2 ? arg[2] : NULL;
    char *rest = NULL;
    if (nargs > 3)
        bad_usage("too many arguments: '%s' after the scheduler", arg[3]);
    if (nargs > 0 && arg[0][0] != '\0') {     /* make passes SECONDS= as "" */
        seconds = strtod(arg[0], &rest);
        if (*rest != '\0' || !(seconds > 0 && seconds <= 86400))
            bad_usage("SECONDS wants a number of seconds, more than 0 and at most 86400, "
                      "not '%s'", arg[0]);
    }
    if (nargs > 1 && arg[1][0] != '\0') {
        errno = 0;
        seed = strtoull(arg[1], &rest, 10);
        if (*rest != '\0' || errno != 0 || arg[1][0] == '-')
            bad_usage("SEED wants a whole number from 0 to %llu, not '%s'", ULLONG_MAX, arg[1]);
    }
    if (only != NULL && sched_find(only) == NULL) {
        char names[512] = "";
        for (const struct scheduler *const *s = sched_all; *s != NULL; s++)
            snprintf(names + strlen(names), sizeof names - strlen(names), " %s", (*s)->name);
        bad_usage("SCHEDULER wants one of%s, not '%s'", names, only);
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned ncpu = cpus > 0 ? (unsigned)cpus : 1;
    unsigned nsched = 0;
    while (sched_all[nsched] != NULL)
        nsched++;
    signal(SIGALRM, on_alarm);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("stress: %.0f s, seed %llu\n", seconds, (unsigned long long)seed);
    struct rng rng;
    rng_seed(&rng, seed);
    uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
    unsigned long rounds = 0, failures = 0, tasks = 0;
    unsigned long per_sched[64] = { 0 };
    do {
        uint64_t round_seed = only != NULL && rounds == 0 ? seed : rng_next(&rng);
        unsigned k = (unsigned)rng_below(&rng, nsched);
        const struct scheduler *s = only != NULL ? sched_find(only) : sched_all[k];
        failures += one_round(s, round_seed, ncpu);
        tasks += atomic_load(&R.next_id) < MAX_IDS ? atomic_load(&R.next_id) : MAX_IDS;
        per_sched[only != NULL ? 0 : k]++;
        rounds++;
        if (only != NULL && nargs > 1)
            break;                              /* a replay: that one round */
    } while (now_ns() < end);
    printf("stress: %lu rounds (pools created and destroyed), %lu tasks, %lu failed\n", rounds,
           tasks, failures);
    for (unsigned k = 0; only == NULL && k < nsched; k++)
        printf("  %-24s %lu rounds\n", sched_all[k]->name, per_sched[k]);
    return failures > 0;
}
