#!/usr/bin/env python3
"""Differential tests for the strio generator.

For every corpus program tests/gen/corpus/NAME.sc (and for --random N
programs made by randprog.py) this checks that the generated state machines
print exactly what the program means:

  erased     the source with the words `async`/`await` blanked out is
             compiled as plain C11 (tleaf is then a plain function,
             support/plain/) and run; its stdout is the reference. A program
             whose first line is `// differential: expected-only` relies on
             the dialect's left-to-right order, which plain C leaves open: it
             is not built erased and NAME.expected is the reference. When
             NAME.expected exists for any program the erased output must
             match it too.
  generated  generator.py turns NAME.sc into NAME.c/NAME.h, compiled with
             support/leaf.c, the runtime and a driver running test_main as a
             task (strio_task_init/strio_task_run). It runs with the leaf
             never suspending, always suspending, at random (one run per
             --seeds) and in bursts of up to three suspensions per call.
  every      the same with `generator.py --suspend-every-await`.

Every run's stdout must equal the reference. The driver also checks the
calling convention: without --suspend-every-await the task suspends exactly
as often as leaves did (a leaf's PENDING always reaches the runner, nothing
else suspends); with it, at least once more per leaf call; every started
leaf completed; the generated header compiles on its own. The leaf aborts
when resumed with the wrong task, after completion, or after its frame
moved. Before every resume the driver fills the stack below it with garbage,
so a local the generator wrongly kept on the C stack across a suspension
reads garbage instead of, by luck, its stale value.

tests/gen/reject/*.sc must be refused: first line `// reject: REGEX`; the
generator must exit 1 with `NAME.sc:LINE:COL: error: MSG` on a line marked
`// <-- error`, MSG matching REGEX.

    python3 tests/gen/differential.py [--cc clang] [--seeds 3] [--random 40]
        [--random-seed 1] [--cflags="-O2 -fsanitize=address,undefined"]
        [--corpus DIR] [NAME... | rand_SEED... | reject_NAME...]

Runs on 2 cores (--jobs). Work files go to --build (default build/difftest).
Last line: `differential: N passed, M failed`; exit status 1 if any failed.
Stdlib only.
"""

import argparse
import concurrent.futures
import difflib
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, 'corpus')
SUPPORT = os.path.join(HERE, 'support')
PLAIN = os.path.join(SUPPORT, 'plain')
RUNTIME_INC = os.path.join(ROOT, 'runtime', 'include')
RUNTIME_SRC = os.path.join(ROOT, 'runtime', 'src')

sys.path.insert(0, HERE)

EXPECTED_ONLY = re.compile(r'^\s*//\s*differential:\s*expected-only\b')
REJECT = os.path.join(HERE, 'reject')
REJECT_HEAD = re.compile(r'^\s*//\s*reject:\s*(.*?)\s*$')
ERROR_MARK = '// <-- error'

WARN = ['-std=c11', '-Wall', '-Wextra']

RUN_TIMEOUT = 5
TOOL_TIMEOUT = 120

ERASED_DRIVER = r'''/* differential.py: driver of the erased (plain C) build */
#include <stdio.h>
#include "leaf.h"

int test_main(void);

int main(void)
{
    int r = test_main();
    printf("result %d\n", r);
    return 0;
}
'''

GEN_DRIVER = r'''/* differential.py: driver of the generated build */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strio/task.h>
#include "leaf.h"
#include STRIO_TEST_HEADER

/*
 * Every resume starts with a stack full of garbage: a local that should
 * live in the frame but was kept on the C stack then reads a wrong value
 * after a suspension instead of, by luck, the stale one.
 */
static unsigned char scrub_pattern = 0xC3;

__attribute__((noinline)) static void scrub_stack(void)
{
    unsigned char junk[8192];
    memset(junk, scrub_pattern, sizeof junk);
    __asm__ __volatile__("" : : "r"(junk) : "memory");
    scrub_pattern = (unsigned char)(scrub_pattern * 5 + 1);
}

static int scrub_then_resume(void *frame, strio_task *task)
{
    scrub_stack();
    return test_main_resume(frame, task);
}

int main(int argc, char **argv)
{
    int mode = argc > 1 ? atoi(argv[1]) : TLEAF_NEVER;
    unsigned seed = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 0;
    int every = argc > 3 && strcmp(argv[3], "every") == 0;
    struct test_main_frame frame;
    strio_task task;
    unsigned long ran;
    int bad = 0;

    /* start() must initialize what resume() needs: no zeroed frames. */
    memset(&frame, 0xA5, sizeof frame);
    memset(&task, 0x5A, sizeof task);
    tleaf_mode(mode);
    tleaf_seed(seed);
    tleaf_expect_task(&task);
    test_main_start(&frame);
#if TLEAF_TASK_API >= 2
    strio_task_init(&task, scrub_then_resume, &frame, &frame.strio_ret);
#else
    strio_task_init(&task, scrub_then_resume, &frame);
#endif
    ran = strio_task_run(&task);
    printf("result %d\n", frame.strio_ret);
    fflush(stdout);
    fprintf(stderr, "frame %lu bytes, %lu suspensions, %lu leaf calls, "
            "%lu leaf suspensions\n", (unsigned long)sizeof frame, ran,
            tleaf_calls(), tleaf_suspends());
    if (tleaf_completions() != tleaf_calls()) {
        fprintf(stderr, "CHECK: %lu leaves started but %lu completed\n",
                tleaf_calls(), tleaf_completions());
        bad = 1;
    }
    if (!every && ran != tleaf_suspends()) {
        fprintf(stderr, "CHECK: the task suspended %lu times but leaves "
                "suspended %lu times (a leaf's PENDING must reach the runner, "
                "nothing else may suspend)\n", ran, tleaf_suspends());
        bad = 1;
    }
    if (every && ran < tleaf_suspends() + tleaf_calls()) {
        fprintf(stderr, "CHECK: with --suspend-every-await the task suspended "
                "only %lu times for %lu leaf awaits and %lu leaf suspensions\n",
                ran, tleaf_calls(), tleaf_suspends());
        bad = 1;
    }
    return bad ? 3 : 0;
}
'''

TASK_API_PROBE = r'''/* differential.py: does strio_task_init take a result pointer? */
#include <strio/task.h>
void probe(strio_task *t, strio_resume_fn f, void *frame, int *r);
void probe(strio_task *t, strio_resume_fn f, void *frame, int *r)
{
    strio_task_init(t, f, frame, r);
}
'''

HEADER_PROBE = '/* differential.py: the generated header must stand alone */\n' \
               '#include STRIO_TEST_HEADER\n'

MODE_NAMES = {0: 'never', 1: 'always', 2: 'random', 3: 'burst'}


# ---------------------------------------------------------------- erasing

_TOKEN = re.compile(
    r'//[^\n]*'                        # line comment
    r'|/\*.*?\*/'                      # block comment
    r'|"(?:\\.|[^"\\\n])*"'            # string literal
    r"|'(?:\\.|[^'\\\n])*'"            # character constant
    r'|[A-Za-z_][A-Za-z_0-9]*',        # identifier or keyword
    re.S)


def erase(source):
    """Replace the identifiers `async` and `await` outside comments, strings
    and character constants with spaces (so columns stay the same)."""
    def repl(m):
        word = m.group(0)
        if word in ('async', 'await'):
            return ' ' * len(word)
        return word
    return _TOKEN.sub(repl, source)


# ---------------------------------------------------------------- helpers

class Failure(Exception):
    pass


def quote(cmd):
    return ' '.join(shlex.quote(c) for c in cmd)


def clip(text, lines=25):
    out = text.rstrip('\n').splitlines() or ['(empty)']
    if len(out) > lines:
        out = out[:lines] + ['... (%d more lines)' % (len(out) - lines)]
    return '\n'.join('    ' + l for l in out)


def short_diff(want, got, lines=20):
    d = list(difflib.unified_diff(want.splitlines(), got.splitlines(),
                                  'expected', 'got', lineterm='', n=1))
    if len(d) > lines:
        d = d[:lines] + ['... (%d more diff lines)' % (len(d) - lines)]
    return '\n'.join('    ' + l for l in d)


def run_tool(cmd, what, timeout=TOOL_TIMEOUT, cwd=None):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise Failure('%s timed out after %ds\n  $ %s' % (what, timeout, quote(cmd)))
    except OSError as e:
        raise Failure('%s could not start: %s\n  $ %s' % (what, e, quote(cmd)))
    if p.returncode != 0:
        text = (p.stderr + p.stdout).decode('utf-8', 'replace')
        raise Failure('%s failed (exit %d)\n  $ %s\n%s'
                      % (what, p.returncode, quote(cmd), clip(text)))
    return p


def describe_status(rc):
    if rc < 0:
        try:
            return 'crashed with %s' % signal.Signals(-rc).name
        except ValueError:
            return 'killed by signal %d' % -rc
    return 'exited with status %d' % rc


def run_program(cmd, what):
    """Runs a test program; returns stdout. Raises Failure on a crash,
    a nonzero exit or a timeout (stdout so far is shown)."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode('utf-8', 'replace')
        raise Failure('%s timed out after %ds\n  $ %s\n  stdout so far:\n%s'
                      % (what, RUN_TIMEOUT, quote(cmd), clip(out, 10)))
    out = p.stdout.decode('utf-8', 'replace')
    if p.returncode != 0:
        err = p.stderr.decode('utf-8', 'replace')
        raise Failure('%s %s\n  $ %s\n  stderr:\n%s\n  stdout (last lines):\n%s'
                      % (what, describe_status(p.returncode), quote(cmd),
                         clip(err, 15), clip('\n'.join(out.splitlines()[-8:]), 8)))
    return out


# ---------------------------------------------------------------- harness

class Harness:
    def __init__(self, args):
        self.args = args
        self.cc = shlex.split(args.cc)
        self.build = os.path.abspath(args.build)
        self.gen = os.path.abspath(args.gen)
        self.cflags = WARN + ([] if args.no_werror else ['-Werror']) + \
            ['-g'] + shlex.split(args.cflags)
        self.lock = threading.Lock()
        self.rt_inc = os.path.abspath(args.runtime_include)
        self.rt_src = [os.path.abspath(p) for p in shlex.split(args.runtime_src)]
        if not self.rt_src:
            self.rt_src = sorted(glob.glob(os.path.join(RUNTIME_SRC, '*.c')) +
                                 glob.glob(os.path.join(RUNTIME_SRC, '*.sc')))

    # One-time setup: drivers and the objects every generated build links.
    def prepare(self):
        os.makedirs(self.build, exist_ok=True)
        common = os.path.join(self.build, '_common')
        os.makedirs(common, exist_ok=True)
        self.erased_driver = os.path.join(common, 'erased_driver.c')
        self.gen_driver = os.path.join(common, 'gen_driver.c')
        self.header_probe = os.path.join(common, 'header_probe.c')
        for path, text in ((self.erased_driver, ERASED_DRIVER),
                           (self.gen_driver, GEN_DRIVER),
                           (self.header_probe, HEADER_PROBE)):
            with open(path, 'w') as f:
                f.write(text)
        self.plain_leaf_o = os.path.join(common, 'leaf_plain.o')
        run_tool(self.cc + self.cflags + ['-I', PLAIN, '-c',
                 os.path.join(PLAIN, 'leaf_plain.c'), '-o', self.plain_leaf_o],
                 'compiling support/plain/leaf_plain.c')
        if self.args.erased_only:
            return
        # Which strio_task_init the runtime has (its API is still growing).
        probe = os.path.join(common, 'task_api_probe.c')
        with open(probe, 'w') as f:
            f.write(TASK_API_PROBE)
        p = subprocess.run(self.cc + self.cflags + ['-I', self.rt_inc, '-fsyntax-only', probe],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.task_api = 2 if p.returncode == 0 else 1
        self.cflags = self.cflags + ['-DTLEAF_TASK_API=%d' % self.task_api]
        self.leaf_o = os.path.join(common, 'leaf.o')
        run_tool(self.cc + self.cflags + ['-I', SUPPORT, '-I', self.rt_inc, '-c',
                 os.path.join(SUPPORT, 'leaf.c'), '-o', self.leaf_o],
                 'compiling support/leaf.c')
        # The runtime: .c files are compiled here, .sc files generated (in
        # one run) and compiled, and all of it goes into one archive, so the
        # link pulls in only what the driver and the leaf need. Other files
        # (an archive, an object) are linked as they are.
        rt_c = [p for p in self.rt_src if p.endswith('.c')]
        rt_sc = [p for p in self.rt_src if p.endswith('.sc')]
        rt_other = [p for p in self.rt_src if not p.endswith(('.c', '.sc'))]
        gen_inc = []
        if rt_sc:
            rtgen = os.path.join(common, 'rtgen')
            os.makedirs(rtgen, exist_ok=True)
            try:
                run_tool([sys.executable, self.gen, '-o', rtgen, '-I', self.rt_inc] + rt_sc,
                         'generating the runtime\'s .sc files')
                rt_c += [os.path.join(rtgen, os.path.basename(p)[:-3] + '.c') for p in rt_sc]
                gen_inc = ['-I', rtgen]
            except Failure as e:
                self.say('warning: runtime .sc files left out: %s' % e)
        objs = []
        for i, src in enumerate(rt_c):
            obj = os.path.join(common, 'rt%d_%s.o' % (i, os.path.basename(src)[:-2]))
            try:
                run_tool(self.cc + self.cflags + ['-I', self.rt_inc] + gen_inc +
                         ['-c', src, '-o', obj], 'compiling %s' % src)
                objs.append(obj)
            except Failure as e:
                self.say('warning: runtime file left out: %s' % e)
        self.rt_objs = []
        if objs:
            lib = os.path.join(common, 'libdiffruntime.a')
            if os.path.exists(lib):
                os.remove(lib)
            run_tool([self.args.ar, 'rcs', lib] + objs, 'archiving the runtime')
            self.rt_objs.append(lib)
        self.rt_objs += rt_other

    def say(self, text):
        with self.lock:
            print(text, flush=True)

    # The erased build: returns its stdout.
    def erased(self, name, source, work):
        d = os.path.join(work, 'erased')
        os.makedirs(d, exist_ok=True)
        c = os.path.join(d, name + '.c')
        with open(c, 'w') as f:
            f.write(erase(source))
        exe = os.path.join(d, name)
        run_tool(self.cc + self.cflags + ['-I', PLAIN, c, self.erased_driver,
                 self.plain_leaf_o, '-o', exe], 'erased build: compiling')
        return run_program([exe], 'erased build: program')

    # One generated build (plain or --suspend-every-await); returns errors.
    def generated(self, name, src, work, every, reference):
        tag = 'every' if every else 'gen'
        label = 'generated (--suspend-every-await)' if every else 'generated'
        d = os.path.join(work, tag)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        cmd = [sys.executable, self.gen, '-o', d, '-I', SUPPORT, '-I', self.rt_inc]
        if every:
            cmd.append('--suspend-every-await')
        if self.args.no_line:
            cmd.append('--no-line')
        cmd.append(src)
        if not os.path.exists(self.gen):
            return ['%s: generator %s does not exist' % (label, self.gen)]
        try:
            run_tool(cmd, '%s: generator' % label)
            gc, gh = os.path.join(d, name + '.c'), os.path.join(d, name + '.h')
            for p in (gc, gh):
                if not os.path.exists(p):
                    raise Failure('%s: generator did not write %s\n  $ %s'
                                  % (label, p, quote(cmd)))
            incs = ['-I', d, '-I', SUPPORT, '-I', self.rt_inc,
                    '-DSTRIO_TEST_HEADER="%s.h"' % name]
            exe = os.path.join(d, name)
            run_tool(self.cc + self.cflags + incs + [gc, self.gen_driver,
                     self.leaf_o] + self.rt_objs + ['-o', exe],
                     '%s: compiling the generated C' % label)
        except Failure as e:
            return [str(e)]
        errors = []
        # The header must compile on its own (it is what users include).
        try:
            run_tool(self.cc + self.cflags + incs + ['-fsyntax-only',
                     self.header_probe], '%s: %s.h alone (not self-contained)'
                     % (label, name))
        except Failure as e:
            errors.append(str(e))
        runs = [(0, 0), (1, 0)] + [(2, s) for s in range(1, self.args.seeds + 1)] \
            + [(3, 1)]
        diffed = False
        for mode, seed in runs:
            what = '%s, leaf %s%s' % (label, MODE_NAMES[mode],
                                      ' seed %d' % seed if mode >= 2 else '')
            run = [exe, str(mode), str(seed), 'every' if every else 'exact']
            try:
                out = run_program(run, what)
            except Failure as e:
                errors.append(str(e))
                continue
            if out != reference:
                msg = '%s: output differs from the reference\n  $ %s' % (what, quote(run))
                if not diffed:
                    msg += '\n' + short_diff(reference, out)
                    diffed = True
                errors.append(msg)
        return errors

    def check(self, name, src, source, expected=None, note=''):
        """Checks one program; returns (name, [errors])."""
        work = os.path.join(self.build, name)
        os.makedirs(work, exist_ok=True)
        errors = []
        expected_only = bool(EXPECTED_ONLY.match(source.split('\n', 1)[0]))
        reference = expected
        if expected_only and expected is None:
            errors.append('marked expected-only but %s.expected is missing' % name)
        if not expected_only:
            try:
                out = self.erased(name, source, work)
                if expected is not None and out != expected:
                    errors.append('erased build: output differs from %s.expected\n%s'
                                  % (name, short_diff(expected, out)))
                if reference is None:
                    reference = out
            except Failure as e:
                errors.append(str(e))
        if reference is not None and not self.args.erased_only:
            for every in (False, True):
                errors += self.generated(name, src, work, every, reference)
        if errors and note:
            errors.insert(0, note)
        return name, errors

    def check_corpus(self, path):
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path) as f:
            source = f.read()
        expected = None
        exp = os.path.splitext(path)[0] + '.expected'
        if os.path.exists(exp):
            with open(exp) as f:
                expected = f.read()
        return self.check(name, path, source, expected)

    def check_reject(self, path):
        """A program the generator must refuse: exit status 1 and a
        `NAME.sc:LINE:COL: error: MESSAGE` diagnostic on a line marked
        `// <-- error`, with MESSAGE matching the regex of the first line
        `// reject: REGEX` (case-insensitive)."""
        base = os.path.basename(path)
        name = 'reject_' + os.path.splitext(base)[0]
        with open(path) as f:
            lines = f.read().split('\n')
        m = REJECT_HEAD.match(lines[0])
        marked = {i + 1 for i, l in enumerate(lines) if ERROR_MARK in l}
        if not m or not marked:
            return name, ['%s: needs a first line `// reject: REGEX` and a line marked `%s`'
                          % (base, ERROR_MARK)]
        want = re.compile(m.group(1), re.I)
        d = os.path.join(self.build, name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        cmd = [sys.executable, self.gen, '-o', d, '-I', SUPPORT, '-I', self.rt_inc, path]
        if not os.path.exists(self.gen):
            return name, ['generator %s does not exist' % self.gen]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=TOOL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return name, ['generator timed out\n  $ %s' % quote(cmd)]
        err = p.stderr.decode('utf-8', 'replace')
        diag = re.compile(r'^(?:.*[/\\])?%s:(\d+):(\d+): error: (.*)$' % re.escape(base), re.M)
        found = [(int(l), c, msg) for l, c, msg in diag.findall(err)]
        problems = []
        if 'Traceback (most recent call last)' in err:
            problems.append('the generator crashed')
        if p.returncode != 1:
            problems.append('exit status %d (want 1)' % p.returncode)
        if not any(l in marked and want.search(msg) for l, c, msg in found):
            problems.append('no `%s:LINE:COL: error:` diagnostic on line %s matching /%s/'
                            % (base, ' or '.join(str(l) for l in sorted(marked)), want.pattern))
        if problems:
            return name, ['should be rejected: %s\n  $ %s\n  stderr:\n%s'
                          % ('; '.join(problems), quote(cmd), clip(err, 12))]
        return name, []

    def check_random(self, seed):
        import randprog
        name = 'rand_%d' % seed
        work = os.path.join(self.build, name)
        os.makedirs(work, exist_ok=True)
        source = randprog.generate(seed)
        src = os.path.join(work, name + '.sc')
        with open(src, 'w') as f:
            f.write(source)
        note = ('random program seed %d (regenerate: python3 %s --seed %d -o %s.sc)'
                % (seed, os.path.relpath(os.path.join(HERE, 'randprog.py')), seed, name))
        return self.check(name, src, source, None, note)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--cc', default='cc', help='C compiler (default cc)')
    ap.add_argument('--build', default=os.path.join(ROOT, 'build', 'difftest'),
                    help='work directory (default build/difftest)')
    ap.add_argument('--gen', default=os.path.join(ROOT, 'generator.py'),
                    help='path to generator.py (default: the repository one)')
    ap.add_argument('--seeds', type=int, default=3,
                    help='random leaf seeds per generated build (default 3)')
    ap.add_argument('--random', type=int, default=40, metavar='N',
                    help='also check N random programs (default 40)')
    ap.add_argument('--random-seed', type=int, default=1, metavar='S',
                    help='seed of the first random program (default 1)')
    ap.add_argument('--corpus', default=CORPUS, metavar='DIR',
                    help='directory of NAME.sc programs (default tests/gen/corpus)')
    ap.add_argument('--runtime-include', default=RUNTIME_INC, metavar='DIR',
                    help='runtime headers (default runtime/include)')
    ap.add_argument('--runtime-src', default='', metavar='FILES',
                    help='runtime for the generated builds, space separated: .c compiled, '
                    '.sc generated and compiled, .a/.o linked (default: every .c and .sc '
                    'in runtime/src, archived so only what is needed gets linked)')
    ap.add_argument('--ar', default='ar', help='archiver (default ar)')
    ap.add_argument('--jobs', '-j', type=int, default=2,
                    help='programs checked in parallel (default 2)')
    ap.add_argument('--cflags', default='',
                    help='extra compiler flags for every build, e.g. '
                    '--cflags="-O2 -fsanitize=address,undefined" (note the =)')
    ap.add_argument('--no-werror', action='store_true',
                    help='compile without -Werror (to tell warnings from real failures)')
    ap.add_argument('--no-line', action='store_true',
                    help='pass --no-line to the generator')
    ap.add_argument('--erased-only', action='store_true',
                    help='only build and run the erased programs (no generator needed)')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='print every passing program too')
    ap.add_argument('names', nargs='*',
                    help='only these programs (corpus names, or rand_SEED)')
    args = ap.parse_args()

    h = Harness(args)
    try:
        h.prepare()
    except Failure as e:
        print('setup failed: %s' % e)
        print('differential: 0 passed, 1 failed')
        return 1

    jobs = []
    corpus = sorted(os.path.join(args.corpus, f) for f in os.listdir(args.corpus)
                    if f.endswith('.sc'))
    wanted = set(args.names)
    rand_wanted = set()
    for n in wanted:
        m = re.match(r'^rand_(\d+)$', n)
        if m:
            rand_wanted.add(int(m.group(1)))
    known = {os.path.splitext(os.path.basename(p))[0] for p in corpus}
    if os.path.isdir(REJECT):
        known |= {'reject_' + os.path.splitext(f)[0] for f in os.listdir(REJECT)
                  if f.endswith('.sc')}
    unknown = [n for n in wanted if n not in known and not re.match(r'^rand_\d+$', n)]
    if unknown:
        print('unknown program(s): %s' % ', '.join(sorted(unknown)))
        print('differential: 0 passed, %d failed' % len(unknown))
        return 1
    for p in corpus:
        if not wanted or os.path.splitext(os.path.basename(p))[0] in wanted:
            jobs.append((h.check_corpus, p))
    if not args.erased_only and os.path.isdir(REJECT) and args.corpus == CORPUS:
        for f in sorted(os.listdir(REJECT)):
            n = 'reject_' + os.path.splitext(f)[0]
            if f.endswith('.sc') and (not wanted or n in wanted):
                jobs.append((h.check_reject, os.path.join(REJECT, f)))
    if wanted:
        seeds = sorted(rand_wanted)
    else:
        seeds = range(args.random_seed, args.random_seed + args.random)
    for s in seeds:
        jobs.append((h.check_random, s))

    passed, failed = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(fn, arg) for fn, arg in jobs]
        for fut in concurrent.futures.as_completed(futs):
            try:
                name, errors = fut.result()
            except Exception as e:  # a harness bug: report, keep going
                name, errors = '?', ['harness error: %r' % e]
            if errors:
                failed.append(name)
                h.say('FAIL %s\n%s' % (name, '\n'.join('  ' + e.replace('\n', '\n  ')
                                                      for e in errors)))
            else:
                passed.append(name)
                if args.verbose:
                    h.say('ok   %s' % name)
    if failed:
        print('failed: %s' % ' '.join(sorted(failed)))
    print('differential: %d passed, %d failed' % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
