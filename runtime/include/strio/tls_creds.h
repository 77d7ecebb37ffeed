/*
 * strio/tls_creds.h -- TLS credentials in caller memory: trust anchors,
 * certificate chains and private keys decoded from PEM with BearSSL's
 * PEM, X.509 and key decoders. Hosted builds (links -lbearssl).
 *
 * Nothing allocates. Each set of credentials is a small descriptor plus
 * two caller arrays: one of BearSSL structures (anchors or certificates)
 * and one of bytes that the structures point into (names, keys, DER).
 * Every add is all-or-nothing: when an array is too small the call
 * returns -ENOSPC and the set is exactly as before the call; nothing is
 * ever truncated. Either way `needed_count` and `needed_mem` then say how
 * big the arrays must be for everything added so far plus this call, so
 * a first pass with empty arrays measures a bundle:
 *
 *     static unsigned char pem[300000];
 *     size_t len;
 *     int rc = strio_tls_read_file("/etc/ssl/certs/ca-certificates.crt",
 *                                  pem, sizeof pem, &len);     // blocking
 *     static br_x509_trust_anchor ta[200];
 *     static unsigned char ta_mem[96 * 1024];
 *     strio_tls_anchors anchors;
 *     strio_tls_anchors_init(&anchors, ta, 200, ta_mem, sizeof ta_mem);
 *     long n = strio_tls_anchors_add_pem(&anchors, pem, len);  // count
 *     // anchors.ta / anchors.count go to strio_tls_client_config
 *
 * The Debian bundle (about 140 roots) needs about 150 entries and 60 KiB
 * of bytes; measure yours with `strio_tls_anchors_init(&a, NULL, 0, NULL,
 * 0)` and one add.
 *
 * Firmware: compile the anchors in instead. strio_tls_anchors_to_c()
 * below turns a decoded set into C source for a `static const
 * br_x509_trust_anchor NAME[]` array (with its DN and key bytes as static
 * arrays and `NAME_count`), the same shape as the output of BearSSL's
 * `brssl ta FILE.pem`. Generate it on the build host, compile it into the
 * firmware, and pass NAME and NAME_count to strio_tls_client_config: no
 * file system, no PEM decoding and no anchor memory at run time
 * (tests/unit/test_tls.c compiles such source and connects with it).
 *
 * Threads: plain functions, no shared state; a set must not be changed
 * while a TLS stream uses it.
 */
#ifndef STRIO_TLS_CREDS_H
#define STRIO_TLS_CREDS_H

#include <stddef.h>

#include <bearssl.h>

/* ---- files -------------------------------------------------------------- */

/*
 * Reads the whole file `path` into `buf` (`cap` bytes), storing the length
 * in *len. BLOCKING (open/read/close): call it at start-up, or run it on
 * the worker pool (strio_run_in_worker) from async code. The fd is opened
 * with O_CLOEXEC and always closed.
 * Returns 0, -EFBIG (the file is larger than `cap`: nothing is truncated,
 * *len is its size when known), or -errno of open/read.
 */
int strio_tls_read_file(const char *path, void *buf, size_t cap, size_t *len);

/* ---- trust anchors ------------------------------------------------------ */

typedef struct strio_tls_anchors {
    br_x509_trust_anchor *ta;   /* the anchors: ta[0..count) */
    size_t count, cap;
    unsigned char *mem;         /* bytes the anchors point into */
    size_t mem_used, mem_len;
    size_t needed_count;        /* what the last add would have needed */
    size_t needed_mem;
} strio_tls_anchors;

/* Empty set over `ta` (`cap` entries) and `mem` (`mem_len` bytes); both
 * may be NULL/0 to measure. */
void strio_tls_anchors_init(strio_tls_anchors *a, br_x509_trust_anchor *ta,
                            size_t cap, void *mem, size_t mem_len);

/*
 * Adds the certificate `der` (DER, `len` bytes) as a trust anchor: its
 * subject name and public key are copied into the set; BR_X509_TA_CA is set
 * when its Basic Constraints say CA (BearSSL then also accepts chains it
 * signed; a non-CA anchor is matched only as the server's own certificate,
 * which is how a self-signed server certificate is pinned).
 * Returns 0, -ENOSPC (set unchanged), or -EINVAL (not a certificate
 * BearSSL can decode; set unchanged).
 */
int strio_tls_anchors_add_der(strio_tls_anchors *a, const void *der,
                              size_t len);

/*
 * Adds every "CERTIFICATE" (or "X509 CERTIFICATE" / "TRUSTED CERTIFICATE")
 * object of the PEM text `pem` (`len` bytes); other objects are skipped.
 * Returns the number of anchors added (0 if none), -ENOSPC, or -EINVAL
 * (malformed PEM, or a certificate that does not decode); on any error the
 * set is unchanged.
 */
long strio_tls_anchors_add_pem(strio_tls_anchors *a, const void *pem,
                               size_t len);

/*
 * Writes C source defining `static const br_x509_trust_anchor NAME[]` and
 * `static const size_t NAME_count` for the anchors of `a` into `out`
 * (`cap` bytes, NUL-terminated). Returns the length written (without the
 * NUL), or -ENOSPC (the text would not fit: nothing useful in `out`; the
 * needed length is not computed) or -EINVAL (`name` empty).
 */
long strio_tls_anchors_to_c(const strio_tls_anchors *a, const char *name,
                            char *out, size_t cap);

/* ---- certificate chains ------------------------------------------------- */

typedef struct strio_tls_chain {
    br_x509_certificate *certs; /* certs[0] is the end-entity */
    size_t count, cap;
    unsigned char *mem;         /* the DER bytes */
    size_t mem_used, mem_len;
    size_t needed_count, needed_mem;
} strio_tls_chain;

/* Empty chain over caller arrays (NULL/0 to measure). */
void strio_tls_chain_init(strio_tls_chain *c, br_x509_certificate *certs,
                          size_t cap, void *mem, size_t mem_len);

/*
 * Appends every certificate object of `pem`, in order (the end-entity
 * first, then its issuers, as TLS sends them). The DER is copied.
 * Returns the number added, -ENOSPC or -EINVAL (chain unchanged).
 */
long strio_tls_chain_add_pem(strio_tls_chain *c, const void *pem,
                             size_t len);

/* ---- private keys ------------------------------------------------------- */

/* Room for the private key components: RSA up to 8192 bits, any EC. */
#define STRIO_TLS_KEY_MAX 2600

typedef struct strio_tls_key {
    int type;                   /* BR_KEYTYPE_RSA, BR_KEYTYPE_EC, 0: none */
    br_rsa_private_key rsa;     /* valid when type == BR_KEYTYPE_RSA */
    br_ec_private_key ec;       /* valid when type == BR_KEYTYPE_EC */
    unsigned char mem[STRIO_TLS_KEY_MAX];
} strio_tls_key;

/*
 * Decodes the first private key object of `pem` ("RSA PRIVATE KEY",
 * "EC PRIVATE KEY", or unencrypted PKCS#8 "PRIVATE KEY") into `k`.
 * Returns 0, -ENOENT (no key object), -EINVAL (malformed, encrypted or an
 * unsupported key), -ENOSPC (larger than STRIO_TLS_KEY_MAX); `k` is then
 * cleared (type 0). The decoder's copy on the stack is wiped.
 */
int strio_tls_key_from_pem(strio_tls_key *k, const void *pem, size_t len);

#endif
