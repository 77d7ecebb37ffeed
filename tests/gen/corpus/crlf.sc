// A source file with CRLF line endings.
#include <stdio.h>
#include "leaf.h"
async int test_main(void)
{
    int x = await tleaf(4);
    await tleaf(0);
    printf("crlf %d\n", x);
    return x;
}
