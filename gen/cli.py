"""Command line of generator.py."""
import argparse
import os
import sys

from .diag import GenError
from .driver import Options, base_name, run


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog='generator.py',
        description='Turn annotated C (C11 plus async/await) into resumable '
                    'state machines: NAME.sc -> NAME.c + NAME.h.')
    ap.add_argument('inputs', nargs='+', metavar='IN.sc',
                    help='annotated sources; one run resolves awaits across '
                         'all of them')
    ap.add_argument('-o', dest='out', default=None, metavar='OUTDIR',
                    help='output directory (default: next to each input)')
    ap.add_argument('-I', dest='include', action='append', default=[],
                    metavar='DIR',
                    help='header search directory (for STRIO_ASYNC_DECL and '
                         'typedef names; also passed to the report probe)')
    ap.add_argument('--report', action='store_true',
                    help='print every async function\'s frame size and parts '
                         '(compiles a probe with --cc)')
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'),
                    help='C compiler for --report (default: $CC or cc)')
    ap.add_argument('--cflags', default='',
                    help='extra flags for the --report probe; write '
                         '--cflags="-mcpu=cortex-m4 -mthumb" (with "=")')
    ap.add_argument('--suspend-every-await', action='store_true',
                    help='testing: every await suspends once before running '
                         'its callee')
    ap.add_argument('--no-line', action='store_true',
                    help='omit #line directives')
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    opts = Options(args.out, args.include, args.suspend_every_await,
                   args.no_line)
    try:
        results, funcs = run(args.inputs, opts)
    except GenError as e:
        print(e.format(), file=sys.stderr)
        return 1
    except OSError as e:
        print('generator.py: error: %s' % e, file=sys.stderr)
        return 1
    plan = []
    inputs = {os.path.abspath(p) for p in args.inputs}
    for path in args.inputs:
        c_text, h_text = results[path]
        out_dir = args.out if args.out is not None else (
            os.path.dirname(path) or '.')
        name = base_name(path)
        for ext, text in (('.c', c_text), ('.h', h_text)):
            target = os.path.join(out_dir, name + ext)
            if os.path.abspath(target) in inputs:
                print('generator.py: error: output %s would overwrite an '
                      'input' % target, file=sys.stderr)
                return 1
            plan.append((out_dir, target, text))
    written = []
    for out_dir, target, text in plan:
        os.makedirs(out_dir, exist_ok=True)
        _write(target, text)
        if target.endswith('.c'):
            written.append((args.inputs[len(written)], target))
    if args.report:
        from .report import report
        return report(written, funcs, args)
    return 0


def _write(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)
