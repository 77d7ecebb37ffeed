/*
 * HTTP/1.1 over streams (strio/http_conn.h): a server and a client of the
 * library talk over an in-memory stream pair behind seeded fault-injection
 * streams (short reads, split sends, random delays on a virtual clock with
 * autojump), each scenario under many seeds; both sides' transcripts must
 * be exactly the expected ones. Then a cancellation sweep over the whole
 * keep-alive exchange.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/http_conn.h>

#include "http_conn_tasks.h"
#include "sweep.h"

unsigned hc_pool_used(void);

static struct hc_ctx X;

static void run(int scenario, uint64_t seed, int faults)
{
    static struct hc_run_frame f;
    strio_vclock vc;
    strio_loop loop;
    strio_task t;
    memset(&X, 0, sizeof X);
    X.scenario = scenario;
    X.cfg.seed = seed;
    if (faults) {
        X.cfg.send_chunk_max = 1 + seed % 13;
        X.cfg.receive_max = 1 + seed % 7;
        X.cfg.delay_max = STRIO_MS(3);
        X.cfg.delay_percent = (unsigned)(seed % 3) * 20;
    }
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, NULL);
    hc_run_start(&f, &X, NULL);
    strio_task_init(&t, hc_run_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&loop, &t);
    cr_assert_eq(rc, 0, "seed %llu: loop: %s", (unsigned long long)seed,
                 strio_strerror(rc));
    cr_assert_eq(f.strio_ret, 0, "seed %llu: %s", (unsigned long long)seed,
                 strio_strerror(f.strio_ret));
    cr_assert_eq(loop.tasks, 0);
    cr_assert_eq(loop.timers.count, 0);
    cr_assert_eq(hc_pool_used(), 0);
}

static void expect(int scenario, const char *slog, const char *clog,
                   int server_rc, int client_rc)
{
    for (uint64_t seed = 0; seed < 40; seed++) {
        run(scenario, seed, seed > 0);
        cr_assert_str_eq(X.slog, slog, "seed %llu: server saw\n%s\nexpected\n%s",
                         (unsigned long long)seed, X.slog, slog);
        cr_assert_str_eq(X.clog, clog, "seed %llu: client saw\n%s\nexpected\n%s",
                         (unsigned long long)seed, X.clog, clog);
        cr_assert_eq(X.server_rc, server_rc, "seed %llu: server %s",
                     (unsigned long long)seed, strio_strerror(X.server_rc));
        cr_assert_eq(X.client_rc, client_rc, "seed %llu: client %s",
                     (unsigned long long)seed, strio_strerror(X.client_rc));
    }
}

static char upload_echo[3100];

static const char *basic_client_log(void)
{
    char up[3000];
    for (size_t i = 0; i < sizeof up; i++)
        up[i] = (char)('a' + i % 26);
    snprintf(upload_echo, sizeof upload_echo,
             "200 [hello]|200 chunked [%.*s]|200 []|404 [no]|head 0|",
             (int)sizeof up, up);
    return upload_echo;
}

Test(http_conn, keep_alive_echo_head_and_close)
{
    expect(HC_BASIC,
           "GET /hello 11|POST /echo 11|HEAD /hello 11|GET /nope 11|end 0",
           basic_client_log(), 0, 0);
}

Test(http_conn, pipelined_requests_answered_in_order)
{
    expect(HC_PIPELINE,
           "GET /hello 11|POST /echo 11|GET /hello 10|end 0",
           "200 [hello]|200 chunked [abcdefg]|200 [hello]|head 0|", 0, 0);
}

Test(http_conn, malformed_request_gets_400_and_close)
{
    expect(HC_BAD, "end -10210", "400 []|head 0|", STRIO_EHTTP_LENGTH_AND_TE,
           0);
}

Test(http_conn, expect_100_continue)
{
    expect(HC_CONTINUE, "PUT /echo 11|end 0",
           "100 []|200 chunked [body]|", 0, 0);
}

Test(http_conn, expect_100_continue_not_granted_closes)
{
    expect(HC_CONTINUE_SKIPPED, "POST /hello 11|end 0", "200 [hello]|head 0|",
           0, 0);
}

Test(http_conn, connect_tunnel)
{
    expect(HC_CONNECT, "CONNECT example.test:443 11|end 0",
           "connect 0|ping", 0, 0);
}

Test(http_conn, connect_denied)
{
    expect(HC_CONNECT_DENIED, "CONNECT example.test:443 11|end 0",
           "connect 407|", 0, 0);
}

Test(http_conn, field_lookup_and_reasons)
{
    cr_assert_str_eq(strio_http_reason(404), "Not Found");
    cr_assert_str_eq(strio_http_reason(299), "Unknown");
}

/* ---- cancellation sweep -------------------------------------------------- */

static int sweep_scenario(struct sweep_run *r)
{
    static struct hc_run_frame f;
    strio_task t;
    memset(&X, 0, sizeof X);
    X.scenario = HC_BASIC;
    X.cfg.seed = 7;
    X.cfg.send_chunk_max = 97;
    X.cfg.receive_max = 61;
    hc_run_start(&f, &X, &r->target);
    strio_task_init(&t, hc_run_resume, &f, &f.strio_ret);
    return strio_loop_run(&r->loop, &t);
}

static void sweep_check(struct sweep_run *r)
{
    cr_assert_eq(hc_pool_used(), 0, "k=%lu: server slot leaked", r->k);
    if (!r->cancelled) {
        cr_assert_str_eq(X.clog, basic_client_log(), "k=%lu", r->k);
        cr_assert_eq(X.server_rc, 0);
        cr_assert_eq(X.client_rc, 0);
    } else {
        /* each side either finished or stopped with the cancellation (or,
         * the server, with the client's close that followed it) */
        cr_assert(X.client_rc == 0 || X.client_rc == STRIO_ECANCELED,
                  "k=%lu: client %s", r->k, strio_strerror(X.client_rc));
    }
}

Test(http_conn, cancellation_sweep)
{
    struct sweep s = { .name = "http_conn", .scenario = sweep_scenario,
                       .check = sweep_check };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_gt(runs, 10);
}
