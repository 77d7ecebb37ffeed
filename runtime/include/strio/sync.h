/*
 * strio/sync.h -- synchronisation between the tasks of one loop: Event,
 * Lock, Semaphore and a fixed-capacity Channel (Trio's Event, Lock,
 * Semaphore and memory channels).
 *
 * Common rules
 * ------------
 *
 *  - Memory. Nothing allocates. Every object (and a channel's element
 *    buffer) is caller-owned: declare it where it outlives every task that
 *    uses it (file scope, a long-lived frame, a struct), initialize it with
 *    its _init function before first use, and do not move, copy or re-init
 *    it while a task waits on it. No teardown is needed once nothing
 *    waits.
 *
 *  - Threads. All calls run on the thread of the loop whose tasks use the
 *    object; none is async-signal-safe. Objects must not be shared between
 *    loops.
 *
 *  - Async operations (strio_event_wait, strio_lock_acquire,
 *    strio_semaphore_acquire, strio_channel_send, strio_channel_receive)
 *    are leaves written by hand to the convention of strio/async.h: await
 *    them from annotated code, or drive their _start/_resume pair by hand.
 *    Each is a checkpoint, with Trio's rules:
 *      1. If the task is inside a cancelled scope when the operation
 *         starts, it returns STRIO_ECANCELED at once and changes nothing.
 *      2. If it can complete at once (success or an error such as
 *         STRIO_ECLOSED), the effect happens at once and the task still
 *         yields to the scheduler once before the result is returned; a
 *         cancellation arriving during that yield does not undo it.
 *      3. Otherwise the task parks in a FIFO queue of the object. The
 *         operation completes *at the moment another task acts* (set,
 *         release, send, receive, close): the effect (lock ownership, a
 *         permit, the element copied) is transferred to the waiter right
 *         then, and the waiter is made ready. A cancellation that reaches
 *         the waiter while it still waits takes it out of the queue with
 *         no effect at all (STRIO_ECANCELED); one that arrives after the
 *         transfer is too late and the operation returns its success.
 *    So the result always tells exactly what happened: 0 means done,
 *    STRIO_ECANCELED means nothing happened.
 *
 *  - Fairness. Waiters are served in FIFO order, and a released resource
 *    is handed directly to the first waiter: a task that releases and
 *    immediately re-acquires goes to the back of the queue (no barging).
 *
 *  - Errors are the negative codes of strio/error.h.
 */
#ifndef STRIO_SYNC_H
#define STRIO_SYNC_H

#include <stddef.h>

#include <strio/async.h>
#include <strio/task.h>
#include <strio/waitq.h>

/* ======================================================================== */
/* Event                                                                    */
/* ======================================================================== */

/*
 * A one-shot flag: tasks wait until it is set; once set it stays set.
 * (Trio removed Event.clear() on purpose; re-init an event that nobody
 * waits on to reuse it.)
 */
typedef struct strio_event {
    strio_waitq waiters;        /* tasks parked in strio_event_wait */
    unsigned char flag;         /* set? */
} strio_event;

/* Initializes `e` (caller-owned) as not set. */
void strio_event_init(strio_event *e);

/*
 * Sets the event and wakes every task waiting on it (their waits return 0,
 * in FIFO order on the loop's next turn). Idempotent. Not a checkpoint;
 * callable from plain C code on the loop thread.
 */
void strio_event_set(strio_event *e);

/* Nonzero once strio_event_set() was called. */
int strio_event_is_set(const strio_event *e);

/* Number of tasks currently waiting (statistics; O(waiters)). */
unsigned long strio_event_waiting(const strio_event *e);

/*
 * async int strio_event_wait(strio_event *e)
 *
 * Waits until `e` is set. If it is already set, yields once and returns.
 *
 * Returns: 0 (the event is set), or STRIO_ECANCELED (cancelled before the
 * event was set, or -- when it was already set -- at the entry check or
 * during the yield: like Trio, the wait takes nothing, so it reports the
 * cancellation).
 */
STRIO_ASYNC_DECL(int strio_event_wait(strio_event *e))
struct strio_event_wait_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_event *event;
};
void strio_event_wait_start(struct strio_event_wait_frame *f, strio_event *e);
int strio_event_wait_resume(void *f, strio_task *task);

/* ======================================================================== */
/* Lock                                                                     */
/* ======================================================================== */

/*
 * A mutual-exclusion lock owned by one task at a time (Trio's Lock): FIFO
 * fair, released by its owner only, handed over directly to the next
 * waiter on release. Not reentrant.
 *
 * A task that finishes while holding a lock leaves it held: release it on
 * every path (also after STRIO_ECANCELED from the awaits inside).
 */
typedef struct strio_lock {
    strio_task *owner;          /* NULL: free */
    strio_waitq waiters;        /* tasks parked in strio_lock_acquire */
} strio_lock;

/* Initializes `l` (caller-owned) as free. */
void strio_lock_init(strio_lock *l);

/*
 * async int strio_lock_acquire(strio_lock *l)
 *
 * Acquires `l` for the running task, waiting in FIFO order while another
 * task holds it.
 *
 * Returns: 0 (the task owns the lock, also when a cancellation arrived
 * after the lock had been handed to it: it must release it);
 * STRIO_ECANCELED (the task does not own the lock, nothing changed);
 * STRIO_ESTATE (the task already owns it: re-acquiring would deadlock;
 * still a checkpoint, the lock stays held once).
 */
STRIO_ASYNC_DECL(int strio_lock_acquire(strio_lock *l))
struct strio_lock_acquire_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_lock *lock;
};
void strio_lock_acquire_start(struct strio_lock_acquire_frame *f,
                              strio_lock *l);
int strio_lock_acquire_resume(void *f, strio_task *task);

/*
 * Acquires `l` for `task` (in annotated code: STRIO_SELF) without waiting.
 * Not a checkpoint.
 *
 * Returns: 0 (acquired); STRIO_EBUSY (held by another task -- or handed to
 * a waiter that has not run yet); STRIO_ESTATE (`task` already owns it).
 */
int strio_lock_try_acquire(strio_lock *l, strio_task *task);

/*
 * Releases `l`, which `task` must own. If tasks wait, ownership passes to
 * the first one at once (it becomes ready); otherwise the lock is free.
 * Not a checkpoint.
 *
 * Returns: 0, or STRIO_ESTATE (`task` is not the owner; nothing changed).
 */
int strio_lock_release(strio_lock *l, strio_task *task);

/* Nonzero while some task owns `l`. */
int strio_lock_locked(const strio_lock *l);

/* The owning task, or NULL. */
strio_task *strio_lock_owner(const strio_lock *l);

/* Number of tasks waiting to acquire (statistics; O(waiters)). */
unsigned long strio_lock_waiting(const strio_lock *l);

/* ======================================================================== */
/* Semaphore                                                                */
/* ======================================================================== */

/*
 * A counting semaphore (Trio's Semaphore): a number of permits, acquired
 * and released by any task (no owner). Optionally bounded: releasing past
 * the bound is an error (Trio's max_value, the "bounded semaphore").
 */
typedef struct strio_semaphore {
    unsigned long value;        /* free permits */
    unsigned long max;          /* bound on value; STRIO_SEMAPHORE_NO_MAX */
    strio_waitq waiters;        /* tasks parked in strio_semaphore_acquire */
} strio_semaphore;

/* `max` argument of strio_semaphore_init: no bound. */
#define STRIO_SEMAPHORE_NO_MAX 0UL

/*
 * Initializes `s` (caller-owned) with `initial` free permits and the bound
 * `max` (STRIO_SEMAPHORE_NO_MAX: none).
 *
 * Returns: 0, or -EINVAL when `max` is given and `initial` > `max` (`s` is
 * then still initialized, with value `max`).
 */
int strio_semaphore_init(strio_semaphore *s, unsigned long initial,
                         unsigned long max);

/*
 * async int strio_semaphore_acquire(strio_semaphore *s)
 *
 * Takes one permit, waiting in FIFO order while there is none.
 *
 * Returns: 0 (one permit taken -- also when a cancellation arrived after a
 * permit had been handed over: release it later), or STRIO_ECANCELED
 * (nothing taken).
 */
STRIO_ASYNC_DECL(int strio_semaphore_acquire(strio_semaphore *s))
struct strio_semaphore_acquire_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_semaphore *sem;
};
void strio_semaphore_acquire_start(struct strio_semaphore_acquire_frame *f,
                                   strio_semaphore *s);
int strio_semaphore_acquire_resume(void *f, strio_task *task);

/*
 * Takes one permit without waiting. Not a checkpoint.
 *
 * Returns: 0, or STRIO_EBUSY (no free permit).
 */
int strio_semaphore_try_acquire(strio_semaphore *s);

/*
 * Gives one permit back: to the first waiter if any (it becomes ready,
 * value unchanged), else to the free count. Not a checkpoint.
 *
 * Returns: 0, or STRIO_ESTATE (bounded semaphore already at its bound, or
 * an unbounded one at ULONG_MAX; nothing changed).
 */
int strio_semaphore_release(strio_semaphore *s);

/* Free permits now. */
unsigned long strio_semaphore_value(const strio_semaphore *s);

/* Number of tasks waiting to acquire (statistics; O(waiters)). */
unsigned long strio_semaphore_waiting(const strio_semaphore *s);

/* ======================================================================== */
/* Channel                                                                  */
/* ======================================================================== */

/*
 * A FIFO channel of fixed-size elements over a caller buffer (Trio's
 * memory channel without clones): one channel object has a send side and
 * a receive side, used by any number of tasks. Elements are copied in
 * (memcpy from the sender's memory) and out (memcpy to the receiver's).
 *
 * Capacity N > 0: up to N elements wait in the buffer; send waits while it
 * is full, receive waits while it is empty. Capacity 0: a rendezvous;
 * every send waits until a receiver takes its element (copied straight
 * from the sender's memory into the receiver's).
 *
 * Order: elements are received in the order their sends completed or (for
 * senders that had to wait) in the order the senders started waiting.
 *
 * Closing (each side independently, idempotent, not a checkpoint):
 *
 *   close_send:    no more elements will come. Senders waiting then get
 *                  STRIO_ECLOSED (their element was NOT sent); later sends
 *                  get STRIO_ECLOSED. Receivers first drain what is
 *                  buffered, then get STRIO_EEND (waiting receivers are
 *                  woken with STRIO_EEND at once: the buffer is empty when
 *                  receivers wait).
 *   close_receive: nobody will receive any more. The buffered elements are
 *                  discarded (as Trio does); senders waiting get
 *                  STRIO_EBROKEN (their element was NOT sent), and so do
 *                  later sends. Receivers waiting get STRIO_ECLOSED, and
 *                  so do later receives.
 *
 * Cancellation never tears an element: a send that returns STRIO_ECANCELED
 * did not send (the element never reached the buffer nor a receiver, and
 * the sender's memory may be reused); a send that returns 0 sent it, even
 * if a cancellation arrived after a receiver took it. A receive that
 * returns STRIO_ECANCELED received nothing (any element it did not get
 * stays in the channel for the next receiver, nothing is lost); a receive
 * that returns 0 has the element in its memory, even if a cancellation
 * arrived after the element was copied there.
 */
typedef struct strio_channel strio_channel;

/* A parked send or receive: lives in the operation's frame. Private. */
typedef struct strio_channel_waiter strio_channel_waiter;
struct strio_channel_waiter {
    strio_channel_waiter *next, *prev;
    strio_task *task;
    void *data;                 /* sender's element / receiver's memory */
    strio_channel *ch;
    unsigned char is_send;
};

struct strio_channel {
    unsigned char *buf;         /* capacity * elem_size bytes */
    size_t elem_size;
    size_t capacity;
    size_t head;                /* index of the oldest buffered element */
    size_t count;               /* buffered elements */
    strio_channel_waiter *send_head, *send_tail;  /* parked senders */
    strio_channel_waiter *recv_head, *recv_tail;  /* parked receivers */
    unsigned long send_waiting, recv_waiting;
    unsigned char send_closed, recv_closed;
};

/*
 * Initializes `ch` (caller-owned) over `buf`, which holds `capacity`
 * elements of `elem_size` bytes each (caller-owned, aligned for the
 * element type, left in use until no task uses `ch`; may be NULL when
 * `capacity` is 0). Both sides start open.
 *
 * Returns: 0, or -EINVAL (`elem_size` is 0, `buf` is NULL with a nonzero
 * capacity, or capacity * elem_size overflows); `ch` is then unusable.
 */
int strio_channel_init(strio_channel *ch, void *buf, size_t elem_size,
                       size_t capacity);

/*
 * async int strio_channel_send(strio_channel *ch, const void *elem)
 *
 * Sends the `ch->elem_size` bytes at `elem`: hands them to a waiting
 * receiver, or appends them to the buffer, or else waits (FIFO among
 * senders) until a receiver or buffer space takes them. `elem` must stay
 * valid and unchanged until the await completes (the bytes may be copied
 * later, when a receiver comes); afterwards it is free again.
 *
 * Returns: 0 (sent); STRIO_ECANCELED (not sent); STRIO_ECLOSED (the send
 * side is or got closed: not sent); STRIO_EBROKEN (the receive side is or
 * got closed: not sent).
 */
STRIO_ASYNC_DECL(int strio_channel_send(strio_channel *ch, const void *elem))
struct strio_channel_send_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_channel *ch;
    const void *elem;
    strio_channel_waiter w;
};
void strio_channel_send_start(struct strio_channel_send_frame *f,
                              strio_channel *ch, const void *elem);
int strio_channel_send_resume(void *f, strio_task *task);

/*
 * async int strio_channel_receive(strio_channel *ch, void *dst)
 *
 * Receives the oldest element into the `ch->elem_size` bytes at `dst`:
 * from the buffer (a waiting sender's element then moves into the freed
 * slot), or straight from a waiting sender, or else waits (FIFO among
 * receivers) for a send. `dst` must stay valid until the await completes;
 * it is written only on success.
 *
 * Returns: 0 (an element is in `dst`); STRIO_ECANCELED (nothing received,
 * nothing lost); STRIO_EEND (the send side is closed and the buffer is
 * empty); STRIO_ECLOSED (the receive side is or got closed).
 */
STRIO_ASYNC_DECL(int strio_channel_receive(strio_channel *ch, void *dst))
struct strio_channel_receive_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_channel *ch;
    void *dst;
    strio_channel_waiter w;
};
void strio_channel_receive_start(struct strio_channel_receive_frame *f,
                                 strio_channel *ch, void *dst);
int strio_channel_receive_resume(void *f, strio_task *task);

/*
 * Sends without waiting (not a checkpoint): to a waiting receiver, else
 * into the buffer.
 *
 * Returns: 0 (sent, the bytes at `elem` were copied); STRIO_EBUSY (no
 * receiver waits and the buffer is full -- always so for capacity 0 with
 * no receiver waiting); STRIO_ECLOSED; STRIO_EBROKEN (as for send).
 */
int strio_channel_try_send(strio_channel *ch, const void *elem);

/*
 * Receives without waiting (not a checkpoint): from the buffer, else from
 * a waiting sender.
 *
 * Returns: 0 (element in `dst`); STRIO_EBUSY (nothing available, the send
 * side open); STRIO_EEND (send side closed and nothing left);
 * STRIO_ECLOSED (receive side closed).
 */
int strio_channel_try_receive(strio_channel *ch, void *dst);

/* Closes the send side (see above). Idempotent. */
void strio_channel_close_send(strio_channel *ch);

/* Closes the receive side (see above). Idempotent. */
void strio_channel_close_receive(strio_channel *ch);

/* Elements in the buffer now (0..capacity). */
size_t strio_channel_buffered(const strio_channel *ch);

/* Tasks waiting in send / in receive now. */
unsigned long strio_channel_waiting_send(const strio_channel *ch);
unsigned long strio_channel_waiting_receive(const strio_channel *ch);

#endif
