/*
 * sb_kernel.h: the store-buffering litmus test, run many times.  Used by
 * sb.c (the program that prints the counts) and ../litmus_test.c (the test
 * that checks the two modes where one outcome must never happen).
 *
 *   x = y = 0
 *   thread A:  x = 1;  r0 = y;        thread B:  y = 1;  r1 = x;
 *
 * Can both threads read 0?  That depends on the memory orderings of the
 * four accesses, which is what the mode chooses.
 */
#ifndef SB_KERNEL_H
#define SB_KERNEL_H

enum sb_mode {
    SB_RELAXED,     /* relaxed stores and loads */
    SB_ACQ_REL,     /* release stores, acquire loads */
    SB_FENCE,       /* relaxed, with a seq_cst fence between store and load */
    SB_SEQ_CST,     /* seq_cst stores and loads */
    SB_MODES
};

/* "relaxed", "acq_rel", "fence", "seq_cst": the names sb.c takes. */
extern const char *const sb_mode_name[SB_MODES];

/* n[r0][r1]: how many runs ended with thread A reading r0, B reading r1. */
struct sb_counts {
    unsigned long n[2][2];
    unsigned long runs;         /* their sum */
};

/*
 * Runs the test `iterations` times in `mode`, or fewer if `seconds` pass
 * first (on a machine busy with other work), and stores the counts of the
 * outcomes in *out.  Returns 0, ENOMEM, or pthread_create's error; *out is
 * then unchanged.
 *
 * Under ThreadSanitizer the fence mode is not built, and returns ENOTSUP:
 * TSan ignores atomic_thread_fence (it would see nothing the fence
 * orders), so the mode would test nothing there.
 */
int sb_run(enum sb_mode mode, unsigned long iterations, double seconds, struct sb_counts *out);

#endif
