/*
 * switch_floor.c -- the floor: the same two benchmarks written by hand as
 * switch-based state machines over a minimal run queue, with nothing a
 * real runtime needs (no cancellation, timers, nurseries, fairness
 * batches, clock reads). What strio costs above this is overhead of the
 * runtime, not of the state-machine technique.
 *
 *   switch ROUNDS       ping-pong through two one-waiter "events"
 *   spawn COUNT         spawn+join COUNT trivial tasks through 64 slots
 *   sizes               bytes of one ping-pong task
 *
 * Tasks are resumed through a function pointer, as strio does, so the
 * compiler cannot fuse the two sides into one loop.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PENDING, DONE };

struct task {
    struct task *next;
    int (*resume)(struct task *);
    int state;
};

struct sched {
    struct task *head, *tail;
    unsigned long switches;
};

static struct sched S;

static void enqueue(struct task *t)
{
    t->next = NULL;
    if (S.tail != NULL)
        S.tail->next = t;
    else
        S.head = t;
    S.tail = t;
}

static void run(void)
{
    struct task *t;
    while ((t = S.head) != NULL) {
        S.head = t->next;
        if (S.head == NULL)
            S.tail = NULL;
        S.switches++;
        t->resume(t);
    }
}

/* A one-shot flag with at most one waiter. */
struct event {
    struct task *waiter;
    int set;
};

static void event_set(struct event *e)
{
    e->set = 1;
    if (e->waiter != NULL) {
        enqueue(e->waiter);
        e->waiter = NULL;
    }
}

/* ---- ping-pong ---------------------------------------------------------- */

struct side {
    struct task t;
    struct event *mine, *other;
    long i, rounds;
    int me;
};

static int side_resume(struct task *tt)
{
    struct side *s = (struct side *)tt;
    switch (s->t.state) {
    case 0:
        for (s->i = 0; s->i < s->rounds; s->i++) {
            if (s->me == 0)
                event_set(s->other);
            if (!s->mine->set) {
                s->mine->waiter = &s->t;
                s->t.state = 1;
                return PENDING;
    case 1:;
            }
            s->mine->set = 0;
            if (s->me == 1)
                event_set(s->other);
        }
    }
    s->t.state = 2;
    return DONE;
}

/* Wall time and this thread's CPU time: on a loaded machine the CPU time
 * is the steadier figure (the benchmark never blocks). */
struct stamp {
    double wall, cpu;
};

static double read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static struct stamp stamp(void)
{
    struct stamp s = { read_ns(CLOCK_MONOTONIC),
                       read_ns(CLOCK_THREAD_CPUTIME_ID) };
    return s;
}

static struct stamp since(struct stamp t0)
{
    struct stamp t = stamp();
    t.wall -= t0.wall;
    t.cpu -= t0.cpu;
    return t;
}

static int bench_switch(long rounds)
{
    static struct event ev[2];
    static struct side side[2];
    for (int me = 0; me < 2; me++) {
        side[me] = (struct side){ { NULL, side_resume, 0 }, &ev[me],
                                  &ev[1 - me], 0, rounds, me };
        enqueue(&side[me].t);
    }
    struct stamp t0 = stamp();
    run();
    struct stamp ns = since(t0);
    if (side[0].t.state != 2 || side[1].t.state != 2) {
        fprintf(stderr, "ping-pong did not finish\n");
        return 1;
    }
    printf("switches %lu\n", S.switches);
    printf("ns_per_switch %.3f\n", ns.cpu / (double)S.switches);
    printf("wall_ns_per_switch %.3f\n", ns.wall / (double)S.switches);
    return 0;
}

/* ---- spawn+join --------------------------------------------------------- */

enum { SLOTS = 64 };

struct child {
    struct task t;
    struct child *free_next;
};

struct root {
    struct task t;
    long i, count;
    unsigned live;
    int waiting;                 /* parked until a slot frees */
};

static struct child slots[SLOTS];
static struct child *free_slots;
static struct root root;

static int child_resume(struct task *tt)
{
    struct child *c = (struct child *)tt;
    c->free_next = free_slots;       /* done: the slot goes back */
    free_slots = c;
    root.live--;
    if (root.waiting) {
        root.waiting = 0;
        enqueue(&root.t);
    }
    return DONE;
}

static int root_resume(struct task *tt)
{
    struct root *r = (struct root *)tt;
    switch (r->t.state) {
    case 0:
        for (r->i = 0; r->i < r->count; r->i++) {
            while (free_slots == NULL) {
                r->waiting = 1;
                r->t.state = 1;
                return PENDING;
    case 1:;
            }
            struct child *c = free_slots;
            free_slots = c->free_next;
            c->t.state = 0;
            c->t.resume = child_resume;
            r->live++;
            enqueue(&c->t);
        }
        while (r->live != 0) {
            r->waiting = 1;
            r->t.state = 2;
            return PENDING;
    case 2:;
        }
    }
    r->t.state = 3;
    return DONE;
}

static int bench_spawn(long count)
{
    for (int i = SLOTS; i-- > 0;) {
        slots[i].free_next = free_slots;
        free_slots = &slots[i];
    }
    root = (struct root){ { NULL, root_resume, 0 }, 0, count, 0, 0 };
    enqueue(&root.t);
    struct stamp t0 = stamp();
    run();
    struct stamp ns = since(t0);
    if (root.t.state != 3) {
        fprintf(stderr, "spawn did not finish\n");
        return 1;
    }
    printf("switches %lu\n", S.switches);
    printf("ns_per_task %.3f\n", ns.cpu / (double)count);
    printf("wall_ns_per_task %.3f\n", ns.wall / (double)count);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "switch") == 0)
        return bench_switch(atol(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "spawn") == 0)
        return bench_spawn(atol(argv[2]));
    if (argc >= 2 && strcmp(argv[1], "sizes") == 0) {
        printf("task %zu\n", sizeof(struct side));
        return 0;
    }
    fprintf(stderr, "usage: %s switch ROUNDS | spawn COUNT | sizes\n",
            argv[0]);
    return 2;
}
