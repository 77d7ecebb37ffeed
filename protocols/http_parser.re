/*
 * HTTP/1.1 message parser (strio/http.h): a re2c push lexer with storable
 * state for the lines (start line, fields, chunk size lines, the CRLF after
 * chunk data), under a message state machine that frames bodies.
 *
 * re2c runs with -c (conditions: one per kind of line) and -f (storable
 * state). The lexer reads one line per call through re2c's generic API on
 * positions relative to `base`, the first byte of the line; `base` is
 * either the caller's input (the line arrived whole: no copy) or the line
 * buffer (the line was split across calls). Relative positions are what
 * make switching between the two free: nothing is rebased.
 *
 * End of input is a virtual sentinel: YYPEEK returns 0 at `lim`, re2c
 * checks the limit whenever it sees 0, and YYFILL saves the lexer and
 * returns T_NEED. Every accepting line ends with its LF and no rule can
 * match past an LF, so a line is complete exactly when its last byte was
 * read: the lexer never needs bytes beyond the line (a request followed by
 * silence is parsed at once) and never backs up into bytes already
 * reported consumed.
 *
 * The generated C goes to $(BUILD)/gen/protocols/; it is never committed.
 */
#include <limits.h>
#include <string.h>

#include <strio/error.h>
#include <strio/http.h>

/* Token codes of lex(); errors are the negative STRIO_EHTTP_* codes. */
enum {
    T_NEED = 1, /* the line continues past `lim` */
    T_EOF,      /* unreachable: we resume only with more bytes */
    T_EMPTY,    /* CRLF: end of a field section, or before a request */
    T_REQUEST,
    T_STATUS,
    T_FIELD,
    T_CHUNK,
    T_CRLF
};

/* re2c's tag variables live in p->yyt[], indexed by their own names. */
enum strio__http_tag {
    /*!stags:re2c format = "@@,"; */
    STRIO__HTTP_NTAGS_USED
};
_Static_assert(STRIO__HTTP_NTAGS_USED <= STRIO__HTTP_TAGS,
               "raise STRIO__HTTP_TAGS in strio/http.h");

#define NOTAG ((size_t)-1)

/*!conditions:re2c*/

/* Parser states. */
enum {
    ST_START,        /* before a start line */
    ST_FIELDS,       /* header section */
    ST_BODY,         /* Content-Length body: `remaining` bytes */
    ST_UNTIL_CLOSE,  /* response body up to end of stream */
    ST_CHUNK_SIZE,
    ST_CHUNK_DATA,   /* `remaining` bytes of the current chunk */
    ST_CHUNK_CRLF,
    ST_TRAILERS,
    ST_MESSAGE_DONE, /* report MESSAGE_DONE */
    ST_TUNNEL,       /* the connection left HTTP */
    ST_EOF           /* strio_http_parse_eof was called */
};

/* p->msg: what the header section said. */
#define M_LENGTH 0x1u     /* Content-Length seen */
#define M_TE 0x2u         /* Transfer-Encoding seen */
#define M_CHUNKED 0x4u    /* ... and its last coding so far is chunked */
#define M_CLOSE 0x8u      /* Connection: close */
#define M_KEEP 0x10u      /* Connection: keep-alive */
#define M_HOST 0x20u      /* Host seen */
#define M_FLAGS_SHIFT 8   /* event flags (STRIO_HTTP_*) above the bits */

#define MAX_LENGTH ((uint64_t)INT64_MAX)

/* Reads one line; see the top of the file. */
static int lex(strio_http_parser *p)
{
    const unsigned char *base = p->base;
    size_t cur = p->cur, mar = p->mar;
    const size_t lim = p->lim;
    size_t m1, t1, n1, h1; /* the rules' tags, when they match */
    unsigned char yych;

#define RET(t) do { p->cur = cur; p->mar = mar; return (t); } while (0)
    /*!getstate:re2c*/
    /*!re2c
        re2c:api = custom;
        re2c:api:style = free-form;
        re2c:define:YYCTYPE = "unsigned char";
        re2c:define:YYPEEK = "(cur < lim ? base[cur] : 0)";
        re2c:define:YYSKIP = "++cur;";
        re2c:define:YYBACKUP = "mar = cur;";
        re2c:define:YYRESTORE = "cur = mar;";
        re2c:define:YYLESSTHAN = "cur >= lim";
        re2c:define:YYSTAGP = "@@{tag} = cur;";
        re2c:define:YYSTAGN = "@@{tag} = NOTAG;";
        re2c:define:YYSHIFT = "cur += (size_t)(@@{shift});";
        re2c:define:YYSHIFTSTAG = "if (@@{tag} != NOTAG) @@{tag} += (size_t)(@@{shift});";
        re2c:define:YYGETSTATE = "p->yystate";
        re2c:define:YYSETSTATE = "p->yystate = @@;";
        re2c:define:YYFILL = "RET(T_NEED);";
        re2c:define:YYGETCONDITION = "p->cond";
        re2c:define:YYSETCONDITION = "p->cond = @@;";
        re2c:tags:expression = "p->yyt[@@]";
        re2c:eof = 0;
        re2c:yyfill:enable = 1;

        crlf = "\r\n";
        tchar = [-!#$%&'*+.^_`|~0-9A-Za-z];
        token = tchar+;
        target = [\x21-\x7e]+;
        version = "HTTP/" [0-9] "." [0-9];
        ows = [ \t]*;
        fline = [\t \x21-\x7e\x80-\xff]*; /* value with its OWS */
        reason = [\t \x21-\x7e\x80-\xff]*;
        hex = [0-9a-fA-F];
        qstring = ["] ([\t \x21\x23-\x5b\x5d-\x7e\x80-\xff] | "\\" [\t \x21-\x7e\x80-\xff])* ["];
        ext = (ows ";" ows token (ows "=" ows (token | qstring))?)*;

        <REQ, STATUS, FIELD, CHUNK, CRLF> $ { RET(T_EOF); }

        <REQ> crlf { RET(T_EMPTY); }
        <REQ> token @m1 " " target @t1 " " version crlf {
            p->at[0] = m1;
            p->at[1] = t1;
            RET(T_REQUEST);
        }
        <REQ> "\n" | token " " target " " version "\n" { RET(STRIO_EHTTP_BARE_LF); }
        <REQ> "\r" [^\n] | token " " target " " version "\r" [^\n]
            { RET(STRIO_EHTTP_BARE_CR); }
        <REQ> * { RET(STRIO_EHTTP_REQUEST_LINE); }

        <STATUS> version " " [0-9]{3} (" " reason)? crlf { RET(T_STATUS); }
        <STATUS> version " " [0-9]{3} (" " reason)? "\n" { RET(STRIO_EHTTP_BARE_LF); }
        <STATUS> version " " [0-9]{3} (" " reason)? "\r" [^\n] { RET(STRIO_EHTTP_BARE_CR); }
        <STATUS> * { RET(STRIO_EHTTP_STATUS_LINE); }

        <FIELD> crlf { RET(T_EMPTY); }
        <FIELD> "\n" { RET(STRIO_EHTTP_BARE_LF); }
        <FIELD> "\r" [^\n] { RET(STRIO_EHTTP_BARE_CR); }
        <FIELD> [ \t] { RET(STRIO_EHTTP_OBS_FOLD); }
        <FIELD> token [ \t]+ ":" { RET(STRIO_EHTTP_FIELD_SPACE); }
        <FIELD> token @n1 ":" fline crlf {
            p->at[0] = n1;
            RET(T_FIELD);
        }
        <FIELD> token ":" fline "\n" { RET(STRIO_EHTTP_BARE_LF); }
        <FIELD> token ":" fline "\r" [^\n] { RET(STRIO_EHTTP_BARE_CR); }
        <FIELD> * { RET(STRIO_EHTTP_FIELD); }

        <CHUNK> hex+ @h1 ext crlf {
            p->at[0] = h1;
            RET(T_CHUNK);
        }
        <CHUNK> hex+ ext "\n" { RET(STRIO_EHTTP_BARE_LF); }
        <CHUNK> hex+ ext "\r" [^\n] { RET(STRIO_EHTTP_BARE_CR); }
        <CHUNK> * { RET(STRIO_EHTTP_CHUNK_SIZE); }

        <CRLF> crlf { RET(T_CRLF); }
        <CRLF> "\n" { RET(STRIO_EHTTP_BARE_LF); }
        <CRLF> * { RET(STRIO_EHTTP_CHUNK_END); }
    */
#undef RET
}

/* ----------------------------------------------------------- helpers -- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive comparison with a lower-case literal. */
static int is_name(const unsigned char *s, size_t len, const char *lit,
                   size_t litlen)
{
    if (len != litlen)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (lower(s[i]) != lit[i])
            return 0;
    return 1;
}
#define IS(s, len, lit) is_name((s), (len), lit, sizeof lit - 1)

static int is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* Splits a comma-separated list: returns the next element (trimmed) of
 * s[*at .. len), moving *at past it; empty elements are returned too. */
static size_t list_next(const unsigned char *s, size_t len, size_t *at,
                        size_t *start)
{
    size_t i = *at, e;
    while (i < len && is_ows(s[i]))
        i++;
    *start = i;
    e = i;
    while (e < len && s[e] != ',')
        e++;
    *at = e + 1; /* past the comma, or past the end */
    while (e > i && is_ows(s[e - 1]))
        e--;
    return e - i;
}

static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Transfer-Encoding: each coding is a token, optionally with parameters;
 * chunked must be the last one and appear once. M_CHUNKED tracks whether
 * the last coding so far (over all TE fields) is chunked. */
static int field_te(strio_http_parser *p, const unsigned char *v, size_t len)
{
    size_t at = 0, start, n;
    p->msg |= M_TE;
    while (at <= len) {
        n = list_next(v, len, &at, &start);
        if (n == 0)
            continue; /* empty list elements are allowed (RFC 9110 5.6.1) */
        size_t t = 0;
        while (t < n && is_tchar(v[start + t]))
            t++;
        if (t == 0)
            return STRIO_EHTTP_TE;
        if (t < n && v[start + t] != ';' && !is_ows(v[start + t]))
            return STRIO_EHTTP_TE;
        if (p->msg & M_CHUNKED)
            return STRIO_EHTTP_TE; /* a coding after chunked */
        if (IS(v + start, t, "chunked")) {
            if (t != n)
                return STRIO_EHTTP_TE; /* chunked takes no parameters */
            p->msg |= M_CHUNKED;
        }
    }
    return 0;
}

static int field_length(strio_http_parser *p, const unsigned char *v,
                        size_t len)
{
    uint64_t n = 0;
    if (p->msg & M_LENGTH)
        return STRIO_EHTTP_DUP_LENGTH;
    if (len == 0)
        return STRIO_EHTTP_CONTENT_LENGTH;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return STRIO_EHTTP_CONTENT_LENGTH;
        if (n > (MAX_LENGTH - (uint64_t)(v[i] - '0')) / 10)
            return STRIO_EHTTP_CONTENT_LENGTH;
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    p->msg |= M_LENGTH;
    p->length = n;
    return 0;
}

static void field_connection(strio_http_parser *p, const unsigned char *v,
                             size_t len)
{
    size_t at = 0, start, n;
    while (at <= len) {
        n = list_next(v, len, &at, &start);
        if (IS(v + start, n, "close"))
            p->msg |= M_CLOSE;
        else if (IS(v + start, n, "keep-alive"))
            p->msg |= M_KEEP;
    }
}

/* A header field the parser must understand (trailers never frame). */
static int field(strio_http_parser *p, const unsigned char *name,
                 size_t nlen, const unsigned char *v, size_t vlen)
{
    switch (nlen) {
    case 4:
        if (p->kind == STRIO_HTTP_REQUEST && IS(name, nlen, "host")) {
            if (p->msg & M_HOST)
                return STRIO_EHTTP_HOST;
            p->msg |= M_HOST;
        }
        break;
    case 10:
        if (IS(name, nlen, "connection"))
            field_connection(p, v, vlen);
        break;
    case 14:
        if (IS(name, nlen, "content-length"))
            return field_length(p, v, vlen);
        break;
    case 17:
        if (IS(name, nlen, "transfer-encoding"))
            return field_te(p, v, vlen);
        break;
    }
    return 0;
}

/* End of the header section: decide how the body is framed. */
static int headers_done(strio_http_parser *p, strio_http_event *ev)
{
    unsigned flags = 0;
    int body = 1;
    if ((p->msg & M_LENGTH) && (p->msg & M_TE))
        return STRIO_EHTTP_LENGTH_AND_TE;
    if ((p->msg & M_TE) && p->version == 10)
        return STRIO_EHTTP_TE;
    if (p->kind == STRIO_HTTP_REQUEST) {
        if (!(p->msg & M_HOST) && p->version == 11)
            return STRIO_EHTTP_HOST;
        if ((p->msg & M_TE) && !(p->msg & M_CHUNKED))
            return STRIO_EHTTP_TE;
    } else {
        int s = p->status;
        if (s == 101 || ((p->expect & STRIO_HTTP_TO_CONNECT) && s >= 200 &&
                         s < 300)) {
            flags |= STRIO_HTTP_TUNNEL;
            body = 0;
        } else if ((p->expect & STRIO_HTTP_TO_HEAD) || s < 200 || s == 204 ||
                   s == 304) {
            body = 0;
        }
    }
    if (p->version == 11 ? !(p->msg & M_CLOSE)
                         : (p->msg & M_KEEP) && !(p->msg & M_CLOSE))
        flags |= STRIO_HTTP_KEEP_ALIVE;
    if (!body) {
        p->state = ST_MESSAGE_DONE;
    } else if (p->msg & M_TE) {
        if (p->msg & M_CHUNKED) {
            flags |= STRIO_HTTP_CHUNKED;
            p->state = ST_CHUNK_SIZE;
        } else {
            flags |= STRIO_HTTP_UNTIL_CLOSE;
            p->state = ST_UNTIL_CLOSE;
        }
    } else if (p->msg & M_LENGTH) {
        flags |= STRIO_HTTP_LENGTH;
        p->remaining = p->length;
        p->state = p->length ? ST_BODY : ST_MESSAGE_DONE;
    } else if (p->kind == STRIO_HTTP_REQUEST) {
        p->state = ST_MESSAGE_DONE;
    } else {
        flags |= STRIO_HTTP_UNTIL_CLOSE;
        p->state = ST_UNTIL_CLOSE;
    }
    if (flags & (STRIO_HTTP_UNTIL_CLOSE | STRIO_HTTP_TUNNEL))
        flags &= ~STRIO_HTTP_KEEP_ALIVE;
    p->msg |= flags << M_FLAGS_SHIFT;
    ev->type = STRIO_HTTP_EV_HEADERS_DONE;
    ev->flags = flags;
    ev->content_length = (flags & STRIO_HTTP_LENGTH) ? p->length : 0;
    return 0;
}

static void message_reset(strio_http_parser *p)
{
    p->state = ST_START;
    p->head_used = 0;
    p->nfields = 0;
    p->msg = 0;
    p->version = 0;
    p->status = 0;
    p->length = 0;
    p->remaining = 0;
}

void strio_http_parser_init(strio_http_parser *p, enum strio_http_kind kind,
                            char *buf, size_t cap)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->buf = buf;
    p->cap = cap;
    p->max_fields = STRIO_HTTP_DEFAULT_MAX_FIELDS;
    p->max_head = STRIO_HTTP_DEFAULT_MAX_HEAD;
    p->yystate = -1;
    message_reset(p);
}

void strio_http_parser_limits(strio_http_parser *p, uint32_t max_fields,
                              uint32_t max_head)
{
    p->max_fields = max_fields;
    p->max_head = max_head;
}

void strio_http_parser_expect(strio_http_parser *p, unsigned to)
{
    p->expect = to;
}

/* The room the current line may take: the line buffer, and in a field
 * section what is left of the head limit. */
static size_t line_budget(const strio_http_parser *p, int *err)
{
    if (p->state == ST_CHUNK_SIZE || p->state == ST_CHUNK_CRLF) {
        *err = STRIO_EHTTP_LINE_TOO_LONG;
        return p->cap;
    }
    size_t left = p->max_head - p->head_used;
    if (left <= p->cap) {
        *err = STRIO_EHTTP_HEAD_TOO_LARGE;
        return left;
    }
    *err = STRIO_EHTTP_LINE_TOO_LONG;
    return p->cap;
}

/* Lexes the next line from data[*pos .. len) (at least one byte). Returns
 * a token (its bytes consumed, *pos moved past them), T_NEED (all bytes
 * consumed into the line buffer) or an error. */
static int next_line(strio_http_parser *p, const char *data, size_t len,
                     size_t *pos)
{
    int full;
    size_t budget = line_budget(p, &full), from;
    size_t avail = len - *pos;
    if (!p->in_line) {
        static const int cond[] = {
            [ST_START] = yycREQ, [ST_FIELDS] = yycFIELD,
            [ST_CHUNK_SIZE] = yycCHUNK, [ST_CHUNK_CRLF] = yycCRLF,
            [ST_TRAILERS] = yycFIELD,
        };
        if (budget == 0)
            return full;
        p->cond = cond[p->state];
        if (p->state == ST_START && p->kind == STRIO_HTTP_RESPONSE)
            p->cond = yycSTATUS;
        p->base = (const unsigned char *)data + *pos;
        p->cur = p->mar = 0;
        p->lim = avail < budget ? avail : budget;
        p->buffered = 0;
        from = 0;
    } else {
        /* Continue the line in the buffer: append up to its LF (no line
         * reads past one), as far as the budget allows. */
        size_t n = budget - p->lim;
        if (n > avail)
            n = avail;
        const char *lf = memchr(data + *pos, '\n', n);
        if (lf)
            n = (size_t)(lf - (data + *pos)) + 1;
        memcpy(p->buf + p->lim, data + *pos, n);
        from = p->lim;
        p->lim += n;
    }
    int t = lex(p);
    if (t == T_NEED) {
        if (p->lim >= budget) {
            p->in_line = 0;
            return full;
        }
        if (!p->buffered) {
            memcpy(p->buf, p->base, p->lim);
            p->base = (const unsigned char *)p->buf;
            p->buffered = 1;
        }
        p->in_line = 1;
        *pos += p->lim - from;
        return T_NEED;
    }
    p->in_line = 0;
    if (t < 0)
        return t;
    if (t == T_EOF)
        return STRIO_ESTATE; /* cannot happen: see lex() */
    *pos += p->cur - from;
    if (p->state == ST_START || p->state == ST_FIELDS ||
        p->state == ST_TRAILERS)
        p->head_used += (uint32_t)p->cur;
    return t;
}

static int parse_version(const unsigned char *v)
{
    if (v[0] == '1' && (v[2] == '0' || v[2] == '1'))
        return 10 + (v[2] - '0');
    return -1;
}

static void span(strio_http_span *s, const unsigned char *base, size_t a,
                 size_t b)
{
    s->ptr = (const char *)base + a;
    s->len = b - a;
}

/* Handles one complete line; returns 1 if it produced an event, 0 if not,
 * or an error. */
static int on_line(strio_http_parser *p, int t, strio_http_event *ev)
{
    const unsigned char *b = p->base;
    size_t end = p->cur;
    switch (t) {
    case T_EMPTY:
        if (p->state == ST_START)
            return 0; /* empty line before a request */
        if (p->state == ST_TRAILERS) {
            p->state = ST_MESSAGE_DONE;
            return 0;
        }
        {
            int e = headers_done(p, ev);
            return e < 0 ? e : 1;
        }
    case T_REQUEST: {
        size_t m1 = p->at[0], t1 = p->at[1];
        p->version = parse_version(b + end - 5);
        if (p->version < 0)
            return STRIO_EHTTP_VERSION;
        ev->type = STRIO_HTTP_EV_REQUEST;
        span(&ev->name, b, 0, m1);
        span(&ev->value, b, m1 + 1, t1);
        ev->version = p->version;
        ev->status = 0;
        p->state = ST_FIELDS;
        return 1;
    }
    case T_STATUS: {
        p->version = parse_version(b + 5);
        if (p->version < 0)
            return STRIO_EHTTP_VERSION;
        if (b[9] < '1' || b[9] > '5')
            return STRIO_EHTTP_STATUS_LINE;
        p->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        ev->type = STRIO_HTTP_EV_RESPONSE;
        ev->value.ptr = NULL;
        ev->value.len = 0;
        ev->status = p->status;
        ev->version = p->version;
        if (end - 2 > 13)
            span(&ev->name, b, 13, end - 2);
        else
            span(&ev->name, b, 0, 0);
        p->state = ST_FIELDS;
        return 1;
    }
    case T_FIELD: {
        size_t n1 = p->at[0], v0 = n1 + 1, v1 = end - 2;
        while (v0 < v1 && is_ows(b[v0]))
            v0++;
        while (v1 > v0 && is_ows(b[v1 - 1]))
            v1--;
        if (++p->nfields > p->max_fields)
            return STRIO_EHTTP_TOO_MANY_FIELDS;
        if (p->state == ST_FIELDS) {
            int e = field(p, b, n1, b + v0, v1 - v0);
            if (e < 0)
                return e;
            ev->type = STRIO_HTTP_EV_FIELD;
        } else {
            ev->type = STRIO_HTTP_EV_TRAILER;
        }
        span(&ev->name, b, 0, n1);
        span(&ev->value, b, v0, v1);
        return 1;
    }
    case T_CHUNK: {
        size_t h1 = p->at[0], i = 0;
        uint64_t n = 0;
        while (i < h1 && b[i] == '0')
            i++;
        if (h1 - i > 16)
            return STRIO_EHTTP_CHUNK_OVERFLOW;
        for (; i < h1; i++) {
            unsigned c = b[i];
            unsigned d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
            n = n << 4 | d;
        }
        if (n > MAX_LENGTH)
            return STRIO_EHTTP_CHUNK_OVERFLOW;
        if (n == 0) {
            p->state = ST_TRAILERS;
            p->head_used = 0;
        } else {
            p->remaining = n;
            p->state = ST_CHUNK_DATA;
        }
        return 0;
    }
    case T_CRLF:
        p->state = ST_CHUNK_SIZE;
        return 0;
    }
    return STRIO_ESTATE;
}

static int fail(strio_http_parser *p, int err)
{
    p->err = err;
    return err;
}

int strio_http_parse(strio_http_parser *p, const char *data, size_t len,
                     strio_http_event *ev)
{
    size_t pos = 0;
    ev->type = STRIO_HTTP_EV_NONE;
    if (p->err)
        return p->err;
    if (p->state == ST_TUNNEL || p->state == ST_EOF)
        return len ? STRIO_ESTATE : 0;
    if (len > INT_MAX)
        len = INT_MAX;
    for (;;) {
        switch (p->state) {
        case ST_MESSAGE_DONE:
            ev->type = STRIO_HTTP_EV_MESSAGE_DONE;
            ev->flags = p->msg >> M_FLAGS_SHIFT;
            if (ev->flags & STRIO_HTTP_TUNNEL) {
                p->state = ST_TUNNEL;
            } else {
                if (p->kind == STRIO_HTTP_RESPONSE && p->status >= 200)
                    p->expect = 0;
                message_reset(p);
            }
            return (int)pos;
        case ST_BODY:
        case ST_CHUNK_DATA:
        case ST_UNTIL_CLOSE: {
            size_t n = len - pos;
            if (n == 0)
                return (int)pos;
            if (p->state != ST_UNTIL_CLOSE) {
                if (n > p->remaining)
                    n = (size_t)p->remaining;
                p->remaining -= n;
                if (p->remaining == 0)
                    p->state = p->state == ST_BODY ? ST_MESSAGE_DONE
                                                    : ST_CHUNK_CRLF;
            }
            ev->type = STRIO_HTTP_EV_BODY;
            ev->value.ptr = data + pos;
            ev->value.len = n;
            return (int)(pos + n);
        }
        default: {
            if (pos == len)
                return (int)pos;
            int t = next_line(p, data, len, &pos);
            if (t == T_NEED)
                continue;
            if (t < 0)
                return fail(p, t);
            int r = on_line(p, t, ev);
            if (r < 0)
                return fail(p, r);
            if (r > 0)
                return (int)pos;
        }
        }
    }
}

int strio_http_parse_eof(strio_http_parser *p, strio_http_event *ev)
{
    ev->type = STRIO_HTTP_EV_NONE;
    if (p->err)
        return p->err;
    switch (p->state) {
    case ST_MESSAGE_DONE:
        return strio_http_parse(p, NULL, 0, ev);
    case ST_UNTIL_CLOSE:
        p->msg &= ~((unsigned)STRIO_HTTP_KEEP_ALIVE << M_FLAGS_SHIFT);
        p->state = ST_MESSAGE_DONE;
        return strio_http_parse(p, NULL, 0, ev);
    case ST_START:
        if (p->in_line)
            break;
        /* fall through */
    case ST_TUNNEL:
    case ST_EOF:
        p->state = ST_EOF;
        return 0;
    }
    return fail(p, STRIO_EHTTP_INCOMPLETE);
}
