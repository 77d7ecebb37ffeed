/*
 * blinky -- bare-metal smoke program for the Cortex-M core build.
 *
 * It is linked (make core CROSS=arm-none-eabi-) so that `size` shows what an
 * application pays for the core; it is never run. The async function is
 * written by hand against the ABI in strio/async.h, the way the generator
 * would emit it, so this builds without the generator:
 *
 *   async int blink(unsigned times)
 *   {
 *       for (unsigned i = 0; i < times; i++) {
 *           LED ^= 1;
 *           await strio_checkpoint();
 *       }
 *       return (int)times;
 *   }
 */
#include <strio/strio.h>

/* Stand-in for a GPIO output data register. */
static volatile unsigned led_register;

struct blink_frame {
    unsigned short strio_state;
    int strio_ret;
    unsigned times, i;
    struct strio_checkpoint_frame checkpoint;
};

static void blink_start(struct blink_frame *f, unsigned times)
{
    f->strio_state = 0;
    f->times = times;
}

static int blink_resume(void *vf, strio_task *task)
{
    struct blink_frame *f = vf;
    switch (f->strio_state) {
    case 0: goto start;
    case 1: goto await1;
    }
start:
    for (f->i = 0; f->i < f->times; f->i++) {
        led_register ^= 1u;
        strio_checkpoint_start(&f->checkpoint);
        f->strio_state = 1;
await1:
        if (strio_checkpoint_resume(&f->checkpoint, task) == STRIO_PENDING)
            return STRIO_PENDING;
    }
    f->strio_ret = (int)f->times;
    return STRIO_DONE;
}

/* Caller-owned, statically allocated: the core never allocates. */
static struct blink_frame frame;
static strio_task task;

int main(void)
{
    blink_start(&frame, 10);
    strio_task_init(&task, blink_resume, &frame, NULL);
    strio_task_run(&task);
    return frame.strio_ret == 10 ? 0 : 1;
}
