// A local shadowing a global lives across awaits; after its block the name
// means the global again.
#include <stdio.h>
#include "leaf.h"
int g = 100;
async int test_main(void)
{
    {
        int g = await tleaf(1);
        await tleaf(0);
        printf("local g=%d\n", g);
    }
    await tleaf(0);
    printf("global g=%d\n", g);
    g = 7;
    return g;
}
