/*
 * programs_bench.c: the real programs (programs.h) in bench: nqueens, sort
 * and reduce on serial, every lesson's pool (programs_pool.c) and every
 * peer, at each grain of the command line (nqueens: each cut-off), timed
 * by bench.c's method: rounds in a shuffled order, a fresh pool per run,
 * warmed up by one untimed run, the median of at least 7 runs.  Every run
 * checks its answer, and a wrong one stops bench.  Then a table per
 * program: ms per run at the first grain, the speed-up over serial at
 * every grain, and the tasks and steals per run; and the files:
 * programs.csv (medians), programs-runs.csv (every run), program-*.dat
 * (plot.gp's).
 *
 * Serial runs once per round, whatever the grain: its code has none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "clock.h"
#include "options.h"
#include "programs_pool.h"
#include "rng.h"

/* One contestant at one grain, over its runs. */
struct pcell {
    unsigned n;                 /* timed runs; 0: did not take part */
    double med, min, max;       /* ms per run */
    double forks, steals;       /* per timed run, pools only */
    unsigned long unsplit;      /* reduce: pieces summed unsplit (out of room) */
};

static const char *const names[NPROGS] = { "nqueens", "sort", "reduce" };

/* The grain's name in a heading: "cut-off 4", "grain 1000", "adaptive". */
static void grain_name(char *buf, size_t size, enum prog_id id, unsigned long g)
{
    if (id == PROG_REDUCE && g == 0)
        snprintf(buf, size, "adaptive");
    else
        snprintf(buf, size, "%s %lu", id == PROG_NQUEENS ? "cut-off" : "grain", g);
}

/* order[0..gr->n): gr's indices by ascending grain, the columns' order. */
static void grain_order(const struct grains *gr, unsigned *order)
{
    for (unsigned g = 0; g < gr->n; g++) {      /* insertion sort */
        unsigned k = g;
        for (; k > 0 && gr->v[order[k - 1]] > gr->v[g]; k--)
            order[k] = order[k - 1];
        order[k] = g;
    }
}

/* Runs `peer ARGS`: its nanoseconds.  Exits on anything else: a peer that
 * fails or got the answer wrong (it says why on stderr) would make the
 * table a lie. */
static double run_peer_program(const char *peer, const char *args)
{
    char cmd[1200], word[64] = "";
    snprintf(cmd, sizeof cmd, "'%s' %s", peer, args);
    FILE *f = popen(cmd, "r");
    int rc = -1;
    if (f != NULL) {
        if (fscanf(f, "%63s", word) != 1)
            word[0] = '\0';
        int status = pclose(f);
        rc = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    char *end;
    unsigned long long ns = strtoull(word, &end, 10);
    if (rc != 0 || end == word || *end != '\0') {
        fprintf(stderr, "bench: %s failed\n", cmd);
        exit(1);
    }
    return (double)ns;
}

/* Stops bench when run's answer is wrong. */
static void check_or_exit(struct prog *p, const char *who, unsigned long grain)
{
    char why[256];
    if (prog_check(p, why, sizeof why) != 0) {
        fprintf(stderr, "bench: %s, grain %lu: %s\n", who, grain, why);
        exit(1);
    }
}

/* One timed run of e at grain g: ms.  *c gets the
 * run's tasks and steals added. */
static double time_program(struct prog *p, const struct entry *e, unsigned threads,
                           unsigned long g, struct pcell *c)
{
    if (e->kind == PEER) {
        char args[160];
        snprintf(args, sizeof args, "%s %u %lu %lu", names[p->id], threads, p->size, g);
        return run_peer_program(e->peer, args) / 1e6;
    }
    if (e->kind == SERIAL) {
        prog_prepare(p);
        uint64_t t0 = now_ns();
        prog_run_serial(p);
        uint64_t t1 = now_ns();
        check_or_exit(p, e->name, g);
        return (double)(t1 - t0) / 1e6;
    }
    void *pool = e->sched->create(threads);
    if (pool == NULL) {
        fprintf(stderr, "bench: %s: create(%u): %s\n", e->name, threads, strerror(errno));
        exit(1);
    }
    prog_prepare(p);
    prog_run_pool(p, e->sched, pool, threads, g);   /* warm-up */
    check_or_exit(p, e->name, g);
    prog_prepare(p);
    struct sched_stats before, after;
    e->sched->stats(pool, &before);
    uint64_t t0 = now_ns();
    prog_run_pool(p, e->sched, pool, threads, g);
    uint64_t t1 = now_ns();
    e->sched->stats(pool, &after);
    check_or_exit(p, e->name, g);
    e->sched->destroy(pool);
    c->forks += (double)prog_forks(p);
    c->steals += (double)(after.steals - before.steals);
    /* relaxed: the run's wait() ordered every task's count before this */
    c->unsplit += atomic_load_explicit(&p->out_of_blocks, memory_order_relaxed);
    return (double)(t1 - t0) / 1e6;
}

/* Whether e runs the programs: serial, the pools (--sched: that one), and
 * the peers (not with --sched). */
static bool runs_programs(const struct entry *e, const char *only_sched)
{
    if (e->kind == SERIAL)
        return true;
    if (e->kind == POOL)
        return only_sched == NULL || strcmp(e->sched->name, only_sched) == 0;
    return e->kind == PEER && only_sched == NULL;
}

/* Times program p at every grain of gr, in rounds; fills cells[entry * n + grain]. */
static void measure_program(const struct bench *b, const struct options *opt, struct prog *p,
                            const struct grains *gr, struct pcell *cells, struct rng *rng,
                            FILE *raw)
{
    unsigned threads = b->threads[b->main_config], max_pairs = b->nentries * gr->n;
    unsigned max_reps = opt->reps ? opt->reps : 21, min_reps = opt->reps ? opt->reps : 7;
    unsigned *pair = calloc(max_pairs, sizeof *pair), npairs = 0;
    double *ms = calloc((size_t)max_pairs * max_reps, sizeof *ms);
    if (pair == NULL || ms == NULL) {
        perror("bench");
        exit(1);
    }
    for (unsigned i = 0; i < b->nentries; i++)
        for (unsigned g = 0; g < gr->n; g++)
            if (runs_programs(&b->entries[i], opt->sched) &&
                (g == 0 || b->entries[i].kind != SERIAL)) {
                if (prog_reserve(p, gr->v[g], threads) != 0) {
                    perror("bench: programs");
                    exit(1);
                }
                pair[npairs++] = i * gr->n + g;
            }
    bool progress = isatty(STDERR_FILENO);
    uint64_t start = now_ns();
    unsigned r;
    for (r = 0; r < max_reps && npairs > 0; r++) {
        if (r >= min_reps && (double)(now_ns() - start) / 1e9 > 4)
            break;
        shuffle_runs(pair, npairs, rng);
        for (unsigned k = 0; k < npairs; k++) {
            unsigned e = pair[k] / gr->n, g = pair[k] % gr->n;
            struct pcell *c = &cells[pair[k]];
            if (progress)
                fprintf(stderr, "\r  %s, round %u, %-40s", names[p->id], r + 1,
                        b->entries[e].name);
            double t = time_program(p, &b->entries[e], threads, gr->v[g], c);
            ms[(size_t)pair[k] * max_reps + r] = t;
            if (raw != NULL)
                fprintf(raw, "%s,%lu,%lu,%s,%u,%u,%.3f\n", names[p->id], p->size, gr->v[g],
                        b->entries[e].name, b->entries[e].kind == SERIAL ? 1 : threads, r, t);
        }
    }
    if (progress)
        fprintf(stderr, "\r%78s\r", "");
    for (unsigned k = 0; k < npairs; k++) {
        struct pcell *c = &cells[pair[k]];
        double *v = ms + (size_t)pair[k] * max_reps;
        c->n = r;
        c->med = sort_median(v, r);
        c->min = v[0];
        c->max = v[r - 1];
        c->forks /= r;
        c->steals /= r;
    }
    free(pair);
    free(ms);
}

/* The heading's line about what the program is. */
static void about(const struct bench *b, enum prog_id id, const struct prog *p)
{
    if (id == PROG_NQUEENS)
        out(b, "\nnqueens: the solutions of %lu queens (%llu, OEIS A000170), a task per\n"
               "placement in the rows above the cut-off, serial below\n", p->size,
            (unsigned long long)p->expected);
    else if (id == PROG_SORT)
        out(b, "\nsort: merge sort of %lu keys (splitmix64, seed 1): pieces longer than the\n"
               "grain sort their halves in parallel, then merge serially\n", p->size);
    else
        out(b, "\nreduce: the sum of f(key) over %lu keys (splitmix64, seed 2, f about 6 ns):\n"
               "pieces longer than the grain split in two; adaptive: rayon's splitter\n",
            p->size);
}

static void print_program(const struct bench *b, struct prog *p, const struct grains *gr,
                          const struct pcell *cells)
{
    enum prog_id id = p->id;
    unsigned n = 0, order[MAX_GRAINS];
    for (unsigned i = 0; i < b->nentries && n == 0; i++)
        n = cells[i * gr->n].n;
    grain_order(gr, order);
    char main_grain[32];
    grain_name(main_grain, sizeof main_grain, id, gr->v[0]);
    about(b, id, p);
    out(b, "%u %s, median of %u runs; every run's answer checked; * the table's %s\n\n",
        b->threads[b->main_config], workers_word(b->threads[b->main_config]), n,
        id == PROG_NQUEENS ? "cut-off" : "grain");
    char ms_head[48];
    snprintf(ms_head, sizeof ms_head, "ms per run, %s", main_grain);
    out(b, "%-30s %-31s  speed-up over serial, by %s\n", "", ms_head,
        id == PROG_NQUEENS ? "cut-off" : "grain");
    out(b, "%-30s %8s %22s ", "", "median", "min -       max");
    for (unsigned k = 0; k < gr->n; k++) {
        char h[24];
        unsigned long g = gr->v[order[k]];
        if (id == PROG_REDUCE && g == 0)
            snprintf(h, sizeof h, "adaptive%s", order[k] == 0 ? "*" : "");
        else
            snprintf(h, sizeof h, "%lu%s", g, order[k] == 0 ? "*" : "");
        out(b, " %9s", h);
    }
    out(b, " %9s %8s\n", "tasks/run", "steals");
    double serial = 0;
    bool unsplit = false, peers = false;
    for (unsigned i = 0; i < b->nentries; i++)
        if (b->entries[i].kind == SERIAL && cells[i * gr->n].n > 0)
            serial = cells[i * gr->n].med;
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        const struct pcell *c = &cells[i * gr->n];
        bool any = false;
        for (unsigned g = 0; g < gr->n; g++)
            any |= c[g].n > 0;
        if (!any)
            continue;
        peers |= e->kind == PEER;
        char med[16] = "", range[32] = "";
        if (c[0].n > 0) {
            snprintf(med, sizeof med, "%.1f", c[0].med);
            snprintf(range, sizeof range, "%9.1f - %9.1f", c[0].min, c[0].max);
        }
        out(b, "%-30s %8s %22s ", e->name, med, range);
        for (unsigned k = 0; k < gr->n; k++) {
            const struct pcell *x = &c[e->kind == SERIAL ? 0 : order[k]];  /* serial has no grain */
            char v[16] = "";
            if (x->n > 0 && serial > 0)
                snprintf(v, sizeof v, "%.2fx", serial / x->med);
            unsplit |= x->unsplit > 0;
            out(b, " %9s", v);             /* serial: 1.00x, the base of every column */
        }
        char forks[16] = "", steals[16] = "";
        if (e->kind == POOL && c[0].n > 0) {
            snprintf(forks, sizeof forks, "%.0f", c[0].forks);
            snprintf(steals, sizeof steals, "%.1f", c[0].steals);
        }
        out(b, " %9s %8s\n", forks, steals);
    }
    out(b, "(speed-up: serial's median over this one's, in this run; tasks/run: pieces\n"
           " of parallel work made per run at the table's %s, spawned or join's b;\n"
           " steals: tasks taken from another worker per run, at the same)\n",
        id == PROG_NQUEENS ? "cut-off" : "grain");
    if (peers)
        out(b, "(serial parts: the C and C++ peers link programs.c built by gcc; the Rust\n"
               " and Go peers run their ports of it; the serial row and the lessons %s's)\n",
#ifdef __clang__
            "clang"
#else
            "gcc"
#endif
        );
    if (unsplit)
        out(b, "(a lesson without join ran out of room for its pieces in some adaptive runs,\n"
               " and summed the rest of those pieces unsplit: programs_pool.c says why)\n");
}

/* program-NAME.dat, for plot.gp: a row per pool and peer, a column per
 * grain in ascending order, the speed-up over serial; and the rows of
 * programs.csv. */
static void write_dat(const struct bench *b, const char *dir, const struct prog *p,
                      const struct grains *gr, const struct pcell *cells, FILE *sum)
{
    char name[64];
    snprintf(name, sizeof name, "program-%s.dat", names[p->id]);
    FILE *f = open_in(dir, name, "w");
    if (f == NULL)
        return;
    double serial = 0;
    for (unsigned i = 0; i < b->nentries; i++)
        if (b->entries[i].kind == SERIAL && cells[i * gr->n].n > 0)
            serial = cells[i * gr->n].med;
    unsigned order[MAX_GRAINS];
    grain_order(gr, order);
    fprintf(f, "label");
    for (unsigned k = 0; k < gr->n; k++) {
        char h[32];
        grain_name(h, sizeof h, p->id, gr->v[order[k]]);
        fprintf(f, " \"%s%s\"", h, order[k] == 0 ? " *" : "");
    }
    fprintf(f, "\n");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        const struct pcell *c = &cells[i * gr->n];
        for (unsigned g = 0; g < gr->n; g++)
            if (sum != NULL && c[g].n > 0)
                fprintf(sum, "%s,%lu,%lu,%s,%s,%u,%u,%.3f,%.3f,%.3f,%.3f,%.1f,%.1f\n",
                        names[p->id], p->size, gr->v[g], e->name,
                        e->kind == SERIAL ? "serial" : e->kind == PEER ? "peer" : "pool",
                        e->kind == SERIAL ? 1 : b->threads[b->main_config], c[g].n, c[g].med,
                        c[g].min, c[g].max, serial > 0 ? serial / c[g].med : 0.0,
                        c[g].forks, c[g].steals);
        if (e->kind != POOL && e->kind != PEER)
            continue;
        bool any = false;
        for (unsigned g = 0; g < gr->n; g++)
            any |= c[g].n > 0;
        if (!any)
            continue;
        char l[64];
        plot_label(l, sizeof l, e->name);
        fprintf(f, "\"%s\"", l);
        for (unsigned k = 0; k < gr->n; k++) {
            const struct pcell *x = &c[order[k]];
            fprintf(f, x->n > 0 && serial > 0 ? " %.3f" : " NaN",
                    x->n > 0 && serial > 0 ? serial / x->med : 0.0);
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

void run_programs(const struct bench *b, const struct options *opt, struct rng *rng)
{
    const unsigned long sizes[NPROGS] = { opt->nq_n, opt->sort_n, opt->reduce_n };
    const struct grains *grains[NPROGS] = { &opt->cutoffs, &opt->sort_grains,
                                            &opt->reduce_grains };
    FILE *raw = open_in(opt->out_dir, "programs-runs.csv", "w");
    FILE *sum = open_in(opt->out_dir, "programs.csv", "w");
    if (raw != NULL)
        fprintf(raw, "program,size,grain,scheduler,threads,rep,ms\n");
    if (sum != NULL)
        fprintf(sum, "program,size,grain,scheduler,kind,threads,n,median_ms,min_ms,max_ms,"
                     "speedup_over_serial,tasks_per_run,steals_per_run\n");
    for (int id = 0; id < NPROGS; id++) {
        if (opt->only != NULL && strcmp(opt->only, names[id]) != 0)
            continue;
        struct prog *p = prog_new((enum prog_id)id, sizes[id]);
        struct pcell *cells = calloc((size_t)b->nentries * grains[id]->n, sizeof *cells);
        if (p == NULL || cells == NULL) {
            fprintf(stderr, "bench: %s: %s\n", names[id], strerror(errno));
            exit(1);
        }
        measure_program(b, opt, p, grains[id], cells, rng, raw);
        print_program(b, p, grains[id], cells);
        write_dat(b, opt->out_dir, p, grains[id], cells, sum);
        free(cells);
        prog_free(p);
    }
    if (raw != NULL)
        fclose(raw);
    if (sum != NULL)
        fclose(sum);
}
