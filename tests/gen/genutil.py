"""Shared helpers of the generator's unittest files (tests/gen/test_*.py).

Not a test module itself: `python3 -m unittest discover -s tests/gen -p
'test_*.py'` puts tests/gen on sys.path, so the test files `import genutil`.
Stdlib only. Everything is built in temporary directories.
"""
import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GENERATOR = os.path.join(ROOT, 'generator.py')
RUNTIME_INC = os.path.join(ROOT, 'runtime', 'include')

GCC = shutil.which('gcc')
CLANG = shutil.which('clang')

TIMEOUT = 120

# The generator is started many times: let its bytecode be cached for the
# whole test run (in a private directory, never next to the sources).
_PYCACHE = tempfile.mkdtemp(prefix='strio-gentest-pyc-')
atexit.register(shutil.rmtree, _PYCACHE, True)


# A leaf and a runner for the generated programs the tests build. They
# need only the calling convention of strio/async.h, so these tests do not
# depend on the scheduler in runtime/src (which grows independently).
GT_H = r'''/* Generator tests: a checkpoint leaf and a task runner. */
#ifndef GTEST_H
#define GTEST_H
#include <strio/async.h>

/* async int gt_checkpoint(void): suspends once, then completes with 0. */
STRIO_ASYNC_DECL(int gt_checkpoint(void))
struct gt_checkpoint_frame {
    unsigned short strio_state;
    int strio_ret;
};
void gt_checkpoint_start(struct gt_checkpoint_frame *frame);
int gt_checkpoint_resume(void *frame, strio_task *task);

/* Runs a started root frame until it completes; returns the number of
   suspensions. Aborts if a leaf is resumed with another task, resumed
   after completing, or never started. */
unsigned long gt_run(strio_resume_fn resume, void *frame);

#endif
'''

GT_C = r'''#include <stdlib.h>
#include "gtest.h"

static int gt_token;
#define GT_TASK ((strio_task *)(void *)&gt_token)

void gt_checkpoint_start(struct gt_checkpoint_frame *frame)
{
    frame->strio_state = 0;
}

int gt_checkpoint_resume(void *vframe, strio_task *task)
{
    struct gt_checkpoint_frame *frame = vframe;
    if (task != GT_TASK)
        abort();
    if (frame->strio_state == 0) {
        frame->strio_state = 1;
        return STRIO_PENDING;
    }
    if (frame->strio_state != 1)
        abort();
    frame->strio_state = 2;
    frame->strio_ret = 0;
    return STRIO_DONE;
}

unsigned long gt_run(strio_resume_fn resume, void *frame)
{
    unsigned long n = 0;
    while (resume(frame, GT_TASK) == STRIO_PENDING)
        n++;
    return n;
}
'''


def write_gt(directory):
    """Writes gtest.h and gtest.c into `directory`; returns gtest.c."""
    write(directory, 'gtest.h', GT_H)
    return write(directory, 'gtest.c', GT_C)


def _gen_env():
    env = dict(os.environ)
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    env['PYTHONPYCACHEPREFIX'] = _PYCACHE
    return env


def run_gen(args, cwd=None, env=None):
    """Runs generator.py with `args`; returns the CompletedProcess (text)."""
    e = _gen_env()
    if env:
        e.update(env)
    return subprocess.run([sys.executable, GENERATOR] + list(args), cwd=cwd,
                          env=e, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=TIMEOUT)


def write(directory, name, text):
    path = os.path.join(directory, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def cc_run(cmd, cwd=None):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=TIMEOUT)


def cc_cmd(cc, sources, output=None, includes=(), flags=(), syntax_only=False):
    cmd = [cc, '-std=c11', '-I' + RUNTIME_INC]
    cmd += ['-I' + d for d in includes]
    cmd += list(flags)
    if syntax_only:
        cmd.append('-fsyntax-only')
    cmd += list(sources)
    if output is not None:
        cmd += ['-o', output]
    return cmd


def frame_struct(text, name):
    """The body of `struct NAME_frame { ... };` in generated C text (the
    nested structs and unions included), or None."""
    m = re.search(r'^struct %s_frame \{\n(.*?)^\};' % re.escape(name), text,
                  re.M | re.S)
    return m.group(1) if m else None


def member_names(struct_body):
    """Names declared by the members of a frame struct body (nested ones
    included): the last identifier before each `;`, brackets removed."""
    names = []
    for decl in struct_body.split(';'):
        decl = re.sub(r'/\*.*?\*/', ' ', decl, flags=re.S)
        decl = re.sub(r'\[[^\]]*\]', ' ', decl)
        ids = re.findall(r'[A-Za-z_]\w*', decl)
        if ids:
            names.append(ids[-1])
    return names


class Diag:
    """One `file:line:col: kind: message` block: the source line and the
    caret line follow it."""
    HEAD = re.compile(r'^(.*?):(\d+):(\d+): (error|note): (.*)$')

    def __init__(self, head, source, caret):
        m = self.HEAD.match(head)
        if not m:
            raise ValueError('not a diagnostic line: %r' % head)
        self.head = head
        self.file, line, col, self.kind, self.message = m.groups()
        self.line, self.col = int(line), int(col)
        self.source = source
        self.caret = caret


def parse_diags(stderr):
    """Splits the generator's stderr into Diag blocks (three lines each)."""
    lines = stderr.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    out = []
    i = 0
    while i < len(lines):
        out.append(Diag(lines[i], lines[i + 1] if i + 1 < len(lines) else '',
                        lines[i + 2] if i + 2 < len(lines) else ''))
        i += 3
    return out


def caret_line(source_line, col):
    """The caret line the generator prints under `source_line` for column
    `col` (1-based): tabs of the source kept, everything else a space."""
    return ''.join(c if c == '\t' else ' '
                   for c in source_line[:col - 1]) + '^'
