/*
 * chase_lev.pml: the Chase-Lev deque of ../deque.h as a Promela model, for
 * the spin model checker, which tries every interleaving of the owner and
 * a thief, not just the ones a stress test happens to hit.
 *
 *   make verify        checks this model in both of deque.h's forms
 *                      (ORDERING there), each as written (spin must find no
 *                      error) and with take's ordering removed (spin must
 *                      find the lost or duplicated task, and prints how):
 *     (no flag)          the seq_cst operations deque.h ships
 *     -DTAKE_RELEASE     ... with take's store of bottom release
 *     -DFENCES           the paper's fences (deque.h's -DDEQUE_FENCES)
 *     -DFENCES -DNO_TAKE_FENCE  ... without take's fence
 *
 * What is modelled.  Each load and store of top, bottom and a slot is one
 * step; a CAS is one atomic step.  The owner's stores of bottom go through
 * a store buffer, as on x86: they reach memory later, at a moment chosen by
 * the `drain` process, so a thief may still read the old bottom.  The owner
 * reads its own buffered bottom.  A CAS (a locked instruction on x86)
 * drains the buffer first.  So does take's seq_cst store of bottom, an
 * xchg, which then writes memory at once; TAKE_RELEASE makes it a plain
 * store into the buffer.  In the fence form take's store goes into the
 * buffer, and its seq_cst fence drains it, unless NO_TAKE_FENCE removes
 * it.  Loads are not reordered, nor stores among themselves (x86-TSO): the
 * other weakenings of `make break` cannot show here, which matches what
 * the README says about x86.
 *
 * The scenario: the owner pushes two tasks and then takes three times; one
 * thief steals three times, concurrently.  At the end every task must have
 * been taken exactly once.  The ring has 4 slots: enough, never wrapped.
 */

#define SLOTS 4

byte top = 0;
byte bottom = 0;                /* in memory: what the thief sees */
byte slot[SLOTS];

/* The owner's store buffer: at most one store of bottom in flight. */
bool buffered = false;
byte buffered_bottom;

byte taken[3];                  /* taken[v]: times task v was taken */
bool owner_done = false;
bool thief_done = false;

/* The owner's view of bottom: its own buffered store, if any. */
#define OWNER_BOTTOM (buffered -> buffered_bottom : bottom)

inline drain_now() {
    atomic { if :: buffered -> bottom = buffered_bottom; buffered = false :: else -> skip fi }
}

/* A store of bottom: into the buffer, behind any older one (TSO keeps
 * stores in order, so the older one drains first). */
inline store_bottom(value) {
    drain_now();
    atomic { buffered_bottom = value; buffered = true }
}

/* (b, t and got are the owner's locals: inlines are pasted in.) */
inline take_one() {
    got = 0;
    b = OWNER_BOTTOM - 1;
    drain_now();
#if defined(FENCES) || defined(TAKE_RELEASE)
    atomic {
        buffered_bottom = b; buffered = true;
        printf("owner: take stores bottom=%d into its store buffer\n", b)
    }
#if defined(FENCES) && !defined(NO_TAKE_FENCE)
    drain_now();                /* the seq_cst fence: store before load */
#endif
#else
    atomic {                    /* the seq_cst store: xchg, a locked instruction */
        bottom = b;
        printf("owner: take stores bottom=%d with xchg: in memory at once\n", b)
    }
#endif
    atomic { t = top; printf("owner: reads top=%d (bottom in memory: %d)\n", t, bottom) }
    if
    :: t < b -> got = slot[b % SLOTS]
    :: t == b ->
        drain_now();            /* CAS is a locked instruction */
        atomic {
            if
            :: top == t -> top = t + 1; got = slot[b % SLOTS]
            :: else -> skip
            fi
        }
        store_bottom(b + 1);
        printf("owner: restores bottom=%d, into its store buffer\n", b + 1)
    :: t > b -> store_bottom(b + 1);
        printf("owner: empty; restores bottom=%d, into its store buffer\n", b + 1)
    fi;
    if
    :: got != 0 -> taken[got]++;
        printf("owner: takes task %d, at index %d (times taken: %d)\n", got, b, taken[got])
    :: else -> skip
    fi
}

inline push(v) {
    b = OWNER_BOTTOM;
    drain_now();                /* stores stay in order: the slot after older stores */
    slot[b % SLOTS] = v;
    store_bottom(b + 1);
    printf("owner: pushes task %d at index %d; bottom=%d into its store buffer\n", v, b, b + 1)
}

proctype owner() {
    byte b, t, got;
    push(1);
    push(2);
    take_one();
    take_one();
    take_one();
    drain_now();
    owner_done = true
}

proctype thief() {
    byte t, b, v, i;
    for (i : 1 .. 3) {
        atomic { t = top; printf("thief: reads top=%d\n", t) }
        atomic { b = bottom; printf("thief: reads bottom=%d\n", b) }
        if
        :: t < b ->
            v = slot[t % SLOTS];
            atomic {
                if
                :: top == t -> top = t + 1; taken[v]++;
                   printf("thief: CAS top %d->%d succeeds: steals task %d, at index %d (times taken: %d)\n",
                          t, t + 1, v, t, taken[v])
                :: else -> skip
                fi
            }
        :: else -> skip
        fi
    }
    thief_done = true
}

/* Drains the store buffer at any moment it chooses. */
proctype drain() {
    do
    :: atomic { buffered -> bottom = buffered_bottom; buffered = false;
                printf("store buffer: bottom=%d reaches memory\n", bottom) }
    :: owner_done && thief_done -> break
    od
}

/* No task twice, ever; at the end, every task once. */
active proctype check() {
    atomic {
        run owner();
        run thief();
        run drain()
    }
    do
    :: taken[1] > 1 || taken[2] > 1 -> assert(false)   /* a task ran twice */
    :: owner_done && thief_done -> break
    od;
    /* A task left behind is lost only if nobody could take it any more:
     * after the owner's three takes and the thief's three steals, with two
     * tasks pushed, both must be gone. */
    assert(taken[1] == 1 && taken[2] == 1)
}
