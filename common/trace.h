/*
 * trace.h: per-worker event traces, compiled in only with -DTRACE.
 *
 * Each lesson's scheduler calls these hooks where something worth seeing
 * happens: a task starts or ends, a task is spawned, a worker tries to
 * steal or steals, a worker parks or wakes.  TRACING.md says where the
 * hooks are in each lesson, and how to turn a trace into a picture.
 *
 * WITHOUT -DTRACE every hook is an empty macro: its arguments are not even
 * evaluated, so the scheduler compiles to the same machine code as it did
 * before the hooks were written into it (common/scripts/trace-off-same.sh
 * checks that, object by object).  `make` builds that way; `make trace`
 * builds a second copy of everything with -DTRACE, in a directory of its
 * own, so traced and untraced objects never mix.
 *
 * WITH -DTRACE each thread that records has a buffer of its own (struct
 * trace_buf, on cache lines of its own), and a hook appends one fixed-size
 * event to the calling thread's buffer: no lock, no atomic, no cache line
 * that another thread writes.  A full buffer does not block and does not
 * grow: the event is dropped and counted in the buffer's `drops`.
 *
 * WHO RECORDS
 *   - a worker, once it has called trace_worker(its index), which every
 *     lesson's worker_loop does first thing: buffer 0 .. nworkers-1;
 *   - the thread that called trace_begin(): buffer -1 ("main"), for the
 *     spawns that come from outside the pool;
 *   - nobody else: a hook on any other thread does nothing.
 *
 * THE RULES (there are no locks to enforce them)
 *   1. trace_begin() before the pool is created, and one traced pool at a
 *      time: its workers write buffers 0 .. nworkers-1.
 *   2. Read the buffers (trace_buffer, trace_write_csv) only after the
 *      pool's destroy() has returned: destroy() joins the workers, and
 *      pthread_join is what makes their writes visible to the reader.
 *      (After wait() the workers are still running, and still record
 *      their steal attempts and parks: reading then would be a data race.)
 *   3. trace_end() after that, to free the buffers.
 */
#ifndef TRACE_H
#define TRACE_H

#ifdef TRACE

#include <stdint.h>
#include <stdio.h>

#include "cacheline.h"
#include "clock.h"

enum trace_type {
    TRACE_START,        /* a task starts: task */
    TRACE_END,          /* ... and ends: task */
    TRACE_SPAWN,        /* a task was queued by this thread: task */
    TRACE_STEAL_TRY,    /* about to try to steal from victim */
    TRACE_STEAL,        /* took count tasks from victim */
    TRACE_PARK,         /* going to sleep for lack of work */
    TRACE_UNPARK,       /* awake again */
    TRACE_NTYPES
};

/* One event: 32 bytes, the same for every type; a field a type does not
 * use is 0 (victim: -1). */
struct trace_event {
    uint64_t ns;        /* now_ns() when it happened */
    uint64_t task;      /* the task's argument, as a number */
    int32_t victim;     /* steals: the worker stolen from */
    uint32_t count;     /* steals: tasks taken */
    uint32_t type;      /* enum trace_type */
    uint32_t unused;
};

/* One thread's events.  Written by that thread only; read by others only
 * after they have joined it (rule 2 above).  _Alignas: a line of its own,
 * so that recording never touches a line another thread writes. */
struct trace_buf {
    _Alignas(CACHELINE) struct trace_event *events;    /* cap of them */
    size_t len;             /* recorded */
    size_t cap;
    uint64_t drops;         /* events that found the buffer full */
};

/* The calling thread's buffer, or NULL: it records nothing. */
extern _Thread_local struct trace_buf *trace_self;

/* Appends one event to the calling thread's buffer, or counts a drop. */
static inline void trace_record(enum trace_type type, uint64_t task, int victim, unsigned count)
{
    struct trace_buf *b = trace_self;
    if (b == NULL)
        return;
    if (b->len == b->cap) {
        b->drops++;
        return;
    }
    b->events[b->len++] = (struct trace_event){ now_ns(), task, victim, count, type, 0 };
}

/*
 * Starts a trace of a pool of nworkers, each buffer holding `capacity`
 * events, and makes the calling thread the recorder of buffer -1.
 * Returns 0, EINVAL (nworkers 0 or too many, capacity 0), EBUSY (a trace
 * is already running) or ENOMEM.
 */
int trace_begin(unsigned nworkers, size_t capacity);

/* Frees the buffers.  The traced pool must have been destroyed. */
void trace_end(void);

/* Called by a worker as it starts (the trace_worker hook): it records into
 * buffer `index` from now on, if a trace is running and has one. */
void trace_attach(unsigned index);

/* Reading, after the pool's destroy() (rule 2).  worker is -1 for the
 * thread that began the trace, else 0 .. trace_nworkers()-1. */
unsigned trace_nworkers(void);
const struct trace_buf *trace_buffer(int worker);
uint64_t trace_start_ns(void);                  /* now_ns() at trace_begin */
const char *trace_type_name(unsigned type);     /* "start", "steal", ... */

/*
 * Writes the trace as CSV, one line per event, every buffer merged in time
 * order (TRACING.md documents the columns).  `about` goes into the comment
 * lines at the top.  Returns 0, or errno when writing failed.
 */
int trace_write_csv(FILE *f, const char *about);

#define trace_worker(index)         trace_attach(index)
#define trace_task_start(arg)       trace_record(TRACE_START, (uintptr_t)(arg), -1, 0)
#define trace_task_end(arg)         trace_record(TRACE_END, (uintptr_t)(arg), -1, 0)
#define trace_spawn(arg)            trace_record(TRACE_SPAWN, (uintptr_t)(arg), -1, 0)
#define trace_steal_try(victim)     trace_record(TRACE_STEAL_TRY, 0, (int)(victim), 0)
#define trace_steal(victim, n)      trace_record(TRACE_STEAL, 0, (int)(victim), (unsigned)(n))
#define trace_park()                trace_record(TRACE_PARK, 0, -1, 0)
#define trace_unpark()              trace_record(TRACE_UNPARK, 0, -1, 0)

#else   /* no TRACE: the hooks are nothing at all */

#define trace_worker(index)         ((void)0)
#define trace_task_start(arg)       ((void)0)
#define trace_task_end(arg)         ((void)0)
#define trace_spawn(arg)            ((void)0)
#define trace_steal_try(victim)     ((void)0)
#define trace_steal(victim, n)      ((void)0)
#define trace_park()                ((void)0)
#define trace_unpark()              ((void)0)

#endif
#endif
