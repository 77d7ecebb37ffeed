// Large structs (arrays inside) returned from and passed by value to async
// functions, member access on an awaited struct.
#include <stdio.h>
#include "leaf.h"
struct big { int a[8]; char name[16]; double d; };
async struct big mkbig(int seed)
{
    struct big b;
    for (int i = 0; i < 8; i++)
        b.a[i] = await tleaf(seed + i);
    snprintf(b.name, sizeof b.name, "big%d", seed);
    b.d = seed / 4.0;
    return b;
}
async int sumbig(struct big b)
{
    int s = 0;
    for (int i = 0; i < 8; i++)
        s += await tleaf(b.a[i]);
    return s;
}
async int test_main(void)
{
    struct big x = await mkbig(3);
    int s = await sumbig(x);
    int t = await sumbig(await mkbig(10));
    printf("%s %.2f s=%d t=%d a7=%d\n", x.name, x.d, s, t, (await mkbig(5)).a[7]);
    return s + t;
}
