/*
 * streams_tasks.sc -- the task side of tests/unit/test_streams.c: roots
 * that run the stream conformance suite (strio/conformance.h) on a pair
 * factory the test provides.
 */
#include <strio/strio.h>
#include <strio/conformance.h>

/* level 0: one-way, 1: two-way, 2: half-closeable. */
async int cs_check(strio_conformance *cf, const strio_stream_factory *f,
                   int level)
{
    if (level == 0)
        return await strio_check_one_way_stream(cf, f);
    if (level == 1)
        return await strio_check_two_way_stream(cf, f);
    return await strio_check_half_closeable_stream(cf, f);
}

/* The check inside a scope of ours that is cancelled after `after`:
 * *inside gets what the check returned; returns the scope's verdict. */
async int cs_check_cancelled(strio_conformance *cf,
                             const strio_stream_factory *f, int level,
                             strio_time after, int *inside)
{
    strio_cancel_scope sc;
    strio_move_on_after(STRIO_SELF, &sc, after);
    int rc = await cs_check(cf, f, level);
    *inside = rc;
    return strio_scope_exit(&sc, rc);
}
