/*
 * TLS credentials in caller memory (see strio/tls_creds.h): PEM walked
 * with br_pem_decoder, certificates streamed into br_x509_decoder (for
 * anchors) or copied as DER (for chains), keys through br_skey_decoder.
 * Hosted only (links BearSSL; strio_tls_read_file uses the file system).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strio/tls_creds.h>

/* ---- files ------------------------------------------------------------------ */

int strio_tls_read_file(const char *path, void *buf, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    int rc = 0;
    *len = 0;
    if (fd < 0)
        return -errno;
    for (;;) {
        ssize_t n;
        if (got == cap) {
            /* full: is there more? (a probe byte, not kept) */
            char probe;
            n = read(fd, &probe, 1);
            if (n > 0) {
                struct stat sb;
                rc = -EFBIG;
                got = fstat(fd, &sb) == 0 ? (size_t)sb.st_size : got + 1;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0) {
                rc = -errno;
            }
            break;
        }
        n = read(fd, (char *)buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    *len = got;
    return rc;
}

/* ---- a bump region over caller bytes --------------------------------------- */

/* Copies `len` bytes into mem at *used if they fit; always counts them in
 * *need. Returns the copy, or NULL when out of room (then `*full` is set). */
static unsigned char *put(unsigned char *mem, size_t mem_len, size_t *used,
                          size_t *need, const void *src, size_t len,
                          int *full)
{
    unsigned char *dst = NULL;
    *need += len;
    if (!*full && mem != NULL && mem_len - *used >= len) {
        dst = mem + *used;
        if (len > 0)
            memcpy(dst, src, len);
        *used += len;
    } else {
        *full = 1;
    }
    return dst;
}

/* ---- PEM walking ---------------------------------------------------------------- */

/* What to do with one PEM object's decoded bytes. */
struct pem_sink {
    /* Begins an object; returns nonzero to receive its bytes. */
    int (*begin)(void *arg, const char *name);
    void (*data)(void *arg, const void *buf, size_t len);
    /* Ends the object; 0 or a negative error (stops the walk). */
    int (*end)(void *arg);
    void *arg;
};

struct pem_walk {
    const struct pem_sink *sink;
    int active;
};

static void pem_dest(void *ctx, const void *buf, size_t len)
{
    struct pem_walk *w = ctx;
    if (w->active)
        w->sink->data(w->sink->arg, buf, len);
}

/* Feeds `pem` to the sink object by object. Returns 0 or a negative
 * error (-EINVAL for malformed PEM, or the sink's). */
static int pem_walk(const void *pem, size_t len, const struct pem_sink *sink)
{
    br_pem_decoder_context pc;
    struct pem_walk w = { sink, 0 };
    const unsigned char *p = pem;
    int inside = 0;
    br_pem_decoder_init(&pc);
    br_pem_decoder_setdest(&pc, pem_dest, &w);
    /* a final newline lets the decoder see an END line without one */
    for (int pass = 0; pass < 2; pass++) {
        const unsigned char *q = pass == 0 ? p : (const unsigned char *)"\n";
        size_t left = pass == 0 ? len : 1;
        while (left > 0) {
            size_t n = br_pem_decoder_push(&pc, q, left);
            q += n;
            left -= n;
            switch (br_pem_decoder_event(&pc)) {
            case BR_PEM_BEGIN_OBJ:
                inside = 1;
                w.active = sink->begin(sink->arg, br_pem_decoder_name(&pc));
                break;
            case BR_PEM_END_OBJ:
                inside = 0;
                if (w.active) {
                    int rc;
                    w.active = 0;
                    rc = sink->end(sink->arg);
                    if (rc < 0)
                        return rc;
                }
                break;
            case BR_PEM_ERROR:
                return -EINVAL;
            default:
                break;
            }
        }
    }
    return inside ? -EINVAL : 0;
}

static int is_cert_name(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0 ||
           strcmp(name, "X509 CERTIFICATE") == 0 ||
           strcmp(name, "TRUSTED CERTIFICATE") == 0;
}

/* ---- trust anchors ------------------------------------------------------------ */

void strio_tls_anchors_init(strio_tls_anchors *a, br_x509_trust_anchor *ta,
                            size_t cap, void *mem, size_t mem_len)
{
    memset(a, 0, sizeof *a);
    a->ta = ta;
    a->cap = ta != NULL ? cap : 0;
    a->mem = mem;
    a->mem_len = mem != NULL ? mem_len : 0;
}

/* One anchor being decoded. */
struct anchor_build {
    strio_tls_anchors *a;
    br_x509_decoder_context dc;
    size_t dn_start;            /* offset of its DN in mem */
    size_t dn_len;
    int full;                   /* out of room (keep measuring) */
    long added;
};

static void anchor_dn(void *ctx, const void *buf, size_t len)
{
    struct anchor_build *b = ctx;
    strio_tls_anchors *a = b->a;
    put(a->mem, a->mem_len, &a->mem_used, &a->needed_mem, buf, len,
        &b->full);
    b->dn_len += len;
}

static void anchor_begin(struct anchor_build *b)
{
    b->dn_start = b->a->mem_used;
    b->dn_len = 0;
    br_x509_decoder_init(&b->dc, anchor_dn, b);
}

static int anchor_end(struct anchor_build *b)
{
    strio_tls_anchors *a = b->a;
    br_x509_pkey *pk = br_x509_decoder_get_pkey(&b->dc);
    br_x509_trust_anchor ta;
    if (pk == NULL)
        return -EINVAL;
    memset(&ta, 0, sizeof ta);
    ta.dn.data = b->full ? NULL : a->mem + b->dn_start;
    ta.dn.len = b->dn_len;
    ta.flags = br_x509_decoder_isCA(&b->dc) ? BR_X509_TA_CA : 0;
    ta.pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        ta.pkey.key.rsa.n = put(a->mem, a->mem_len, &a->mem_used,
                                &a->needed_mem, pk->key.rsa.n,
                                pk->key.rsa.nlen, &b->full);
        ta.pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta.pkey.key.rsa.e = put(a->mem, a->mem_len, &a->mem_used,
                                &a->needed_mem, pk->key.rsa.e,
                                pk->key.rsa.elen, &b->full);
        ta.pkey.key.rsa.elen = pk->key.rsa.elen;
    } else if (pk->key_type == BR_KEYTYPE_EC) {
        ta.pkey.key.ec.curve = pk->key.ec.curve;
        ta.pkey.key.ec.q = put(a->mem, a->mem_len, &a->mem_used,
                               &a->needed_mem, pk->key.ec.q,
                               pk->key.ec.qlen, &b->full);
        ta.pkey.key.ec.qlen = pk->key.ec.qlen;
    } else {
        return -EINVAL;
    }
    a->needed_count++;
    if (!b->full && a->count < a->cap)
        a->ta[a->count++] = ta;
    else
        b->full = 1;
    b->added++;
    return 0;
}

static int anchor_sink_begin(void *arg, const char *name)
{
    if (!is_cert_name(name))
        return 0;
    anchor_begin(arg);
    return 1;
}

static void anchor_sink_data(void *arg, const void *buf, size_t len)
{
    struct anchor_build *b = arg;
    br_x509_decoder_push(&b->dc, buf, len);
}

static int anchor_sink_end(void *arg)
{
    return anchor_end(arg);
}

/* Runs `fn` on a build and applies the all-or-nothing rule. */
static long anchors_finish(strio_tls_anchors *a, struct anchor_build *b,
                           int rc, size_t count0, size_t used0)
{
    if (rc == 0 && b->full)
        rc = -ENOSPC;
    if (rc < 0) {
        a->count = count0;
        a->mem_used = used0;
        return rc;
    }
    return b->added;
}

int strio_tls_anchors_add_der(strio_tls_anchors *a, const void *der,
                              size_t len)
{
    static struct anchor_build zero;
    struct anchor_build b = zero;
    size_t count0 = a->count, used0 = a->mem_used;
    b.a = a;
    a->needed_count = a->count;
    a->needed_mem = a->mem_used;
    anchor_begin(&b);
    br_x509_decoder_push(&b.dc, der, len);
    return (int)anchors_finish(a, &b, anchor_end(&b), count0, used0);
}

long strio_tls_anchors_add_pem(strio_tls_anchors *a, const void *pem,
                               size_t len)
{
    static struct anchor_build zero;
    struct anchor_build b = zero;
    const struct pem_sink sink = { anchor_sink_begin, anchor_sink_data,
                                   anchor_sink_end, &b };
    size_t count0 = a->count, used0 = a->mem_used;
    b.a = a;
    a->needed_count = a->count;
    a->needed_mem = a->mem_used;
    return anchors_finish(a, &b, pem_walk(pem, len, &sink), count0, used0);
}

/* ---- anchors as C source ---------------------------------------------------------- */

struct text {
    char *out;
    size_t cap, len;
    int full;
};

static void emit(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void emit(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (t->full)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->out + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len) {
        t->full = 1;
        return;
    }
    t->len += (size_t)n;
}

static void emit_bytes(struct text *t, const char *name, size_t i,
                       const char *what, const unsigned char *p, size_t n)
{
    emit(t, "static const unsigned char %s_%zu_%s[%zu] = {", name, i, what,
         n ? n : 1);
    for (size_t k = 0; k < n; k++)
        emit(t, "%s0x%02X", k == 0 ? "\n    " : k % 12 == 0 ? ",\n    " : ", ", p[k]);
    emit(t, "%s\n};\n", n ? "" : "0");
}

long strio_tls_anchors_to_c(const strio_tls_anchors *a, const char *name,
                            char *out, size_t cap)
{
    struct text t = { out, cap, 0, cap == 0 };
    if (name == NULL || name[0] == '\0')
        return -EINVAL;
    emit(&t, "/* trust anchors (generated by strio_tls_anchors_to_c) */\n"
             "#include <bearssl.h>\n\n");
    for (size_t i = 0; i < a->count; i++) {
        const br_x509_trust_anchor *ta = &a->ta[i];
        emit_bytes(&t, name, i, "dn", ta->dn.data, ta->dn.len);
        if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
            emit_bytes(&t, name, i, "n", ta->pkey.key.rsa.n,
                       ta->pkey.key.rsa.nlen);
            emit_bytes(&t, name, i, "e", ta->pkey.key.rsa.e,
                       ta->pkey.key.rsa.elen);
        } else {
            emit_bytes(&t, name, i, "q", ta->pkey.key.ec.q,
                       ta->pkey.key.ec.qlen);
        }
    }
    emit(&t, "\nstatic const br_x509_trust_anchor %s[%zu] = {\n", name,
         a->count ? a->count : 1);
    for (size_t i = 0; i < a->count; i++) {
        const br_x509_trust_anchor *ta = &a->ta[i];
        emit(&t, "    { { (unsigned char *)%s_%zu_dn, %zu }, %s,\n", name, i,
             ta->dn.len, ta->flags & BR_X509_TA_CA ? "BR_X509_TA_CA" : "0");
        if (ta->pkey.key_type == BR_KEYTYPE_RSA)
            emit(&t, "      { BR_KEYTYPE_RSA, { .rsa = { (unsigned char *)"
                     "%s_%zu_n, %zu, (unsigned char *)%s_%zu_e, %zu } } } "
                     "},\n", name, i, ta->pkey.key.rsa.nlen, name, i,
                 ta->pkey.key.rsa.elen);
        else
            emit(&t, "      { BR_KEYTYPE_EC, { .ec = { %d, (unsigned char *)"
                     "%s_%zu_q, %zu } } } },\n", ta->pkey.key.ec.curve,
                 name, i, ta->pkey.key.ec.qlen);
    }
    emit(&t, "};\nstatic const size_t %s_count = %zu;\n", name, a->count);
    return t.full ? -ENOSPC : (long)t.len;
}

/* ---- certificate chains ------------------------------------------------------------ */

void strio_tls_chain_init(strio_tls_chain *c, br_x509_certificate *certs,
                          size_t cap, void *mem, size_t mem_len)
{
    memset(c, 0, sizeof *c);
    c->certs = certs;
    c->cap = certs != NULL ? cap : 0;
    c->mem = mem;
    c->mem_len = mem != NULL ? mem_len : 0;
}

struct chain_build {
    strio_tls_chain *c;
    size_t start, len;
    int full;
    long added;
};

static int chain_begin(void *arg, const char *name)
{
    struct chain_build *b = arg;
    if (!is_cert_name(name))
        return 0;
    b->start = b->c->mem_used;
    b->len = 0;
    return 1;
}

static void chain_data(void *arg, const void *buf, size_t len)
{
    struct chain_build *b = arg;
    strio_tls_chain *c = b->c;
    put(c->mem, c->mem_len, &c->mem_used, &c->needed_mem, buf, len,
        &b->full);
    b->len += len;
}

static int chain_end(void *arg)
{
    struct chain_build *b = arg;
    strio_tls_chain *c = b->c;
    if (b->len == 0)
        return -EINVAL;
    c->needed_count++;
    if (!b->full && c->count < c->cap) {
        c->certs[c->count].data = c->mem + b->start;
        c->certs[c->count].data_len = b->len;
        c->count++;
    } else {
        b->full = 1;
    }
    b->added++;
    return 0;
}

long strio_tls_chain_add_pem(strio_tls_chain *c, const void *pem, size_t len)
{
    struct chain_build b = { c, 0, 0, 0, 0 };
    const struct pem_sink sink = { chain_begin, chain_data, chain_end, &b };
    size_t count0 = c->count, used0 = c->mem_used;
    int rc;
    c->needed_count = c->count;
    c->needed_mem = c->mem_used;
    rc = pem_walk(pem, len, &sink);
    if (rc == 0 && b.full)
        rc = -ENOSPC;
    if (rc < 0) {
        c->count = count0;
        c->mem_used = used0;
        return rc;
    }
    return b.added;
}

/* ---- private keys --------------------------------------------------------------------- */

struct key_build {
    br_skey_decoder_context dc;
    int found;                  /* 1: decoding the first key object */
    int done;
};

static int key_begin(void *arg, const char *name)
{
    struct key_build *b = arg;
    if (b->found)
        return 0;
    if (strcmp(name, "RSA PRIVATE KEY") != 0 &&
        strcmp(name, "EC PRIVATE KEY") != 0 &&
        strcmp(name, "PRIVATE KEY") != 0)
        return 0;
    b->found = 1;
    br_skey_decoder_init(&b->dc);
    return 1;
}

static void key_data(void *arg, const void *buf, size_t len)
{
    struct key_build *b = arg;
    br_skey_decoder_push(&b->dc, buf, len);
}

static int key_end(void *arg)
{
    struct key_build *b = arg;
    b->done = 1;
    return 0;
}

/* Copies a key component into k->mem; NULL when it does not fit. */
static unsigned char *key_put(strio_tls_key *k, size_t *used,
                              const unsigned char *src, size_t len)
{
    unsigned char *dst;
    if (sizeof k->mem - *used < len)
        return NULL;
    dst = k->mem + *used;
    memcpy(dst, src, len);
    *used += len;
    return dst;
}

int strio_tls_key_from_pem(strio_tls_key *k, const void *pem, size_t len)
{
    static struct key_build zero;
    struct key_build b = zero;
    const struct pem_sink sink = { key_begin, key_data, key_end, &b };
    size_t used = 0;
    int rc = pem_walk(pem, len, &sink);
    memset(k, 0, sizeof *k);
    if (rc == 0 && !b.found)
        rc = -ENOENT;
    if (rc == 0 && (!b.done || br_skey_decoder_last_error(&b.dc) != 0))
        rc = -EINVAL;
    if (rc == 0 && br_skey_decoder_key_type(&b.dc) == BR_KEYTYPE_RSA) {
        const br_rsa_private_key *r = br_skey_decoder_get_rsa(&b.dc);
        k->rsa.n_bitlen = r->n_bitlen;
        k->rsa.plen = r->plen;
        k->rsa.qlen = r->qlen;
        k->rsa.dplen = r->dplen;
        k->rsa.dqlen = r->dqlen;
        k->rsa.iqlen = r->iqlen;
        if ((k->rsa.p = key_put(k, &used, r->p, r->plen)) == NULL ||
            (k->rsa.q = key_put(k, &used, r->q, r->qlen)) == NULL ||
            (k->rsa.dp = key_put(k, &used, r->dp, r->dplen)) == NULL ||
            (k->rsa.dq = key_put(k, &used, r->dq, r->dqlen)) == NULL ||
            (k->rsa.iq = key_put(k, &used, r->iq, r->iqlen)) == NULL)
            rc = -ENOSPC;
        else
            k->type = BR_KEYTYPE_RSA;
    } else if (rc == 0 && br_skey_decoder_key_type(&b.dc) == BR_KEYTYPE_EC) {
        const br_ec_private_key *e = br_skey_decoder_get_ec(&b.dc);
        k->ec.curve = e->curve;
        k->ec.xlen = e->xlen;
        if ((k->ec.x = key_put(k, &used, e->x, e->xlen)) == NULL)
            rc = -ENOSPC;
        else
            k->type = BR_KEYTYPE_EC;
    } else if (rc == 0) {
        rc = -EINVAL;
    }
    /* the decoder held the secret on our stack */
    memset(&b, 0, sizeof b);
    __asm__ __volatile__("" : : "r"(&b) : "memory");
    if (rc < 0)
        memset(k, 0, sizeof *k);
    return rc;
}
