/*
 * strio/dns.h -- DNS messages (RFC 1035): build queries, parse responses.
 *
 * Pure C, no allocation, no OS: this part builds for the firmware core
 * (protocols/dns_msg.c is in CORE_SRCS). The stub resolver that sends the
 * queries over UDP is in strio/dns_resolver.h (hosted builds).
 *
 * DNS is a binary format with explicit lengths, not a grammar: a datagram
 * arrives whole, so there is nothing to lex incrementally and re2c buys
 * nothing here. The codec is plain C with every length checked against
 * the message before it is used.
 *
 *     unsigned char q[STRIO_DNS_UDP_MAX], r[STRIO_DNS_UDP_MAX];
 *     int qlen = strio_dns_build_query(q, sizeof q, id, "example.org",
 *                                      STRIO_DNS_A, 1);
 *     ... send q, receive r (rlen bytes) ...
 *     strio_dns_addr addrs[8];
 *     strio_dns_answers ans;
 *     strio_dns_answers_init(&ans, addrs, 8);
 *     int rc = strio_dns_parse_response(r, rlen, q, (size_t)qlen, &ans);
 *     rc = strio_dns_result(&ans, rc);   // RCODE -> error, no data -> error
 *
 * Names. In text form a name is dot-separated labels ("www.example.org",
 * a trailing dot is allowed); each label is 1..63 bytes of printable ASCII
 * other than '.' (0x21..0x7e; no backslash escapes), the encoded name at
 * most 255 bytes. In wire form (what the parser hands out) a name is
 * uncompressed length-prefixed labels ending with the root's 0 byte.
 * Names compare case-insensitively (ASCII), as RFC 4343 says.
 *
 * Hostile input. The parser never reads outside [msg, msg+len) and always
 * terminates: a compression pointer must point strictly before the start
 * of the label run it interrupts (a legitimate encoder only points at
 * names written earlier), so every jump goes backwards and loops are
 * impossible; jumps are also counted (STRIO_DNS_MAX_HOPS). Each failure
 * has its own code (strio/error.h):
 *   STRIO_EDNS_SHORT    message ends inside a header, name, question or
 *                       record (counts larger than the message included)
 *   STRIO_EDNS_POINTER  compression pointer forward, to itself, out of the
 *                       message, or too many jumps
 *   STRIO_EDNS_LABEL    label type 01/10 (a length byte > 63)
 *   STRIO_EDNS_NAMELEN  name longer than 255 bytes
 *   STRIO_EDNS_FORMAT   anything else malformed (A record not 4 bytes,
 *                       AAAA not 16, CNAME data not exactly one name,
 *                       bytes after the last record, not a response)
 *   STRIO_EDNS_MISMATCH the response does not answer the query (id, or
 *                       the question echoed differs): a stray or spoofed
 *                       datagram, to be ignored
 */
#ifndef STRIO_DNS_H
#define STRIO_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <strio/error.h>

/* Record types and class this codec knows by name. */
enum {
    STRIO_DNS_A = 1,
    STRIO_DNS_NS = 2,
    STRIO_DNS_CNAME = 5,
    STRIO_DNS_SOA = 6,
    STRIO_DNS_PTR = 12,
    STRIO_DNS_MX = 15,
    STRIO_DNS_TXT = 16,
    STRIO_DNS_AAAA = 28,
    STRIO_DNS_CLASS_IN = 1
};

/* Response codes (header RCODE). */
enum {
    STRIO_DNS_NOERROR = 0, STRIO_DNS_FORMERR = 1, STRIO_DNS_SERVFAIL = 2,
    STRIO_DNS_NXDOMAIN = 3, STRIO_DNS_NOTIMP = 4, STRIO_DNS_REFUSED = 5
};

/* Header flag bits (the 16-bit flags word). */
#define STRIO_DNS_FLAG_QR 0x8000u   /* response */
#define STRIO_DNS_FLAG_AA 0x0400u   /* authoritative answer */
#define STRIO_DNS_FLAG_TC 0x0200u   /* truncated */
#define STRIO_DNS_FLAG_RD 0x0100u   /* recursion desired */
#define STRIO_DNS_FLAG_RA 0x0080u   /* recursion available */

#define STRIO_DNS_HEADER_LEN 12
#define STRIO_DNS_NAME_MAX 255      /* wire form, root byte included */
#define STRIO_DNS_LABEL_MAX 63
/* Text form: at most 253 characters (254 with the trailing dot). */
#define STRIO_DNS_TEXT_MAX 254
/* A DNS message over UDP without EDNS is at most 512 bytes. */
#define STRIO_DNS_UDP_MAX 512
/* Compression jumps followed in one name (each must go backwards anyway). */
#define STRIO_DNS_MAX_HOPS 64
/* CNAME links followed from the question's name. */
#define STRIO_DNS_MAX_CHAIN 16

/* One address from an A or AAAA record. */
typedef struct strio_dns_addr {
    uint16_t type;              /* STRIO_DNS_A (4 bytes used) or _AAAA */
    uint32_t ttl;               /* seconds */
    unsigned char addr[16];     /* network byte order */
} strio_dns_addr;

/* What strio_dns_parse_response found. Set up with strio_dns_answers_init
 * (the address array is the caller's). */
typedef struct strio_dns_answers {
    strio_dns_addr *addrs;      /* in: room for `max` addresses */
    size_t max;
    size_t count;               /* out: addresses stored in addrs[] */
    size_t total;               /* out: matching addresses in the message
                                   (> count: the rest did not fit) */
    uint16_t id;                /* out: header */
    uint16_t flags;
    int rcode;                  /* STRIO_DNS_NOERROR, ... */
    unsigned char truncated;    /* TC set: the server cut the answer */
    unsigned char cname_len;    /* 0: no CNAME was followed */
    unsigned char cname[STRIO_DNS_NAME_MAX];  /* wire form: the canonical
                                   name (end of the CNAME chain) */
    uint32_t cname_ttl;         /* smallest TTL along the chain */
} strio_dns_answers;

void strio_dns_answers_init(strio_dns_answers *a, strio_dns_addr *addrs,
                            size_t max);

/*
 * Encodes the text name `name` in wire form into out[0..cap). Returns the
 * encoded length (2..255), or -EINVAL (empty name or label, a byte outside
 * 0x21..0x7e), STRIO_EDNS_LABEL (label > 63), STRIO_EDNS_NAMELEN (> 255
 * bytes encoded), -ENOSPC (cap too small).
 */
int strio_dns_name_encode(const char *name, unsigned char *out, size_t cap);

/*
 * Writes a wire-form name (as in strio_dns_answers.cname) as text, without
 * the trailing dot ("." for the root), NUL-terminated. Bytes outside
 * 0x21..0x7e and '.' or '\' inside a label are written as \DDD (decimal),
 * so nothing is lost. Returns the text length, -ENOSPC when `cap` is too
 * small (cap >= 4 * 255 always suffices; for printable names
 * STRIO_DNS_TEXT_MAX + 1), -EINVAL for a malformed wire name.
 */
int strio_dns_name_to_text(const unsigned char *wire, char *out, size_t cap);

/* Nonzero if two wire-form names are equal (ASCII case-insensitive). */
int strio_dns_name_equal(const unsigned char *a, const unsigned char *b);

/*
 * Builds a query: header (id, RD if `rd`, QDCOUNT 1), one question
 * (name, qtype, class IN). Returns the message length, or the errors of
 * strio_dns_name_encode (-ENOSPC when `cap` is too small).
 */
int strio_dns_build_query(unsigned char *buf, size_t cap, uint16_t id,
                          const char *name, uint16_t qtype, int rd);

/*
 * Reads a name at `*off` in msg[0..len) into `out` (wire form,
 * decompressed, STRIO_DNS_NAME_MAX bytes of room) and advances `*off`
 * past the name as it appears in place. Returns the wire length of the
 * name, or STRIO_EDNS_SHORT / _POINTER / _LABEL / _NAMELEN.
 */
int strio_dns_read_name(const unsigned char *msg, size_t len, size_t *off,
                        unsigned char *out);

/*
 * Parses the response msg[0..len) to the query q[0..qlen) (as built by
 * strio_dns_build_query): the id and the question must match the query
 * (name case-insensitively), else STRIO_EDNS_MISMATCH. Fills `a`: header
 * fields, rcode, truncated; follows CNAMEs from the question's name (any
 * order, at most STRIO_DNS_MAX_CHAIN links) and stores the addresses of
 * the query's type (A or AAAA) owned by the end of the chain, with their
 * TTLs. Other record types and the authority and additional sections are
 * checked for well-formedness and skipped. Returns 0 (whatever the RCODE:
 * see strio_dns_result) or one of the errors in the header comment.
 */
int strio_dns_parse_response(const unsigned char *msg, size_t len,
                             const unsigned char *q, size_t qlen,
                             strio_dns_answers *a);

/*
 * Turns a parsed response into a result: `rc` (parse error) passes
 * through; else RCODE NXDOMAIN -> STRIO_EDNS_NXDOMAIN, SERVFAIL ->
 * STRIO_EDNS_SERVFAIL, REFUSED -> STRIO_EDNS_REFUSED, NOTIMP ->
 * STRIO_EDNS_NOTIMP, FORMERR -> STRIO_EDNS_FORMERR, other nonzero ->
 * STRIO_EDNS_RCODE; NOERROR without addresses -> STRIO_EDNS_TRUNCATED if
 * TC was set (the answer did not fit in UDP), else STRIO_EDNS_NODATA (the
 * name exists without records of that type). Otherwise the number of
 * addresses stored (> 0).
 */
int strio_dns_result(const strio_dns_answers *a, int rc);

#endif
