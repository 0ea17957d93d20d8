/*
 * parking.pml: lesson 5's parking protocol (../sleep.c) as a Promela
 * model, for the spin model checker, which tries every interleaving of an
 * external spawner and the workers, and asks: can a task be left in the
 * queue while every worker sleeps?
 *
 *   make verify        checks this model four times: as written (spin must
 *                      find no stranded task), with -DPLAIN_LOAD (the
 *                      spawner reads `state` with a plain load instead of
 *                      an RMW), with -DNO_RECHECK (a parking worker does
 *                      not look at the queue again) and with
 *                      -DFIRST_FROM_HINT (the spawner decides whether its
 *                      task is the first one queued by a look at len_hint
 *                      before it takes the lock); spin must find the
 *                      stranded task in all three, and prints how.
 *
 * What is modelled.  Two workers, and two external spawners: one of two
 * tasks, one of one.  `queue` and `buffered` are the injector: a task a
 * spawner queued is in that spawner's store buffer (`buffered[s]`) until
 * it reaches memory (`queue`).  A look without the lock (len_hint, in
 * park's second look and before a take) sees memory only.  A take happens
 * under the injector's mutex, so it sees every task queued before it,
 * buffered or not, and it is one atomic step.  A worker's look can also
 * fail although a task is there (the lock was busy, or len_hint stale),
 * and then it goes on to park.  Only a first push (into an empty
 * injector, or while another first push is still calling: `callers`)
 * reads `state` and may wake a worker; a push behind other tasks only
 * queues (sleep.c, "a task queued behind others").  The mutex is why the
 * push knows which case it is in: it sees the whole queue.
 *
 * The store buffers stand for what a thread that does not take the lock
 * may not see yet; a thread that takes it sees every task queued in an
 * earlier critical section (the mutex's promise), so a push and a take
 * count both buffers.  That lets more interleavings happen than an x86
 * machine would, which only makes the check stronger.  Workers' own
 * stores are not buffered: that a taker's second look sees the len_hint
 * it wrote is coherence, argued in sleep.c, not checked here.
 *
 * What is not: a worker that takes from the injector and leaves tasks
 * there wakes a peer (take_from_injector in parking.c), as does the last
 * searcher that finds work (sleep_work_found in sleep.c).  Both only add
 * wake-ups, for parallelism; the model asks about stranded tasks, which
 * they cannot cause or cure.  `awake` and `searching` are the two halves
 * of sleep.c's `state`; `listed` is the idle list and `token` each
 * worker's parker (as a plain token: the parker's own states are not
 * modelled, nor shutdown, the deques, spawns from inside the pool, or a
 * searcher waking a peer).
 *
 * Memory is x86's (TSO): the spawner's store of a task goes through a
 * store buffer and reaches memory at a moment chosen by the `drain`
 * process, and a read-modify-write (a locked instruction) drains the
 * buffer first.  This is how a plain load in step 2 can miss: C11 allows
 * the load to be served before the task's stores are visible, and so do
 * x86 and Arm hardware.  (On x86 with glibc, the injector's unlock happens
 * to be an `xchg`, which drains the buffer and would hide the bug; the C
 * code may not rely on that, and Arm's unlock does no such thing.)  The
 * model checks the protocol's logic on a machine that reorders, not the
 * C11 orders themselves: it would pass with relaxed RMWs too, and the
 * argument for acquire and release is in sleep.c's top comment.
 *
 * The check: when nothing can move any more (spin's `timeout`), every
 * task has run.
 */

#define WORKERS 2
#define SPAWNERS 2
#define TASKS 3                 /* spawner 0 queues 2, spawner 1 queues 1 */

byte queue = 0;                 /* tasks in the injector, in memory */
byte buffered[SPAWNERS];        /* each spawner's stores not yet in memory */
byte callers = 0;               /* first pushes still to call a worker */
byte awake = WORKERS;
byte searching = 0;
bool listed[WORKERS];
bool token[WORKERS];
byte ran = 0;
byte spawners_done = 0;

proctype drain()
{
end:
    do
    :: atomic { buffered[0] > 0 -> printf("store buffer: spawner 0's %d task(s) reach memory\n",
                                          buffered[0]);
                queue = queue + buffered[0]; buffered[0] = 0 }
    :: atomic { buffered[1] > 0 -> printf("store buffer: spawner 1's %d task(s) reach memory\n",
                                          buffered[1]);
                queue = queue + buffered[1]; buffered[1] = 0 }
    od
}

/* sleep_wake_one(s) and sleep_wake_sleeper (sleep.h, sleep.c): if nobody
 * searches and somebody sleeps, take a sleeper off the list, count it
 * awake and searching, and leave it a token.  (The check against `s` and
 * the one under the lock are the same step here.) */
inline wake_one(s_awake, s_searching) {
    atomic {
        if
        :: s_searching == 0 && s_awake < WORKERS ->
            if
            :: searching == 0 && listed[0] -> listed[0] = false; awake++; searching++;
               token[0] = true; printf("spawner %d: wakes worker 0\n", me)
            :: searching == 0 && listed[1] -> listed[1] = false; awake++; searching++;
               token[1] = true; printf("spawner %d: wakes worker 1\n", me)
            :: else -> printf("spawner %d: finds nobody to wake\n", me)
            fi
        :: else -> printf("spawner %d: wakes nobody\n", me)
        fi
    }
}

proctype spawner(byte me; byte tasks)
{
    byte k = 0, s_awake, s_searching;
    bool first;
    do
    :: k < tasks ->
#ifdef FIRST_FROM_HINT
        /* Broken: "first" from a look at len_hint, and then the push, under
         * the lock: the queue can empty in between. */
        first = (queue == 0 && callers == 0);
        atomic { buffered[me]++;
                 if :: first -> callers++ :: else -> skip fi;
                 printf("spawner %d: queues its task %d (in its store buffer), first=%d from a stale look\n",
                        me, k, first) }
#else
        atomic { first = (queue + buffered[0] + buffered[1] == 0 || callers > 0);
                 buffered[me]++;
                 if :: first -> callers++ :: else -> skip fi;
                 printf("spawner %d: queues its task %d (in its store buffer), first=%d\n",
                        me, k, first) }
#endif
        if
        :: !first -> printf("spawner %d: its task %d is behind others: calls no worker\n", me, k);
            k++;
            goto next
        :: else -> skip
        fi;
#ifdef PLAIN_LOAD
        atomic { s_awake = awake; s_searching = searching;
                 printf("spawner %d: plain load of state: awake=%d searching=%d\n",
                        me, s_awake, s_searching) }
#else
        atomic { queue = queue + buffered[me]; buffered[me] = 0;
                 s_awake = awake; s_searching = searching;
                 printf("spawner %d: RMW on state (drains its store buffer): awake=%d searching=%d\n",
                        me, s_awake, s_searching) }
#endif
        wake_one(s_awake, s_searching);
        callers--;
        k++;
next:   skip
    :: else -> break
    od;
    spawners_done++
}

proctype worker(byte me)
{
    bool srch = false;
loop:
    if
    /* A look at len_hint (memory) finds a task.  The take, under the
     * lock, sees every task queued before it, buffered or not, and leaves
     * len_hint saying how many are left. */
    :: atomic { queue > 0 -> queue = queue + buffered[0] + buffered[1] - 1;
                buffered[0] = 0; buffered[1] = 0; ran++;
                printf("worker %d: runs a task\n", me) } ->
        if
        :: srch -> atomic { searching--; srch = false }
        :: else -> skip
        fi;
        goto loop
    :: atomic { queue == 0 && !srch -> searching++; srch = true;
                printf("worker %d: finds nothing, searches\n", me) } ->
        goto loop
    /* Nothing found: the queues were empty, or the looks failed although
     * a task was there (a busy lock, a stale len_hint).  Park. */
    :: true ->
        /* sleep_no_work_found: count ourselves out (an RMW, under the idle
         * lock) */
        atomic {
            listed[me] = true;
            awake--;
            if
            :: srch -> searching--; srch = false
            :: else -> skip
            fi;
            printf("worker %d: finds nothing, counts itself out\n", me)
        };
#ifndef NO_RECHECK
        atomic {
            if
            :: queue > 0 ->
                printf("worker %d: looks again, finds a task, stays up\n", me);
                if
                :: listed[me] -> listed[me] = false; awake++
                :: else -> srch = true  /* a waker took us off and counted us
                                           searching; its token waits */
                fi;
                goto loop
            :: else -> skip
            fi
        };
#endif
        printf("worker %d: sleeps\n", me);
end_sleep:
        atomic { token[me] -> token[me] = false };
        printf("worker %d: woken\n", me);
        atomic {
            if
            :: listed[me] -> listed[me] = false; awake++
            :: else -> srch = true  /* the waker counted us searching */
            fi
        };
        goto loop
    fi
}

/* When nothing can move any more, every task must have run. */
proctype check()
{
    timeout -> assert(spawners_done == SPAWNERS && ran == TASKS)
}

init {
    atomic {
        run drain();
        run worker(0);
        run worker(1);
        run spawner(0, 2);
        run spawner(1, 1);
        run check()
    }
}
