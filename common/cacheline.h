/*
 * cacheline.h: the size of a cache line, spelled once.
 *
 * Caches move memory in lines of 64 bytes on the x86-64 and Arm cores this
 * course runs on.  Two fields that different threads write, if they share a
 * line, make that line bounce between cores on every write even though no
 * data is shared: "false sharing".  Fields written by different threads are
 * therefore placed on separate lines with _Alignas(CACHELINE).
 *
 * (Some Intel cores prefetch lines in adjacent pairs, and Apple's M-series
 * cores have 128-byte lines; production runtimes such as crossbeam pad to
 * 128 on those.  64 is right for the machines this repository measures.)
 */
#ifndef CACHELINE_H
#define CACHELINE_H

#define CACHELINE 64

#endif
