// reject: setjmp
#include <setjmp.h>
#include "leaf.h"
async int test_main(void)
{
    jmp_buf jb;
    if (setjmp(jb)) // <-- error
        return 1;
    await tleaf(0);
    longjmp(jb, 1);
}
