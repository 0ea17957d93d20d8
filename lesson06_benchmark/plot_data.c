/*
 * plot_data.c: what bench writes to files rather than prints: summary.csv
 * (every median, which reference.c reads back from a reference run),
 * wakeup.csv, and the .dat files that plot.gp draws (flat, imbalanced,
 * steals and a sweep-*.dat per swept workload).  The numbers are the
 * tables' (report.c); only their layout is gnuplot's.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

void plot_label(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s", name);
    for (char *p = buf; *p != '\0'; p++)
        if (*p == '_')
            *p = ' ';
}


static int write_sweep(const struct bench *b, const char *dir, enum workload_id w)
{
    char name[32];
    snprintf(name, sizeof name, "sweep-%s.dat", b->workloads[w].name);
    FILE *f = open_in(dir, name, "w");
    if (f == NULL)
        return -1;
    /* a column for each pool or peer that took part */
    bool col[b->nentries];
    fprintf(f, "threads");
    for (unsigned i = 0; i < b->nentries; i++) {
        const struct entry *e = &b->entries[i];
        col[i] = sweep_of(e, w, b->main_config) != NULL;
        char l[64];
        plot_label(l, sizeof l, e->name);
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
    FILE *sum = open_in(dir, "summary.csv", "w"), *flat = open_in(dir, "flat.dat", "w"),
         *imb = open_in(dir, "imbalanced.dat", "w"), *steals = open_in(dir, "steals.dat", "w"),
         *wake = open_in(dir, "wakeup.csv", "w");
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
        plot_label(l, sizeof l, e->name);
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
