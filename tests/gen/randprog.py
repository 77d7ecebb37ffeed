#!/usr/bin/env python3
"""Seeded random programs in the strio dialect, for differential testing.

    python3 tests/gen/randprog.py --seed 17 [-o rand_17.sc]

Each program looks like a corpus program (tests/gen/corpus): it includes
"leaf.h", defines a few async helpers and `async int test_main(void)`, and
prints a trace with printf. The structure is random: nested if/else, for,
while, do-while, switch (with fallthrough), blocks, bounded backward goto,
forward goto, break and continue; locals (unsigned scalars, arrays, structs,
pointers, a static) declared in random scopes, sometimes shadowing outer
ones, and used after awaits; expressions mix locals, constants and awaits of
tleaf and of the helpers in random positions, including both sides of && ||
?: , the comma operator, call arguments and nested awaits.

Every program is fully defined plain C once `async`/`await` are erased, with
a result that does not depend on the order in which the C compiler evaluates
operands:
  - all arithmetic is on unsigned (wraps, never overflows), divisors are
    `| 1u`, shift counts `& 7u`, array subscripts `& 3u`;
  - the only side effects inside expressions are leaf calls (whose count is
    never printed); helpers never print and never write anything but their
    own locals; writes through pointers happen only in statements;
  - every loop is bounded by a counter the body never writes;
  - no variable is read before it is initialized (a forward goto only skips
    a block of its own, so it never jumps over an initialization into
    scope), and a shadowing declaration's initializer never names itself;
  - compiles warning-free with gcc and clang -std=c11 -Wall -Wextra.
So the erased program and the generated state machines must print the same.
"""

import argparse
import random
import sys

MASK16 = '0xffffu'


class Var:
    def __init__(self, name, kind, writable=True, target=None):
        self.name = name
        self.kind = kind          # 'u' unsigned, 'arr' unsigned[4], 'st' struct rs, 'ptr'
        self.writable = writable  # loop counters are read-only
        self.target = target      # for 'ptr': the Var it points to


class Expr:
    """Rendered expression text plus its top-level kind (for warnings)."""
    def __init__(self, text, kind, awaits=0, isconst=None):
        self.text = text
        self.kind = kind          # const var await arith cmp logic tern comma
        self.awaits = awaits
        # a constant expression (the compilers fold it and warn about
        # comparisons they can decide)
        self.isconst = (kind == 'const') if isconst is None else isconst
        # what a compiler sees once the generator hoisted the awaits out of
        # a comma expression: its right operand
        self.core = self


class Func:
    def __init__(self, name, params, level):
        self.name = name
        self.params = params
        self.level = level


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.r = random.Random(seed)
        self.lines = []
        self.nvar = 0
        self.nlabel = 0
        self.nprint = 0
        self.helpers = []         # callable async helpers (returning unsigned)
        self.in_main = False
        self.budget = 0           # statements left in the current function
        self.loop_weight = 1      # product of enclosing loop bounds

    # ------------------------------------------------------------ utilities

    def emit(self, indent, text):
        self.lines.append('    ' * indent + text)

    def fresh(self, prefix='v'):
        self.nvar += 1
        return '%s%d' % (prefix, self.nvar)

    def const(self, nonzero=False):
        r = self.r.random()
        if r < 0.6:
            v = self.r.randint(1 if nonzero else 0, 20)
        elif r < 0.9:
            v = self.r.randint(21, 1000)
        else:
            v = self.r.randint(1001, 4000000000)
        return Expr('%du' % v, 'const')

    def visible(self, scopes, kinds=('u',), writable=False):
        """Innermost visible Var per name, filtered."""
        seen = {}
        for scope in scopes:
            for v in scope:
                seen[v.name] = v
        out = [v for v in seen.values() if v.kind in kinds]
        if writable:
            out = [v for v in out if v.writable]
        return out

    # ------------------------------------------------------------ expressions

    def leaf_expr(self, scopes, avoid=()):
        r = self.r.random()
        if r < 0.55:
            vs = [v for v in self.visible(scopes, ('u', 'arr', 'st', 'ptr'))
                  if v.name not in avoid]
            if vs:
                v = self.r.choice(vs)
                if v.kind == 'u':
                    return Expr(v.name, 'var')
                if v.kind == 'arr':
                    return Expr('%s[%d]' % (v.name, self.r.randint(0, 3)), 'var')
                if v.kind == 'st':
                    return Expr('%s.%s' % (v.name, self.r.choice('ab')), 'var')
                return Expr('(*%s)' % v.name, 'var')
        return self.const()

    def await_expr(self, scopes, depth, avoid):
        choices = ['leaf', 'leaf', 'w', 'mk']
        if self.helpers:
            choices += ['helper'] * 2
        c = self.r.choice(choices)
        sub = lambda: self.expr(scopes, depth - 1, avoid)
        if c == 'leaf':
            return Expr('(unsigned)await tleaf((int)(%s & %s))' % (self.paren(sub()), MASK16),
                        'await', 1)
        if c == 'w':
            return Expr('await w(%s)' % sub().text, 'await', 1)
        if c == 'mk':
            return Expr('(await mk(%s, %s)).%s' % (sub().text, sub().text, self.r.choice('ab')),
                        'await', 1)
        h = self.r.choice(self.helpers)
        return Expr('await %s(%s)' % (h.name, ', '.join(sub().text for _ in h.params)),
                    'await', 1)

    @staticmethod
    def paren(e):
        if e.kind in ('const', 'var'):
            return e.text
        return '(%s)' % e.text

    def boolean(self, e):
        """Text of e for a boolean context (if/while/&&/||/!)."""
        if e.kind in ('arith', 'tern', 'comma', 'const'):
            # not `!= 0u`: gcc calls `(x | 5u) != 0u` tautological
            return '(%s %% 7u)' % self.paren(e)
        return e.text

    def nonconst(self, scopes, depth, avoid):
        for _ in range(5):
            e = self.expr(scopes, depth, avoid)
            if not e.isconst:
                return e
        return self.await_expr(scopes, max(depth, 1), avoid)

    def expr(self, scopes, depth, avoid=()):
        """An unsigned expression without side effects other than leaf calls."""
        if depth <= 0:
            if self.r.random() < 0.25:
                return self.await_expr(scopes, 0, avoid)
            return self.leaf_expr(scopes, avoid)
        r = self.r.random()
        if r < 0.22:
            return self.leaf_expr(scopes, avoid)
        if r < 0.45:
            return self.await_expr(scopes, depth, avoid)
        sub = lambda: self.expr(scopes, depth - 1, avoid)
        if r < 0.65:
            op = self.r.choice(['+', '-', '*', '^', '&', '|', '/', '%', '<<', '>>'])
            a, b = sub(), sub()
            k = a.isconst and b.isconst
            if k and op == '^':
                op = '+'     # clang: `2u ^ 16u` looks like a power
            if op in ('/', '%'):
                return Expr('%s %s (%s | 1u)' % (self.paren(a), op, self.paren(b)), 'arith', isconst=k)
            if op in ('<<', '>>'):
                return Expr('%s %s (%s & 7u)' % (self.paren(a), op, self.paren(b)), 'arith', isconst=k)
            return Expr('%s %s %s' % (self.paren(a), op, self.paren(b)), 'arith', isconst=k)
        if r < 0.75:
            op = self.r.choice(['<', '<=', '>', '>=', '==', '!='])
            for _ in range(5):
                a, b = sub(), sub()
                # Checked on what the compiler sees after the generator
                # hoisted awaits out of comma expressions (their right
                # operand). A constant side must be a plain literal against a
                # variable or an await: compilers decide `(x | 17u) == 16u`,
                # `x < (16u >> 6u)`, `(unsigned)(x < y) > 5u`, `x == x`.
                ca, cb = a.core, b.core
                if ca.isconst and (ca.kind != 'const' or cb.kind not in ('var', 'await')):
                    continue
                if cb.isconst and (cb.kind != 'const' or ca.kind not in ('var', 'await')):
                    continue
                if ca.text == cb.text or '0u' in (ca.text, cb.text):
                    continue
                break
            else:
                a, b = self.await_expr(scopes, depth - 1, avoid), self.const(True)
            # no comparisons against 0u (-Wtype-limits)
            if a.kind == 'const' and a.text == '0u':
                a = Expr('1u', 'const')
            if b.kind == 'const' and b.text == '0u':
                b = Expr('1u', 'const')
            return Expr('(unsigned)(%s %s %s)' % (self.paren(a), op, self.paren(b)), 'cmp')
        if r < 0.87:
            op = self.r.choice(['&&', '||', '!'])
            if op == '!':
                a = self.nonconst(scopes, depth - 1, avoid)
                return Expr('(unsigned)!%s' % self.paren(Expr(self.boolean(a), a.kind)), 'logic')
            a = self.nonconst(scopes, depth - 1, avoid)
            b = self.nonconst(scopes, depth - 1, avoid)
            return Expr('(unsigned)(%s %s %s)' % (self.paren(Expr(self.boolean(a), a.kind)), op,
                                                 self.paren(Expr(self.boolean(b), b.kind))),
                        'logic')
        if r < 0.96:
            c = self.nonconst(scopes, depth - 1, avoid)
            a, b = sub(), sub()
            return Expr('%s ? %s : %s' % (self.paren(Expr(self.boolean(c), c.kind)),
                                          self.paren(a), self.paren(b)), 'tern')
        # comma: the left operand must be a call (else -Wunused-value)
        if self.helpers and self.r.random() < 0.5:
            h = self.r.choice(self.helpers)
            left = 'await %s(%s)' % (h.name, ', '.join(sub().text for _ in h.params))
        else:
            left = 'await w(%s)' % sub().text
        right = sub()
        e = Expr('(%s, %s)' % (left, self.paren(right)), 'comma', 1, isconst=right.core.isconst)
        e.core = right.core
        return e

    def top_expr(self, scopes, avoid=()):
        return self.expr(scopes, self.r.choice([0, 1, 1, 2, 2, 3]), avoid)

    def cond(self, scopes):
        e = self.nonconst(scopes, self.r.randint(1, 3), ())
        return self.boolean(e)

    # ------------------------------------------------------------ statements

    def declare(self, scopes, indent):
        """Declares a new local in the innermost scope; may shadow."""
        outer = [v for v in self.visible(scopes[:-1], ('u',)) if v.writable
                 and v.name != 'acc' and v.name not in {x.name for x in scopes[-1]}]
        if outer and self.r.random() < 0.2:
            name = self.r.choice(outer).name   # shadowing
        else:
            name = self.fresh()
        r = self.r.random()
        if r < 0.7:
            e = self.top_expr(scopes, avoid=(name,))
            v = Var(name, 'u')
            self.emit(indent, 'unsigned %s = %s;' % (name, e.text))
        elif r < 0.82:
            es = [self.expr(scopes, self.r.randint(0, 2), (name,)).text for _ in range(4)]
            v = Var(name, 'arr')
            self.emit(indent, 'unsigned %s[4] = { %s };' % (name, ', '.join(es)))
        elif r < 0.92:
            es = [self.expr(scopes, self.r.randint(0, 2), (name,)).text for _ in range(2)]
            v = Var(name, 'st')
            self.emit(indent, 'struct rs %s = { %s, %s };' % (name, es[0], es[1]))
        else:
            targets = self.visible(scopes, ('u',), writable=True)
            if not targets:
                return self.declare_plain(scopes, indent)
            t = self.r.choice(targets)
            name = self.fresh('p')
            v = Var(name, 'ptr', target=t)
            self.emit(indent, 'unsigned *%s = &%s;' % (name, t.name))
        scopes[-1].append(v)

    def declare_plain(self, scopes, indent):
        name = self.fresh()
        self.emit(indent, 'unsigned %s = %s;' % (name, self.top_expr(scopes, (name,)).text))
        scopes[-1].append(Var(name, 'u'))

    def assign(self, scopes, indent):
        targets = self.visible(scopes, ('u', 'arr', 'st', 'ptr'), writable=True)
        if not targets:
            return self.declare(scopes, indent)
        v = self.r.choice(targets)
        if v.kind == 'u':
            lhs = v.name
        elif v.kind == 'arr':
            lhs = '%s[%s & 3u]' % (v.name, self.paren(self.expr(scopes, self.r.randint(0, 2))))
        elif v.kind == 'st':
            lhs = '%s.%s' % (v.name, self.r.choice('ab'))
        else:
            lhs = '*%s' % v.name
        op = self.r.choice(['=', '=', '+=', '-=', '*=', '^=', '|=', '&=', '/=', '%=', '<<=', '>>='])
        e = self.top_expr(scopes)
        for _ in range(5):
            if e.text != lhs:
                break
            e = self.top_expr(scopes)     # clang: -Wself-assign
        else:
            e = Expr('%s + 1u' % lhs, 'arith')
        if op in ('/=', '%='):
            self.emit(indent, '%s %s %s | 1u;' % (lhs, op, self.paren(e)))
        elif op in ('<<=', '>>='):
            self.emit(indent, '%s %s %s & 7u;' % (lhs, op, self.paren(e)))
        else:
            self.emit(indent, '%s %s %s;' % (lhs, op, e.text))

    def put(self, scopes, indent):
        targets = self.visible(scopes, ('u',), writable=True)
        if not targets:
            return self.assign(scopes, indent)
        v = self.r.choice(targets)
        self.emit(indent, 'await put(&%s, %s);' % (v.name, self.top_expr(scopes).text))

    def value_text(self, v):
        if v.kind == 'u':
            return v.name
        if v.kind == 'arr':
            return '%s[0] + %s[1] * 3u + %s[2] * 5u + %s[3] * 7u' % ((v.name,) * 4)
        if v.kind == 'st':
            return '%s.a + %s.b * 3u' % (v.name, v.name)
        return '*%s' % v.name

    def print_stmt(self, scopes, indent, v=None):
        self.nprint += 1
        if not self.in_main:
            return
        if v is not None:
            self.emit(indent, 'printf("p%d %s=%%u\\n", %s);' % (self.nprint, v.name, self.value_text(v)))
        else:
            self.emit(indent, 'printf("p%d %%u\\n", %s);' % (self.nprint, self.top_expr(scopes).text))

    def use_all(self, scope, indent):
        """Uses every local of a scope (no unused warnings, values checked)."""
        for v in scope:
            if v.kind == 'ptr':
                continue
            if self.in_main:
                self.nprint += 1
                self.emit(indent, 'printf("p%d %s=%%u\\n", %s);'
                          % (self.nprint, v.name, self.value_text(v)))
            else:
                self.emit(indent, 'acc += %s;' % self.value_text(v))
        for v in scope:
            if v.kind == 'ptr':
                self.emit(indent, '*%s += %s;' % (v.name, self.expr([scope], 1).text))

    def block(self, scopes, indent, loop, in_switch, nstmts):
        scopes.append([])
        for _ in range(nstmts):
            if self.budget <= 0:
                break
            self.stmt(scopes, indent, loop, in_switch)
        self.use_all(scopes[-1], indent)
        scopes.pop()

    def stmt(self, scopes, indent, loop, in_switch):
        self.budget -= 1
        depth = indent
        r = self.r.random()
        compound_ok = depth < 6 and self.budget > 2
        if r < 0.16:
            return self.declare(scopes, indent)
        if r < 0.32:
            return self.assign(scopes, indent)
        if r < 0.37:
            return self.put(scopes, indent)
        if r < 0.43:
            return self.print_stmt(scopes, indent)
        if r < 0.46:
            self.emit(indent, 'await tleaf((int)(%s & %s));'
                      % (self.paren(self.expr(scopes, 1)), MASK16))
            return
        if r < 0.50 and loop:
            kw = self.r.choice(['break', 'continue'])
            self.emit(indent, 'if (%s) %s;' % (self.cond(scopes), kw))
            return
        if r < 0.52 and in_switch and not loop:
            self.emit(indent, 'if (%s) break;' % self.cond(scopes))
            return
        if not compound_ok:
            return self.assign(scopes, indent)
        if r < 0.62:
            self.emit(indent, 'if (%s) {' % self.cond(scopes))
            self.block(scopes, indent + 1, loop, in_switch, self.r.randint(1, 4))
            if self.r.random() < 0.5:
                self.emit(indent, '} else {')
                self.block(scopes, indent + 1, loop, in_switch, self.r.randint(1, 3))
            self.emit(indent, '}')
            return
        if r < 0.86 and self.loop_weight < 40:
            return self.loop(scopes, indent)
        if r < 0.91:
            return self.switch(scopes, indent, loop)
        if r < 0.94:
            self.emit(indent, '{')
            self.block(scopes, indent + 1, loop, in_switch, self.r.randint(1, 4))
            self.emit(indent, '}')
            return
        if r < 0.97:
            # forward goto over a block of its own
            self.nlabel += 1
            lab = 'skip%d' % self.nlabel
            self.emit(indent, 'if (%s) goto %s;' % (self.cond(scopes), lab))
            self.emit(indent, '{')
            self.block(scopes, indent + 1, loop, in_switch, self.r.randint(1, 3))
            self.emit(indent, '}')
            self.emit(indent, '%s:;' % lab)
            return
        if self.loop_weight < 40:
            # bounded backward goto
            self.nlabel += 1
            lab = 'again%d' % self.nlabel
            g = self.fresh('g')
            n = self.r.randint(1, 3)
            self.emit(indent, 'unsigned %s = 0u;' % g)
            scopes[-1].append(Var(g, 'u', writable=False))
            self.emit(indent, '%s:;' % lab)
            self.emit(indent, '{')
            self.loop_weight *= n + 1
            self.block(scopes, indent + 1, loop, in_switch, self.r.randint(1, 4))
            self.loop_weight //= n + 1
            self.emit(indent, '}')
            self.emit(indent, 'if (%s++ < %du && %s) goto %s;'
                      % (g, n, self.paren(Expr(self.cond(scopes), 'x')), lab))
            return
        return self.assign(scopes, indent)

    def loop(self, scopes, indent):
        kind = self.r.choice(['for', 'for', 'while', 'do'])
        n = self.r.randint(1, 4)
        self.loop_weight *= n
        c = self.fresh('i' if kind == 'for' else 'c')
        body_n = self.r.randint(1, 5)
        if kind == 'for':
            cond = '%s < %du' % (c, n)
            if self.r.random() < 0.35:
                cond += ' && %s' % self.paren(Expr(self.cond(scopes), 'x'))
            step = '%s++' % c
            if self.r.random() < 0.3:
                step = '%s += 1u + (%s & 1u)' % (c, self.paren(self.expr(scopes, 1)))
            init = '0u'
            if self.r.random() < 0.3:
                init = '%s & 1u' % self.paren(self.expr(scopes, 1))
            self.emit(indent, 'for (unsigned %s = %s; %s; %s) {' % (c, init, cond, step))
            scopes.append([Var(c, 'u', writable=False)])
            self.block(scopes, indent + 1, True, False, body_n)
            scopes.pop()
            self.emit(indent, '}')
        elif kind == 'while':
            self.emit(indent, 'unsigned %s = %du;' % (c, n))
            scopes[-1].append(Var(c, 'u', writable=False))
            extra = ''
            if self.r.random() < 0.6:
                extra = ' && %s' % self.paren(Expr(self.cond(scopes), 'x'))
            self.emit(indent, 'while (%s-- > 0u%s) {' % (c, extra))
            self.block(scopes, indent + 1, True, False, body_n)
            self.emit(indent, '}')
        else:
            self.emit(indent, 'unsigned %s = 0u;' % c)
            scopes[-1].append(Var(c, 'u', writable=False))
            self.emit(indent, 'do {')
            self.block(scopes, indent + 1, True, False, body_n)
            extra = ''
            if self.r.random() < 0.6:
                extra = ' && %s' % self.paren(Expr(self.cond(scopes), 'x'))
            self.emit(indent, '} while (++%s < %du%s);' % (c, n, extra))
        self.loop_weight //= n

    def switch(self, scopes, indent, loop):
        ncase = self.r.randint(2, 4)
        e = self.nonconst(scopes, self.r.randint(1, 2), ())
        self.emit(indent, 'switch (%s %% %du) {' % (self.paren(e), ncase + 1))
        cases = list(range(ncase))
        has_default = self.r.random() < 0.7
        labels = ['case %d:' % i for i in cases]
        if has_default:
            labels.insert(self.r.randint(0, len(labels)), 'default:')
        for i, lab in enumerate(labels):
            self.emit(indent, lab)
            if self.r.random() < 0.15 and i + 1 < len(labels):
                continue   # several labels on one body
            self.emit(indent + 1, '{')
            self.block(scopes, indent + 2, loop, True, self.r.randint(1, 3))
            self.emit(indent + 1, '}')
            if i + 1 < len(labels) and self.r.random() < 0.3:
                # a plain statement first: gcc does not see the comment
                # after a block ending in a label
                self.emit(indent + 1, 'acc++;')
                self.emit(indent + 1, '/* fallthrough */')
            else:
                self.emit(indent + 1, 'break;')
        self.emit(indent, '}')

    # ------------------------------------------------------------ functions

    def helper(self, idx):
        name = 'h%d' % idx
        params = ['a', 'b'] if self.r.random() < 0.7 else ['a', 'b', 'c']
        f = Func(name, params, idx)
        self.in_main = False
        self.emit(0, 'async unsigned %s(%s)' % (name, ', '.join('unsigned ' + p for p in params)))
        self.emit(0, '{')
        # parameters and the body's outermost declarations share one scope
        scopes = [[Var(p, 'u') for p in params]]
        self.emit(1, 'unsigned acc = %s;' % self.top_expr(scopes).text)
        scopes[-1].append(Var('acc', 'u'))
        first = len(scopes[-1])
        self.budget = self.r.randint(3, 10)
        self.loop_weight = 8     # keep helpers' loops short
        while self.budget > 0:
            self.stmt(scopes, 1, False, False)
        body = scopes[-1][first:]
        for v in body:
            if v.kind != 'ptr':
                self.emit(1, 'acc += %s;' % self.value_text(v))
        for v in body:
            if v.kind == 'ptr':
                self.emit(1, '*%s += 1u;' % v.name)
        self.emit(1, 'return acc ^ %s;' % ' ^ '.join(params))
        self.emit(0, '}')
        self.emit(0, '')
        self.helpers.append(f)

    def program(self):
        self.emit(0, '// random program, seed %d (tests/gen/randprog.py)' % self.seed)
        self.emit(0, '#include <stdio.h>')
        self.emit(0, '#include "leaf.h"')
        self.emit(0, '')
        self.emit(0, 'struct rs { unsigned a, b; };')
        self.emit(0, '')
        self.emit(0, 'async unsigned w(unsigned v)')
        self.emit(0, '{')
        self.emit(1, 'unsigned lo = (unsigned)await tleaf((int)(v & %s));' % MASK16)
        self.emit(1, 'return lo + (v & ~%s);' % MASK16)
        self.emit(0, '}')
        self.emit(0, '')
        self.emit(0, 'async struct rs mk(unsigned a, unsigned b)')
        self.emit(0, '{')
        self.emit(1, 'struct rs r;')
        self.emit(1, 'r.a = await w(a);')
        self.emit(1, 'r.b = b ^ (unsigned)await tleaf(7);')
        self.emit(1, 'return r;')
        self.emit(0, '}')
        self.emit(0, '')
        self.emit(0, 'async void put(unsigned *p, unsigned v)')
        self.emit(0, '{')
        self.emit(1, 'unsigned t = await w(v);')
        self.emit(1, 'await tleaf(0);')
        self.emit(1, '*p = t;')
        self.emit(0, '}')
        self.emit(0, '')
        for i in range(self.r.randint(0, 3)):
            self.helper(i)
        self.in_main = True
        self.emit(0, 'async int test_main(void)')
        self.emit(0, '{')
        self.emit(1, 'static unsigned st_count = 0u;')
        self.emit(1, 'unsigned acc = 1u;')
        scopes = [[Var('acc', 'u')]]
        self.budget = self.r.randint(15, 45)
        self.loop_weight = 1
        while self.budget > 0:
            self.stmt(scopes, 1, False, False)
            if self.r.random() < 0.1:
                self.emit(1, 'st_count += %s;' % self.expr(scopes, 1).text)
        self.use_all(scopes[-1][1:], 1)
        self.emit(1, 'printf("st_count=%u\\n", st_count);')
        self.emit(1, 'return (int)(acc & 0x7fffffffu);')
        self.emit(0, '}')
        return '\n'.join(self.lines) + '\n'


def generate(seed):
    """Source text of random program number `seed`."""
    return Gen(seed).program()


def main():
    ap = argparse.ArgumentParser(description='Write a random dialect program.')
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('-o', '--output', help='file to write (default stdout)')
    args = ap.parse_args()
    text = generate(args.seed)
    if args.output:
        with open(args.output, 'w') as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == '__main__':
    main()
