/*
 * fair_rounds_test.c: grades exercise 2 (exercises/fair_rounds.c).
 *
 * Nothing here reads a real clock.  The contestants run on a fake machine:
 * a run does no work, it moves the machine's clock on by what the test
 * says that run costs, and logs which contestant it was.  So the test
 * knows every run's true time and order, and can make the machine
 * misbehave in ways a real one does, deterministically: slow down over the
 * session, suffer a burst of noise, stall every 4th run.  The contestants
 * are identical, so a fair scheme must give them the same median; the test
 * also runs the naive scheme (every run of one contestant, then the next)
 * on the same machine, to show it does not.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercises.h"
#include "test_util.h"

/* ---- the fake machine ---- */

struct machine;
typedef uint64_t cost_fn(const struct machine *m, unsigned who);

struct machine {
    uint64_t t;                 /* the clock, ns */
    unsigned k, rounds;
    size_t nruns;               /* runs so far */
    unsigned *who;              /* who[n]: the contestant of run n */
    uint64_t *took;             /* took[n]: what run n cost */
    unsigned runs_of[FAIR_MAX_CONTESTANTS];    /* runs so far, per contestant */
    cost_fn *cost;
};

struct entrant {
    struct machine *m;
    unsigned who;
};

static uint64_t fake_now(void *ctx)
{
    return ((struct machine *)ctx)->t;
}

static void fake_run(void *ctx)
{
    struct entrant *e = ctx;
    struct machine *m = e->m;
    uint64_t d = m->cost(m, e->who);
    if (m->nruns < (size_t)m->k * m->rounds) {
        m->who[m->nruns] = e->who;
        m->took[m->nruns] = d;
    }
    m->t += d;
    m->runs_of[e->who]++;
    m->nruns++;
}

static void machine_init(struct machine *m, unsigned k, unsigned rounds, cost_fn *cost)
{
    memset(m, 0, sizeof *m);
    m->t = 1000000000;          /* a clock that does not start at 0 */
    m->k = k;
    m->rounds = rounds;
    m->cost = cost;
    m->who = malloc((size_t)k * rounds * sizeof *m->who);
    m->took = malloc((size_t)k * rounds * sizeof *m->took);
    ck_assert(m->who != NULL && m->took != NULL);
}

static void machine_free(struct machine *m)
{
    free(m->who);
    free(m->took);
}

/* The whole session: fair_rounds on k identical contestants of machine m
 * (fresh from machine_init), drawing from an rng seeded with `seed`.
 * ns gets k * rounds times, medians k. */
static void race(struct machine *m, uint64_t seed, uint64_t *ns, double *medians)
{
    struct entrant e[FAIR_MAX_CONTESTANTS];
    struct contestant c[FAIR_MAX_CONTESTANTS];
    char names[FAIR_MAX_CONTESTANTS][16];
    for (unsigned i = 0; i < m->k; i++) {
        e[i] = (struct entrant){ m, i };
        snprintf(names[i], sizeof names[i], "c%u", i);
        c[i] = (struct contestant){ names[i], fake_run, &e[i] };
    }
    struct fair_clock clock = { fake_now, m };
    struct rng rng;
    rng_seed(&rng, seed);
    int err = fair_rounds(c, m->k, m->rounds, &rng, &clock, ns, medians);
    ck_assert_msg(err == 0, "fair_rounds(k = %u, rounds = %u) returned %d, not 0", m->k,
                  m->rounds, err);
    ck_assert_msg(m->nruns == (size_t)m->k * m->rounds, "fair_rounds made %zu runs; %u "
                  "contestants, %u rounds: %u runs", m->nruns, m->k, m->rounds,
                  m->k * m->rounds);
    for (unsigned i = 0; i < m->k; i++)
        ck_assert_msg(m->runs_of[i] == m->rounds, "contestant %u ran %u times in %u rounds",
                      i, m->runs_of[i], m->rounds);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double true_median(uint64_t *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_u64);
    return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* What the naive scheme reports on this machine: every run of contestant
 * 0, then every run of contestant 1, ...; the largest median over the
 * smallest. */
static double naive_spread(unsigned k, unsigned rounds, cost_fn *cost)
{
    struct machine m;
    machine_init(&m, k, rounds, cost);
    uint64_t *ns = malloc(rounds * sizeof *ns);
    ck_assert_ptr_nonnull(ns);
    double lo = 0, hi = 0;
    for (unsigned i = 0; i < k; i++) {
        struct entrant e = { &m, i };
        for (unsigned r = 0; r < rounds; r++) {
            uint64_t t0 = m.t;
            fake_run(&e);
            ns[r] = m.t - t0;
        }
        double med = true_median(ns, rounds);
        lo = i == 0 || med < lo ? med : lo;
        hi = i == 0 || med > hi ? med : hi;
    }
    free(ns);
    machine_free(&m);
    return hi / lo;
}

/* The contestants are identical: their medians must agree within 5%. */
static void check_fair(const double *medians, unsigned k, const char *machine,
                       double naive, const char *hint)
{
    unsigned lo = 0, hi = 0;
    for (unsigned i = 1; i < k; i++) {
        if (medians[i] < medians[lo])
            lo = i;
        if (medians[i] > medians[hi])
            hi = i;
    }
    ck_assert_msg(medians[hi] <= 1.05 * medians[lo], "%s; %u identical contestants, yet "
                  "contestant %u's median is %.0f ns and contestant %u's %.0f ns (%.2fx; the "
                  "naive scheme gives %.2fx here): %s", machine, k, hi, medians[hi], lo,
                  medians[lo], medians[hi] / medians[lo], naive, hint);
}

/* ---- the median ---- */

static void check_median(const uint64_t *given, unsigned n, double want, const char *hint)
{
    uint64_t v[8];
    char list[128] = "";
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        v[i] = given[i];
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%llu", i ? ", " : "",
                                (unsigned long long)given[i]);
    }
    double got = median_of(v, n);
    ck_assert_msg(got == want, "the median of {%s} is %g; median_of returned %g%s", list,
                  want, got, hint);
    for (unsigned i = 1; i < n; i++)
        ck_assert_msg(v[i - 1] <= v[i], "median_of({%s}) left the values unsorted: it sorts "
                      "them in place (exercises.h), and fair_rounds counts on it", list);
}

START_TEST(median_odd_and_even)
{
    check_median((const uint64_t[]){ 7 }, 1, 7, "");
    check_median((const uint64_t[]){ 1, 2, 100 }, 3, 2,
                 ": the mean?  One run slowed down by an interrupt must not move the answer");
    check_median((const uint64_t[]){ 30, 10, 20 }, 3, 20, ": sort the values first");
    check_median((const uint64_t[]){ 5, 1, 4, 2, 3 }, 5, 3, ": sort the values first");
    check_median((const uint64_t[]){ 1, 2, 3, 4 }, 4, 2.5,
                 ": for an even count, the mean of the two middle values");
    check_median((const uint64_t[]){ 40, 10, 30, 20, 1000, 0 }, 6, 25,
                 ": for an even count, the mean of the two middle values, once sorted");
    check_median((const uint64_t[]){ 8, 8 }, 2, 8, "");
}
END_TEST

/* ---- the order of the runs ---- */

static uint64_t flat_cost(const struct machine *m, unsigned who)
{
    (void)m;
    (void)who;
    return 1000;
}

/* "2 0 3 1": the contestants of round r, in the order they ran. */
static const char *round_str(const struct machine *m, unsigned r)
{
    static char s[FAIR_MAX_CONTESTANTS * 4];
    size_t len = 0;
    s[0] = '\0';
    for (unsigned j = 0; j < m->k && len + 4 < sizeof s; j++)
        len += (size_t)snprintf(s + len, sizeof s - len, "%s%u", j ? " " : "",
                                m->who[(size_t)r * m->k + j]);
    return s;
}

/* Every round of m ran every contestant exactly once. */
static void check_rounds(const struct machine *m)
{
    for (unsigned r = 0; r < m->rounds; r++) {
        unsigned seen[FAIR_MAX_CONTESTANTS] = { 0 };
        for (unsigned j = 0; j < m->k; j++)
            seen[m->who[(size_t)r * m->k + j]]++;
        for (unsigned i = 0; i < m->k; i++)
            ck_assert_msg(seen[i] == 1, "round %u (runs %zu to %zu) ran contestants %s: "
                          "contestant %u %u times.  A round runs every contestant exactly "
                          "once, then the next round begins", r, (size_t)r * m->k,
                          (size_t)r * m->k + m->k - 1, round_str(m, r), i, seen[i]);
    }
}

enum { K_ORDER = 4, R_ORDER = 61 };

START_TEST(each_round_runs_everyone_once)
{
    struct machine m;
    machine_init(&m, K_ORDER, R_ORDER, flat_cost);
    uint64_t ns[K_ORDER * R_ORDER];
    double medians[K_ORDER];
    race(&m, 1, ns, medians);
    check_rounds(&m);
    machine_free(&m);
}
END_TEST

START_TEST(orders_differ_between_rounds)
{
    struct machine m;
    machine_init(&m, K_ORDER, R_ORDER, flat_cost);
    uint64_t ns[K_ORDER * R_ORDER];
    double medians[K_ORDER];
    race(&m, 2, ns, medians);
    check_rounds(&m);
    unsigned same = 0, rotated = 0, first[K_ORDER] = { 0 };
    for (unsigned r = 0; r < R_ORDER; r++) {
        const unsigned *o = &m.who[r * K_ORDER], *o0 = m.who;
        same += memcmp(o, o0, K_ORDER * sizeof *o) == 0;
        /* A rotation of round 0: o[j] == o0[(j + s) % k] for some s. */
        bool rotation = false;
        for (unsigned s = 0; s < K_ORDER && !rotation; s++) {
            bool all = true;
            for (unsigned j = 0; j < K_ORDER; j++)
                all &= o[j] == o0[(j + s) % K_ORDER];
            rotation = all;
        }
        rotated += rotation;
        if (o[0] < K_ORDER)
            first[o[0]]++;
    }
    ck_assert_msg(same < R_ORDER, "all %d rounds ran in the same order (%s): shuffle at the "
                  "start of every round, not once", R_ORDER, round_str(&m, 0));
    ck_assert_msg(rotated < R_ORDER, "each of the %d rounds ran in the first round's order "
                  "(%s) rotated: then each contestant follows the same one nearly every round, "
                  "and pays for whatever that one leaves behind (its data in the caches, its "
                  "threads winding down).  Shuffle every round", R_ORDER, round_str(&m, 0));
    for (unsigned i = 0; i < K_ORDER; i++)
        ck_assert_msg(first[i] > 0, "in %d rounds of %d contestants, contestant %u never ran "
                      "first: is the shuffle uniform?", R_ORDER, K_ORDER, i);
    machine_free(&m);
}
END_TEST

/* Which of the 6 orders of 3 contestants o is, 0 to 5, as in names[] below. */
static unsigned order_index(const unsigned *o)
{
    return o[0] * 2 + (o[1] > o[0] ? o[1] - 1 : o[1]);
}

/* 3 contestants, 60,000 rounds: each of the 6 orders should come up about
 * 10,000 times (the standard deviation is 91; we allow 600).  And so should
 * each of the 6 ways to go from one round's order to the next: a biased
 * shuffle applied to the last round's order, not to 0 1 2, gives every
 * order equally often in the long run, but not every move. */
START_TEST(every_order_equally_likely)
{
    enum { K = 3, R = 60000 };
    struct machine m;
    machine_init(&m, K, R, flat_cost);
    uint64_t *ns = malloc(K * R * sizeof *ns);
    ck_assert_ptr_nonnull(ns);
    double medians[K];
    race(&m, 3, ns, medians);
    check_rounds(&m);
    static const char *const names[6] = { "0 1 2", "0 2 1", "1 0 2", "1 2 0", "2 0 1", "2 1 0" };
    unsigned count[6] = { 0 }, moves[6] = { 0 };
    for (unsigned r = 0; r < R; r++) {
        const unsigned *o = &m.who[r * K];
        count[order_index(o)]++;
        if (r == 0)
            continue;
        /* The move: where[p] is the place, in the round before, of the
         * contestant now at place p. */
        const unsigned *before = &m.who[(r - 1) * K];
        unsigned where[K] = { 0 };
        for (unsigned p = 0; p < K; p++)
            for (unsigned q = 0; q < K; q++)
                if (before[q] == o[p])
                    where[p] = q;
        moves[order_index(where)]++;
    }
    unsigned lo = 0, hi = 0;
    for (unsigned p = 1; p < 6; p++) {
        lo = count[p] < count[lo] ? p : lo;
        hi = count[p] > count[hi] ? p : hi;
    }
    unsigned seen = 0;
    for (unsigned p = 0; p < 6; p++)
        seen += count[p] > 0;
    const char *hint = seen == 1
        ? " (one order only, every round: are the contestants shuffled at all?)"
        : count[1] == 0 && count[2] == 0 && count[5] == 0
        ? " (only 0 1 2, 1 2 0 and 2 0 1 came up, rotations of one another: is j drawn from "
          "[0, i) and not [0, i]?  Then no contestant can stay where it is: that is Sattolo's "
          "algorithm)"
        : " (is j drawn from [0, i], i included, for i going down from k - 1?  A j drawn from "
          "[0, k) every time makes some orders likelier than others)";
    ck_assert_msg(count[lo] >= R / 6 - 600 && count[hi] <= R / 6 + 600, "in %d rounds of 3 "
                  "contestants, the order %s came up %u times and the order %s %u times; each "
                  "of the 6 orders should come up about %d times%s", R, names[lo], count[lo],
                  names[hi], count[hi], R / 6, hint);
    lo = hi = 0;
    for (unsigned p = 1; p < 6; p++) {
        lo = moves[p] < moves[lo] ? p : lo;
        hi = moves[p] > moves[hi] ? p : hi;
    }
    ck_assert_msg(moves[lo] >= R / 6 - 600 && moves[hi] <= R / 6 + 600, "in %d rounds of 3 "
                  "contestants, a round's order depends on the round before: from one round to "
                  "the next, the contestants at places 0 1 2 came from places %s %u times and "
                  "from places %s %u times; each of the 6 should come up about %d times (is j "
                  "drawn from [0, i], i included, for i going down from k - 1?  A j drawn from "
                  "[0, k) every time makes some moves likelier than others)", R, names[lo],
                  moves[lo], names[hi], moves[hi], R / 6);
    free(ns);
    machine_free(&m);
}
END_TEST

/* ---- the times ---- */

/* Run n of contestant `who` costs 1000 (who + 1) ns plus a bit that
 * varies from run to run, skewed, so that its mean is not its median. */
static uint64_t varied_cost(const struct machine *m, unsigned who)
{
    unsigned n = m->runs_of[who];
    return 1000 * (who + 1) + (n * n * 37u) % 500 + (n % 7 == 0 ? 4000 : 0);
}

START_TEST(each_run_timed_alone)
{
    enum { K = 3, R = 15 };
    struct machine m;
    machine_init(&m, K, R, varied_cost);
    uint64_t ns[K * R];
    double medians[K];
    race(&m, 4, ns, medians);
    for (unsigned i = 0; i < K; i++) {
        /* What contestant i's runs took, from the machine's log. */
        uint64_t want[R], got[R];
        unsigned n = 0;
        for (size_t q = 0; q < (size_t)K * R; q++)
            if (m.who[q] == i && n < R)
                want[n++] = m.took[q];
        memcpy(got, &ns[i * R], sizeof got);
        qsort(want, R, sizeof want[0], cmp_u64);
        qsort(got, R, sizeof got[0], cmp_u64);
        for (unsigned r = 0; r < R; r++)
            ck_assert_msg(got[r] == want[r], "contestant %u's runs took %llu to %llu ns, but "
                          "ns[%u * rounds ...] holds times from %llu to %llu: the time of a run "
                          "is the clock just after it minus just before it, and goes to "
                          "ns[i * rounds + r] for contestant i", i,
                          (unsigned long long)want[0], (unsigned long long)want[R - 1], i,
                          (unsigned long long)got[0], (unsigned long long)got[R - 1]);
        double med = true_median(want, R), mean = 0;
        for (unsigned r = 0; r < R; r++)
            mean += (double)want[r] / R;
        ck_assert_msg(medians[i] == med, "contestant %u's median is %.1f ns; medians[%u] is "
                      "%.1f (their mean is %.1f)", i, med, i, medians[i], mean);
    }
    machine_free(&m);
}
END_TEST

/* ---- the machine misbehaves ---- */

/* A machine that slows down steadily, from 1x at the first run to 3x at
 * the last (it heats up and throttles; a compile starts beside it). */
static uint64_t slowing_cost(const struct machine *m, unsigned who)
{
    (void)who;
    size_t total = (size_t)m->k * m->rounds;
    return 1000 + 2000 * m->nruns / (total - 1);
}

START_TEST(a_slowing_machine_slows_everyone)
{
    enum { K = 3, R = 21 };
    double naive = naive_spread(K, R, slowing_cost);
    ck_assert_msg(naive > 1.5, "(the test's own check) the naive scheme gives %.2fx", naive);
    struct machine m;
    machine_init(&m, K, R, slowing_cost);
    uint64_t ns[K * R];
    double medians[K];
    race(&m, 5, ns, medians);
    check_fair(medians, K, "the machine slows down steadily from 1x to 3x", naive,
               "run the contestants in rounds, each once per round, so that a slow-down "
               "reaches all of them alike");
    machine_free(&m);
}
END_TEST

/* A burst of noise: from 55% to 85% of the session, every run takes 4 times
 * as long (a backup, a noisy neighbour on the host). */
static uint64_t burst_cost(const struct machine *m, unsigned who)
{
    (void)who;
    size_t total = (size_t)m->k * m->rounds;
    return m->nruns * 100 >= total * 55 && m->nruns * 100 < total * 85 ? 4000 : 1000;
}

START_TEST(a_burst_of_noise_hits_everyone)
{
    enum { K = 2, R = 21 };
    double naive = naive_spread(K, R, burst_cost);
    ck_assert_msg(naive > 2, "(the test's own check) the naive scheme gives %.2fx", naive);
    struct machine m;
    machine_init(&m, K, R, burst_cost);
    uint64_t ns[K * R];
    double medians[K];
    race(&m, 6, ns, medians);
    check_fair(medians, K, "a burst of noise makes runs 4 times slower for 30% of the session",
               naive, "in rounds, the burst falls on a third of every contestant's runs, and "
               "the median ignores them");
    machine_free(&m);
}
END_TEST

/* Every 4th run stalls, 6 times as long (a timer, a daemon waking up at a
 * steady rhythm), with 4 contestants: the same position in every round. */
static uint64_t periodic_cost(const struct machine *m, unsigned who)
{
    (void)who;
    return m->nruns % 4 == 3 ? 6000 : 1000;
}

START_TEST(a_steady_rhythm_is_spread)
{
    enum { K = 4, R = 61 };
    struct machine m;
    machine_init(&m, K, R, periodic_cost);
    uint64_t ns[K * R];
    double medians[K];
    race(&m, 7, ns, medians);
    unsigned hit[K] = { 0 };
    for (size_t q = 0; q < (size_t)K * R; q++)
        if (q % 4 == 3 && m.who[q] < K)
            hit[m.who[q]]++;
    unsigned worst = 0;
    for (unsigned i = 1; i < K; i++)
        worst = hit[i] > hit[worst] ? i : worst;
    char hint[200];
    snprintf(hint, sizeof hint, "the stalls hit contestant %u in %u of its %d runs: in the same "
             "order every round, a rhythm of k runs falls on the same contestant; shuffle each "
             "round", worst, hit[worst], R);
    check_fair(medians, K, "every 4th run stalls (6x), with 4 contestants", 1.0, hint);
    machine_free(&m);
}
END_TEST

static unsigned bad_runs;

static void count_run(void *ctx)
{
    (void)ctx;
    bad_runs++;
}

static uint64_t zero_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

START_TEST(bad_arguments)
{
    struct contestant c[FAIR_MAX_CONTESTANTS + 1];
    for (unsigned i = 0; i <= FAIR_MAX_CONTESTANTS; i++)
        c[i] = (struct contestant){ "c", count_run, NULL };
    struct fair_clock clock = { zero_clock, NULL };
    struct rng rng;
    rng_seed(&rng, 8);
    uint64_t ns[(FAIR_MAX_CONTESTANTS + 1) * 2];
    double medians[FAIR_MAX_CONTESTANTS + 1];
    bad_runs = 0;
    ck_assert_int_eq(fair_rounds(c, 0, 2, &rng, &clock, ns, medians), EINVAL);
    ck_assert_int_eq(fair_rounds(c, 2, 0, &rng, &clock, ns, medians), EINVAL);
    ck_assert_int_eq(fair_rounds(c, FAIR_MAX_CONTESTANTS + 1, 2, &rng, &clock, ns, medians),
                     EINVAL);
    ck_assert_int_eq(fair_rounds(NULL, 2, 2, &rng, &clock, ns, medians), EINVAL);
    ck_assert_int_eq(fair_rounds(c, 2, 2, NULL, &clock, ns, medians), EINVAL);
    ck_assert_int_eq(fair_rounds(c, 2, 2, &rng, NULL, ns, medians), EINVAL);
    ck_assert_int_eq(fair_rounds(c, 2, 2, &rng, &clock, NULL, medians), EINVAL);
    ck_assert_int_eq(fair_rounds(c, 2, 2, &rng, &clock, ns, NULL), EINVAL);
    ck_assert_msg(bad_runs == 0, "fair_rounds ran a contestant %u times, then returned EINVAL",
                  bad_runs);
    /* One contestant, one round: the smallest session there is. */
    ck_assert_int_eq(fair_rounds(c, 1, 1, &rng, &clock, ns, medians), 0);
    ck_assert_uint_eq(bad_runs, 1);
    ck_assert(medians[0] == 0);
}
END_TEST

int main(void)
{
    const TTest *tests[] = { median_odd_and_even, each_round_runs_everyone_once,
                             orders_differ_between_rounds, every_order_equally_likely,
                             each_run_timed_alone, a_slowing_machine_slows_everyone,
                             a_burst_of_noise_hits_everyone, a_steady_rhythm_is_spread,
                             bad_arguments, NULL };
    return run_tests("lesson06 exercise: fair_rounds", tests);
}
