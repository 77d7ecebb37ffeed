// Source that compiles warning-free (-Wall -Wextra) whose lowering must stay
// warning-free too: comma expressions whose left operand awaits, and an
// awaited call as a parenthesized expression statement.
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    int i = await tleaf(0);
    int r = (await tleaf(1), 5) < !i;
    int s = (await tleaf(2), i) == i;
    (await tleaf(3));
    printf("r=%d s=%d\n", r, s);
    return r + s;
}
