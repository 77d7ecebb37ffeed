#!/usr/bin/env python3
"""Generator throughput: a ~10,000-line annotated file through one run.

Prints input size, wall time of the generator (best of 3, in-process, the
same code path as the CLI) and lines per second. The input mixes every
construct the dialect has (loops, switch, awaits inside conditions and
expressions, nested blocks, shadowing) in ~340 functions, each awaiting the
previous one, so resolution, liveness and layout all do real work.
"""
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gen.driver import Options, run  # noqa: E402

TEMPLATE = '''
async int f{k}(int a, int b)
{{
    int acc = a;
    char buf[32];
    for (int i = 0; i < b; i++) {{
        acc += await {prev}(i, acc & 7);
        buf[i & 31] = (char)acc;
        if (acc > 1000 && await strio_checkpoint() == 0)
            acc -= 999;
    }}
    switch (acc & 3) {{
    case 0:
        acc = acc * 2 + await {prev}(acc, 1);
        /* fallthrough */
    case 1: {{
        int acc = await {prev}(b, 2) + 1;
        b += acc;
        break;
    }}
    default:
        while (await {prev}(b, 0) > 3 && b > 0)
            b--;
    }}
    do {{
        acc ^= buf[b & 31];
    }} while (await {prev}(acc, 0) < 0);
    return acc + b;
}}
'''


def make_input(functions):
    parts = ['#include <strio/strio.h>\n',
             'static async int f0(int a, int b)\n{\n'
             '    await strio_checkpoint();\n    return a + b;\n}\n']
    for k in range(1, functions + 1):
        parts.append(TEMPLATE.format(k=k, prev='f%d' % (k - 1)))
    return ''.join(parts)


def main():
    functions = 1
    while make_input(functions).count('\n') < 10000:
        functions += 10
    text = make_input(functions)
    lines = text.count('\n')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'big.sc')
        with open(path, 'w') as f:
            f.write(text)
        opts = Options(tmp, [os.path.join(ROOT, 'runtime', 'include')])
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            run([path], opts)
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
    print('generator throughput: %d lines, %d async functions: %.3f s '
          '(best of 3), %.0f lines/s (aim: < 1 s)' % (
              lines, functions + 1, best, lines / best))


if __name__ == '__main__':
    main()
