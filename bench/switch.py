#!/usr/bin/env python3
"""Context switch, spawn+join and bytes per task: strio next to its floor
(bench/switch_floor.c) and C++20 coroutines (bench/switch_coro.cpp).

Builds the three programs into $BUILD/bench (strio links $BUILD/libstrio.a,
which `make bench` builds first), runs them interleaved REPEAT times and
keeps the best time of each, so the ratios come from one run of this
script on one machine state. Figures, not pass/fail; bench/README.md says
what each one means.

Environment: CC (default cc), CXX (default g++), BUILD (default build),
ROUNDS (ping-pong round trips, default 2000000), SPAWN (tasks, default
100000), REPEAT (default 5).
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
CC = os.environ.get('CC', 'cc')
CXX = os.environ.get('CXX', 'g++')
BUILD = os.path.join(ROOT, os.environ.get('BUILD', 'build'))
OUT = os.path.join(BUILD, 'bench')
GEN_RUNTIME = os.path.join(BUILD, 'gen', 'runtime')
INCLUDES = ['-I', os.path.join(ROOT, 'runtime', 'include'), '-I', GEN_RUNTIME]
ROUNDS = int(os.environ.get('ROUNDS', '2000000'))
SPAWN = int(os.environ.get('SPAWN', '100000'))
REPEAT = int(os.environ.get('REPEAT', '5'))
CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror']
ARM_CC = 'arm-none-eabi-gcc'
ARM_CFLAGS = '-mcpu=cortex-m4 -mthumb'


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          **kw)


def build():
    """Returns {name: argv0}; coroutines may be missing (with a reason)."""
    os.makedirs(OUT, exist_ok=True)
    gen = os.path.join(OUT, 'gen')
    sh([sys.executable, os.path.join(ROOT, 'generator.py'), '-o', gen]
       + INCLUDES + [os.path.join(BENCH, 'switch.sc')])
    progs = {}
    progs['strio'] = os.path.join(OUT, 'switch_strio')
    sh([CC] + CFLAGS + INCLUDES + ['-I', gen, '-o', progs['strio'],
       os.path.join(BENCH, 'switch_main.c'), os.path.join(gen, 'switch.c'),
       os.path.join(BUILD, 'libstrio.a')])
    # The same program with the library compiled in and -flto, as a
    # statically linking user can build it: the scheduler's small calls
    # across files inline.
    progs['strio_lto'] = os.path.join(OUT, 'switch_strio_lto')
    runtime = sorted(glob.glob(os.path.join(ROOT, 'runtime', 'src', '*.c'))
                     + glob.glob(os.path.join(BUILD, 'gen', 'runtime',
                                              'strio', '*.c')))
    sh([CC] + CFLAGS + ['-flto'] + INCLUDES + ['-I', gen, '-o',
       progs['strio_lto'], os.path.join(BENCH, 'switch_main.c'),
       os.path.join(gen, 'switch.c')] + runtime + ['-pthread'])
    progs['floor'] = os.path.join(OUT, 'switch_floor')
    sh([CC] + CFLAGS + ['-o', progs['floor'],
                        os.path.join(BENCH, 'switch_floor.c')])
    coro = os.path.join(OUT, 'switch_coro')
    try:
        sh([CXX, '-std=c++20', '-O2', '-Wall', '-Wextra', '-Werror', '-o',
            coro, os.path.join(BENCH, 'switch_coro.cpp')])
        progs['coro'] = coro
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, 'stderr', '') or str(e)
        why = ('libstdc++ has no <coroutine> header'
               if 'coroutine' in err and 'No such file' in err
               else err.strip().splitlines()[-1] if err.strip() else str(e))
        progs['coro_missing'] = why
    return progs


def run(argv):
    out = sh(argv).stdout
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^(\w+) ([0-9.]+)$', out, re.M)}


def best(runs, key):
    return min(r[key] for r in runs)


def probe_sizeof(cc, cflags, exprs, extra_includes=()):
    """sizeof values as the target's compiler lays them out (-S, nothing
    runs), the way gen/report.py reads frame sizes."""
    lines = ['#include <strio/strio.h>']
    for inc in extra_includes:
        lines.append('#include "%s"' % inc)
    for i, e in enumerate(exprs):
        lines.append('const unsigned long strio_bench_%d = %s;' % (i, e))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'probe.c')
        with open(src, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        asm = sh(shlex.split(cc) + ['-std=c11', '-w', '-O0', '-S', '-o', '-',
                                    src] + INCLUDES + shlex.split(cflags)
                 ).stdout
    vals = {}
    cur = None
    for line in asm.splitlines():
        m = re.match(r'^(strio_bench_(\d+)):', line)
        if m:
            cur = int(m.group(2))
            continue
        m = re.match(r'^\s*\.(?:long|word|4byte|quad|xword|8byte)\s+(\d+)',
                     line)
        if m and cur is not None and cur not in vals:
            vals[cur] = int(m.group(1))
    return [vals[i] for i in range(len(exprs))]


def ticker_frame(cc, cflags):
    """The ticker's frame size and its member rows, from --report."""
    with tempfile.TemporaryDirectory() as tmp:
        res = sh([sys.executable, os.path.join(ROOT, 'generator.py'),
                  '--report', '--cc', cc, '--cflags', cflags, '-o', tmp]
                 + INCLUDES + [os.path.join(BENCH, 'switch.sc')])
    lines = res.stdout.splitlines()
    for i, line in enumerate(lines):
        m = re.search(r': ticker: frame (\d+) bytes', line)
        if m:
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith(' '):
                    break
                rows.append(row)
            return int(m.group(1)), rows
    raise SystemExit('switch.py: no ticker frame in --report output')


def line(label, runs, key):
    """One row: best CPU and best wall time of `runs` for `key`."""
    cpu, wall = best(runs, key), best(runs, 'wall_' + key)
    unit = key.split('_per_')[1]
    print('  %-44s %8.2f ns/%s  (wall %.2f)' % (label, cpu, unit, wall))
    return cpu


def main():
    progs = build()
    names = ['strio', 'floor'] + (['coro'] if 'coro' in progs else [])
    cc, cxx = os.path.basename(CC), os.path.basename(CXX)

    # ---- switches: interleaved, best of REPEAT ------------------------------
    sw = {n: [] for n in names}
    swv, swl = [], []
    for _ in range(REPEAT):
        for n in names:
            sw[n].append(run([progs[n], 'switch', str(ROUNDS)]))
        swv.append(run([progs['strio'], 'switch-vclock', str(ROUNDS)]))
        swl.append(run([progs['strio_lto'], 'switch', str(ROUNDS)]))
    print('context switch: ping-pong, %s round trips (%s switches), -O2, '
          'best of %d; thread CPU time (wall time in parentheses)' % (
              format(ROUNDS, ','),
              format(int(sw['strio'][0]['switches']), ','), REPEAT))
    ns = {}
    ns['strio'] = line('strio (strio_event, monotonic clock, %s)' % cc,
                       sw['strio'], 'ns_per_switch')
    ns['floor'] = line('floor (hand-written switch + FIFO, %s)' % cc,
                       sw['floor'], 'ns_per_switch')
    if 'coro' in names:
        ns['coro'] = line('C++20 coroutines (%s -std=c++20)' % cxx,
                          sw['coro'], 'ns_per_switch')
    else:
        print('  C++20 coroutines: not built (%s)' % progs['coro_missing'])
    vclock = line('strio on a virtual clock (no clock read)', swv,
                  'ns_per_switch')
    lto = line('strio, library compiled in with -flto', swl,
               'ns_per_switch')
    ratio = '  strio/floor = %.2f' % (ns['strio'] / ns['floor'])
    if 'coro' in ns:
        ratio += '   strio/coroutines = %.2f' % (ns['strio'] / ns['coro'])
    print(ratio + '   (virtual clock: %.2f, %.2f; -flto: %.2f, %.2f)' % (
        vclock / ns['floor'],
        vclock / ns['coro'] if 'coro' in ns else float('nan'),
        lto / ns['floor'],
        lto / ns['coro'] if 'coro' in ns else float('nan')))

    # ---- spawn+join ---------------------------------------------------------
    sp = {k: [] for k in ['strio', 'strio_eager'] + names[1:]}
    for _ in range(REPEAT):
        sp['strio'].append(run([progs['strio'], 'spawn', str(SPAWN), '0']))
        sp['strio_eager'].append(run([progs['strio'], 'spawn', str(SPAWN),
                                      '1']))
        for n in names[1:]:
            sp[n].append(run([progs[n], 'spawn', str(SPAWN)]))
    print('spawn+join: %s trivial tasks through 64 slots, one nursery, '
          'best of %d' % (format(SPAWN, ','), REPEAT))
    t = {}
    t['strio'] = line('strio, await strio_pool_get per spawn', sp['strio'],
                      'ns_per_task')
    t['eager'] = line('strio, try_get first (await only when full)',
                      sp['strio_eager'], 'ns_per_task')
    t['floor'] = line('floor (static slots)', sp['floor'], 'ns_per_task')
    if 'coro' in names:
        t['coro'] = line('C++20 coroutines (operator new per task)',
                         sp['coro'], 'ns_per_task')
    ratio = '  strio/floor = %.2f (try_get first: %.2f)' % (
        t['strio'] / t['floor'], t['eager'] / t['floor'])
    if 'coro' in t:
        ratio += '   strio/coroutines = %.2f (%.2f)' % (
            t['strio'] / t['coro'], t['eager'] / t['coro'])
    print(ratio)

    # ---- bytes per task -----------------------------------------------------
    print('bytes per task: sizeof(strio_task) + the frame of a task that '
          'sleeps in a loop (bench/switch.sc: ticker)')
    targets = [('x86-64', CC, '')]
    if shutil.which(ARM_CC):
        targets.append(('cortex-m4', ARM_CC, ARM_CFLAGS))
    else:
        print('  cortex-m4: %s not installed' % ARM_CC)
    for name, tcc, cflags in targets:
        task, = probe_sizeof(tcc, cflags, ['sizeof(strio_task)'])
        frame, rows = ticker_frame(tcc, cflags)
        print('  %-10s %3d task + %3d frame = %3d bytes' % (
            name + ':', task, frame, task + frame))
        if name == 'x86-64':
            for r in rows:
                print('    ' + r)
    if 'coro' in progs:
        frame = int(run([progs['coro'], 'sizes'])['frame'])
        print('  for scale (x86-64): a C++20 ping-pong coroutine frame is %d '
              'bytes (from operator new, size known only at run time); the '
              'floor\'s ping-pong task %d bytes' % (
                  frame, int(run([progs['floor'], 'sizes'])['task'])))


if __name__ == '__main__':
    main()
