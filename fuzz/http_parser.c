/*
 * libFuzzer target: the HTTP/1.1 parser (strio/http.h).
 *
 * Input: byte 0 picks the parser (bit 0: request/response, bits 1-2: what
 * the first response answers, bits 3-7: line buffer size), byte 1 seeds
 * the chunking; the rest is the message stream. It is parsed twice, whole
 * and cut into pseudo-random chunks, and both runs must report the same
 * events (body bytes as one stream) and the same outcome: a parse never
 * depends on how its input was split. Every call is also checked against
 * the API contract (consumed <= given, NONE means all consumed, spans lie
 * in the chunk or the line buffer, bodies in the chunk). Any violation
 * aborts; ASan and UBSan catch the rest.
 *
 * Pattern for other parsers: one fuzz/NAME.c per parser defining
 * LLVMFuzzerTestOneInput, seeds in fuzz/seeds/NAME/; `make fuzz` builds
 * and runs every fuzz/NAME.c (see the Makefile).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <strio/error.h>
#include <strio/http.h>

struct run {
    uint64_t h; /* FNV-1a over the events */
    int err;
};

static void mix(struct run *r, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        r->h ^= b[i];
        r->h *= 1099511628211u;
    }
}

static void mix_int(struct run *r, uint64_t v)
{
    mix(r, &v, sizeof v);
}

static void inside(strio_http_span s, const char *a, size_t alen,
                   const char *b, size_t blen)
{
    if (s.len == 0)
        return;
    if ((s.ptr >= a && s.ptr + s.len <= a + alen) ||
        (b && s.ptr >= b && s.ptr + s.len <= b + blen))
        return;
    abort();
}

static void event(struct run *r, const strio_http_event *ev, const char *chunk,
                  size_t clen, const char *buf, size_t cap)
{
    if (ev->type == STRIO_HTTP_EV_BODY) {
        inside(ev->value, chunk, clen, NULL, 0);
        if (ev->value.len == 0)
            abort();
        mix(r, ev->value.ptr, ev->value.len);
        return;
    }
    mix_int(r, 0x100u + (unsigned)ev->type);
    switch (ev->type) {
    case STRIO_HTTP_EV_REQUEST:
    case STRIO_HTTP_EV_RESPONSE:
    case STRIO_HTTP_EV_FIELD:
    case STRIO_HTTP_EV_TRAILER:
        inside(ev->name, chunk, clen, buf, cap);
        inside(ev->value, chunk, clen, buf, cap);
        mix_int(r, ev->name.len);
        mix(r, ev->name.ptr, ev->name.len);
        mix_int(r, ev->value.len);
        mix(r, ev->value.ptr, ev->value.len);
        if (ev->type == STRIO_HTTP_EV_REQUEST ||
            ev->type == STRIO_HTTP_EV_RESPONSE)
            mix_int(r, (uint64_t)ev->status * 100 + (uint64_t)ev->version);
        break;
    case STRIO_HTTP_EV_HEADERS_DONE:
        mix_int(r, ev->content_length);
        /* fall through */
    case STRIO_HTTP_EV_MESSAGE_DONE:
        mix_int(r, ev->flags);
        break;
    default:
        abort();
    }
}

static void run(const unsigned char *cfg, const char *data, size_t len,
                int split, struct run *r)
{
    static const size_t caps[] = { 1, 2, 7, 16, 33, 64, 100, 256 };
    size_t cap = caps[(cfg[0] >> 3) & 7] + (size_t)(cfg[0] >> 6) * 512;
    char *buf = malloc(cap);
    strio_http_parser p;
    strio_http_event ev;
    uint32_t rnd = 0x9e3779b9u ^ cfg[1];
    strio_http_parser_init(&p, (cfg[0] & 1) ? STRIO_HTTP_RESPONSE
                                            : STRIO_HTTP_REQUEST,
                           buf, cap);
    strio_http_parser_limits(&p, 20, 2048);
    strio_http_parser_expect(&p, (cfg[0] >> 1) & 3);
    r->h = 14695981039346656037u;
    r->err = 0;
    size_t at = 0;
    while (at < len && !r->err) {
        size_t n = len - at;
        if (split) {
            rnd = rnd * 1103515245u + 12345u;
            size_t want = (rnd >> 16) % 24 + 1;
            if (want < n)
                n = want;
        }
        /* each chunk in a block of its own size: ASan sees overreads */
        char *chunk = malloc(n);
        memcpy(chunk, data + at, n);
        const char *d = chunk;
        size_t left = n;
        for (;;) {
            int c = strio_http_parse(&p, d, left, &ev);
            if (c < 0) {
                r->err = c;
                if (c != STRIO_ESTATE && strio_http_parse(&p, "", 0, &ev) != c)
                    abort(); /* input errors are sticky */
                break;
            }
            if ((size_t)c > left)
                abort();
            if (ev.type == STRIO_HTTP_EV_NONE) {
                if ((size_t)c != left)
                    abort();
                break;
            }
            event(r, &ev, chunk, n, buf, cap);
            d += c;
            left -= (size_t)c;
        }
        free(chunk);
        at += n;
    }
    for (int i = 0; !r->err; i++) {
        if (i > 8)
            abort(); /* eof must settle */
        int c = strio_http_parse_eof(&p, &ev);
        if (c < 0) {
            r->err = c;
            break;
        }
        if (ev.type == STRIO_HTTP_EV_NONE)
            break;
        event(r, &ev, "", 0, buf, cap);
    }
    if (r->err && strio_strerror(r->err)[0] == 'u')
        abort(); /* every error the parser returns has a name */
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run whole, pieces;
    if (size < 2)
        return 0;
    run(data, (const char *)data + 2, size - 2, 0, &whole);
    run(data, (const char *)data + 2, size - 2, 1, &pieces);
    if (whole.h != pieces.h || whole.err != pieces.err)
        abort();
    return 0;
}
