"""--report: every async function's frame size and what it is made of.

The generator cannot evaluate sizeof (DESIGN.md §2), so it compiles a probe
that includes the generated C and defines one constant per size or offset,
compiles it to assembly with the target's compiler (cross compilers work:
nothing is run) and reads the constants back.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

_VALUE = re.compile(r'^\s*\.(?:long|word|4byte|int|quad|xword|8byte)\s+(\d+)')


def report(written, funcs, args):
    by_unit = {}
    for f in funcs.values():
        by_unit.setdefault(f.unit.path, []).append(f)
    status = 0
    for src_path, c_path in written:
        fs = sorted(by_unit.get(src_path, []), key=lambda f: f.fn.first)
        if not fs:
            continue
        try:
            text = describe(c_path, fs, args)
        except ProbeError as e:
            print('generator.py: error: --report: %s' % e, file=sys.stderr)
            status = 1
            continue
        sys.stdout.write(text)
    return status


class ProbeError(Exception):
    pass


def describe(c_path, fs, args):
    probes = []      # expressions, in order

    def probe(expr):
        probes.append(expr)
        return len(probes) - 1

    plans = []
    for f in fs:
        frame = 'struct %s_frame' % f.fn.name
        rows = []
        size = probe('sizeof(%s)' % frame)
        align = probe('_Alignof(%s)' % frame)
        rows.append((0, 'strio_state', 'resume state', 'strio_state'))
        if not f.fn.sig.ret_void:
            rows.append((0, 'strio_ret', 'result', 'strio_ret'))
        walk(f.frame.items, '', 0, rows, f.src)
        plan = []
        for depth, path, what, name in rows:
            plan.append((depth, name, what,
                         probe('sizeof(((%s *)0)->%s)' % (frame, path)),
                         probe('offsetof(%s, %s)' % (frame, path))))
        plans.append((f, size, align, plan))
    values = run_probe(c_path, probes, args)
    out = []
    for f, size, align, plan in plans:
        src = f.src
        out.append('%s:%d: %s: frame %d bytes (align %d), %d await%s\n'
                   '  offset   size  member\n' % (
            src.name, src.line_of(f.fn.name_tok.start), f.fn.name,
            values[size], values[align], len(f.sites),
            '' if len(f.sites) == 1 else 's'))
        for depth, name, what, sz, off in plan:
            out.append('  %6d %6d  %s%-*s %s\n' % (
                values[off], values[sz], '  ' * depth,
                max(1, 22 - 2 * depth), name, what))
    return ''.join(out)


def walk(items, prefix, depth, rows, src):
    for m in items:
        path = prefix + m.name
        if m.kind == 'var':
            v = m.var
            kind = {'param': 'parameter', 'temp': 'temporary'}.get(
                v.kind, 'local')
            what = '%s %s' % (kind, v.name) if kind != 'temporary' else kind
            if v.tok is not None:
                what += ' (line %d)' % src.line_of(v.tok.start)
            rows.append((depth, path, what, m.name))
        elif m.kind == 'site':
            rows.append((depth, path, 'await %s (line %d)' % (
                m.site.sig.name, m.site.line), m.name))
        else:
            what = 'union: storage shared by %d' % len(m.items) \
                if m.kind == 'union' else 'struct: nested block'
            rows.append((depth, path, what, m.name))
            walk(m.items, path + '.', depth + 1, rows, src)


def run_probe(c_path, probes, args):
    lines = ['#include <stddef.h>', '#include "%s"' % os.path.abspath(c_path)]
    for i, expr in enumerate(probes):
        lines.append('const unsigned long strio_probe_%d = %s;' % (i, expr))
    with tempfile.TemporaryDirectory() as tmp:
        probe_c = os.path.join(tmp, 'probe.c')
        with open(probe_c, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        cmd = shlex.split(args.cc) + ['-std=c11', '-w', '-O0', '-S',
                                      '-o', '-', probe_c,
                                      '-I', os.path.dirname(os.path.abspath(
                                          c_path))]
        for d in args.include:
            cmd += ['-I', d]
        cmd += shlex.split(args.cflags)
        try:
            res = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as e:
            raise ProbeError('cannot run %s: %s' % (args.cc, e))
        if res.returncode != 0:
            raise ProbeError('the probe did not compile (%s):\n%s' % (
                ' '.join(cmd), res.stderr.strip()))
    return parse_asm(res.stdout, len(probes))


def parse_asm(asm, count):
    values = {}
    label = None
    for line in asm.splitlines():
        m = re.match(r'^_?strio_probe_(\d+):', line)
        if m:
            label = int(m.group(1))
            continue
        if label is not None:
            m = _VALUE.match(line)
            if m:
                values[label] = int(m.group(1))
                label = None
            elif re.match(r'^\s*\.(?:zero|space|skip)\s', line):
                values[label] = 0        # zero-initialized
                label = None
    missing = [i for i in range(count) if i not in values]
    if missing:
        raise ProbeError('could not read probe values from the assembly')
    return [values[i] for i in range(count)]
