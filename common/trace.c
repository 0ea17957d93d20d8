/*
 * trace.c: the buffers behind trace.h's hooks, and the CSV writer.
 *
 * Built only into the traced library (`make trace`), with -DTRACE.
 *
 * One trace runs at a time.  `current` points at it while it runs, so that
 * a worker starting up can find its buffer (trace_attach); everything else
 * a worker does goes through its thread-local trace_self and touches only
 * its own buffer.  Buffer -1, for the thread that began the trace, is
 * bufs[0]; worker i's is bufs[1 + i].
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler.h"
#include "trace.h"

_Thread_local struct trace_buf *trace_self;

struct trace {
    unsigned nworkers;
    uint64_t t0;                /* now_ns() at trace_begin */
    struct trace_buf *bufs;     /* 1 + nworkers of them */
};

static _Atomic(struct trace *) current;

static const char *const type_names[TRACE_NTYPES] = {
    [TRACE_START] = "start",
    [TRACE_END] = "end",
    [TRACE_SPAWN] = "spawn",
    [TRACE_STEAL_TRY] = "steal_try",
    [TRACE_STEAL] = "steal",
    [TRACE_PARK] = "park",
    [TRACE_UNPARK] = "unpark",
};

/* The running trace, for the thread that began it (or one that joined the
 * workers, rule 2 in trace.h).  relaxed: that thread wrote it, or is
 * ordered after its writer by pthread_create/pthread_join. */
static struct trace *running(void)
{
    return atomic_load_explicit(&current, memory_order_relaxed);
}

static void free_trace(struct trace *tr, unsigned nbufs)
{
    for (unsigned i = 0; i < nbufs; i++)
        free(tr->bufs[i].events);
    free(tr->bufs);
    free(tr);
}

int trace_begin(unsigned nworkers, size_t capacity)
{
    if (nworkers == 0 || nworkers > SCHED_MAX_WORKERS || capacity == 0 ||
        capacity > SIZE_MAX / 2 / sizeof(struct trace_event))
        return EINVAL;
    if (running() != NULL)
        return EBUSY;
    struct trace *tr = calloc(1, sizeof *tr);
    if (tr == NULL)
        return ENOMEM;
    tr->nworkers = nworkers;
    tr->bufs = aligned_alloc(CACHELINE, (1 + nworkers) * sizeof *tr->bufs);
    if (tr->bufs == NULL) {
        free(tr);
        return ENOMEM;
    }
    /* Each event array is a whole number of cache lines, aligned, so that
     * no two threads' events ever share a line. */
    size_t bytes = (capacity * sizeof(struct trace_event) + CACHELINE - 1) / CACHELINE * CACHELINE;
    for (unsigned i = 0; i < 1 + nworkers; i++) {
        tr->bufs[i] = (struct trace_buf){ .events = aligned_alloc(CACHELINE, bytes),
                                          .cap = capacity };
        if (tr->bufs[i].events == NULL) {
            free_trace(tr, i);
            return ENOMEM;
        }
    }
    tr->t0 = now_ns();
    /* release: a worker whose acquire load in trace_attach finds tr also
     * sees the buffers initialised above. */
    atomic_store_explicit(&current, tr, memory_order_release);
    trace_self = &tr->bufs[0];
    return 0;
}

void trace_end(void)
{
    struct trace *tr = running();
    if (tr == NULL)
        return;
    /* relaxed: nobody may be recording now (rule 1: the pool is gone). */
    atomic_store_explicit(&current, NULL, memory_order_relaxed);
    trace_self = NULL;
    free_trace(tr, 1 + tr->nworkers);
}

void trace_attach(unsigned index)
{
    /* acquire: pairs with the release store in trace_begin. */
    struct trace *tr = atomic_load_explicit(&current, memory_order_acquire);
    trace_self = (tr != NULL && index < tr->nworkers) ? &tr->bufs[1 + index] : NULL;
}

unsigned trace_nworkers(void)
{
    struct trace *tr = running();
    return tr != NULL ? tr->nworkers : 0;
}

const struct trace_buf *trace_buffer(int worker)
{
    struct trace *tr = running();
    if (tr == NULL || worker < -1 || worker >= (int)tr->nworkers)
        return NULL;
    return &tr->bufs[1 + worker];
}

uint64_t trace_start_ns(void)
{
    struct trace *tr = running();
    return tr != NULL ? tr->t0 : 0;
}

const char *trace_type_name(unsigned type)
{
    return type < TRACE_NTYPES ? type_names[type] : "?";
}

/* One CSV line; the columns are listed in trace_write_csv. */
static void write_event(FILE *f, int worker, const struct trace_event *e, uint64_t t0)
{
    fprintf(f, "%d,%llu,%s,", worker, (unsigned long long)(e->ns - t0), trace_type_name(e->type));
    switch (e->type) {
    case TRACE_START:
    case TRACE_END:
    case TRACE_SPAWN:
        fprintf(f, "%llu,,\n", (unsigned long long)e->task);
        break;
    case TRACE_STEAL_TRY:
        fprintf(f, ",%d,\n", e->victim);
        break;
    case TRACE_STEAL:
        fprintf(f, ",%d,%u\n", e->victim, e->count);
        break;
    default:
        fprintf(f, ",,\n");
    }
}

/*
 * Each buffer is in time order already (one thread, a monotonic clock), so
 * merging is: repeatedly write the earliest of the buffers' next events.
 * Ties go to the lower buffer, main first.  That is a scan of every buffer
 * per event, which is fine for the few buffers a trace has.
 */
int trace_write_csv(FILE *f, const char *about)
{
    struct trace *tr = running();
    if (tr == NULL)
        return EINVAL;
    unsigned nbufs = 1 + tr->nworkers;
    size_t *next = calloc(nbufs, sizeof *next);
    if (next == NULL)
        return ENOMEM;

    fprintf(f, "# %s\n", about);
    fprintf(f, "# %u workers; events recorded and dropped (buffer full), per thread:\n",
            tr->nworkers);
    for (unsigned i = 0; i < nbufs; i++)
        fprintf(f, "#   %s%d: %zu recorded, %llu dropped\n", i == 0 ? "main " : "worker ",
                (int)i - 1, tr->bufs[i].len, (unsigned long long)tr->bufs[i].drops);
    fprintf(f, "# worker: -1 is the thread that began the trace (spawns from outside the pool)\n");
    fprintf(f, "# time_ns: since the trace began; task: the task's argument, as a number\n");
    fprintf(f, "# victim, count: for steal_try and steal, the worker stolen from and the tasks"
               " taken\n");
    fprintf(f, "worker,time_ns,event,task,victim,count\n");
    for (;;) {
        unsigned best = nbufs;
        for (unsigned i = 0; i < nbufs; i++) {
            if (next[i] == tr->bufs[i].len)
                continue;
            if (best == nbufs ||
                tr->bufs[i].events[next[i]].ns < tr->bufs[best].events[next[best]].ns)
                best = i;
        }
        if (best == nbufs)
            break;
        write_event(f, (int)best - 1, &tr->bufs[best].events[next[best]++], tr->t0);
    }
    free(next);
    return fflush(f) == 0 && !ferror(f) ? 0 : errno ? errno : EIO;
}
