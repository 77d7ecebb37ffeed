/*
 * strio/http.h -- incremental HTTP/1.1 message parser (requests and
 * responses), fed chunk by chunk, with no callbacks and no allocation.
 *
 * The parser is a re2c push lexer with storable state (protocols/
 * http_parser.re) under a small message state machine. The caller hands it
 * whatever bytes arrived; it returns how many it consumed and at most one
 * event, so code in the dialect drives it in a plain loop:
 *
 *   strio_http_parser p;
 *   char line[8192];                     the longest line it accepts
 *   strio_http_parser_init(&p, STRIO_HTTP_REQUEST, line, sizeof line);
 *   ...
 *   for (;;) {                           after each receive_some:
 *       strio_http_event ev;
 *       int n = strio_http_parse(&p, data, len, &ev);
 *       if (n < 0) fail(n);              STRIO_EHTTP_*: answer 400 and close
 *       data += n; len -= n;
 *       if (ev.type == STRIO_HTTP_EV_NONE) break;   all bytes consumed
 *       handle(&ev);
 *   }
 *
 * Call strio_http_parse until it reports STRIO_HTTP_EV_NONE, even with no
 * bytes left: some events (headers done, message done) consume no input.
 * NONE means every byte given was consumed and nothing more can be said
 * until more bytes arrive.
 *
 * Memory. The only buffer is the caller's `buf` of `cap` bytes: it holds
 * the current line (request line, status line, one header field, one chunk
 * size line) when that line is split across two calls. Lines that arrive
 * whole are parsed where they lie and never copied; body bytes are never
 * copied. So `cap` is the longest line accepted (STRIO_EHTTP_LINE_TOO_LONG
 * beyond it), whatever the chunking: the outcome of a parse never depends
 * on how the input was split.
 *
 * Event spans (name, value) point either into the caller's input or into
 * `buf`; they stay valid until the next call on the parser, provided the
 * input bytes are not changed.
 *
 * Pipelining. After MESSAGE_DONE the parser starts over on the next
 * message; bytes after the end of a message are left unconsumed when the
 * event is returned, so a server can read several pipelined requests from
 * one chunk.
 *
 * Strictness (RFC 9112). Each of these is an error, never "repaired"; the
 * codes are in strio/error.h and strio_strerror() names them:
 *   STRIO_EHTTP_REQUEST_LINE   malformed request line (method must be a
 *                              token, one SP, target of visible ASCII,
 *                              one SP, HTTP/d.d, CRLF)
 *   STRIO_EHTTP_STATUS_LINE    malformed status line (status 100..599)
 *   STRIO_EHTTP_VERSION        HTTP version other than 1.0 and 1.1
 *   STRIO_EHTTP_FIELD          malformed header or trailer field (name not
 *                              a token, control character in the value)
 *   STRIO_EHTTP_FIELD_SPACE    whitespace between field name and colon
 *   STRIO_EHTTP_OBS_FOLD       a line starting with whitespace (obsolete
 *                              line folding)
 *   STRIO_EHTTP_BARE_CR        CR not followed by LF
 *   STRIO_EHTTP_BARE_LF        LF not preceded by CR
 *   STRIO_EHTTP_CONTENT_LENGTH Content-Length not 1*DIGIT, or above 2^63-1
 *   STRIO_EHTTP_DUP_LENGTH     more than one Content-Length (equal or not)
 *   STRIO_EHTTP_LENGTH_AND_TE  Content-Length and Transfer-Encoding both
 *   STRIO_EHTTP_TE             Transfer-Encoding in HTTP/1.0, "chunked"
 *                              not last or twice, or (requests) a final
 *                              coding other than chunked
 *   STRIO_EHTTP_CHUNK_SIZE     malformed chunk size line
 *   STRIO_EHTTP_CHUNK_OVERFLOW chunk size above 2^63-1
 *   STRIO_EHTTP_CHUNK_END      chunk data not followed by CRLF
 *   STRIO_EHTTP_HOST           HTTP/1.1 request without Host, or any
 *                              request with two
 *   STRIO_EHTTP_TOO_MANY_FIELDS  more header + trailer fields than allowed
 *   STRIO_EHTTP_LINE_TOO_LONG  a line longer than `cap`
 *   STRIO_EHTTP_HEAD_TOO_LARGE the header section (or trailer section)
 *                              longer than the head limit
 *   STRIO_EHTTP_INCOMPLETE     end of stream in the middle of a message
 * Errors are sticky: every later call returns the same code. Empty lines
 * before a request line are skipped (RFC 9112 section 2.2), counted
 * against the head limit.
 *
 * Body length (RFC 9112 section 6.3): requests have a chunked body
 * (Transfer-Encoding ending in chunked), a Content-Length body or none.
 * Responses to HEAD, 1xx, 204 and 304 have none; 101 and a 2xx to CONNECT
 * end HTTP on the connection (STRIO_HTTP_TUNNEL); otherwise chunked,
 * Content-Length, or everything until the end of the stream
 * (STRIO_HTTP_UNTIL_CLOSE, finished by strio_http_parse_eof).
 *
 * The parser is plain C (string.h only) and builds for the firmware core.
 */
#ifndef STRIO_HTTP_H
#define STRIO_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* What a parser reads. */
enum strio_http_kind {
    STRIO_HTTP_REQUEST = 1, /* a server's parser: request messages */
    STRIO_HTTP_RESPONSE = 2 /* a client's parser: response messages */
};

/* A byte range of the input or of the parser's line buffer. */
typedef struct strio_http_span {
    const char *ptr;
    size_t len;
} strio_http_span;

enum strio_http_event_type {
    STRIO_HTTP_EV_NONE = 0,     /* all input consumed, nothing to report */
    STRIO_HTTP_EV_REQUEST,      /* message begins: name = method, value =
                                   target, version */
    STRIO_HTTP_EV_RESPONSE,     /* message begins: status, name = reason
                                   phrase (may be empty), version */
    STRIO_HTTP_EV_FIELD,        /* a header field: name, value (without
                                   surrounding whitespace) */
    STRIO_HTTP_EV_HEADERS_DONE, /* end of the header section: flags and
                                   content_length say how the body comes */
    STRIO_HTTP_EV_BODY,         /* value = body bytes (chunked framing
                                   removed); any number of these */
    STRIO_HTTP_EV_TRAILER,      /* a trailer field after a chunked body */
    STRIO_HTTP_EV_MESSAGE_DONE  /* message complete: flags */
};

/* Event flags (HEADERS_DONE and MESSAGE_DONE). */
#define STRIO_HTTP_KEEP_ALIVE 0x1u  /* the connection may carry another
                                       message after this one */
#define STRIO_HTTP_CHUNKED 0x2u     /* chunked body */
#define STRIO_HTTP_LENGTH 0x4u      /* Content-Length body (content_length) */
#define STRIO_HTTP_UNTIL_CLOSE 0x8u /* response body runs to end of stream */
#define STRIO_HTTP_TUNNEL 0x10u     /* the connection leaves HTTP after this
                                       response (101, or 2xx to CONNECT):
                                       later bytes belong to the tunnel */

/* An event; only the members named for its type are set. */
typedef struct strio_http_event {
    enum strio_http_event_type type;
    strio_http_span name;
    strio_http_span value;
    int status;              /* RESPONSE */
    int version;             /* REQUEST, RESPONSE: 10 or 11 */
    unsigned flags;          /* HEADERS_DONE, MESSAGE_DONE */
    uint64_t content_length; /* HEADERS_DONE with STRIO_HTTP_LENGTH */
} strio_http_event;

/* Tell a response parser what the next response answers (the default is
 * neither). Cleared when a final (non-1xx) response completes. */
#define STRIO_HTTP_TO_HEAD 0x1u    /* a HEAD request: no body */
#define STRIO_HTTP_TO_CONNECT 0x2u /* CONNECT: a 2xx opens a tunnel */

#define STRIO_HTTP_DEFAULT_MAX_FIELDS 100
#define STRIO_HTTP_DEFAULT_MAX_HEAD 65536

/* Room for re2c's tag variables (checked when the lexer is compiled). */
#define STRIO__HTTP_TAGS 8

/* The parser. Caller-owned; every member is private. */
typedef struct strio_http_parser {
    /* configuration */
    char *buf;
    size_t cap;
    uint32_t max_head;
    uint32_t max_fields;
    int kind;
    /* lexer: the current line is base[0 .. lim) (input or buf) */
    const unsigned char *base;
    size_t cur, mar, lim;
    size_t yyt[STRIO__HTTP_TAGS];
    size_t at[3]; /* positions in the last line (meaning per line kind) */
    int yystate, cond;
    unsigned char in_line, buffered;
    /* message */
    int state, err;
    uint32_t head_used, nfields;
    unsigned msg;       /* private bits: what the header section said */
    unsigned expect;    /* STRIO_HTTP_TO_* */
    int version, status;
    uint64_t length, remaining;
} strio_http_parser;

/*
 * Sets up `p` to read `kind` messages. `buf`/`cap` is the line buffer
 * (caller-owned, must outlive the parser; see "Memory" above; cap >= 1).
 * Limits start at STRIO_HTTP_DEFAULT_MAX_FIELDS fields and
 * STRIO_HTTP_DEFAULT_MAX_HEAD bytes of header section.
 */
void strio_http_parser_init(strio_http_parser *p, enum strio_http_kind kind,
                            char *buf, size_t cap);

/*
 * Sets the limits: at most `max_fields` header + trailer fields per
 * message, at most `max_head` bytes in the header section (start line and
 * fields with their CRLFs, and separately in the trailer section). Call
 * before parsing (or between messages).
 */
void strio_http_parser_limits(strio_http_parser *p, uint32_t max_fields,
                              uint32_t max_head);

/* Response parsers: what the next response answers (STRIO_HTTP_TO_*). */
void strio_http_parser_expect(strio_http_parser *p, unsigned to);

/*
 * Parses up to `len` bytes of `data` (NULL allowed when len is 0). Returns
 * the number of bytes consumed (0..len, capped at INT_MAX per call) and
 * fills *ev with the one event they produced, or STRIO_HTTP_EV_NONE when
 * all `len` bytes were consumed without completing an event. Returns a
 * negative STRIO_EHTTP_* code on malformed input (sticky), or STRIO_ESTATE
 * when given bytes after a TUNNEL message or after strio_http_parse_eof
 * (with len 0 it reports NONE there, so the usual loop ends).
 * Not a checkpoint (plain C, runs in bounded time per byte).
 */
int strio_http_parse(strio_http_parser *p, const char *data, size_t len,
                     strio_http_event *ev);

/*
 * The stream ended. Returns 0 with an event: the pending events first
 * (call again until NONE), MESSAGE_DONE for an until-close response body,
 * then NONE when the stream ended cleanly between messages. Returns
 * STRIO_EHTTP_INCOMPLETE if it ended inside a message. After this the
 * parser accepts no more input.
 */
int strio_http_parse_eof(strio_http_parser *p, strio_http_event *ev);

#endif
