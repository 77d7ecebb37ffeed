/* The test leaf tleaf (see leaf.h). Hand-written like strio_checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <strio/task.h>
#include "leaf.h"

#define TLEAF_FINISHED 0xdeadu

/*
 * Which task API runtime/include/strio/task.h has (differential.py probes
 * it): 1 = strio_task_init(task, resume, frame) and a leaf just returns
 * STRIO_PENDING; 2 = strio_task_init(task, resume, frame, result) and a
 * leaf that suspends first makes its task ready again (strio_task_yield).
 */
#ifndef TLEAF_TASK_API
#define TLEAF_TASK_API 2
#endif

static int mode = TLEAF_NEVER;
static unsigned rng = 0x9e3779b9u;
static strio_task *expected_task;
static unsigned long calls, suspends, completions;

static unsigned next_random(void)
{
    /* xorshift32 */
    unsigned x = rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng = x;
    return x;
}

void tleaf_mode(int m) { mode = m; }

void tleaf_seed(unsigned seed)
{
    rng = seed * 2654435761u + 0x6d2b79f5u;
    if (rng == 0)
        rng = 1;
}

void tleaf_expect_task(strio_task *task) { expected_task = task; }
unsigned long tleaf_calls(void) { return calls; }
unsigned long tleaf_suspends(void) { return suspends; }
unsigned long tleaf_completions(void) { return completions; }

static void fail(const char *what, struct tleaf_frame *frame)
{
    fprintf(stderr, "tleaf: %s (frame %p, state %u, v %d, call %lu)\n",
            what, (void *)frame, frame->strio_state, frame->v, calls);
    fflush(stdout);
    abort();
}

void tleaf_start(struct tleaf_frame *frame, int v)
{
    calls++;
    frame->strio_state = 0;
    frame->v = v;
    frame->self = frame;
    switch (mode) {
    case TLEAF_ALWAYS: frame->pending = 1; break;
    case TLEAF_RANDOM: frame->pending = (int)(next_random() >> 7) & 1; break;
    case TLEAF_BURST: {
        unsigned r = next_random() >> 9;
        frame->pending = (r & 3) == 3 ? 3 : (int)(r & 1) + (int)((r >> 2) & 1);
        break;
    }
    default: frame->pending = 0; break;
    }
}

int tleaf_resume(void *vframe, strio_task *task)
{
    struct tleaf_frame *frame = vframe;
    if (task == NULL || (expected_task != NULL && task != expected_task))
        fail("resumed with the wrong task", frame);
    if (frame->self != frame)
        fail("frame moved or overwritten between start and resume", frame);
    if (frame->strio_state == TLEAF_FINISHED)
        fail("resumed after STRIO_DONE", frame);
    if (frame->strio_state > 3)
        fail("frame state corrupted", frame);
    if (frame->pending > 0) {
        frame->pending--;
        frame->strio_state++;
        suspends++;
#if TLEAF_TASK_API >= 2
        strio_task_yield(task);   /* a pure yield: ready again at once */
#endif
        return STRIO_PENDING;
    }
    frame->strio_state = TLEAF_FINISHED;
    frame->strio_ret = frame->v;
    completions++;
    return STRIO_DONE;
}
