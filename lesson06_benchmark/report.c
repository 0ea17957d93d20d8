/*
 * report.c: what bench measured, as tables on the terminal (and in
 * bench.txt), as summary.csv and wakeup.csv, and as the .dat files that
 * plot.gp draws.
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
static double ratio(const struct bench *b, enum workload_id w, double m)
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
    out(b, "\n%s: %s\n%lu %s per run, %u workers, median of %u runs\n\n", wl->name, wl->about,
        expected_tasks(wl), w == FIB ? "calls" : w == FIND_ANY ? "elements (ns/task: per element)" : "tasks",
        b->threads[b->main_config], n);
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

/* "%.1f" of v into buf, or "" when v < 0 (not measured). */
static void fmt_or_blank(char *buf, size_t size, const char *fmt, double v)
{
    if (v < 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, fmt, v);
}

void print_wakeups(const struct bench *b)
{
    out(b, "\nwake-up: %u times, a pool of %u workers left quiet for %d ms, then one task\n"
           "submitted from a thread that is not one of the workers; latency from the submit\n"
           "to the task's first instruction; the process's CPU time over the whole test\n"
           "(the quiet gaps included) per wake-up; and how many of the tasks ran on the\n"
           "submitting thread, the caller (a task run there woke nobody)\n\n",
        b->wakeups, b->threads[b->main_config], WAKE_GAP_MS);
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
    out(b, "\nidle CPU, %u workers: CPU ms the process burns per second of quiet, in the\n"
           "first %d ms of quiet (the wake-up test's gaps: the quiet each wake-up wakes\n"
           "from) and from %d ms of quiet on (over %.1f s)\n\n",
        b->threads[b->main_config], WAKE_GAP_MS, IDLE_AFTER_MS, b->idle_seconds);
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
    out(b, "(%u workers that spin all the time burn %u ms/s)\n", b->threads[b->main_config],
        1000 * b->threads[b->main_config]);
}

void print_summary(const struct bench *b)
{
    unsigned mc = b->main_config;
    out(b, "\nsummary, %u workers: the medians above side by side\n\n", b->threads[mc]);
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

/* ---- the learner's ratios beside the reference run's ---- */

/* Each lesson's time is divided by this lesson's on the same workload. */
static const char *reference_base(enum workload_id w)
{
    return w == FLAT ? "lesson01_shared_queue" : "lesson04_chase_lev";
}

/* The reference run's table medians of this run's pools, read from
 * dir/summary.csv: med[i][w] for entry i, 0 where it has none.  The columns
 * are found by name in the header, so a file with more or fewer columns
 * reads the same; rows of another part (the sweep) or kind (a pool of one
 * worker) are skipped when the file says which.  *threads gets the
 * reference's worker count (0 if no row matched).  Returns NULL, or why
 * the file cannot be used: it cannot be read, or it has no workload,
 * scheduler or median column. */
static const char *read_reference(const struct bench *b, const char *path,
                                  double (*med)[NWORKLOADS], unsigned *threads)
{
    char line[1024];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return strerror(errno);
    enum { WORKLOAD, PART, SCHEDULER, KIND, THREADS, MEDIAN, NCOLS };
    static const char *names[NCOLS] = { "workload", "part", "scheduler", "kind", "threads",
                                        "median" };
    int col[NCOLS] = { -1, -1, -1, -1, -1, -1 };
    if (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        int k = 0;
        for (char *tok = strtok(line, ","); tok != NULL; tok = strtok(NULL, ","), k++)
            for (int c = 0; c < NCOLS; c++)
                if (strcmp(tok, names[c]) == 0)
                    col[c] = k;
    }
    if (col[WORKLOAD] < 0 || col[SCHEDULER] < 0 || col[MEDIAN] < 0) {
        fclose(f);
        return "no workload, scheduler or median column in its first line";
    }
    *threads = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *field[32] = { 0 };
        int n = 0;
        for (char *p = line; n < 32;) {     /* strtok would skip empty fields */
            field[n++] = p;
            p = strchr(p, ',');
            if (p == NULL)
                break;
            *p++ = '\0';
        }
        bool ok = true;
        for (int c = 0; c < NCOLS; c++)
            ok &= col[c] < n;
        if (!ok || (col[PART] >= 0 && strcmp(field[col[PART]], "table") != 0) ||
            (col[KIND] >= 0 && strcmp(field[col[KIND]], "pool") != 0))
            continue;
        for (unsigned i = 0; i < b->nentries; i++) {
            const struct entry *e = &b->entries[i];
            if (e->kind != POOL || strcmp(e->name, field[col[SCHEDULER]]) != 0)
                continue;
            for (int w = 0; w < NWORKLOADS; w++)
                if (strcmp(b->workloads[w].name, field[col[WORKLOAD]]) == 0) {
                    med[i][w] = strtod(field[col[MEDIAN]], NULL);
                    if (col[THREADS] >= 0)
                        *threads = (unsigned)strtoul(field[col[THREADS]], NULL, 10);
                }
        }
    }
    fclose(f);
    return NULL;
}

/* A ratio in 6 characters, or "-" when either time is missing. */
static void fmt_ratio(char *buf, size_t size, double num, double den)
{
    double r = num > 0 && den > 0 ? num / den : 0;
    if (r <= 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, r >= 100 ? "%.0f" : r >= 10 ? "%.1f" : "%.2f", r);
}

void print_reference(const struct bench *b, const char *dir)
{
    double (*ref)[NWORKLOADS] = calloc(b->nentries, sizeof *ref);
    if (ref == NULL)
        return;
    unsigned ref_threads = 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    const char *why = read_reference(b, path, ref, &ref_threads);
    if (why != NULL) {
        out(b, "\nno reference run to compare your ratios with: %s: %s (--reference DIR)\n",
            path, why);
        free(ref);
        return;
    }
    /* the default is the run the lesson pages quote as [R1] */
    bool book = strcmp(dir, REFERENCE_DIR) == 0;
    const char *theirs_name = book ? "the book's" : "the reference run's";
    char machine[512] = "";
    snprintf(path, sizeof path, "%s/bench.txt", dir);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        if (fgets(machine, sizeof machine, f) != NULL)
            machine[strcspn(machine, "\n")] = '\0';
        fclose(f);
    }
    /* the base's column in each workload: lesson01's on flat, else lesson04's */
    int base[NWORKLOADS];
    for (int w = 0; w < NWORKLOADS; w++) {
        base[w] = -1;
        for (unsigned i = 0; i < b->nentries; i++)
            if (b->entries[i].kind == POOL && strcmp(b->entries[i].name, reference_base(w)) == 0)
                base[w] = (int)i;
    }
    out(b, "\nyour ratios beside %s: each lesson's time over lesson04's on the\n"
           "same workload in the same run (on flat, over lesson01's); under 1 is faster.\n"
           "yours: this run, %u workers\n%s: %s, %u workers\n",
        book ? "the book's [R1]" : "the reference run's", b->threads[b->main_config],
        theirs_name, dir, ref_threads);
    if (machine[0] != '\0')
        out(b, "  (%s)\n", machine);
    if (ref_threads != 0 && ref_threads != b->threads[b->main_config])
        out(b, "(not like for like: the worker counts differ; --threads %u matches)\n",
            ref_threads);
    out(b, "\n%-24s", "");
    for (int w = 0; w < NWORKLOADS; w++)
        out(b, " %13s", b->workloads[w].name);
    out(b, "\n%-24s", "");
    for (int w = 0; w < NWORKLOADS; w++)
        out(b, " %6s %6s", "yours", book ? "book" : "ref");
    out(b, "\n");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        if (e->kind != POOL)
            continue;
        out(b, "%-24s", e->name);
        for (int w = 0; w < NWORKLOADS; w++) {
            const struct cell *c = table_of(e, w), *bc = base[w] >= 0 ?
                table_of(&b->entries[base[w]], w) : NULL;
            char yours[16], theirs[16];
            fmt_ratio(yours, sizeof yours, c ? c->med : 0, bc ? bc->med : 0);
            fmt_ratio(theirs, sizeof theirs, ref[i][w], base[w] >= 0 ? ref[base[w]][w] : 0);
            out(b, " %6s %6s", yours, theirs);
        }
        out(b, "\n");
    }
    out(b, "(across machines a ratio, not a time, is what can hold; where yours and\n"
           " %s differ by more than the spread in the tables above, look at\n"
           " what differs: the CPUs, the load beside the run, the mode a run fell into)\n",
        theirs_name);
    free(ref);
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
         *imb = open_dat(dir, "imbalanced.dat"), *steals = open_dat(dir, "steals.dat"),
         *wake = open_dat(dir, "wakeup.csv");
    FILE *all[5] = { sum, flat, imb, steals, wake };
    int err = 0;
    for (int k = 0; k < 5; k++)
        err |= all[k] == NULL;
    if (err) {
        int saved = errno;
        for (int k = 0; k < 5; k++)
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
    /* empty where not measured */
    fprintf(wake, "scheduler,kind,threads,wakeups,median_us,p99_us,max_us,cpu_us_per_wakeup,"
                  "ran_on_caller,idle_ms_per_s_first_%dms,idle_ms_per_s_after_%dms\n",
            WAKE_GAP_MS, IDLE_AFTER_MS);
    static const char *kinds[] = { "serial", "serial_calls", "thread_per_task", "pool",
                                   "pool_one", "peer" };
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
        if (e->wake_us[0] >= 0 || e->idle_ms >= 0) {
            char cells[5][24];
            double v[5] = { e->wake_us[0], e->wake_us[1], e->wake_us[2], e->wake_cpu_us,
                            e->idle_gap_ms };
            for (int k = 0; k < 5; k++)
                fmt_or_blank(cells[k], sizeof cells[k], "%.3f", v[k]);
            char on_caller[16] = "", idle[24];
            if (e->wake_us[0] >= 0)
                snprintf(on_caller, sizeof on_caller, "%u", e->wake_on_caller);
            fmt_or_blank(idle, sizeof idle, "%.3f", e->idle_ms);
            fprintf(wake, "%s,%s,%u,%u,%s,%s,%s,%s,%s,%s,%s\n", e->name, kinds[e->kind],
                    b->threads[mc], e->wake_us[0] >= 0 ? b->wakeups : 0, cells[0], cells[1],
                    cells[2], cells[3], on_caller, cells[4], idle);
        }
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
    for (int k = 0; k < 5; k++)
        err |= fclose(all[k]) != 0;
    for (int w = 0; w < NWORKLOADS; w++)
        if (b->sweep[w])
            err |= write_sweep(b, dir, w) != 0;
    return err ? -1 : 0;
}
