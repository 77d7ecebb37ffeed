/*
 * strio/resolve.h -- asynchronous name resolution (Trio's
 * trio.socket.getaddrinfo, getnameinfo and getprotobyname), hosted builds
 * only. The obsolete calls (gethostbyname & co.) are deliberately absent.
 *
 * getaddrinfo(3), getnameinfo(3) and getprotobyname_r(3) block, so they
 * run on the worker pool (strio/posix.h).
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
    int ni_flags;               /* getnameinfo: NI_* flags */
    int proto;                  /* getprotobyname: the number found */
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

/*
 * async int strio_getnameinfo(strio_resolver *r, strio_workers *w,
 *                             const strio_sockaddr *addr, int flags,
 *                             char *host, size_t hostlen,
 *                             char *serv, size_t servlen)
 *
 * getnameinfo(addr, flags) on a thread of `w`: the host name (or numeric
 * address with NI_NUMERICHOST) into `host`, the service name (or number
 * with NI_NUMERICSERV) into `serv`, NUL-terminated. Either output may be
 * NULL (with size 0) when not wanted, not both. `addr` is copied into the
 * resolver before the job starts, so it may go away after the call
 * returned (also after a cancellation); `host` and `serv` are written by
 * the loop thread only, on success.
 *
 * Returns 0, STRIO_ECANCELED (see the cancellation rules above: `host`
 * and `serv` are untouched), STRIO_EBUSY (the resolver's previous job still
 * runs), -EINVAL (both outputs NULL, a NULL or oversized address),
 * -ENOSPC (a result does not fit its buffer with its NUL: nothing is
 * written, never a truncated name), STRIO_ESTATE (the task's loop is not
 * the pool's), or the mapped EAI error (strio_eai_to_error; -ENOENT when
 * NI_NAMEREQD is set and the address has no name; r->eai keeps EAI_*).
 * A checkpoint, except for the immediate STRIO_EBUSY and -EINVAL.
 * Host names are kept to STRIO_RESOLVE_HOST_MAX bytes in the resolver
 * (longer than any DNS name); services to STRIO_RESOLVE_PORT_MAX.
 */
STRIO_ASYNC_DECL(int strio_getnameinfo(strio_resolver *r, strio_workers *w, const strio_sockaddr *addr, int flags, char *host, size_t hostlen, char *serv, size_t servlen))
struct strio_getnameinfo_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_resolver *r;
    strio_workers *w;
    const strio_sockaddr *addr;
    int flags;
    char *host, *serv;
    size_t hostlen, servlen;
    struct strio_run_in_worker_frame rw;
};
void strio_getnameinfo_start(struct strio_getnameinfo_frame *f,
                             strio_resolver *r, strio_workers *w,
                             const strio_sockaddr *addr, int flags,
                             char *host, size_t hostlen, char *serv,
                             size_t servlen);
int strio_getnameinfo_resume(void *f, strio_task *task);

/*
 * async int strio_getprotobyname(strio_resolver *r, strio_workers *w,
 *                                const char *name, int *proto)
 *
 * The protocol number of `name` ("tcp" -> 6, "udp" -> 17; from
 * /etc/protocols or NSS) with the reentrant getprotobyname_r on a thread
 * of `w`, into *proto (written by the loop thread, on success only).
 * Returns 0, -ENOENT (no such protocol), -EINVAL (name NULL, empty or
 * longer than STRIO_RESOLVE_HOST_MAX), STRIO_ECANCELED (*proto untouched),
 * STRIO_EBUSY, STRIO_ESTATE, or -errno from getprotobyname_r. Same
 * cancellation rules and checkpoint as strio_getaddrinfo.
 */
STRIO_ASYNC_DECL(int strio_getprotobyname(strio_resolver *r, strio_workers *w, const char *name, int *proto))
struct strio_getprotobyname_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_resolver *r;
    strio_workers *w;
    const char *name;
    int *proto;
    struct strio_run_in_worker_frame rw;
};
void strio_getprotobyname_start(struct strio_getprotobyname_frame *f,
                                strio_resolver *r, strio_workers *w,
                                const char *name, int *proto);
int strio_getprotobyname_resume(void *f, strio_task *task);

#endif
