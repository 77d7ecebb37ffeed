/* The hosted monotonic clock: CLOCK_MONOTONIC (see strio/posix.h). */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include <strio/posix.h>

static strio_time mono_now(strio_clock *clock)
{
    struct timespec ts;
    (void)clock;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (strio_time)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void strio_monotonic_clock_init(strio_clock *clock)
{
    clock->now = mono_now;
    clock->idle = NULL;
}
