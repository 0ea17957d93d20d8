/*
 * registry.c: the list of every lesson's scheduler, in lesson order.
 *
 * The test suite and the benchmark iterate over sched_all, so a new lesson
 * joins both by adding one line here (and its directory to the Makefile's
 * LESSONS, which it finds by itself).
 */
#include <string.h>

#include "scheduler.h"

extern const struct scheduler lesson01_shared_queue;
extern const struct scheduler lesson02_mutex_deques;
extern const struct scheduler lesson03_trylock_steal;
extern const struct scheduler lesson04_chase_lev;
extern const struct scheduler lesson05_parking;

const struct scheduler *const sched_all[] = {
    &lesson01_shared_queue,
    &lesson02_mutex_deques,
    &lesson03_trylock_steal,
    &lesson04_chase_lev,
    &lesson05_parking,
    NULL,
};

const struct scheduler *sched_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const struct scheduler *const *s = sched_all; *s != NULL; s++)
        if (strcmp((*s)->name, name) == 0)
            return *s;
    return NULL;
}
