/* strio_sleep: a relative sleep, written in the dialect over the leaf. */
#include <strio/task.h>

async int strio_sleep(strio_time duration)
{
    /* saturated: sleeping "forever" (STRIO_TIME_NEVER) must not wrap
     * around into a deadline in the past */
    strio_time now = strio_task_now(STRIO_SELF);
    if (duration == STRIO_TIME_NEVER ||
        (duration > 0 && now > STRIO_TIME_NEVER - duration))
        return await strio_sleep_until(STRIO_TIME_NEVER);
    return await strio_sleep_until(now + duration);
}
