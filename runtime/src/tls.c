/*
 * TLS streams, the synchronous part (see strio/tls.h): client and server
 * set-up on BearSSL's engine with strio's defaults, the peer chain
 * recorder, error mapping, accessors, and the operations table over the
 * generated operations of tls_impl.sc. Hosted only.
 */
#include <errno.h>
#include <string.h>

#include <strio/tls.h>

/* ---- errors ---------------------------------------------------------------- */

int strio_tls_map_error(int e, int during_handshake)
{
    switch (e) {
    case BR_ERR_OK:
        return 0;
    case BR_ERR_X509_EXPIRED:
        return STRIO_ETLS_EXPIRED;
    case BR_ERR_X509_BAD_SERVER_NAME:
        return STRIO_ETLS_HOSTNAME;
    case BR_ERR_X509_NOT_TRUSTED:
    case BR_ERR_X509_NOT_CA:
    case BR_ERR_X509_BAD_SIGNATURE:
    case BR_ERR_X509_DN_MISMATCH:
    case BR_ERR_X509_WEAK_PUBLIC_KEY:
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
    case BR_ERR_X509_CRITICAL_EXTENSION:
    case BR_ERR_X509_EMPTY_CHAIN:
        return STRIO_ETLS_UNTRUSTED;
    default:
        return during_handshake ? STRIO_ETLS_HANDSHAKE : STRIO_ETLS;
    }
}

/* ---- the peer chain recorder ------------------------------------------------ */

static struct strio_tls__chain_rec *rec_of(const br_x509_class **ctx)
{
    return (struct strio_tls__chain_rec *)(void *)ctx;
}

static void rec_start_chain(const br_x509_class **ctx, const char *name)
{
    struct strio_tls__chain_rec *r = rec_of(ctx);
    r->used = 0;
    r->count = 0;
    r->overflow = 0;
    r->off[0] = 0;
    (*r->inner)->start_chain(r->inner, name);
}

static void rec_start_cert(const br_x509_class **ctx, uint32_t length)
{
    struct strio_tls__chain_rec *r = rec_of(ctx);
    if (r->count >= STRIO_TLS_PEER_MAX || length > r->cap - r->used)
        r->overflow = 1;
    (*r->inner)->start_cert(r->inner, length);
}

static void rec_append(const br_x509_class **ctx, const unsigned char *buf,
                       size_t len)
{
    struct strio_tls__chain_rec *r = rec_of(ctx);
    if (!r->overflow && r->buf != NULL && len <= r->cap - r->used) {
        memcpy(r->buf + r->used, buf, len);
        r->used += len;
    } else {
        r->overflow = 1;
    }
    (*r->inner)->append(r->inner, buf, len);
}

static void rec_end_cert(const br_x509_class **ctx)
{
    struct strio_tls__chain_rec *r = rec_of(ctx);
    if (!r->overflow) {
        r->count++;
        r->off[r->count] = r->used;
    }
    (*r->inner)->end_cert(r->inner);
}

static unsigned rec_end_chain(const br_x509_class **ctx)
{
    struct strio_tls__chain_rec *r = rec_of(ctx);
    return (*r->inner)->end_chain(r->inner);
}

static const br_x509_pkey *rec_get_pkey(const br_x509_class *const *ctx,
                                        unsigned *usages)
{
    const struct strio_tls__chain_rec *r =
        (const struct strio_tls__chain_rec *)(const void *)ctx;
    return (*r->inner)->get_pkey(r->inner, usages);
}

static const br_x509_class rec_class = {
    sizeof(struct strio_tls__chain_rec),
    rec_start_chain, rec_start_cert, rec_append, rec_end_cert,
    rec_end_chain, rec_get_pkey,
};

/* ---- operations table ------------------------------------------------------- */

static const unsigned char op_send_all = 1, op_wait_send = 2;

static strio_tls_stream *tls_of(strio_stream *s)
{
    return (strio_tls_stream *)(void *)s;
}

static void t_send_all(strio_stream *s, const void *data, size_t len)
{
    strio_tls_stream *st = tls_of(s);
    st->send_op = op_send_all;
    strio_tls_do_send_all_start(&st->send_frame.send_all, st, data, len);
}

static void t_wait_send(strio_stream *s)
{
    strio_tls_stream *st = tls_of(s);
    st->send_op = op_wait_send;
    strio_tls_do_wait_send_start(&st->send_frame.wait_send, st);
}

static int t_send_step(strio_stream *s, strio_task *task, long *result)
{
    strio_tls_stream *st = tls_of(s);
    int rc;
    if (st->send_op == op_send_all) {
        rc = strio_tls_do_send_all_resume(&st->send_frame.send_all, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send_all.strio_ret;
    } else {
        rc = strio_tls_do_wait_send_resume(&st->send_frame.wait_send, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.wait_send.strio_ret;
    }
    return rc;
}

static void t_receive_some(strio_stream *s, void *buf, size_t max)
{
    strio_tls_stream *st = tls_of(s);
    strio_tls_do_receive_some_start(&st->receive_frame, st, buf, max);
}

static int t_receive_step(strio_stream *s, strio_task *task, long *result)
{
    strio_tls_stream *st = tls_of(s);
    int rc = strio_tls_do_receive_some_resume(&st->receive_frame, task);
    if (rc == STRIO_DONE)
        *result = st->receive_frame.strio_ret;
    return rc;
}

static void t_close(strio_stream *s)
{
    strio_tls_stream *st = tls_of(s);
    strio_tls_do_close_start(&st->close_frame, st);
}

static int t_close_step(strio_stream *s, strio_task *task, long *result)
{
    strio_tls_stream *st = tls_of(s);
    int rc = strio_tls_do_close_resume(&st->close_frame, task);
    if (rc == STRIO_DONE)
        *result = st->close_frame.strio_ret;
    return rc;
}

/* No send_eof: TLS 1.2 cannot half-close (see strio/tls.h). */
static const strio_stream_ops tls_ops = {
    .name = "tls",
    .send_all = t_send_all,
    .wait_send = t_wait_send,
    .send_eof = NULL,
    .send_step = t_send_step,
    .receive_some = t_receive_some,
    .receive_step = t_receive_step,
    .close = t_close,
    .close_step = t_close_step,
};

/* ---- set-up ---------------------------------------------------------------------- */

/* ECDHE with AEAD only; AES-GCM first (hardware AES where BearSSL finds
 * it), then ChaCha20-Poly1305. */
static const uint16_t all_suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

static int is_chacha(uint16_t s)
{
    return s == BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ||
           s == BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
}

static void set_defaults(br_ssl_engine_context *eng, unsigned families)
{
    uint16_t suites[sizeof all_suites / sizeof all_suites[0]];
    size_t n = 0;
    if (families == 0)
        families = STRIO_TLS_AES_GCM | STRIO_TLS_CHACHA20;
    for (size_t i = 0; i < sizeof all_suites / sizeof all_suites[0]; i++)
        if ((is_chacha(all_suites[i]) ? STRIO_TLS_CHACHA20
                                      : STRIO_TLS_AES_GCM) & families)
            suites[n++] = all_suites[i];
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, suites, n);
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}

/* The parts shared by client and server. */
static void common_init(strio_tls_stream *st, strio_stream *transport,
                        unsigned char *peer_buf, size_t peer_cap,
                        int https_compatible)
{
    strio_stream_init(&st->base, &tls_ops);
    st->transport = transport;
    st->session = NULL;
    st->server_name = NULL;
    st->is_server = st->mono = 0;
    st->https_compatible = https_compatible != 0;
    st->handshake_done = st->closed = st->tx_busy = st->rx_busy = 0;
    st->eof = st->resumed = st->unwrapped = 0;
    st->error = st->br_error = 0;
    st->send_op = 0;
    strio_waitq_init(&st->changed);
    memset(&st->rec, 0, sizeof st->rec);
    st->rec.vtable = &rec_class;
    st->rec.inner = &st->x509.vtable;
    st->rec.buf = peer_buf;
    st->rec.cap = peer_buf != NULL ? peer_cap : 0;
}

/* The record buffer: one for both directions (half duplex), or split into
 * an input part sized for the largest records the peer may send (16 KiB,
 * or the fragment length the buffer allows, which a client then asks for
 * with max_fragment_length) and an output part. */
static int set_buffer(strio_tls_stream *st, void *iobuf, size_t len,
                      int half_duplex)
{
    size_t in = 0;
    if (iobuf == NULL)
        return -EINVAL;
    if (half_duplex) {
        if (len < STRIO_TLS_BUF_SIZE(512, 0))
            return -EINVAL;
        br_ssl_engine_set_buffer(st->eng, iobuf, len, 0);
        st->mono = 1;
    } else {
        if (len >= STRIO_TLS_BUF_BIDI)
            in = BR_SSL_BUFSIZE_INPUT;
        else
            for (size_t frag = 4096; frag >= 512 && in == 0; frag /= 2)
                if (len >= STRIO_TLS_BUF_SIZE(frag, 1))
                    in = frag + 325;
        if (in == 0)
            return -EINVAL;
        br_ssl_engine_set_buffers_bidi(st->eng, iobuf, in,
                                       (unsigned char *)iobuf + in,
                                       len - in);
        st->mono = 0;
    }
    return br_ssl_engine_last_error(st->eng) == BR_ERR_OK ? 0 : -EINVAL;
}

static int set_alpn(strio_tls_stream *st, const char *const *names,
                    size_t n)
{
    if (n == 0)
        return 0;
    if (n > 16 || names == NULL)
        return -EINVAL;
    /* BearSSL keeps the pointer: the caller's array must outlive us */
    br_ssl_engine_set_protocol_names(st->eng, (const char **)names, n);
    return 0;
}

int strio_tls_client_init(strio_tls_stream *st, strio_stream *transport,
                          const strio_tls_client_config *cfg, void *iobuf,
                          size_t len)
{
    br_ssl_client_context *cc = &st->ssl.client;
    int rc, resume = 0;
    common_init(st, transport, cfg->peer_chain_buf, cfg->peer_chain_cap,
                cfg->https_compatible);
    st->error = STRIO_ECLOSED;          /* until set up */
    if (cfg->anchors == NULL || cfg->anchor_count == 0 ||
        (cfg->server_name == NULL && !cfg->no_name_check))
        return -EINVAL;
    if ((cfg->chain != NULL) != (cfg->key != NULL))
        return -EINVAL;
    br_ssl_client_init_full(cc, &st->x509, cfg->anchors, cfg->anchor_count);
    st->eng = &cc->eng;
    set_defaults(st->eng, cfg->suites);
    br_ssl_engine_set_x509(st->eng, &st->rec.vtable);
    if (cfg->chain != NULL) {
        const strio_tls_key *k = cfg->key;
        if (k->type == BR_KEYTYPE_RSA)
            br_ssl_client_set_single_rsa(cc, cfg->chain->certs,
                                         cfg->chain->count, &k->rsa,
                                         br_rsa_pkcs1_sign_get_default());
        else if (k->type == BR_KEYTYPE_EC)
            br_ssl_client_set_single_ec(cc, cfg->chain->certs,
                                        cfg->chain->count, &k->ec,
                                        BR_KEYTYPE_SIGN, 0,
                                        br_ec_get_default(),
                                        br_ecdsa_sign_asn1_get_default());
        else
            return -EINVAL;
    }
    if ((rc = set_alpn(st, cfg->alpn, cfg->alpn_count)) < 0 ||
        (rc = set_buffer(st, iobuf, len, cfg->half_duplex)) < 0)
        return rc;
    st->session = cfg->session;
    st->server_name = cfg->no_name_check ? NULL : cfg->server_name;
    if (cfg->session != NULL && cfg->session->session_id_len > 0) {
        br_ssl_engine_set_session_parameters(st->eng, cfg->session);
        resume = 1;
    }
    if (!br_ssl_client_reset(cc, st->server_name, resume))
        return -EINVAL;
    st->error = 0;
    return 0;
}

int strio_tls_server_init(strio_tls_stream *st, strio_stream *transport,
                          const strio_tls_server_config *cfg, void *iobuf,
                          size_t len)
{
    br_ssl_server_context *sc = &st->ssl.server;
    const strio_tls_key *k = cfg->key;
    int rc;
    common_init(st, transport, cfg->peer_chain_buf, cfg->peer_chain_cap,
                cfg->https_compatible);
    st->error = STRIO_ECLOSED;
    st->is_server = 1;
    if (cfg->chain == NULL || cfg->chain->count == 0 || k == NULL)
        return -EINVAL;
    if (k->type == BR_KEYTYPE_RSA)
        br_ssl_server_init_full_rsa(sc, cfg->chain->certs, cfg->chain->count,
                                    &k->rsa);
    else if (k->type == BR_KEYTYPE_EC)
        br_ssl_server_init_full_ec(sc, cfg->chain->certs, cfg->chain->count,
                                   BR_KEYTYPE_EC, &k->ec);
    else
        return -EINVAL;
    st->eng = &sc->eng;
    set_defaults(st->eng, cfg->suites);
    if (cfg->client_anchors != NULL && cfg->client_anchor_count > 0) {
        br_x509_minimal_init_full(&st->x509, cfg->client_anchors,
                                  cfg->client_anchor_count);
        br_ssl_engine_set_x509(st->eng, &st->rec.vtable);
        /* the server's init sets no signature verifiers: without them
         * its CertificateRequest offers no signature type and a client's
         * CertificateVerify cannot be checked */
        br_ssl_engine_set_default_rsavrfy(st->eng);
        br_ssl_engine_set_default_ecdsa(st->eng);
        br_ssl_server_set_trust_anchor_names_alt(sc, cfg->client_anchors,
                                                 cfg->client_anchor_count);
    }
    if (cfg->cache != NULL)
        br_ssl_server_set_cache(sc, &cfg->cache->vtable);
    if ((rc = set_alpn(st, cfg->alpn, cfg->alpn_count)) < 0 ||
        (rc = set_buffer(st, iobuf, len, cfg->half_duplex)) < 0)
        return rc;
    if (!br_ssl_server_reset(sc))
        return -EINVAL;
    st->error = 0;
    return 0;
}

void strio_tls__on_handshake(strio_tls_stream *st)
{
    if (st->is_server)
        return;
    /* a full handshake always shows us the server's chain */
    st->resumed = st->rec.count == 0 && !st->rec.overflow &&
                  st->session != NULL && st->session->session_id_len > 0;
    if (st->session != NULL)
        br_ssl_engine_get_session_parameters(st->eng, st->session);
}

/* ---- accessors ------------------------------------------------------------------- */

int strio_tls_last_error(const strio_tls_stream *st)
{
    return st->br_error;
}

int strio_tls_handshake_done(const strio_tls_stream *st)
{
    return st->handshake_done;
}

const char *strio_tls_alpn(const strio_tls_stream *st)
{
    if (!st->handshake_done)
        return NULL;
    return br_ssl_engine_get_selected_protocol(
        (br_ssl_engine_context *)st->eng);
}

unsigned strio_tls_cipher_suite(const strio_tls_stream *st)
{
    return st->handshake_done ? st->eng->session.cipher_suite : 0;
}

int strio_tls_resumed(const strio_tls_stream *st)
{
    return st->resumed;
}

unsigned strio_tls_peer_cert_count(const strio_tls_stream *st)
{
    return st->rec.overflow ? 0 : st->rec.count;
}

int strio_tls_peer_cert(const strio_tls_stream *st, unsigned i,
                        const unsigned char **der, size_t *len)
{
    if (st->rec.overflow)
        return -EMSGSIZE;
    if (i >= st->rec.count || st->rec.buf == NULL)
        return -ENOENT;
    *der = st->rec.buf + st->rec.off[i];
    *len = st->rec.off[i + 1] - st->rec.off[i];
    return 0;
}
