"""Frame layout of generated state machines (DESIGN.md §2, layout rules).

One generator run turns the programs below into C; one probe program that
includes their generated headers prints sizeof of every frame and runs a
few of them with the tests' checkpoint leaf and runner (genutil.GT_C). It
is built with gcc and, when present, clang (in parallel); every assertion
holds for each compiler. The echo handler's frame size is printed.
"""
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genutil as G  # noqa: E402

SOURCES = {
    # Two sequential awaits of callees that each keep 1000 bytes live.
    'seq.sc': r'''#include <string.h>
#include "gtest.h"

async int big1(int v)
{
    char buf[1000];
    memset(buf, v, sizeof buf);
    await gt_checkpoint();
    return buf[999] + buf[0];
}

async int big2(int v)
{
    char buf[1000];
    memset(buf, v, sizeof buf);
    await gt_checkpoint();
    return buf[999] + buf[0];
}

async int seq2(void)
{
    int a = await big1(1);
    int b = await big2(2);
    return a + b;
}
''',
    # Disjoint scopes, liveness, the address of a local.
    'locals.sc': r'''#include <string.h>
#include "gtest.h"

async int scopes(int k)
{
    int r = 0;
    {
        char a[1024];
        memset(a, 1, sizeof a);
        await gt_checkpoint();
        r += a[k];
    }
    {
        char b[1024];
        memset(b, 2, sizeof b);
        await gt_checkpoint();
        r += b[k];
    }
    return r;
}

async int with_dead(int v)
{
    int scratch = v * 3;
    char table[256];
    for (int i = 0; i < 256; i++)
        table[i] = (char)i;
    v = v + scratch + table[v & 255];
    await gt_checkpoint();
    return v;
}

async int without_dead(int v)
{
    v = v + v * 3 + (v & 255);
    await gt_checkpoint();
    return v;
}

async int keeps(int v)
{
    int kept = v * 7;
    await gt_checkpoint();
    return kept;
}

/* `last` is only used before the await in the loop body's text, but the
   back edge carries it across the await; `fresh` is dead at the await. */
async int carried(int n)
{
    int sum = 0;
    int last = 0;
    for (int i = 0; i < n; i++) {
        int fresh = i * 3;
        sum += last + fresh;
        last = i * 10;
        await gt_checkpoint();
    }
    return sum;
}

static int *saved;

async int fill(int *p, int v)
{
    await gt_checkpoint();
    await gt_checkpoint();
    *p = v;
    await gt_checkpoint();
    *p += 1;
    return 0;
}

/* `x` is never named after the first await: only its address is used. */
async int addr_user(void)
{
    int x = 0;
    saved = &x;
    await fill(saved, 41);
    await gt_checkpoint();
    return *saved;
}
''',
    # An echo handler over two small async operations.
    'echo.sc': r'''#include <string.h>
#include "gtest.h"

char echo_in[1000];
int echo_inpos, echo_inlen;
char echo_out[1000];
int echo_outlen;

async int rd(char *buf, int cap)
{
    await gt_checkpoint();
    int n = echo_inlen - echo_inpos;
    if (n > cap)
        n = cap;
    if (n > 100)
        n = 100;
    memcpy(buf, echo_in + echo_inpos, (size_t)n);
    echo_inpos += n;
    return n;
}

async int wr(const char *buf, int n)
{
    await gt_checkpoint();
    memcpy(echo_out + echo_outlen, buf, (size_t)n);
    echo_outlen += n;
    return n;
}

async int echo(void)
{
    char buf[256];
    int total = 0;
    for (;;) {
        int n = await rd(buf, 256);
        if (n <= 0)
            break;
        await wr(buf, n);
        total += n;
    }
    return total;
}
''',
    # Arguments are stored once, whatever the depth of wrappers.
    'params.sc': r'''#include "gtest.h"

struct big { char b[1024]; };

/* A: the value lives at the top, wrappers forward a pointer down. */
async int leafp(const struct big *p)
{
    await gt_checkpoint();
    return p->b[0] + p->b[1023];
}
async int pw1(const struct big *p) { return await leafp(p); }
async int pw2(const struct big *p) { return await pw1(p); }
async int pw3(const struct big *p) { return await pw2(p); }
async int holder(struct big v) { return await pw3(&v); }

/* B: the value is taken by value at the bottom, wrappers pass a pointer. */
async int takes_big(struct big v)
{
    await gt_checkpoint();
    return v.b[0] + v.b[1023];
}
async int vw1(const struct big *p) { return await takes_big(*p); }
async int vw2(const struct big *p) { return await vw1(p); }
async int vw3(const struct big *p) { return await vw2(p); }
''',
}

FRAMES = ['big1', 'big2', 'seq2', 'scopes', 'with_dead', 'without_dead',
          'keeps', 'carried', 'fill', 'addr_user', 'rd', 'wr', 'echo',
          'leafp', 'pw1', 'pw2', 'pw3', 'holder', 'takes_big', 'vw1', 'vw2',
          'vw3']

PROBE = r'''#include <stdio.h>
#include <string.h>
#include "gtest.h"
#include "seq.h"
#include "locals.h"
#include "echo.h"
#include "params.h"

extern char echo_in[1000];
extern int echo_inpos, echo_inlen;
extern char echo_out[1000];
extern int echo_outlen;

#define SIZE(f) \
    printf("size_%s %lu\n", #f, (unsigned long)sizeof(struct f##_frame))
#define RUN(f, start_args) do { \
        static struct f##_frame fr; \
        unsigned long s; \
        f##_start start_args; \
        s = gt_run(f##_resume, &fr); \
        printf("ret_%s %d\nsuspends_%s %lu\n", #f, fr.strio_ret, #f, s); \
    } while (0)

int main(void)
{
    struct big b;
    int i;
@SIZES@
    RUN(seq2, (&fr));
    RUN(scopes, (&fr, 5));
    RUN(with_dead, (&fr, 2));
    RUN(without_dead, (&fr, 2));
    RUN(keeps, (&fr, 6));
    RUN(carried, (&fr, 4));
    RUN(addr_user, (&fr));
    for (i = 0; i < 1000; i++)
        echo_in[i] = (char)(i * 7 + 1);
    echo_inlen = 1000;
    RUN(echo, (&fr));
    printf("echo_same %d\n",
           echo_outlen == 1000 && memcmp(echo_in, echo_out, 1000) == 0);
    memset(&b, 0, sizeof b);
    b.b[0] = 3;
    b.b[1023] = 4;
    RUN(holder, (&fr, b));
    RUN(vw3, (&fr, &b));
    return 0;
}
'''


def parse(stdout):
    out = {}
    for line in stdout.splitlines():
        key, value = line.split()
        out[key] = int(value)
    return out


class Layout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not G.GCC:
            raise unittest.SkipTest('gcc not found')
        cls.tmp = tempfile.mkdtemp(prefix='strio-layout-')
        try:
            cls.build()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def build(cls):
        out = os.path.join(cls.tmp, 'out')
        for name, text in SOURCES.items():
            G.write(cls.tmp, name, text)
        gt_c = G.write_gt(cls.tmp)
        r = G.run_gen(['-I', G.RUNTIME_INC, '-o', out] + list(SOURCES),
                      cwd=cls.tmp)
        if r.returncode != 0:
            raise AssertionError('generator failed:\n' + r.stderr)
        cls.headers = {name[:-3]: G.read(os.path.join(out, name[:-3] + '.h'))
                       for name in SOURCES}
        probe = G.write(cls.tmp, 'probe.c', PROBE.replace(
            '@SIZES@', '\n'.join('    SIZE(%s);' % f for f in FRAMES)))
        sources = [probe] + [os.path.join(out, n[:-3] + '.c')
                             for n in SOURCES] + [gt_c]
        compilers = [('gcc', G.GCC)] + ([('clang', G.CLANG)] if G.CLANG
                                        else [])
        procs = []
        for tag, cc in compilers:
            exe = os.path.join(cls.tmp, 'probe-' + tag)
            cmd = G.cc_cmd(cc, sources, exe, includes=[out, cls.tmp],
                           flags=['-O1'])
            procs.append((tag, exe, subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                universal_newlines=True)))
        errs = [p.communicate(timeout=G.TIMEOUT)[1] for _, _, p in procs]
        cls.values = {}
        for (tag, exe, p), err in zip(procs, errs):
            if p.returncode != 0:
                raise AssertionError('%s failed on the probe:\n%s' % (tag,
                                                                       err))
            run = G.cc_run([exe])
            if run.returncode != 0:
                raise AssertionError('probe (%s) failed: %s' % (tag,
                                                                run.stderr))
            cls.values[tag] = parse(run.stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def each(self):
        """(compiler, values) for every compiler, as subtests."""
        for tag, v in sorted(self.values.items()):
            with self.subTest(cc=tag):
                yield tag, v

    def members(self, header, fn):
        body = G.frame_struct(self.headers[header], fn)
        self.assertIsNotNone(body, 'no struct %s_frame in %s.h' % (fn, header))
        return G.member_names(body)

    def test_report_matches_compiled_sizes(self):
        # --report reads sizes back from a probe compiled to assembly; they
        # must be the sizes the C compiler gives the frames.
        r = G.run_gen(['--report', '--cc', G.GCC, '--cflags=-O1',
                       '-I', self.tmp, '-I', G.RUNTIME_INC, '-o', 'out2']
                      + list(SOURCES), cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        reported = {m.group(1): int(m.group(2)) for m in re.finditer(
            r'(?m)^\S+\.sc:\d+: (\w+): frame (\d+) bytes', r.stdout)}
        self.assertEqual(sorted(reported), sorted(FRAMES))
        gcc = self.values['gcc']
        for fn in FRAMES:
            self.assertEqual(reported[fn], gcc['size_' + fn], fn)

    # -- sharing -----------------------------------------------------------
    def test_sequential_awaits_cost_max_not_sum(self):
        for tag, v in self.each():
            self.assertGreaterEqual(v['size_big1'], 1000)
            self.assertGreaterEqual(v['size_big2'], 1000)
            self.assertLess(v['size_seq2'], 1100)
            self.assertEqual(v['ret_seq2'], 2 + 4)

    def test_disjoint_scopes_share_storage(self):
        for tag, v in self.each():
            self.assertLessEqual(v['size_scopes'], 1024 + 64)
            self.assertEqual(v['ret_scopes'], 1 + 2)
            self.assertEqual(v['suspends_scopes'], 2)

    # -- liveness ----------------------------------------------------------
    def test_local_dead_at_every_await_is_not_in_frame(self):
        names = self.members('locals', 'with_dead')
        for local in ('scratch', 'table', 'i'):
            self.assertNotIn(local, names)
        for tag, v in self.each():
            self.assertEqual(v['size_with_dead'], v['size_without_dead'])
            self.assertEqual(v['ret_with_dead'], 2 + 6 + 2)
            self.assertEqual(v['ret_without_dead'], 2 + 6 + 2)

    def test_local_live_across_await_is_in_frame(self):
        self.assertIn('kept', self.members('locals', 'keeps'))
        for tag, v in self.each():
            self.assertEqual(v['ret_keeps'], 42)

    def test_loop_carried_local_is_in_frame(self):
        names = self.members('locals', 'carried')
        self.assertIn('last', names)
        self.assertIn('sum', names)
        self.assertNotIn('fresh', names)
        for tag, v in self.each():
            self.assertEqual(v['ret_carried'], (0 + 0 + 10 + 20) +
                             (0 + 3 + 6 + 9))
            self.assertEqual(v['suspends_carried'], 4)

    def test_address_taken_local_stays_in_frame_and_valid(self):
        self.assertIn('x', self.members('locals', 'addr_user'))
        for tag, v in self.each():
            # fill writes through the pointer after its own suspensions
            self.assertEqual(v['ret_addr_user'], 42)
            self.assertEqual(v['suspends_addr_user'], 4)

    # -- real shapes -------------------------------------------------------
    def test_echo_handler_frame(self):
        sizes = {tag: v['size_echo'] for tag, v in self.values.items()}
        sys.stderr.write('\n  echo frame: %s (rd %d, wr %d) ... ' % (
            ', '.join('%d bytes with %s' % (n, tag)
                      for tag, n in sorted(sizes.items())),
            self.values['gcc']['size_rd'], self.values['gcc']['size_wr']))
        for tag, v in self.each():
            self.assertEqual(v['ret_echo'], 1000)
            self.assertEqual(v['echo_same'], 1)
            if platform.machine() in ('x86_64', 'AMD64'):
                self.assertLessEqual(v['size_echo'], 256 + 64)

    def test_arguments_stored_once_through_wrappers(self):
        for tag, v in self.each():
            # A: wrappers that take and forward a pointer stay small and
            # grow by a constant per level; the value is held once.
            for f in ('leafp', 'pw1', 'pw2', 'pw3'):
                self.assertLess(v['size_' + f], 128, f)
            for lo, hi in (('leafp', 'pw1'), ('pw1', 'pw2'), ('pw2', 'pw3')):
                self.assertLessEqual(v['size_' + hi] - v['size_' + lo], 24,
                                     hi)
            self.assertLessEqual(v['size_holder'], 1024 + 64 + 3 * 24)
            self.assertEqual(v['ret_holder'], 7)
            # B: the by-value parameter is bound into the callee's frame
            # once; each wrapper above it adds only its own pointer.
            self.assertLessEqual(v['size_takes_big'], 1024 + 64)
            for lo, hi in (('takes_big', 'vw1'), ('vw1', 'vw2'),
                           ('vw2', 'vw3')):
                self.assertLessEqual(v['size_' + hi] - v['size_' + lo], 24,
                                     hi)
            self.assertEqual(v['ret_vw3'], 7)


if __name__ == '__main__':
    unittest.main()
