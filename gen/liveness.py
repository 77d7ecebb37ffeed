"""Which locals live across an await: a control-flow graph over the lowered
body (loops, switch, goto included) and backward liveness on bitsets.

A local goes into the frame when it is live at some suspension point, or
when its address is taken and an await lies anywhere in its block (C gives
the object the whole block as lifetime, and a pointer to it may be used by
the callee while suspended).
"""
from . import ast as A
from .lower import RawAssign, TempDecl


class CFG:
    def __init__(self):
        self.uses, self.defs, self.succ = [], [], []

    def node(self, uses=0, defs=0):
        self.uses.append(uses)
        self.defs.append(defs)
        self.succ.append([])
        return len(self.uses) - 1


def tracked(v):
    return v is not None and v.kind in ('local', 'temp') and not v.addr_taken


class Builder:
    def __init__(self):
        self.g = CFG()
        self.loops = []       # (break list, continue node or None)
        self.switches = []    # (case node list, has_default flag holder)
        self.labels = {}
        self.susp = {}        # site -> suspension node

    def label(self, name):
        n = self.labels.get(name)
        if n is None:
            n = self.labels[name] = self.g.node()
        return n

    # -- expression uses/defs --------------------------------------------
    def ud(self, e, uses=0, defs=0):
        if e is None:
            return uses, defs
        stack = [e]
        while stack:
            n = stack.pop()
            if isinstance(n, A.Ident):
                if tracked(n.var):
                    uses |= 1 << n.var.index
                continue
            if isinstance(n, A.TempRef):
                if tracked(n.temp):
                    uses |= 1 << n.temp.index
                continue
            target = None
            if isinstance(n, A.Assign) and n.op == '=':
                target, rest = n.l, [n.r]
            elif isinstance(n, RawAssign) and n.op == '=':
                target, rest = n.target, [p for p in n.parts[1:]
                                          if isinstance(p, A.Node)]
            if target is not None:
                while isinstance(target, A.Paren):
                    target = target.e
                var = target.var if isinstance(target, A.Ident) else (
                    target.temp if isinstance(target, A.TempRef) else None)
                if tracked(var):
                    # a plain store: the target is defined, not used. Uses
                    # elsewhere in the statement stay uses (conservative:
                    # the walk does not follow evaluation order).
                    u2, d2 = self.ud_list(rest)
                    uses |= u2
                    defs |= d2 | (1 << var.index)
                    continue
            stack.extend(n.children())
        return uses, defs

    def ud_list(self, exprs):
        uses = defs = 0
        for e in exprs:
            uses, defs = self.ud(e, uses, defs)
        return uses, defs

    def simple(self, uses=0, defs=0):
        n = self.g.node(uses, defs)
        return n, [n]

    # -- statements --------------------------------------------------------
    def connect(self, exits, target):
        for x in exits:
            self.g.succ[x].append(target)

    def seq(self, items):
        if not items:
            return self.simple()
        entry, exits = self.build(items[0])
        for s in items[1:]:
            e2, x2 = self.build(s)
            self.connect(exits, e2)
            exits = x2
        return entry, exits

    def build(self, s):
        m = getattr(self, 'b_' + type(s).__name__)
        return m(s)

    def b_Block(self, s):
        return self.seq(s.items)

    def b_Seq(self, s):
        return self.seq(s.items)

    def b_ExprStmt(self, s):
        u, d = self.ud(s.e)
        return self.simple(u, d)

    def b_Decl(self, s):
        uses = defs = 0
        for d in s.decls:
            if d.init is not None:
                u, df = self.ud(d.init)
                uses |= u & ~defs    # earlier declarators come first
                defs |= df
            if tracked(d.var):
                defs |= 1 << d.var.index
        return self.simple(uses, defs)

    def b_SetTemp(self, s):
        u, d = self.ud(s.e)
        if tracked(s.temp):
            d |= 1 << s.temp.index
        return self.simple(u, d)

    def b_TempDecl(self, s):
        return self.simple()

    def b_Empty(self, s):
        return self.simple()

    b_PPLine = b_Empty

    def b_Verbatim(self, s):
        return self.simple(*self.ud_list(s.idents))

    def b_If(self, s):
        n = self.g.node(*self.ud(s.c))
        te, tx = self.build(s.then)
        self.g.succ[n].append(te)
        if s.els is not None:
            ee, ex = self.build(s.els)
            self.g.succ[n].append(ee)
            return n, tx + ex
        return n, tx + [n]

    def loop(self, cont, body):
        breaks = []
        self.loops.append((breaks, cont))
        entry, exits = self.build(body)
        self.loops.pop()
        return entry, exits, breaks

    def b_While(self, s):
        c = self.g.node(*self.ud(s.c))
        be, bx, breaks = self.loop(c, s.body)
        self.g.succ[c].append(be)
        self.connect(bx, c)
        return c, [c] + breaks

    def b_DoWhile(self, s):
        c = self.g.node(*self.ud(s.c))
        be, bx, breaks = self.loop(c, s.body)
        self.connect(bx, c)
        self.g.succ[c].append(be)
        return be, [c] + breaks

    def b_For(self, s):
        if isinstance(s.init, A.Stmt):
            ie, ix = self.build(s.init)
        else:
            ie, ix = self.simple(*self.ud(s.init))
        c = self.g.node(*self.ud(s.c)) if s.c is not None else self.g.node()
        self.connect(ix, c)
        step = self.g.node(*self.ud(s.step)) if s.step is not None else c
        be, bx, breaks = self.loop(step, s.body)
        self.g.succ[c].append(be)
        self.connect(bx, step)
        if step != c:
            self.g.succ[step].append(c)
        return ie, ([c] if s.c is not None else []) + breaks

    def b_Switch(self, s):
        n = self.g.node(*self.ud(s.e))
        cases = []
        self.switches.append(cases)
        breaks = []
        cont = self.loops[-1][1] if self.loops else None
        self.loops.append((breaks, cont))
        be, bx = self.build(s.body)
        self.loops.pop()
        self.switches.pop()
        has_default = False
        for node, is_default in cases:
            self.g.succ[n].append(node)
            has_default |= is_default
        return n, bx + breaks + ([] if has_default else [n])

    def b_Case(self, s):
        n = self.g.node()
        if self.switches:
            self.switches[-1].append((n, s.first is None))
        e, x = self.build(s.stmt)
        self.g.succ[n].append(e)
        return n, x

    def b_Label(self, s):
        n = self.label(s.name)
        e, x = self.build(s.stmt)
        self.g.succ[n].append(e)
        return n, x

    def b_GotoLabel(self, s):
        n = self.label(s.name)
        return n, [n]

    def b_Goto(self, s):
        n = self.g.node()
        self.g.succ[n].append(self.label(s.name))
        return n, []

    def b_Break(self, s):
        n = self.g.node()
        if self.loops:
            self.loops[-1][0].append(n)
        return n, []

    def b_Continue(self, s):
        n = self.g.node()
        for breaks, cont in reversed(self.loops):
            if cont is not None:
                self.g.succ[n].append(cont)
                break
        return n, []

    def b_Return(self, s):
        return self.g.node(*self.ud(s.e)), []

    def b_AwaitStmt(self, s):
        a = self.g.node(*self.ud_list(s.site.args))
        sp = self.g.node()
        self.g.succ[a].append(sp)
        self.susp[s.site] = sp
        return a, [sp]


def live_across(body, variables):
    """Returns the set of tracked variables live at any suspension point."""
    for i, v in enumerate(variables):
        v.index = i
    b = Builder()
    b.build(body)
    g = b.g
    n = len(g.uses)
    live_in = [0] * n
    changed = True
    while changed:
        changed = False
        for i in range(n - 1, -1, -1):
            out = 0
            for s in g.succ[i]:
                out |= live_in[s]
            new = g.uses[i] | (out & ~g.defs[i])
            if new != live_in[i]:
                live_in[i] = new
                changed = True
    across = 0
    for sp in b.susp.values():
        across |= live_in[sp]
    return {v for v in variables if across >> v.index & 1}


__all__ = ['live_across', 'RawAssign', 'TempDecl']
