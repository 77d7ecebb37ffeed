/*
 * The HTTP/1.1 parser (strio/http.h, protocols/http_parser.re).
 *
 * Every case is fed whole, in every 2-way split and byte by byte; each
 * chunk sits in a heap block of its exact size (so ASan sees any read past
 * a chunk). The events are written down as a transcript (consecutive body
 * events merged) and every feeding must give the same transcript, which
 * must equal the expected one. Along the way the harness checks the API
 * contract: NONE means all bytes consumed, spans lie in the chunk or the
 * line buffer, body spans in the chunk (bodies are never copied).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strio/error.h>
#include <strio/http.h>

#define TR_MAX 8192

struct tr {
    char s[TR_MAX];
    size_t n;
    int in_body;
    int err;
};

static void tr_put(struct tr *t, const char *p, size_t len)
{
    cr_assert(t->n + len < TR_MAX, "transcript overflow");
    memcpy(t->s + t->n, p, len);
    t->n += len;
    t->s[t->n] = 0;
}

static void tr_printf(struct tr *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tr_printf(struct tr *t, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    tr_put(t, tmp, (size_t)n);
}

static void end_body(struct tr *t)
{
    if (t->in_body) {
        tr_put(t, "]\n", 2);
        t->in_body = 0;
    }
}

static void in_range(strio_http_span s, const char *a, size_t alen,
                     const char *b, size_t blen)
{
    if (s.len == 0)
        return;
    int ok = (s.ptr >= a && s.ptr + s.len <= a + alen) ||
             (b && s.ptr >= b && s.ptr + s.len <= b + blen);
    cr_assert(ok, "span outside the chunk and the line buffer");
}

static void record(struct tr *t, const strio_http_event *ev, const char *chunk,
                   size_t clen, const char *buf, size_t cap)
{
    if (ev->type != STRIO_HTTP_EV_BODY)
        end_body(t);
    switch (ev->type) {
    case STRIO_HTTP_EV_REQUEST:
        in_range(ev->name, chunk, clen, buf, cap);
        in_range(ev->value, chunk, clen, buf, cap);
        tr_printf(t, "> %.*s %.*s %d\n", (int)ev->name.len, ev->name.ptr,
                  (int)ev->value.len, ev->value.ptr, ev->version);
        break;
    case STRIO_HTTP_EV_RESPONSE:
        in_range(ev->name, chunk, clen, buf, cap);
        tr_printf(t, "< %d %d [%.*s]\n", ev->version, ev->status,
                  (int)ev->name.len, ev->name.ptr);
        break;
    case STRIO_HTTP_EV_FIELD:
    case STRIO_HTTP_EV_TRAILER:
        in_range(ev->name, chunk, clen, buf, cap);
        in_range(ev->value, chunk, clen, buf, cap);
        tr_printf(t, "%s%.*s=[%.*s]\n",
                  ev->type == STRIO_HTTP_EV_TRAILER ? "t " : "",
                  (int)ev->name.len, ev->name.ptr, (int)ev->value.len,
                  ev->value.ptr);
        break;
    case STRIO_HTTP_EV_HEADERS_DONE:
        tr_printf(t, "-- %x %llu\n", ev->flags,
                  (unsigned long long)ev->content_length);
        break;
    case STRIO_HTTP_EV_BODY:
        in_range(ev->value, chunk, clen, NULL, 0);
        cr_assert(ev->value.len > 0, "empty body event");
        if (!t->in_body) {
            tr_put(t, "[", 1);
            t->in_body = 1;
        }
        tr_put(t, ev->value.ptr, ev->value.len);
        break;
    case STRIO_HTTP_EV_MESSAGE_DONE:
        tr_printf(t, "== %x\n", ev->flags);
        break;
    default:
        cr_assert_fail("unexpected event %d", ev->type);
    }
}

struct cfg {
    enum strio_http_kind kind;
    size_t cap;             /* line buffer; 0 means 256 */
    uint32_t max_fields;    /* 0: default */
    uint32_t max_head;      /* 0: default */
    unsigned expect;        /* STRIO_HTTP_TO_* for the first response */
    int eof;                /* call strio_http_parse_eof at the end */
};

/* Feeds `in` cut at the offsets in cuts[0..ncuts) (ascending). */
static void feed(const struct cfg *c, const char *in, size_t len,
                 const size_t *cuts, size_t ncuts, struct tr *t)
{
    size_t cap = c->cap ? c->cap : 256;
    char *buf = malloc(cap);
    strio_http_parser p;
    strio_http_event ev;
    memset(t, 0, sizeof *t);
    strio_http_parser_init(&p, c->kind, buf, cap);
    if (c->max_fields || c->max_head)
        strio_http_parser_limits(
            &p, c->max_fields ? c->max_fields : STRIO_HTTP_DEFAULT_MAX_FIELDS,
            c->max_head ? c->max_head : STRIO_HTTP_DEFAULT_MAX_HEAD);
    strio_http_parser_expect(&p, c->expect);
    size_t start = 0;
    for (size_t k = 0; k <= ncuts && !t->err; k++) {
        size_t end = k < ncuts ? cuts[k] : len;
        size_t clen = end - start;
        char *chunk = malloc(clen ? clen : 1);
        memcpy(chunk, in + start, clen);
        const char *d = chunk;
        size_t left = clen;
        for (int guard = 0;; guard++) {
            cr_assert(guard < 100000, "parser does not make progress");
            int n = strio_http_parse(&p, d, left, &ev);
            if (n < 0) {
                end_body(t);
                tr_printf(t, "! %s\n", strio_strerror(n));
                t->err = n;
                /* sticky */
                cr_assert_eq(strio_http_parse(&p, "x", 1, &ev), n);
                break;
            }
            cr_assert((size_t)n <= left);
            if (ev.type == STRIO_HTTP_EV_NONE) {
                cr_assert_eq((size_t)n, left, "NONE but bytes left");
                break;
            }
            record(t, &ev, chunk, clen, buf, cap);
            d += n;
            left -= (size_t)n;
        }
        free(chunk);
        start = end;
    }
    if (c->eof && !t->err) {
        for (int guard = 0;; guard++) {
            cr_assert(guard < 100);
            int r = strio_http_parse_eof(&p, &ev);
            if (r < 0) {
                end_body(t);
                tr_printf(t, "! %s\n", strio_strerror(r));
                t->err = r;
                break;
            }
            if (ev.type == STRIO_HTTP_EV_NONE) {
                tr_put(t, "eof\n", 4);
                break;
            }
            record(t, &ev, "", 0, buf, cap);
        }
    }
    end_body(t);
    free(buf);
}

/* Whole, every 2-way split, byte by byte: one transcript. */
static void check(const struct cfg *c, const char *in, size_t len,
                  const char *expect, int err)
{
    static struct tr whole, other;
    feed(c, in, len, NULL, 0, &whole);
    cr_assert_str_eq(whole.s, expect, "whole input:\n%s\nexpected:\n%s",
                     whole.s, expect);
    cr_assert_eq(whole.err, err, "error %d (%s), expected %d (%s)", whole.err,
                 strio_strerror(whole.err), err, strio_strerror(err));
    for (size_t k = 0; k <= len; k++) {
        feed(c, in, len, &k, 1, &other);
        cr_assert_str_eq(other.s, whole.s, "split at %zu:\n%s\nwhole:\n%s", k,
                         other.s, whole.s);
    }
    size_t *cuts = malloc((len ? len : 1) * sizeof *cuts);
    for (size_t k = 0; k + 1 < len; k++)
        cuts[k] = k + 1;
    feed(c, in, len, cuts, len ? len - 1 : 0, &other);
    free(cuts);
    cr_assert_str_eq(other.s, whole.s, "byte by byte:\n%s\nwhole:\n%s",
                     other.s, whole.s);
}

#define S(lit) lit, sizeof lit - 1
static const struct cfg REQ = { .kind = STRIO_HTTP_REQUEST };
static const struct cfg RESP = { .kind = STRIO_HTTP_RESPONSE, .eof = 1 };
#define KA "1" /* STRIO_HTTP_KEEP_ALIVE */

/* ------------------------------------------------------------ requests -- */

Test(http_parser, simple_get)
{
    check(&REQ, S("GET /index.html?q=1 HTTP/1.1\r\n"
                  "Host: example.com\r\n"
                  "User-Agent: t/1.0\r\n"
                  "\r\n"),
          "> GET /index.html?q=1 11\n"
          "Host=[example.com]\n"
          "User-Agent=[t/1.0]\n"
          "-- 1 0\n"
          "== 1\n",
          0);
}

Test(http_parser, field_values_trimmed_and_kept)
{
    check(&REQ, S("GET / HTTP/1.1\r\n"
                  "Host:x\r\n"
                  "A: \t spaced  out value \t \r\n"
                  "Empty:\r\n"
                  "Blank:   \r\n"
                  "Obs: caf\xc3\xa9\r\n"
                  "X-Token!#$%&'*+-.^_`|~: v\r\n"
                  "\r\n"),
          "> GET / 11\n"
          "Host=[x]\n"
          "A=[spaced  out value]\n"
          "Empty=[]\n"
          "Blank=[]\n"
          "Obs=[caf\xc3\xa9]\n"
          "X-Token!#$%&'*+-.^_`|~=[v]\n"
          "-- 1 0\n"
          "== 1\n",
          0);
}

Test(http_parser, http10_keep_alive_rules)
{
    check(&REQ, S("GET / HTTP/1.0\r\n\r\n"
                  "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
                  "GET /b HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n"),
          "> GET / 10\n-- 0 0\n== 0\n"
          "> GET /a 10\nConnection=[Keep-Alive]\n-- 1 0\n== 1\n"
          "> GET /b 11\nHost=[h]\nConnection=[keep-alive, Close]\n-- 0 0\n== 0\n",
          0);
}

Test(http_parser, content_length_body)
{
    check(&REQ, S("POST /upload HTTP/1.1\r\n"
                  "Host: h\r\n"
                  "content-LENGTH: 11\r\n"
                  "\r\n"
                  "hello world"),
          "> POST /upload 11\nHost=[h]\ncontent-LENGTH=[11]\n"
          "-- 5 11\n[hello world]\n== 5\n",
          0);
}

Test(http_parser, chunked_body_with_extensions_and_trailers)
{
    check(&REQ, S("POST / HTTP/1.1\r\n"
                  "Host: h\r\n"
                  "Transfer-Encoding: gzip, Chunked\r\n"
                  "\r\n"
                  "5\r\nhello\r\n"
                  "1;ext\r\n \r\n"
                  "00000A ; a=b;c = \"q\\\"s; x\" ;d\r\n0123456789\r\n"
                  "0\r\n"
                  "Trailer-One: 1\r\n"
                  "Content-Length: 99\r\n"
                  "\r\n"),
          "> POST / 11\nHost=[h]\nTransfer-Encoding=[gzip, Chunked]\n"
          "-- 3 0\n[hello 0123456789]\n"
          "t Trailer-One=[1]\nt Content-Length=[99]\n== 3\n",
          0);
}

Test(http_parser, chunked_empty_body)
{
    check(&REQ, S("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\n\r\n"),
          "> POST / 11\nHost=[h]\nTransfer-Encoding=[chunked]\n"
          "-- 3 0\n== 3\n",
          0);
}

Test(http_parser, pipelined_requests)
{
    check(&REQ, S("\r\n\r\n"
                  "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
                  "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                  "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "2\r\nxy\r\n0\r\n\r\n"
                  "DELETE /4 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
                  "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
          "> GET /1 11\nHost=[h]\n-- 1 0\n== 1\n"
          "> POST /2 11\nHost=[h]\nContent-Length=[3]\n-- 5 3\n[abc]\n== 5\n"
          "> POST /3 11\nHost=[h]\nTransfer-Encoding=[chunked]\n-- 3 0\n[xy]\n== 3\n"
          "> DELETE /4 11\nHost=[h]\nContent-Length=[0]\n-- 5 0\n== 5\n"
          "> OPTIONS * 11\nHost=[h]\n-- 1 0\n== 1\n",
          0);
}

Test(http_parser, pipelining_leaves_next_message_unconsumed)
{
    static const char in[] = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n";
    char buf[64];
    strio_http_parser p;
    strio_http_event ev;
    strio_http_parser_init(&p, STRIO_HTTP_REQUEST, buf, sizeof buf);
    size_t at = 0;
    int n;
    do {
        n = strio_http_parse(&p, in + at, sizeof in - 1 - at, &ev);
        cr_assert(n >= 0);
        at += (size_t)n;
    } while (ev.type != STRIO_HTTP_EV_MESSAGE_DONE);
    cr_assert_eq(at, strlen("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"));
    n = strio_http_parse(&p, in + at, sizeof in - 1 - at, &ev);
    cr_assert_eq(ev.type, STRIO_HTTP_EV_REQUEST);
    cr_assert_eq(ev.value.len, 2);
    cr_assert_eq(memcmp(ev.value.ptr, "/2", 2), 0);
}

Test(http_parser, connect_request)
{
    check(&REQ, S("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
          "> CONNECT example.com:443 11\nHost=[example.com:443]\n-- 1 0\n== 1\n",
          0);
}

/* ----------------------------------------------------------- responses -- */

Test(http_parser, response_content_length)
{
    check(&RESP, S("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
                   "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
          "< 11 200 [OK]\nContent-Length=[2]\n-- 5 2\n[hi]\n== 5\n"
          "< 11 404 [Not Found]\nContent-Length=[0]\n-- 5 0\n== 5\neof\n",
          0);
}

Test(http_parser, response_no_body_statuses)
{
    check(&RESP, S("HTTP/1.1 100 Continue\r\n\r\n"
                   "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
                   "HTTP/1.1 304\r\nContent-Length: 7\r\n\r\n"
                   "HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\nz"),
          "< 11 100 [Continue]\n-- 1 0\n== 1\n"
          "< 11 204 [No Content]\nContent-Length=[7]\n-- 1 0\n== 1\n"
          "< 11 304 []\nContent-Length=[7]\n-- 1 0\n== 1\n"
          "< 11 200 []\nContent-Length=[1]\n-- 5 1\n[z]\n== 5\neof\n",
          0);
}

Test(http_parser, response_to_head)
{
    struct cfg c = RESP;
    c.expect = STRIO_HTTP_TO_HEAD;
    check(&c, S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
          "< 11 200 [OK]\nContent-Length=[5]\n-- 1 0\n== 1\n"
          "< 11 200 [OK]\nContent-Length=[1]\n-- 5 1\n[x]\n== 5\neof\n",
          0);
}

Test(http_parser, response_chunked_and_until_close)
{
    check(&RESP, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "3\r\nabc\r\n0\r\nX: y\r\n\r\n"
                   "HTTP/1.0 200 OK\r\n\r\nall the rest\r\n\r\nHTTP/1.1 200"),
          "< 11 200 [OK]\nTransfer-Encoding=[chunked]\n-- 3 0\n[abc]\n"
          "t X=[y]\n== 3\n"
          "< 10 200 [OK]\n-- 8 0\n[all the rest\r\n\r\nHTTP/1.1 200]\n"
          "== 8\neof\n",
          0);
    check(&RESP, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz"),
          "< 11 200 [OK]\nTransfer-Encoding=[gzip]\n-- 8 0\n[zz]\n== 8\neof\n",
          0);
}

Test(http_parser, tunnels)
{
    struct cfg c = RESP;
    c.expect = STRIO_HTTP_TO_CONNECT;
    check(&c, S("HTTP/1.1 200 Connection established\r\n\r\n"),
          "< 11 200 [Connection established]\n-- 10 0\n== 10\neof\n", 0);
    check(&c, S("HTTP/1.1 407 Auth\r\nContent-Length: 1\r\n\r\nx"),
          "< 11 407 [Auth]\nContent-Length=[1]\n-- 5 1\n[x]\n== 5\neof\n", 0);
    check(&RESP, S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
          "< 11 101 [Switching Protocols]\nUpgrade=[websocket]\n-- 10 0\n"
          "== 10\neof\n",
          0);
}

Test(http_parser, tunnel_refuses_more_input)
{
    char buf[64];
    strio_http_parser p;
    strio_http_event ev;
    static const char in[] = "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01";
    strio_http_parser_init(&p, STRIO_HTTP_RESPONSE, buf, sizeof buf);
    strio_http_parser_expect(&p, STRIO_HTTP_TO_CONNECT);
    size_t at = 0;
    do {
        int n = strio_http_parse(&p, in + at, sizeof in - 1 - at, &ev);
        cr_assert(n >= 0);
        at += (size_t)n;
    } while (ev.type != STRIO_HTTP_EV_MESSAGE_DONE);
    cr_assert_eq(ev.flags, STRIO_HTTP_TUNNEL);
    cr_assert_eq(at, sizeof in - 1 - 3, "tunnel bytes left for the caller");
    cr_assert_eq(strio_http_parse(&p, in + at, 3, &ev), STRIO_ESTATE);
}

/* -------------------------------------------------------- malformed ---- */

static void bad(const struct cfg *c, const char *in, size_t len, int code)
{
    static struct tr whole;
    feed(c, in, len, NULL, 0, &whole);
    cr_assert_eq(whole.err, code, "input [%.*s]: error %d (%s), expected %d (%s)",
                 (int)len, in, whole.err, strio_strerror(whole.err), code,
                 strio_strerror(code));
    /* the same outcome (and events before it) in every split */
    check(c, in, len, whole.s, code);
}
#define BADREQ(lit, code) bad(&REQ, S(lit), code)
#define BADRESP(lit, code) bad(&RESP, S(lit), code)
#define H "GET / HTTP/1.1\r\nHost: h\r\n"

Test(http_parser, bad_request_line)
{
    BADREQ("GET  / HTTP/1.1\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("G@T / HTTP/1.1\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("GET /\x7f HTTP/1.1\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("GET /\xc3\xa9 HTTP/1.1\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("GET / HTTP/1.1 \r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("GET / http/1.1\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("GET / HTTP/1.10\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("GET /\0 HTTP/1.1\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("GET\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ(" GET / HTTP/1.1\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
    BADREQ("HTTP/1.1 200 OK\r\n\r\n", STRIO_EHTTP_REQUEST_LINE);
}

Test(http_parser, bad_status_line)
{
    BADRESP("HTTP/1.1 20 OK\r\n\r\n", STRIO_EHTTP_STATUS_LINE);
    BADRESP("HTTP/1.1 099 X\r\n\r\n", STRIO_EHTTP_STATUS_LINE);
    BADRESP("HTTP/1.1 600 X\r\n\r\n", STRIO_EHTTP_STATUS_LINE);
    BADRESP("HTTP/1.1 2000 OK\r\n\r\n", STRIO_EHTTP_STATUS_LINE);
    BADRESP("HTTP/1.1 200 O\x01K\r\n\r\n", STRIO_EHTTP_STATUS_LINE);
    BADRESP("GET / HTTP/1.1\r\n\r\n", STRIO_EHTTP_STATUS_LINE);
    BADRESP("\r\nHTTP/1.1 200 OK\r\n\r\n", STRIO_EHTTP_STATUS_LINE);
}

Test(http_parser, bad_version)
{
    BADREQ("GET / HTTP/2.0\r\n\r\n", STRIO_EHTTP_VERSION);
    BADREQ("GET / HTTP/0.9\r\n\r\n", STRIO_EHTTP_VERSION);
    BADRESP("HTTP/1.2 200 OK\r\n\r\n", STRIO_EHTTP_VERSION);
}

Test(http_parser, bad_field)
{
    BADREQ(H "X: a\x01" "b\r\n\r\n", STRIO_EHTTP_FIELD);
    BADREQ(H "X: a\x7f\r\n\r\n", STRIO_EHTTP_FIELD);
    BADREQ(H "X: a\0b\r\n\r\n", STRIO_EHTTP_FIELD);
    BADREQ(H "Bad@Name: x\r\n\r\n", STRIO_EHTTP_FIELD);
    BADREQ(H ": novalue\r\n\r\n", STRIO_EHTTP_FIELD);
    BADREQ(H "NoColon\r\n\r\n", STRIO_EHTTP_FIELD);
    BADRESP("HTTP/1.1 200 OK\r\nX\x80: y\r\n\r\n", STRIO_EHTTP_FIELD);
}

Test(http_parser, whitespace_before_colon)
{
    BADREQ(H "Content-Length : 5\r\n\r\nhello", STRIO_EHTTP_FIELD_SPACE);
    BADREQ(H "Transfer-Encoding\t: chunked\r\n\r\n", STRIO_EHTTP_FIELD_SPACE);
}

Test(http_parser, obs_fold)
{
    BADREQ(H "X: a\r\n b\r\n\r\n", STRIO_EHTTP_OBS_FOLD);
    BADREQ(H "X: a\r\n\tb\r\n\r\n", STRIO_EHTTP_OBS_FOLD);
    BADREQ("GET / HTTP/1.1\r\n Host: h\r\n\r\n", STRIO_EHTTP_OBS_FOLD);
    BADRESP("HTTP/1.1 200 OK\r\nX: a\r\n  b\r\n\r\n", STRIO_EHTTP_OBS_FOLD);
}

Test(http_parser, bare_cr)
{
    BADREQ(H "X: a\rb\r\n\r\n", STRIO_EHTTP_BARE_CR);
    BADREQ(H "X: a\r\r\n\r\n", STRIO_EHTTP_BARE_CR);
    BADREQ("GET / HTTP/1.1\rHost: h\r\n\r\n", STRIO_EHTTP_BARE_CR);
    BADREQ(H "\rX\r\n", STRIO_EHTTP_BARE_CR);
    BADRESP("HTTP/1.1 200 OK\rX\r\n\r\n", STRIO_EHTTP_BARE_CR);
    BADREQ(H "Transfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n",
           STRIO_EHTTP_BARE_CR);
}

Test(http_parser, bare_lf)
{
    BADREQ("GET / HTTP/1.1\nHost: h\r\n\r\n", STRIO_EHTTP_BARE_LF);
    BADREQ(H "X: y\n\r\n", STRIO_EHTTP_BARE_LF);
    BADREQ(H "\n", STRIO_EHTTP_BARE_LF);
    BADREQ("\n", STRIO_EHTTP_BARE_LF);
    BADRESP("HTTP/1.1 200 OK\n\r\n", STRIO_EHTTP_BARE_LF);
    BADREQ(H "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
           STRIO_EHTTP_BARE_LF);
    BADREQ(H "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
           STRIO_EHTTP_BARE_LF);
}

Test(http_parser, bad_content_length)
{
    BADREQ(H "Content-Length: abc\r\n\r\n", STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length: +5\r\n\r\nhello", STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length: -1\r\n\r\n", STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length: 5 5\r\n\r\n", STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length: 5,5\r\n\r\n", STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length:\r\n\r\n", STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length: 0x10\r\n\r\n", STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length: 9223372036854775808\r\n\r\n",
           STRIO_EHTTP_CONTENT_LENGTH);
    BADREQ(H "Content-Length: 99999999999999999999999\r\n\r\n",
           STRIO_EHTTP_CONTENT_LENGTH);
    /* the largest allowed value parses */
    check(&REQ, S(H "Content-Length: 9223372036854775807\r\n\r\nab"),
          "> GET / 11\nHost=[h]\nContent-Length=[9223372036854775807]\n"
          "-- 5 9223372036854775807\n[ab]\n", 0);
}

Test(http_parser, duplicate_content_length)
{
    BADREQ(H "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
           STRIO_EHTTP_DUP_LENGTH);
    BADREQ(H "Content-Length: 5\r\ncontent-length: 6\r\n\r\nhello!",
           STRIO_EHTTP_DUP_LENGTH);
    BADRESP("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            STRIO_EHTTP_DUP_LENGTH);
}

Test(http_parser, content_length_with_transfer_encoding)
{
    BADREQ(H "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           STRIO_EHTTP_LENGTH_AND_TE);
    BADREQ(H "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
           STRIO_EHTTP_LENGTH_AND_TE);
    BADRESP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            STRIO_EHTTP_LENGTH_AND_TE);
}

Test(http_parser, bad_transfer_encoding)
{
    BADREQ(H "Transfer-Encoding: gzip\r\n\r\n", STRIO_EHTTP_TE);
    BADREQ(H "Transfer-Encoding: chunked, gzip\r\n\r\n", STRIO_EHTTP_TE);
    BADREQ(H "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
           STRIO_EHTTP_TE);
    BADREQ(H "Transfer-Encoding: chunked, chunked\r\n\r\n", STRIO_EHTTP_TE);
    BADREQ(H "Transfer-Encoding: chunked;q=1\r\n\r\n", STRIO_EHTTP_TE);
    BADREQ(H "Transfer-Encoding: xchunked\r\n\r\n", STRIO_EHTTP_TE);
    BADREQ(H "Transfer-Encoding: \"chunked\"\r\n\r\n", STRIO_EHTTP_TE);
    BADREQ(H "Transfer-Encoding:\r\n\r\n", STRIO_EHTTP_TE);
    BADREQ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           STRIO_EHTTP_TE);
    BADRESP("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            STRIO_EHTTP_TE);
    /* empty list elements are fine (RFC 9110 5.6.1) */
    check(&REQ, S(H "Transfer-Encoding: , chunked ,\r\n\r\n0\r\n\r\n"),
          "> GET / 11\nHost=[h]\nTransfer-Encoding=[, chunked ,]\n-- 3 0\n== 3\n",
          0);
}

#define CH H "Transfer-Encoding: chunked\r\n\r\n"

Test(http_parser, bad_chunk_size)
{
    BADREQ(CH "zz\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH "0x5\r\nhello\r\n0\r\n\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH "-5\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH "\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH " 5\r\nhello\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH "5 \r\nhello\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH "5;\r\nhello\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH "5;a=\"open\r\nhello\r\n", STRIO_EHTTP_CHUNK_SIZE);
    BADREQ(CH "5;a=b c\r\nhello\r\n", STRIO_EHTTP_CHUNK_SIZE);
}

Test(http_parser, chunk_size_overflow)
{
    BADREQ(CH "10000000000000000\r\n", STRIO_EHTTP_CHUNK_OVERFLOW);
    BADREQ(CH "8000000000000000\r\n", STRIO_EHTTP_CHUNK_OVERFLOW);
    BADREQ(CH "ffffffffffffffffffff\r\n", STRIO_EHTTP_CHUNK_OVERFLOW);
    /* leading zeros are not an overflow */
    check(&REQ, S(CH "000000000000000000000001\r\nx\r\n0\r\n\r\n"),
          "> GET / 11\nHost=[h]\nTransfer-Encoding=[chunked]\n-- 3 0\n[x]\n== 3\n",
          0);
}

Test(http_parser, bad_chunk_end)
{
    BADREQ(CH "5\r\nhelloX\r\n0\r\n\r\n", STRIO_EHTTP_CHUNK_END);
    BADREQ(CH "5\r\nhello\r0\r\n\r\n", STRIO_EHTTP_CHUNK_END);
    BADREQ(CH "3\r\nhello\r\n", STRIO_EHTTP_CHUNK_END);
}

Test(http_parser, host)
{
    BADREQ("GET / HTTP/1.1\r\n\r\n", STRIO_EHTTP_HOST);
    BADREQ(H "host: other\r\n\r\n", STRIO_EHTTP_HOST);
    BADREQ("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", STRIO_EHTTP_HOST);
}

Test(http_parser, too_many_fields)
{
    struct cfg c = REQ;
    c.max_fields = 3;
    check(&c, S(H "A: 1\r\nB: 2\r\n\r\n"),
          "> GET / 11\nHost=[h]\nA=[1]\nB=[2]\n-- 1 0\n== 1\n", 0);
    bad(&c, S(H "A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), STRIO_EHTTP_TOO_MANY_FIELDS);
    /* trailers count too */
    bad(&c, S(H "Transfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n"),
        STRIO_EHTTP_TOO_MANY_FIELDS);
}

Test(http_parser, line_too_long)
{
    struct cfg c = REQ;
    c.cap = 32;
    /* a 32-byte line (CRLF included) fits, 33 does not */
    check(&c, S(H "X: 012345678901234567890123456\r\n\r\n"),
          "> GET / 11\nHost=[h]\nX=[012345678901234567890123456]\n-- 1 0\n== 1\n",
          0);
    bad(&c, S(H "X: 0123456789012345678901234567\r\n\r\n"),
        STRIO_EHTTP_LINE_TOO_LONG);
    bad(&c, S("GET /0123456789012345678901234567890 HTTP/1.1\r\n\r\n"),
        STRIO_EHTTP_LINE_TOO_LONG);
    bad(&c, S(CH "5;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nhello\r\n0\r\n\r\n"),
        STRIO_EHTTP_LINE_TOO_LONG);
    /* a syntax error inside the limit wins over the length */
    bad(&c, S(H "X: 012\x01" "4567890123456789012345678901234\r\n\r\n"),
        STRIO_EHTTP_FIELD);
    struct cfg r = RESP;
    r.cap = 16;
    bad(&r, S("HTTP/1.1 200 A long reason\r\n\r\n"), STRIO_EHTTP_LINE_TOO_LONG);
}

Test(http_parser, head_too_large)
{
    struct cfg c = REQ;
    c.max_head = 40; /* "GET / HTTP/1.1\r\nHost: h\r\n" is 25 */
    check(&c, S(H "A: 0123456789\r\n"),
          "> GET / 11\nHost=[h]\nA=[0123456789]\n", 0);
    bad(&c, S(H "A: 0123456789\r\n\r\n"), STRIO_EHTTP_HEAD_TOO_LARGE);
    bad(&c, S(H "A: 01234567890123456789\r\n\r\n"), STRIO_EHTTP_HEAD_TOO_LARGE);
    /* empty lines before the request count */
    bad(&c, S("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n" H "\r\n"),
        STRIO_EHTTP_HEAD_TOO_LARGE);
    /* the trailer section has a budget of its own */
    c.max_head = 60;
    check(&c, S(CH "0\r\nT: 0123456789012345678901234567890123456789\r\n\r\n"),
          "> GET / 11\nHost=[h]\nTransfer-Encoding=[chunked]\n-- 3 0\n"
          "t T=[0123456789012345678901234567890123456789]\n== 3\n", 0);
    bad(&c, S(CH "0\r\nT: 01234567890123456789012345678901234567890123456789012345\r\n\r\n"),
        STRIO_EHTTP_HEAD_TOO_LARGE);
}

Test(http_parser, incomplete_at_eof)
{
    struct cfg c = REQ;
    c.eof = 1;
    check(&c, S(""), "eof\n", 0);
    check(&c, S(H "\r\n"), "> GET / 11\nHost=[h]\n-- 1 0\n== 1\neof\n", 0);
    bad(&c, S("GET / HT"), STRIO_EHTTP_INCOMPLETE);
    bad(&c, S(H), STRIO_EHTTP_INCOMPLETE);
    bad(&c, S(H "Content-Length: 5\r\n\r\nhell"), STRIO_EHTTP_INCOMPLETE);
    bad(&c, S(CH "5\r\nhello"), STRIO_EHTTP_INCOMPLETE);
    bad(&c, S(CH "5\r\nhello\r\n0\r\n"), STRIO_EHTTP_INCOMPLETE);
    bad(&RESP, S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab"),
        STRIO_EHTTP_INCOMPLETE);
}

Test(http_parser, large_body_is_not_copied)
{
    enum { N = 1 << 16 };
    static char in[N + 100];
    int h = snprintf(in, sizeof in,
                     "PUT /f HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", N);
    memset(in + h, 'b', N);
    char buf[64];
    strio_http_parser p;
    strio_http_event ev;
    strio_http_parser_init(&p, STRIO_HTTP_REQUEST, buf, sizeof buf);
    size_t at = 0, body = 0;
    for (;;) {
        int n = strio_http_parse(&p, in + at, (size_t)h + N - at, &ev);
        cr_assert(n >= 0, "%s", strio_strerror(n));
        if (ev.type == STRIO_HTTP_EV_BODY) {
            cr_assert_eq(ev.value.ptr, in + at);
            body += ev.value.len;
        }
        at += (size_t)n;
        if (ev.type == STRIO_HTTP_EV_MESSAGE_DONE)
            break;
        cr_assert_neq(ev.type, STRIO_HTTP_EV_NONE);
    }
    cr_assert_eq(body, N);
    cr_assert_eq(at, (size_t)h + N);
}

Test(http_parser, strerror_names_every_code)
{
    for (int code = STRIO_EHTTP_INCOMPLETE; code <= STRIO_EHTTP_REQUEST_LINE;
         code++) {
        const char *s = strio_strerror(code);
        cr_assert(strncmp(s, "HTTP: ", 6) == 0, "%d: %s", code, s);
        for (int other = code + 1; other <= STRIO_EHTTP_REQUEST_LINE; other++)
            cr_assert_str_neq(s, strio_strerror(other));
    }
}
