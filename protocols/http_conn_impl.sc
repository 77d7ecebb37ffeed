/*
 * HTTP/1.1 over a strio stream (see strio/http_conn.h): the parser of
 * strio/http.h driven from a receive buffer, heads copied into the
 * caller's head store, responses and requests composed in the caller's
 * write buffer. In the dialect; no heap, no stdio (it builds for the
 * firmware core: only string.h).
 *
 * Named *_impl.sc: its generated header must not shadow strio/http_conn.h.
 */
#include <errno.h>
#include <string.h>

#include <strio/error.h>
#include <strio/http_conn.h>

#define NOFIT ((size_t)-1)

/* ---- composing heads (plain C) ------------------------------------------ */

static size_t put(char *d, size_t at, size_t cap, const char *s, size_t n)
{
    if (at == NOFIT || n > cap - at)
        return NOFIT;
    memcpy(d + at, s, n);
    return at + n;
}

static size_t put_str(char *d, size_t at, size_t cap, const char *s)
{
    return s ? put(d, at, cap, s, strlen(s)) : at;
}

static size_t put_num(char *d, size_t at, size_t cap, uint64_t v,
                      unsigned base)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    return put(d, at, cap, tmp + i, sizeof tmp - i);
}

const char *strio_http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    }
    return "Unknown";
}

/* A response head. `length` >= 0: Content-Length (unless the status has
 * no body); < 0: chunked for HTTP/1.1 peers, else the body runs until
 * close. `streamed`: the handler goes on reading the request body (so a
 * pending 100-continue is granted first). Sets c->chunked_out and
 * c->close_after. */
static size_t compose_response(strio_http_conn *c, int status,
                               const char *extra, int64_t length,
                               int streamed)
{
    char *d = c->mem.wbuf;
    size_t cap = c->mem.wcap, at = 0;
    if (c->expect_continue && c->in_body && streamed && status >= 200) {
        /* a streamed answer reads the body while it writes: the client
         * waits for this before it sends the body */
        at = put_str(d, at, cap, "HTTP/1.1 100 Continue\r\n\r\n");
        c->expect_continue = 0;
    }
    if (c->expect_continue && c->in_body && !streamed && status >= 200)
        /* answered without the body the client is holding back: it may
         * never send it, so this connection cannot carry another request */
        c->close_after = 1;
    int bodyless = status < 200 || status == 204 || status == 304;
    c->chunked_out = 0;
    if (c->connect_request && status >= 200 && status < 300) {
        /* a tunnel: no framing fields (RFC 9110 9.3.6), no more HTTP */
        bodyless = 1;
        c->done = 1;
    }
    at = put_str(d, at, cap, "HTTP/1.1 ");
    at = put_num(d, at, cap, (uint64_t)status, 10);
    at = put(d, at, cap, " ", 1);
    at = put_str(d, at, cap, strio_http_reason(status));
    at = put(d, at, cap, "\r\n", 2);
    if (!bodyless) {
        if (length >= 0) {
            at = put_str(d, at, cap, "Content-Length: ");
            at = put_num(d, at, cap, (uint64_t)length, 10);
            at = put(d, at, cap, "\r\n", 2);
        } else if (c->version == 11 && !c->head_request) {
            at = put_str(d, at, cap, "Transfer-Encoding: chunked\r\n");
            c->chunked_out = 1;
        } else if (!c->head_request) {
            c->close_after = 1; /* the body ends when the connection does */
        }
    }
    if (c->close_after)
        at = put_str(d, at, cap, "Connection: close\r\n");
    else if (c->version == 10)
        at = put_str(d, at, cap, "Connection: keep-alive\r\n");
    at = put_str(d, at, cap, extra);
    return put(d, at, cap, "\r\n", 2);
}

/* ---- reading (plain C helpers) ------------------------------------------ */

void strio_http_conn_init(strio_http_conn *c, enum strio_http_kind kind,
                          strio_stream *s, const strio_http_conn_mem *mem)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    c->mem = *mem;
    c->kind = kind;
    strio_http_parser_init(&c->parser, kind, mem->line, mem->line_cap);
    strio_http_parser_limits(&c->parser, (uint32_t)mem->max_fields,
                             mem->head_cap > UINT32_MAX
                                 ? UINT32_MAX
                                 : (uint32_t)mem->head_cap);
}

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static int same_name(strio_http_span a, const char *b)
{
    size_t n = strlen(b);
    if (a.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a.ptr[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

const char *strio_http_conn_field(const strio_http_conn *c, const char *name,
                                  size_t *len)
{
    for (size_t i = 0; i < c->nfields; i++)
        if (same_name(c->mem.fields[i].name, name)) {
            *len = c->mem.fields[i].value.len;
            return c->mem.fields[i].value.ptr;
        }
    return NULL;
}

size_t strio_http_conn_pending(const strio_http_conn *c, const char **data)
{
    *data = c->mem.rbuf + c->rpos;
    return c->rend - c->rpos;
}

/* Copies an event's span into the head store (it is only valid until the
 * next parse). The parser's head limit is head_cap, so it always fits. */
static int keep(strio_http_conn *c, strio_http_span *out, strio_http_span in)
{
    if (in.len > c->mem.head_cap - c->head_used)
        return STRIO_EHTTP_HEAD_TOO_LARGE;
    if (in.len)
        memcpy(c->mem.head + c->head_used, in.ptr, in.len);
    out->ptr = c->mem.head + c->head_used;
    out->len = in.len;
    c->head_used += in.len;
    return 0;
}

static void message_done(strio_http_conn *c, unsigned flags)
{
    c->in_body = 0;
    if (c->kind == STRIO_HTTP_RESPONSE && !(flags & STRIO_HTTP_KEEP_ALIVE))
        c->close_after = 1;
    if (flags & STRIO_HTTP_TUNNEL)
        c->done = 1;
}

/* Handles one head event; returns 1 at the end of the head. */
static int head_event(strio_http_conn *c, const strio_http_event *ev)
{
    int rc = 0;
    switch (ev->type) {
    case STRIO_HTTP_EV_REQUEST:
        rc = keep(c, &c->method, ev->name);
        if (rc == 0)
            rc = keep(c, &c->target, ev->value);
        c->version = ev->version;
        c->head_request = same_name(ev->name, "HEAD");
        c->connect_request = same_name(ev->name, "CONNECT");
        break;
    case STRIO_HTTP_EV_RESPONSE:
        rc = keep(c, &c->reason, ev->name);
        c->status = ev->status;
        c->version = ev->version;
        break;
    case STRIO_HTTP_EV_FIELD:
        if (c->nfields == c->mem.max_fields)
            return STRIO_EHTTP_TOO_MANY_FIELDS;
        rc = keep(c, &c->mem.fields[c->nfields].name, ev->name);
        if (rc == 0)
            rc = keep(c, &c->mem.fields[c->nfields].value, ev->value);
        c->nfields++;
        break;
    case STRIO_HTTP_EV_HEADERS_DONE:
        c->flags = ev->flags;
        c->content_length = ev->content_length;
        c->in_body = 1;
        if (c->kind == STRIO_HTTP_REQUEST) {
            size_t n;
            const char *v = strio_http_conn_field(c, "expect", &n);
            c->close_after = !(ev->flags & STRIO_HTTP_KEEP_ALIVE);
            c->expect_continue = v && c->version == 11 && n == 12 &&
                                 same_name((strio_http_span){ v, n },
                                           "100-continue");
        }
        return 1;
    default:
        break;
    }
    return rc;
}

static int reject_status(int err)
{
    switch (err) {
    case STRIO_EHTTP_TOO_MANY_FIELDS:
    case STRIO_EHTTP_HEAD_TOO_LARGE:
    case STRIO_EHTTP_LINE_TOO_LONG:
        return 431;
    case STRIO_EHTTP_TE:
        return 501;
    case STRIO_EHTTP_VERSION:
        return 505;
    }
    return 400;
}

/* ---- the async part ------------------------------------------------------ */

/* The next parser event, reading from the stream when the receive buffer
 * is used up; at most `max` input bytes per parse (so a body event never
 * exceeds a caller's buffer). Returns 1 (event in *ev), 0 (the stream
 * ended cleanly between messages) or an error. */
async int strio__http_event(strio_http_conn *c, size_t max,
                            strio_http_event *ev)
{
    long n;
    for (;;) {
        if (c->peer_eof) {
            int rc = strio_http_parse_eof(&c->parser, ev);
            if (rc < 0)
                return rc;
            return ev->type != STRIO_HTTP_EV_NONE;
        }
        size_t avail = c->rend - c->rpos;
        if (avail > max)
            avail = max;
        int r = strio_http_parse(&c->parser, c->mem.rbuf + c->rpos, avail, ev);
        if (r < 0)
            return r;
        c->rpos += (size_t)r;
        if (ev->type != STRIO_HTTP_EV_NONE)
            return 1;
        if (c->rpos < c->rend)
            continue;
        c->rpos = c->rend = 0;
        n = await strio_receive_some(c->s, c->mem.rbuf, c->mem.rcap);
        c->waited = 1;
        if (n < 0)
            return (int)n;
        if (n == 0)
            c->peer_eof = 1;
        else
            c->rend = (size_t)n;
    }
}

/* A server's answer to a malformed request; the connection ends. */
async int strio__http_reject(strio_http_conn *c, int err)
{
    size_t at;
    c->close_after = 1;
    c->head_request = 0;
    if (c->version == 0)
        c->version = 11;
    at = compose_response(c, reject_status(err), NULL, 0, 0);
    if (at == NOFIT)
        return -EMSGSIZE;
    return await strio_send_all(c->s, c->mem.wbuf, at);
}

/* Every call is a checkpoint: one that found its bytes already buffered
 * yields once before it returns. */
async int strio__http_settle(strio_http_conn *c, int rc)
{
    if (!c->waited) {
        int k = await strio_checkpoint();
        if (k < 0)
            return k;
    }
    return rc;
}

async int strio_http_read_head(strio_http_conn *c)
{
    strio_http_event ev;
    int rc = 0;
    c->waited = 0;
    if (c->responding)
        return -EINVAL;
    if (c->done || c->close_after) {
        /* no further message (and no point reading the rest of a body) */
        c->done = 1;
        return await strio__http_settle(c, 0);
    }
    /* the rest of the previous body, if the caller did not read it */
    while (c->in_body && !c->done) {
        rc = await strio__http_event(c, (size_t)-1, &ev);
        if (rc <= 0) {
            c->done = 1;
            return rc < 0 ? rc : STRIO_EHTTP_INCOMPLETE;
        }
        if (ev.type == STRIO_HTTP_EV_MESSAGE_DONE)
            message_done(c, ev.flags);
    }
    if (c->done || c->close_after) {
        c->done = 1;
        return await strio__http_settle(c, 0);
    }
    c->head_used = 0;
    c->nfields = 0;
    c->head_request = 0;
    c->connect_request = 0;
    c->expect_continue = 0;
    c->version = 0;
    for (;;) {
        rc = await strio__http_event(c, (size_t)-1, &ev);
        if (rc == 1)
            rc = head_event(c, &ev);
        if (rc == 1)
            break;
        if (rc < 0) {
            if (c->kind == STRIO_HTTP_REQUEST &&
                rc <= STRIO_EHTTP_REQUEST_LINE && rc > STRIO_EHTTP_INCOMPLETE)
                await strio__http_reject(c, rc);
            c->done = 1;
            return rc;
        }
        if (rc == 0 && ev.type == STRIO_HTTP_EV_NONE) {
            c->done = 1;    /* clean end of stream between messages */
            break;
        }
    }
    return await strio__http_settle(c, rc);
}

async long strio_http_read_body(strio_http_conn *c, void *buf, size_t max)
{
    strio_http_event ev;
    long got = 0;
    int rc;
    if (max == 0)
        return -EINVAL;
    c->waited = 0;
    if (c->expect_continue && c->in_body) {
        /* the client waits for this before it sends the body */
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        c->expect_continue = 0;
        rc = await strio_send_all(c->s, cont, sizeof cont - 1);
        if (rc < 0)
            return rc;
        c->waited = 1;
    }
    while (c->in_body && got == 0) {
        rc = await strio__http_event(c, max, &ev);
        if (rc <= 0) {
            c->done = 1;
            return rc < 0 ? rc : STRIO_EHTTP_INCOMPLETE;
        }
        if (ev.type == STRIO_HTTP_EV_BODY) {
            memcpy(buf, ev.value.ptr, ev.value.len);
            got = (long)ev.value.len;
        } else if (ev.type == STRIO_HTTP_EV_MESSAGE_DONE) {
            message_done(c, ev.flags);
        }
    }
    rc = await strio__http_settle(c, 0);
    return rc < 0 ? rc : got;
}

async int strio_http_respond_begin(strio_http_conn *c, int status,
                                   const char *extra, int64_t length)
{
    size_t at;
    int rc;
    if (c->kind != STRIO_HTTP_REQUEST || c->responding || status < 100 ||
        status > 999)
        return -EINVAL;
    at = compose_response(c, status, extra, length, 1);
    if (at == NOFIT)
        return -EMSGSIZE;
    c->responding = 1;
    c->out_left = length >= 0 ? (uint64_t)length : 0;
    c->until_close = length < 0 && !c->chunked_out;
    if (c->head_request || status < 200 || status == 204 || status == 304 ||
        (c->connect_request && status < 300)) {
        c->out_left = 0;
        c->bodyless = 1;
    } else {
        c->bodyless = 0;
    }
    rc = await strio_send_all(c->s, c->mem.wbuf, at);
    if (rc < 0)
        c->done = 1;
    return rc;
}

async int strio_http_respond_write(strio_http_conn *c, const void *data,
                                   size_t len)
{
    int rc;
    if (!c->responding)
        return -EINVAL;
    if (c->bodyless || len == 0)
        return await strio_checkpoint();
    if (c->chunked_out) {
        char *d = c->mem.wbuf;
        size_t at = put_num(d, 0, c->mem.wcap, len, 16);
        at = put(d, at, c->mem.wcap, "\r\n", 2);
        if (at != NOFIT && len + 2 <= c->mem.wcap - at) {
            /* small chunk: one send */
            at = put(d, at, c->mem.wcap, data, len);
            at = put(d, at, c->mem.wcap, "\r\n", 2);
            rc = await strio_send_all(c->s, d, at);
        } else {
            rc = await strio_send_all(c->s, d, at);
            if (rc == 0)
                rc = await strio_send_all(c->s, data, len);
            if (rc == 0)
                rc = await strio_send_all(c->s, "\r\n", 2);
        }
    } else {
        if (!c->until_close && len > c->out_left)
            return -EINVAL;     /* more than the announced Content-Length */
        c->out_left -= c->until_close ? 0 : len;
        rc = await strio_send_all(c->s, data, len);
    }
    if (rc < 0)
        c->done = 1;
    return rc;
}

async int strio_http_respond_end(strio_http_conn *c)
{
    int rc = 0;
    if (!c->responding)
        return -EINVAL;
    c->responding = 0;
    if (c->chunked_out && !c->bodyless)
        rc = await strio_send_all(c->s, "0\r\n\r\n", 5);
    else
        rc = await strio_checkpoint();
    if (rc == 0 && c->out_left != 0)
        rc = -EINVAL;           /* fewer bytes than announced */
    if (rc < 0 || c->until_close)
        c->done = 1;
    return rc;
}

async int strio_http_respond(strio_http_conn *c, int status,
                             const char *extra, const void *body, size_t len)
{
    size_t at;
    int rc;
    if (c->kind != STRIO_HTTP_REQUEST || c->responding || status < 100 ||
        status > 999)
        return -EINVAL;
    at = compose_response(c, status, extra, (int64_t)len, 0);
    if (at == NOFIT)
        return -EMSGSIZE;
    if (c->head_request || status < 200 || status == 204 || status == 304 ||
        (c->connect_request && status < 300))
        len = 0;
    if (len > 0 && len <= c->mem.wcap - at) {
        memcpy(c->mem.wbuf + at, body, len);   /* one send */
        at += len;
        len = 0;
    }
    rc = await strio_send_all(c->s, c->mem.wbuf, at);
    if (rc == 0 && len > 0)
        rc = await strio_send_all(c->s, body, len);
    if (rc < 0)
        c->done = 1;
    return rc;
}

async int strio_http_send_request(strio_http_conn *c, const char *method,
                                  const char *target, const char *host,
                                  const char *extra, const void *body,
                                  size_t len)
{
    char *d = c->mem.wbuf;
    size_t cap = c->mem.wcap, at = 0;
    int rc;
    if (c->kind != STRIO_HTTP_RESPONSE || method == NULL || target == NULL ||
        host == NULL)
        return -EINVAL;
    at = put_str(d, at, cap, method);
    at = put(d, at, cap, " ", 1);
    at = put_str(d, at, cap, target);
    at = put_str(d, at, cap, " HTTP/1.1\r\nHost: ");
    at = put_str(d, at, cap, host);
    at = put(d, at, cap, "\r\n", 2);
    if (body != NULL || len > 0) {
        at = put_str(d, at, cap, "Content-Length: ");
        at = put_num(d, at, cap, len, 10);
        at = put(d, at, cap, "\r\n", 2);
    }
    at = put_str(d, at, cap, extra);
    at = put(d, at, cap, "\r\n", 2);
    if (at == NOFIT)
        return -EMSGSIZE;
    strio_http_parser_expect(&c->parser,
                             strcmp(method, "HEAD") == 0 ? STRIO_HTTP_TO_HEAD
                             : strcmp(method, "CONNECT") == 0
                                 ? STRIO_HTTP_TO_CONNECT
                                 : 0);
    if (len > 0 && len <= cap - at) {
        memcpy(d + at, body, len);
        at += len;
        len = 0;
    }
    rc = await strio_send_all(c->s, d, at);
    if (rc == 0 && len > 0)
        rc = await strio_send_all(c->s, body, len);
    return rc;
}

async int strio_http_connect(strio_http_conn *c, const char *authority,
                             const char *extra)
{
    int rc;
    long n;
    rc = await strio_http_send_request(c, "CONNECT", authority, authority,
                                       extra, NULL, 0);
    if (rc < 0)
        return rc;
    do {
        rc = await strio_http_read_head(c);
        if (rc == 0)
            return STRIO_EBROKEN;   /* the proxy closed without an answer */
        if (rc < 0)
            return rc;
    } while (c->status < 200);
    if (c->status < 300) {
        /* a 2xx opens the tunnel: the parser completes the message */
        n = await strio_http_read_body(c, c->mem.wbuf, c->mem.wcap);
        return n < 0 ? (int)n : 0;
    }
    while ((n = await strio_http_read_body(c, c->mem.wbuf, c->mem.wcap)) > 0)
        ;
    return n < 0 ? (int)n : c->status;
}
