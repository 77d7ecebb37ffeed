// Nested blocks and sibling blocks whose locals live across awaits. Sibling
// blocks may share storage; a local of an enclosing block must not be
// clobbered by them, also when a loop runs the blocks again.
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    int outer = await tleaf(1000);
    for (int round = 0; round < 3; round++) {
        int keep = await tleaf(round * 7);
        {
            int a1 = await tleaf(round + 1);
            long a2 = await tleaf(a1 * 2);
            printf("A round=%d a1=%d a2=%ld keep=%d\n", round, a1, a2, keep);
        }
        {
            char b1 = (char)await tleaf('a' + round);
            int b2[3] = { await tleaf(round), round, await tleaf(-round) };
            {
                int b3 = await tleaf(b2[0] + b2[2] + 5);
                printf("B round=%d b1=%c b2=%d,%d,%d b3=%d keep=%d\n",
                       round, b1, b2[0], b2[1], b2[2], b3, keep);
            }
            {
                double b4 = await tleaf(round) + 0.5;
                printf("B4 %.1f b1=%c\n", b4, b1);
            }
        }
        if (round % 2) {
            int c1 = await tleaf(11);
            printf("C c1=%d keep=%d\n", c1, keep);
        } else {
            int c2 = await tleaf(22), c3 = await tleaf(33);
            printf("C c2=%d c3=%d keep=%d\n", c2, c3, keep);
        }
        keep += await tleaf(1);
        outer += keep;
    }
    {
        {
            {
                int deep = await tleaf(4);
                {
                    int deeper = deep + await tleaf(5);
                    outer += deeper;
                }
            }
        }
    }
    printf("outer=%d\n", outer);
    return outer;
}
