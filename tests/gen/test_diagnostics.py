"""Every diagnostic generator.py can emit: exact `file:line:col: error:
message` first line, the quoted source line and caret under it, notes,
exit status 1, and no output written on error.

Tests marked @unittest.expectedFailure describe the behaviour the
generator should have and does not (yet): a bad position, a misleading
message, or a program accepted although its C output fails to compile.
"""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genutil as G  # noqa: E402

# gtest.h (genutil.GT_H) announces the leaf `async int gt_checkpoint(void)`;
# it is written next to every input.
INC = '#include "gtest.h"'


def src(*lines):
    """A source file from its lines (line N of the file is lines[N-1])."""
    return '\n'.join(lines) + '\n'


class DiagTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='strio-diag-')
        self.runs = 0

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fresh(self):
        """A new src/ and out/ pair (each run, subtests included, gets its
        own)."""
        self.runs += 1
        base = os.path.join(self.tmp, 'run%d' % self.runs)
        self.src_dir = os.path.join(base, 'src')
        self.out_dir = os.path.join(base, 'out')
        os.makedirs(self.src_dir)

    # -- running -----------------------------------------------------------
    def gen(self, files, extra=(), order=None, out=True):
        """Writes `files` {name: text} into a fresh src/ and runs the
        generator there on them (in `order`, default: insertion order)."""
        self.fresh()
        self.files = dict(files)
        for name, text in files.items():
            G.write(self.src_dir, name, text)
        G.write(self.src_dir, 'gtest.h', G.GT_H)
        self.files['gtest.h'] = G.GT_H
        args = ['-I', G.RUNTIME_INC]
        if out:
            args += ['-o', self.out_dir]
        args += list(extra) + list(order or files)
        return G.run_gen(args, cwd=self.src_dir)

    def assertNoOutput(self):
        if os.path.exists(self.out_dir):
            self.assertEqual(sorted(os.listdir(self.out_dir)), [],
                             'output written although the run failed')
        found = sorted(os.path.relpath(os.path.join(d, f), self.src_dir)
                       for d, _, names in os.walk(self.src_dir)
                       for f in names)
        self.assertEqual(found, sorted(self.files),
                         'files written next to the inputs on error')

    def assertBlock(self, d, kind, where, message):
        self.assertEqual(d.head, '%s: %s: %s' % (where, kind, message))
        text = self.files[d.file]
        line = text.split('\n')[d.line - 1]
        self.assertEqual(d.source, line, 'quoted source line')
        self.assertEqual(d.caret, G.caret_line(line, d.col), 'caret line')

    def assertError(self, files, where, message, notes=(), extra=(),
                    order=None):
        """The run fails with exactly this first diagnostic (`where` is
        'file:line:col'), followed by exactly these notes [(where, text)]."""
        r = self.gen(files, extra, order)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, '')
        diags = G.parse_diags(r.stderr)
        self.assertTrue(diags, r.stderr)
        self.assertBlock(diags[0], 'error', where, message)
        self.assertEqual(len(diags) - 1, len(notes), r.stderr)
        for d, (nwhere, ntext) in zip(diags[1:], notes):
            self.assertBlock(d, 'note', nwhere, ntext)
        self.assertNoOutput()
        return r

    def assertFailsAt(self, files, prefix, words=()):
        """Looser form for behaviour the generator lacks: the run fails, the
        first line starts with `prefix` ('file:line:' or 'file:line:col:
        error:') and its message contains every one of `words`."""
        r = self.gen(files)
        self.assertEqual(r.returncode, 1, 'accepted; stderr: %s' % r.stderr)
        first = r.stderr.split('\n')[0]
        self.assertTrue(first.startswith(prefix), first)
        self.assertIn(': error: ', first)
        for w in words:
            self.assertIn(w, first)
        self.assertNoOutput()

    def assertAccepted(self, files, compile=True):
        """The run succeeds and (with `compile`) every generated .c passes
        `gcc -fsyntax-only`."""
        r = self.gen(files)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, '')
        outs = []
        for name in files:
            base = os.path.splitext(name)[0]
            for ext in ('.c', '.h'):
                self.assertTrue(os.path.isfile(
                    os.path.join(self.out_dir, base + ext)), base + ext)
            outs.append(os.path.join(self.out_dir, base + '.c'))
        if compile and G.GCC:
            c = G.cc_run(G.cc_cmd(G.GCC, outs,
                                  includes=[self.out_dir, self.src_dir],
                                  syntax_only=True))
            self.assertEqual(c.returncode, 0, c.stderr)
        return r


class AwaitMisuse(DiagTestCase):
    def test_await_outside_async_function(self):
        self.assertError({'t.sc': src(
            INC,
            'int f(void)',
            '{',
            '    return await gt_checkpoint();',
            '}')},
            't.sc:4:12', "'await' outside an async function")

    def test_await_in_file_scope_initializer(self):
        self.assertError({'t.sc': src(
            INC,
            'int g = await gt_checkpoint();')},
            't.sc:2:9', "'await' outside an async function")

    def test_await_in_plain_function_after_async_function(self):
        # Plain function definitions that follow an async function are
        # never checked (Unit.scan drops them from the checked text); the
        # `await` reaches the C compiler.
        self.assertError({'t.sc': src(
            INC,
            'async int f(void) { return await gt_checkpoint(); }',
            'int g(void)',
            '{',
            '    return await f();',
            '}')},
            't.sc:5:12', "'await' outside an async function")

    def test_await_on_plain_function(self):
        self.assertError({'t.sc': src(
            INC,
            'int g(int);',
            'async int f(void)',
            '{',
            '    return await g(1);',
            '}')},
            't.sc:5:18',
            "'g' is not an async function; 'await' needs a call to one")

    def test_await_on_variable(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = 1;',
            '    return await x;',
            '}')},
            't.sc:5:18',
            "'await' must be followed by a call to an async function")

    def test_await_on_async_function_name_without_call(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    return await gt_checkpoint;',
            '}')},
            't.sc:4:18',
            "'await' must be followed by a call to an async function")

    def test_await_on_call_through_pointer(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(int (*fp)(void))',
            '{',
            '    return await (*fp)();',
            '}')},
            't.sc:4:18',
            "'await' must be followed by a call to an async function")

    def test_await_inside_sizeof(self):
        for i, expr in enumerate(('sizeof(await gt_checkpoint())',
                                  'sizeof await gt_checkpoint()')):
            with self.subTest(expr=expr):
                name = 't%d.sc' % i
                self.assertError({name: src(
                    INC,
                    'async int f(void)',
                    '{',
                    '    int n = 1 + (int)%s;' % expr,
                    '    return n;',
                    '}')},
                    name + ':4:22',
                    "'await' inside 'sizeof' is never evaluated")

    def test_await_where_not_allowed(self):
        cases = [
            ('statement expression',
             '    int x = ({ int y = await gt_checkpoint(); y; });', 24),
            ('_Generic', '    int x = _Generic(await gt_checkpoint(), '
             'int: 1, default: 2);', 22),
            ('array size', '    char x[await gt_checkpoint() + 1];', 12),
            ('_Static_assert',
             '    _Static_assert(await gt_checkpoint(), "x"); int x = 0;',
             20),
        ]
        for i, (what, line, col) in enumerate(cases):
            with self.subTest(what=what):
                name = 't%d.sc' % i
                self.assertError({name: src(
                    INC,
                    'async int f(void)',
                    '{',
                    line,
                    '    return (int)sizeof x;',
                    '}')},
                    '%s:4:%d' % (name, col), "'await' is not allowed here")

    def test_await_in_case_label(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    switch (n) {',
            '    case await gt_checkpoint():',
            '        return 1;',
            '    }',
            '    return n;',
            '}')},
            't.sc:5:10', "'await' is not allowed here")

    def test_split_declaration_defining_a_type(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    struct { int a; } p = { await gt_checkpoint() }, '
            'q = { 1 };',
            '    return p.a + q.a;',
            '}')},
            't.sc:4:5', "split this declaration: a type defined in a "
            "declaration with several declarators cannot be combined with "
            "'await'")

    MACRO = ("'await' inside an argument of macro '%s', which may evaluate "
             "it more than once: assign the result to a local first")

    def test_await_in_macro_argument(self):
        # DESIGN.md §2: the generator sees the await once where the macro
        # may evaluate it several times; diagnosed where the macro is seen.
        self.assertError({'t.sc': src(
            INC,
            '#define TWICE(x) ((x) + (x))',
            'async int f(void)',
            '{',
            '    return TWICE(await gt_checkpoint());',
            '}')},
            't.sc:5:18', self.MACRO % 'TWICE')

    def test_await_in_argument_of_macro_from_header(self):
        files = {
            'm.h': src('#define MAX(a, b) ((a) > (b) ? (a) : (b))'),
            't.sc': src(
                INC,
                '#include "m.h"',
                'async int f(int n)',
                '{',
                '    return MAX(n, await gt_checkpoint());',
                '}'),
        }
        self.assertError(files, 't.sc:5:19', self.MACRO % 'MAX',
                         order=['t.sc'])


class AsyncFunctionMisuse(DiagTestCase):
    def test_call_without_await_in_async_function(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    return gt_checkpoint() + 1;',
            '}')},
            't.sc:4:12',
            "call to async function 'gt_checkpoint' without 'await'")

    def test_call_without_await_in_plain_code(self):
        self.assertError({'t.sc': src(
            INC,
            'int g(void)',
            '{',
            '    return gt_checkpoint();',
            '}',
            'async int f(void) { return await gt_checkpoint(); }')},
            't.sc:4:12',
            "async function 'gt_checkpoint' can only be called with "
            "'await' inside an async function")

    def test_struct_tag_named_like_an_async_function_is_accepted(self):
        # Tags and members are other namespaces than functions.
        self.assertAccepted({'t.sc': src(
            INC,
            'struct f { int x; };',
            'static struct f plain;',
            'async int f(void)',
            '{',
            '    struct f v = { (int)sizeof(struct f) };',
            '    return v.x + plain.x + await gt_checkpoint();',
            '}')})

    def test_call_without_await_in_plain_function_after_async_function(self):
        # Same gap as test_await_in_plain_function_after_async_function: the
        # plain function after `f` is not checked and the call compiles as
        # an implicit declaration of `f`.
        self.assertError({'t.sc': src(
            INC,
            'async int f(void) { return await gt_checkpoint(); }',
            'int g(void)',
            '{',
            '    return f();',
            '}')},
            't.sc:5:12',
            "async function 'f' can only be called with 'await' inside an "
            "async function")

    def test_address_of_async_function(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    void *p = &gt_checkpoint;',
            '    return p != 0;',
            '}')},
            't.sc:4:16',
            "async function 'gt_checkpoint' can only be called with "
            "'await' (its address cannot be taken)")

    def test_async_function_name_as_value(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    void *p = gt_checkpoint;',
            '    return p != 0;',
            '}')},
            't.sc:4:15',
            "async function 'gt_checkpoint' can only be called with "
            "'await' (its address cannot be taken)")

    def test_address_of_async_function_in_plain_code(self):
        self.assertError({'t.sc': src(
            INC,
            'static void *p = &gt_checkpoint;')},
            't.sc:2:19',
            "async function 'gt_checkpoint' can only be called with "
            "'await' inside an async function")


class Banned(DiagTestCase):
    def test_setjmp(self):
        self.assertError({'t.sc': src(
            '#include <setjmp.h>',
            INC,
            'async int f(void)',
            '{',
            '    jmp_buf jb;',
            '    if (setjmp(jb))',
            '        return 1;',
            '    return await gt_checkpoint();',
            '}')},
            't.sc:6:9', "'setjmp' cannot be used in an async function: it "
            "captures a stack that does not survive a suspension")

    def test_longjmp(self):
        self.assertError({'t.sc': src(
            '#include <setjmp.h>',
            INC,
            'static jmp_buf jb;',
            'async int f(void)',
            '{',
            '    await gt_checkpoint();',
            '    longjmp(jb, 1);',
            '}')},
            't.sc:7:5', "'longjmp' cannot be used in an async function: it "
            "would skip the state machine")

    def test_alloca(self):
        self.assertError({'t.sc': src(
            '#include <alloca.h>',
            INC,
            'async int f(int n)',
            '{',
            '    char *p = alloca(n);',
            '    await gt_checkpoint();',
            '    return p[0];',
            '}')},
            't.sc:5:15', "'alloca' cannot be used in an async function: its "
            "memory does not survive a suspension")

    def test_setjmp_in_plain_function_is_accepted(self):
        self.assertAccepted({'t.sc': src(
            '#include <setjmp.h>',
            INC,
            'static jmp_buf jb;',
            'int g(void) { if (setjmp(jb)) return 1; longjmp(jb, 1); }',
            'async int f(void) { return await gt_checkpoint(); }')})


class Locals(DiagTestCase):
    VLA = ("'buf' has a variably modified type (a run-time array size), so "
           "it cannot be in scope across an await")

    def test_vla_across_await(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    char buf[n];',
            '    buf[0] = 1;',
            '    await gt_checkpoint();',
            '    return buf[0];',
            '}')},
            't.sc:4:10', self.VLA)

    def test_vla_dead_but_in_scope_across_await(self):
        # Not live across the await, but resuming jumps into its scope,
        # which C forbids: rejecting it is right.
        self.assertError({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    char buf[n];',
            '    buf[0] = 1;',
            '    n = buf[0];',
            '    await gt_checkpoint();',
            '    return n;',
            '}')},
            't.sc:4:10', self.VLA)

    def test_vla_with_no_await_after_it_is_accepted(self):
        self.assertAccepted({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    await gt_checkpoint();',
            '    {',
            '        char inner[n];',
            '        inner[0] = 1;',
            '        n += inner[0];',
            '    }',
            '    char buf[n];',
            '    buf[0] = 1;',
            '    return buf[0] + n;',
            '}')})

    def test_vla_typedef_in_scope_across_await(self):
        # Accepted, but the C output fails to compile ("jump into scope of
        # identifier with variably modified type"): the generator must
        # reject it like a VLA object.
        self.assertFailsAt({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    typedef char row[n];',
            '    row r;',
            '    r[0] = 1;',
            '    n = r[0];',
            '    await gt_checkpoint();',
            '    return n;',
            '}')}, 't.sc:4:')

    def test_local_typedef_type_across_await(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    typedef struct { int a; } pair;',
            '    pair p;',
            '    p.a = 1;',
            '    await gt_checkpoint();',
            '    return p.a;',
            '}')},
            't.sc:5:10', "'p' lives across an await, so its type must be "
            "declared outside the async function")

    def test_local_struct_tag_across_await(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    struct pt { int a; };',
            '    struct pt p;',
            '    p.a = 1;',
            '    await gt_checkpoint();',
            '    return p.a;',
            '}')},
            't.sc:5:15', "'p' lives across an await, so its type must be "
            "declared outside the async function")

    def test_local_typedef_not_across_await_is_accepted(self):
        self.assertAccepted({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    typedef int myint;',
            '    myint before = 2;',
            '    await gt_checkpoint();',
            '    myint p = 3;',
            '    return p;',
            '}')})

    def test_array_of_unknown_size_across_await(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int a[] = {1, 2, 3};',
            '    await gt_checkpoint();',
            '    return a[2];',
            '}')},
            't.sc:4:9', "array 'a' lives across an await: give its size")


class Goto(DiagTestCase):
    def test_computed_goto(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void *p)',
            '{',
            '    await gt_checkpoint();',
            '    goto *p;',
            '}')},
            't.sc:5:10',
            'computed goto is not supported in an async function')

    def test_address_of_label(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    void *p = &&out;',
            '    await gt_checkpoint();',
            'out:',
            '    return p != 0;',
            '}')},
            't.sc:4:15', 'taking the address of a label is not supported in '
            'an async function')

    def test_goto_without_label_name(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    await gt_checkpoint();',
            '    goto 5;',
            '}')},
            't.sc:5:10', "expected a label name after 'goto'")


class Recursion(DiagTestCase):
    MSG = 'recursion through await: %s (a frame would have to contain itself)'

    def test_direct(self):
        self.assertError({'t.sc': src(
            INC,
            'async int a(int n)',
            '{',
            '    if (n == 0)',
            '        return await gt_checkpoint();',
            '    return await a(n - 1);',
            '}')},
            't.sc:6:12', self.MSG % 'a -> a')

    def test_mutual_in_one_file(self):
        self.assertError({'t.sc': src(
            'async int b(int n);',
            'async int a(int n)',
            '{',
            '    return await b(n);',
            '}',
            'async int b(int n)',
            '{',
            '    if (n)',
            '        return await a(n - 1);',
            '    return 0;',
            '}')},
            't.sc:9:16', self.MSG % 'a -> b -> a',
            notes=[('t.sc:4:12', "'a' awaits 'b' here")])

    def test_three_functions(self):
        self.assertError({'t.sc': src(
            'async int c(void);',
            'async int a(void) { return await b(); }',
            'async int b(void) { return await c(); }',
            'async int c(void) { return await a(); }')},
            't.sc:4:28', self.MSG % 'a -> b -> c -> a',
            notes=[('t.sc:2:28', "'a' awaits 'b' here"),
                   ('t.sc:3:28', "'b' awaits 'c' here")])

    def test_across_two_files(self):
        files = {
            'a.sc': src(
                '#include "b.h"',
                'async int a(int n)',
                '{',
                '    return await b(n);',
                '}'),
            'b.sc': src(
                '#include "a.h"',
                'async int b(int n)',
                '{',
                '    if (n)',
                '        return await a(n - 1);',
                '    return 0;',
                '}'),
        }
        self.assertError(files, 'b.sc:5:16', self.MSG % 'a -> b -> a',
                         notes=[('a.sc:4:12', "'a' awaits 'b' here")])

    def test_across_two_files_with_prototypes(self):
        files = {
            'a.sc': src(
                'async int b(int n);',
                'async int a(int n)',
                '{',
                '    return await b(n);',
                '}'),
            'b.sc': src(
                'async int a(int n);',
                'async int b(int n)',
                '{',
                '    return n ? await a(n - 1) : 0;',
                '}'),
        }
        self.assertError(files, 'b.sc:4:16', self.MSG % 'a -> b -> a',
                         notes=[('a.sc:4:12', "'a' awaits 'b' here")])


class Declarations(DiagTestCase):
    def test_redefinition_across_two_files(self):
        files = {
            'd1.sc': src(
                INC,
                'async int f(int x)',
                '{',
                '    return x;',
                '}'),
            'd2.sc': src(
                INC,
                '',
                'async int f(int x)',
                '{',
                '    return x + 1;',
                '}'),
        }
        self.assertError(files, 'd2.sc:3:11',
                         "redefinition of async function 'f'",
                         notes=[('d1.sc:2:11', 'first defined here')])

    def test_redefinition_in_one_file(self):
        self.assertError({'t.sc': src(
            'async int f(int x) { return x; }',
            'async int f(int x) { return x; }')},
            't.sc:2:11', "redefinition of async function 'f'",
            notes=[('t.sc:1:11', 'first defined here')])

    def test_conflicting_return_types(self):
        self.assertError({'t.sc': src(
            'async int f(int x);',
            'async long f(int x) { return x; }')},
            't.sc:2:12', "conflicting declarations of async function 'f'",
            notes=[('t.sc:1:11', 'previous declaration')])

    def test_conflicting_parameter_counts(self):
        self.assertError({'t.sc': src(
            'async int f(int x);',
            'async int f(int x, int y) { return x + y; }')},
            't.sc:2:11', "conflicting declarations of async function 'f'",
            notes=[('t.sc:1:11', 'previous declaration')])

    def test_conflicting_parameter_types(self):
        # Only the return type and the number of parameters are compared:
        # this is accepted and f_start's prototype and definition conflict
        # in the C output.
        self.assertError({'t.sc': src(
            'async int f(int x);',
            'async int f(char *x) { return x[0]; }')},
            't.sc:2:11', "conflicting declarations of async function 'f'",
            notes=[('t.sc:1:11', 'previous declaration')])

    def test_conflicting_declarations_across_two_files(self):
        # The prototype in c1.sc is silently replaced by c2.sc's definition.
        files = {
            'c1.sc': src('async int f(int x);'),
            'c2.sc': src('async long f(int x)', '{', '    return x;', '}'),
        }
        self.assertError(files, 'c2.sc:1:12',
                         "conflicting declarations of async function 'f'",
                         notes=[('c1.sc:1:11', 'previous declaration')])

    def test_static_definition_after_extern_declaration(self):
        # Accepted; the C compiler then rejects `static` f_start/f_resume
        # after their non-static prototypes, naming generated functions.
        self.assertFailsAt({'t.sc': src(
            'async int f(int x);',
            'static async int f(int x) { return x; }')}, 't.sc:2:',
            ["'f'"])

    def test_plain_and_async_declarations_of_one_name(self):
        # A name declared both plain and async is reported as a call
        # without await ("can only be called with 'await' inside an async
        # function"), which misdescribes a declaration; when the plain one
        # comes after the async one it is not reported at all.
        cases = [
            ('plain first', src('int f(int x);',
                                'async int f(int x) { return x; }'),
             't.sc:'),
            ('async first', src('async int f(int x);',
                                'int f(int x) { return x; }'), 't.sc:'),
        ]
        for what, text, prefix in cases:
            with self.subTest(what=what):
                self.assertFailsAt({'t.sc': text}, prefix, ['conflicting'])

    def test_variadic_definition(self):
        self.assertError({'t.sc': src(
            'async int f(int n, ...) { return n; }')},
            't.sc:1:20', 'an async function cannot take variable arguments')

    def test_variadic_prototype(self):
        self.assertError({'t.sc': src(
            'async int f(int n, ...);')},
            't.sc:1:20', 'an async function cannot take variable arguments')

    def test_unnamed_parameter_in_definition(self):
        self.assertError({'t.sc': src(
            'async int f(int x, char *) { return x; }')},
            't.sc:1:20', 'parameter of async function f needs a name')

    def test_unnamed_parameter_in_prototype_is_accepted(self):
        self.assertAccepted({'t.sc': src(
            'async int f(int, char *);',
            'async int g(void) { return await f(1, 0); }',
            'async int f(int x, char *p) { return x + (p != 0); }')})

    def test_not_a_function_declaration(self):
        for i, (line, col) in enumerate((('async int (void);', 11),
                                         ('async int *x;', 12),
                                         ('async int x = 3;', 11))):
            with self.subTest(line=line):
                name = 't%d.sc' % i
                self.assertError({name: src(line)}, '%s:1:%d' % (name, col),
                                 'expected an async function declaration: '
                                 '`async TYPE NAME(PARAMS)`')

    def test_bad_parameter_list(self):
        self.assertError({'t.sc': src('async int f(int x int y);')},
                         't.sc:1:19', "expected ')' after parameters")

    def test_tokens_after_declarator(self):
        self.assertError({'t.sc': src('async int f(int x) const;')},
                         't.sc:1:20', 'unexpected tokens after async '
                         'function declarator')


class Syntax(DiagTestCase):
    def test_missing_semicolon_after_declaration(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = 1',
            '    await gt_checkpoint();',
            '    return x;',
            '}')},
            't.sc:5:5', "expected ';' before 'await'")

    def test_missing_semicolon_before_closing_brace(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    await gt_checkpoint()',
            '}')},
            't.sc:5:1', "expected ';' before '}'")

    def test_missing_closing_brace(self):
        # At the brace that is never closed (the function's own).
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = 1;',
            '    if (x) {',
            '        await gt_checkpoint();',
            '    return x;',
            '}')},
            't.sc:3:1', "'{' is never closed")

    @unittest.expectedFailure
    def test_extra_closing_brace(self):
        # Accepted: the body ends at the stray '}' and the rest of it is
        # passed through as plain C, which the C compiler rejects.
        self.assertFailsAt({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = 1;',
            '    await gt_checkpoint();',
            '    }',
            '    return x;',
            '}')}, 't.sc:6:5: error:', ["'}'"])

    def test_unclosed_bracket(self):
        # At the ';' that ends the statement with the '[' still open.
        self.assertFailsAt({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    char buf[4;',
            '    buf[0] = 1;',
            '    return buf[0] + await gt_checkpoint();',
            '}')}, 't.sc:4:')

    def test_unterminated_async_declaration(self):
        # Accepted: the declaration never ends, so it is passed through as
        # plain C, `async` and all.
        self.assertFailsAt({'t.sc': src('async int f(int x')}, 't.sc:')

    def test_unbalanced_parenthesis_in_plain_code(self):
        # Accepted: the top-level scan never gets back to depth 0, so the
        # async function after the '(' is passed through verbatim (with
        # `async` and `await`) instead of being generated.
        self.assertFailsAt({'t.sc': src(
            INC,
            'int x = (1;',
            'async int f(void) { return await gt_checkpoint(); }')}, 't.sc:2:')

    def test_mismatched_bracket(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    char buf[4);',
            '    return await gt_checkpoint();',
            '}')},
            't.sc:4:15', "')' does not match '['",
            notes=[('t.sc:4:13', "'[' opened here")])

    def test_unclosed_parenthesis(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = (1 + await gt_checkpoint();',
            '    return x;',
            '}')},
            't.sc:4:39', "expected ')' before ';'",
            notes=[('t.sc:4:13', "to match this '('")])

    def test_extra_parenthesis(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = 1 + await gt_checkpoint());',
            '    return x;',
            '}')},
            't.sc:4:38', "')' does not match '{'",
            notes=[('t.sc:3:1', "'{' opened here")])

    def test_missing_expression(self):
        for i, (tail, got) in enumerate(((';', "';'"),
                                         ('while;', "'while'"))):
            with self.subTest(got=got):
                name = 't%d.sc' % i
                self.assertError({name: src(
                    INC,
                    'async int f(void)',
                    '{',
                    '    int x = 1 + ' + tail,
                    '    return x + await gt_checkpoint();',
                    '}')},
                    name + ':4:17', 'expected an expression before ' + got)

    def test_declaration_without_name(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int = 3;',
            '    return await gt_checkpoint();',
            '}')},
            't.sc:4:9', 'expected a name in declaration')

    def test_bad_initializer_list(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int a[2] = { 1 2 };',
            '    return a[0] + await gt_checkpoint();',
            '}')},
            't.sc:4:20', "expected ',' or '}' in initializer list")

    def test_declaration_as_substatement(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    if (n)',
            '        int x = await gt_checkpoint();',
            '    return n;',
            '}')},
            't.sc:5:9', 'a declaration is not a statement')

    def test_do_without_while(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    do {',
            '        n -= await gt_checkpoint() + 1;',
            '    } until (n > 0);',
            '    return n;',
            '}')},
            't.sc:6:7', "expected 'while' after do body")

    def test_case_without_colon(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(int n)',
            '{',
            '    switch (n) {',
            '    case 1;',
            '        return await gt_checkpoint();',
            '    }',
            '    return n;',
            '}')},
            't.sc:5:11', "expected ':' after case label")

    def test_unterminated_type_name(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = (int)(unsigned long await gt_checkpoint();',
            '    return x;',
            '}')},
            't.sc:4:54', "expected ')' before ';'",
            notes=[('t.sc:4:18', "to match this '('")])

    def test_member_name_missing(self):
        self.assertError({'t.sc': src(
            INC,
            'struct s { int a; };',
            'async int f(struct s *p)',
            '{',
            '    int x = p->;',
            '    return x + await gt_checkpoint();',
            '}')},
            't.sc:5:16', "expected a member name after '->'")

    def test_unterminated_argument_list(self):
        self.assertError({'t.sc': src(
            INC,
            'struct s { int a; };',
            'int g(int);',
            'async int f(void)',
            '{',
            '    int x = g(struct s *;',
            '    return x + await gt_checkpoint();',
            '}')},
            't.sc:6:25', "expected ')' before ';'",
            notes=[('t.sc:6:14', "to match this '('")])

    def test_stray_character(self):
        self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '    int x = 1 @ 2;',
            '    return x + await gt_checkpoint();',
            '}')},
            't.sc:4:15', "stray character '@' in program")

    def test_unterminated_comment(self):
        self.assertError({'t.sc': src(
            INC,
            '/* never closed',
            'async int f(void) { return 0; }')},
            't.sc:2:1', 'unterminated comment')

    def test_caret_keeps_tabs(self):
        r = self.assertError({'t.sc': src(
            INC,
            'async int f(void)',
            '{',
            '\tint x = 1;',
            '\treturn await x;',
            '}')},
            't.sc:5:15',
            "'await' must be followed by a call to an async function")
        self.assertEqual(r.stderr.split('\n')[2], '\t' + ' ' * 13 + '^')


class Paths(DiagTestCase):
    def test_input_in_a_subdirectory_is_named_as_given(self):
        self.assertError({'sub/t.sc': src(
            INC,
            'async int f(void) { int x = 1; return await x; }')},
            'sub/t.sc:2:45',
            "'await' must be followed by a call to an async function")

    def test_output_would_overwrite_input(self):
        self.fresh()
        self.files = {'p.c': 'int x;\n'}
        G.write(self.src_dir, 'p.c', 'int x;\n')
        r = G.run_gen(['p.c'], cwd=self.src_dir)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, 'generator.py: error: output ./p.c would '
                         'overwrite an input\n')
        self.assertEqual(G.read(os.path.join(self.src_dir, 'p.c')), 'int x;\n')

    def test_output_would_overwrite_input_writes_nothing(self):
        # Every target is checked before anything is written.
        files = {'a.sc': 'async int f(void) { return 0; }\n',
                 'q.h': 'int y;\n'}
        r = self.gen(files, out=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn('would overwrite an input', r.stderr)
        self.assertNoOutput()


if __name__ == '__main__':
    unittest.main()
