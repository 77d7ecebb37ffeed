/*
 * The stub resolver's exchange (see strio/dns_resolver.h), in the
 * dialect: tries over the configured servers, each a fresh connected UDP
 * socket under a move-on cancel scope (the per-try timeout). What a reply
 * means is decided by plain C in dns_resolver.c.
 *
 * Named *_impl.sc: the generated header would otherwise shadow the
 * hand-written strio/dns_resolver.h.
 */
#include <errno.h>

#include <strio/dns_resolver.h>

/* One try: send the pending queries to `server`, take replies until none
 * is pending or the try's time is up. Returns 0 (replies handled; maybe
 * none), STRIO_ETIMEDOUT (the try timed out), STRIO_ECANCELED, or the
 * socket's error (-ECONNREFUSED: nobody listens there). The socket is
 * closed on every path. */
static async int strio_dns__try(strio_dns_resolver *r,
                                const strio_sockaddr *server)
{
    strio_cancel_scope sc;
    long n = 0;
    size_t i;
    int rc;
    r->tries++;
    rc = strio_socket_create(&r->sock, server->u.sa.sa_family, SOCK_DGRAM, 0);
    if (rc < 0)
        return rc;
    rc = await strio_socket_connect(&r->sock, server);
    if (rc < 0) {
        strio_socket_close(&r->sock);    /* connect closes it on cancel */
        return rc;
    }
    strio_move_on_after(STRIO_SELF, &sc, r->config->timeout);
    for (i = 0; i < r->nq && n >= 0; i++)
        if (r->query[i].state == 0)
            n = await strio_socket_send(&r->sock, r->query[i].q,
                                        r->query[i].qlen, 0);
    while (n >= 0 && strio_dns__pending(r) > 0) {
        n = await strio_socket_recv(&r->sock, r->reply, sizeof r->reply, 0);
        if (n >= 0)
            strio_dns__reply(r, (size_t)n);
    }
    rc = strio_scope_exit(&sc, n < 0 ? (int)n : 0);
    if (sc.cancelled_caught)
        rc = STRIO_ETIMEDOUT;
    strio_socket_close(&r->sock);
    return rc;
}

async int strio_dns_resolve(strio_dns_resolver *r, const char *name,
                            unsigned want, strio_dns_addr *out, size_t max,
                            size_t *count)
{
    int rc, trc;
    size_t t, rounds;
    if (r->busy)
        return STRIO_EBUSY;
    r->busy = 1;
    rc = await strio_checkpoint();
    if (rc == 0)
        rc = strio_dns__begin(r, name, want, out, max, count);
    if (rc == 0) {
        rounds = (size_t)(r->config->attempts > 0 ? r->config->attempts : 1)
                 * r->config->nservers;
        for (t = 0; t < rounds && strio_dns__start_try(r) > 0; t++) {
            trc = await strio_dns__try(
                r, &r->config->servers[t % r->config->nservers]);
            if (trc == STRIO_ECANCELED) {
                rc = trc;
                break;
            }
            if (trc < 0)
                r->last_error = trc;
        }
        if (rc == 0)
            rc = strio_dns__finish(r, out, max, count);
    }
    r->busy = 0;
    return rc;
}
