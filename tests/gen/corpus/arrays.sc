// Arrays live across awaits: a char buffer filled before and read after,
// int arrays indexed by awaited values, 2-D arrays, arrays of structs.
#include <stdio.h>
#include <string.h>
#include "leaf.h"

struct item { char name[8]; int qty; };

async int checksum(const char *s)
{
    int sum = 0;
    while (*s) {
        sum = sum * 31 % 10007 + await tleaf(*s);
        s++;
    }
    return sum;
}

async int test_main(void)
{
    char buf[64];
    snprintf(buf, sizeof buf, "value=%d", await tleaf(1234));
    await tleaf(0);
    printf("buf=%s len=%zu\n", buf, strlen(buf));
    int sq[10];
    for (int i = 0; i < 10; i++)
        sq[i] = await tleaf(i * i);
    int total = 0;
    for (int i = 9; i >= 0; i--)
        total += sq[await tleaf(i)];
    printf("total=%d\n", total);
    int grid[3][4];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++)
            grid[r][c] = await tleaf(r * 10 + c);
    printf("grid[2][3]=%d grid[1][0]=%d\n", grid[2][3], grid[1][0]);
    struct item items[3] = { { "apple", 0 }, { "pear", 0 }, { "fig", 0 } };
    for (int i = 0; i < 3; i++)
        items[i].qty = await tleaf((i + 1) * 5);
    for (int i = 0; i < 3; i++)
        printf("%s:%d\n", items[i].name, items[i].qty);
    char word[16] = "strio";
    int ck = await checksum(word);
    word[0] = 'S';
    printf("checksum %d %d %s\n", ck, await checksum(word), word);
    char big[256];
    memset(big, 'x', sizeof big);
    big[255] = 0;
    await tleaf(0);
    printf("big len=%zu\n", strlen(big));
    return total + ck;
}
