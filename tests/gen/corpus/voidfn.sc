// void async functions: awaited as statements, with early `return;`, with
// loops and awaits, calling each other.
#include <stdio.h>
#include "leaf.h"

static int log_count;

async void note(int v)
{
    int t = await tleaf(v);
    log_count++;
    printf("note %d\n", t);
}

async void maybe(int v)
{
    if (await tleaf(v) < 0)
        return;
    await note(v);
    if (v > 5)
        return;
    await note(v + 1);
}

async void repeat(int n)
{
    for (int i = 0; i < n; i++)
        await note(i * 100);
}

async void empty(void)
{
}

async void only_return(void)
{
    return;
}

async int test_main(void)
{
    await note(1);
    await maybe(-3);
    await maybe(3);
    await maybe(9);
    await repeat(3);
    await empty();
    await only_return();
    await tleaf(5);
    printf("log_count=%d\n", log_count);
    return log_count;
}
