/*
 * take_test.c: grades exercise 1 (exercises/take.c).
 *
 * The owner pushes with deque.h's deque_push and takes with your my_take();
 * thieves steal with deque.h's deque_steal.  Each failure message names the
 * mistake that most often causes it.
 *
 * On one thread:
 *   fresh_deque_is_empty  a take at index 0, where an unsigned bottom - 1
 *                         wraps around; then the deque must still work
 *   newest_first          LIFO order, mixed with steals, across ring growth
 *   bottom_restored       after a take that found the deque empty, and after
 *                         one that took the last task, bottom == top again
 * Races (race() below): each round the owner pushes one to MAX_PER_ROUND
 * tasks, waits a random moment and takes until my_take says false, while
 * thieves steal without pause.  Tasks are numbered; each must be taken
 * exactly once, and after each round bottom must equal top.
 *   last_task_race        one task per round, one thief: owner and thief
 *                         race for the last task
 *   one_thief, two_thieves  one to three tasks per round: the owner's take
 *                         meets a thief's steal with two or three tasks
 *                         left, the race `make break` shows
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "exercises.h"
#include "pin.h"
#include "rng.h"
#include "test_util.h"

/*
 * A race runs until it has seen this many contested rounds (see race()), or
 * for RACE_SECONDS (last_task_race: half of that), whichever comes first.
 * On an idle machine the targets take well under a second; on x86, a take
 * that both a thief and the owner can complete shows in about 1 to 5 of
 * every 100 contested rounds.  ThreadSanitizer runs far slower: fewer.
 */
#ifdef DEQUE_TSAN
enum { LAST_TASK_CONTESTED = 10000, RACE_CONTESTED = 20000 };
#else
enum { LAST_TASK_CONTESTED = 100000, RACE_CONTESTED = 200000 };
#endif
#define RACE_SECONDS 3.0
/* Rounds at most (memory: a byte per task per thread), tasks per round,
 * thieves. */
enum { MAX_ROUNDS = 4000000, MAX_PER_ROUND = 3, MAX_THIEVES = 2 };
/* The owner's pause between pushing and taking, in iterations of an empty
 * loop, drawn at random below this, so that take and steal meet at every
 * offset.  Short: a thief is always stealing, and the race that matters is
 * over within a few hundred nanoseconds of the push. */
enum { PAUSE = 32 };
/* More trues than this from my_take in a row, after a round's pushes, is a
 * take that returns tasks it does not have. */
enum { RUNAWAY = 64 };

/* relaxed, both: called by the owner between its own operations, when
 * bottom is its own and a thief can no longer move top (the deque is empty,
 * or the test is on one thread). */
static long long top_of(struct deque *d)
{
    return (long long)atomic_load_explicit(&d->top, memory_order_relaxed);
}

static long long bottom_of(struct deque *d)
{
    return (long long)atomic_load_explicit(&d->bottom, memory_order_relaxed);
}

static struct task task_no(uintptr_t i)
{
    return (struct task){ no_op, (void *)i };
}

/* ---- one thread ---- */

/* Takes one task, expecting task `want`, and checks that bottom and top
 * moved as they should: one task fewer between them. */
static void take_one(struct deque *d, uintptr_t want, const char *when)
{
    struct task t;
    long long left = bottom_of(d) - top_of(d);
    ck_assert_msg(my_take(d, &t), "%s: my_take returned false, with %lld in the deque", when,
                  left);
    ck_assert_msg(t.fn == no_op && (uintptr_t)t.arg == want,
                  "%s: my_take got task %lu, want %lu: the owner takes the newest, the one "
                  "just below bottom", when, (unsigned long)(uintptr_t)t.arg, (unsigned long)want);
    long long now = bottom_of(d) - top_of(d);
    if (left == 1)
        ck_assert_msg(now == 0, "%s: after a take that won the last task, bottom is %lld and top "
                      "%lld: bottom was not restored (an empty deque has bottom == top)", when,
                      bottom_of(d), top_of(d));
    else
        ck_assert_msg(now == left - 1, "%s: my_take took one of %lld tasks, and then bottom - top "
                      "was %lld", when, left, now);
}

/* my_take must say empty, and leave bottom == top. */
static void take_none(struct deque *d, const char *when)
{
    struct task t;
    ck_assert_msg(!my_take(d, &t), "%s: my_take returned task %lu from an empty deque", when,
                  (unsigned long)(uintptr_t)t.arg);
    ck_assert_msg(bottom_of(d) == top_of(d), "%s: after a take that found the deque empty, "
                  "bottom is %lld and top %lld: bottom was not restored (an empty deque has "
                  "bottom == top)", when, bottom_of(d), top_of(d));
}

START_TEST(fresh_deque_is_empty)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task t;
    ck_assert_msg(!my_take(&d, &t), "my_take on a fresh deque (top = bottom = 0) returned a task: "
                  "is your bottom - 1 unsigned? At index 0 it wraps around to the largest value, "
                  "and the empty deque looks full");
    ck_assert_msg(bottom_of(&d) == 0 && top_of(&d) == 0,
                  "after my_take on a fresh deque, bottom is %lld and top %lld, want 0 and 0: "
                  "bottom was not restored", bottom_of(&d), top_of(&d));
    ck_assert_int_eq(deque_push(&d, task_no(7)), 0);
    enum steal_result res = deque_steal(&d, &t);
    ck_assert_msg(res == STEAL_OK && (uintptr_t)t.arg == 7,
                  "after my_take on a fresh deque, a task pushed next could not be stolen");
    ck_assert_int_eq(deque_push(&d, task_no(8)), 0);
    take_one(&d, 8, "on a fresh deque, after one steal");
    take_none(&d, "on a fresh deque, after one steal and one take");
    deque_destroy(&d);
}
END_TEST

START_TEST(newest_first)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task t;
    for (uintptr_t i = 1; i <= 10; i++)
        ck_assert_int_eq(deque_push(&d, task_no(i)), 0);
    for (uintptr_t i = 10; i >= 1; i--)
        take_one(&d, i, "10 tasks pushed");
    take_none(&d, "10 tasks pushed, 10 taken");

    /* Steal from the top, take from the bottom, until they meet. */
    for (uintptr_t i = 11; i <= 20; i++)
        ck_assert_int_eq(deque_push(&d, task_no(i)), 0);
    for (uintptr_t i = 0; i < 5; i++) {
        enum steal_result res = deque_steal(&d, &t);
        ck_assert_msg(res == STEAL_OK && (uintptr_t)t.arg == 11 + i, "steals from the top, takes "
                      "from the bottom: deque_steal got %s task %lu, want task %lu",
                      res == STEAL_OK ? "" : "no", (unsigned long)(uintptr_t)t.arg,
                      (unsigned long)(11 + i));
        take_one(&d, 20 - i, "steals from the top, takes from the bottom");
    }
    take_none(&d, "steals from the top, takes from the bottom, all 10 gone");
    ck_assert_msg(deque_steal(&d, &t) == STEAL_EMPTY, "after the thief and the owner took all 10 "
                  "between them, deque_steal found a task: bottom %lld, top %lld",
                  bottom_of(&d), top_of(&d));

    /* 200 tasks: the ring grows from 64 slots to 256 on the way. */
    for (uintptr_t i = 1; i <= 200; i++)
        ck_assert_int_eq(deque_push(&d, task_no(i)), 0);
    for (uintptr_t i = 200; i >= 1; i--)
        take_one(&d, i, "200 tasks pushed (the ring grew twice)");
    take_none(&d, "200 tasks pushed and taken");
    deque_destroy(&d);
}
END_TEST

START_TEST(bottom_restored)
{
    struct deque d;
    ck_assert_int_eq(deque_init(&d), 0);
    struct task t;
    /* Empty at index 3: three tasks pushed, all stolen. */
    for (uintptr_t i = 1; i <= 3; i++)
        ck_assert_int_eq(deque_push(&d, task_no(i)), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(deque_steal(&d, &t), STEAL_OK);
    take_none(&d, "a thief stole all 3 tasks");
    ck_assert_int_eq(deque_push(&d, task_no(4)), 0);
    ck_assert_msg(deque_steal(&d, &t) == STEAL_OK && (uintptr_t)t.arg == 4,
                  "after a take that found the deque empty, the next task pushed could not be "
                  "stolen: bottom was not restored");

    /* The last task, with no thief about: the owner wins it. */
    ck_assert_int_eq(deque_push(&d, task_no(5)), 0);
    take_one(&d, 5, "one task in the deque, at index 4");
    take_none(&d, "after taking the last task");
    ck_assert_int_eq(deque_push(&d, task_no(6)), 0);
    ck_assert_int_eq(deque_push(&d, task_no(7)), 0);
    ck_assert_msg(deque_steal(&d, &t) == STEAL_OK && (uintptr_t)t.arg == 6,
                  "after a take that won the last task, the next task pushed could not be "
                  "stolen: bottom was not restored");
    take_one(&d, 7, "after a take that won the last task, two pushes and a steal");
    take_none(&d, "after a take that won the last task, two pushes, a steal and a take");
    deque_destroy(&d);
}
END_TEST

/* ---- races ---- */

static struct deque rd;
static atomic_bool stop;
static size_t capacity;             /* task numbers are below this */
/* Who took what: count[0] is the owner's, count[1 + j] thief j's, one
 * counter per task, each written by its own thread alone and read after
 * the threads are joined.  Plain, so that a thief steals again at once:
 * an atomic add between two steals would give the owner time. */
static unsigned char *count[1 + MAX_THIEVES];
static unsigned long never_pushed[1 + MAX_THIEVES];   /* tasks taken that no one pushed */

/* A task's argument is its number. */
static void got(int who, struct task t)
{
    uintptr_t i = (uintptr_t)t.arg;
    if (t.fn != no_op || i == 0 || i >= capacity)
        never_pushed[who]++;
    else if (count[who][i] < 2)
        count[who][i]++;
}

static void *thief(void *arg)
{
    int who = (int)(intptr_t)arg;
    pin_to((unsigned)who);
    struct task t;
    for (;;) {
        enum steal_result res = deque_steal(&rd, &t);
        if (res == STEAL_OK)
            got(who, t);
        /* relaxed: stop only ends the loop; what this thread counted is
         * read after pthread_join, which orders it. */
        else if (res == STEAL_EMPTY && atomic_load_explicit(&stop, memory_order_relaxed))
            return NULL;
    }
}

struct race {
    const char *name;
    unsigned max_per_round, thieves;
    uint64_t seed;
    unsigned long want_contested;   /* stop after this many contested rounds, */
    double seconds;                 /* or after this long */
};

struct race_result {
    unsigned long rounds, contested, tasks, owner_took;
    unsigned long lost, twice, twice_alone, never_pushed, runaway;
    unsigned long bad_round;        /* 0, or the first round to end with bottom != top */
    long long bad_bottom, bad_top;
    double seconds;
};

/*
 * The owner's side, on the test's thread: see the top of the file.  A round
 * is contested when a thief took some of its tasks: all of a one-task round,
 * some but not all of a bigger one (there the owner took the rest, and its
 * take met a thief's steal).  Only contested rounds test anything, and how
 * many happen per second depends on how busy the machine is, so the race
 * runs until it has enough of them, or its time is up.
 */
static struct race_result race(const struct race *spec)
{
    struct race_result res = { 0 };
    capacity = (size_t)MAX_ROUNDS * spec->max_per_round + 1;
    for (unsigned w = 0; w <= spec->thieves; w++) {
        count[w] = calloc(capacity, 1);     /* pages untouched stay unallocated */
        ck_assert(count[w] != NULL);
        never_pushed[w] = 0;
    }
    unsigned char *round_size = calloc(capacity, 1);  /* per task: the size of its round */
    ck_assert(round_size != NULL);
    atomic_store(&stop, false);
    ck_assert_int_eq(deque_init(&rd), 0);
    cpu_set_t owner_cpus;
    bool pinned = sched_getaffinity(0, sizeof owner_cpus, &owner_cpus) == 0;
    pthread_t th[MAX_THIEVES];
    for (unsigned j = 0; j < spec->thieves; j++)
        ck_assert_int_eq(pthread_create(&th[j], NULL, thief, (void *)(intptr_t)(1 + j)), 0);
    pinned = pinned && pin_to(0);

    struct rng rng;
    rng_seed(&rng, spec->seed);
    size_t pushed = 0, push_failures = 0;
    struct task t;
    uint64_t start = now_ns(), end = start + (uint64_t)(spec->seconds * 1e9);
    unsigned long contested_before = 0;
    unsigned r;
    for (r = 1; r <= MAX_ROUNDS; r++) {
        if (r % 1024 == 0) {
            if (res.contested >= spec->want_contested || now_ns() > end)
                break;
            /* No thief got anything for 1024 rounds: none is running.  Let
             * one that waits for our CPU have it. */
            if (res.contested == contested_before)
                sched_yield();
            contested_before = res.contested;
        }
        unsigned k = 1 + rng_below(&rng, spec->max_per_round);
        for (unsigned i = 0; i < k; i++) {
            round_size[++pushed] = (unsigned char)k;
            push_failures += deque_push(&rd, task_no(pushed)) != 0;
        }
        for (volatile unsigned spin = rng_below(&rng, PAUSE); spin > 0; spin--)
            ;
        unsigned n = 0;
        while (n <= RUNAWAY && my_take(&rd, &t)) {
            got(0, t);
            n++;
        }
        res.owner_took += n;
        if (n > RUNAWAY) {
            res.runaway = r;
            break;
        }
        res.contested += k == 1 ? n == 0 : n > 0 && n < k;
        /* my_take said false: the deque is empty, and bottom == top.  (No
         * thief can change top once it is empty, and only we push.) */
        long long bottom = bottom_of(&rd), top = top_of(&rd);
        if (bottom != top && res.bad_round == 0) {
            res.bad_round = r;
            res.bad_bottom = bottom;
            res.bad_top = top;
        }
        if (bottom > top)
            break;              /* tasks left behind: this round cannot end */
    }
    res.rounds = r - 1;
    res.seconds = (double)(now_ns() - start) / 1e9;
    atomic_store(&stop, true);
    for (unsigned j = 0; j < spec->thieves; j++)
        pthread_join(th[j], NULL);
    if (pinned)
        sched_setaffinity(0, sizeof owner_cpus, &owner_cpus);
    deque_destroy(&rd);
    ck_assert_uint_eq(push_failures, 0);

    res.tasks = pushed;
    for (size_t i = 1; i <= pushed; i++) {
        unsigned c = 0;
        for (unsigned w = 0; w <= spec->thieves; w++)
            c += count[w][i];
        res.lost += c == 0;
        res.twice += c > 1;
        res.twice_alone += c > 1 && round_size[i] == 1;
    }
    for (unsigned w = 0; w <= spec->thieves; w++) {
        res.never_pushed += never_pushed[w];
        free(count[w]);
    }
    free(round_size);
    return res;
}

static void check_race(const struct race *spec)
{
    struct race_result res = race(spec);
    fprintf(stderr, "%s: %lu rounds in %.1f s, %lu contested; %lu tasks, your take took %lu\n",
            spec->name, res.rounds, res.seconds, res.contested, res.tasks, res.owner_took);
    if (res.contested < spec->want_contested)
        fprintf(stderr, "%s: only %lu contested rounds of the %lu wanted: is the machine busy? "
                "This race tested less than it should.\n", spec->name, res.contested,
                spec->want_contested);
    ck_assert_msg(res.runaway == 0, "round %lu: my_take returned true %d times in a row after "
                  "at most %d pushes: it returns tasks that are not in the deque", res.runaway,
                  RUNAWAY + 1, MAX_PER_ROUND);
    ck_assert_msg(res.never_pushed == 0, "%lu tasks taken were never pushed: a slot read outside "
                  "[top, bottom)", res.never_pushed);
    ck_assert_msg(res.twice_alone == 0,
                  "%lu of %lu tasks were taken by both your take and a thief, when each was the "
                  "only task in the deque: with one task left, your take raced the thieves for it "
                  "without a compare-and-swap on top (reading top == b does not make it yours)",
                  res.twice_alone, res.tasks);
    ck_assert_msg(res.twice == 0,
                  "%lu tasks run twice and %lu lost, of %lu: your take and a thief both took the "
                  "same task. Which of take's accesses can the hardware reorder? (See the "
                  "store-buffering experiment.)", res.twice, res.lost, res.tasks);
    ck_assert_msg(res.bad_round == 0 || res.bad_bottom < res.bad_top,
                  "round %lu: my_take returned false, with %lld in the deque (bottom %lld, top "
                  "%lld)", res.bad_round, res.bad_bottom - res.bad_top, res.bad_bottom,
                  res.bad_top);
    ck_assert_msg(res.bad_round == 0,
                  "after round %lu, when my_take had returned false, bottom was %lld and top "
                  "%lld: bottom was not restored. When my_take returns false the deque is empty, "
                  "and an empty deque has bottom == top. (If the tests on one thread pass, look "
                  "at what your take does after losing the last task to a thief.)", res.bad_round,
                  res.bad_bottom, res.bad_top);
    ck_assert_msg(res.lost == 0, "%lu of %lu tasks were taken by nobody", res.lost, res.tasks);
}

START_TEST(last_task_race)
{
    check_race(&(struct race){ "last_task_race", 1, 1, 3, LAST_TASK_CONTESTED, RACE_SECONDS / 2 });
}
END_TEST

START_TEST(one_thief)
{
    check_race(&(struct race){ "one_thief", MAX_PER_ROUND, 1, 5, RACE_CONTESTED, RACE_SECONDS });
}
END_TEST

START_TEST(two_thieves)
{
    check_race(&(struct race){ "two_thieves", MAX_PER_ROUND, 2, 7, RACE_CONTESTED, RACE_SECONDS });
}
END_TEST

int main(void)
{
    const TTest *tests[] = { fresh_deque_is_empty, newest_first, bottom_restored, last_task_race,
                             one_thief, two_thieves, NULL };
    return run_tests("lesson04 exercise: take", tests);
}
