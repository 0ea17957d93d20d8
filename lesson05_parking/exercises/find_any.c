/*
 * Exercise 2 (the capstone): find any match, and stop the others.
 *                                                   hard, about 60-90 minutes
 *
 * THE GOAL
 * find_any() returns some i < n with pred(i) true, or -1 when there is
 * none.  As it stands it scans [0, n) in order, on the thread that called
 * it: right answers, one core.  Make it a parallel search on the pool that
 * stops itself once it has an answer.
 *
 * THE CONTRACT (in full in exercises.h)
 *  - Split the range in halves with s->join, and the halves again, so that
 *    the search's tasks nest below one root, as in lesson 4's parallel_sum.
 *    Call neither s->spawn nor s->wait: the pool may be running other
 *    callers' tasks, and wait() would wait for theirs too.
 *  - Return only once no task of the search is running: a task that scans
 *    on after find_any has returned uses a stack frame that is gone.
 *  - Once any task has found a match, every worker stops scanning within
 *    FIND_STOP_WITHIN (256) elements.
 *  - Several searches may run on one pool at once.
 *
 * COOPERATIVE CANCELLATION
 * Nothing stops a task from outside: a task stops because it looks and
 * sees that it may.  Rayon's find_any, Go's context.Context and tokio's
 * CancellationToken all work this way: the tasks share a flag, one of them
 * raises it, and the others look at it at points of their choosing.  The
 * design is in where they look, and how often.
 *
 * QUESTIONS TO ANSWER BEFORE YOU WRITE
 *  - Where can a task look?  Think of a task that starts after the answer
 *    is known, one about to split its range, one halfway through a long
 *    scan.  Which of them can the bound not do without?
 *  - How often?  At every element is the simplest.  What does a load cost
 *    when no core writes that cache line, and when another core has just
 *    written it?  How often does either happen here?
 *  - Which memory order does the flag need?  What does it tell the reader,
 *    and what reaches the caller some other way?
 *  - How does the answer get back to the caller, and how does the caller
 *    know that every task is done?
 *
 * The test's predicate watches the search: which threads scanned, how many
 * elements each worker scanned after the predicate first returned true,
 * whether it was called after find_any returned.  find_any is handed a
 * copy of the scheduler whose join, spawn and wait count their calls.  A
 * flag that is not atomic is a data race, which ThreadSanitizer reports:
 * run the test under it too.
 *
 * Check your work:  make -C lesson05_parking exercises
 *                   make -C lesson05_parking exercises SANITIZE=thread
 * Stuck?            exercises/HINTS.md
 */
#include "exercises.h"

long find_any(const struct scheduler *s, void *pool, size_t n,
              bool (*pred)(size_t i, void *ctx), void *ctx)
{
    (void)s;
    (void)pool;
    for (size_t i = 0; i < n; i++)
        if (pred(i, ctx))
            return (long)i;
    return -1;
}
