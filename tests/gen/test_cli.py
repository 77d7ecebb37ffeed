"""generator.py's command line: options, inputs and outputs, several inputs
in one run, determinism."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genutil as G  # noqa: E402

B_SC = r'''#include "gtest.h"

struct pair { int x, y; };

async int bsum(struct pair p)
{
    await gt_checkpoint();
    return p.x + p.y;
}

static async int hidden(int v)
{
    await gt_checkpoint();
    return v;
}

async int btwice(int v)
{
    int a = await hidden(v);
    return a + await hidden(v);
}
'''

A_SC = r'''#include <stdio.h>
#include "gtest.h"
#include "b.h"

async int atop(int n)
{
    struct pair p = { n, 2 * n };
    int s = await bsum(p);
    return s + await btwice(n);
}

int main(void)
{
    struct atop_frame fr;
    unsigned long suspends;
    atop_start(&fr, 5);
    suspends = gt_run(atop_resume, &fr);
    printf("%d %lu\n", fr.strio_ret, suspends);
    return 0;
}
'''

# Something of everything for the determinism check: temporaries typed
# with __typeof__ of file-scope names, short-circuits, switch, loops,
# nested scopes, two awaits on one line, static functions.
MIX_SC = r'''#include "gtest.h"

static int counter;
static long table[4];
struct acc { long sum; int n; };

int bump(int v) { return counter += v; }

static async int leaf(int v)
{
    await gt_checkpoint();
    return v;
}

async int mix(int n)
{
    struct acc acc = { 0, 0 };
    for (int i = 0; i < n; i++) {
        acc.sum += table[i & 3] + await leaf(i) * bump(i)
                   + await leaf(bump(1));
        if ((await leaf(i) && bump(0)) || await leaf(2))
            acc.n--;
        switch (await leaf(i % 3)) {
        case 0: {
            char buf[64];
            buf[0] = (char)await leaf(5);
            acc.sum += buf[0];
            break;
        }
        default:
            acc.sum += counter ? await leaf(1) : await leaf(2);
        }
    }
    {
        double d[8];
        d[0] = await leaf(3);
        acc.sum += (long)d[0];
    }
    return (int)acc.sum + acc.n;
}
'''


class CliCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='strio-cli-')

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def listing(self, directory):
        return sorted(os.path.relpath(os.path.join(d, f), directory)
                      for d, _, names in os.walk(directory) for f in names)

    def two_inputs(self, directory):
        G.write(directory, 'src/a.sc', A_SC)
        G.write(directory, 'src/b.sc', B_SC)
        G.write(directory, 'src/gtest.h', G.GT_H)

    def build_and_run(self, directory, out='out'):
        if not G.GCC:
            self.skipTest('gcc not found')
        gt_c = G.write(directory, 'gtest.c', G.GT_C)
        exe = os.path.join(directory, 'ab')
        r = G.cc_run(G.cc_cmd(G.GCC, [os.path.join(out, 'a.c'),
                                      os.path.join(out, 'b.c'), gt_c], exe,
                              includes=[out, 'src'],
                              flags=['-Wall', '-Wextra']), cwd=directory)
        self.assertEqual(r.returncode, 0, r.stderr)
        run = G.cc_run([exe])
        self.assertEqual(run.returncode, 0, run.stderr)
        result, suspends = run.stdout.split()
        return int(result), int(suspends)


class Options(CliCase):
    def test_help(self):
        r = G.run_gen(['--help'])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('usage: generator.py', r.stdout)
        for opt in ('-o', '-I', '--report', '--suspend-every-await',
                    '--no-line'):
            self.assertIn(opt, r.stdout)

    def test_no_input(self):
        r = G.run_gen([], cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('usage: generator.py', r.stderr)
        self.assertEqual(self.listing(self.tmp), [])

    def test_unknown_option(self):
        r = G.run_gen(['--frobnicate', 'x.sc'], cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('--frobnicate', r.stderr)

    def test_missing_input_file(self):
        r = G.run_gen(['-o', 'out', 'nope.sc'], cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('nope.sc', r.stderr)
        self.assertIn('error', r.stderr)
        self.assertEqual(self.listing(self.tmp), [])

    def test_missing_second_input_writes_nothing(self):
        G.write(self.tmp, 'b.sc', B_SC)
        G.write(self.tmp, 'gtest.h', G.GT_H)
        r = G.run_gen(['-o', 'out', 'b.sc', 'nope.sc'], cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('nope.sc', r.stderr)
        self.assertEqual(self.listing(self.tmp), ['b.sc', 'gtest.h'])

    def test_output_directory_is_created(self):
        self.two_inputs(self.tmp)
        r = G.run_gen(['-o', 'deep/out', 'src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout + r.stderr, '')
        self.assertEqual(self.listing(os.path.join(self.tmp, 'deep')),
                         ['out/b.c', 'out/b.h'])

    def test_default_output_is_next_to_input(self):
        self.two_inputs(self.tmp)
        r = G.run_gen(['src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.listing(os.path.join(self.tmp, 'src')),
                         ['a.sc', 'b.c', 'b.h', 'b.sc', 'gtest.h'])

    def test_include_dir_announces_async_functions(self):
        G.write(self.tmp, 'inc/gtest.h', G.GT_H)
        G.write(self.tmp, 'src/b.sc', B_SC)
        r = G.run_gen(['-o', 'out', 'src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("'gt_checkpoint' is not an async function", r.stderr)
        r = G.run_gen(['-I', 'inc', '-o', 'out', 'src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_report(self):
        if not G.GCC:
            self.skipTest('gcc not found')
        self.two_inputs(self.tmp)
        r = G.run_gen(['--report', '--cc', G.GCC, '-I', 'src',
                       '-I', G.RUNTIME_INC, '-o', 'out', 'src/a.sc',
                       'src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, '')
        for where, fn, awaits in (('src/a.sc:5', 'atop', '2 awaits'),
                                  ('src/b.sc:5', 'bsum', '1 await'),
                                  ('src/b.sc:11', 'hidden', '1 await'),
                                  ('src/b.sc:17', 'btwice', '2 awaits')):
            self.assertRegex(r.stdout, r'(?m)^%s: %s: frame \d+ bytes '
                             r'\(align \d+\), %s$' % (where, fn, awaits))
        self.assertRegex(r.stdout, r'(?m)^ +\d+ +\d+  n +parameter n '
                         r'\(line 5\)$')
        self.assertRegex(r.stdout, r'(?m)^ +\d+ +\d+  +strio_aw2 +await '
                         r'btwice \(line 9\)$')
        self.assertEqual(self.listing(os.path.join(self.tmp, 'out')),
                         ['a.c', 'a.h', 'b.c', 'b.h'])

    def test_report_probe_failure(self):
        if not G.GCC:
            self.skipTest('gcc not found')
        self.two_inputs(self.tmp)
        # without -I src the probe cannot find gtest.h
        r = G.run_gen(['--report', '--cc', G.GCC, '-I', G.RUNTIME_INC,
                       '-o', 'out', 'src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn('generator.py: error: --report: the probe did not '
                      'compile', r.stderr)


class SeveralInputs(CliCase):
    def test_one_input_awaits_the_other(self):
        self.two_inputs(self.tmp)
        r = G.run_gen(['-o', 'out', 'src/a.sc', 'src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.listing(os.path.join(self.tmp, 'out')),
                         ['a.c', 'a.h', 'b.c', 'b.h'])
        # bsum(5, 10) + btwice(5): three checkpoints
        self.assertEqual(self.build_and_run(self.tmp), (25, 3))

    def test_input_order_does_not_matter(self):
        outs = []
        for k, order in enumerate((['src/a.sc', 'src/b.sc'],
                                   ['src/b.sc', 'src/a.sc'])):
            d = os.path.join(self.tmp, 'run%d' % k)
            self.two_inputs(d)
            r = G.run_gen(['-o', 'out'] + order, cwd=d)
            self.assertEqual(r.returncode, 0, r.stderr)
            outs.append({n: G.read(os.path.join(d, 'out', n))
                         for n in self.listing(os.path.join(d, 'out'))})
        self.assertEqual(outs[0], outs[1])

    def test_suspend_every_await(self):
        self.two_inputs(self.tmp)
        r = G.run_gen(['--suspend-every-await', '-o', 'out', 'src/a.sc',
                       'src/b.sc'], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        result, suspends = self.build_and_run(self.tmp)
        self.assertEqual(result, 25)
        # 3 checkpoints, plus one per await: atop 2, bsum 1, btwice 2,
        # hidden 2 x 1
        self.assertEqual(suspends, 3 + 2 + 1 + 2 + 2)


class Determinism(CliCase):
    def test_outputs_are_byte_identical_across_runs(self):
        G.write(self.tmp, 'src/mix.sc', MIX_SC)
        self.two_inputs(self.tmp)
        args = ['-o', 'out', 'src/mix.sc', 'src/a.sc', 'src/b.sc']
        out = os.path.join(self.tmp, 'out')
        runs = []
        for seed in ('1', '2', '3'):
            shutil.rmtree(out, ignore_errors=True)
            r = G.run_gen(args, cwd=self.tmp, env={'PYTHONHASHSEED': seed})
            self.assertEqual(r.returncode, 0, r.stderr)
            runs.append({n: G.read_bytes(os.path.join(out, n))
                         for n in self.listing(out)})
        self.assertEqual(sorted(runs[0]), ['a.c', 'a.h', 'b.c', 'b.h',
                                           'mix.c', 'mix.h'])
        self.assertEqual(runs[0], runs[1])
        self.assertEqual(runs[0], runs[2])
        if G.GCC:
            r = G.cc_run(G.cc_cmd(G.GCC, ['out/mix.c'],
                                  includes=['out', 'src'], syntax_only=True),
                         cwd=self.tmp)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_unchanged_output_is_rewritten_identically(self):
        self.two_inputs(self.tmp)
        args = ['-o', 'out', 'src/a.sc', 'src/b.sc']
        r = G.run_gen(args, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        first = {n: G.read(os.path.join(self.tmp, 'out', n))
                 for n in ('a.c', 'a.h', 'b.c', 'b.h')}
        r = G.run_gen(args, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        for n, text in first.items():
            self.assertEqual(G.read(os.path.join(self.tmp, 'out', n)), text)
        self.assertEqual(self.listing(os.path.join(self.tmp, 'out')),
                         sorted(first))


if __name__ == '__main__':
    unittest.main()
