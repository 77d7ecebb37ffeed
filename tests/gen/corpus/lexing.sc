// Lexing around awaits: comments and newlines between await and the call,
// the words in strings, character constants, a multi-line macro,
// _Static_assert in an async function.
#include <stdio.h>
#include "leaf.h"
#define PLUS(a, b) \
    ((a) + \
     (b))
async int test_main(void)
{
    char q = '\'';
    const char *s = "await tleaf(\"x\") // not a comment";
    int a = await /* comment */ tleaf(1);
    int b = await
        tleaf(2);
    int c = PLUS(a, b) + await tleaf(3);
    _Static_assert(sizeof(int) >= 2, "int");
    printf("%c %s %d %d %d\n", q, s, a, b, c);
    return c;
}
