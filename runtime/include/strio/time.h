/*
 * strio/time.h -- monotonic time and pluggable clocks.
 *
 * Time is a signed 64-bit count of nanoseconds from an arbitrary origin.
 * A loop reads it from a clock object; tests use the virtual clock, which
 * only moves when told to or, with autojump, when every task is blocked
 * (it then jumps straight to the next deadline), so timeout tests are exact
 * and take no real time.
 */
#ifndef STRIO_TIME_H
#define STRIO_TIME_H

#include <stdint.h>

typedef int64_t strio_time;

#define STRIO_TIME_NEVER INT64_MAX
#define STRIO_NS(x) ((strio_time)(x))
#define STRIO_US(x) ((strio_time)(x) * 1000)
#define STRIO_MS(x) ((strio_time)(x) * 1000000)
#define STRIO_SEC(x) ((strio_time)(x) * 1000000000)

typedef struct strio_clock strio_clock;

/* A clock: `now` returns the current time. Caller-owned. */
struct strio_clock {
    strio_time (*now)(strio_clock *clock);
    /* Virtual clocks only (NULL otherwise): the loop calls it when every
     * task is blocked, with the next deadline; returns 1 if the clock
     * jumped there (the loop then skips waiting in the backend). */
    int (*idle)(strio_clock *clock, strio_time next_deadline);
};

/* A virtual clock. Starts at `start`; never moves on its own. */
typedef struct strio_vclock {
    strio_clock clock;   /* first: pass &vc.clock to the loop */
    strio_time t;
    int autojump;
} strio_vclock;

/*
 * Initializes a virtual clock at time `start`. With `autojump` nonzero the
 * clock jumps to the next deadline whenever the loop finds every task
 * blocked (Trio's MockClock autojump).
 */
void strio_vclock_init(strio_vclock *vc, strio_time start, int autojump);

/* Moves a virtual clock forward by `delta` (>= 0). */
void strio_vclock_advance(strio_vclock *vc, strio_time delta);

#endif
