// A small realistic machine: a tokenizer reading characters one at a time
// through an async getter, with a struct state, a switch in a loop and an
// output buffer.
#include <stdio.h>
#include <string.h>
#include "leaf.h"

struct src { const char *text; int pos; };

async int getch(struct src *s)
{
    int c = s->text[s->pos];
    if (c)
        s->pos++;
    return await tleaf(c);
}

async int tokenize(struct src *s, char *out, int cap)
{
    int tokens = 0, len = 0, c;
    char word[32];
    int wl = 0;
    enum { SPACE, WORD, NUMBER } state = SPACE;
    do {
        c = await getch(s);
        switch (state) {
        case SPACE:
            if (c >= '0' && c <= '9') {
                state = NUMBER;
                word[wl++] = (char)c;
            } else if (c && c != ' ') {
                state = WORD;
                word[wl++] = (char)c;
            }
            break;
        case WORD:
        case NUMBER:
            if (c == ' ' || c == 0) {
                word[wl] = 0;
                len += snprintf(out + len, (size_t)(cap - len), "%s(%s) ",
                                state == WORD ? "W" : "N", word);
                tokens++;
                wl = 0;
                state = SPACE;
            } else {
                word[wl++] = (char)c;
            }
            break;
        }
    } while (c != 0);
    return tokens;
}

async int test_main(void)
{
    struct src s = { "let x1 = 42 + y 7", 0 };
    char out[256];
    out[0] = 0;
    int n = await tokenize(&s, out, (int)sizeof out);
    printf("tokens=%d: %s\n", n, out);
    return n;
}
