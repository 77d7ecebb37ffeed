/*
 * bench/tls.sc -- the strio side of `make bench`'s TLS figures (driven by
 * bench/tls_main.c): a TLS stream pair over a memory stream pair or TCP
 * loopback, bulk transfer and handshakes.
 */
#include <strio/strio.h>
#include <strio/tls.h>

/* Sends `total` bytes in chunks of `chunk`, then closes. */
async int tb_send(strio_stream *s, const unsigned char *buf, size_t chunk,
                  unsigned long total)
{
    unsigned long sent = 0;
    int rc = 0;
    while (sent < total && rc == 0) {
        size_t n = total - sent < chunk ? (size_t)(total - sent) : chunk;
        rc = await strio_send_all(s, buf, n);
        sent += n;
    }
    int rc2 = await strio_stream_close(s);
    return rc < 0 ? rc : rc2;
}

/* Receives until end of stream; counts the bytes. */
async int tb_receive(strio_stream *s, unsigned char *buf, size_t max,
                     unsigned long *count)
{
    long n;
    while ((n = await strio_receive_some(s, buf, max)) > 0)
        *count += (unsigned long)n;
    int rc = await strio_stream_close(s);
    return n < 0 ? (int)n : rc;
}

async int tb_handshake(strio_tls_stream *t)
{
    return await strio_tls_handshake(t);
}

/* Two children in a nursery from `pool` (frames prepared by the caller
 * with the _start functions) and waits for both. */
async int tb_both(strio_pool *pool, void *f1, strio_resume_fn r1, int *res1,
                  void *f2, strio_resume_fn r2, int *res2)
{
    strio_nursery n;
    int rc;
    strio_nursery_open(STRIO_SELF, &n);
    rc = strio_nursery_start(&n, pool, f1, r1, res1);
    if (rc == 0)
        rc = strio_nursery_start(&n, pool, f2, r2, res2);
    return await strio_nursery_close(&n, rc);
}

/* An HTTP/1.0 GET over `s` (a TLS client stream to `openssl s_server
 * -WWW`): sends the request, counts every byte of the answer (header and
 * body) into `count` until end of stream, closes. */
async int tb_get(strio_stream *s, const char *req, size_t len,
                 unsigned char *buf, size_t max, unsigned long *count)
{
    int rc = await strio_send_all(s, req, len);
    if (rc < 0)
        return rc;
    return await tb_receive(s, buf, max, count);
}
