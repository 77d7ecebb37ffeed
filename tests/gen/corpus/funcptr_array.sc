// Function pointers live across awaits: an array of them, a struct member,
// called after the await with the callee picked by subscript or member.
#include <stdio.h>
#include "leaf.h"

static int inc(int v) { return v + 1; }
static int dbl(int v) { return v * 2; }

struct ops { int (*fn)(int); };

async int test_main(void)
{
    int (*fps[2])(int) = { inc, dbl };
    struct ops o = { dbl };
    int x = await tleaf(1);
    printf("fps[x](5)=%d\n", fps[x](5));
    await tleaf(0);
    printf("o.fn(6)=%d\n", o.fn(6));
    return fps[0](1);
}
