// Structs: locals live across awaits, returned from async functions,
// passed by value, member access on an awaited result, nested structs and
// unions.
#include <stdio.h>
#include "leaf.h"

struct vec { int x, y; };
struct rect { struct vec lo, hi; char tag[4]; };
union num { int i; unsigned u; };

async struct vec vadd(struct vec a, struct vec b)
{
    struct vec r;
    r.x = a.x + await tleaf(b.x);
    r.y = a.y + await tleaf(b.y);
    return r;
}

async struct rect mkrect(int w, int h)
{
    struct rect r = { { 0, 0 }, { 0, 0 }, "box" };
    r.hi = await vadd(r.lo, (struct vec){ w, h });
    return r;
}

static int area(struct rect r)
{
    return (r.hi.x - r.lo.x) * (r.hi.y - r.lo.y);
}

async int test_main(void)
{
    struct vec a = { 1, 2 };
    struct vec b = await vadd(a, (struct vec){ 10, 20 });
    printf("b=%d,%d\n", b.x, b.y);
    struct vec c = await vadd(await vadd(a, b), await vadd(b, b));
    printf("c=%d,%d\n", c.x, c.y);
    struct rect r = await mkrect(3, 4);
    await tleaf(0);
    printf("rect %s %d,%d-%d,%d area=%d\n", r.tag, r.lo.x, r.lo.y, r.hi.x, r.hi.y, area(r));
    printf("area2=%d\n", area(await mkrect(5, 6)));
    int hx = (await mkrect(7, 8)).hi.x;
    printf("hx=%d\n", hx);
    union num n;
    n.i = await tleaf(-1);
    await tleaf(0);
    printf("n.u=%u\n", n.u);
    struct vec arr[2] = { await vadd(a, a), await vadd(b, a) };
    printf("arr=%d,%d %d,%d\n", arr[0].x, arr[0].y, arr[1].x, arr[1].y);
    a = await vadd(a, a);
    printf("a=%d,%d\n", a.x, a.y);
    return b.x + c.y + hx + arr[1].x + a.y;
}
