/*
 * demo.sc -- annotated C turned into state machines by generator.py.
 *
 * A "transport" hands out a text in small, uneven chunks and yields to the
 * scheduler before each one, the way a socket would. read_line() assembles
 * lines across chunk boundaries, word_count() awaits it in a loop. Every
 * await is a real suspension: the task's C stack unwinds completely and the
 * state lives only in the frames, whose sizes `make demo` prints afterwards.
 */
#include <stdio.h>
#include <string.h>
#include <strio/strio.h>

struct transport {
    const char *text;
    size_t pos, len;
    unsigned chunks;
};

/* Gives at most `max` bytes (an uneven amount) after yielding once. */
static async size_t recv_some(struct transport *t, char *dst, size_t max)
{
    await strio_checkpoint();
    size_t n = 1 + (t->chunks * 7) % 5;     /* 1..5 bytes: awkward on purpose */
    if (n > max)
        n = max;
    if (n > t->len - t->pos)
        n = t->len - t->pos;
    memcpy(dst, t->text + t->pos, n);
    t->pos += n;
    t->chunks++;
    return n;
}

struct line_reader {
    struct transport *t;
    char buf[16];
    size_t have, used;
};

/* Copies the next line (without '\n') into `line`; returns its length, or
 * -1 at end of input. Bytes past the newline stay buffered for next time. */
static async int read_line(struct line_reader *r, char *line, size_t cap)
{
    size_t n = 0;
    for (;;) {
        while (r->used < r->have) {
            char c = r->buf[r->used++];
            if (c == '\n') {
                line[n] = 0;
                return (int)n;
            }
            if (n + 1 < cap)
                line[n++] = c;
        }
        r->used = 0;
        r->have = await recv_some(r->t, r->buf, sizeof r->buf);
        if (r->have == 0) {
            line[n] = 0;
            return n ? (int)n : -1;
        }
    }
}

async int word_count(struct transport *t)
{
    struct line_reader reader = { t, {0}, 0, 0 };
    char line[64];
    int words = 0, lines = 0, len;
    while ((len = await read_line(&reader, line, sizeof line)) >= 0) {
        int in_word = 0;
        for (int i = 0; i < len; i++) {
            int letter = line[i] != ' ';
            words += letter && !in_word;
            in_word = letter;
        }
        printf("  line %d: \"%s\"\n", ++lines, line);
    }
    printf("  %d lines, %d words, %u chunks\n", lines, words, t->chunks);
    return words;
}

int main(void)
{
    static const char text[] =
        "structured async I/O\n"
        "without threads stacks or malloc\n"
        "every await is a checkpoint\n";
    struct transport t = { text, 0, sizeof text - 1, 0 };
    struct word_count_frame frame;      /* the whole task: caller-owned */
    strio_task task;

    printf("word_count over a transport that yields 1-5 bytes at a time:\n");
    word_count_start(&frame, &t);
    strio_task_init(&task, word_count_resume, &frame, &frame.strio_ret);
    unsigned long suspends = strio_task_run(&task);
    printf("result %d, task suspended %lu times, whole task state %zu bytes\n",
           frame.strio_ret, suspends, sizeof frame);
    return frame.strio_ret == 13 ? 0 : 1;
}
