/*
 * cli.h: what the programs a learner runs by hand (bench, stress, timeline)
 * share on a bad command line: one line saying what is wrong, then the
 * usage, then exit status 2.  Each program keeps its own usage text and
 * its own checks; only this last step is the same everywhere.
 */
#ifndef COMMON_CLI_H
#define COMMON_CLI_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Prints "PROG: " and the printf-style message, a newline, the usage
 * (usage(stderr)) and exits 2. */
__attribute__((format(printf, 3, 4), noreturn)) static inline void
cli_bad_usage(const char *prog, void (*usage)(FILE *), const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    usage(stderr);
    exit(2);
}

#endif
