// switch_coro.cpp -- the peer: the same two benchmarks as C++20 coroutines
// with a minimal scheduler (a FIFO ring of coroutine handles), built with
// g++ -std=c++20 -O2.
//
//   switch ROUNDS   ping-pong through two one-waiter events
//   spawn COUNT     spawn+join COUNT trivial coroutines, at most 64 alive
//                   (each frame comes from operator new, as C++ does)
//   sizes           bytes of one ping-pong coroutine frame (what operator
//                   new was asked for)
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>

namespace {

struct Scheduler {
    static constexpr unsigned kCap = 1024;   // power of two
    std::coroutine_handle<> ring[kCap];
    unsigned head = 0, tail = 0;
    unsigned long switches = 0;

    void enqueue(std::coroutine_handle<> h) { ring[tail++ & (kCap - 1)] = h; }
    void run()
    {
        while (head != tail) {
            std::coroutine_handle<> h = ring[head++ & (kCap - 1)];
            switches++;
            h.resume();
        }
    }
};

Scheduler S;
std::size_t last_frame_size;

// A fire-and-forget task: starts suspended (the scheduler resumes it),
// frees its frame when it finishes and tells `on_done`, if any.
struct Task {
    struct promise_type {
        void (*on_done)() = nullptr;
        void *operator new(std::size_t n)
        {
            last_frame_size = n;
            return ::operator new(n);
        }
        void operator delete(void *p) { ::operator delete(p); }
        Task get_return_object()
        {
            using H = std::coroutine_handle<promise_type>;
            return Task{ H::from_promise(*this) };
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct Final {
            bool await_ready() noexcept { return false; }
            void await_suspend(std::coroutine_handle<promise_type> h) noexcept
            {
                void (*done)() = h.promise().on_done;
                h.destroy();
                if (done != nullptr)
                    done();
            }
            void await_resume() noexcept {}
        };
        Final final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() { std::abort(); }
    };
    std::coroutine_handle<promise_type> h;
};

// A one-shot flag with at most one waiter.
struct Event {
    std::coroutine_handle<> waiter;
    bool flag = false;

    void set()
    {
        flag = true;
        if (waiter) {
            S.enqueue(waiter);
            waiter = nullptr;
        }
    }
    // Waits until set, then re-arms. (An awaiter holding a pointer: g++ 12
    // copies an lvalue awaitable of class type into the frame, so
    // `co_await event` would park on the copy.)
    struct Wait {
        Event *e;
        bool await_ready() const noexcept { return e->flag; }
        void await_suspend(std::coroutine_handle<> h) noexcept
        {
            e->waiter = h;
        }
        void await_resume() noexcept { e->flag = false; }
    };
    Wait wait() { return Wait{ this }; }
};

// Wall time and this thread's CPU time (the steadier figure on a loaded
// machine: the benchmark never blocks).
struct Stamp {
    double wall, cpu;
};

double read_ns(clockid_t id)
{
    timespec ts;
    clock_gettime(id, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

Stamp stamp()
{
    return Stamp{ read_ns(CLOCK_MONOTONIC), read_ns(CLOCK_THREAD_CPUTIME_ID) };
}

Stamp since(Stamp t0)
{
    Stamp t = stamp();
    return Stamp{ t.wall - t0.wall, t.cpu - t0.cpu };
}

// ---- ping-pong ------------------------------------------------------------

Event ev[2];
int finished;

Task side(int me, long rounds)
{
    for (long i = 0; i < rounds; i++) {
        if (me == 0)
            ev[1].set();
        co_await ev[me].wait();
        if (me == 1)
            ev[0].set();
    }
    finished++;
}

int bench_switch(long rounds)
{
    for (int me = 0; me < 2; me++)
        S.enqueue(side(me, rounds).h);
    std::size_t frame = last_frame_size;
    Stamp t0 = stamp();
    S.run();
    Stamp ns = since(t0);
    if (finished != 2) {
        std::fprintf(stderr, "ping-pong did not finish\n");
        return 1;
    }
    std::printf("switches %lu\n", S.switches);
    std::printf("ns_per_switch %.3f\n", ns.cpu / double(S.switches));
    std::printf("wall_ns_per_switch %.3f\n", ns.wall / double(S.switches));
    std::printf("frame %zu\n", frame);
    return 0;
}

// ---- spawn+join ------------------------------------------------------------

constexpr unsigned kSlots = 64;
unsigned live;
std::coroutine_handle<> root_waiting;

void child_done()
{
    live--;
    if (root_waiting) {
        S.enqueue(root_waiting);
        root_waiting = nullptr;
    }
}

Task child()
{
    co_return;
}

struct WaitSlot {        // suspends the root until child_done() wakes it
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept
    {
        root_waiting = h;
    }
    void await_resume() noexcept {}
};

bool root_finished;

Task spawn_root(long count)
{
    for (long i = 0; i < count; i++) {
        while (live == kSlots)
            co_await WaitSlot{};
        Task t = child();
        t.h.promise().on_done = child_done;
        live++;
        S.enqueue(t.h);
    }
    while (live != 0)
        co_await WaitSlot{};
    root_finished = true;
}

int bench_spawn(long count)
{
    S.enqueue(spawn_root(count).h);
    Stamp t0 = stamp();
    S.run();
    Stamp ns = since(t0);
    if (!root_finished) {
        std::fprintf(stderr, "spawn did not finish\n");
        return 1;
    }
    std::printf("switches %lu\n", S.switches);
    std::printf("ns_per_task %.3f\n", ns.cpu / double(count));
    std::printf("wall_ns_per_task %.3f\n", ns.wall / double(count));
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc >= 3 && std::strcmp(argv[1], "switch") == 0)
        return bench_switch(std::atol(argv[2]));
    if (argc >= 3 && std::strcmp(argv[1], "spawn") == 0)
        return bench_spawn(std::atol(argv[2]));
    if (argc >= 2 && std::strcmp(argv[1], "sizes") == 0) {
        (void)side(0, 0).h.destroy();
        std::printf("frame %zu\n", last_frame_size);
        return 0;
    }
    std::fprintf(stderr, "usage: %s switch ROUNDS | spawn COUNT | sizes\n",
                 argv[0]);
    return 2;
}
