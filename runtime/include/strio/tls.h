/*
 * strio/tls.h -- TLS over any strio stream, on BearSSL's engine (Trio's
 * SSLStream). Hosted builds (links -lbearssl); no allocation.
 *
 * A TLS stream is a strio_stream (strio/stream.h) wrapped around another
 * one, the transport: a socket stream, a pipe pair, a memory pair, another
 * TLS stream (TLS inside TLS), ... Client:
 *
 *     static unsigned char iobuf[STRIO_TLS_BUF_BIDI];
 *     strio_tls_stream tls;                      // ~7.7 KiB + iobuf
 *     strio_tls_client_config cfg = {
 *         .anchors = anchors.ta, .anchor_count = anchors.count,
 *         .server_name = "example.com",          // SNI + hostname check
 *     };
 *     rc = strio_tls_client_init(&tls, &tcp.base, &cfg, iobuf, sizeof iobuf);
 *     rc = await strio_tls_handshake(&tls);       // optional (implicit)
 *     rc = await strio_send_all(&tls.base, req, len);
 *     n  = await strio_receive_some(&tls.base, buf, sizeof buf);
 *     rc = await strio_stream_close(&tls.base);   // close_notify, then
 *                                                 // closes the transport
 * Server: strio_tls_server_init with a chain and key (strio/tls_creds.h).
 *
 * Defaults (not configurable downwards): TLS 1.2 only (BearSSL has no
 * 1.3), ECDHE key exchange with AEAD suites only (AES-128/256-GCM,
 * ChaCha20-Poly1305; ECDSA or RSA certificates), renegotiation refused,
 * SNI sent and the server name checked against the certificate (a client
 * must give server_name, or explicitly set no_name_check).
 *
 * Memory per connection: sizeof(strio_tls_stream) (7864 bytes on x86-64:
 * BearSSL's client or server context, 3.7 / 4.1 KiB, in a union; the
 * X.509 validator, 3.1 KiB; the operation frames) plus the record buffer:
 *   STRIO_TLS_BUF_BIDI  33178 bytes: full duplex (send while a receive is
 *                       pending; what the conformance suite needs)
 *   STRIO_TLS_BUF_MONO  16709 bytes: half duplex (one buffer for both
 *                       directions, see "Half duplex" below)
 *   STRIO_TLS_BUF_SIZE(frag, bidi): records of at most `frag` bytes
 *                       (512, 1024, 2048 or 4096): a client then asks for
 *                       the max_fragment_length extension (RFC 6066), e.g.
 *                       STRIO_TLS_BUF_SIZE(1024, 0) = 1349 bytes. The
 *                       server must support it (OpenSSL does; many public
 *                       servers do not, and then the handshake fails).
 * sizeof tells the exact figure for a build; `make bench` prints it.
 *
 * Semantics (beyond the contract in strio/stream.h):
 *   - Handshake: explicit (strio_tls_handshake) or implicit on the first
 *     send_all / receive_some / wait_send_all_might_not_block. Two tasks
 *     may drive it at once (a sender and a receiver): whichever needs the
 *     transport's send or receive side takes it, the other waits.
 *   - send_all encrypts into records and sends them on the transport; it
 *     returns once every record has been handed to the transport. A
 *     cancelled or failed send_all leaves the stream broken (a record may
 *     have been cut: every later operation gives STRIO_EBROKEN), as Trio.
 *   - receive_some returns decrypted bytes; a cancelled receive_some
 *     received nothing (bytes already decrypted stay for the next one).
 *   - send_eof: not offered (TLS 1.2 has no half-close: close_notify
 *     closes both directions), so strio_send_eof gives -EINVAL at once and
 *     strio_stream_can_send_eof() is 0 (Trio raises likewise).
 *   - End of stream: receive_some returns 0 after the peer's close_notify.
 *     A transport EOF without close_notify is STRIO_ETLS_TRUNCATED, unless
 *     https_compatible is set (then it is a clean 0, as Trio's
 *     https_compatible=True; HTTPS servers commonly do that). EOF during
 *     the handshake is always STRIO_ETLS_HANDSHAKE.
 *   - close: after a completed handshake, sends close_notify (when the
 *     transport's send side is free and the stream not broken; it does not
 *     wait for the peer's reply, as Trio), then closes the transport, also
 *     when that failed or was cancelled. A close_notify the peer can no
 *     longer take (STRIO_EBROKEN) is not an error. Pending operations of
 *     other tasks return STRIO_ECLOSED.
 *   - unwrap (strio_tls_unwrap): ends TLS without closing the transport.
 *   - Errors: STRIO_ETLS_UNTRUSTED, _EXPIRED, _HOSTNAME, _HANDSHAKE,
 *     _TRUNCATED, or STRIO_ETLS (any other TLS failure, e.g. a bad record
 *     MAC or a fatal alert after the handshake); STRIO_EBROKEN when the
 *     transport failed; STRIO_ECLOSED, STRIO_EBUSY, STRIO_ECANCELED as
 *     usual. Errors are sticky. strio_tls_last_error() gives BearSSL's
 *     code (BR_ERR_*, e.g. BR_ERR_X509_EXPIRED = 54; a fatal alert
 *     received is BR_ERR_RECV_FATAL_ALERT + alert, sent BR_ERR_SEND_FATAL_
 *     ALERT + alert).
 *   - Half duplex (buffer STRIO_TLS_BUF_MONO or a mono STRIO_TLS_BUF_SIZE):
 *     one buffer serves both directions, so a pending receive_some blocks
 *     send_all until it completes, and decrypted bytes not yet received
 *     block sending. Fine for request/response protocols; use BIDI when
 *     one task sends while another receives.
 *   - Every operation is a checkpoint (it checks for cancellation first).
 *
 * The transport is owned by the caller but used only through the TLS
 * stream while it is in use (and closed by its close). Threads: the
 * loop's thread only. Objects must not move while in use.
 */
#ifndef STRIO_TLS_H
#define STRIO_TLS_H

#include <stddef.h>

#include <bearssl.h>

#include <strio/stream.h>
#include <strio/tls_creds.h>
#include <strio/waitq.h>

/* Record buffer sizes (see above). */
#define STRIO_TLS_BUF_BIDI BR_SSL_BUFSIZE_BIDI
#define STRIO_TLS_BUF_MONO BR_SSL_BUFSIZE_MONO
#define STRIO_TLS_BUF_SIZE(frag, bidi) \
    ((frag) + 325 + ((bidi) ? (frag) + 85 : 0))

/* Suite families (config.suites; 0 means both). */
#define STRIO_TLS_AES_GCM 1u
#define STRIO_TLS_CHACHA20 2u

/* Peer certificates kept at most (end-entity first). */
#define STRIO_TLS_PEER_MAX 8

typedef struct strio_tls_stream strio_tls_stream;

typedef struct strio_tls_client_config {
    /* Trust anchors (strio_tls_anchors, or compiled in); required. Must
     * outlive the stream. */
    const br_x509_trust_anchor *anchors;
    size_t anchor_count;
    /* The server's name: sent as SNI and checked against its certificate
     * (DNS names, with BearSSL's wildcard rules). Required unless
     * no_name_check. */
    const char *server_name;
    /* UNSAFE switches, for tests and pinned peers only: no_name_check
     * sends no SNI and accepts any name. */
    int no_name_check;
    /* ALPN protocols to offer ("h2", "http/1.1"; at most 16). After the
     * handshake strio_tls_alpn() names the server's choice, or NULL. */
    const char *const *alpn;
    size_t alpn_count;
    /* Client certificate for mutual TLS (optional): chain + key. */
    const strio_tls_chain *chain;
    const strio_tls_key *key;
    /* Session resumption (optional, caller-owned): if session->session_id_len
     * is nonzero the client offers to resume it; after a handshake it
     * holds the session to offer next time (strio_tls_resumed() says
     * whether the server resumed). */
    br_ssl_session_parameters *session;
    /* EOF without close_notify is a clean end of stream (see above). */
    int https_compatible;
    /* Use the record buffer for both directions (STRIO_TLS_BUF_MONO, or
     * STRIO_TLS_BUF_SIZE(frag, 0)); see "Half duplex" above. */
    int half_duplex;
    /* Suite families to allow: STRIO_TLS_AES_GCM | STRIO_TLS_CHACHA20 (0:
     * both). */
    unsigned suites;
    /* Where to keep the peer's certificates (optional): DER bytes. */
    unsigned char *peer_chain_buf;
    size_t peer_chain_cap;
} strio_tls_client_config;

typedef struct strio_tls_server_config {
    /* Our certificate chain and its key (RSA or EC); required. */
    const strio_tls_chain *chain;
    const strio_tls_key *key;
    /* ALPN: protocols we accept, in our order of preference; with a
     * client offering none of them the handshake goes on without ALPN
     * (strio_tls_alpn() gives NULL), as RFC 7301 allows. */
    const char *const *alpn;
    size_t alpn_count;
    /* Mutual TLS (optional): require a client certificate chaining to one
     * of these anchors. */
    const br_x509_trust_anchor *client_anchors;
    size_t client_anchor_count;
    /* Session cache (optional): initialize it with
     * br_ssl_session_cache_lru_init(cache, store, store_len) over caller
     * bytes (about 100 bytes per session); share one between streams. */
    br_ssl_session_cache_lru *cache;
    int https_compatible;
    int half_duplex;
    unsigned suites;
    unsigned char *peer_chain_buf;
    size_t peer_chain_cap;
} strio_tls_server_config;

/* The peer chain recorder: an X.509 validator wrapped around BearSSL's,
 * keeping a copy of each certificate (private). */
struct strio_tls__chain_rec {
    const br_x509_class *vtable;
    const br_x509_class **inner;
    unsigned char *buf;
    size_t cap, used;
    size_t off[STRIO_TLS_PEER_MAX + 1];
    unsigned count;
    unsigned char overflow;
};

/* The operations' frames (generated from runtime/src/tls_impl.sc). */
#include <strio/tls_impl.h>

struct strio_tls_stream {
    strio_stream base;                  /* first: pass &tls.base */
    strio_stream *transport;
    br_ssl_engine_context *eng;         /* BearSSL's engine (inside ssl) */
    /* private */
    union {
        br_ssl_client_context client;
        br_ssl_server_context server;
    } ssl;
    br_x509_minimal_context x509;
    struct strio_tls__chain_rec rec;
    br_ssl_session_parameters *session;
    const char *server_name;
    unsigned char is_server, mono, https_compatible;
    unsigned char handshake_done, closed, tx_busy, rx_busy, eof;
    unsigned char resumed, unwrapped;
    int error;                          /* sticky strio error, 0 if none */
    int br_error;                       /* BearSSL's code behind it */
    strio_waitq changed;                /* woken on every engine change */
    unsigned char send_op;
    union {
        struct strio_tls_do_send_all_frame send_all;
        struct strio_tls_do_wait_send_frame wait_send;
    } send_frame;
    struct strio_tls_do_receive_some_frame receive_frame;
    struct strio_tls_do_close_frame close_frame;
};

/*
 * Makes `st` a TLS client over `transport` with the configuration `cfg`
 * (read during the call; what it points to must outlive the stream) and
 * the record buffer `iobuf` of `len` bytes (STRIO_TLS_BUF_BIDI, _MONO or
 * STRIO_TLS_BUF_SIZE; caller-owned, outlives the stream). Full duplex
 * (the default) splits it into an input part for the largest records the
 * buffer allows (16 KiB from STRIO_TLS_BUF_BIDI on, else the largest
 * `frag` with STRIO_TLS_BUF_SIZE(frag, 1) <= len) and an output part;
 * cfg->half_duplex uses it whole for both. Nothing is sent yet. Returns 0, or -EINVAL (missing anchors or
 * server_name, a key of unknown type, a buffer BearSSL refuses, more than
 * 16 ALPN names); `st` is then unusable (do not close it). Not a
 * checkpoint.
 */
int strio_tls_client_init(strio_tls_stream *st, strio_stream *transport,
                          const strio_tls_client_config *cfg, void *iobuf,
                          size_t len);

/* The same for a server (`cfg->chain` and `cfg->key` required). */
int strio_tls_server_init(strio_tls_stream *st, strio_stream *transport,
                          const strio_tls_server_config *cfg, void *iobuf,
                          size_t len);

/*
 * async int strio_tls_handshake(strio_tls_stream *st)
 *
 * Runs the handshake to its end (returns at once, after a checkpoint, if
 * it is done). Returns 0, a TLS error (STRIO_ETLS_*), STRIO_EBROKEN,
 * STRIO_ECLOSED or STRIO_ECANCELED (the handshake can be resumed later
 * unless a cancelled transport send broke the stream).
 */
STRIO_ASYNC_DECL(int strio_tls_handshake(strio_tls_stream *st))

/*
 * async int strio_tls_unwrap(strio_tls_stream *st, strio_stream **transport)
 *
 * Ends TLS and hands the transport back (Trio's unwrap): sends
 * close_notify, reads until the peer's close_notify (application data
 * arriving meanwhile is discarded), then marks `st` closed (its
 * operations give STRIO_ECLOSED, its close does nothing more) and stores
 * the transport in *transport, open and positioned right after the
 * peer's close_notify: BearSSL reads records exactly (header, then
 * body), so no byte past close_notify has been taken from the transport
 * and there is nothing to hand back besides it. No other operation may
 * be in flight (STRIO_EBUSY). Returns 0, or an error like handshake's
 * (the stream is then broken, the transport still yours to close).
 */
STRIO_ASYNC_DECL(int strio_tls_unwrap(strio_tls_stream *st, strio_stream **transport))

/* BearSSL's error code behind the stream's last TLS error (BR_ERR_*), 0
 * if none. */
int strio_tls_last_error(const strio_tls_stream *st);

/* Nonzero once the handshake completed. */
int strio_tls_handshake_done(const strio_tls_stream *st);

/* The ALPN protocol selected (after the handshake), or NULL. */
const char *strio_tls_alpn(const strio_tls_stream *st);

/* The negotiated cipher suite (BR_TLS_*), 0 before the handshake. */
unsigned strio_tls_cipher_suite(const strio_tls_stream *st);

/* Client: nonzero if the handshake resumed a session (abbreviated
 * handshake: the server sent no certificate). Server: always 0. */
int strio_tls_resumed(const strio_tls_stream *st);

/*
 * The peer's certificate `i` (0: its own, then its issuers) as DER, after
 * a full handshake. Returns 0 (*der, *len set), -ENOENT (no such
 * certificate: none sent, a resumed session, or no peer_chain_buf), or
 * -EMSGSIZE (the chain did not fit in peer_chain_buf or had more than
 * STRIO_TLS_PEER_MAX certificates: nothing kept, nothing truncated).
 */
int strio_tls_peer_cert(const strio_tls_stream *st, unsigned i,
                        const unsigned char **der, size_t *len);

/* Number of peer certificates kept. */
unsigned strio_tls_peer_cert_count(const strio_tls_stream *st);

/* Private: called by the operations when the handshake completes. */
void strio_tls__on_handshake(strio_tls_stream *st);

/* Maps a BearSSL error code to the strio code (see strio/error.h). */
int strio_tls_map_error(int br_err, int during_handshake);

#endif
