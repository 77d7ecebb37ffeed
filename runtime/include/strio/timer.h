/*
 * strio/timer.h -- the loop's intrusive timer heap.
 *
 * A pairing heap: nodes live inside tasks and cancel scopes, so arming a
 * timer never allocates. Insert is O(1), removing the earliest or any node
 * O(log n) amortized. Internal to the runtime; exposed because tasks and
 * scopes embed the node.
 */
#ifndef STRIO_TIMER_H
#define STRIO_TIMER_H

#include <strio/time.h>

typedef struct strio_timer strio_timer;

struct strio_timer {
    strio_time when;
    unsigned long seq;      /* arming order: equal deadlines fire FIFO */
    strio_timer *child;     /* first child */
    strio_timer *next;      /* next sibling */
    strio_timer *prev;      /* previous sibling, or parent for a first child;
                               NULL when not in a heap (and for the root) */
    unsigned char armed;
    unsigned char kind;     /* what firing means (STRIO_TIMER_*) */
};

enum { STRIO_TIMER_TASK = 1, STRIO_TIMER_SCOPE = 2 };

typedef struct strio_timer_heap {
    strio_timer *root;
    unsigned long count;
    unsigned long seq;
} strio_timer_heap;

void strio_timer_heap_init(strio_timer_heap *h);
/* Adds `t` (not armed) with deadline `when`. */
void strio_timer_insert(strio_timer_heap *h, strio_timer *t, strio_time when);
/* Removes `t` if armed. */
void strio_timer_remove(strio_timer_heap *h, strio_timer *t);
/* The earliest timer, or NULL. */
strio_timer *strio_timer_min(const strio_timer_heap *h);

#endif
