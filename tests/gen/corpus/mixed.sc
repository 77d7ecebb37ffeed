// Awaits mixed with plain C: helper functions, function pointers, casts,
// sizeof of a type and of a plain expression, string literals containing
// the words async and await, comments mentioning await, char constants.
#include <stdio.h>
#include <string.h>
#include "leaf.h"

typedef int (*binop)(int, int);

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }

static binop ops[2] = { add, sub };

/* a comment that says await tleaf(1) must not be touched */
async int apply(int which, int a, int b)
{
    binop f = ops[await tleaf(which)];
    int r = f(await tleaf(a), b);
    return r;
}

async int test_main(void)
{
    const char *s = "async await \"await\" async";
    printf("%s len=%zu\n", s, strlen(s));
    char q = '"';
    int awaited = await tleaf(3); // await in a line comment
    int async_count = awaited + 1;
    printf("awaited=%d async_count=%d q=%c\n", awaited, async_count, q);
    printf("apply %d %d\n", await apply(0, 5, 3), await apply(1, 5, 3));
    int sz = (int)sizeof(long) + await tleaf((int)sizeof(int));
    printf("sz ok=%d\n", sz == (int)(sizeof(long) + sizeof(int)));
    long cast = (long)(short)await tleaf(70000);
    printf("cast=%ld\n", cast);
    unsigned char uc = (unsigned char)(await tleaf(513) + 1);
    printf("uc=%u\n", (unsigned)uc);
    int (*fp)(int, int) = await tleaf(1) ? add : sub;
    printf("fp=%d\n", fp(await tleaf(9), 4));
    return (int)cast + uc;
}
