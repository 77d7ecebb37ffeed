// reject: recursion
#include "leaf.h"
async int f(int v)
{
    if (v == 0)
        return await tleaf(0);
    return await f(v - 1); // <-- error
}
async int test_main(void) { return await f(3); }
