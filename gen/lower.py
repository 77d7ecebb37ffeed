"""Lowering: statements whose expressions contain `await` become sequences
of simple steps (temporaries, await points, branches), keeping C structure
everywhere else.

Evaluation order (DESIGN.md §2): in an expression that contains an await,
operands run in lexical left-to-right order. An operand that runs before a
later await (or a later side effect) is saved in a temporary unless
re-reading it later is provably the same (constants, locals that nothing in
the statement modifies and whose address is not taken). `&&`, `||` and `?:`
become branches, so the untaken side never runs.
"""
from . import ast as A
from .diag import GenError
from .parser import Var


class Site:
    """One await: its state number, callee and where its frame lives."""
    __slots__ = ('k', 'call', 'sig', 'tok', 'args', 'owner', 'field', 'path',
                 'line', 'state_name', 'pp')

    def __init__(self, k, call, sig, tok, line):
        self.k, self.call, self.sig, self.tok, self.line = k, call, sig, tok, line
        self.args = []
        self.owner = None
        self.field = None
        self.path = None
        self.state_name = None


class ScopeInfo:
    """Layout unit: a block, or the implicit scope of a `for` declaration."""
    __slots__ = ('node', 'vars', 'sites', 'children', 'line', 'has_await',
                 'parent')

    def __init__(self, node, line, parent):
        self.node, self.line, self.parent = node, line, parent
        self.vars = []
        self.sites = []
        self.children = []
        self.has_await = False


def pure(r):
    """A residual with no effect of its own (dropped as a statement)."""
    while isinstance(r, A.Raw) and len(r.parts) == 3 and r.parts[0] == '(' \
            and r.parts[2] == ')' and isinstance(r.parts[1], A.Node):
        r = r.parts[1]
    return isinstance(r, (A.TempRef, A.AwaitResult, A.Lit)) or (
        isinstance(r, A.Raw) and r.parts == ('((void)0)',))


class RawAssign(A.Raw):
    """Residual of an assignment: keeps its target for liveness."""
    __slots__ = ('op', 'target')

    def __init__(self, op, target, value):
        super().__init__(target, ' %s ' % op, value)
        self.op, self.target = op, target


class TempDecl(A.Stmt):
    __slots__ = ('temp',)

    def __init__(self, temp, tok):
        self.temp, self.tok = temp, tok


def _is_effect(n):
    return isinstance(n, (A.Call, A.Assign, A.Await)) or (
        isinstance(n, (A.Unary, A.Postfix)) and n.op in ('++', '--'))


def effect_count(e, memo):
    """Side effects (calls, stores, ++/--, awaits) in `e`; memoized per node
    so lowering stays linear."""
    key = id(e)
    hit = memo.get(key)
    if hit is None:
        hit = (1 if _is_effect(e) else 0) + sum(
            effect_count(c, memo) for c in e.children())
        memo[key] = hit
    return hit


class Lowerer:
    def __init__(self, fn, resolve_async):
        self.fn = fn
        self.src = fn.unit.src
        self.resolve_async = resolve_async
        self.sites = []
        self.temps = []
        self.scopes = []
        self.scope = None
        self.cont_stack = []     # per loop: None (native continue) or label
        self.label_count = 0
        self.used_labels = set()
        self.vla_types = set()
        self.vm_typedefs = []    # (name token, scope) of VM typedefs
        self.pp = []             # open #if chains (directive texts)
        self.modified = set()    # vars modified in the current statement
        self.has_await = {}
        self.effect_memo = {}

    # -- helpers -----------------------------------------------------------
    def err(self, tok, msg):
        raise GenError(self.src, tok.start, msg)

    def awaits(self, e):
        if e is None:
            return False
        key = id(e)
        hit = self.has_await.get(key)
        if hit is None:
            hit = isinstance(e, A.Await)
            for c in e.children():
                if self.awaits(c):
                    hit = True
            self.has_await[key] = hit
        return hit

    def effects(self, e):
        return effect_count(e, self.effect_memo)

    def needs(self, e):
        return e is not None and self.awaits(e)

    def open_scope(self, node, tok):
        info = ScopeInfo(node, self.src.line_of(tok.start), self.scope)
        if self.scope is not None:
            self.scope.children.append(info)
        self.scopes.append(info)
        self.scope = info
        return info

    def close_scope(self):
        self.scope = self.scope.parent

    def new_temp(self, steps, tok, type_text=None, type_expr=None, ptr=False):
        t = Var('strio_t%d' % (len(self.temps) + 1), 'temp', tok)
        t.type_text = type_text
        t.declarator = (type_expr, ptr)
        t.scope = self.scope
        self.scope.vars.append(t)
        self.temps.append(t)
        steps.append(TempDecl(t, tok))
        return t

    def tok_of(self, e):
        return self.fn.toks[e.first] if e.first is not None else self.fn.name_tok

    # -- expressions -------------------------------------------------------
    def stable(self, e):
        """True when evaluating `e` later gives the same value as now."""
        if isinstance(e, (A.Lit, A.TempRef, A.SizeofType, A.SizeofExpr)):
            return True
        if isinstance(e, A.Ident):
            v = e.var
            if v is not None and v.is_array:
                return True      # an array designates a fixed address
            if v is None or v.kind == 'static':
                return False
            return not v.addr_taken and v not in self.modified
        if isinstance(e, (A.Paren, A.Cast)):
            return self.stable(e.e)
        if isinstance(e, A.Unary) and e.op in ('-', '+', '~', '!'):
            return self.stable(e.e)
        if isinstance(e, A.Binary) and not self.effects(e):
            return self.stable(e.l) and self.stable(e.r)
        if isinstance(e, A.Member) and e.op == '.':
            return self.stable(e.e)
        return False

    def loc_stable(self, e):
        """True when the lvalue `e` designates the same object later."""
        if isinstance(e, (A.Ident, A.TempRef)):
            return True
        if isinstance(e, A.Paren):
            return self.loc_stable(e.e)
        if isinstance(e, A.Member):
            return self.loc_stable(e.e) if e.op == '.' else self.stable(e.e)
        if isinstance(e, A.Index):
            return self.stable(e.a) and self.stable(e.i)
        if isinstance(e, A.Unary) and e.op == '*':
            return self.stable(e.e)
        if isinstance(e, A.Raw) and len(e.parts) == 3 and e.parts[0] == '(*':
            return True
        return False

    def save_value(self, steps, r, orig):
        if self.stable(r):
            return r
        tok = self.tok_of(orig)
        if isinstance(r, A.AwaitResult):
            t = self.new_temp(steps, tok, type_text=r.site.sig.ret)
        else:
            # `?:` gives the value's type: arrays decay, qualifiers and
            # bit-fields go, as they would for a saved value
            t = self.new_temp(steps, tok, type_expr=A.Raw(
                '1 ? (', orig, ') : (', orig, ')'))
        steps.append(A.SetTemp(t, r, tok))
        return A.TempRef(t)

    def save_lvalue(self, steps, r, orig):
        if self.loc_stable(r):
            return r
        tok = self.tok_of(orig)
        t = self.new_temp(steps, tok, type_expr=orig, ptr=True)
        steps.append(A.SetTemp(t, A.Raw('&(', r, ')'), tok))
        return A.Raw('(*', A.TempRef(t), ')')

    def operands(self, items):
        """Lowers operands [(expr, is_lvalue)] left to right; returns
        (steps, residuals)."""
        keys = [self.awaits(x) or self.effects(x) for x, _ in items]
        last = max((i for i, k in enumerate(keys) if k), default=-1)
        steps, out = [], []
        for i, (x, lvalue) in enumerate(items):
            s, r = self.lx(x)
            steps += s
            if i < last and lvalue != 'fixed':
                r = (self.save_lvalue if lvalue else self.save_value)(
                    steps, r, x)
            out.append(r)
        return steps, out

    def lx(self, e, need=True):
        """Returns (steps, residual). Await-free, single-effect expressions
        come back unchanged."""
        if not self.awaits(e) and self.effects(e) < 2:
            return [], e
        if not self.awaits(e) and isinstance(e, (A.Cond, A.Comma)) or (
                isinstance(e, A.Binary) and e.op in ('&&', '||')
                and not self.awaits(e)):
            return [], e     # C already sequences these
        m = getattr(self, 'lx_' + type(e).__name__, None)
        if m is None:
            if self.awaits(e):
                self.err(self.tok_of(e), "'await' is not supported here")
            return [], e
        return m(e, need)

    def lx_Await(self, e, need):
        call = e.call
        sig = self.resolve_async(call.fn.tok.text)
        steps, args = self.operands([(a, False) for a in call.args])
        site = Site(len(self.sites) + 1, call, sig, e.tok,
                    self.src.line_of(e.tok.start))
        site.args = args
        site.pp = [list(level) for level in self.pp]
        site.owner = self.scope
        self.scope.sites.append(site)
        self.sites.append(site)
        steps.append(A.AwaitStmt(site, e.tok))
        if sig.ret_void:
            return steps, (A.Raw('((void)0)') if need else None)
        return steps, A.AwaitResult(site)

    def lx_Paren(self, e, need):
        s, r = self.lx(e.e, need)
        return s, (A.Raw('(', r, ')') if r is not None else None)

    def lx_Binary(self, e, need):
        if e.op in ('&&', '||'):
            return self.short_circuit(e, need)
        s, (l, r) = self.operands([(e.l, False), (e.r, False)])
        return s, A.Raw(l, ' %s ' % e.op, r)

    def short_circuit(self, e, need):
        steps, l = self.lx(e.l)
        if not self.awaits(e.r):
            return steps, A.Raw(l, ' %s ' % e.op, e.r)
        tok = self.tok_of(e)
        # the If adds its own parentheses: `if ((a == b))` would draw
        # clang's -Wparentheses-equality
        cond = l if e.op == '&&' else A.Raw('!(', l, ')')
        sr, r = self.lx(e.r)
        if need:
            t = self.new_temp(steps, tok, type_text='int')
            steps.append(A.SetTemp(t, A.Raw('0' if e.op == '&&' else '1'), tok))
            body = sr + [A.SetTemp(t, A.Raw('!!(', r, ')'), tok)]
            steps.append(A.If(cond, A.Seq(body, tok), None, tok))
            return steps, A.TempRef(t)
        body = sr + ([A.ExprStmt(A.Raw('(void)(', r, ')'), tok)]
                     if r is not None else [])
        steps.append(A.If(cond, A.Seq(body, tok), None, tok))
        return steps, None

    def lx_Cond(self, e, need):
        steps, c = self.lx(e.c)
        if not self.awaits(e.t) and not self.awaits(e.f):
            return steps, A.Raw(c, ' ? ', e.t, ' : ', e.f)
        tok = self.tok_of(e)
        st, rt = self.lx(e.t, need)
        sf, rf = self.lx(e.f, need)
        if need and not self.void_cond(e):
            t = self.new_temp(steps, tok, type_expr=A.Raw('1 ? ', e.t, ' : ', e.f))
            st.append(A.SetTemp(t, rt, tok))
            sf.append(A.SetTemp(t, rf, tok))
            steps.append(A.If(c, A.Seq(st, tok),
                              A.Seq(sf, tok), tok))
            return steps, A.TempRef(t)
        for s, r in ((st, rt), (sf, rf)):
            if r is not None:
                s.append(A.ExprStmt(A.Raw('(void)(', r, ')'), tok))
        steps.append(A.If(c, A.Seq(st, tok), A.Seq(sf, tok),
                          tok))
        return steps, (A.Raw('((void)0)') if need else None)

    def void_cond(self, e):
        for side in (e.t, e.f):
            if isinstance(side, A.Await) and side.call and \
                    self.resolve_async(side.call.fn.tok.text).ret_void:
                return True
            if isinstance(side, A.Cast) and self.fn.toks[side.type.first].text == 'void':
                return True
        return False

    def lx_Comma(self, e, need):
        sl, rl = self.lx(e.l, False)
        if rl is not None and not pure(rl):
            sl.append(A.ExprStmt(A.Raw('(void)(', rl, ')'), self.tok_of(e)))
        sr, rr = self.lx(e.r, need)
        if need and rr is not None and not isinstance(
                rr, (A.TempRef, A.AwaitResult)):
            # the comma kept warnings such as `(f(), 5) < !i` quiet in the
            # source; a temporary keeps them quiet in the output
            t = self.new_temp(sr, self.tok_of(e), type_expr=A.Raw(
                '1 ? (', e.r, ') : (', e.r, ')'))
            sr.append(A.SetTemp(t, rr, self.tok_of(e)))
            rr = A.TempRef(t)
        return sl + sr, rr

    def lx_Assign(self, e, need):
        s, (l, r) = self.operands([(e.l, True), (e.r, False)])
        return s, RawAssign(e.op, l, r)

    def lx_Index(self, e, need):
        s, (a, i) = self.operands([(e.a, False), (e.i, False)])
        return s, A.Raw(a, '[', i, ']')

    def lx_Call(self, e, need):
        # a called name (function or macro) designates the same thing later
        fn_fixed = isinstance(e.fn, A.Ident) and e.fn.var is None
        items = [(e.fn, 'fixed' if fn_fixed else False)]
        s, out = self.operands(items + [(a, False) for a in e.args])
        parts = [out[0], '(']
        for j, a in enumerate(out[1:]):
            if j:
                parts.append(', ')
            parts.append(a)
        parts.append(')')
        return s, A.Raw(*parts)

    def lx_Member(self, e, need):
        s, r = self.lx(e.e)
        return s, A.Raw(r, e.op, e.name)

    def lx_Unary(self, e, need):
        s, r = self.lx(e.e)
        return s, A.Raw(e.op, r)

    def lx_Postfix(self, e, need):
        s, r = self.lx(e.e)
        return s, A.Raw(r, e.op)

    def lx_Cast(self, e, need):
        s, r = self.lx(e.e)
        return s, A.Raw('(', e.type, ')', r)

    def lx_SizeofExpr(self, e, need):
        if self.awaits(e):
            self.err(self.tok_of(e), "'await' inside '%s' is never evaluated"
                     % self.fn.toks[e.first].text)
        return [], e

    def lx_InitList(self, e, need):
        s, out = self.operands([(x, False) for _, _, x in e.items])
        parts = ['{']
        for j, ((df, dl, _), r) in enumerate(zip(e.items, out)):
            if j:
                parts.append(', ')
            if df is not None:
                parts += [A.Toks(df, dl), ' ']      # `.x =` / `[2] =`
            parts.append(r)
        parts.append('}')
        return s, A.Raw(*parts)

    def lx_CompoundLit(self, e, need):
        s, r = self.lx(e.init)
        return s, A.Raw('(', e.type, ')', r)

    # -- statements --------------------------------------------------------
    def stmt_modified(self, exprs):
        mod = set()
        for e in exprs:
            if e is None:
                continue
            for n in A.walk(e):
                target = None
                if isinstance(n, A.Assign):
                    target = n.l
                elif isinstance(n, (A.Unary, A.Postfix)) and n.op in ('++', '--'):
                    target = n.e
                while isinstance(target, A.Paren):
                    target = target.e
                if isinstance(target, A.Ident) and target.var is not None:
                    mod.add(target.var)
        self.modified = mod

    def lower_expr_stmt(self, e, tok, need=False):
        self.stmt_modified([e])
        return self.lx(e, need)

    def body(self, block):
        return self.ls(block)

    def ls(self, s):
        m = getattr(self, 'ls_' + type(s).__name__)
        return m(s)

    def ls_Block(self, s):
        self.open_scope(s, s.tok)
        s.items = [self.ls(x) for x in s.items]
        self.close_scope()
        return s

    def ls_Decl(self, s):
        if s.is_typedef:
            for d in s.decls:
                if d.name in self.vla_types:
                    self.vm_typedefs.append((self.fn.toks[d.name_idx],
                                             self.scope))
        for d in s.decls:
            if d.var is not None:
                d.var.scope = self.scope
                self.scope.vars.append(d.var)
        if not any(self.needs(d.init) for d in s.decls):
            return s
        if s.defines_type and len(s.decls) > 1:
            self.err(s.tok, "split this declaration: a type defined in a "
                     "declaration with several declarators cannot be "
                     "combined with 'await'")
        out = []
        for d in s.decls:
            if d.init is not None:
                self.stmt_modified([d.init])
                steps, r = self.lx(d.init)
                out += steps
                d.init = r
            out.append(A.Decl(s.tok, s.spec_first, s.spec_last, [d], s.storage,
                              s.is_typedef, s.spec_idents, s.defines_type))
        return A.Seq(out, s.tok)

    def ls_ExprStmt(self, s):
        steps, r = self.lower_expr_stmt(s.e, s.tok)
        if not steps:
            return s
        if r is not None and not pure(r):
            steps.append(A.ExprStmt(r, s.tok))
        return A.Seq(steps, s.tok)

    def ls_If(self, s):
        steps, c = self.lower_expr_stmt(s.c, s.tok, need=True)
        s.c = c
        s.then = self.ls(s.then)
        if s.els is not None:
            s.els = self.ls(s.els)
        return A.Seq(steps + [s], s.tok) if steps else s

    def loop_body(self, body, cont):
        self.cont_stack.append(cont)
        out = self.ls(body)
        self.cont_stack.pop()
        return out

    def new_label(self):
        self.label_count += 1
        return 'strio_continue_%d' % self.label_count

    def exit_if_false(self, steps, c, tok):
        return steps + [A.If(A.Raw('!(', c, ')'), A.Break(tok), None, tok)]

    def ls_While(self, s):
        if not self.needs(s.c):
            s.body = self.loop_body(s.body, None)
            return s
        steps, c = self.lower_expr_stmt(s.c, s.tok, need=True)
        body = self.loop_body(s.body, None)
        items = self.exit_if_false(steps, c, s.tok) + [body]
        return A.For(None, None, None, A.Seq(items, s.tok), s.tok)

    def ls_DoWhile(self, s):
        if not self.needs(s.c):
            s.body = self.loop_body(s.body, None)
            return s
        label = self.new_label()
        body = self.loop_body(s.body, label)
        steps, c = self.lower_expr_stmt(s.c, s.tok, need=True)
        items = [body, A.GotoLabel(label, s.tok)] + self.exit_if_false(
            steps, c, s.tok)
        return A.For(None, None, None, A.Seq(items, s.tok), s.tok)

    def ls_For(self, s):
        info = self.open_scope(s, s.tok)
        s.scope = info
        init_steps = []
        if isinstance(s.init, A.Decl):
            lowered = self.ls_Decl(s.init)
            init_steps = lowered.items if isinstance(lowered, A.Seq) else [lowered]
            s.init = lowered
        elif s.init is not None and self.needs(s.init):
            steps, r = self.lower_expr_stmt(s.init, s.tok)
            if r is not None:
                steps.append(A.ExprStmt(r, s.tok))
            init_steps = steps
            s.init = A.Seq(steps, s.tok)
        if not self.needs(s.c) and not self.needs(s.step):
            s.body = self.loop_body(s.body, None)
            self.close_scope()
            return s
        label = self.new_label() if self.needs(s.step) or self.needs(s.c) else None
        cond_steps = []
        if s.c is not None:
            steps, c = self.lower_expr_stmt(s.c, s.tok, need=True)
            cond_steps = self.exit_if_false(steps, c, s.tok)
        body = self.loop_body(s.body, label)
        step_steps = []
        if s.step is not None:
            steps, r = self.lower_expr_stmt(s.step, s.tok)
            if r is not None:
                steps.append(A.ExprStmt(r, s.tok))
            step_steps = steps
        items = cond_steps + [body, A.GotoLabel(label, s.tok)] + step_steps
        loop = A.For(None, None, None, A.Seq(items, s.tok), s.tok)
        self.close_scope()
        if isinstance(s.init, A.Decl) or isinstance(s.init, A.Seq) and \
                any(isinstance(x, A.Decl) for x in s.init.items):
            out = A.Block([s.init, loop], s.tok, s.tok, synthetic=True)
        else:
            pre = [s.init] if isinstance(s.init, A.Seq) else (
                [A.ExprStmt(s.init, s.tok)] if s.init is not None else [])
            out = A.Block(pre + [loop], s.tok, s.tok, synthetic=True)
        out.id = info
        return out

    def ls_Switch(self, s):
        steps, e = self.lower_expr_stmt(s.e, s.tok, need=True)
        s.e = e
        s.body = self.ls(s.body)
        return A.Seq(steps + [s], s.tok) if steps else s

    def ls_Case(self, s):
        s.stmt = self.ls(s.stmt)
        return s

    def ls_Label(self, s):
        s.stmt = self.ls(s.stmt)
        return s

    def ls_Continue(self, s):
        target = self.cont_stack[-1] if self.cont_stack else None
        if target is not None:
            self.used_labels.add(target)
            return A.Goto(target, s.tok)
        return s

    def ls_Return(self, s):
        if not self.needs(s.e):
            return s
        steps, r = self.lower_expr_stmt(s.e, s.tok, need=True)
        s.e = r
        return A.Seq(steps + [s], s.tok)

    def ls_Goto(self, s):
        return s

    def ls_PPLine(self, s):
        """Tracks #if/#elif/#else/#endif so the dispatch to an await inside
        a conditional branch can be wrapped in the same conditions."""
        words = s.tok.text.lstrip()[1:].split()
        word = words[0] if words else ''
        if word in ('if', 'ifdef', 'ifndef'):
            self.pp.append([s.tok.text.strip()])
        elif word in ('elif', 'else') and self.pp:
            self.pp[-1].append(s.tok.text.strip())
        elif word == 'endif' and self.pp:
            self.pp.pop()
        return s

    ls_Break = ls_Empty = ls_Verbatim = ls_Goto
