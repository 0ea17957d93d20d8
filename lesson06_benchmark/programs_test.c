/*
 * programs_test.c: the real programs of the benchmark (programs.h) give
 * the right answer on every lesson's scheduler, with 1, 2 and 4 workers,
 * at small sizes and at every kind of grain: nqueens for n = 8 to 10
 * against OEIS A000170, sort of a few thousand keys (sorted, same count
 * and fingerprint), reduce of a few thousand keys, fixed grains and adaptive,
 * against the serial sum.  Also: the serial versions, the known values a
 * port checks itself against, the adaptive splitting rule step by step,
 * and that each check catches a wrong answer (a check that cannot fail
 * proves nothing).
 *
 *   build/tests/lesson06_benchmark/programs [SCHEDULER...]
 */
#include <check.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "programs_pool.h"
#include "test_util.h"

static const struct scheduler *S;
static const unsigned WORKERS[] = { 1, 2, 4 };

static struct prog *new_or_fail(enum prog_id id, unsigned long size)
{
    struct prog *p = prog_new(id, size);
    ck_assert_msg(p != NULL, "prog_new(%d, %lu) failed", (int)id, size);
    return p;
}

/* Runs p at every grain on a fresh pool of each worker count, twice per
 * pool (a pool is reused), and checks every answer. */
static void run_everywhere(struct prog *p, const unsigned long *grains, size_t ngrains)
{
    for (size_t w = 0; w < sizeof WORKERS / sizeof WORKERS[0]; w++) {
        void *pool = S->create(WORKERS[w]);
        ck_assert_ptr_nonnull(pool);
        for (size_t g = 0; g < ngrains; g++) {
            ck_assert_int_eq(prog_reserve(p, grains[g], WORKERS[w]), 0);
            for (int rep = 0; rep < 2; rep++) {
                char why[256] = "";
                prog_prepare(p);
                prog_run_pool(p, S, pool, WORKERS[w], grains[g]);
                int bad = prog_check(p, why, sizeof why);
                ck_assert_msg(bad == 0, "%s, %u workers, size %lu, grain %lu: %s", S->name,
                              WORKERS[w], p->size, grains[g], why);
                ck_assert_uint_eq(atomic_load(&p->out_of_blocks), 0);
            }
        }
        S->destroy(pool);
    }
}

/* run_everywhere for program id at each of the sizes. */
static void run_sizes(enum prog_id id, const unsigned long *sizes, size_t nsizes,
                      const unsigned long *grains, size_t ngrains)
{
    for (size_t k = 0; k < nsizes; k++) {
        struct prog *p = new_or_fail(id, sizes[k]);
        run_everywhere(p, grains, ngrains);
        prog_free(p);
    }
}

START_TEST(nqueens_on_pool)
{
    static const unsigned long sizes[] = { 8, 9, 10 };
    static const unsigned long cutoffs[] = { 0, 1, 2, 3, 7 };
    run_sizes(PROG_NQUEENS, sizes, sizeof sizes / sizeof sizes[0], cutoffs,
              sizeof cutoffs / sizeof cutoffs[0]);
}
END_TEST

START_TEST(sort_on_pool)
{
    static const unsigned long sizes[] = { 0, 1, 31, 32, 33, 1000, 4099 };
    static const unsigned long grains[] = { 1, 32, 100, 1000, 100000 };
    run_sizes(PROG_SORT, sizes, sizeof sizes / sizeof sizes[0], grains,
              sizeof grains / sizeof grains[0]);
}
END_TEST

START_TEST(reduce_on_pool)
{
    static const unsigned long sizes[] = { 1, 2, 33, 5000 };
    static const unsigned long grains[] = { 0, 1, 7, 100, 1000 };
    run_sizes(PROG_REDUCE, sizes, sizeof sizes / sizeof sizes[0], grains,
              sizeof grains / sizeof grains[0]);
}
END_TEST

START_TEST(serial_versions)
{
    static const struct {
        enum prog_id id;
        unsigned long size;
    } runs[] = { { PROG_NQUEENS, 1 }, { PROG_NQUEENS, 3 }, { PROG_NQUEENS, 10 },
                 { PROG_SORT, 0 }, { PROG_SORT, 5000 }, { PROG_REDUCE, 5000 } };
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        struct prog *p = new_or_fail(runs[k].id, runs[k].size);
        char why[256] = "";
        prog_prepare(p);
        prog_run_serial(p);
        ck_assert_msg(prog_check(p, why, sizeof why) == 0, "%s", why);
        prog_free(p);
    }
}
END_TEST

/* The values programs.h gives ports to check against, and the tables. */
START_TEST(known_values)
{
    uint32_t keys[3];
    prog_keys(keys, 3, PROG_SORT_SEED);
    ck_assert_uint_eq(keys[0], 0x910a2dec);
    ck_assert_uint_eq(keys[1], 0xbeeb8da1);
    ck_assert_uint_eq(keys[2], 0xf893a2ee);
    /* the fingerprints programs.h gives, and the three keys' the ports check */
    static const uint32_t one[] = { 0, 1, 0xffffffff };
    ck_assert_uint_eq(prog_fingerprint(&one[0], 1), 0xe220a8397b1dcdaf);
    ck_assert_uint_eq(prog_fingerprint(&one[1], 1), 0x910a2dec89025cc1);
    ck_assert_uint_eq(prog_fingerprint(&one[2], 1), 0x73b13ba2aff181c0);
    ck_assert_uint_eq(prog_fingerprint(keys, 3), 0x31a33f52da0db4c2);
    ck_assert_uint_eq(prog_nq_expected(12), 14200);
    ck_assert_uint_eq(prog_nq_expected(14), 365596);
    ck_assert_uint_eq(prog_nq_expected(PROG_NQ_MAX + 1), 0);
    struct prog_board empty = { 0, 0, 0, 0 };
    for (unsigned n = 1; n <= 11; n++)
        ck_assert_uint_eq(prog_nq_count(n, &empty), prog_nq_expected(n));
    ck_assert_uint_eq(prog_nq_tasks(8, 1), 8);
    ck_assert_uint_eq(prog_nq_tasks(8, 2), 8 + 42);
    /* the table of reduce answers agrees with the serial sum */
    struct prog *p = new_or_fail(PROG_REDUCE, 5000);
    ck_assert_uint_eq(p->expected, prog_reduce_range(p->input, 0, 5000));
    prog_free(p);
}
END_TEST

/* rayon's Splitter, step by step (programs.h, REDUCE). */
START_TEST(adaptive_rule)
{
    unsigned splits = 4;
    ck_assert(prog_reduce_splits(100, 0, false, 4, &splits));      /* 4 -> 2 */
    ck_assert_uint_eq(splits, 2);
    ck_assert(prog_reduce_splits(100, 0, false, 4, &splits));      /* 2 -> 1 */
    ck_assert(prog_reduce_splits(100, 0, false, 4, &splits));      /* 1 -> 0 */
    ck_assert_uint_eq(splits, 0);
    ck_assert(!prog_reduce_splits(100, 0, false, 4, &splits));     /* 0: serial */
    ck_assert(prog_reduce_splits(100, 0, true, 4, &splits));       /* stolen: max(4, 0) */
    ck_assert_uint_eq(splits, 4);
    splits = 16;
    ck_assert(prog_reduce_splits(100, 0, true, 4, &splits));       /* stolen: max(4, 8) */
    ck_assert_uint_eq(splits, 8);
    ck_assert(!prog_reduce_splits(1, 0, true, 4, &splits));        /* one key never splits */
    ck_assert(prog_reduce_splits(101, 100, false, 4, &splits));    /* fixed: len > grain */
    ck_assert(!prog_reduce_splits(100, 100, true, 4, &splits));
}
END_TEST

/* Pieces a fixed-grain reduce of n keys makes: halved while longer than grain. */
static unsigned long pieces(unsigned long n, unsigned long grain)
{
    return n > grain ? pieces(n / 2, grain) + pieces(n - n / 2, grain) : 1;
}

/* The splitting itself, not only the answer: a fixed grain makes exactly
 * its pieces (a run that quietly went serial makes none), and on one
 * worker, where no piece can be stolen, the adaptive rule splits only as
 * often as its start allows (a `stolen` that is always true would split
 * down to single keys). */
START_TEST(splits_as_designed)
{
    struct prog *p = new_or_fail(PROG_REDUCE, 5000);
    void *pool = S->create(1);
    ck_assert_ptr_nonnull(pool);
    static const unsigned long grains[] = { 100, 1000, 0 };
    for (size_t g = 0; g < 3; g++) {
        ck_assert_int_eq(prog_reserve(p, grains[g], 1), 0);
        prog_prepare(p);
        prog_run_pool(p, S, pool, 1, grains[g]);
        unsigned long want = grains[g] > 0 ? pieces(5000, grains[g]) - 1 : 1;
        ck_assert_msg(prog_forks(p) == want,
                      "%s, 1 worker, reduce of 5000 keys at grain %lu: %lu pieces of parallel "
                      "work made, want %lu (%s)", S->name, grains[g], prog_forks(p), want,
                      grains[g] > 0 ? "halve while longer than the grain"
                                    : "adaptive: with nothing stolen, one split per thread");
    }
    S->destroy(pool);
    prog_free(p);
}
END_TEST

/* Each check must be able to fail: a run's answer, spoilt, is caught. */
START_TEST(wrong_answers_caught)
{
    char why[256];
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);

    struct prog *p = new_or_fail(PROG_NQUEENS, 8);
    ck_assert_int_eq(prog_reserve(p, 2, 2), 0);
    prog_prepare(p);
    prog_run_pool(p, S, pool, 2, 2);
    ck_assert_int_eq(prog_check(p, why, sizeof why), 0);
    p->result += 1;                             /* 93 solutions of 8 queens */
    ck_assert_int_eq(prog_check(p, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "93, not 92") != NULL, "%s", why);
    prog_free(p);

    p = new_or_fail(PROG_SORT, 1000);
    ck_assert_int_eq(prog_reserve(p, 100, 2), 0);
    prog_prepare(p);
    prog_run_pool(p, S, pool, 2, 100);
    ck_assert_int_eq(prog_check(p, why, sizeof why), 0);
    uint32_t t = p->a[10];
    p->a[10] = p->a[500], p->a[500] = t;        /* out of order */
    ck_assert_int_eq(prog_check(p, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "out of order") != NULL, "%s", why);
    p->a[500] = p->a[10], p->a[10] = t;
    /* in order, same sum, but two other keys, one up by 1, one down: what a
     * plain sum of the keys would pass */
    ck_assert(p->a[10] < p->a[11] && p->a[499] < p->a[500]);
    p->a[10] += 1, p->a[500] -= 1;
    ck_assert_int_eq(prog_check(p, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "fingerprint") != NULL, "%s", why);
    p->a[10] -= 1, p->a[500] += 1;
    ck_assert_int_eq(prog_check(p, why, sizeof why), 0);
    p->a[999] = 0xffffffff;                     /* in order, but another key */
    ck_assert_int_eq(prog_check(p, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "fingerprint") != NULL, "%s", why);
    prog_free(p);
    /* the smallest such change: [3, 5] sorted to [4, 4] */
    static const uint32_t in[] = { 3, 5 }, out[] = { 4, 4 };
    ck_assert_int_eq(prog_sort_check(out, 2, prog_fingerprint(in, 2), why, sizeof why), -1);
    ck_assert_int_eq(prog_sort_check(in, 2, prog_fingerprint(in, 2), why, sizeof why), 0);

    p = new_or_fail(PROG_REDUCE, 1000);
    ck_assert_int_eq(prog_reserve(p, 0, 2), 0);
    prog_prepare(p);
    prog_run_pool(p, S, pool, 2, 0);
    ck_assert_int_eq(prog_check(p, why, sizeof why), 0);
    p->result ^= 1;
    ck_assert_int_eq(prog_check(p, why, sizeof why), -1);
    /* a spawn the pool refused fails the run, whatever the answer */
    p->result ^= 1;
    atomic_store(&p->error, 12);
    ck_assert_int_eq(prog_check(p, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "spawn failed") != NULL, "%s", why);
    prog_free(p);
    S->destroy(pool);
}
END_TEST

/* S, but its spawn refuses every third call with ENOMEM. */
static atomic_uint spawn_calls;
static int refusing_spawn(void *pool, task_fn fn, void *arg)
{
    if (atomic_fetch_add(&spawn_calls, 1) % 3 == 2)
        return ENOMEM;
    return S->spawn(pool, fn, arg);
}

/* A spawn the pool refuses must still be run, by its caller (a sort's merge
 * waits for both halves): the answer stays right, and the error is kept for
 * the check to report.  Only for lessons 1 to 3: with join, a run spawns its
 * root alone, and a refused root is a failed run. */
START_TEST(refused_spawns_still_run)
{
    if (S->join != NULL)
        return;
    struct scheduler refusing = *S;
    refusing.spawn = refusing_spawn;
    void *pool = S->create(2);
    ck_assert_ptr_nonnull(pool);
    struct prog *progs[] = { new_or_fail(PROG_NQUEENS, 8), new_or_fail(PROG_SORT, 1000),
                             new_or_fail(PROG_REDUCE, 1000) };
    static const unsigned long grains[] = { 3, 100, 100 };
    for (int k = 0; k < 3; k++) {
        struct prog *p = progs[k];
        char why[256] = "";
        atomic_store(&spawn_calls, 0);
        ck_assert_int_eq(prog_reserve(p, grains[k], 2), 0);
        prog_prepare(p);
        prog_run_pool(p, &refusing, pool, 2, grains[k]);
        int err = atomic_load(&p->error);
        ck_assert_msg(err == ENOMEM, "%s, program %d: error %d recorded after %u spawns, not "
                      "ENOMEM", S->name, k, err, atomic_load(&spawn_calls));
        atomic_store(&p->error, 0);     /* the answer alone */
        ck_assert_msg(prog_check(p, why, sizeof why) == 0,
                      "%s, program %d, every third spawn refused: %s (a refused task must "
                      "run on its caller)", S->name, k, why);
        prog_free(p);
    }
    S->destroy(pool);
}
END_TEST

static Suite *programs_suite(const struct scheduler *s)
{
    const TTest *const tests[] = { nqueens_on_pool, sort_on_pool, reduce_on_pool,
                                   serial_versions, known_values, adaptive_rule,
                                   splits_as_designed, wrong_answers_caught,
                                   refused_spawns_still_run,
                                   NULL };
    return suite_of(s->name, "programs", tests);
}

int main(int argc, char **argv)
{
    return run_per_scheduler(argc, argv, &S, programs_suite);
}
