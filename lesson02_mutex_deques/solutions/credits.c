/*
 * Solution to exercise 2: count without sharing.  (See exercises/credits.c,
 * and settle() in mutex_deques.c, which is the same idea.)
 *
 * pending only ever overestimates: credits are added before the tasks they
 * pay for can be seen, and a worker subtracts only what it holds, its
 * unspent credits and the tasks it finished.  on_idle is the moment to
 * settle because the worker holds nothing that another could be waiting
 * on, and it is the necessary moment because a worker that never settled
 * would keep pending above 0 forever.
 */
#include "../exercises/exercises.h"

#define BLOCK 64

void on_spawn(struct credits *c)
{
    if (c->credits == 0) {
        pending_add(BLOCK);
        c->credits = BLOCK;
    }
    c->credits--;
}

void on_finish(struct credits *c)
{
    c->finished++;
}

void on_idle(struct credits *c)
{
    size_t n = c->credits + c->finished;
    if (n > 0) {
        c->credits = 0;
        c->finished = 0;
        pending_sub(n);
    }
}
