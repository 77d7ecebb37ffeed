/* The virtual clock (see strio/time.h); core, no OS needed. */
#include <strio/time.h>

static strio_time vclock_now(strio_clock *clock)
{
    return ((strio_vclock *)(void *)clock)->t;
}

static int vclock_idle(strio_clock *clock, strio_time next)
{
    strio_vclock *vc = (strio_vclock *)(void *)clock;
    if (!vc->autojump || next == STRIO_TIME_NEVER)
        return 0;
    if (next > vc->t)
        vc->t = next;
    return 1;
}

void strio_vclock_init(strio_vclock *vc, strio_time start, int autojump)
{
    vc->clock.now = vclock_now;
    vc->clock.idle = vclock_idle;
    vc->t = start;
    vc->autojump = autojump;
}

void strio_vclock_advance(strio_vclock *vc, strio_time delta)
{
    if (delta > 0)
        vc->t += delta;
}
