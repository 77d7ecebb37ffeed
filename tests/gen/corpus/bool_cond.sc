// _Bool-returning async functions in loop conditions and && || !.
#include <stdio.h>
#include <stdbool.h>
#include "leaf.h"
async bool even(int v) { return await tleaf(v) % 2 == 0; }
async int test_main(void)
{
    int count = 0;
    for (int i = 0; i < 5 && await even(i * 2); i++)
        count++;
    bool b = await even(3) || await even(4);
    bool c = !await even(1) && !await even(3);
    printf("count=%d b=%d c=%d\n", count, b, c);
    return count;
}
