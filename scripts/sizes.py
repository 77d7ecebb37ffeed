#!/usr/bin/env python3
"""Footprint of strio on a Cortex-M4, for `make sizes`.

    scripts/sizes.py --size SIZE --nm NM --core-dir DIR --probe OBJ
                     [--example NAME=OBJ,OBJ...] [--image ELF...]

Prints .text/.data/.bss per component, summed over the objects of the
firmware core (built -Os with one section per function; `size` counts
.rodata in .text), then the bytes of the runtime's objects on this 32-bit
target (from `nm -S` of a probe with one instance of each), then whole
images. Stdlib only.
"""
import argparse
import os
import subprocess
import sys

# Component -> the core's objects (basenames without .o).
COMPONENTS = [
    ('core: scheduler, timers, cancel scopes, nurseries',
     ['task', 'loop', 'timer', 'cancel', 'nursery', 'waitq', 'clock', 'sleep']),
    ('synchronisation (events, locks, channels)', ['sync']),
    ('error strings (strio_strerror)', ['error']),
    ('bare backend (events, tick and counter clocks)', ['bare']),
    ('streams (generic, stapled, listener)', ['stream', 'stapled_impl', 'listener']),
    ('buffered reader (read_until)', ['bufread_impl']),
    ('memory streams + fault injection', ['memstream_impl']),
    ('conformance suite (testing only)', ['conformance_impl']),
]
AIM_CORE_TEXT = 4096
AIM_TASK = 16


def sizes(size_tool, paths):
    out = subprocess.run([size_tool] + paths, check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout.splitlines()
    t = d = b = 0
    for line in out[1:]:
        f = line.split()
        t, d, b = t + int(f[0]), d + int(f[1]), b + int(f[2])
    return t, d, b


def where_bytes(nm_tool, paths):
    """Bytes of the generated *_where functions (await-stack walkers, a
    debugging aid: -DSTRIO_NO_WHERE leaves them out, and --gc-sections
    drops them from an image that never calls them)."""
    out = subprocess.run([nm_tool, '-S'] + paths, check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    n = 0
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in 'Tt' and f[3].endswith('_where'):
            n += int(f[1], 16)
    return n


def row(name, tdb, where=None):
    return ('%-52s %7d %6d %6d %7s' % (name, tdb[0], tdb[1], tdb[2],
                                      '' if where is None else where)).rstrip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', required=True)
    ap.add_argument('--nm', required=True)
    ap.add_argument('--core-dir', action='append', required=True)
    ap.add_argument('--probe', required=True)
    ap.add_argument('--example', action='append', default=[])
    ap.add_argument('--image', action='append', default=[])
    args = ap.parse_args()

    objs = {}
    for root, _, files in (w for d in args.core_dir for w in os.walk(d)):
        for f in files:
            if f.endswith('.o'):
                objs[f[:-2]] = os.path.join(root, f)
    print('Cortex-M4 (-mcpu=cortex-m4 -mthumb -Os, gcc %s), bytes' %
          subprocess.run([args.size.replace('size', 'gcc'), '-dumpversion'],
                         stdout=subprocess.PIPE, universal_newlines=True).stdout.strip())
    print('%-52s %7s %6s %6s %7s' % ('component', '.text', '.data', '.bss',
                                      'where*'))
    total = [0, 0, 0]
    core = None
    seen = set()
    for name, members in COMPONENTS:
        missing = [m for m in members if m not in objs]
        if missing:
            sys.exit('sizes.py: %s: no %s.o in %s' % (name, missing[0], ' '.join(args.core_dir)))
        paths = [objs[m] for m in members]
        tdb = sizes(args.size, paths)
        w = where_bytes(args.nm, paths)
        seen.update(members)
        if core is None:
            core = tdb
            print(row(name, tdb, w))
            for m in members:      # the core, object by object
                print(row('  %s' % os.path.basename(objs[m]),
                          sizes(args.size, [objs[m]]),
                          where_bytes(args.nm, [objs[m]])))
            total = [a + b for a, b in zip(total, tdb)]
            continue
        total = [a + b for a, b in zip(total, tdb)]
        print(row(name, tdb, w))
    rest = sorted(set(objs) - seen)
    if rest:
        tdb = sizes(args.size, [objs[m] for m in rest])
        total = [a + b for a, b in zip(total, tdb)]
        print(row('other (%s)' % ', '.join(rest), tdb))
    print(row('libstrio-core.a, all of it', total))
    for ex in args.example:
        name, _, paths = ex.partition('=')
        print(row(name, sizes(args.size, paths.split(',')),
                  where_bytes(args.nm, paths.split(','))))
    print('* of .text: the generated *_where await-stack walkers, a debugging '
          'aid (-DSTRIO_NO_WHERE\n  leaves them out; --gc-sections drops them '
          'from images that never call them)')

    print()
    print('core .text %d bytes: %s the 4 KiB aim; .data+.bss of the whole '
          'library %d bytes (%s)' % (
              core[0], 'within' if core[0] <= AIM_CORE_TEXT else 'OVER',
              total[1] + total[2],
              'no static RAM' if total[1] + total[2] == 0 else 'static RAM!'))

    nm = subprocess.run([args.nm, '-S', args.probe], check=True,
                        stdout=subprocess.PIPE, universal_newlines=True).stdout
    objsz = {}
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 4 and f[3].startswith('size_'):
            objsz[f[3][5:]] = int(f[1], 16)
    print()
    print('runtime objects on this 32-bit target (sizeof, bytes):')
    notes = {
        'task': 'per task, beyond its root frame (aim <= %d)' % AIM_TASK,
        'cancel_scope': 'per cancel scope (in the frame that opens it)',
        'nursery': 'per nursery (a cancel scope included)',
        'timer': 'a deadline node (inside each task and scope)',
        'pool': 'a pool header; STRIO_POOL adds a task + a frame per slot',
        'loop': 'per loop',
        'bare': 'the bare backend, per loop',
        'bare_event': 'per interrupt event',
        'bare_tick_clock': 'the tick clock',
    }
    for key in sorted(objsz, key=lambda k: (k not in notes, k)):
        print('  %-26s %5d  %s' % (key, objsz[key], notes.get(key, '')))
    task = objsz.get('task', 0)
    print()
    print('per-task overhead %d bytes: %s the %d-byte aim' % (
        task, 'within' if task <= AIM_TASK else 'over', AIM_TASK))

    if args.image:
        print()
        subprocess.run([args.size] + args.image, check=True)


if __name__ == '__main__':
    main()
