/*
 * main.c -- the bare-metal test image: the core's checks (core_test.sc),
 * memory streams under the conformance suite and fault injection
 * (stream_test.sc), state machines from the generator's corpus
 * (corpus_run.c), the HTTP/1.1 parser and DNS codec (proto_test.c), and
 * the DNS resolver over a memory transport (resolve_test.sc), all on the
 * board's loop over the bare backend with a 1 kHz tick; then tickless idle
 * on a second loop (tickless_test.sc). Prints
 * "N passed, M failed"; QEMU's exit status is 0 when every check passed,
 * 1 otherwise, 3 on a CPU fault.
 *
 * Built with -DBARE_DELIBERATE_FAIL it is the harness's own test: one
 * check fails on purpose and the image must exit 1 (`make test-bare`
 * expects that); with -DBARE_DELIBERATE_FAULT the CPU traps and the fault
 * handler must report it and exit 3. On the Cortex-M boards, `-append --fail` does the same at
 * run time.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

int main(void)
{
    printf("strio on %s, bare backend, 1 kHz tick\n", board_name());
    board_init();
#if defined(BARE_DELIBERATE_FAIL)
    CHECK_EQ(board_ticks() + 1, 0);         /* deliberate */
#elif defined(BARE_DELIBERATE_FAULT)
    __builtin_trap();                       /* UDF / EBREAK: exit 3 */
#else
    core_tests();
    stream_tests();
    corpus_tests();
    proto_tests();
    resolve_tests();
    tickless_tests();
    if (strstr(board_cmdline(), "--fail") != NULL)
        CHECK_EQ(1, 2);                     /* deliberate, on request */
#endif
    return checks_report();
}
