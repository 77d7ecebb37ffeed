/*
 * Event, Lock, Semaphore and Channel (see strio/sync.h).
 *
 * Every waiting operation follows one pattern. A waiter parks in a FIFO
 * queue of the object; whoever makes progress possible (set, release,
 * send, receive, close) performs the waiter's effect itself -- assigns the
 * lock, hands over the permit, copies the element -- takes the waiter out
 * of the queue and wakes it with the result. So once a waiter has been
 * woken there is nothing left to do but report, and a cancellation that
 * arrives later cannot tear anything (the cancel machinery only interrupts
 * tasks still PARKED, whose abort hook takes them out of the queue before
 * any effect happened).
 *
 * Core only: no OS calls, no allocation.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <strio/sync.h>

#include "sched.h"      /* the hot calls inline */

/* States shared by the leaf machines below. */
enum { ST_START = 0, ST_PARKED = 1, ST_YIELDED = 2 };

/* Completes at once with `rc`, after one yield (the checkpoint rule). */
static int yield_with(unsigned short *state, int *ret, strio_task *task,
                      int rc)
{
    *ret = rc;
    *state = ST_YIELDED;
    strio_task_yield(task);
    return STRIO_PENDING;
}

static unsigned long waitq_count(const strio_waitq *q)
{
    unsigned long n = 0;
    for (const strio_task *t = q->head; t != NULL; t = t->next)
        n++;
    return n;
}

/* ======================================================================== */
/* Event                                                                    */
/* ======================================================================== */

void strio_event_init(strio_event *e)
{
    strio_waitq_init(&e->waiters);
    e->flag = 0;
}

void strio_event_set(strio_event *e)
{
    if (e->flag)
        return;
    e->flag = 1;
    strio_waitq_wake_all(&e->waiters, 0);
}

int strio_event_is_set(const strio_event *e)
{
    return e->flag;
}

unsigned long strio_event_waiting(const strio_event *e)
{
    return waitq_count(&e->waiters);
}

void strio_event_wait_start(struct strio_event_wait_frame *f, strio_event *e)
{
    f->strio_state = ST_START;
    f->event = e;
}

int strio_event_wait_resume(void *vf, strio_task *task)
{
    struct strio_event_wait_frame *f = vf;
    switch (f->strio_state) {
    case ST_START:
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        if (f->event->flag)
            return yield_with(&f->strio_state, &f->strio_ret, task, 0);
        f->strio_state = ST_PARKED;
        task->wake_result = 0;
        strio_waitq_park(&f->event->waiters, task);
        return STRIO_PENDING;
    case ST_PARKED:
        f->strio_ret = task->wake_result;   /* 0 (set) or STRIO_ECANCELED */
        return STRIO_DONE;
    default:
        /* Already set: the wait took nothing, so (as in Trio) a
         * cancellation that came during the yield is reported. */
        f->strio_ret = strio_task_cancelled(task) ? STRIO_ECANCELED : 0;
        return STRIO_DONE;
    }
}

/* ======================================================================== */
/* Lock                                                                     */
/* ======================================================================== */

void strio_lock_init(strio_lock *l)
{
    l->owner = NULL;
    strio_waitq_init(&l->waiters);
}

int strio_lock_try_acquire(strio_lock *l, strio_task *task)
{
    if (l->owner == task)
        return STRIO_ESTATE;
    if (l->owner != NULL)
        return STRIO_EBUSY;
    /* Free implies nobody waits: release hands the lock to a waiter. */
    l->owner = task;
    return 0;
}

int strio_lock_release(strio_lock *l, strio_task *task)
{
    if (task == NULL || l->owner != task)
        return STRIO_ESTATE;
    /* Direct hand-off: the first waiter owns the lock from now on, even
     * before it runs, so nobody can barge in meanwhile. */
    l->owner = strio_waitq_wake_one(&l->waiters, 0);
    return 0;
}

int strio_lock_locked(const strio_lock *l)
{
    return l->owner != NULL;
}

strio_task *strio_lock_owner(const strio_lock *l)
{
    return l->owner;
}

unsigned long strio_lock_waiting(const strio_lock *l)
{
    return waitq_count(&l->waiters);
}

void strio_lock_acquire_start(struct strio_lock_acquire_frame *f,
                              strio_lock *l)
{
    f->strio_state = ST_START;
    f->lock = l;
}

int strio_lock_acquire_resume(void *vf, strio_task *task)
{
    struct strio_lock_acquire_frame *f = vf;
    switch (f->strio_state) {
    case ST_START: {
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        int rc = strio_lock_try_acquire(f->lock, task);
        if (rc != STRIO_EBUSY)
            return yield_with(&f->strio_state, &f->strio_ret, task, rc);
        f->strio_state = ST_PARKED;
        task->wake_result = 0;
        strio_waitq_park(&f->lock->waiters, task);
        return STRIO_PENDING;
    }
    case ST_PARKED:
        /* 0: strio_lock_release() made us the owner before waking us;
         * STRIO_ECANCELED: taken out of the queue, never the owner. */
        f->strio_ret = task->wake_result;
        return STRIO_DONE;
    default:
        return STRIO_DONE;
    }
}

/* ======================================================================== */
/* Semaphore                                                                */
/* ======================================================================== */

int strio_semaphore_init(strio_semaphore *s, unsigned long initial,
                         unsigned long max)
{
    strio_waitq_init(&s->waiters);
    s->max = max;
    if (max != STRIO_SEMAPHORE_NO_MAX && initial > max) {
        s->value = max;
        return -EINVAL;
    }
    s->value = initial;
    return 0;
}

int strio_semaphore_try_acquire(strio_semaphore *s)
{
    /* A free permit implies nobody waits: release hands permits over. */
    if (s->value == 0)
        return STRIO_EBUSY;
    s->value--;
    return 0;
}

int strio_semaphore_release(strio_semaphore *s)
{
    if (strio_waitq_wake_one(&s->waiters, 0) != NULL)
        return 0;               /* the permit went to the first waiter */
    if (s->value == ULONG_MAX ||
        (s->max != STRIO_SEMAPHORE_NO_MAX && s->value >= s->max))
        return STRIO_ESTATE;
    s->value++;
    return 0;
}

unsigned long strio_semaphore_value(const strio_semaphore *s)
{
    return s->value;
}

unsigned long strio_semaphore_waiting(const strio_semaphore *s)
{
    return waitq_count(&s->waiters);
}

void strio_semaphore_acquire_start(struct strio_semaphore_acquire_frame *f,
                                   strio_semaphore *s)
{
    f->strio_state = ST_START;
    f->sem = s;
}

int strio_semaphore_acquire_resume(void *vf, strio_task *task)
{
    struct strio_semaphore_acquire_frame *f = vf;
    switch (f->strio_state) {
    case ST_START:
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        if (strio_semaphore_try_acquire(f->sem) == 0)
            return yield_with(&f->strio_state, &f->strio_ret, task, 0);
        f->strio_state = ST_PARKED;
        task->wake_result = 0;
        strio_waitq_park(&f->sem->waiters, task);
        return STRIO_PENDING;
    case ST_PARKED:
        f->strio_ret = task->wake_result;   /* 0: a permit was handed over */
        return STRIO_DONE;
    default:
        return STRIO_DONE;
    }
}

/* ======================================================================== */
/* Channel                                                                  */
/* ======================================================================== */

/*
 * Invariants (checked by the tests):
 *   receivers wait  =>  the buffer is empty and no sender waits;
 *   senders wait    =>  the buffer is full and no receiver waits;
 *   send side closed   =>  no sender waits;
 *   receive side closed => buffer empty, nobody waits.
 */

int strio_channel_init(strio_channel *ch, void *buf, size_t elem_size,
                       size_t capacity)
{
    ch->buf = buf;
    ch->elem_size = elem_size;
    ch->capacity = capacity;
    ch->head = ch->count = 0;
    ch->send_head = ch->send_tail = NULL;
    ch->recv_head = ch->recv_tail = NULL;
    ch->send_waiting = ch->recv_waiting = 0;
    ch->send_closed = ch->recv_closed = 0;
    if (elem_size == 0 || (buf == NULL && capacity != 0) ||
        (capacity != 0 && elem_size > SIZE_MAX / capacity)) {
        /* Unusable: both sides closed, so every operation fails. */
        ch->capacity = 0;
        ch->send_closed = ch->recv_closed = 1;
        return -EINVAL;
    }
    return 0;
}

static unsigned char *slot(const strio_channel *ch, size_t i)
{
    size_t k = ch->head + i;
    if (k >= ch->capacity)
        k -= ch->capacity;
    return ch->buf + k * ch->elem_size;
}

static void waiter_append(strio_channel *ch, strio_channel_waiter *w)
{
    strio_channel_waiter **head = w->is_send ? &ch->send_head : &ch->recv_head;
    strio_channel_waiter **tail = w->is_send ? &ch->send_tail : &ch->recv_tail;
    w->next = NULL;
    w->prev = *tail;
    if (*tail != NULL)
        (*tail)->next = w;
    else
        *head = w;
    *tail = w;
    if (w->is_send)
        ch->send_waiting++;
    else
        ch->recv_waiting++;
}

static void waiter_unlink(strio_channel_waiter *w)
{
    strio_channel *ch = w->ch;
    strio_channel_waiter **head = w->is_send ? &ch->send_head : &ch->recv_head;
    strio_channel_waiter **tail = w->is_send ? &ch->send_tail : &ch->recv_tail;
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        *head = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    else
        *tail = w->prev;
    w->next = w->prev = NULL;
    if (w->is_send)
        ch->send_waiting--;
    else
        ch->recv_waiting--;
}

/* Takes the first waiter of a queue out and wakes it with `result` (its
 * effect must already be done). */
static void waiter_finish(strio_channel_waiter *w, int result)
{
    waiter_unlink(w);
    strio_task_wake(w->task, result);
}

/* Abort hook of a parked send or receive: cancellation takes it out of its
 * queue before anything was copied (a woken waiter is never aborted). */
static void channel_abort(strio_task *task)
{
    waiter_unlink(task->wait_on);
}

int strio_channel_try_send(strio_channel *ch, const void *elem)
{
    if (ch->send_closed)
        return STRIO_ECLOSED;
    if (ch->recv_closed)
        return STRIO_EBROKEN;
    strio_channel_waiter *r = ch->recv_head;
    if (r != NULL) {
        /* Receivers wait only on an empty buffer: straight to the first. */
        memcpy(r->data, elem, ch->elem_size);
        waiter_finish(r, 0);
        return 0;
    }
    if (ch->count < ch->capacity) {
        memcpy(slot(ch, ch->count), elem, ch->elem_size);
        ch->count++;
        return 0;
    }
    return STRIO_EBUSY;
}

int strio_channel_try_receive(strio_channel *ch, void *dst)
{
    if (ch->recv_closed)
        return STRIO_ECLOSED;
    strio_channel_waiter *s = ch->send_head;
    if (ch->count > 0) {
        memcpy(dst, slot(ch, 0), ch->elem_size);
        ch->head = ch->head + 1 == ch->capacity ? 0 : ch->head + 1;
        ch->count--;
        if (s != NULL) {
            /* The first waiting sender's element takes the freed slot. */
            memcpy(slot(ch, ch->count), s->data, ch->elem_size);
            ch->count++;
            waiter_finish(s, 0);
        }
        return 0;
    }
    if (s != NULL) {
        /* Empty buffer with a waiting sender: a rendezvous channel. */
        memcpy(dst, s->data, ch->elem_size);
        waiter_finish(s, 0);
        return 0;
    }
    return ch->send_closed ? STRIO_EEND : STRIO_EBUSY;
}

void strio_channel_close_send(strio_channel *ch)
{
    if (ch->send_closed)
        return;
    ch->send_closed = 1;
    while (ch->send_head != NULL)
        waiter_finish(ch->send_head, STRIO_ECLOSED);
    /* Receivers wait only on an empty buffer: nothing more will come. */
    while (ch->recv_head != NULL)
        waiter_finish(ch->recv_head, STRIO_EEND);
}

void strio_channel_close_receive(strio_channel *ch)
{
    if (ch->recv_closed)
        return;
    ch->recv_closed = 1;
    ch->head = ch->count = 0;           /* buffered elements are dropped */
    while (ch->send_head != NULL)
        waiter_finish(ch->send_head, STRIO_EBROKEN);
    while (ch->recv_head != NULL)
        waiter_finish(ch->recv_head, STRIO_ECLOSED);
}

size_t strio_channel_buffered(const strio_channel *ch)
{
    return ch->count;
}

unsigned long strio_channel_waiting_send(const strio_channel *ch)
{
    return ch->send_waiting;
}

unsigned long strio_channel_waiting_receive(const strio_channel *ch)
{
    return ch->recv_waiting;
}

static void park_waiter(strio_channel *ch, strio_channel_waiter *w,
                        strio_task *task, void *data, unsigned char is_send)
{
    w->task = task;
    w->data = data;
    w->ch = ch;
    w->is_send = is_send;
    waiter_append(ch, w);
    task->wake_result = 0;
    strio_task_park(task, channel_abort, w);
}

void strio_channel_send_start(struct strio_channel_send_frame *f,
                              strio_channel *ch, const void *elem)
{
    f->strio_state = ST_START;
    f->ch = ch;
    f->elem = elem;
}

int strio_channel_send_resume(void *vf, strio_task *task)
{
    struct strio_channel_send_frame *f = vf;
    switch (f->strio_state) {
    case ST_START: {
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        int rc = strio_channel_try_send(f->ch, f->elem);
        if (rc != STRIO_EBUSY)
            return yield_with(&f->strio_state, &f->strio_ret, task, rc);
        f->strio_state = ST_PARKED;
        /* The element stays in the sender's memory until a receiver (or a
         * freed buffer slot) takes it; the queue only points at it. */
        park_waiter(f->ch, &f->w, task, (void *)(uintptr_t)f->elem, 1);
        return STRIO_PENDING;
    }
    case ST_PARKED:
        /* 0: copied out by a receive; STRIO_ECANCELED, STRIO_ECLOSED,
         * STRIO_EBROKEN: taken out of the queue untouched. */
        f->strio_ret = task->wake_result;
        return STRIO_DONE;
    default:
        return STRIO_DONE;
    }
}

void strio_channel_receive_start(struct strio_channel_receive_frame *f,
                                 strio_channel *ch, void *dst)
{
    f->strio_state = ST_START;
    f->ch = ch;
    f->dst = dst;
}

int strio_channel_receive_resume(void *vf, strio_task *task)
{
    struct strio_channel_receive_frame *f = vf;
    switch (f->strio_state) {
    case ST_START: {
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        int rc = strio_channel_try_receive(f->ch, f->dst);
        if (rc != STRIO_EBUSY)
            return yield_with(&f->strio_state, &f->strio_ret, task, rc);
        f->strio_state = ST_PARKED;
        park_waiter(f->ch, &f->w, task, f->dst, 0);
        return STRIO_PENDING;
    }
    case ST_PARKED:
        /* 0: a send copied its element into dst; STRIO_ECANCELED,
         * STRIO_EEND, STRIO_ECLOSED: taken out of the queue, dst untouched. */
        f->strio_ret = task->wake_result;
        return STRIO_DONE;
    default:
        return STRIO_DONE;
    }
}
