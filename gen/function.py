"""Analysis of one async function: parse, check, lower, decide what lives in
the frame, and lay the frame out.

Frame layout (DESIGN.md §2): a struct per scope holding that scope's
locals that live across an await; a union holding the nested scopes and
the frames of awaits made directly in the scope. Nested scopes are never
alive at the same time as each other, nor during an await made directly in
the enclosing scope, and two awaits are never pending together, so they
share storage. Sizes are left to the C compiler.
"""
from . import ast as A
from .diag import GenError
from .liveness import live_across
from .lower import Lowerer
from .parser import Parser, Var

BANNED = {
    'setjmp': 'it captures a stack that does not survive a suspension',
    '_setjmp': 'it captures a stack that does not survive a suspension',
    'sigsetjmp': 'it captures a stack that does not survive a suspension',
    '__builtin_setjmp': 'it captures a stack that does not survive a '
                        'suspension',
    'longjmp': 'it would skip the state machine',
    '_longjmp': 'it would skip the state machine',
    'siglongjmp': 'it would skip the state machine',
    'alloca': 'its memory does not survive a suspension',
    '__builtin_alloca': 'its memory does not survive a suspension',
}


class Member:
    """A frame member: a local, a temporary, an awaited callee's frame, or a
    struct/union grouping others."""

    def __init__(self, kind, name, items=None, var=None, site=None):
        self.kind = kind          # 'var' | 'site' | 'struct' | 'union'
        self.name = name
        self.items = items or []
        self.var = var
        self.site = site


def iter_stmts(s):
    """Pre-order over statements, with their expressions."""
    stack = [s]
    while stack:
        s = stack.pop()
        yield s
        kids = []
        if isinstance(s, (A.Block, A.Seq)):
            kids = list(s.items)
        elif isinstance(s, A.If):
            kids = [s.then] + ([s.els] if s.els is not None else [])
        elif isinstance(s, (A.While, A.DoWhile, A.Switch)):
            kids = [s.body]
        elif isinstance(s, A.For):
            kids = ([s.init] if isinstance(s.init, A.Stmt) else []) + [s.body]
        elif isinstance(s, (A.Case, A.Label)):
            kids = [s.stmt]
        stack.extend(reversed(kids))


def stmt_exprs(s):
    if isinstance(s, A.ExprStmt):
        return [s.e]
    if isinstance(s, A.Decl):
        return [d.init for d in s.decls if d.init is not None] + \
            list(s.spec_idents)
    if isinstance(s, A.If):
        return [s.c]
    if isinstance(s, (A.While, A.DoWhile)):
        return [s.c]
    if isinstance(s, A.For):
        return [x for x in (s.init if isinstance(s.init, A.Expr) else None,
                            s.c, s.step) if x is not None]
    if isinstance(s, A.Switch):
        return [s.e]
    if isinstance(s, A.Return):
        return [s.e] if s.e is not None else []
    if isinstance(s, A.Verbatim):
        return list(s.idents)
    return []


class Function:
    def __init__(self, fn, ctx):
        self.fn = fn
        self.ctx = ctx
        self.unit = fn.unit
        self.src = fn.unit.src
        self.toks = fn.unit.toks

    def err(self, tok, msg, notes=()):
        raise GenError(self.src, tok.start, msg, notes)

    def analyze(self):
        fn = self.fn
        lookup = lambda name: self.ctx.lookup(self.unit, name)
        p = Parser(self.src, self.toks, self.ctx.typenames(self.unit),
                   lambda name: lookup(name) is not None)
        self.params = []
        for prm in fn.params:
            v = Var(prm.name, 'param', prm.tok)
            v.const_top = prm.const_top
            v.hoisted = True
            prm.var = v
            self.params.append(v)
        body, _ = p.parse_block(fn.body, params=self.params)
        self.parser = p
        self.check(body)
        self.mark_addr_taken(body)
        low = Lowerer(fn, lookup)
        low.vla_types = p.vla_types
        self.body = low.body(body)
        self.vm_typedefs = low.vm_typedefs
        self.sites = low.sites
        self.temps = low.temps
        self.used_labels = low.used_labels
        self.root = low.scopes[0]
        self.callees = [s.sig for s in self.sites]
        return self

    # -- checks ------------------------------------------------------------
    def check(self, body):
        """Rejects what the dialect cannot support; one walk collects what
        each rule needs, errors come out in source order of the rules."""
        awaited, idents, literals, macro_calls = set(), [], [], []
        macros = self.ctx.macros[self.unit]
        has_await = False
        for s in iter_stmts(body):
            for e in stmt_exprs(s):
                for n in A.walk(e):
                    if isinstance(n, A.Await):
                        awaited.add(id(n.call.fn))
                        has_await = True
                    elif isinstance(n, A.Ident):
                        if n.var is None:
                            idents.append((n, s, e))
                    elif isinstance(n, A.Call):
                        fn = n.fn
                        if isinstance(fn, A.Ident) and fn.var is None and \
                                fn.tok.text in macros:
                            macro_calls.append(n)
                    if isinstance(n, (A.Unary, A.CompoundLit)):
                        literals.append(n)
        lookup = self.ctx.lookup
        for n, s, e in idents:
            name = n.tok.text
            if name in BANNED and self.is_callee(n, e):
                self.err(n.tok, "'%s' cannot be used in an async "
                         "function: %s" % (name, BANNED[name]))
            if id(n) not in awaited and lookup(self.unit, name):
                self.misuse(n.tok, s, e)
        if has_await:
            for n in literals:
                if self.escaping_literal(n):
                    self.err(self.toks[n.first], "a compound literal "
                             "whose address is kept lives on the C "
                             "stack, which does not survive an await: "
                             "use a local variable")
        for n in macro_calls:
            for a in n.args:
                for x in A.walk(a):
                    if isinstance(x, A.Await):
                        self.err(x.tok, "'await' inside an argument "
                                 "of macro '%s', which may evaluate "
                                 "it more than once: assign the "
                                 "result to a local first"
                                 % n.fn.tok.text)

    def escaping_literal(self, n):
        """`(int[]){...}` (decays to a pointer) or `&(T){...}`."""
        if isinstance(n, A.Unary) and n.op == '&':
            inner = n.e
            while isinstance(inner, A.Paren):
                inner = inner.e
            return isinstance(inner, A.CompoundLit)
        if isinstance(n, A.CompoundLit):
            t = n.type
            depth = 0
            for j in range(t.first, t.last + 1):
                tx = self.toks[j].text
                if tx == '(':
                    depth += 1
                elif tx == ')':
                    depth -= 1
                elif tx == '[' and depth == 0:
                    return True
        return False

    def is_callee(self, ident, e):
        return any(isinstance(n, A.Call) and n.fn is ident
                   for n in A.walk(e))

    def misuse(self, tok, s, e):
        if any(isinstance(n, A.Call) and isinstance(n.fn, A.Ident) and
               n.fn.tok is tok for n in A.walk(e)):
            self.err(tok, "call to async function '%s' without 'await'"
                     % tok.text)
        self.err(tok, "async function '%s' can only be called with 'await' "
                 "(its address cannot be taken)" % tok.text)

    def mark_addr_taken(self, body):
        def base(e):
            while True:
                if isinstance(e, (A.Paren, A.Cast)):
                    e = e.e
                elif isinstance(e, A.Member) and e.op == '.':
                    e = e.e
                elif isinstance(e, A.Index):
                    e = e.a
                else:
                    return e

        def visit(e, parent, role):
            if isinstance(e, A.Ident):
                v = e.var
                if v is not None and v.is_array and role not in (
                        'index_base', 'sizeof'):
                    v.addr_taken = True
                return
            if isinstance(e, A.Unary) and e.op == '&':
                b = base(e.e)
                if isinstance(b, A.Ident) and b.var is not None:
                    b.var.addr_taken = True
            if isinstance(e, A.Member) and e.op == '.' and role not in (
                    'store', 'member', 'index_base', 'sizeof'):
                b = base(e)
                if isinstance(b, A.Ident) and b.var is not None:
                    b.var.addr_taken = True
            if isinstance(e, (A.SizeofExpr, A.SizeofType)):
                return
            if isinstance(e, A.Opaque):
                for x in e.idents:
                    if x.var is not None:
                        x.var.addr_taken = True
                return
            for c in e.children():
                r = 'value'
                if isinstance(e, A.Assign) and c is e.l:
                    r = 'store'
                elif isinstance(e, A.Member):
                    r = 'member'
                elif isinstance(e, A.Index) and c is e.a:
                    r = 'index_base'
                elif isinstance(e, A.Paren):
                    r = role
                visit(c, e, r)

        for s in iter_stmts(body):
            if isinstance(s, A.Verbatim):
                for x in s.idents:
                    if x.var is not None:
                        x.var.addr_taken = True
                continue
            for e in stmt_exprs(s):
                if isinstance(e, A.Node):
                    visit(e, None, 'value')

    # -- frame decisions ---------------------------------------------------
    def decide(self):
        def mark(info):
            info.has_await = bool(info.sites)
            for c in info.children:
                info.has_await |= mark(c)
            return info.has_await
        mark(self.root)
        locals_ = [v for v in self.parser.vars if v.kind == 'local']
        tracked = [v for v in locals_ + self.temps if not v.addr_taken]
        across = live_across(self.body, tracked)
        for v in locals_ + self.temps:
            if v.addr_taken:
                v.hoisted = v.scope is not None and v.scope.has_await
            else:
                v.hoisted = v in across
        for tok, scope in self.vm_typedefs:
            if self.await_after_pos(tok.start, scope):
                self.err(tok, "'%s' is a variably modified type (a run-time "
                         "array size), so it cannot be in scope across an "
                         "await" % tok.text)
        for v in locals_:
            if v.vla and self.await_after(v):
                self.err(v.tok, "'%s' has a variably modified type (a "
                         "run-time array size), so it cannot be in scope "
                         "across an await" % v.name)
            if v.hoisted:
                self.check_hoistable(v)

    def await_after(self, v):
        return self.await_after_pos(v.tok.start, v.scope)

    def await_after_pos(self, pos, scope):
        def sites(info):
            yield from info.sites
            for c in info.children:
                yield from sites(c)
        return any(s.tok.start > pos for s in sites(scope))

    def check_hoistable(self, v):
        d = v.decl
        toks = self.toks
        for j in range(d.spec_first, d.spec_last + 1):
            t = toks[j]
            if t.kind != 'id':
                continue
            local_tag = toks[j - 1].text in ('struct', 'union', 'enum') and \
                t.text in self.parser.local_tags
            moved = d.defines_type and len(d.decls) == 1
            if (d.defines_type and not moved) or local_tag and not moved or \
                    t.text in self.parser.local_types:
                self.err(v.tok, "'%s' lives across an await, so its type must "
                         "be declared outside the async function" % v.name)
        dl = v.declarator
        for j in range(dl.first, dl.last + 1):
            if toks[j].text == '[' and toks[j + 1].text == ']':
                self.err(v.tok, "array '%s' lives across an await: give its "
                         "size" % v.name)
        if 'register' in d.storage:
            pass  # the frame field drops `register`

    # -- layout ------------------------------------------------------------
    def layout(self):
        """Builds the frame's member tree and every member's access path."""
        fn = self.fn
        top = []
        for v in self.params:
            top.append(Member('var', v.name, var=v))
        top += self.scope_members(self.root)
        # a flattened block may shadow a parameter; strio_* are the frame's
        self.dedupe(top, ('strio_state', 'strio_ret'))
        self.frame = Member('struct', fn.name + '_frame', top)
        self.assign_paths(self.frame, 'strio_F->')
        return self.frame

    def scope_members(self, info):
        own = [Member('var', v.field, var=v) for v in info.vars if v.hoisted]
        alts = []
        for c in info.children:
            items = self.scope_members(c)
            if items:
                name = 'strio_b%d' % c.line
                alts.append(Member('struct', name, items))
        for site in info.sites:
            alts.append(Member('site', 'strio_aw%d' % site.k, site=site))
        # unique names inside the union (two blocks on one line)
        seen = {}
        for m in alts:
            if m.name in seen:
                seen[m.name] += 1
                m.name += '_%d' % seen[m.name]
            else:
                seen[m.name] = 1
        if len(alts) == 1:
            alt = alts[0]
            if alt.kind == 'struct':
                own += alt.items           # a lone nested scope: flatten
            else:
                own.append(alt)
        elif alts:
            own.append(Member('union', 'strio_u%d' % info.line, alts))
        self.dedupe(own)
        return own

    def dedupe(self, items, reserved=()):
        names = dict.fromkeys(reserved)
        for m in items:
            if m.kind == 'var' and m.name in names:
                m.name = '%s_%d' % (m.var.name, m.var.tok.start)
            names[m.name] = m

    def assign_paths(self, m, prefix):
        for it in m.items:
            path = prefix + it.name
            if it.kind == 'var':
                it.var.path = path
                it.var.field = it.name
            elif it.kind == 'site':
                it.site.path = path
                it.site.field = it.name
            else:
                self.assign_paths(it, path + '.')
