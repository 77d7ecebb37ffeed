"""#line mapping: compiler errors and debug info point at the annotated .sc
source (DESIGN.md §2), and --no-line turns the mapping off."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genutil as G  # noqa: E402

# Deliberate mistakes; the line of each is given next to it.
BAD = r'''#include "gtest.h"

async int step(int v)
{
    await gt_checkpoint();
    return v + 1;
}

async int after_awaits(int v)
{
    int a = await step(v);
    int b = await step(a);
    b += await step(b);
    return a + b + undeclared_one;                 /* line 14 */
}

async int in_argument(int v)
{
    int a = await step(v);
    int b = await step(a);
    int c = await step(undeclared_two);            /* line 21 */
    return a + b + c;
}

async int hoisted_type(int v)
{
    int a = await step(v);
    int b = await step(a);
    a += b;
    b += a;
    a += b;
    b += a;
    struct nosuch s;                               /* line 33 */
    s.x = 1;
    await step(b);
    return s.x;
}

int plain(void)
{
    return undeclared_three;                       /* line 41 */
}
'''

# A correct program for debug info: statements after awaits on known lines.
FLOW = r'''#include "gtest.h"

int marker(int v);

async int step(int v)
{
    await gt_checkpoint();
    return v + 1;
}

async int flow(int v)
{
    int a = await step(v);
    a = marker(a);
    int b = await step(a);
    b = marker(b);
    if (a < b) {
        b += await step(b);
        b = marker(b * 2);
    }
    return a + b;
}

async int twice(void)
{
    int x = await step(1) + await step(2);
    return x;
}
'''
FLOW_FIRST, FLOW_LAST = 11, 22        # lines of flow's definition
AWAIT_LINES = (13, 15, 18)
AFTER_AWAIT_LINES = (14, 16, 19)

MAIN = r'''#include <stdio.h>
#include "gtest.h"
#include "flow.h"

int marker(int v) { return v + 100; }

int main(void)
{
    struct flow_frame fr;
    flow_start(&fr, 1);
    gt_run(flow_resume, &fr);
    printf("%d\n", fr.strio_ret);
    return 0;
}
'''

CC_DIAG = re.compile(r'^(.*?):(\d+):(?:(\d+):)? (?:fatal )?error: (.*)$',
                     re.M)


def compiler_errors(stderr):
    """[(file, line, message)] of every error a C compiler printed."""
    return [(m.group(1), int(m.group(2)), m.group(4))
            for m in CC_DIAG.finditer(stderr)]


class TmpCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not G.GCC:
            raise unittest.SkipTest('gcc not found')
        cls.tmp = tempfile.mkdtemp(prefix='strio-line-')
        try:
            cls.build()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def generate(cls, name, text, extra=()):
        G.write(cls.tmp, name, text)
        r = G.run_gen(['-o', 'out'] + list(extra) + [name], cwd=cls.tmp)
        if r.returncode != 0:
            raise AssertionError('generator failed:\n' + r.stderr)
        return os.path.join('out', name[:-3] + '.c')


class CompileErrors(TmpCase):
    """gcc and clang report mistakes in user code at the .sc line."""

    @classmethod
    def build(cls):
        G.write_gt(cls.tmp)
        c_file = cls.generate('bad.sc', BAD)
        compilers = [('gcc', G.GCC)] + ([('clang', G.CLANG)] if G.CLANG
                                        else [])
        procs = [(tag, subprocess.Popen(
            G.cc_cmd(cc, [c_file], includes=['out', '.'], syntax_only=True),
            cwd=cls.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True)) for tag, cc in compilers]
        cls.errors = {}
        for tag, p in procs:
            _, err = p.communicate(timeout=G.TIMEOUT)
            if p.returncode == 0:
                raise AssertionError('%s accepted bad.c' % tag)
            cls.errors[tag] = (compiler_errors(err), err)

    def assertReportedAt(self, needle, line):
        for tag, (errors, text) in sorted(self.errors.items()):
            with self.subTest(cc=tag):
                hits = [(f, n) for f, n, msg in errors if needle in msg]
                self.assertTrue(hits, 'no error about %r:\n%s' % (needle,
                                                                   text))
                self.assertEqual(hits[0], ('bad.sc', line), text)

    def test_error_after_several_awaits(self):
        self.assertReportedAt('undeclared_one', 14)

    def test_error_in_await_argument(self):
        self.assertReportedAt('undeclared_two', 21)

    def test_error_in_plain_code_after_async_functions(self):
        self.assertReportedAt('undeclared_three', 41)

    def test_every_error_names_the_sc_file(self):
        for tag, (errors, text) in sorted(self.errors.items()):
            with self.subTest(cc=tag):
                self.assertTrue(errors)
                self.assertEqual({f for f, _, _ in errors}, {'bad.sc'}, text)

    def test_error_in_type_of_hoisted_local(self):
        # The frame struct gets one #line (the function's name line, 25)
        # and its members follow on consecutive lines, so an error in the
        # type of a local that moved into the frame is reported at line 30
        # (25 plus the member's position in the struct), not at line 33.
        self.assertReportedAt('incomplete type', 33)


class DebugInfo(TmpCase):
    """With -g, addresses of the resume function map to .sc lines."""

    @classmethod
    def build(cls):
        gt_c = G.write_gt(cls.tmp)
        c_file = cls.generate('flow.sc', FLOW)
        main = G.write(cls.tmp, 'main.c', MAIN)
        cls.exe = os.path.join(cls.tmp, 'flow')
        # DWARF 4: binutils 2.40's addr2line names the wrong file for
        # #line-mapped code in gcc's DWARF 5 line tables (gdb is fine).
        r = G.cc_run(G.cc_cmd(G.GCC, [main, c_file, gt_c], cls.exe,
                              includes=['out', '.'],
                              flags=['-g', '-gdwarf-4', '-O0']), cwd=cls.tmp)
        if r.returncode != 0:
            raise AssertionError('gcc failed:\n' + r.stderr)
        run = G.cc_run([cls.exe])
        if run.stdout.strip() != '1016':
            raise AssertionError('flow computed %r' % run.stdout)

    def symbol(self, name):
        nm = shutil.which('nm')
        if not nm:
            self.skipTest('nm not found')
        out = G.cc_run([nm, '-S', self.exe]).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[3] == name:
                return int(parts[0], 16), int(parts[1], 16)
        self.fail('%s not in the symbol table' % name)

    def test_addr2line_maps_resume_function_to_sc_lines(self):
        a2l = shutil.which('addr2line')
        if not a2l:
            self.skipTest('addr2line not found')
        start, size = self.symbol('flow_resume')
        addrs = ['%#x' % a for a in range(start, start + size)]
        out = G.cc_run([a2l, '-e', self.exe] + addrs).stdout.split('\n')
        lines = set()
        for text in out[:len(addrs)]:
            where = text.split(' ')[0]
            path, _, line = where.rpartition(':')
            self.assertEqual(os.path.basename(path), 'flow.sc', text)
            lines.add(int(line))
        self.assertTrue(lines <= set(range(FLOW_FIRST, FLOW_LAST + 1)),
                        sorted(lines))
        for line in AWAIT_LINES + AFTER_AWAIT_LINES:
            self.assertIn(line, lines)

    def gdb(self, *commands):
        gdb = shutil.which('gdb')
        if not gdb:
            self.skipTest('gdb not found')
        args = [gdb, '-nx', '-batch']
        for c in commands:
            args += ['-ex', c]
        return G.cc_run(args + [self.exe], cwd=self.tmp)

    def test_gdb_info_line_after_await(self):
        r = self.gdb(*['info line flow.sc:%d' % n for n in AFTER_AWAIT_LINES])
        for n in AFTER_AWAIT_LINES:
            self.assertRegex(r.stdout, r'Line %d of "[^"]*flow\.sc" starts at '
                             r'address 0x[0-9a-f]+ <flow_resume\+\d+>' % n)

    def test_gdb_breakpoint_after_await(self):
        r = self.gdb('break flow.sc:16', 'run', 'bt 1')
        if 'Breakpoint 1,' not in r.stdout and re.search(
                r'ptrace|not permitted|Couldn\'t get registers',
                r.stdout + r.stderr):
            self.skipTest('gdb cannot run programs here')
        self.assertRegex(r.stdout, r'Breakpoint 1, flow_resume \(.*\) at '
                         r'\S*flow\.sc:16')
        self.assertRegex(r.stdout, r'#0 +flow_resume \(.*\) at \S*flow\.sc:16')


class LineDirectives(TmpCase):
    @classmethod
    def build(cls):
        G.write_gt(cls.tmp)
        cls.c_file = cls.generate('flow.sc', FLOW)
        cls.c_text = G.read(os.path.join(cls.tmp, cls.c_file))
        cls.h_text = G.read(os.path.join(cls.tmp, 'out', 'flow.h'))
        os.makedirs(os.path.join(cls.tmp, 'plain'))
        G.write(cls.tmp, 'plain/flow.sc', FLOW)
        r = G.run_gen(['--no-line', '-I', '.', '-o', 'plain/out',
                      'plain/flow.sc'],
                      cwd=cls.tmp)
        if r.returncode != 0:
            raise AssertionError('generator failed:\n' + r.stderr)
        cls.plain_c = G.read(os.path.join(cls.tmp, 'plain/out/flow.c'))
        cls.plain_h = G.read(os.path.join(cls.tmp, 'plain/out/flow.h'))

    def test_no_line_option_omits_line_directives(self):
        for name, text in (('flow.c', self.plain_c), ('flow.h', self.plain_h)):
            self.assertNotIn('#line', text, name)
        r = G.cc_run(G.cc_cmd(G.GCC, ['plain/out/flow.c'],
                              includes=['plain/out', '.'],
                              syntax_only=True), cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_default_output_maps_to_sc(self):
        self.assertIn('#line 11 "flow.sc"', self.c_text)
        self.assertIn('#line', self.h_text)

    def test_generated_text_maps_to_its_own_lines(self):
        # `#line N "out/flow.c"` before generated-only text must name the
        # output file and the real number of the line that follows.
        for path, text in ((self.c_file, self.c_text),
                           (os.path.join('out', 'flow.h'), self.h_text)):
            lines = text.split('\n')
            seen = 0
            for i, line in enumerate(lines):
                m = re.match(r'#line (\d+) "(.*)"$', line)
                if m and m.group(2) != 'flow.sc':
                    seen += 1
                    self.assertEqual(m.group(2), path, line)
                    self.assertEqual(int(m.group(1)), i + 2, line)
            self.assertGreater(seen, 0, path)

    def test_state_names_follow_source_lines(self):
        m = re.search(r'enum flow_state \{([^}]*)\}', self.c_text)
        self.assertIsNotNone(m)
        for n in AWAIT_LINES:
            self.assertIn('flow_at_L%d' % n, m.group(1))
        # two awaits on one line get distinct states
        m = re.search(r'enum twice_state \{([^}]*)\}', self.c_text)
        self.assertIsNotNone(m)
        names = re.findall(r'(\w+) = (\d+)', m.group(1))
        self.assertEqual(len(names), 3, m.group(1))
        self.assertEqual(len({n for n, _ in names}), 3)
        self.assertEqual(len({v for _, v in names}), 3)
        self.assertTrue(all('L26' in n for n, v in names if v != '0'))


if __name__ == '__main__':
    unittest.main()
