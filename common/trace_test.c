/*
 * trace_test.c: one lesson's traces are complete and consistent.
 *
 * Built once per lesson, with -DTRACE and TRACE_LESSON naming the lesson
 * (the Makefile: build-trace/tests/lessonNN_name/trace), and run by
 * `make test`.  A workload with a known number of tasks, some spawned from
 * outside the pool and most from inside, must leave a trace in which:
 *
 *   - N tasks have exactly N starts and N ends, each task one of each, its
 *     end on the same worker after its start; and N spawns;
 *   - every steal, and every attempt, names an existing victim that is not
 *     the thief, and a steal takes at least one task;
 *   - each thread's events are in time order (nondecreasing);
 *   - park and unpark alternate on each worker;
 *   - with a buffer large enough nothing is dropped, and with a tiny one
 *     events are dropped and counted, and the run neither blocks nor
 *     writes past the buffer (AddressSanitizer, under `make asan`, would
 *     see that);
 *   - the CSV has one line per event.
 *
 * The buffers are read only after destroy() (rule 2 in trace.h), so under
 * `make tsan` these tests also check that rule's reasoning.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "scheduler.h"
#include "test_util.h"
#include "trace.h"

#ifndef TRACE_LESSON
#error "build with -DTRACE_LESSON='\"lessonNN_name\"' (the Makefile does)"
#endif

enum {
    ROOTS = 2,                          /* spawned by the test's thread */
    CHILDREN = 500,                     /* spawned by each root, inside the pool */
    NTASKS = ROOTS + ROOTS * CHILDREN,
    BIG = 1 << 16,                      /* events per buffer: never full here */
};

static const struct scheduler *S;
static void *the_pool;
static bool steals;                     /* the lesson has stealing (not lesson 1) */
/* A root saw stats() count a steal.  relaxed: read after destroy(). */
static atomic_bool stats_saw_steal;

/* Task ids: roots 0 .. ROOTS-1; root r's children ROOTS + r * CHILDREN + i. */
static void child(void *arg)
{
    (void)arg;
    spin_ns(1000);
}

/*
 * Spawns its children, then, where there is stealing and someone to steal,
 * holds its worker until another has stolen (up to 5 s): while it holds,
 * its children wait in its deque, so the trace is sure to have a steal.
 */
static void root(void *arg)
{
    uintptr_t r = (uintptr_t)arg;
    for (uintptr_t i = 0; i < CHILDREN; i++)
        S->spawn(the_pool, child, (void *)(ROOTS + r * CHILDREN + i));
    if (!steals)
        return;
    uint64_t deadline = now_ns() + 5000000000u;
    struct sched_stats st;
    /* Yield while waiting: on 2 CPUs, or under valgrind, which runs one
     * thread at a time, the thief may need ours. */
    for (S->stats(the_pool, &st); st.steal_batches == 0 && now_ns() < deadline;
         S->stats(the_pool, &st))
        sched_yield();
    if (st.steal_batches > 0)   /* relaxed: see stats_saw_steal */
        atomic_store_explicit(&stats_saw_steal, true, memory_order_relaxed);
}

/* The workload, traced, with buffers of `capacity` events. */
static void run_traced(unsigned nworkers, size_t capacity)
{
    ck_assert_int_eq(trace_begin(nworkers, capacity), 0);
    steals = strcmp(S->name, "lesson01_shared_queue") != 0 && nworkers > 1;
    /* relaxed: no worker runs yet; pthread_create orders it before them. */
    atomic_store_explicit(&stats_saw_steal, false, memory_order_relaxed);
    the_pool = S->create(nworkers);
    ck_assert_ptr_nonnull(the_pool);
    for (uintptr_t r = 0; r < ROOTS; r++)
        ck_assert_int_eq(S->spawn(the_pool, root, (void *)r), 0);
    ck_assert_int_eq(S->wait(the_pool), 0);
    S->destroy(the_pool);       /* joins the workers: the buffers may be read now */
}

/* Each thread's events in time order. */
static void check_time_order(void)
{
    for (int w = -1; w < (int)trace_nworkers(); w++) {
        const struct trace_buf *b = trace_buffer(w);
        for (size_t i = 1; i < b->len; i++)
            ck_assert_msg(b->events[i - 1].ns <= b->events[i].ns,
                          "buffer %d: event %zu (%s) at %llu ns comes before event %zu at %llu ns",
                          w, i, trace_type_name(b->events[i].type),
                          (unsigned long long)b->events[i].ns, i - 1,
                          (unsigned long long)b->events[i - 1].ns);
    }
}

/* What a complete trace of the workload must show (nothing dropped). */
static void check_complete(unsigned nworkers)
{
    static unsigned started[NTASKS], ended[NTASKS], spawned[NTASKS];
    memset(started, 0, sizeof started);
    memset(ended, 0, sizeof ended);
    memset(spawned, 0, sizeof spawned);
    unsigned nsteals = 0;

    ck_assert_uint_eq(trace_nworkers(), nworkers);
    for (int w = -1; w < (int)nworkers; w++) {
        const struct trace_buf *b = trace_buffer(w);
        ck_assert_msg(b->drops == 0, "buffer %d dropped %llu events", w,
                      (unsigned long long)b->drops);
        bool busy = false;          /* a task started and not ended (no join: never nested) */
        uint64_t running = 0;
        bool parked = false;
        for (size_t i = 0; i < b->len; i++) {
            const struct trace_event *e = &b->events[i];
            switch (e->type) {
            case TRACE_START:
            case TRACE_END:
            case TRACE_SPAWN:
                ck_assert_msg(e->task < NTASKS, "buffer %d: task %llu out of range", w,
                              (unsigned long long)e->task);
                ck_assert_msg(w >= 0 || e->type == TRACE_SPAWN, "main ran a task");
                break;
            case TRACE_STEAL_TRY:
            case TRACE_STEAL:
                ck_assert_msg(w >= 0, "main stole");
                ck_assert_msg(e->victim >= 0 && e->victim < (int)nworkers && e->victim != w,
                              "worker %d stole from %d, of %u workers", w, e->victim, nworkers);
                ck_assert_msg(e->type == TRACE_STEAL_TRY || e->count >= 1,
                              "worker %d stole %u tasks", w, e->count);
                nsteals += e->type == TRACE_STEAL;
                break;
            case TRACE_PARK:
            case TRACE_UNPARK:
                ck_assert_msg(w >= 0, "main parked");
                ck_assert_msg(parked == (e->type == TRACE_UNPARK),
                              "worker %d: %s twice in a row (event %zu)", w,
                              trace_type_name(e->type), i);
                parked = !parked;
                break;
            default:
                ck_abort_msg("buffer %d: event of type %u", w, e->type);
            }
            if (e->type == TRACE_START) {
                started[e->task]++;
                ck_assert_msg(!busy, "worker %d: task %llu starts while task %llu runs", w,
                              (unsigned long long)e->task, (unsigned long long)running);
                busy = true;
                running = e->task;
            } else if (e->type == TRACE_END) {
                ended[e->task]++;
                ck_assert_msg(busy && running == e->task,
                              "worker %d: task %llu ends, but it is not the task running", w,
                              (unsigned long long)e->task);
                busy = false;
            } else if (e->type == TRACE_SPAWN) {
                spawned[e->task]++;
            }
        }
        ck_assert_msg(!busy, "worker %d: task %llu started and never ended", w,
                      (unsigned long long)running);
        ck_assert_msg(!parked, "worker %d: parked and never woke", w);
    }
    unsigned starts = 0, ends = 0, spawns = 0;
    for (unsigned t = 0; t < NTASKS; t++) {
        ck_assert_msg(started[t] == 1 && ended[t] == 1 && spawned[t] == 1,
                      "task %u: %u starts, %u ends, %u spawns (want 1 each)", t, started[t],
                      ended[t], spawned[t]);
        starts += started[t];
        ends += ended[t];
        spawns += spawned[t];
    }
    ck_assert_uint_eq(starts, NTASKS);
    ck_assert_uint_eq(ends, NTASKS);
    ck_assert_uint_eq(spawns, NTASKS);
    /* The roots came from the test's thread. */
    ck_assert_uint_eq(trace_buffer(-1)->len, ROOTS);
    if (steals) {
        /* relaxed: see stats_saw_steal. */
        ck_assert_msg(atomic_load_explicit(&stats_saw_steal, memory_order_relaxed),
                      "no worker stole within 5 s (the roots waited for one)");
        ck_assert_msg(nsteals > 0, "no steal in the trace, and the stats saw one");
    } else
        ck_assert_msg(nsteals == 0, "%u steals in a trace that can have none", nsteals);
    check_time_order();
}

START_TEST(complete_trace)
{
    run_traced(4, BIG);
    check_complete(4);
    trace_end();
}
END_TEST

START_TEST(complete_trace_one_worker)
{
    run_traced(1, BIG);
    check_complete(1);
    trace_end();
}
END_TEST

/* A buffer of 8 events fills at once: the rest is dropped and counted, and
 * the run goes on as if nothing happened. */
START_TEST(tiny_buffer_drops_and_counts)
{
    run_traced(4, 8);
    uint64_t drops = 0;
    for (int w = -1; w < 4; w++) {
        const struct trace_buf *b = trace_buffer(w);
        ck_assert_uint_le(b->len, 8);
        ck_assert_msg(b->drops == 0 || b->len == 8, "buffer %d dropped with room left", w);
        drops += b->drops;
    }
    /* Each task alone makes 3 events (spawn, start, end). */
    ck_assert_msg(drops >= 3 * NTASKS - 5 * 8, "only %llu events dropped",
                  (unsigned long long)drops);
    ck_assert_uint_eq(trace_buffer(-1)->len, ROOTS);
    check_time_order();
    trace_end();
}
END_TEST

/* A pool whose worker started before the trace began: the worker found no
 * trace when it attached, so only the test thread's spawns are recorded.
 * (One worker, which has run a task: so it has surely attached.) */
START_TEST(pool_from_before_the_trace)
{
    steals = false;
    the_pool = S->create(1);
    ck_assert_ptr_nonnull(the_pool);
    ck_assert_int_eq(S->spawn(the_pool, child, NULL), 0);
    ck_assert_int_eq(S->wait(the_pool), 0);
    ck_assert_int_eq(trace_begin(1, BIG), 0);
    for (uintptr_t r = 0; r < ROOTS; r++)
        ck_assert_int_eq(S->spawn(the_pool, root, (void *)r), 0);
    ck_assert_int_eq(S->wait(the_pool), 0);
    S->destroy(the_pool);
    ck_assert_uint_eq(trace_buffer(-1)->len, ROOTS);
    ck_assert_uint_eq(trace_buffer(0)->len, 0);
    trace_end();
}
END_TEST

/* The CSV: comment lines, one header line, then one line per event with
 * six fields, in time order. */
START_TEST(csv_one_line_per_event)
{
    run_traced(2, BIG);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(trace_write_csv(f, "trace_test"), 0);
    rewind(f);

    size_t events = 0, lines = 0, headers = 0;
    for (int w = -1; w < 2; w++)
        events += trace_buffer(w)->len;
    char line[256];
    unsigned long long last = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        if (strcmp(line, "worker,time_ns,event,task,victim,count\n") == 0) {
            headers++;
            continue;
        }
        unsigned commas = 0;
        for (char *c = line; *c != '\0'; c++)
            commas += *c == ',';
        ck_assert_msg(commas == 5, "not 6 fields: %s", line);
        unsigned long long ns = strtoull(strchr(line, ',') + 1, NULL, 10);
        ck_assert_msg(ns >= last, "out of time order: %s", line);
        last = ns;
        lines++;
    }
    fclose(f);
    ck_assert_uint_eq(headers, 1);
    ck_assert_uint_eq(lines, events);
    trace_end();
}
END_TEST

START_TEST(begin_errors)
{
    ck_assert_int_eq(trace_begin(0, 8), EINVAL);
    ck_assert_int_eq(trace_begin(SCHED_MAX_WORKERS + 1, 8), EINVAL);
    ck_assert_int_eq(trace_begin(2, 0), EINVAL);
    ck_assert_int_eq(trace_begin(2, 8), 0);
    ck_assert_int_eq(trace_begin(2, 8), EBUSY);
    ck_assert_ptr_null(trace_buffer(2));
    ck_assert_ptr_null(trace_buffer(-2));
    trace_end();
    ck_assert_ptr_null(trace_buffer(0));
    trace_end();        /* twice: does nothing */
}
END_TEST

int main(void)
{
    S = sched_find(TRACE_LESSON);
    if (S == NULL) {
        fprintf(stderr, "trace_test: no scheduler named %s\n", TRACE_LESSON);
        return EXIT_FAILURE;
    }
    const TTest *tests[] = { complete_trace, complete_trace_one_worker,
                             tiny_buffer_drops_and_counts, pool_from_before_the_trace,
                             csv_one_line_per_event, begin_errors, NULL };
    return run_tests(TRACE_LESSON ": traces", tests);
}
