/*
 * Name resolution on the worker pool: the part that runs on the worker
 * thread, and the async calls, written by hand over strio_run_in_worker
 * (see strio/resolve.h). They share one pattern: check the resolver is
 * free, copy the inputs into it, mark it busy, run the job; the job writes
 * only into the resolver and clears `busy` last; the loop thread copies
 * the results out only when the job completed, so a cancelled call leaves
 * the caller's memory alone.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <netdb.h>
#include <string.h>

#include <strio/error.h>
#include <strio/resolve.h>

void strio_resolver_init(strio_resolver *r)
{
    memset(r, 0, sizeof *r);
    atomic_init(&r->busy, 0);
}

int strio_resolver_busy(const strio_resolver *r)
{
    return atomic_load_explicit((atomic_int *)&r->busy, memory_order_acquire);
}

int strio_eai_to_error(int eai, int sys_errno)
{
    switch (eai) {
    case 0:
        return 0;
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
        return -ENOENT;
    case EAI_AGAIN:
        return -EAGAIN;
    case EAI_FAIL:
        return -EIO;
    case EAI_MEMORY:
        return -ENOMEM;
    case EAI_FAMILY:
        return -EAFNOSUPPORT;
    case EAI_SOCKTYPE:
        return -ESOCKTNOSUPPORT;
    case EAI_SERVICE:
        return -ESRCH;
    case EAI_SYSTEM:
        return sys_errno > 0 ? -sys_errno : -EIO;
    default:
        return -EINVAL;
    }
}

static int copy_str(char *dst, size_t size, const char *src,
                    unsigned char *has)
{
    *has = src != NULL;
    if (src == NULL) {
        dst[0] = 0;
        return 0;
    }
    size_t n = strlen(src);
    if (n >= size)
        return -EINVAL;
    memcpy(dst, src, n + 1);
    return 0;
}

static int prepare(strio_resolver *r, const char *host,
                   const char *port, const struct addrinfo *hints)
{
    if (host == NULL && port == NULL)
        return -EINVAL;
    if (copy_str(r->host, sizeof r->host, host, &r->has_host) < 0 ||
        copy_str(r->port, sizeof r->port, port, &r->has_port) < 0)
        return -EINVAL;
    r->has_hints = hints != NULL;
    r->hint_flags = hints != NULL ? hints->ai_flags : 0;
    r->hint_family = hints != NULL ? hints->ai_family : 0;
    r->hint_socktype = hints != NULL ? hints->ai_socktype : 0;
    r->hint_protocol = hints != NULL ? hints->ai_protocol : 0;
    r->eai = 0;
    r->sys_errno = 0;
    r->count = r->total = 0;
    return 0;
}

/* Worker thread: touches only the resolver. */
static void job(void *arg)
{
    strio_resolver *r = arg;
    struct addrinfo *res = NULL, hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = r->hint_flags;
    hints.ai_family = r->hint_family;
    hints.ai_socktype = r->hint_socktype;
    hints.ai_protocol = r->hint_protocol;
    int eai = getaddrinfo(r->has_host ? r->host : NULL,
                          r->has_port ? r->port : NULL,
                          r->has_hints ? &hints : NULL, &res);
    r->sys_errno = eai == EAI_SYSTEM ? errno : 0;
    r->eai = eai;
    r->count = r->total = 0;
    if (eai == 0) {
        for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
            r->total++;
            if (r->count >= STRIO_RESOLVE_MAX ||
                ai->ai_addrlen > sizeof r->addrs[0].addr.u)
                continue;
            strio_addr *a = &r->addrs[r->count++];
            memset(a, 0, sizeof *a);
            a->family = ai->ai_family;
            a->socktype = ai->ai_socktype;
            a->protocol = ai->ai_protocol;
            a->addr.len = ai->ai_addrlen;
            memcpy(&a->addr.u, ai->ai_addr, ai->ai_addrlen);
        }
        freeaddrinfo(res);
    }
    atomic_store_explicit(&r->busy, 0, memory_order_release);
}

/* ---- the async call, written by hand over strio_run_in_worker ---------- */

/* Ends a call whose strio_run_in_worker completed with `rc` < 0 (cancelled,
 * or the loop is not the pool's): a job that never reached a worker will
 * not clear `busy` itself. */
static int abandon(strio_resolver *r, struct strio_run_in_worker_frame *rw,
                   int rc)
{
    if (!strio_run_in_worker_submitted(rw))
        atomic_store_explicit(&r->busy, 0, memory_order_release);
    return rc;
}

void strio_getaddrinfo_start(struct strio_getaddrinfo_frame *f,
                             strio_resolver *r, strio_workers *w,
                             const char *host, const char *port,
                             const struct addrinfo *hints, strio_addr *out,
                             size_t max, size_t *count)
{
    f->strio_state = 0;
    f->r = r;
    f->w = w;
    f->host = host;
    f->port = port;
    f->hints = hints;
    f->out = out;
    f->max = max;
    f->count = count;
}

int strio_getaddrinfo_resume(void *vf, strio_task *task)
{
    struct strio_getaddrinfo_frame *f = vf;
    strio_resolver *r = f->r;
    int rc;
    switch (f->strio_state) {
    case 0:
        if (f->count != NULL)
            *f->count = 0;
        if (strio_resolver_busy(r)) {
            f->strio_ret = STRIO_EBUSY;
            return STRIO_DONE;
        }
        rc = prepare(r, f->host, f->port, f->hints);
        if (rc < 0) {
            f->strio_ret = rc;
            return STRIO_DONE;
        }
        atomic_store_explicit(&r->busy, 1, memory_order_relaxed);
        strio_run_in_worker_start(&f->rw, f->w, job, r);
        f->strio_state = 1;
        /* fall through */
    case 1:
        if (strio_run_in_worker_resume(&f->rw, task) == STRIO_PENDING)
            return STRIO_PENDING;
        if (f->rw.strio_ret < 0) {
            f->strio_ret = abandon(r, &f->rw, f->rw.strio_ret);
            return STRIO_DONE;
        }
        rc = strio_eai_to_error(r->eai, r->sys_errno);
        if (rc == 0) {
            size_t n = r->count < f->max ? r->count : f->max;
            if (n > 0)
                memcpy(f->out, r->addrs, n * sizeof r->addrs[0]);
            if (f->count != NULL)
                *f->count = n;
        }
        f->strio_ret = rc;
        return STRIO_DONE;
    default:
        f->strio_ret = STRIO_ESTATE;
        return STRIO_DONE;
    }
}

/* ---- shared by the calls below -------------------------------------------- */

/* Copies the NUL-terminated `src` into dst[size] (dst may be NULL when
 * size is 0: nothing wanted). -ENOSPC if it does not fit. */
static int copy_out(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (dst == NULL)
        return 0;
    if (n >= size)
        return -ENOSPC;
    memcpy(dst, src, n + 1);
    return 0;
}

/* ---- getnameinfo ---------------------------------------------------------- */

/* Worker thread: touches only the resolver (the address is in addrs[0]). */
static void nameinfo_job(void *arg)
{
    strio_resolver *r = arg;
    int eai = getnameinfo(&r->addrs[0].addr.u.sa, r->addrs[0].addr.len,
                          r->has_host ? r->host : NULL,
                          r->has_host ? sizeof r->host : 0,
                          r->has_port ? r->port : NULL,
                          r->has_port ? sizeof r->port : 0, r->ni_flags);
    r->sys_errno = eai == EAI_SYSTEM ? errno : 0;
    r->eai = eai;
    atomic_store_explicit(&r->busy, 0, memory_order_release);
}

void strio_getnameinfo_start(struct strio_getnameinfo_frame *f,
                             strio_resolver *r, strio_workers *w,
                             const strio_sockaddr *addr, int flags,
                             char *host, size_t hostlen, char *serv,
                             size_t servlen)
{
    f->strio_state = 0;
    f->r = r;
    f->w = w;
    f->addr = addr;
    f->flags = flags;
    f->host = host;
    f->hostlen = hostlen;
    f->serv = serv;
    f->servlen = servlen;
}

int strio_getnameinfo_resume(void *vf, strio_task *task)
{
    struct strio_getnameinfo_frame *f = vf;
    strio_resolver *r = f->r;
    int rc;
    switch (f->strio_state) {
    case 0:
        if (strio_resolver_busy(r)) {
            f->strio_ret = STRIO_EBUSY;
            return STRIO_DONE;
        }
        if ((f->host == NULL && f->serv == NULL) || f->addr == NULL ||
            f->addr->len == 0 || f->addr->len > sizeof f->addr->u) {
            f->strio_ret = -EINVAL;
            return STRIO_DONE;
        }
        memset(&r->addrs[0], 0, sizeof r->addrs[0]);
        memcpy(&r->addrs[0].addr, f->addr, sizeof *f->addr);
        r->has_host = f->host != NULL;
        r->has_port = f->serv != NULL;
        r->host[0] = r->port[0] = 0;
        r->ni_flags = f->flags;
        r->eai = r->sys_errno = 0;
        atomic_store_explicit(&r->busy, 1, memory_order_relaxed);
        strio_run_in_worker_start(&f->rw, f->w, nameinfo_job, r);
        f->strio_state = 1;
        /* fall through */
    case 1:
        if (strio_run_in_worker_resume(&f->rw, task) == STRIO_PENDING)
            return STRIO_PENDING;
        if (f->rw.strio_ret < 0) {
            f->strio_ret = abandon(r, &f->rw, f->rw.strio_ret);
            return STRIO_DONE;
        }
        if (r->eai == EAI_OVERFLOW)
            rc = -ENOSPC;
        else
            rc = strio_eai_to_error(r->eai, r->sys_errno);
        /* both fit, or nothing is written */
        if (rc == 0 && f->host != NULL && strlen(r->host) >= f->hostlen)
            rc = -ENOSPC;
        if (rc == 0 && f->serv != NULL && strlen(r->port) >= f->servlen)
            rc = -ENOSPC;
        if (rc == 0) {
            copy_out(f->host, f->hostlen, r->host);
            copy_out(f->serv, f->servlen, r->port);
        }
        f->strio_ret = rc;
        return STRIO_DONE;
    default:
        f->strio_ret = STRIO_ESTATE;
        return STRIO_DONE;
    }
}

/* ---- getprotobyname ------------------------------------------------------- */

/* Worker thread: the name is in r->host, the number goes to r->proto;
 * the reentrant call's scratch buffer is on the worker's stack. */
static void protobyname_job(void *arg)
{
    strio_resolver *r = arg;
    struct protoent ent, *found = NULL;
    char buf[1024];
    int err = getprotobyname_r(r->host, &ent, buf, sizeof buf, &found);
    r->sys_errno = err;
    r->proto = err == 0 && found != NULL ? found->p_proto : -1;
    atomic_store_explicit(&r->busy, 0, memory_order_release);
}

void strio_getprotobyname_start(struct strio_getprotobyname_frame *f,
                                strio_resolver *r, strio_workers *w,
                                const char *name, int *proto)
{
    f->strio_state = 0;
    f->r = r;
    f->w = w;
    f->name = name;
    f->proto = proto;
}

int strio_getprotobyname_resume(void *vf, strio_task *task)
{
    struct strio_getprotobyname_frame *f = vf;
    strio_resolver *r = f->r;
    switch (f->strio_state) {
    case 0:
        if (strio_resolver_busy(r)) {
            f->strio_ret = STRIO_EBUSY;
            return STRIO_DONE;
        }
        if (f->name == NULL || f->name[0] == 0 ||
            copy_str(r->host, sizeof r->host, f->name, &r->has_host) < 0) {
            f->strio_ret = -EINVAL;
            return STRIO_DONE;
        }
        r->proto = -1;
        r->sys_errno = 0;
        r->eai = 0;
        atomic_store_explicit(&r->busy, 1, memory_order_relaxed);
        strio_run_in_worker_start(&f->rw, f->w, protobyname_job, r);
        f->strio_state = 1;
        /* fall through */
    case 1:
        if (strio_run_in_worker_resume(&f->rw, task) == STRIO_PENDING)
            return STRIO_PENDING;
        if (f->rw.strio_ret < 0) {
            f->strio_ret = abandon(r, &f->rw, f->rw.strio_ret);
            return STRIO_DONE;
        }
        if (r->sys_errno != 0)
            f->strio_ret = -r->sys_errno;
        else if (r->proto < 0)
            f->strio_ret = -ENOENT;
        else {
            *f->proto = r->proto;
            f->strio_ret = 0;
        }
        return STRIO_DONE;
    default:
        f->strio_ret = STRIO_ESTATE;
        return STRIO_DONE;
    }
}
