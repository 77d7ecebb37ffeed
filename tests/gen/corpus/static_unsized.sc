// A static local array whose size comes from its initializer, subscripted
// by an await (static locals never move into the frame).
#include <stdio.h>
#include "leaf.h"

async const char *name(int v)
{
    static const char *const names[] = { "zero", "one", "two" };
    return names[await tleaf(v)];
}

async int test_main(void)
{
    static const int n[] = { 10, 11 };
    int r = n[await tleaf(1)];
    printf("r=%d %s %s\n", r, await name(2), await name(0));
    return r;
}
