/* strio_sleep: a relative sleep, written in the dialect over the leaf. */
#include <strio/task.h>

async int strio_sleep(strio_time duration)
{
    return await strio_sleep_until(strio_task_now(STRIO_SELF) + duration);
}
