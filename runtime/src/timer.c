/* Intrusive pairing heap of timers (see strio/timer.h). */
#include <stddef.h>

#include <strio/timer.h>

/* Equal deadlines fire in arming order: ties break on the sequence number
 * the heap stamps on each insertion. */
static int before(const strio_timer *a, const strio_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static strio_timer *meld(strio_timer *a, strio_timer *b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (before(b, a)) {
        strio_timer *t = a;
        a = b;
        b = t;
    }
    b->prev = a;                 /* b becomes a's first child */
    b->next = a->child;
    if (a->child != NULL)
        a->child->prev = b;
    a->child = b;
    a->next = NULL;
    a->prev = NULL;
    return a;
}

/* The standard two-pass merge of a sibling list (iterative). */
static strio_timer *merge_pairs(strio_timer *first)
{
    strio_timer *pairs = NULL;
    while (first != NULL) {
        strio_timer *a = first, *b = a->next;
        if (b == NULL) {
            a->prev = NULL;
            a->next = pairs;
            pairs = a;
            break;
        }
        first = b->next;
        a->next = a->prev = b->next = b->prev = NULL;
        strio_timer *m = meld(a, b);
        m->next = pairs;
        pairs = m;
    }
    strio_timer *root = NULL;
    while (pairs != NULL) {
        strio_timer *n = pairs->next;
        pairs->next = NULL;
        root = meld(pairs, root);
        pairs = n;
    }
    return root;
}

void strio_timer_heap_init(strio_timer_heap *h)
{
    h->root = NULL;
    h->count = 0;
    h->seq = 0;
}

void strio_timer_insert(strio_timer_heap *h, strio_timer *t, strio_time when)
{
    t->when = when;
    t->seq = h->seq++;
    t->child = t->next = t->prev = NULL;
    t->armed = 1;
    h->root = meld(h->root, t);
    h->count++;
}

void strio_timer_remove(strio_timer_heap *h, strio_timer *t)
{
    if (!t->armed)
        return;
    t->armed = 0;
    h->count--;
    if (t == h->root) {
        h->root = merge_pairs(t->child);
        t->child = NULL;
        return;
    }
    if (t->prev->child == t)     /* first child: prev is the parent */
        t->prev->child = t->next;
    else
        t->prev->next = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    strio_timer *sub = merge_pairs(t->child);
    t->child = t->next = t->prev = NULL;
    h->root = meld(h->root, sub);
}

strio_timer *strio_timer_min(const strio_timer_heap *h)
{
    return h->root;
}
