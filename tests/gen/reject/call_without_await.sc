// reject: without .?await|await
#include "leaf.h"
async int f(int v) { return await tleaf(v); }
async int test_main(void)
{
    return f(1); // <-- error
}
