/*
 * strio/http_conn.h -- HTTP/1.1 over any strio stream: the server side
 * (read a request, answer it, keep-alive and pipelining), the client side
 * (send a request, read the response) and CONNECT (open a tunnel through a
 * proxy). Written in the dialect (protocols/http_conn_impl.sc) over the
 * message parser of strio/http.h; no heap, every buffer is the caller's.
 *
 * A server handler (one task per connection; see examples/http_server.sc
 * for the accept loop with a fixed handler pool):
 *
 *     strio_http_conn c;
 *     strio_http_conn_init(&c, STRIO_HTTP_REQUEST, &conn->base, &mem);
 *     while ((rc = await strio_http_read_head(&c)) > 0) {
 *         // c.method, c.target, strio_http_conn_field(&c, "host") ...
 *         while ((n = await strio_http_read_body(&c, buf, sizeof buf)) > 0)
 *             ...;                                 // the request body
 *         rc = await strio_http_respond(&c, 200, "Content-Type: text/plain\r\n",
 *                                       "hello\n", 6);
 *     }
 *     await strio_stream_close(&conn->base);
 *
 * strio_http_read_head returns 1 with the next request's head, 0 when the
 * connection is done (the peer closed between requests, or the last
 * exchange was not keep-alive), or an error. On malformed input
 * (STRIO_EHTTP_*) a server answers it first (400, or 431 for the size
 * limits, 501 for an unsupported Transfer-Encoding, 505 for the version)
 * with "Connection: close". A body the handler did not read is skipped
 * before the next request is read.
 *
 * Keep-alive: the server keeps the connection when the request allows it
 * (HTTP/1.1 without "Connection: close", or HTTP/1.0 with keep-alive);
 * otherwise the response carries "Connection: close" and the next
 * read_head returns 0. Pipelined requests are answered in order: bytes
 * after one request stay in the receive buffer for the next.
 *
 * "Expect: 100-continue": the interim 100 goes out when the handler first
 * reads the body (read_body) or starts a streamed response; a whole
 * response (respond) without reading the body closes the connection
 * after it instead, since the client may never send that body.
 *
 * Memory (strio_http_conn_mem, all caller-owned, must outlive the conn):
 *   rbuf/rcap    receive buffer (bytes read from the stream, not parsed yet)
 *   line/line_cap  the parser's line buffer: the longest line accepted
 *   head/head_cap  copies of the current message's start line and fields;
 *                also the parser's header-section limit
 *   fields/max_fields  the field index (also the parser's field limit)
 *   wbuf/wcap    where a response (or request) head is composed; a small
 *                body is appended there too, so it goes out in one send
 *
 * Cancellation: every call here awaits the stream, so each is a
 * checkpoint; a cancelled call leaves the connection in an unknown state
 * (part of a message may have been sent or consumed): close it.
 *
 * Errors: the stream's (STRIO_EBROKEN, STRIO_ECLOSED, ...), the parser's
 * STRIO_EHTTP_*, -EMSGSIZE when a head to send does not fit `wbuf`,
 * -EINVAL for a call out of order (responding twice, writing more than
 * the announced Content-Length), STRIO_ECANCELED.
 */
#ifndef STRIO_HTTP_CONN_H
#define STRIO_HTTP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <strio/http.h>
#include <strio/stream.h>

typedef struct strio_http_field {
    strio_http_span name;
    strio_http_span value;
} strio_http_field;

typedef struct strio_http_conn_mem {
    char *rbuf;
    size_t rcap;
    char *line;
    size_t line_cap;
    char *head;
    size_t head_cap;
    strio_http_field *fields;
    size_t max_fields;
    char *wbuf;
    size_t wcap;
} strio_http_conn_mem;

/* Declares the memory of one connection (file scope or as a member) with
 * the given sizes: NAME.mem is what strio_http_conn_init takes after
 * STRIO_HTTP_CONN_MEM_SETUP(NAME). */
#define STRIO_HTTP_CONN_MEM(name, rsize, linesize, headsize, nfields, wsize) \
    struct {                                                                 \
        strio_http_conn_mem mem;                                             \
        char rbuf[rsize], line[linesize], head[headsize], wbuf[wsize];       \
        strio_http_field fields[nfields];                                    \
    } name
#define STRIO_HTTP_CONN_MEM_SETUP(n)                                         \
    ((n).mem.rbuf = (n).rbuf, (n).mem.rcap = sizeof (n).rbuf,                \
     (n).mem.line = (n).line, (n).mem.line_cap = sizeof (n).line,            \
     (n).mem.head = (n).head, (n).mem.head_cap = sizeof (n).head,            \
     (n).mem.fields = (n).fields,                                            \
     (n).mem.max_fields = sizeof (n).fields / sizeof (n).fields[0],          \
     (n).mem.wbuf = (n).wbuf, (n).mem.wcap = sizeof (n).wbuf)

typedef struct strio_http_conn {
    strio_stream *s;
    strio_http_conn_mem mem;
    strio_http_parser parser;
    /* the current message (valid after read_head returned 1) */
    strio_http_span method;     /* requests */
    strio_http_span target;     /* requests */
    int status;                 /* responses */
    strio_http_span reason;     /* responses */
    int version;                /* 10 or 11 */
    unsigned flags;             /* STRIO_HTTP_KEEP_ALIVE, _CHUNKED, ... */
    uint64_t content_length;    /* with STRIO_HTTP_LENGTH */
    size_t nfields;             /* mem.fields[0 .. nfields) */
    /* private */
    size_t rpos, rend, head_used;
    int kind;
    unsigned char in_body, peer_eof, done, head_request;
    unsigned char responding, chunked_out, close_after, until_close;
    unsigned char bodyless, expect_continue, waited, connect_request;
    uint64_t out_left;
} strio_http_conn;

/*
 * Prepares `c` to speak `kind` (STRIO_HTTP_REQUEST: a server reading
 * requests; STRIO_HTTP_RESPONSE: a client reading responses) over `s`
 * with the memory `mem` (copied; the buffers it points to are used). The
 * conn does not own `s`: closing it is the caller's business.
 */
void strio_http_conn_init(strio_http_conn *c, enum strio_http_kind kind,
                          strio_stream *s, const strio_http_conn_mem *mem);

/* The value of the current message's first field named `name` (ASCII
 * case-insensitive), or NULL; *len gets its length. */
const char *strio_http_conn_field(const strio_http_conn *c, const char *name,
                                  size_t *len);

/* Bytes received past the message just read (after a CONNECT tunnel
 * opened, these belong to the tunnel): sets *data, returns the count. */
size_t strio_http_conn_pending(const strio_http_conn *c, const char **data);

/* Bodies of responses this file composes: the reason phrase of a status
 * code ("OK", "Not Found", ...; "Unknown" for others). */
const char *strio_http_reason(int status);

/* The async calls (their frames come from http_conn_impl.sc):
 *
 * async int strio_http_read_head(strio_http_conn *c)
 *     The next message's head (see above): 1, 0 (done) or an error.
 * async long strio_http_read_body(strio_http_conn *c, void *buf, size_t max)
 *     Up to `max` (>= 1) bytes of the current body (chunked framing
 *     removed, trailers skipped): > 0, 0 at its end, or an error.
 * async int strio_http_respond(strio_http_conn *c, int status,
 *                              const char *extra, const void *body, size_t len)
 *     A whole response: status line, Content-Length, "Connection: close"
 *     when the exchange ends the connection, `extra` (NULL or header lines
 *     each ending in CRLF), the body (not sent for HEAD). A 2xx to CONNECT
 *     has no framing fields and no body, and ends HTTP on the connection:
 *     the stream then carries the tunnel (bytes the client sent early are
 *     in strio_http_conn_pending).
 * async int strio_http_respond_begin(strio_http_conn *c, int status,
 *                                    const char *extra, int64_t length)
 *     The head of a streamed response: `length` >= 0 sends Content-Length,
 *     < 0 a chunked body (HTTP/1.1 requests; an HTTP/1.0 peer gets the
 *     body until close instead).
 * async int strio_http_respond_write(strio_http_conn *c, const void *data,
 *                                    size_t len)
 * async int strio_http_respond_end(strio_http_conn *c)
 *     Body bytes, then the end (the last chunk, or a check that the
 *     announced length was sent).
 * async int strio_http_send_request(strio_http_conn *c, const char *method,
 *                                   const char *target, const char *host,
 *                                   const char *extra, const void *body,
 *                                   size_t len)
 *     Client: one request (Host, and Content-Length when `body` is not
 *     NULL or len > 0); then read the response with read_head/read_body.
 * async int strio_http_connect(strio_http_conn *c, const char *authority,
 *                              const char *extra)
 *     Client: CONNECT authority ("host:port") through the proxy at the
 *     other end of the stream. 0: the tunnel is open (the stream now
 *     carries the tunnel; see strio_http_conn_pending), > 0: the proxy's
 *     (non-2xx) status, its response body skipped, < 0: an error.
 */
#include <strio/http_conn_impl.h>

#endif
