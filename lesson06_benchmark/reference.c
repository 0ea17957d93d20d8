/*
 * reference.c: the last table bench prints: the learner's ratios beside
 * the reference run's (by default the book's, [R1]).  A time from another
 * machine is another experiment; a ratio of two times from the same run
 * is what can be compared across machines, so each lesson's time is
 * divided by a base lesson's in this run and in the reference run, and the
 * two ratios are printed side by side.  It reads the reference run's
 * summary.csv, which plot_data.c writes, so any run can be a reference.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"


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

void print_reference(const struct bench *b, const char *dir, const char *out_dir)
{
    /* A run written into the reference directory is the new reference: the
     * summary.csv there is the one it replaces, and its bench.txt this run's
     * own.  Nothing to set beside it. */
    char here[PATH_MAX], there[PATH_MAX];
    if (realpath(dir, there) != NULL && realpath(out_dir, here) != NULL &&
        strcmp(here, there) == 0) {
        out(b, "\nthis run is written into the reference directory, %s: it is the reference, "
               "with nothing to compare\n", dir);
        return;
    }
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
