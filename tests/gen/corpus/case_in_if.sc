// case labels inside the branches of an if inside a switch, with awaits
// before and after them.
#include <stdio.h>
#include "leaf.h"
async int f(int k)
{
    int r = 0;
    switch (k) {
    case 0:
        r += await tleaf(1);
        if (await tleaf(k) == 0) {
            /* fallthrough */
    case 1:
            r += await tleaf(10);
        } else {
            /* fallthrough */
    case 2:
            r += await tleaf(100);
        }
        break;
    }
    return r;
}
async int test_main(void)
{
    for (int k = 0; k < 4; k++)
        printf("f(%d)=%d\n", k, await f(k));
    return 0;
}
