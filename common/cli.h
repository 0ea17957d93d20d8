/*
 * cli.h: what the programs a learner runs by hand (bench, stress, timeline)
 * share on a bad command line: one line saying what is wrong, then the
 * usage, then exit status 2; and the check of a whole-number option.
 * Each program keeps its own usage text and its other checks.
 */
#ifndef COMMON_CLI_H
#define COMMON_CLI_H

#include <errno.h>
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

/* s as a whole number from min to max, or a cli_bad_usage() naming
 * opt_name: digits only (no sign, no space), nothing out of range. */
static inline unsigned long cli_parse_count(const char *prog, void (*usage)(FILE *),
                                            const char *opt_name, const char *s,
                                            unsigned long min, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v < min || v > max)
        cli_bad_usage(prog, usage, "%s wants a whole number from %lu to %lu, not '%s'", opt_name,
                      min, max, s);
    return v;
}

#endif
