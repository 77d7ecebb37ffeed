// reject: address|await
#include "leaf.h"
async int f(int v) { return await tleaf(v); }
async int test_main(void)
{
    int (*fp)(int) = &f; // <-- error
    await tleaf(0);
    return fp != 0;
}
