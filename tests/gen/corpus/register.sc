// register locals live across awaits (register storage cannot move into a
// struct: the generator must drop or keep it as the source allows).
#include <stdio.h>
#include "leaf.h"

async int count_bits(register unsigned v)
{
    register int n = 0;
    while (v) {
        n += await tleaf((int)(v & 1));
        v >>= 1;
    }
    return n;
}

async int test_main(void)
{
    register int r = await tleaf(5);
    register int s = 0;
    for (register int i = 0; i < 4; i++)
        s += await tleaf(i) * r;
    printf("r=%d s=%d\n", r, s);
    register char c = (char)await tleaf('A');
    await tleaf(0);
    printf("c=%c bits=%d\n", c, await count_bits(0xF0F1u));
    return r + s;
}
