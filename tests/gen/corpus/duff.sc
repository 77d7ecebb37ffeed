// Duff's device: case labels inside a do-while inside a switch, with awaits
// in the body and in the loop condition.
#include <stdio.h>
#include "leaf.h"

async int copy(char *to, const char *from, int count)
{
    int n = (count + 3) / 4;
    int moved = 0;
    switch (count % 4) {
    case 0: do { *to++ = (char)await tleaf(*from++); moved++;
    /* fallthrough */
    case 3:      *to++ = (char)await tleaf(*from++); moved++;
    /* fallthrough */
    case 2:      *to++ = (char)await tleaf(*from++); moved++;
    /* fallthrough */
    case 1:      *to++ = (char)await tleaf(*from++); moved++;
            } while (--n > 0 && await tleaf(n) > 0);
    }
    return moved;
}

async int sum_duff(int count)
{
    int sum = 0, i = 0;
    int n = (count + 1) / 2;
    if (count <= 0)
        return 0;
    switch (count % 2) {
        do {
    case 0:
            sum += await tleaf(i++);
    /* fallthrough */
    case 1:
            {
                int t = await tleaf(i++);
                sum += t * 100;
            }
        } while (--n);
    }
    return sum;
}

async int test_main(void)
{
    const char *msg = "Hello, Duff!";
    char out[32];
    for (int len = 1; len <= 13; len += 3) {
        int k;
        for (k = 0; k < 32; k++)
            out[k] = '.';
        out[len] = 0;
        int moved = await copy(out, msg, len);
        printf("len=%d moved=%d out=\"%s\"\n", len, moved, out);
    }
    for (int c = 1; c <= 5; c++)
        printf("sum_duff(%d)=%d\n", c, await sum_duff(c));
    return await sum_duff(4);
}
