/*
 * parking.pml: lesson 5's parking protocol (../parking.c) as a Promela
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
 * What is modelled.  Two workers and one external spawner of three tasks.
 * `queue` and `buffered` are the injector: a task the spawner queued is
 * in its store buffer (`buffered`) until it reaches memory (`queue`).  A
 * look without the lock (len_hint, in park's second look and before a
 * take) sees memory only.  A take happens under the injector's mutex, so
 * it sees every task queued before it, buffered or not, and it is one
 * atomic step.  Only a push into an empty injector (`first`) reads
 * `state` and may wake a worker; a push behind other tasks only queues
 * (parking.c, "a task queued behind others").  The mutex is why the push
 * knows which case it is in: it sees the whole queue.
 * `awake` and `searching` are the two halves of parking.c's `state`;
 * `listed` is the idle list and `token` each worker's parker (as a plain
 * token: the parker's own states are not modelled, nor shutdown, the
 * deques, spawns from inside the pool, or a searcher waking a peer).
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
 * argument for acquire and release is in parking.c's header comment.
 *
 * The check: when nothing can move any more (spin's `timeout`), every
 * task has run.
 */

#define WORKERS 2
#define TASKS 3

byte queue = 0;                 /* tasks in the injector, in memory */
byte buffered = 0;              /* the spawner's stores not yet in memory */
byte awake = WORKERS;
byte searching = 0;
bool listed[WORKERS];
bool token[WORKERS];
byte ran = 0;
bool spawner_done = false;

proctype drain()
{
end:
    do
    :: atomic { buffered > 0 -> printf("store buffer: %d task(s) reach memory\n", buffered);
                queue = queue + buffered; buffered = 0 }
    od
}

/* wake_one(s): if nobody searches and somebody sleeps, take a sleeper off
 * the list, count it awake and searching, and leave it a token.  (The
 * check against `s` and the one under the lock are the same step here.) */
inline wake_one(s_awake, s_searching) {
    atomic {
        if
        :: s_searching == 0 && s_awake < WORKERS ->
            if
            :: searching == 0 && listed[0] -> listed[0] = false; awake++; searching++;
               token[0] = true; printf("spawner: wakes worker 0\n")
            :: searching == 0 && listed[1] -> listed[1] = false; awake++; searching++;
               token[1] = true; printf("spawner: wakes worker 1\n")
            :: else -> printf("spawner: finds nobody to wake\n")
            fi
        :: else -> printf("spawner: wakes nobody\n")
        fi
    }
}

proctype spawner()
{
    byte k = 0, s_awake, s_searching;
    bool first;
    do
    :: k < TASKS ->
#ifdef FIRST_FROM_HINT
        /* Broken: "first" from a look at len_hint, and then the push, under
         * the lock: the queue can empty in between. */
        first = (queue == 0);
        atomic { buffered++;
                 printf("spawner: queues task %d (in its store buffer), first=%d from a stale look\n",
                        k, first) }
#else
        atomic { first = (queue + buffered == 0); buffered++;
                 printf("spawner: queues task %d (in its store buffer), first=%d\n", k, first) }
#endif
        if
        :: !first -> printf("spawner: task %d is behind others: calls no worker\n", k);
            k++;
            goto next
        :: else -> skip
        fi;
#ifdef PLAIN_LOAD
        atomic { s_awake = awake; s_searching = searching;
                 printf("spawner: plain load of state: awake=%d searching=%d\n",
                        s_awake, s_searching) }
#else
        atomic { queue = queue + buffered; buffered = 0;
                 s_awake = awake; s_searching = searching;
                 printf("spawner: RMW on state (drains its store buffer): awake=%d searching=%d\n",
                        s_awake, s_searching) }
#endif
        wake_one(s_awake, s_searching);
        k++;
next:   skip
    :: else -> break
    od;
    spawner_done = true
}

proctype worker(byte me)
{
    bool srch = false;
loop:
    if
    /* A look at len_hint (memory) finds a task.  The take, under the
     * lock, sees every task queued before it, buffered or not, and leaves
     * len_hint saying how many are left. */
    :: atomic { queue > 0 -> queue = queue + buffered - 1; buffered = 0; ran++;
                printf("worker %d: runs a task\n", me) } ->
        if
        :: srch -> atomic { searching--; srch = false }
        :: else -> skip
        fi;
        goto loop
    :: atomic { queue == 0 && !srch && searching == 0 -> searching++; srch = true;
                printf("worker %d: finds nothing, searches\n", me) } ->
        goto loop
    :: queue == 0 ->
        /* park_worker: count ourselves out (an RMW, under the idle lock) */
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
    timeout -> assert(spawner_done && ran == TASKS)
}

init {
    atomic {
        run drain();
        run worker(0);
        run worker(1);
        run spawner();
        run check()
    }
}
