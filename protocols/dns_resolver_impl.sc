/*
 * The stub resolver's exchange (see strio/dns_resolver.h), in the
 * dialect: tries over the configured servers, each a channel from the
 * transport under a move-on cancel scope (the per-try timeout). What a
 * reply means is decided by plain C in dns_resolver.c. Core: only the
 * generic stream calls, so any datagram transport fits.
 *
 * Named *_impl.sc: the generated header would otherwise shadow the
 * hand-written strio/dns_resolver.h.
 */
#include <errno.h>

#include <strio/strio.h>
#include <strio/dns_resolver.h>

/* One try: open a channel to `server`, send the pending queries, take
 * replies until none is pending or the try's time is up, close the
 * channel (on every path). Returns 0 (replies handled; maybe none),
 * STRIO_ETIMEDOUT (the try timed out), STRIO_ECANCELED, or the transport's
 * error (-ECONNREFUSED: nobody listens there; STRIO_EBROKEN: the channel
 * ended). */
static async int strio_dns__try(strio_dns_resolver *r,
                                const strio_dns_server *server)
{
    strio_cancel_scope sc;
    long n = 0;
    size_t i;
    int rc;
    r->tries++;
    rc = r->transport->open(r->transport, server, &r->chan);
    if (rc < 0) {
        r->chan = NULL;
        return rc;
    }
    strio_move_on_after(STRIO_SELF, &sc, r->config->timeout);
    for (i = 0; i < r->nq && n >= 0; i++)
        if (r->query[i].state == 0)
            n = await strio_send_all(r->chan, r->query[i].q,
                                     r->query[i].qlen);
    while (n >= 0 && strio_dns__pending(r) > 0) {
        n = await strio_receive_some(r->chan, r->reply, sizeof r->reply);
        if (n == 0)
            n = STRIO_EBROKEN;          /* the channel can bring no more */
        else if (n > 0)
            strio_dns__reply(r, (size_t)n);
    }
    rc = strio_scope_exit(&sc, n < 0 ? (int)n : 0);
    if (sc.cancelled_caught)
        rc = STRIO_ETIMEDOUT;
    /* close releases the channel even when cancelled (stream contract) */
    (void)await strio_stream_close(r->chan);
    r->chan = NULL;
    return rc;
}

async int strio_dns_query(strio_dns_resolver *r, const char *name,
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
