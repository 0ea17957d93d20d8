/*
 * report.c: what bench measured, as tables on the terminal (and in
 * bench.txt), as summary.csv and wakeup.csv, and as the .dat files that
 * plot.gp draws.  Two parts live in files of their own: reference.c, the
 * last table (this run's ratios beside a reference run's), and
 * plot_data.c, the files written for gnuplot and for other programs.
 *
 * Every ratio in a table divides two medians of the same run: an absolute
 * time from another run, another day or another machine is another
 * experiment.  Each ratio column's heading says what it divides by.  The
 * last table puts this run's ratios beside a reference run's ratios: a
 * ratio, not a time, is what can be compared across machines.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
const struct cell *table_of(const struct entry *e, enum workload_id w)
{
    return e->table[w].n > 0 ? &e->table[w] : NULL;
}

/* e's cell in w's sweep with threads[c] workers, or NULL. */
const struct cell *sweep_of(const struct entry *e, enum workload_id w, unsigned c)
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

/* The median of the entry of kind k on w's table, or 0. */
static double kind_median(const struct bench *b, enum kind k, enum workload_id w)
{
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct cell *c = table_of(&b->entries[i], w);
        if (c != NULL && b->entries[i].kind == k)
            return c->med;
    }
    return 0;
}

static double serial_median(const struct bench *b, enum workload_id w)
{
    return kind_median(b, SERIAL, w);
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

/* The table's ratio column for a median m, as the workload calls for:
 *   flat, spawn_inside, tree  times faster than lesson01: its time / m
 *   fib                       m / serial with a call per node: the cost of
 *                             fork-join's calls over the same calls made
 *                             plainly (a pool is slower, so this reads as
 *                             "N times serial's time", not as a speed-up)
 *   imbalanced                m / the ideal
 *   find_any                  times faster than a serial scan: its time / m
 * 0 when the baseline did not run.  ratio_heading says the same in two
 * lines of the table's heading. */
double ratio(const struct bench *b, enum workload_id w, double m)
{
    if (w == IMBALANCED)
        return m / ideal(b, b->threads[b->main_config]);
    if (w == FIB) {
        double base = kind_median(b, SERIAL_CALLS, w);
        return base > 0 ? m / base : 0;
    }
    double base = w == FIND_ANY ? serial_median(b, w) : median_of(b, "lesson01_shared_queue", w);
    return base > 0 ? base / m : 0;
}

static void ratio_heading(enum workload_id w, const char **line1, const char **line2)
{
    switch (w) {
    case FIB:
        *line1 = "time over serial", *line2 = "(call per node)";
        break;
    case IMBALANCED:
        *line1 = "time over", *line2 = "the ideal";
        break;
    case FIND_ANY:
        *line1 = "times faster than", *line2 = "the serial scan";
        break;
    default:
        *line1 = "times faster", *line2 = "than lesson01";
        break;
    }
}

/* The name of e's row in w's table: fib's two serial rows say which is
 * which. */
static void row_name(char *buf, size_t size, const struct entry *e, enum workload_id w)
{
    if (e->kind == SERIAL && w == FIB)
        snprintf(buf, size, "serial (compiler-rewritten)");
    else
        snprintf(buf, size, "%s%s", e->name, e->kind == POOL_ONE ? " (1 worker)" : "");
}

void print_table(const struct bench *b, enum workload_id w)
{
    const struct workload *wl = &b->workloads[w];
    unsigned n = b->entries[0].table[w].n;
    out(b, "\n%s: %s\n%lu %s per run, %u %s, median of %u runs\n\n", wl->name, wl->about,
        expected_tasks(wl), w == FIB ? "calls" : w == FIND_ANY ? "elements (ns/task: per element)" : "tasks",
        b->threads[b->main_config], workers_word(b->threads[b->main_config]), n);
    double peer = best_peer(b, w);
    const char *r1, *r2;
    ratio_heading(w, &r1, &r2);
    out(b, "%-30s %8s %19s %8s %17s %10s %8s %7s %7s %7s\n", "", "ns/task", "min - max",
        "Mtasks/s", r1, peer > 0 ? "time over" : "", "steals/", "per", "tries/", "parks/");
    out(b, "%-30s %8s %19s %8s %17s %10s %8s %7s %7s %7s\n", "", "", "", "", r2,
        peer > 0 ? "best peer" : "", "task", "steal", "steal", "run");
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
        if (peer > 0 && e->kind != SERIAL && e->kind != SERIAL_CALLS)
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
        row_name(name, sizeof name, e, w);
        out(b, "%-30s %8.1f %8.1f - %8.1f %8.2f %17s %10s %8s %7s %7s %7s\n", name, c->med,
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
double sweep_value(const struct bench *b, const struct entry *e, enum workload_id w,
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

/* "%.1f" of v into buf, or "" when v < 0 (not measured). */
void fmt_or_blank(char *buf, size_t size, const char *fmt, double v)
{
    if (v < 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, fmt, v);
}

void print_wakeups(const struct bench *b)
{
    out(b, "\nwake-up: %u times, a pool of %u %s left quiet for %d ms, then one task\n"
           "submitted from a thread that is not one of the workers; latency from the submit\n"
           "to the task's first instruction; the process's CPU time over the whole test\n"
           "(the quiet gaps included) per wake-up; and how many of the tasks ran on the\n"
           "submitting thread, the caller (a task run there woke nobody)\n\n",
        b->wakeups, b->threads[b->main_config], workers_word(b->threads[b->main_config]),
        WAKE_GAP_MS);
    out(b, "%-30s %28s %12s %14s\n", "", "latency, us", "CPU us per", "ran on");
    out(b, "%-30s %9s %9s %9s %12s %14s\n", "", "median", "p99", "max", "wake-up", "the caller");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        if (e->wake_us[0] < 0)
            continue;
        char cpu[16], caller[32];
        fmt_or_blank(cpu, sizeof cpu, "%.1f", e->wake_cpu_us);
        snprintf(caller, sizeof caller, "%u of %u", e->wake_on_caller, b->wakeups);
        out(b, "%-30s %9.1f %9.1f %9.1f %12s %14s\n", e->name, e->wake_us[0], e->wake_us[1],
            e->wake_us[2], cpu, caller);
    }
    out(b, "(the lessons: the main thread spawns and waits in wait(); the OpenMP peers:\n"
           " the team's master thread, one more than the workers, creates the task and\n"
           " waits on a semaphore, not at a task scheduling point, so that it cannot run\n"
           " the task itself; oneTBB: a thread outside the arena enqueues it and waits)\n");
}

void print_idle(const struct bench *b)
{
    bool any = false;
    for (unsigned i = 0; i < b->nentries; i++)
        any |= b->entries[i].idle_ms >= 0 || b->entries[i].idle_gap_ms >= 0;
    if (!any)
        return;
    out(b, "\nidle CPU, %u %s: CPU ms the process burns per second of quiet, in the\n"
           "first %d ms of quiet (the wake-up test's gaps: the quiet each wake-up wakes\n"
           "from) and from %d ms of quiet on (over %.1f s)\n\n",
        b->threads[b->main_config], workers_word(b->threads[b->main_config]), WAKE_GAP_MS,
        IDLE_AFTER_MS, b->idle_seconds);
    char h1[32], h2[32];
    snprintf(h1, sizeof h1, "first %d ms", WAKE_GAP_MS);
    snprintf(h2, sizeof h2, "after %d ms", IDLE_AFTER_MS);
    out(b, "%-30s %14s %14s\n", "", "idle ms/s,", "idle ms/s,");
    out(b, "%-30s %14s %14s\n", "", h1, h2);
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        if (e->idle_ms < 0 && e->idle_gap_ms < 0)
            continue;
        char gap[16], after[16];
        fmt_or_blank(gap, sizeof gap, "%.1f", e->idle_gap_ms);
        fmt_or_blank(after, sizeof after, "%.1f", e->idle_ms);
        out(b, "%-30s %14s %14s\n", e->name, gap, after);
    }
    out(b, "(a pool of %u %s spinning all the time burns %u ms/s)\n", b->threads[b->main_config],
        workers_word(b->threads[b->main_config]), 1000 * b->threads[b->main_config]);
}

void print_summary(const struct bench *b)
{
    unsigned mc = b->main_config;
    out(b, "\nsummary, %u %s: the medians above side by side\n\n", b->threads[mc],
        workers_word(b->threads[mc]));
    out(b, "%-30s %8s %8s %8s %10s %15s %15s %9s\n", "", "flat", "tree", "fib", "imbalanced",
        "idle ms/s", "wake-up us", "CPU us");
    out(b, "%-30s %8s %8s %8s %10s %15s %15s %9s\n", "", "ns/task", "ns/task", "ns/call",
        "time/ideal", "1 ms / 20 ms", "p50 / p99", "per wake");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        if (e->kind != POOL && e->kind != PEER)
            continue;
        char f[4][16] = { "", "", "", "" }, idle[32] = "", wake[32] = "", cpu[16] = "";
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
        char gap[16], after[16];
        fmt_or_blank(gap, sizeof gap, "%.1f", e->idle_gap_ms);
        fmt_or_blank(after, sizeof after, "%.1f", e->idle_ms);
        if (gap[0] != '\0' || after[0] != '\0')
            snprintf(idle, sizeof idle, "%s / %s", gap[0] ? gap : "-", after[0] ? after : "-");
        if (e->wake_us[0] >= 0)
            snprintf(wake, sizeof wake, "%.1f / %.1f", e->wake_us[0], e->wake_us[1]);
        fmt_or_blank(cpu, sizeof cpu, "%.1f", e->wake_cpu_us);
        out(b, "%-30s %8s %8s %8s %10s %15s %15s %9s\n", e->name, f[0], f[1], f[2], f[3], idle,
            wake, cpu);
    }
    out(b, "\n(times faster than lesson01, or than the serial scan: that time over this\n"
           " one, in this run; time over serial (call per node): fork-join fib's time\n"
           " over the same calls made plainly, one per node, on one thread; time over the\n"
           " ideal: over the serial time / min(workers, CPUs); time over best peer: over\n"
           " the fastest peer's, under 1 is faster than every peer; steals/task: tasks\n"
           " taken from another worker per task run; per steal: tasks one successful\n"
           " steal took; tries/steal: steal attempts per successful steal; parks/run:\n"
           " times a worker went to sleep, per timed run)\n");
}
