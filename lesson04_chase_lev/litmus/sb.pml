/*
 * sb.pml: store buffering (sb.c) on a model of x86's store buffers, for the
 * spin model checker, which tries every interleaving.
 *
 *   x = y = 0
 *   thread A:  x = 1;  r0 = y;        thread B:  y = 1;  r1 = x;
 *
 *   make verify    checks this model twice: as it is, where spin must find
 *                  the run in which both threads read 0, and prints it; and
 *                  with -DFENCE, a fence between each store and load, where
 *                  spin must find no such run
 *
 * What is modelled.  Each thread's store goes into its own store buffer;
 * the `drain` process moves it to memory at any moment it chooses.  A load
 * of the other thread's variable reads memory.  The fence (sb.c's fence and
 * seq_cst modes; mfence or a locked instruction on x86) empties the
 * thread's store buffer into memory before the load.
 */

byte x = 0;                     /* in memory: what the other thread reads */
byte y = 0;
bool a_buffered = false;        /* A's store x = 1 is in A's store buffer */
bool b_buffered = false;        /* B's store y = 1 is in B's store buffer */
byte r0, r1;
bool a_done = false;
bool b_done = false;

proctype thread_a() {
    atomic { a_buffered = true; printf("thread A: x = 1, into A's store buffer\n") }
#ifdef FENCE
    atomic {
        if :: a_buffered -> x = 1; a_buffered = false :: else -> skip fi;
        printf("thread A: fence: A's store buffer drains, x = 1 is in memory\n")
    }
#endif
    atomic {
        r0 = y;
        if
        :: b_buffered -> printf("thread A: r0 = y reads %d: B's y = 1 is still in B's store buffer\n", r0)
        :: else -> printf("thread A: r0 = y reads %d\n", r0)
        fi
    }
    a_done = true
}

proctype thread_b() {
    atomic { b_buffered = true; printf("thread B: y = 1, into B's store buffer\n") }
#ifdef FENCE
    atomic {
        if :: b_buffered -> y = 1; b_buffered = false :: else -> skip fi;
        printf("thread B: fence: B's store buffer drains, y = 1 is in memory\n")
    }
#endif
    atomic {
        r1 = x;
        if
        :: a_buffered -> printf("thread B: r1 = x reads %d: A's x = 1 is still in A's store buffer\n", r1)
        :: else -> printf("thread B: r1 = x reads %d\n", r1)
        fi
    }
    b_done = true
}

/* Empties either store buffer at any moment it chooses. */
proctype drain() {
    do
    :: atomic { a_buffered -> x = 1; a_buffered = false;
                printf("store buffer: A's x = 1 reaches memory\n") }
    :: atomic { b_buffered -> y = 1; b_buffered = false;
                printf("store buffer: B's y = 1 reaches memory\n") }
    :: a_done && b_done -> break
    od
}

/* At least one thread must read the other's store.  (The start order only
 * chooses which failing run spin finds first, the one `make verify`
 * prints: its search moves the last-started process first, so here A runs
 * to the end before B starts, and B still reads x = 0.) */
active proctype check() {
    atomic {
        run drain();
        run thread_b();
        run thread_a()
    }
    a_done && b_done;
    assert(r0 == 1 || r1 == 1)
}
