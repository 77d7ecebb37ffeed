/*
 * proto_test.c -- the protocol parsers on the target: the HTTP/1.1 parser
 * (strio/http.h) and the DNS message codec (strio/dns.h), both in the
 * firmware core.
 *
 * HTTP: each message is fed whole and byte by byte; the events are written
 * down as a transcript (body events merged), which must equal the expected
 * one in both feedings, so a split-dependent result on this CPU (32-bit
 * size_t, another compiler's choices) shows up. Malformed inputs must give
 * their documented STRIO_EHTTP_* code, whole and byte by byte.
 *
 * DNS: a query's exact bytes; a handcrafted response with compression
 * pointers and CNAME + A + AAAA records, parsed for A and for AAAA;
 * a compression loop and out-of-bounds pointers (STRIO_EDNS_POINTER).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <strio/dns.h>
#include <strio/error.h>
#include <strio/http.h>

#include "harness.h"

/* ---- HTTP ---------------------------------------------------------------- */

struct tr {
    char s[768];
    size_t n;
    int in_body;
    int err;
    int overflow;
};

static void tr_put(struct tr *t, const char *p, size_t len)
{
    if (t->n + len >= sizeof t->s) {
        t->overflow = 1;
        return;
    }
    memcpy(t->s + t->n, p, len);
    t->n += len;
    t->s[t->n] = 0;
}

static void tr_fmt(struct tr *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tr_fmt(struct tr *t, const char *fmt, ...)
{
    char tmp[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        t->overflow = 1;
        return;
    }
    tr_put(t, tmp, (size_t)n);
}

static void tr_end_body(struct tr *t)
{
    if (t->in_body) {
        tr_put(t, "]\n", 2);
        t->in_body = 0;
    }
}

static void tr_event(struct tr *t, const strio_http_event *ev)
{
    if (ev->type != STRIO_HTTP_EV_BODY)
        tr_end_body(t);
    switch (ev->type) {
    case STRIO_HTTP_EV_REQUEST:
        tr_fmt(t, "> %.*s %.*s %d\n", (int)ev->name.len, ev->name.ptr,
               (int)ev->value.len, ev->value.ptr, ev->version);
        break;
    case STRIO_HTTP_EV_RESPONSE:
        tr_fmt(t, "< %d %d [%.*s]\n", ev->version, ev->status,
               (int)ev->name.len, ev->name.ptr);
        break;
    case STRIO_HTTP_EV_FIELD:
    case STRIO_HTTP_EV_TRAILER:
        tr_fmt(t, "%s%.*s=[%.*s]\n",
               ev->type == STRIO_HTTP_EV_TRAILER ? "t " : "",
               (int)ev->name.len, ev->name.ptr, (int)ev->value.len,
               ev->value.ptr);
        break;
    case STRIO_HTTP_EV_HEADERS_DONE:
        /* %lu: newlib-nano has no %llu; the lengths here fit */
        tr_fmt(t, "-- %x %lu\n", ev->flags,
               (unsigned long)ev->content_length);
        break;
    case STRIO_HTTP_EV_BODY:
        if (!t->in_body) {
            tr_put(t, "[", 1);
            t->in_body = 1;
        }
        tr_put(t, ev->value.ptr, ev->value.len);
        break;
    case STRIO_HTTP_EV_MESSAGE_DONE:
        tr_fmt(t, "== %x\n", ev->flags);
        break;
    default:
        tr_fmt(t, "?%d\n", (int)ev->type);
        break;
    }
}

static char http_line[256];

/* Feeds in[0..len) in pieces of `step` bytes (len: whole), then (for
 * responses) the end of the stream. */
static void http_feed(enum strio_http_kind kind, const char *in, size_t len,
                      size_t step, struct tr *t)
{
    strio_http_parser p;
    strio_http_event ev;
    memset(t, 0, sizeof *t);
    strio_http_parser_init(&p, kind, http_line, sizeof http_line);
    for (size_t at = 0; at < len && !t->err;) {
        size_t clen = len - at < step ? len - at : step;
        const char *d = in + at;
        size_t left = clen;
        for (int guard = 0;; guard++) {
            if (guard > 1000) {
                tr_put(t, "! no progress\n", 14);
                t->err = 1;
                break;
            }
            int n = strio_http_parse(&p, d, left, &ev);
            if (n < 0) {
                tr_end_body(t);
                tr_fmt(t, "! %s\n", strio_strerror(n));
                t->err = n;
                /* errors are sticky */
                if (strio_http_parse(&p, "x", 1, &ev) != n)
                    tr_put(t, "! not sticky\n", 13);
                break;
            }
            if ((size_t)n > left || (ev.type == STRIO_HTTP_EV_NONE &&
                                     (size_t)n != left)) {
                tr_put(t, "! bad count\n", 12);
                t->err = 1;
                break;
            }
            if (ev.type == STRIO_HTTP_EV_NONE)
                break;
            tr_event(t, &ev);
            d += n;
            left -= (size_t)n;
        }
        at += clen;
    }
    if (kind == STRIO_HTTP_RESPONSE && !t->err) {
        for (int guard = 0; guard < 20; guard++) {
            int r = strio_http_parse_eof(&p, &ev);
            if (r < 0) {
                tr_end_body(t);
                tr_fmt(t, "! %s\n", strio_strerror(r));
                t->err = r;
                break;
            }
            if (ev.type == STRIO_HTTP_EV_NONE) {
                tr_put(t, "eof\n", 4);
                break;
            }
            tr_event(t, &ev);
        }
    }
    tr_end_body(t);
}

static struct tr tr_whole, tr_bytes;

static unsigned http_cases, http_ok;

static void http_case(const char *label, enum strio_http_kind kind,
                      const char *in, size_t len, const char *want, int err)
{
    http_cases++;
    http_feed(kind, in, len, len ? len : 1, &tr_whole);
    http_feed(kind, in, len, 1, &tr_bytes);
    /* want NULL: a malformed input, whose events before the error are
     * not spelled out; byte by byte must give the same transcript */
    if (want == NULL)
        want = tr_whole.s;
    int ok_whole = !tr_whole.overflow && strcmp(tr_whole.s, want) == 0 &&
                   tr_whole.err == err;
    int ok_bytes = !tr_bytes.overflow && strcmp(tr_bytes.s, want) == 0 &&
                   tr_bytes.err == err;
    if (!ok_whole)
        printf("http %s, whole (error %d, expected %d):\n%s-- expected:\n%s",
               label, tr_whole.err, err, tr_whole.s, want);
    if (!ok_bytes)
        printf("http %s, byte by byte:\n%s-- expected:\n%s", label,
               tr_bytes.s, want);
    CHECK(ok_whole);
    CHECK(ok_bytes);
    http_ok += ok_whole && ok_bytes;
}

#define S(lit) lit, sizeof lit - 1
#define H "GET / HTTP/1.1\r\nHost: h\r\n"
#define CH H "Transfer-Encoding: chunked\r\n\r\n"

static void http_tests(void)
{
    http_case("GET", STRIO_HTTP_REQUEST,
              S("GET /index.html?q=1 HTTP/1.1\r\n"
                "Host: example.com\r\n"
                "User-Agent: t/1.0\r\n"
                "Accept:  */* \t\r\n"
                "\r\n"),
              "> GET /index.html?q=1 11\n"
              "Host=[example.com]\n"
              "User-Agent=[t/1.0]\n"
              "Accept=[*/*]\n"
              "-- 1 0\n"
              "== 1\n",
              0);
    http_case("POST", STRIO_HTTP_REQUEST,
              S("POST /upload HTTP/1.1\r\n"
                "Host: h\r\n"
                "Content-Length: 11\r\n"
                "\r\n"
                "hello world"),
              "> POST /upload 11\nHost=[h]\nContent-Length=[11]\n"
              "-- 5 11\n[hello world]\n== 5\n",
              0);
    http_case("chunked response", STRIO_HTTP_RESPONSE,
              S("HTTP/1.1 200 OK\r\n"
                "Transfer-Encoding: chunked\r\n"
                "\r\n"
                "5\r\nhello\r\n"
                "7;ext=1\r\n, world\r\n"
                "0\r\n"
                "Checksum: abc\r\n"
                "\r\n"),
              "< 11 200 [OK]\nTransfer-Encoding=[chunked]\n-- 3 0\n"
              "[hello, world]\nt Checksum=[abc]\n== 3\neof\n",
              0);
    http_case("pipelined", STRIO_HTTP_REQUEST,
              S("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
                "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"),
              "> GET /1 11\nHost=[h]\n-- 1 0\n== 1\n"
              "> POST /2 11\nHost=[h]\nContent-Length=[3]\n-- 5 3\n[abc]\n"
              "== 5\n",
              0);

    http_case("conflicting Content-Length", STRIO_HTTP_REQUEST,
              S(H "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
              NULL, STRIO_EHTTP_DUP_LENGTH);
    http_case("Content-Length and chunked", STRIO_HTTP_REQUEST,
              S(H "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\n\r\n"),
              NULL, STRIO_EHTTP_LENGTH_AND_TE);
    http_case("obs-fold", STRIO_HTTP_REQUEST, S(H "X: a\r\n b\r\n\r\n"),
              NULL, STRIO_EHTTP_OBS_FOLD);
    http_case("bare CR", STRIO_HTTP_REQUEST, S(H "X: a\rb\r\n\r\n"), NULL,
              STRIO_EHTTP_BARE_CR);
    http_case("chunk size overflow", STRIO_HTTP_REQUEST,
              S(CH "8000000000000000\r\n"), NULL,
              STRIO_EHTTP_CHUNK_OVERFLOW);
    printf("http parser: %u of %u inputs as expected, whole and byte by "
           "byte\n", http_ok, http_cases);
}

/* ---- DNS codec ----------------------------------------------------------- */

/* The A query for www.example.org, id 0xBEEF, RD. */
static const unsigned char dns_query_a[] = {
    0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g',
    0, 0, 1, 0, 1
};

/* Its answer: www.example.org CNAME cdn.example.org (label "cdn" + a
 * pointer to "example.org" in the question, offset 16), then an A and an
 * AAAA owned by cdn.example.org (pointers to offset 45, the CNAME's data). */
static const unsigned char dns_response[] = {
    0xBE, 0xEF, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
    /* 12: question */
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g',
    0, 0, 1, 0, 1,
    /* 33: CNAME, TTL 300 */
    0xC0, 12, 0, 5, 0, 1, 0, 0, 0x01, 0x2C, 0, 6,
    /* 45 */ 3, 'c', 'd', 'n', 0xC0, 16,
    /* 51: A 192.0.2.1, TTL 60 */
    0xC0, 45, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
    /* 67: AAAA 2001:db8::1, TTL 90 */
    0xC0, 45, 0, 28, 0, 1, 0, 0, 0, 90, 0, 16,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
};

static unsigned char dns_q[STRIO_DNS_UDP_MAX];
static unsigned char dns_m[STRIO_DNS_UDP_MAX];
static strio_dns_addr dns_addrs[4];
static strio_dns_answers dns_ans;

static int dns_parse(const unsigned char *m, size_t len, size_t qlen)
{
    strio_dns_answers_init(&dns_ans, dns_addrs, 4);
    return strio_dns_parse_response(m, len, dns_q, qlen, &dns_ans);
}

static void dns_set16(size_t at, unsigned v)
{
    dns_m[at] = (unsigned char)(v >> 8);
    dns_m[at + 1] = (unsigned char)v;
}

static void dns_tests(void)
{
    /* the query's bytes, and no room for them */
    int qlen = strio_dns_build_query(dns_q, sizeof dns_q, 0xBEEF,
                                     "www.example.org", STRIO_DNS_A, 1);
    CHECK_EQ(qlen, (long)sizeof dns_query_a);
    CHECK(memcmp(dns_q, dns_query_a, sizeof dns_query_a) == 0);
    CHECK_EQ(strio_dns_build_query(dns_m, 32, 1, "www.example.org",
                                   STRIO_DNS_A, 1), -ENOSPC);
    CHECK_EQ(strio_dns_build_query(dns_m, sizeof dns_m, 1, "a..b",
                                   STRIO_DNS_A, 1), -EINVAL);

    /* the A query: the chain is followed, the AAAA skipped */
    int rc = dns_parse(dns_response, sizeof dns_response, (size_t)qlen);
    CHECK_EQ(rc, 0);
    CHECK_EQ(strio_dns_result(&dns_ans, rc), 1);
    CHECK_EQ(dns_ans.id, 0xBEEF);
    CHECK_EQ(dns_ans.rcode, STRIO_DNS_NOERROR);
    CHECK_EQ((long)dns_ans.count, 1);
    CHECK_EQ((long)dns_ans.total, 1);
    CHECK_EQ(dns_addrs[0].type, STRIO_DNS_A);
    CHECK_EQ((long)dns_addrs[0].ttl, 60);
    CHECK(memcmp(dns_addrs[0].addr, "\xc0\x00\x02\x01", 4) == 0);
    char text[STRIO_DNS_TEXT_MAX + 1];
    CHECK(dns_ans.cname_len > 0);
    CHECK_EQ(strio_dns_name_to_text(dns_ans.cname, text, sizeof text), 15);
    CHECK(strcmp(text, "cdn.example.org") == 0);
    CHECK_EQ((long)dns_ans.cname_ttl, 300);

    /* the AAAA query, answered by the same records */
    qlen = strio_dns_build_query(dns_q, sizeof dns_q, 0xBEEF,
                                 "www.example.org", STRIO_DNS_AAAA, 1);
    memcpy(dns_m, dns_response, sizeof dns_response);
    dns_m[30] = STRIO_DNS_AAAA;                 /* the echoed question */
    rc = dns_parse(dns_m, sizeof dns_response, (size_t)qlen);
    CHECK_EQ(rc, 0);
    CHECK_EQ((long)dns_ans.count, 1);
    CHECK_EQ(dns_addrs[0].type, STRIO_DNS_AAAA);
    CHECK_EQ((long)dns_addrs[0].ttl, 90);
    CHECK(memcmp(dns_addrs[0].addr,
                 "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16) == 0);
    /* a different id: not ours */
    dns_m[1] = 0xEE;
    CHECK_EQ(dns_parse(dns_m, sizeof dns_response, (size_t)qlen),
             STRIO_EDNS_MISMATCH);
    /* every truncation is STRIO_EDNS_SHORT, never a read past the end */
    dns_m[1] = 0xEF;
    int shorts = 0;
    for (size_t n = 0; n < sizeof dns_response; n++)
        shorts += dns_parse(dns_m, n, (size_t)qlen) == STRIO_EDNS_SHORT;
    CHECK_EQ(shorts, (long)sizeof dns_response);

    /* out-of-bounds pointers: the A record's owner far outside the
     * message, then just past its end */
    qlen = strio_dns_build_query(dns_q, sizeof dns_q, 0xBEEF,
                                 "www.example.org", STRIO_DNS_A, 1);
    memcpy(dns_m, dns_response, sizeof dns_response);
    dns_set16(51, 0xFFFF);
    CHECK_EQ(dns_parse(dns_m, sizeof dns_response, (size_t)qlen),
             STRIO_EDNS_POINTER);
    dns_set16(51, 0xC000 | (unsigned)sizeof dns_response);
    CHECK_EQ(dns_parse(dns_m, sizeof dns_response, (size_t)qlen),
             STRIO_EDNS_POINTER);
    /* a forward pointer (to the AAAA's owner) */
    dns_set16(51, 0xC000 | 67);
    CHECK_EQ(dns_parse(dns_m, sizeof dns_response, (size_t)qlen),
             STRIO_EDNS_POINTER);

    /* a compression loop: the CNAME's data "cdn" + pointer back to its
     * own start (45), which would repeat forever */
    memcpy(dns_m, dns_response, sizeof dns_response);
    dns_set16(49, 0xC000 | 45);
    CHECK_EQ(dns_parse(dns_m, sizeof dns_response, (size_t)qlen),
             STRIO_EDNS_POINTER);
    /* two runs pointing at each other: the CNAME's data ends with a
     * pointer to the A's owner (51), which points back at it (45) */
    dns_set16(49, 0xC000 | 51);
    CHECK_EQ(dns_parse(dns_m, sizeof dns_response, (size_t)qlen),
             STRIO_EDNS_POINTER);
    size_t off = 45;
    unsigned char wire[STRIO_DNS_NAME_MAX];
    CHECK_EQ(strio_dns_read_name(dns_m, sizeof dns_response, &off, wire),
             STRIO_EDNS_POINTER);
    printf("dns codec: query %d bytes, response %u bytes (CNAME, A, AAAA), "
           "%d truncations short\n", qlen, (unsigned)sizeof dns_response,
           shorts);
}

void proto_tests(void)
{
    http_tests();
    dns_tests();
}
