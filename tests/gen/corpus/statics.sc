// static locals in async functions: shared across calls and with the
// caller, initialized once, read and written across awaits.
#include <stdio.h>
#include "leaf.h"

async int counter(int step)
{
    static int count;
    static int history[4] = { -1, -1, -1, -1 };
    int before = count;
    count += await tleaf(step);
    history[count % 4] = before;
    return count * 100 + history[step % 4] + 1;
}

async int *shared_ptr(void)
{
    static int cell = 7;
    await tleaf(0);
    return &cell;
}

async int test_main(void)
{
    static int calls = 0;
    for (int i = 1; i <= 5; i++) {
        int c = await counter(i);
        calls++;
        printf("counter(%d)=%d calls=%d\n", i, c, calls);
    }
    int *p = await shared_ptr();
    *p += await tleaf(3);
    int *q = await shared_ptr();
    printf("cell=%d same=%d\n", *q, p == q);
    {
        static const char *const names[] = { "zero", "one", "two" };
        int k = await tleaf(2);
        printf("name=%s\n", names[k]);
    }
    return calls + *q;
}
