/*
 * report.c: what bench measured, as tables on the terminal (and in
 * bench.txt), as summary.csv, and as the .dat files that plot.gp draws.
 *
 * Every ratio divides two medians of the same run: an absolute time from
 * another run, another day or another machine is another experiment.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

void out(const struct bench *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (b->txt != NULL) {
        va_start(ap, fmt);
        vfprintf(b->txt, fmt, ap);
        va_end(ap);
    }
}

/* e's cell in workload w's table, or NULL when e did not take part. */
static const struct cell *table_of(const struct entry *e, enum workload_id w)
{
    return e->table[w].n > 0 ? &e->table[w] : NULL;
}

/* e's cell in w's sweep with threads[c] workers, or NULL. */
static const struct cell *sweep_of(const struct entry *e, enum workload_id w, unsigned c)
{
    return e->sweep[w][c].n > 0 ? &e->sweep[w][c] : NULL;
}

/* The median of `name` (a POOL) on w at the main thread count, or 0. */
static double median_of(const struct bench *b, const char *name, enum workload_id w)
{
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        const struct cell *c = table_of(e, w);
        if (c != NULL && e->kind == POOL && strcmp(e->name, name) == 0)
            return c->med;
    }
    return 0;
}

static double serial_median(const struct bench *b, enum workload_id w)
{
    const struct cell *c = table_of(&b->entries[0], w);
    return c != NULL ? c->med : 0;
}

/* The fastest peer's median in w's table, or 0 when no peer ran. */
static double best_peer(const struct bench *b, enum workload_id w)
{
    double best = 0;
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct cell *cell = table_of(&b->entries[i], w);
        if (cell != NULL && b->entries[i].kind == PEER && (best == 0 || cell->med < best))
            best = cell->med;
    }
    return best;
}

/* imbalanced's ideal: the serial time shared out over the cores in use. */
static double ideal(const struct bench *b, unsigned threads)
{
    unsigned cores = threads < b->cpus ? threads : b->cpus;
    return serial_median(b, IMBALANCED) / cores;
}

/* The table's ratio column for a median m: against lesson01, serial or
 * the ideal, as the workload calls for. */
static double ratio(const struct bench *b, enum workload_id w, double m)
{
    if (w == IMBALANCED)
        return m / ideal(b, b->threads[b->main_config]);
    double base = w == FIB || w == FIND_ANY ? serial_median(b, w)
                                            : median_of(b, "lesson01_shared_queue", w);
    return base > 0 ? base / m : 0;
}

void print_table(const struct bench *b, enum workload_id w)
{
    const struct workload *wl = &b->workloads[w];
    unsigned n = b->entries[0].table[w].n;
    out(b, "\n%s: %s\n%lu %s per run, %u workers, median of %u runs\n\n", wl->name, wl->about,
        expected_tasks(wl), w == FIB ? "calls" : w == FIND_ANY ? "elements (ns/task: per element)" : "tasks",
        b->threads[b->main_config], n);
    double peer = best_peer(b, w);
    out(b, "%-30s %8s %19s %8s %11s %8s %8s %7s %7s %7s\n", "", "ns/task", "min - max",
        "Mtasks/s", w == FIB || w == FIND_ANY ? "vs serial" : w == IMBALANCED ? "vs ideal" : "vs lesson01",
        peer > 0 ? "vs peer" : "", "steals/", "per", "tries/", "parks/");
    out(b, "%-30s %8s %19s %8s %11s %8s %8s %7s %7s %7s\n", "", "", "", "", "", "", "task",
        "steal", "steal", "run");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        const struct cell *c = table_of(e, w);
        if (c == NULL)
            continue;
        char vs[16] = "", vs_peer[16] = "", steals[16] = "", batch[16] = "", tries[16] = "",
             parks[16] = "";
        double r = ratio(b, w, c->med);
        if (r > 0)
            snprintf(vs, sizeof vs, r < 0.1 ? "%.4fx" : "%.2fx", r);
        if (peer > 0 && e->kind != SERIAL)
            snprintf(vs_peer, sizeof vs_peer, "%.2f", c->med / peer);
        const struct sched_stats *s = &c->stats;
        if (e->kind == POOL && w != FIB && w != FIND_ANY) {
            double executed = s->executed ? (double)s->executed : 1;
            snprintf(steals, sizeof steals, "%.3f", (double)s->steals / executed);
            if (s->steal_batches > 0) {
                snprintf(batch, sizeof batch, "%.1f",
                         (double)s->steals / (double)s->steal_batches);
                snprintf(tries, sizeof tries, "%.1f",
                         (double)s->steal_attempts / (double)s->steal_batches);
            }
            snprintf(parks, sizeof parks, "%.1f", (double)s->parks / c->n);
        }
        char name[40];
        snprintf(name, sizeof name, "%s%s", e->name, e->kind == POOL_ONE ? " (1 worker)" : "");
        out(b, "%-30s %8.1f %8.1f - %8.1f %8.2f %11s %8s %8s %7s %7s %7s\n", name, c->med,
            c->min, c->max, 1e3 / c->med, vs, vs_peer, steals, batch, tries, parks);
    }
}

static void sweep_header(const struct bench *b, const char *first)
{
    out(b, "%-30s", first);
    for (unsigned c = 0; c < b->nconfigs; c++) {
        char h[24];
        unsigned t = b->threads[c];
        if (t > b->cpus && t % b->cpus == 0)
            snprintf(h, sizeof h, "%u (%ux)", t, t / b->cpus);
        else
            snprintf(h, sizeof h, "%u", t);
        out(b, " %9s", h);
    }
    out(b, "\n");
}

/* The sweep's value for e at threads[c]: for tree and fib, the speed-up
 * over its own time on 1 worker, T1 / Tp (the serial time is no yardstick
 * here: trivial tasks cost a scheduler more than they do, so every pool is
 * slower than serial, and the tables above say by how much); for flat, ns
 * per task.  0 when there is none. */
static double sweep_value(const struct bench *b, const struct entry *e, enum workload_id w,
                          unsigned c)
{
    const struct cell *cell = sweep_of(e, w, c), *one = sweep_of(e, w, 0);
    if (cell == NULL)
        return 0;
    if (w == FLAT)
        return cell->med;
    return b->threads[0] == 1 && one != NULL ? one->med / cell->med : 0;
}

void print_sweep(const struct bench *b, enum workload_id w)
{
    const struct workload *wl = &b->sweep_workloads[w];
    char name[32];
    snprintf(name, sizeof name, w == FIB ? "%s(%lu)" : "%s", wl->name, wl->size);
    out(b, "\n%s by workers: %s; %u CPUs, (2x): oversubscribed\n\n", name,
        w == FLAT ? "ns per task" : "speed-up over its own 1-worker time (T1 / Tp)", b->cpus);
    sweep_header(b, "workers:");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        if (e->kind != POOL && e->kind != PEER)
            continue;
        bool any = false;
        for (unsigned c = 0; c < b->nconfigs; c++)
            any |= sweep_of(e, w, c) != NULL;
        if (!any)
            continue;
        out(b, "%-30s", e->name);
        for (unsigned c = 0; c < b->nconfigs; c++) {
            double v = sweep_value(b, e, w, c);
            if (v == 0)
                out(b, " %9s", "");
            else
                out(b, w == FLAT ? " %9.1f" : " %9.2f", v);
        }
        out(b, "\n");
    }
    unsigned n = 0;
    for (unsigned i = 0; i < b->nentries && n == 0; i++)
        n = b->entries[i].sweep[w][0].n;
    out(b, "(medians of %u runs; every worker count ran in the same rounds)\n", n);
}

void print_summary(const struct bench *b)
{
    unsigned mc = b->main_config;
    out(b, "\nsummary, %u workers: ns per task (flat, tree) or per call (fib), imbalanced's\n"
           "time over the ideal, idle CPU, and wake-up latency\n\n",
        b->threads[mc]);
    out(b, "%-30s %9s %9s %9s %11s %11s %17s\n", "", "flat", "tree", "fib", "imbalanced",
        "idle ms/s", "wake-up p50/p99");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        if (e->kind != POOL && e->kind != PEER)
            continue;
        char f[4][16] = { "", "", "", "" }, idle[16] = "", wake[32] = "";
        enum workload_id ws[4] = { FLAT, TREE, FIB, IMBALANCED };
        for (int k = 0; k < 4; k++) {
            const struct cell *c = table_of(e, ws[k]);
            if (c == NULL)
                continue;
            if (ws[k] == IMBALANCED)
                snprintf(f[k], sizeof f[k], "%.2fx", ratio(b, IMBALANCED, c->med));
            else
                snprintf(f[k], sizeof f[k], "%.1f", c->med);
        }
        if (e->idle_ms >= 0)
            snprintf(idle, sizeof idle, "%.1f", e->idle_ms);
        if (e->wake_us[0] >= 0)
            snprintf(wake, sizeof wake, "%.1f / %.1f us", e->wake_us[0], e->wake_us[1]);
        out(b, "%-30s %9s %9s %9s %11s %11s %17s\n", e->name, f[0], f[1], f[2], f[3], idle, wake);
    }
    out(b, "\n(vs lesson01: times faster than lesson01 in this run (for fib: than serial);\n"
           " vs ideal: time over the serial time / min(workers, CPUs); vs peer: time over\n"
           " the fastest peer's, under 1 is faster than every peer; steals/task: tasks\n"
           " taken from another worker per task run; per steal: tasks one successful\n"
           " steal took; tries/steal: steal attempts per successful steal; parks/run:\n"
           " times a worker went to sleep, per timed run)\n");
}

/* A name gnuplot can show: "lesson03_trylock_steal" -> "lesson03 trylock steal". */
static void label(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s", name);
    for (char *p = buf; *p != '\0'; p++)
        if (*p == '_')
            *p = ' ';
}

static FILE *open_dat(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fopen(path, "w");
}

static int write_sweep(const struct bench *b, const char *dir, enum workload_id w)
{
    char name[32];
    snprintf(name, sizeof name, "sweep-%s.dat", b->workloads[w].name);
    FILE *f = open_dat(dir, name);
    if (f == NULL)
        return -1;
    /* a column for each pool or peer that took part */
    bool col[b->nentries];
    fprintf(f, "threads");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        col[i] = sweep_of(e, w, b->main_config) != NULL;
        char l[64];
        label(l, sizeof l, e->name);
        if (col[i])
            fprintf(f, " \"%s\"", l);
    }
    fprintf(f, "\n");
    for (unsigned c = 0; c < b->nconfigs; c++) {
        fprintf(f, "%u", b->threads[c]);
        for (unsigned i = 0; i < b->nentries; i++) {
            double v = sweep_value(b, &b->entries[i], w, c);
            if (col[i])
                fprintf(f, v != 0 ? " %.3f" : " NaN", v);
        }
        fprintf(f, "\n");
    }
    return fclose(f);
}

int write_plot_data(const struct bench *b, const char *dir)
{
    unsigned mc = b->main_config;
    FILE *sum = open_dat(dir, "summary.csv"), *flat = open_dat(dir, "flat.dat"),
         *imb = open_dat(dir, "imbalanced.dat"), *steals = open_dat(dir, "steals.dat");
    FILE *all[4] = { sum, flat, imb, steals };
    int err = 0;
    for (int k = 0; k < 4; k++)
        err |= all[k] == NULL;
    if (err) {
        int saved = errno;
        for (int k = 0; k < 4; k++)
            if (all[k] != NULL)
                fclose(all[k]);
        errno = saved;
        return -1;
    }
    fprintf(sum, "workload,part,scheduler,kind,threads,n,median,min,q1,q3,max,steals_per_task,"
                 "tasks_per_steal,tries_per_steal,parks_per_run\n");
    fprintf(flat, "# label median_ns min_ns max_ns (flat, %u workers)\n", b->threads[mc]);
    fprintf(imb, "# label time_over_ideal (imbalanced, %u workers)\n", b->threads[mc]);
    fprintf(steals, "label spawn_inside tree imbalanced\n");
    static const char *kinds[] = { "serial", "thread_per_task", "pool", "pool_one", "peer" };
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        for (int w = 0; w < NWORKLOADS; w++)
            for (int k = -1; k < (int)b->nconfigs; k++) {   /* -1: the table */
                const struct cell *cell = k < 0 ? table_of(e, w) : sweep_of(e, w, (unsigned)k);
                if (cell == NULL)
                    continue;
                unsigned threads = b->threads[k < 0 ? mc : (unsigned)k];
                const struct sched_stats *s = &cell->stats;
                double batches = s->steal_batches ? (double)s->steal_batches : NAN;
                fprintf(sum, "%s,%s,%s,%s,%u,%u,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.2f,%.2f,%.2f\n",
                        b->workloads[w].name, k < 0 ? "table" : "sweep", e->name, kinds[e->kind],
                        e->kind == POOL || e->kind == PEER ? threads : 1, cell->n,
                        cell->med, cell->min, cell->q1, cell->q3, cell->max,
                        s->executed ? (double)s->steals / (double)s->executed : 0.0,
                        (double)s->steals / batches, (double)s->steal_attempts / batches,
                        (double)s->parks / cell->n);
            }
        if (e->kind != POOL && e->kind != PEER)
            continue;
        char l[64];
        label(l, sizeof l, e->name);
        const struct cell *c = table_of(e, FLAT);
        if (c != NULL)
            fprintf(flat, "\"%s\" %.3f %.3f %.3f\n", l, c->med, c->min, c->max);
        c = table_of(e, IMBALANCED);
        if (c != NULL)
            fprintf(imb, "\"%s\" %.3f\n", l, ratio(b, IMBALANCED, c->med));
        if (e->kind == POOL) {
            fprintf(steals, "\"%s\"", l);
            enum workload_id ws[3] = { SPAWN_INSIDE, TREE, IMBALANCED };
            for (int k = 0; k < 3; k++) {
                c = table_of(e, ws[k]);
                double executed = c && c->stats.executed ? (double)c->stats.executed : 0;
                fprintf(steals, executed > 0 ? " %.4f" : " NaN",
                        executed > 0 ? (double)c->stats.steals / executed : 0.0);
            }
            fprintf(steals, "\n");
        }
    }
    for (int k = 0; k < 4; k++)
        err |= fclose(all[k]) != 0;
    for (int w = 0; w < NWORKLOADS; w++)
        if (b->sweep[w])
            err |= write_sweep(b, dir, w) != 0;
    return err ? -1 : 0;
}
