/*
 * DNS message codec (protocols/dns_msg.c): query building, name encoding,
 * response parsing round trips, and hostile input -- compression loops,
 * pointers to themselves, forward and out-of-bounds pointers, counts
 * larger than the message, labels and names too long, every truncation
 * of a valid message, and seeded random corruption (under ASan in
 * `make test` too).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <strio/dns.h>

TestSuite(dns_msg, .timeout = 5);

/* ---- a small message writer for the tests ------------------------------ */

struct msg {
    unsigned char b[1024];
    size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
    cr_assert_leq(m->n + n, sizeof m->b);
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void put8(struct msg *m, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(m, &c, 1);
}

static void put16(struct msg *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v & 0xff);
}

static void put32(struct msg *m, unsigned long v)
{
    put16(m, (unsigned)(v >> 16));
    put16(m, (unsigned)(v & 0xffff));
}

static void set16(struct msg *m, size_t at, unsigned v)
{
    m->b[at] = (unsigned char)(v >> 8);
    m->b[at + 1] = (unsigned char)v;
}

/* A text name, uncompressed. */
static void put_name(struct msg *m, const char *name)
{
    unsigned char w[STRIO_DNS_NAME_MAX];
    int n = strio_dns_name_encode(name, w, sizeof w);
    cr_assert_gt(n, 0, "%s", name);
    put(m, w, (size_t)n);
}

/* Record header after the owner name. */
static void put_rr_head(struct msg *m, unsigned type, unsigned long ttl,
                        unsigned rdlen)
{
    put16(m, type);
    put16(m, STRIO_DNS_CLASS_IN);
    put32(m, ttl);
    put16(m, rdlen);
}

static unsigned char q[STRIO_DNS_UDP_MAX];
static size_t qlen;

/* The query for `name`/`type` with id 0x1234, and the response's header
 * and question (echoed) in m; counts set by the caller. */
static void start(struct msg *m, const char *name, unsigned type)
{
    int n = strio_dns_build_query(q, sizeof q, 0x1234, name,
                                  (uint16_t)type, 1);
    cr_assert_gt(n, 0);
    qlen = (size_t)n;
    memset(m, 0, sizeof *m);
    put(m, q, qlen);
    set16(m, 2, STRIO_DNS_FLAG_QR | STRIO_DNS_FLAG_RD | STRIO_DNS_FLAG_RA);
}

static void counts(struct msg *m, unsigned an, unsigned ns, unsigned ar)
{
    set16(m, 6, an);
    set16(m, 8, ns);
    set16(m, 10, ar);
}

static void put_a(struct msg *m, unsigned long ttl, unsigned a, unsigned b,
                  unsigned c, unsigned d)
{
    put16(m, 0xC00C);                   /* the question's name */
    put_rr_head(m, STRIO_DNS_A, ttl, 4);
    put8(m, a); put8(m, b); put8(m, c); put8(m, d);
}

static strio_dns_addr addrs[8];
static strio_dns_answers ans;

static int parse(const struct msg *m)
{
    strio_dns_answers_init(&ans, addrs, 8);
    return strio_dns_parse_response(m->b, m->n, q, qlen, &ans);
}

/* ---- names and queries --------------------------------------------------- */

Test(dns_msg, build_query_bytes)
{
    unsigned char b[64];
    int n = strio_dns_build_query(b, sizeof b, 0xBEEF, "www.Example.org",
                                  STRIO_DNS_AAAA, 1);
    static const unsigned char want[] = {
        0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
        3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r',
        'g', 0, 0, 28, 0, 1 };
    cr_assert_eq(n, (int)sizeof want);
    cr_assert_arr_eq(b, want, sizeof want);
    /* no RD; a trailing dot is the same name */
    n = strio_dns_build_query(b, sizeof b, 0xBEEF, "www.Example.org.",
                              STRIO_DNS_AAAA, 0);
    cr_assert_eq(n, (int)sizeof want);
    cr_assert_eq(b[2], 0);
    cr_assert_arr_eq(b + 3, want + 3, sizeof want - 3);
}

Test(dns_msg, build_query_no_room)
{
    unsigned char b[64];
    for (size_t cap = 0; cap < 33; cap++)
        cr_assert_eq(strio_dns_build_query(b, cap, 1, "www.example.org",
                                           STRIO_DNS_A, 1), -ENOSPC,
                     "cap %zu", cap);
    cr_assert_eq(strio_dns_build_query(b, 33, 1, "www.example.org",
                                       STRIO_DNS_A, 1), 33);
}

Test(dns_msg, name_encode_rules)
{
    unsigned char w[300];
    char label[70], name[400];
    cr_assert_eq(strio_dns_name_encode("", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode(".", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode("a..b", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode(".a", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode("a.b..", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode("a b", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode("a\tb", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode("caf\xc3\xa9", w, sizeof w), -EINVAL);
    cr_assert_eq(strio_dns_name_encode("a", w, 2), -ENOSPC);
    cr_assert_eq(strio_dns_name_encode("a", w, 3), 3);
    /* labels: 63 fine, 64 too long */
    memset(label, 'x', 63);
    label[63] = 0;
    cr_assert_eq(strio_dns_name_encode(label, w, sizeof w), 65);
    label[63] = 'x';
    label[64] = 0;
    cr_assert_eq(strio_dns_name_encode(label, w, sizeof w), STRIO_EDNS_LABEL);
    /* names: 255 encoded bytes fine (3 x 63 + 61: 64*3 + 62 + 1), 256 not */
    memset(label, 'y', 63);
    label[63] = 0;
    snprintf(name, sizeof name, "%s.%s.%s.%.61s", label, label, label, label);
    cr_assert_eq(strio_dns_name_encode(name, w, sizeof w), 255);
    snprintf(name, sizeof name, "%s.%s.%s.%.62s", label, label, label, label);
    cr_assert_eq(strio_dns_name_encode(name, w, sizeof w), STRIO_EDNS_NAMELEN);
}

Test(dns_msg, name_text_round_trip_and_escapes)
{
    unsigned char w[STRIO_DNS_NAME_MAX];
    char t[STRIO_DNS_TEXT_MAX + 1];
    cr_assert_eq(strio_dns_name_encode("mail.Example.ORG.", w, sizeof w), 18);
    cr_assert_eq(strio_dns_name_to_text(w, t, sizeof t), 16);
    cr_assert_str_eq(t, "mail.Example.ORG");
    cr_assert_eq(strio_dns_name_to_text(w, t, 16), -ENOSPC);
    cr_assert_eq(strio_dns_name_to_text(w, t, 17), 16);
    /* a label holding a dot, a space and a backslash comes out escaped */
    static const unsigned char odd[] = { 4, 'a', '.', ' ', '\\', 1, 'b', 0 };
    cr_assert_eq(strio_dns_name_to_text(odd, t, sizeof t), 15);
    cr_assert_str_eq(t, "a\\046\\032\\092.b");
    static const unsigned char root[] = { 0 };
    cr_assert_eq(strio_dns_name_to_text(root, t, sizeof t), 1);
    cr_assert_str_eq(t, ".");
    /* case-insensitive equality */
    unsigned char w2[STRIO_DNS_NAME_MAX];
    strio_dns_name_encode("MAIL.example.org", w2, sizeof w2);
    cr_assert(strio_dns_name_equal(w, w2));
    strio_dns_name_encode("mail.example.orh", w2, sizeof w2);
    cr_assert_not(strio_dns_name_equal(w, w2));
    strio_dns_name_encode("mail.example", w2, sizeof w2);
    cr_assert_not(strio_dns_name_equal(w, w2));
}

/* ---- round trips ----------------------------------------------------------- */

Test(dns_msg, a_records)
{
    struct msg m;
    start(&m, "host.example", STRIO_DNS_A);
    counts(&m, 2, 0, 0);
    put_a(&m, 300, 192, 0, 2, 1);
    put_a(&m, 60, 192, 0, 2, 2);
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(ans.id, 0x1234);
    cr_assert_eq(ans.rcode, 0);
    cr_assert_eq(ans.truncated, 0);
    cr_assert_eq(ans.count, 2);
    cr_assert_eq(ans.total, 2);
    cr_assert_eq(ans.cname_len, 0);
    cr_assert_eq(addrs[0].type, STRIO_DNS_A);
    cr_assert_eq(addrs[0].ttl, 300);
    cr_assert_arr_eq(addrs[0].addr, ((unsigned char[]){ 192, 0, 2, 1 }), 4);
    cr_assert_eq(addrs[1].ttl, 60);
    cr_assert_eq(addrs[1].addr[3], 2);
    cr_assert_eq(strio_dns_result(&ans, 0), 2);
}

Test(dns_msg, aaaa_cname_chain_out_of_order_and_skipped_types)
{
    struct msg m;
    start(&m, "www.example.org", STRIO_DNS_AAAA);
    counts(&m, 5, 1, 1);
    /* the address first, then the CNAMEs in reverse: order is irrelevant */
    size_t target2 = m.n;
    put_name(&m, "edge.cdn.example");
    put_rr_head(&m, STRIO_DNS_AAAA, 20, 16);
    put(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    /* an MX for the final name (skipped), compressed owner */
    put16(&m, 0xC000 | (unsigned)target2);
    put_rr_head(&m, STRIO_DNS_MX, 5, 4);
    put16(&m, 10);
    put16(&m, 0xC000 | (unsigned)target2);
    /* cdn.example.net -> edge.cdn.example (pointer into the first owner) */
    size_t mid = m.n;
    put_name(&m, "cdn.example.net");
    put_rr_head(&m, STRIO_DNS_CNAME, 100, 2);
    put16(&m, 0xC000 | (unsigned)target2);
    /* www.example.org -> cdn.example.net */
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_CNAME, 50, 2);
    put16(&m, 0xC000 | (unsigned)mid);
    /* an AAAA for another name: not ours */
    put_name(&m, "other.example");
    put_rr_head(&m, STRIO_DNS_AAAA, 20, 16);
    put(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
    /* authority: an NS; additional: an A */
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_NS, 5, 2);
    put16(&m, 0xC000 | (unsigned)mid);
    put16(&m, 0xC000 | (unsigned)mid);
    put_rr_head(&m, STRIO_DNS_A, 5, 4);
    put32(&m, 0x7f000001);
    cr_assert_eq(parse(&m), 0, "%s", strio_strerror(parse(&m)));
    cr_assert_eq(ans.count, 1);
    cr_assert_eq(ans.total, 1);
    cr_assert_eq(addrs[0].type, STRIO_DNS_AAAA);
    cr_assert_eq(addrs[0].ttl, 20);
    cr_assert_eq(addrs[0].addr[15], 1);
    char t[STRIO_DNS_TEXT_MAX + 1];
    cr_assert_gt(ans.cname_len, 0);
    strio_dns_name_to_text(ans.cname, t, sizeof t);
    cr_assert_str_eq(t, "edge.cdn.example");
    cr_assert_eq(ans.cname_ttl, 50);
}

Test(dns_msg, question_echo_case_insensitive_and_more_than_max)
{
    struct msg m;
    start(&m, "host.example", STRIO_DNS_A);
    /* the server echoes the name in another case (0x20 randomization) */
    m.b[13] = 'H';
    m.b[15] = 'S';
    counts(&m, 10, 0, 0);
    for (unsigned i = 0; i < 10; i++)
        put_a(&m, i, 10, 0, 0, i);
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(ans.count, 8);
    cr_assert_eq(ans.total, 10);
    cr_assert_eq(addrs[7].addr[3], 7);
}

Test(dns_msg, ttl_top_bit_is_zero)
{
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put_a(&m, 0x80000001ul, 1, 2, 3, 4);
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(addrs[0].ttl, 0);
}

/* ---- rcodes, TC, mismatches ------------------------------------------------ */

Test(dns_msg, rcodes_map_to_errors)
{
    static const struct { int rcode, err; } map[] = {
        { STRIO_DNS_NXDOMAIN, STRIO_EDNS_NXDOMAIN },
        { STRIO_DNS_SERVFAIL, STRIO_EDNS_SERVFAIL },
        { STRIO_DNS_REFUSED, STRIO_EDNS_REFUSED },
        { STRIO_DNS_NOTIMP, STRIO_EDNS_NOTIMP },
        { STRIO_DNS_FORMERR, STRIO_EDNS_FORMERR },
        { 9, STRIO_EDNS_RCODE },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        struct msg m;
        start(&m, "nx.example", STRIO_DNS_A);
        set16(&m, 2, STRIO_DNS_FLAG_QR | (unsigned)map[i].rcode);
        cr_assert_eq(parse(&m), 0);
        cr_assert_eq(ans.rcode, map[i].rcode);
        cr_assert_eq(strio_dns_result(&ans, 0), map[i].err, "rcode %d",
                     map[i].rcode);
        cr_assert_str_neq(strio_strerror(map[i].err), "unknown error");
    }
    /* a bare error reply without the question */
    struct msg m;
    start(&m, "nx.example", STRIO_DNS_A);
    set16(&m, 2, STRIO_DNS_FLAG_QR | STRIO_DNS_REFUSED);
    set16(&m, 4, 0);
    m.n = STRIO_DNS_HEADER_LEN;
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(strio_dns_result(&ans, 0), STRIO_EDNS_REFUSED);
    /* ... but NOERROR without a question is malformed */
    set16(&m, 2, STRIO_DNS_FLAG_QR);
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
}

Test(dns_msg, nodata_and_truncated)
{
    struct msg m;
    start(&m, "v4only.example", STRIO_DNS_AAAA);
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(strio_dns_result(&ans, 0), STRIO_EDNS_NODATA);
    set16(&m, 2, STRIO_DNS_FLAG_QR | STRIO_DNS_FLAG_TC);
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(ans.truncated, 1);
    cr_assert_eq(strio_dns_result(&ans, 0), STRIO_EDNS_TRUNCATED);
    /* TC, cut inside the third record: the two whole ones are kept */
    start(&m, "t.example", STRIO_DNS_A);
    set16(&m, 2, STRIO_DNS_FLAG_QR | STRIO_DNS_FLAG_TC);
    counts(&m, 3, 0, 0);
    put_a(&m, 1, 10, 0, 0, 1);
    put_a(&m, 1, 10, 0, 0, 2);
    put_a(&m, 1, 10, 0, 0, 3);
    m.n -= 3;
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(ans.truncated, 1);
    cr_assert_eq(strio_dns_result(&ans, 0), 2);
    /* the same cut without TC is an error */
    set16(&m, 2, STRIO_DNS_FLAG_QR);
    cr_assert_eq(parse(&m), STRIO_EDNS_SHORT);
}

Test(dns_msg, mismatches)
{
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    m.b[1] ^= 1;                                        /* id */
    cr_assert_eq(parse(&m), STRIO_EDNS_MISMATCH);
    start(&m, "a.example", STRIO_DNS_A);
    m.b[13] = 'b';                                      /* name */
    cr_assert_eq(parse(&m), STRIO_EDNS_MISMATCH);
    start(&m, "a.example", STRIO_DNS_A);
    m.b[m.n - 3] = STRIO_DNS_AAAA;                      /* type */
    cr_assert_eq(parse(&m), STRIO_EDNS_MISMATCH);
    start(&m, "a.example", STRIO_DNS_A);
    m.b[m.n - 1] = 3;                                   /* class */
    cr_assert_eq(parse(&m), STRIO_EDNS_MISMATCH);
    start(&m, "a.example", STRIO_DNS_A);
    set16(&m, 2, 0);                                    /* a query */
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
    start(&m, "a.example", STRIO_DNS_A);
    set16(&m, 2, STRIO_DNS_FLAG_QR | 0x1000);           /* opcode 2 */
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
    start(&m, "a.example", STRIO_DNS_A);
    set16(&m, 4, 2);                                    /* two questions */
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
}

/* ---- hostile messages -------------------------------------------------- */

Test(dns_msg, pointer_to_itself)
{
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    size_t at = m.n;
    put16(&m, 0xC000 | (unsigned)at);
    put_rr_head(&m, STRIO_DNS_A, 1, 4);
    put32(&m, 1);
    cr_assert_eq(parse(&m), STRIO_EDNS_POINTER);
}

Test(dns_msg, compression_loop)
{
    /* two runs pointing at each other: x -> label "a" + ptr y, y -> ptr x */
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 2, 0, 0);
    /* record 1: TXT whose data holds label "a" + pointer to the owner of
     * record 2 (forward), to set the trap */
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_TXT, 1, 4);
    size_t x = m.n;
    put8(&m, 1);
    put8(&m, 'a');
    size_t fix = m.n;
    put16(&m, 0);
    /* record 2: owner is a pointer to x */
    size_t y = m.n;
    put16(&m, 0xC000 | (unsigned)x);
    put_rr_head(&m, STRIO_DNS_A, 1, 4);
    put32(&m, 1);
    set16(&m, fix, 0xC000 | (unsigned)y);
    cr_assert_eq(parse(&m), STRIO_EDNS_POINTER);
    /* the same trap in a CNAME's data */
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_CNAME, 1, 4);
    x = m.n;
    put8(&m, 1);
    put8(&m, 'b');
    put16(&m, 0xC000 | (unsigned)x);
    cr_assert_eq(parse(&m), STRIO_EDNS_POINTER);
}

Test(dns_msg, forward_and_out_of_bounds_pointers)
{
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    size_t at = m.n;
    put16(&m, 0xC000 | (unsigned)(at + 2));             /* forward */
    put_rr_head(&m, STRIO_DNS_A, 1, 4);
    put32(&m, 1);
    cr_assert_eq(parse(&m), STRIO_EDNS_POINTER);
    set16(&m, at, 0xFFFF);                              /* far outside */
    cr_assert_eq(parse(&m), STRIO_EDNS_POINTER);
    set16(&m, at, 0xC000 | (unsigned)m.n);              /* just past end */
    cr_assert_eq(parse(&m), STRIO_EDNS_POINTER);
    /* a pointer in the question itself */
    start(&m, "a.example", STRIO_DNS_A);
    set16(&m, 12, 0xC00C);
    cr_assert_eq(parse(&m), STRIO_EDNS_POINTER);
    /* the pointer's second byte missing */
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put8(&m, 0xC0);
    cr_assert_eq(parse(&m), STRIO_EDNS_SHORT);
}

Test(dns_msg, reserved_label_types)
{
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put8(&m, 0x40);                                     /* 64: "label > 63" */
    put_rr_head(&m, STRIO_DNS_A, 1, 4);
    put32(&m, 1);
    cr_assert_eq(parse(&m), STRIO_EDNS_LABEL);
    m.b[qlen] = 0x80;
    cr_assert_eq(parse(&m), STRIO_EDNS_LABEL);
    m.b[qlen] = 0x7f;
    cr_assert_eq(parse(&m), STRIO_EDNS_LABEL);
}

Test(dns_msg, name_too_long_through_pointers)
{
    /* 3 x 63-byte labels + root (193 bytes) in a TXT's data, then an owner
     * of one more 63-byte label pointing at them: 64 + 193 = 257 */
    struct msg m;
    unsigned char lab[64];
    memset(lab, 'z', sizeof lab);
    lab[0] = 63;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 2, 0, 0);
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_TXT, 1, 193);
    size_t long3 = m.n;
    put(&m, lab, 64);
    put(&m, lab, 64);
    put(&m, lab, 64);
    put8(&m, 0);
    put(&m, lab, 64);
    put16(&m, 0xC000 | (unsigned)long3);
    put_rr_head(&m, STRIO_DNS_A, 1, 4);
    put32(&m, 1);
    cr_assert_eq(parse(&m), STRIO_EDNS_NAMELEN);
    /* one byte shorter is fine: a 62-byte label makes 256 -- still too
     * long; 61 makes 255: accepted */
    m.b[long3 + 193] = 61;
    memmove(m.b + long3 + 193 + 62, m.b + long3 + 193 + 64,
            m.n - (long3 + 193 + 64));
    m.n -= 2;
    cr_assert_eq(parse(&m), 0, "%s", strio_strerror(parse(&m)));
    /* uncompressed and too long */
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    for (int i = 0; i < 4; i++)
        put(&m, lab, 64);
    put8(&m, 0);
    put_rr_head(&m, STRIO_DNS_A, 1, 4);
    put32(&m, 1);
    cr_assert_eq(parse(&m), STRIO_EDNS_NAMELEN);
}

Test(dns_msg, counts_larger_than_message)
{
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 2, 0, 0);
    put_a(&m, 1, 1, 2, 3, 4);
    cr_assert_eq(parse(&m), STRIO_EDNS_SHORT);
    counts(&m, 1, 65535, 65535);
    cr_assert_eq(parse(&m), STRIO_EDNS_SHORT);
    /* rdlength past the end */
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_TXT, 1, 100);
    put(&m, "abc", 3);
    cr_assert_eq(parse(&m), STRIO_EDNS_SHORT);
}

Test(dns_msg, malformed_records)
{
    struct msg m;
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_A, 1, 5);                 /* A of 5 bytes */
    put(&m, "12345", 5);
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_CNAME, 1, 4);             /* name + junk */
    put16(&m, 0xC00C);
    put16(&m, 0);
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 1, 0, 0);
    put_a(&m, 1, 1, 2, 3, 4);
    put8(&m, 0);                                        /* trailing byte */
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
    /* a CNAME loop: a.example -> b.example -> a.example */
    start(&m, "a.example", STRIO_DNS_A);
    counts(&m, 2, 0, 0);
    put16(&m, 0xC00C);
    put_rr_head(&m, STRIO_DNS_CNAME, 1, 11);
    size_t b = m.n;
    put_name(&m, "b.example");
    put16(&m, 0xC000 | (unsigned)b);
    put_rr_head(&m, STRIO_DNS_CNAME, 1, 2);
    put16(&m, 0xC00C);
    cr_assert_eq(parse(&m), STRIO_EDNS_FORMAT);
}

/* A valid response with compression everywhere, for the sweeps below. */
static void rich(struct msg *m)
{
    start(m, "www.example.org", STRIO_DNS_A);
    counts(m, 3, 1, 0);
    put16(m, 0xC00C);
    put_rr_head(m, STRIO_DNS_CNAME, 30, 6);
    size_t t = m->n;
    put8(m, 3);
    put(m, "cdn", 3);
    put16(m, 0xC010);                                   /* example.org */
    put16(m, 0xC000 | (unsigned)t);
    put_rr_head(m, STRIO_DNS_A, 30, 4);
    put32(m, 0xC0000201);
    put16(m, 0xC000 | (unsigned)t);
    put_rr_head(m, STRIO_DNS_A, 30, 4);
    put32(m, 0xC0000202);
    put16(m, 0xC010);
    put_rr_head(m, STRIO_DNS_NS, 30, 2);
    put16(m, 0xC000 | (unsigned)t);
}

Test(dns_msg, every_truncation_is_short)
{
    struct msg m, cut;
    rich(&m);
    cr_assert_eq(parse(&m), 0);
    cr_assert_eq(ans.count, 2);
    for (size_t n = 0; n < m.n; n++) {
        cut = m;
        cut.n = n;
        int rc = parse(&cut);
        /* before the id is complete nothing can be said but "short" */
        cr_assert_eq(rc, STRIO_EDNS_SHORT, "cut at %zu: %s", n,
                     strio_strerror(rc));
    }
}

Test(dns_msg, random_corruption_never_crashes)
{
    /* seeded: flips, random bytes, random lengths; the parser must give 0
     * or one of its codes, and never touch memory outside the message
     * (ASan in the unit-asan suite) */
    struct msg m, bad;
    rich(&m);
    unsigned x = 12345;
    unsigned long ok = 0;
    for (int it = 0; it < 200000; it++) {
        bad = m;
        int flips = 1 + it % 4;
        for (int f = 0; f < flips; f++) {
            x = x * 1103515245u + 12345u;
            size_t at = 2 + (x >> 8) % (m.n - 2);        /* keep the id */
            x = x * 1103515245u + 12345u;
            bad.b[at] = (unsigned char)(x >> 16);
        }
        x = x * 1103515245u + 12345u;
        if ((x >> 20) % 4 == 0)
            bad.n = (x >> 4) % (m.n + 1);
        int rc = parse(&bad);
        cr_assert(rc == 0 || rc == STRIO_EDNS_SHORT ||
                  rc == STRIO_EDNS_POINTER || rc == STRIO_EDNS_LABEL ||
                  rc == STRIO_EDNS_NAMELEN || rc == STRIO_EDNS_FORMAT ||
                  rc == STRIO_EDNS_MISMATCH, "iteration %d: %d", it, rc);
        if (rc == 0) {
            ok++;
            cr_assert_leq(ans.count, ans.max);
            cr_assert_leq(ans.count, ans.total);
        }
    }
    cr_assert_gt(ok, 0);
}
