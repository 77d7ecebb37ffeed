// Awaits inside a user switch inside a while inside a for: resume dispatch
// must not put case labels inside user code (the protothreads trap).
#include <stdio.h>
#include "leaf.h"

async int machine(int rounds)
{
    int out = 0;
    for (int r = 0; r < rounds; r++) {
        int state = 0;
        while (state != 4) {
            switch (state) {
            case 0:
                state = await tleaf(1);
                out += 1;
                break;
            case 1:
                out += await tleaf(10);
                state = (r % 2) ? 3 : 2;
                break;
            case 2:
                switch (await tleaf(r)) {
                case 0:
                    out += await tleaf(100);
                    break;
                default:
                    out += await tleaf(1000);
                    break;
                }
                state = await tleaf(3);
                break;
            case 3:
                if (await tleaf(r) > 2) {
                    state = 4;
                    break;
                }
                out += 5;
                state = 4;
                continue;
            default:
                state = 4;
            }
            printf("r=%d state=%d out=%d\n", r, state, out);
        }
    }
    return out;
}

async int test_main(void)
{
    int total = await machine(5);
    printf("total=%d\n", total);
    return total;
}
