// reject: call
#include "leaf.h"
async int test_main(void)
{
    int x = await tleaf(1);
    return await x; // <-- error
}
