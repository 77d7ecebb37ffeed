/*
 * strio/resolve.h -- asynchronous name resolution (Trio's
 * trio.socket.getaddrinfo), hosted builds only.
 *
 * getaddrinfo(3) blocks, so it runs on the worker pool (strio/posix.h).
 * Everything is caller memory: the job lives in a `strio_resolver` the
 * caller owns, the results are copied into a caller array of `strio_addr`.
 *
 *     static strio_resolver res;                 // outlives the call
 *     strio_addr addrs[8];
 *     size_t n;
 *     struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
 *     strio_resolver_init(&res);
 *     int rc = await strio_getaddrinfo(&res, &pool.workers, "localhost",
 *                                      "80", &hints, addrs, 8, &n);
 *
 * Cancellation: the call returns STRIO_ECANCELED at once, while
 * getaddrinfo keeps running on its worker thread. The job writes only into
 * the resolver (host, port and hints are copied into it, the results land
 * in its own array and are copied to `out` by the loop thread on success),
 * so `out`, `host`, `port` and `hints` may go away after a cancellation,
 * but the resolver must stay alive until the job finished: until
 * strio_resolver_busy() is 0, or strio_workers_close() returned. A call on
 * a resolver whose previous (abandoned) job is still running gets
 * STRIO_EBUSY at once. freeaddrinfo runs on the worker thread.
 *
 * Threads: one resolver serves one call at a time, from the loop's thread.
 */
#ifndef STRIO_RESOLVE_H
#define STRIO_RESOLVE_H

#include <stdatomic.h>
#include <stddef.h>
#include <netdb.h>
#include <sys/socket.h>

#include <strio/async.h>
#include <strio/posix.h>
#include <strio/socket.h>

/* One result of getaddrinfo: what socket() and connect() need. */
typedef struct strio_addr {
    int family;                 /* AF_INET, AF_INET6 */
    int socktype;               /* SOCK_STREAM, ... */
    int protocol;
    strio_sockaddr addr;        /* address and its length (addr.len) */
} strio_addr;

/* Results a resolver keeps per call (further ones are dropped). */
#ifndef STRIO_RESOLVE_MAX
#define STRIO_RESOLVE_MAX 16
#endif

/* The longest host and port strings accepted (without the NUL). */
#define STRIO_RESOLVE_HOST_MAX 255
#define STRIO_RESOLVE_PORT_MAX 31

/*
 * The state of one getaddrinfo job. Initialize with strio_resolver_init;
 * everything but `eai` and `sys_errno` is private. Must not move while a
 * job runs.
 */
typedef struct strio_resolver {
    atomic_int busy;            /* 1 from submit until the job finished */
    int eai;                    /* EAI_* of the last call (0: success) */
    int sys_errno;              /* errno behind EAI_SYSTEM */
    /* private: input and output of the job */
    char host[STRIO_RESOLVE_HOST_MAX + 1];
    char port[STRIO_RESOLVE_PORT_MAX + 1];
    unsigned char has_host, has_port, has_hints;
    int hint_flags, hint_family, hint_socktype, hint_protocol;
    size_t count;               /* results in addrs[] */
    size_t total;               /* results getaddrinfo gave */
    strio_addr addrs[STRIO_RESOLVE_MAX];
} strio_resolver;

void strio_resolver_init(strio_resolver *r);

/* Nonzero while a job submitted through `r` has not finished (also after
 * the call that submitted it was cancelled). Any thread. */
int strio_resolver_busy(const strio_resolver *r);

/*
 * Maps an EAI_* code to the negative code strio_getaddrinfo returns:
 *   EAI_NONAME, EAI_NODATA, EAI_ADDRFAMILY   -ENOENT (no such name)
 *   EAI_AGAIN                                -EAGAIN (try again later)
 *   EAI_FAIL                                 -EIO
 *   EAI_MEMORY                               -ENOMEM
 *   EAI_FAMILY                               -EAFNOSUPPORT
 *   EAI_SOCKTYPE                             -ESOCKTNOSUPPORT
 *   EAI_SERVICE                              -ESRCH (unknown service)
 *   EAI_BADFLAGS, EAI_OVERFLOW, other        -EINVAL
 *   EAI_SYSTEM                               -sys_errno (-EIO if 0)
 * 0 gives 0. The raw EAI value stays in strio_resolver.eai.
 */
int strio_eai_to_error(int eai, int sys_errno);

/*
 * async int strio_getaddrinfo(strio_resolver *r, strio_workers *w,
 *                             const char *host, const char *port,
 *                             const struct addrinfo *hints,
 *                             strio_addr *out, size_t max, size_t *count)
 *
 * getaddrinfo(host, port, hints) on a thread of `w` (only ai_flags,
 * ai_family, ai_socktype, ai_protocol of hints are used; hints may be
 * NULL); the first min(max, STRIO_RESOLVE_MAX) results, in getaddrinfo's
 * order, go to out[], their number to *count (count may be NULL). host or
 * port may be NULL, not both. Returns 0, STRIO_ECANCELED (see the
 * cancellation rules above), STRIO_EBUSY (the resolver's previous job
 * still runs), -EINVAL (host or port too long, or both NULL), STRIO_ESTATE
 * (the task's loop is not the pool's), or the mapped EAI error
 * (strio_eai_to_error; r->eai holds the EAI_* value). A checkpoint, except
 * for the immediate STRIO_EBUSY and -EINVAL.
 */
STRIO_ASYNC_DECL(int strio_getaddrinfo(strio_resolver *r, strio_workers *w, const char *host, const char *port, const struct addrinfo *hints, strio_addr *out, size_t max, size_t *count))
struct strio_getaddrinfo_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_resolver *r;
    strio_workers *w;
    const char *host, *port;
    const struct addrinfo *hints;
    strio_addr *out;
    size_t max;
    size_t *count;
    struct strio_run_in_worker_frame rw;
};
void strio_getaddrinfo_start(struct strio_getaddrinfo_frame *f,
                             strio_resolver *r, strio_workers *w,
                             const char *host, const char *port,
                             const struct addrinfo *hints, strio_addr *out,
                             size_t max, size_t *count);
int strio_getaddrinfo_resume(void *f, strio_task *task);

#endif
