/*
 * process.sc -- strio side of the subprocess benchmark (bench/process.py):
 * `count` cycles of spawning argv and awaiting its exit.
 */
#include <string.h>

#include <strio/strio.h>
#include <strio/process.h>

async int spawn_wait_loop(const char *const *argv, long count,
                          unsigned flags, long *failed)
{
    strio_process p;
    strio_process_options o;
    long i;
    int rc;
    memset(&o, 0, sizeof o);
    o.flags = flags;
    for (i = 0; i < count; i++) {
        rc = strio_process_spawn(&p, argv, &o);
        if (rc < 0)
            return rc;
        rc = await strio_process_wait(&p);
        if (rc < 0)
            return rc;
        if (p.exit_code != 0)
            (*failed)++;
    }
    return 0;
}
