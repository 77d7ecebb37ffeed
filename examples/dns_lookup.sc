/*
 * dns_lookup.sc -- resolve names with strio's stub resolver, no
 * getaddrinfo, no threads, no heap.
 *
 *     dns_lookup NAME [SERVER [PORT]]
 *
 * Without SERVER it reads /etc/resolv.conf and consults /etc/hosts first
 * (as libc would); with SERVER (a numeric address) it asks only that
 * server, on PORT (default 53), e.g. a dnsmasq on 127.0.0.1. Prints every
 * address with its TTL, the canonical name if a CNAME was followed, and
 * how many tries it took. Exits 1 on error (the error's name printed).
 *
 * Not run by `make test` (it would ask this machine's real resolvers);
 * tests/unit/test_dns.c exercises the same calls against dnsmasq.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/dns.h>
#include <strio/dns_resolver.h>
#include <strio/dns_posix.h>

async int lookup(strio_dns_resolver *r, const char *name,
                 strio_dns_addr *addrs, size_t max, size_t *n)
{
    strio_cancel_scope sc;
    int rc;
    /* an overall deadline on top of the per-try timeouts */
    strio_fail_after(STRIO_SELF, &sc, STRIO_SEC(30));
    rc = await strio_dns_resolve(r, name, STRIO_DNS_WANT_ANY, addrs, max, n);
    return strio_scope_exit(&sc, rc);
}

static STRIO_POLL(io, 4);

int main(int argc, char **argv)
{
    static strio_dns_config cfg;
    static strio_dns_udp udp;
    static strio_dns_resolver res;
    static struct lookup_frame frame;
    strio_dns_addr addrs[16];
    size_t n = 0;
    strio_clock clock;
    strio_loop loop;
    strio_task task;
    int rc;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s NAME [SERVER [PORT]]\n", argv[0]);
        return 2;
    }
    strio_dns_config_init(&cfg);
    if (argc >= 3) {
        rc = strio_dns_config_add_server(&cfg, argv[2],
                                         argc == 4 ? (unsigned)atoi(argv[3])
                                                   : 53);
    } else {
        rc = strio_dns_config_load_resolv_conf(&cfg, "/etc/resolv.conf");
        cfg.hosts_path = "/etc/hosts";
    }
    if (rc < 0) {
        fprintf(stderr, "config: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_dns_udp_init(&udp);
    strio_dns_resolver_init(&res, &cfg, &udp.base, strio_dns_os_random, NULL);

    strio_monotonic_clock_init(&clock);
    if (STRIO_POLL_SETUP(io) < 0)
        return 1;
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    lookup_start(&frame, &res, argv[1], addrs, 16, &n);
    strio_task_init(&task, lookup_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_poll_close(&io.poll);
    if (rc == 0)
        rc = frame.strio_ret;
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", argv[1], strio_strerror(rc));
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        char text[INET6_ADDRSTRLEN];
        int fam = addrs[i].type == STRIO_DNS_A ? AF_INET : AF_INET6;
        inet_ntop(fam, addrs[i].addr, text, sizeof text);
        printf("%s\tttl %lu\n", text, (unsigned long)addrs[i].ttl);
    }
    if (res.cname_len > 0) {
        char cname[4 * STRIO_DNS_NAME_MAX];
        strio_dns_name_to_text(res.cname, cname, sizeof cname);
        printf("canonical name: %s\n", cname);
    }
    printf("%s; %u tr%s, %u stray datagram%s ignored\n",
           res.from_hosts ? "from the hosts file"
           : res.tries == 0 ? "a numeric address" : "from DNS", res.tries,
           res.tries == 1 ? "y" : "ies", res.ignored,
           res.ignored == 1 ? "" : "s");
    return 0;
}
