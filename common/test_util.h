/*
 * test_util.h: helpers shared by every test in the repository: the contract
 * suite, each lesson's own tests and the exercise tests.
 *
 * Tasks run on worker threads, where a failed Check assertion would end the
 * process from the wrong thread.  So tasks never assert: they count, and the
 * test's own thread asserts on the counts after wait().
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "scheduler.h"

/*
 * Exactly-once bookkeeping: one run counter per task.  Task i is spawned as
 * run_once(&runs.count[i]); after wait(), every counter must be 1.
 */
struct runs {
    size_t n;
    atomic_uint *count;
};

void runs_init(struct runs *r, size_t n);
void runs_free(struct runs *r);

/* The task: adds one to the counter it is given. */
void run_once(void *counter);

/* A task that does nothing, for tests that only move tasks around. */
void no_op(void *arg);

/* Spawns tasks [first, first+k) of r on pool; returns 0 or spawn's error. */
int spawn_runs(const struct scheduler *s, void *pool, struct runs *r, size_t first, size_t k);

/* Index of the first task that did not run exactly once, or r->n if all did. */
size_t runs_first_bad(const struct runs *r);

/* How many times task i ran. */
unsigned runs_count(const struct runs *r, size_t i);

/*
 * A gate: tasks wait at it until the test opens it.  Waiting gives up after
 * timeout_ms so that a broken scheduler fails a test instead of hanging it.
 */
struct gate {
    atomic_bool open;
};

void gate_open(struct gate *g);
bool gate_wait(struct gate *g, unsigned timeout_ms);    /* false on timeout */

/* Like gate_wait, for a counter reaching at least `target`. */
bool counter_wait(atomic_uint *c, unsigned target, unsigned timeout_ms);

/* Runs every test in the suite, prints Check's summary, returns the failures. */
struct Suite;
int run_suite(struct Suite *suite);

/*
 * A suite called `name` with one test case, `tcase`, holding `tests`
 * (NULL-terminated, the names given to START_TEST), each test in its own
 * process with a 60-second timeout.
 */
struct TTest;
struct Suite *suite_of(const char *name, const char *tcase, const struct TTest *const tests[]);

/*
 * The whole main() of a test program: runs `tests` (NULL-terminated, the
 * names given to START_TEST) as one suite called `name`, each test in its own
 * process with a 60-second timeout.  Returns main's exit status.
 */
int run_tests(const char *name, const struct TTest *const tests[]);

/*
 * The whole main() of a suite run against schedulers: for each scheduler in
 * sched_all named on the command line (all of them when none is), sets
 * *current to it and runs make_suite(*current).  An unknown name is an
 * error.  Returns main's exit status.
 */
int run_per_scheduler(int argc, char **argv, const struct scheduler **current,
                      struct Suite *(*make_suite)(const struct scheduler *s));

#endif
