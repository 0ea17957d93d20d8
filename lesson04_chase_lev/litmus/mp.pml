/*
 * mp.pml: message passing (mp.c) on a machine that, like Arm and POWER,
 * lets one thread's stores reach another thread in any order, and performs
 * a thread's loads in any order, for the spin model checker.
 *
 *   data = 0, flag = 0
 *   writer:  data = 42;  flag = 1;
 *   reader:  r0 = flag;  if (r0 == 1) r1 = data;
 *
 *   make verify    checks this model twice: as it is (mp.c's relaxed mode),
 *                  where spin must find the run in which the reader sees
 *                  flag = 1 and data = 0, and prints it; and with -DRELEASE
 *                  (release store of flag, acquire load), where it must not
 *
 * x86 does neither reordering, which is why mp.c shows no failure there,
 * in either mode: this model is how to see it anyway.
 *
 * What is modelled.  The writer's stores go into a buffer per variable, and
 * the `drain` process moves either one to memory at any moment it chooses,
 * in either order.  The reader reads memory, and without -DRELEASE may
 * perform its load of data before its load of flag (it then keeps the value
 * only if flag was 1, as mp.c does).  -DRELEASE makes the store of flag a
 * release, which first waits for the store of data to reach memory, and
 * the load of flag an acquire, which keeps the load of data after it.
 */

byte data = 0;                  /* in memory: what the reader reads */
byte flag = 0;
bool data_buffered = false;     /* data = 42 is in the writer's buffer */
bool flag_buffered = false;     /* flag = 1 is in the writer's buffer */
byte r0, r1;
bool writer_done = false;
bool reader_done = false;

proctype writer() {
    atomic { data_buffered = true; printf("writer: data = 42, into its store buffer\n") }
#ifdef RELEASE
    atomic {
        !data_buffered;         /* release: data = 42 reaches memory first */
        printf("writer: release: waits until data = 42 is in memory\n")
    }
#endif
    atomic { flag_buffered = true; printf("writer: flag = 1, into its store buffer\n") }
    writer_done = true
}

inline read_data() {
    atomic {
        r1 = data;
        if
        :: data_buffered -> printf("reader: r1 = data reads %d: data = 42 is still in the writer's store buffer\n", r1)
        :: else -> printf("reader: r1 = data reads %d\n", r1)
        fi
    }
}

proctype reader() {
#ifdef RELEASE
    /* acquire: the load of data stays after this load of flag. */
    atomic { r0 = flag; printf("reader: r0 = flag reads %d (acquire)\n", r0) }
    if
    :: r0 == 1 -> read_data()
    :: else -> skip
    fi
#else
    if
    :: /* the loads in program order */
        atomic { r0 = flag; printf("reader: r0 = flag reads %d\n", r0) }
        if
        :: r0 == 1 -> read_data()
        :: else -> skip
        fi
    :: /* the load of data performed first, kept if flag turns out 1 */
        printf("reader: loads data early, before flag\n");
        read_data();
        atomic { r0 = flag; printf("reader: r0 = flag reads %d\n", r0) }
    fi
#endif
    reader_done = true
}

/* Moves either buffered store to memory, in any order, at any moment. */
proctype drain() {
    do
    :: atomic { data_buffered -> data = 42; data_buffered = false;
                printf("store buffer: data = 42 reaches memory\n") }
    :: atomic { flag_buffered -> flag = 1; flag_buffered = false;
                if
                :: data_buffered -> printf("store buffer: flag = 1 reaches memory, before data = 42\n")
                :: else -> printf("store buffer: flag = 1 reaches memory\n")
                fi }
    :: writer_done && reader_done -> break
    od
}

/* A reader that sees the flag must see the data.  (The reader is started
 * first because spin's search moves the last-started process first: so the
 * first failing run it finds, the one `make verify` prints, is the flag
 * overtaking the data, not the reader's loads out of order.) */
active proctype check() {
    atomic {
        run reader();
        run writer();
        run drain()
    }
    writer_done && reader_done;
    assert(r0 != 1 || r1 == 42)
}
