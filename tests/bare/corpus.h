/* corpus.h -- a generated machine from tests/gen/corpus, as the bare test
 * images run it (see corpus.py and corpus_run.c). */
#ifndef BARE_CORPUS_H
#define BARE_CORPUS_H

#include <strio/async.h>

struct corpus_prog {
    const char *name;
    const char *expected;       /* the host's output, "result N" included */
    unsigned frame_size;
    unsigned ret_offset;        /* of strio_ret in the frame */
    void (*start)(void *frame);
    strio_resume_fn resume;
    int rerun;                  /* 0: keeps state in globals, run it once */
};

extern const struct corpus_prog *const corpus_progs[];
extern const unsigned corpus_count;

/* The programs' printf, putchar and puts: into the capture buffer. */
int corpus_printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int corpus_putchar(int c);
int corpus_puts(const char *s);

#endif
