/*
 * HTTP/1.1 request parsing throughput: strio's parser (strio/http.h) and
 * the peer, Debian's libhttp-parser (nodejs/http-parser 2.9), on the same
 * bytes in one run. Both do the same work per message: every header name
 * and value (and the target) is seen, their lengths summed, and the end of
 * the message noticed; the sums are compared so neither side can skip it.
 *
 * Cases: one ~400-byte browser-like GET per call; a batch of 32 pipelined
 * GETs per call; the same GET cut into 16-byte pieces (the worst case for
 * strio: every line crosses a cut and goes through the line buffer).
 *
 * Prints, per case and parser, the best of REPEAT interleaved runs in
 * thread CPU time: MB/s and requests/s. bench/http_parser.py drives it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <http_parser.h>
#include <strio/error.h>
#include <strio/http.h>

static const char GET[] =
    "GET /assets/css/site.min.css?v=20241105 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
    "Firefox/128.0\r\n"
    "Accept: text/css,*/*;q=0.1\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Referer: https://www.example.com/\r\n"
    "Connection: keep-alive\r\n"
    "Sec-Fetch-Dest: style\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "\r\n";

#define BATCH 32

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------- strio -- */

static char line[8192];

/* Parses `len` bytes cut into `piece`-byte calls; returns the sum. */
static size_t strio_run(strio_http_parser *p, const char *data, size_t len,
                        size_t piece, size_t *msgs)
{
    size_t sum = 0;
    for (size_t at = 0; at < len;) {
        size_t n = len - at < piece ? len - at : piece;
        const char *d = data + at;
        size_t left = n;
        for (;;) {
            strio_http_event ev;
            int c = strio_http_parse(p, d, left, &ev);
            if (c < 0) {
                fprintf(stderr, "strio: %s\n", strio_strerror(c));
                exit(1);
            }
            if (ev.type == STRIO_HTTP_EV_NONE)
                break;
            d += c;
            left -= (size_t)c;
            switch (ev.type) {
            case STRIO_HTTP_EV_REQUEST:
            case STRIO_HTTP_EV_FIELD:
                sum += ev.name.len + ev.value.len;
                break;
            case STRIO_HTTP_EV_MESSAGE_DONE:
                ++*msgs;
                break;
            default:
                break;
            }
        }
        at += n;
    }
    return sum;
}

/* ------------------------------------------------------- http-parser -- */

struct peer {
    size_t sum, msgs;
};

static int hp_data(http_parser *hp, const char *at, size_t len)
{
    (void)at;
    ((struct peer *)hp->data)->sum += len;
    return 0;
}

static int hp_method(http_parser *hp)
{
    /* strio reports the method as a span; count its length the same way */
    ((struct peer *)hp->data)->sum +=
        strlen(http_method_str((enum http_method)hp->method));
    return 0;
}

static int hp_done(http_parser *hp)
{
    ((struct peer *)hp->data)->msgs++;
    return 0;
}

static http_parser_settings hp_settings;

static size_t peer_run(http_parser *hp, const char *data, size_t len,
                       size_t piece, size_t *msgs)
{
    struct peer pr = { 0, 0 };
    hp->data = &pr;
    for (size_t at = 0; at < len;) {
        size_t n = len - at < piece ? len - at : piece;
        size_t c = http_parser_execute(hp, &hp_settings, data + at, n);
        if (c != n || HTTP_PARSER_ERRNO(hp) != HPE_OK) {
            fprintf(stderr, "http_parser: %s\n",
                    http_errno_name(HTTP_PARSER_ERRNO(hp)));
            exit(1);
        }
        at += n;
    }
    *msgs += pr.msgs;
    return pr.sum;
}

/* ------------------------------------------------------------ driver -- */

struct bcase {
    const char *name;
    const char *data;
    size_t len, piece, reqs; /* requests in data */
};

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    int repeat = argc > 2 ? atoi(argv[2]) : 5;
    static char batch[BATCH * sizeof GET];
    size_t glen = sizeof GET - 1;
    for (int i = 0; i < BATCH; i++)
        memcpy(batch + (size_t)i * glen, GET, glen);
    http_parser_settings_init(&hp_settings);
    hp_settings.on_url = hp_data;
    hp_settings.on_header_field = hp_data;
    hp_settings.on_header_value = hp_data;
    hp_settings.on_headers_complete = hp_method;
    hp_settings.on_message_complete = hp_done;

    const struct bcase cases[] = {
        { "one GET per call", GET, glen, glen, 1 },
        { "32 pipelined GETs per call", batch, glen * BATCH, glen * BATCH,
          BATCH },
        { "GET in 16-byte pieces", GET, glen, 16, 1 },
    };
    printf("http parser: a %zu-byte browser GET, %ld rounds, best of %d\n",
           glen, iters, repeat);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct bcase *c = &cases[k];
        long rounds = iters / (long)c->reqs;
        double best[2] = { 1e9, 1e9 };
        size_t sums[2] = { 0, 0 };
        for (int r = 0; r < repeat; r++) {
            for (int which = 0; which < 2; which++) {
                size_t msgs = 0, sum = 0;
                double t0 = cpu_now();
                if (which == 0) {
                    strio_http_parser p;
                    strio_http_parser_init(&p, STRIO_HTTP_REQUEST, line,
                                           sizeof line);
                    for (long i = 0; i < rounds; i++)
                        sum += strio_run(&p, c->data, c->len, c->piece, &msgs);
                } else {
                    http_parser hp;
                    http_parser_init(&hp, HTTP_REQUEST);
                    for (long i = 0; i < rounds; i++)
                        sum += peer_run(&hp, c->data, c->len, c->piece, &msgs);
                }
                double t = cpu_now() - t0;
                if (msgs != (size_t)rounds * c->reqs) {
                    fprintf(stderr, "%s: %zu messages, expected %zu\n",
                            which ? "http_parser" : "strio", msgs,
                            (size_t)rounds * c->reqs);
                    return 1;
                }
                sums[which] = sum;
                if (t < best[which])
                    best[which] = t;
            }
        }
        if (sums[0] != sums[1]) {
            fprintf(stderr, "%s: strio saw %zu header bytes, http_parser %zu\n",
                    c->name, sums[0], sums[1]);
            return 1;
        }
        double bytes = (double)rounds * (double)c->len;
        double reqs = (double)rounds * (double)c->reqs;
        printf("  %-28s strio %7.0f MB/s %6.2f M req/s | http_parser %7.0f "
               "MB/s %6.2f M req/s | strio/http_parser %.2fx\n",
               c->name, bytes / best[0] / 1e6, reqs / best[0] / 1e6,
               bytes / best[1] / 1e6, reqs / best[1] / 1e6,
               best[1] / best[0]);
    }
    return 0;
}
