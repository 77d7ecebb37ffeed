/*
 * libFuzzer target for the DNS codec and the resolver's reply handling
 * (protocols/dns_msg.c, protocols/dns_resolver.c): the input is a
 * response datagram to the queries "www.example.org" A and AAAA, whose
 * ids are the input's first two bytes (so the fuzzer gets past the id
 * check at once and the question check by comparison tracing; fuzz/dns.dict
 * helps). Every name in the input is also decoded at every offset.
 *
 * `make fuzz` builds and runs it with the others (seeds in fuzz/seeds/dns/,
 * dictionary fuzz/dns.dict).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <strio/dns.h>
#include <strio/dns_resolver.h>

static uint16_t next_id;

static uint32_t fixed_rng(void *arg)
{
    (void)arg;
    return next_id;
}

static int never_open(strio_dns_transport *t, const strio_dns_server *s,
                      strio_stream **out)
{
    (void)t;
    (void)s;
    (void)out;
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static strio_dns_config cfg;
    static strio_dns_resolver r;
    static strio_dns_transport tr = { never_open };
    static const strio_dns_addr server = { .type = STRIO_DNS_A };
    strio_dns_addr out[8];
    size_t count;
    unsigned char name[STRIO_DNS_NAME_MAX];
    char text[4 * STRIO_DNS_NAME_MAX + 1];

    /* names at every offset: bounded, in bounds, no loops */
    for (size_t off = 0; off < size; off++) {
        size_t o = off;
        int n = strio_dns_read_name(data, size, &o, name);
        if (n > 0) {
            if (o <= off || o > size || n > STRIO_DNS_NAME_MAX)
                __builtin_trap();
            if (strio_dns_name_to_text(name, text, sizeof text) < 0)
                __builtin_trap();       /* a decoded name always prints */
        }
    }

    /* the resolver's reply handling on this datagram */
    if (size > STRIO_DNS_UDP_MAX + 1)
        return 0;
    next_id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
    strio_dns_config_init(&cfg);
    strio_dns_config_add_server_addr(&cfg, &server, 53);
    strio_dns_resolver_init(&r, &cfg, &tr, fixed_rng, NULL);
    if (strio_dns__begin(&r, "www.example.org", STRIO_DNS_WANT_ANY, out, 8,
                         &count) != 0)
        __builtin_trap();
    strio_dns__start_try(&r);
    memcpy(r.reply, data, size);
    strio_dns__reply(&r, size);
    int rc = strio_dns__finish(&r, out, 8, &count);
    if (rc > 0 && ((size_t)rc != count || count > 8))
        __builtin_trap();
    if (r.cname_len > 0 &&
        strio_dns_name_to_text(r.cname, text, sizeof text) < 0)
        __builtin_trap();
    (void)strio_strerror(rc);
    return 0;
}
