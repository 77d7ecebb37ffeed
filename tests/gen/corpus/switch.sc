// switch with awaits inside cases, fallthrough, default in the middle,
// declarations in case blocks, nested switch, break vs. continue inside a
// switch in a loop, and an awaited controlling expression.
#include <stdio.h>
#include "leaf.h"

async int pick(int v)
{
    int r = 0;
    switch (v) {
    case 0:
        r += await tleaf(1);
        /* fallthrough */
    case 1:
        r += await tleaf(10);
        /* fallthrough */
    case 2:
        r += await tleaf(100);
        break;
    default:
        r = await tleaf(-1);
        break;
    case 5: {
        int t = await tleaf(50);
        r = t + await tleaf(5);
        break;
    }
    case 6:
    case 7:
        r = await tleaf(67);
        if (v == 7)
            break;
        r += await tleaf(1000);
        break;
    }
    return r;
}

async int test_main(void)
{
    for (int v = 0; v < 9; v++)
        printf("pick(%d)=%d\n", v, await pick(v));
    int acc = 0;
    for (int i = 0; i < 6; i++) {
        switch (await tleaf(i % 4)) {
        case 0:
            continue;
        case 1:
            acc += await tleaf(1);
            break;
        case 2:
            switch (await tleaf(i)) {
            case 2:
                acc += await tleaf(20);
                break;
            default:
                acc += await tleaf(200);
            }
            break;
        default:
            acc += 3;
        }
        printf("i=%d acc=%d\n", i, acc);
    }
    int s = 0;
    switch (await tleaf(3)) {
        int hidden;
    case 3:
        hidden = await tleaf(33);
        s = hidden + await tleaf(1);
        break;
    }
    printf("s=%d\n", s);
    switch (await tleaf(1))
        case 1:
            s += await tleaf(4);
    printf("s=%d\n", s);
    switch (await tleaf(8)) {
    default:
        s = await tleaf(s * 2);
    }
    printf("s=%d\n", s);
    return acc + s;
}
