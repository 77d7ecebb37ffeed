// Preprocessor conditionals inside an async function, with awaits in the
// branches (the generator does not run the preprocessor).
#include <stdio.h>
#include "leaf.h"

#define LEVEL 1

async int test_main(void)
{
    int x = await tleaf(1);
#ifdef NOT_DEFINED_ANYWHERE
    x += await tleaf(1000);
#else
    x += await tleaf(10);
#endif
#if LEVEL > 2
    x *= await tleaf(3);
#endif
#if 0
    x = await tleaf(-1);
#endif
    printf("x=%d\n", x);
    return x;
}
