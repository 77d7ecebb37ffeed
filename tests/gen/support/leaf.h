/*
 * tests/gen/support/leaf.h -- the generator tests' hand-written leaf.
 *
 *   async int tleaf(int v)
 *
 * Completes with `v`. Whether it suspends first is decided per call by a
 * global mode and a seeded PRNG (see tleaf_mode), so the same corpus program
 * runs with no suspension, with every leaf suspending, and with random
 * patterns. It follows the calling convention of strio/async.h exactly like
 * strio_checkpoint in runtime/src/task.c.
 *
 * The erased (plain C) build uses tests/gen/support/plain/leaf.h instead:
 * same header name, picked by -I order, declaring `int tleaf(int v)`.
 */
#ifndef TLEAF_H
#define TLEAF_H

#include <strio/async.h>

STRIO_ASYNC_DECL(int tleaf(int v))
struct tleaf_frame {
    unsigned short strio_state;
    int strio_ret;
    int v;              /* argument */
    int pending;        /* suspensions still to do before completing */
    void *self;         /* address at start: the frame must not move */
};
void tleaf_start(struct tleaf_frame *frame, int v);
int tleaf_resume(void *frame, strio_task *task);

/* Control (driver side). */
enum {
    TLEAF_NEVER = 0,    /* never suspends */
    TLEAF_ALWAYS = 1,   /* suspends exactly once per call */
    TLEAF_RANDOM = 2,   /* suspends once or not, by the PRNG */
    TLEAF_BURST = 3     /* suspends 0..3 times, by the PRNG */
};
void tleaf_mode(int mode);
void tleaf_seed(unsigned seed);
/* Task every resume must be handed (NULL: any non-NULL task). */
void tleaf_expect_task(strio_task *task);

/* Observations (programs may print tleaf_calls(); the rest is for the driver). */
unsigned long tleaf_calls(void);       /* tleaf_start calls so far */
unsigned long tleaf_suspends(void);    /* STRIO_PENDING returns so far */
unsigned long tleaf_completions(void); /* STRIO_DONE returns so far */

#endif
