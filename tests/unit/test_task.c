/*
 * The task runner and the checkpoint leaf, driven through frames written by
 * hand the way the generator writes them (strio/async.h): a frame struct
 * with strio_state/strio_ret, a start function, and a resume function that
 * dispatches to goto labels and keeps callee frames inside its own.
 */
#include <criterion/criterion.h>
#include <strio/strio.h>

/*
 * async int three(int base)
 * {
 *     int sum = base;
 *     sum += await strio_checkpoint() + 1;
 *     sum += await strio_checkpoint() + 10;
 *     sum += await strio_checkpoint() + 100;
 *     return sum;
 * }
 */
struct three_frame {
    unsigned short strio_state;
    int strio_ret;
    int sum;
    struct strio_checkpoint_frame cp;   /* the three awaits never overlap */
};

static void three_start(struct three_frame *f, int base)
{
    f->strio_state = 0;
    f->sum = base;
}

static int three_resume(void *vf, strio_task *task)
{
    struct three_frame *f = vf;
    switch (f->strio_state) {
    case 0: goto start;
    case 1: goto await1;
    case 2: goto await2;
    case 3: goto await3;
    }
    cr_assert_fail("bad state %d", f->strio_state);
start:
    strio_checkpoint_start(&f->cp);
    f->strio_state = 1;
await1:
    if (strio_checkpoint_resume(&f->cp, task) == STRIO_PENDING)
        return STRIO_PENDING;
    f->sum += f->cp.strio_ret + 1;
    strio_checkpoint_start(&f->cp);
    f->strio_state = 2;
await2:
    if (strio_checkpoint_resume(&f->cp, task) == STRIO_PENDING)
        return STRIO_PENDING;
    f->sum += f->cp.strio_ret + 10;
    strio_checkpoint_start(&f->cp);
    f->strio_state = 3;
await3:
    if (strio_checkpoint_resume(&f->cp, task) == STRIO_PENDING)
        return STRIO_PENDING;
    f->sum += f->cp.strio_ret + 100;
    f->strio_ret = f->sum;
    return STRIO_DONE;
}

/*
 * async int outer(int n)        -- awaits an async function that awaits
 * {
 *     int total = 0;
 *     for (int i = 0; i < n; i++)
 *         total += await three(i);
 *     return total;
 * }
 */
struct outer_frame {
    unsigned short strio_state;
    int strio_ret;
    int n, i, total;
    struct three_frame three;
};

static void outer_start(struct outer_frame *f, int n)
{
    f->strio_state = 0;
    f->n = n;
}

static int outer_resume(void *vf, strio_task *task)
{
    struct outer_frame *f = vf;
    switch (f->strio_state) {
    case 0: goto start;
    case 1: goto await1;
    }
    cr_assert_fail("bad state %d", f->strio_state);
start:
    f->total = 0;
    for (f->i = 0; f->i < f->n; f->i++) {
        three_start(&f->three, f->i);
        f->strio_state = 1;
await1:
        if (three_resume(&f->three, task) == STRIO_PENDING)
            return STRIO_PENDING;
        f->total += f->three.strio_ret;
    }
    f->strio_ret = f->total;
    return STRIO_DONE;
}

/* async int none(void) { return 42; } -- completes without suspending */
struct none_frame {
    unsigned short strio_state;
    int strio_ret;
};

static int none_resume(void *vf, strio_task *task)
{
    struct none_frame *f = vf;
    (void)task;
    f->strio_ret = 42;
    return STRIO_DONE;
}

Test(checkpoint, pending_then_done)
{
    struct strio_checkpoint_frame f;
    strio_task task;

    strio_checkpoint_start(&f);
    strio_task_init(&task, strio_checkpoint_resume, &f, NULL);
    cr_assert_eq(f.strio_state, 0);
    cr_assert_eq(strio_checkpoint_resume(&f, &task), STRIO_PENDING);
    cr_assert_eq(strio_checkpoint_resume(&f, &task), STRIO_DONE);
    cr_assert_eq(f.strio_ret, 0);
}

Test(checkpoint, as_root_of_a_task_suspends_once)
{
    struct strio_checkpoint_frame f;
    strio_task task;

    f.strio_ret = -1;
    strio_checkpoint_start(&f);
    strio_task_init(&task, strio_checkpoint_resume, &f, NULL);
    cr_assert_eq(strio_task_run(&task), 1);
    cr_assert_eq(task.switches, 1);
    cr_assert_eq(f.strio_ret, 0);
}

Test(task, init_binds_frame)
{
    struct three_frame f;
    strio_task task;

    three_start(&f, 0);
    task.switches = 99;
    strio_task_init(&task, three_resume, &f, NULL);
    cr_assert_eq(task.resume, three_resume);
    cr_assert_eq(task.frame, &f);
    cr_assert_eq(task.switches, 0);
}

Test(task, three_checkpoints_suspend_three_times)
{
    struct three_frame f;
    strio_task task;

    three_start(&f, 1000);
    strio_task_init(&task, three_resume, &f, NULL);
    cr_assert_eq(strio_task_run(&task), 3);
    cr_assert_eq(task.switches, 3);
    cr_assert_eq(f.strio_ret, 1111);
}

Test(task, step_by_step)
{
    struct three_frame f;
    strio_task task;

    three_start(&f, 5);
    strio_task_init(&task, three_resume, &f, NULL);
    for (int i = 1; i <= 3; i++) {
        cr_assert_eq(three_resume(&f, &task), STRIO_PENDING, "await %d", i);
        cr_assert_eq(f.strio_state, i);
    }
    cr_assert_eq(three_resume(&f, &task), STRIO_DONE);
    cr_assert_eq(f.strio_ret, 116);
}

Test(task, nested_frames)
{
    struct outer_frame f;
    strio_task task;

    outer_start(&f, 4);
    strio_task_init(&task, outer_resume, &f, NULL);
    /* three(i) = i + 111 for i = 0..3, three suspensions each */
    cr_assert_eq(strio_task_run(&task), 12);
    cr_assert_eq(f.strio_ret, 0 + 1 + 2 + 3 + 4 * 111);
}

Test(task, no_await_no_suspend)
{
    struct none_frame f = { 0, 0 };
    strio_task task;

    strio_task_init(&task, none_resume, &f, NULL);
    cr_assert_eq(strio_task_run(&task), 0);
    cr_assert_eq(f.strio_ret, 42);
}
