// goto within a function: forward, backward (a loop built from goto), out of
// nested loops, and into the middle of loops, with awaits around.
#include <stdio.h>
#include "leaf.h"

async int backward(int n)
{
    int i = 0, sum = 0;
again:
    sum += await tleaf(i);
    i++;
    if (i < n)
        goto again;
    return sum;
}

async int test_main(void)
{
    int x = await tleaf(1);
    if (x)
        goto skip;
    printf("not printed\n");
    x = 100;
skip:
    printf("after forward x=%d\n", x);
    printf("backward %d\n", await backward(5));

    int found = -1;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++)
            if (await tleaf(a * b) == 6) {
                found = a * 10 + b;
                goto done;
            }
done:
    printf("found %d\n", found);

    int k = 3;
    goto inside;
    while (k < 6) {
        k = await tleaf(k + 2);
inside:
        printf("inside k=%d\n", k);
        k++;
    }
    printf("while end k=%d\n", k);

    int j = 10;
    goto mid;
    for (j = 0; j < 3; j++) {
        printf("for top j=%d\n", j);
mid:
        j += await tleaf(0);
        printf("for mid j=%d\n", j);
        if (j > 5)
            j = await tleaf(0);
    }
    printf("for end j=%d\n", j);

    int t = 0;
    do {
        goto tail;
head:
        t += await tleaf(100);
        printf("head t=%d\n", t);
        goto out;
tail:
        t += await tleaf(1);
        printf("tail t=%d\n", t);
        goto head;
    } while (0);
out:
    printf("out t=%d\n", t);
    return x + found + k + j + t;
}
