// Long else-if chains whose conditions and branches all await, dangling
// else, and if statements without braces nested in loops.
#include <stdio.h>
#include "leaf.h"

async int grade(int score)
{
    if (await tleaf(score) >= 90)
        return await tleaf('A');
    else if (await tleaf(score) >= 80)
        return await tleaf('B');
    else if (score >= 70 && await tleaf(score) < 75)
        return await tleaf('C');
    else if (score >= 70)
        return 'c';
    else
        return await tleaf('F');
}

async int test_main(void)
{
    int scores[7] = { 95, 85, 72, 77, 10, 90, 80 };
    int sum = 0;
    for (int i = 0; i < 7; i++) {
        int g = await grade(scores[i]);
        printf("%d -> %c\n", scores[i], g);
        sum += g;
    }
    int v = 0;
    for (int i = 0; i < 4; i++)
        if (await tleaf(i % 2))
            if (await tleaf(i) > 2)
                v += 100;
            else
                v += 10;
        else
            v += 1;
    printf("v=%d\n", v);
    return sum + v;
}
