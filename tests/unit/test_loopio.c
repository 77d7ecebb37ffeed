/*
 * How the loop asks its backend for I/O while tasks are ready
 * (runtime/src/loop.c, strio/loop.h): without waiting, before every
 * second batch, never less often. Real poll backend, real pipes.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <fcntl.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>

#include "loopio_tasks.h"

union lio_slot {
    struct lio_reader_frame reader;
    struct lio_spinner_frame spinner;
};

struct lio_run {
    STRIO_POLL(io, 4);
    STRIO_POOL(pool, union lio_slot, 2);
    strio_clock mono;
    strio_loop loop;
    struct lio_pair_frame frame;
    strio_task task;
    int fd[2];
    int spins, done;
};

/* Runs lio_pair on a fresh loop; returns poll() calls made. */
static unsigned long lio_go(struct lio_run *r, int max, int prefill)
{
    cr_assert_eq(pipe2(r->fd, O_NONBLOCK | O_CLOEXEC), 0);
    if (prefill)
        cr_assert_eq(write(r->fd[1], "x", 1), 1);
    cr_assert_eq(STRIO_POLL_SETUP(r->io), 0);
    STRIO_POOL_SETUP(r->pool);
    strio_monotonic_clock_init(&r->mono);
    strio_loop_init(&r->loop, &r->mono, strio_poll_backend(&r->io.poll));
    r->spins = r->done = 0;
    lio_pair_start(&r->frame, &r->pool.pool, r->fd[0],
                   prefill ? -1 : r->fd[1], max, &r->spins, &r->done);
    strio_task_init(&r->task, lio_pair_resume, &r->frame,
                    &r->frame.strio_ret);
    cr_assert_eq(strio_loop_run(&r->loop, &r->task), 0);
    cr_assert_eq(r->frame.strio_ret, 0);
    cr_assert_eq(r->done, 1);
    strio_poll_close(&r->io.poll);
    close(r->fd[0]);
    close(r->fd[1]);
    return r->io.poll.polls;
}

/* A task that checkpoints 1000 times while another waits on an empty
 * pipe: the loop checks I/O before every second batch (about 500 polls,
 * where one per batch would be 1000), then blocks once for the byte the
 * spinner finally writes. */
Test(loopio, yielding_task_polls_every_second_batch)
{
    static struct lio_run r;
    unsigned long polls = lio_go(&r, 1000, 0);
    cr_assert_eq(r.spins, 1000);
    cr_assert(polls >= 499 && polls <= 503, "%lu polls for 1000 batches",
              polls);
}

/* I/O that is ready is still seen within two batches while a task keeps
 * yielding: the reader of a pipe holding a byte is woken by a poll made
 * without waiting, and the spinner checkpoints at most 3 times before it
 * sees the reader done (never the 1000 of a loop that forgot I/O). */
Test(loopio, ready_io_is_seen_while_a_task_keeps_yielding)
{
    static struct lio_run r;
    lio_go(&r, 1000, 1);
    cr_assert_leq(r.spins, 3, "%d checkpoints before the reader ran",
                  r.spins);
}
