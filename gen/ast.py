"""Syntax tree of async function bodies (and the IR lowering produces).

Expression nodes carry `first`/`last` token indexes so await-free parts can be
re-emitted from the original tokens. Statement nodes carry `tok`, the token
their `#line` mapping points at.
"""


class Node:
    __slots__ = ()

    def children(self):
        return ()


# ---- expressions ---------------------------------------------------------

class Expr(Node):
    __slots__ = ('first', 'last')


class Ident(Expr):
    __slots__ = ('tok', 'var')

    def __init__(self, tok, idx):
        self.tok, self.var = tok, None
        self.first = self.last = idx


class Lit(Expr):
    __slots__ = ()

    def __init__(self, first, last):
        self.first, self.last = first, last


class Paren(Expr):
    __slots__ = ('e',)

    def __init__(self, e, first, last):
        self.e, self.first, self.last = e, first, last

    def children(self):
        return (self.e,)


class Call(Expr):
    __slots__ = ('fn', 'args')

    def __init__(self, fn, args, last):
        self.fn, self.args = fn, args
        self.first, self.last = fn.first, last

    def children(self):
        return (self.fn,) + tuple(self.args)


class Index(Expr):
    __slots__ = ('a', 'i')

    def __init__(self, a, i, last):
        self.a, self.i = a, i
        self.first, self.last = a.first, last

    def children(self):
        return (self.a, self.i)


class Member(Expr):
    __slots__ = ('e', 'op', 'name')

    def __init__(self, e, op, name, last):
        self.e, self.op, self.name = e, op, name
        self.first, self.last = e.first, last

    def children(self):
        return (self.e,)


class Postfix(Expr):
    __slots__ = ('e', 'op')

    def __init__(self, e, op, last):
        self.e, self.op = e, op
        self.first, self.last = e.first, last

    def children(self):
        return (self.e,)


class Unary(Expr):
    __slots__ = ('op', 'e')

    def __init__(self, op, e, first):
        self.op, self.e = op, e
        self.first, self.last = first, e.last

    def children(self):
        return (self.e,)


class TypeName(Node):
    """A type name in a cast, sizeof, compound literal or _Alignof: kept as
    tokens; `idents` are the Ident nodes inside it (VLA sizes, typeof)."""
    __slots__ = ('first', 'last', 'idents')

    def __init__(self, first, last, idents):
        self.first, self.last, self.idents = first, last, idents

    def children(self):
        return tuple(self.idents)


class SizeofType(Expr):
    __slots__ = ('op', 'type')

    def __init__(self, op, type_, first, last):
        self.op, self.type = op, type_
        self.first, self.last = first, last

    def children(self):
        return (self.type,)


class SizeofExpr(Expr):
    __slots__ = ('op', 'e')

    def __init__(self, op, e, first):
        self.op, self.e = op, e
        self.first, self.last = first, e.last

    def children(self):
        return (self.e,)


class Cast(Expr):
    __slots__ = ('type', 'e')

    def __init__(self, type_, e, first):
        self.type, self.e = type_, e
        self.first, self.last = first, e.last

    def children(self):
        return (self.type, self.e)


class CompoundLit(Expr):
    __slots__ = ('type', 'init')

    def __init__(self, type_, init, first):
        self.type, self.init = type_, init
        self.first, self.last = first, init.last

    def children(self):
        return (self.type, self.init)


class InitList(Expr):
    """`{ [designator =] init, ... }`; designators kept as token ranges whose
    identifiers (array index expressions) are in `desig_exprs`."""
    __slots__ = ('items',)  # list of (desig_first, desig_last or None, expr)

    def __init__(self, items, first, last):
        self.items, self.first, self.last = items, first, last

    def children(self):
        return tuple(e for _, _, e in self.items)


class Binary(Expr):
    __slots__ = ('op', 'l', 'r')

    def __init__(self, op, l, r):
        self.op, self.l, self.r = op, l, r
        self.first, self.last = l.first, r.last

    def children(self):
        return (self.l, self.r)


class Assign(Expr):
    __slots__ = ('op', 'l', 'r')

    def __init__(self, op, l, r):
        self.op, self.l, self.r = op, l, r
        self.first, self.last = l.first, r.last

    def children(self):
        return (self.l, self.r)


class Cond(Expr):
    __slots__ = ('c', 't', 'f')

    def __init__(self, c, t, f):
        self.c, self.t, self.f = c, t, f
        self.first, self.last = c.first, f.last

    def children(self):
        return (self.c, self.t, self.f)


class Comma(Expr):
    __slots__ = ('l', 'r')

    def __init__(self, l, r):
        self.l, self.r = l, r
        self.first, self.last = l.first, r.last

    def children(self):
        return (self.l, self.r)


class Await(Expr):
    __slots__ = ('call', 'tok', 'site')

    def __init__(self, call, tok, first):
        self.call, self.tok, self.site = call, tok, None
        self.first, self.last = first, call.last

    def children(self):
        return (self.call,)


class Opaque(Expr):
    """Something kept as tokens (GNU statement expressions, _Generic...);
    awaits inside are rejected."""
    __slots__ = ('idents',)

    def __init__(self, first, last, idents):
        self.first, self.last, self.idents = first, last, idents

    def children(self):
        return tuple(self.idents)


# Nodes made by lowering (never produced by the parser).

class TempRef(Expr):
    __slots__ = ('temp',)

    def __init__(self, temp):
        self.temp = temp
        self.first = self.last = None


class AwaitResult(Expr):
    __slots__ = ('site',)

    def __init__(self, site):
        self.site = site
        self.first = self.last = None


class Raw(Expr):
    """Generated text with sub-expressions: parts are str or Expr."""
    __slots__ = ('parts',)

    def __init__(self, *parts):
        self.parts = parts
        self.first = self.last = None

    def children(self):
        return tuple(p for p in self.parts if isinstance(p, Node))


def walk(node):
    """Pre-order walk over an expression tree."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children()))


# ---- statements ----------------------------------------------------------

class Stmt(Node):
    __slots__ = ('tok',)


class Block(Stmt):
    __slots__ = ('items', 'close', 'scope_vars', 'sites', 'children_blocks',
                 'id', 'synthetic')

    def __init__(self, items, tok, close, synthetic=False):
        self.tok, self.items, self.close = tok, items, close
        self.scope_vars = []       # Vars declared directly in this block
        self.sites = []            # await sites directly in this block
        self.children_blocks = []  # nested blocks (layout alternatives)
        self.id = None
        self.synthetic = synthetic


class Declarator:
    __slots__ = ('name', 'first', 'last', 'init', 'var', 'name_idx')

    def __init__(self, name, name_idx, first, last, init):
        self.name, self.name_idx = name, name_idx
        self.first, self.last = first, last    # declarator tokens, no init
        self.init = init
        self.var = None


class Decl(Stmt):
    """`specs declarator [= init], ...;`. `spec_first..spec_last` are the
    declaration specifiers; flags say what they contain."""
    __slots__ = ('spec_first', 'spec_last', 'decls', 'storage', 'is_typedef',
                 'spec_idents', 'defines_type')

    def __init__(self, tok, spec_first, spec_last, decls, storage, is_typedef,
                 spec_idents, defines_type):
        self.tok = tok
        self.spec_first, self.spec_last = spec_first, spec_last
        self.decls, self.storage, self.is_typedef = decls, storage, is_typedef
        self.spec_idents = spec_idents
        self.defines_type = defines_type


class ExprStmt(Stmt):
    __slots__ = ('e',)

    def __init__(self, e, tok):
        self.e, self.tok = e, tok


class Empty(Stmt):
    __slots__ = ()

    def __init__(self, tok):
        self.tok = tok


class If(Stmt):
    __slots__ = ('c', 'then', 'els')

    def __init__(self, c, then, els, tok):
        self.c, self.then, self.els, self.tok = c, then, els, tok


class While(Stmt):
    __slots__ = ('c', 'body')

    def __init__(self, c, body, tok):
        self.c, self.body, self.tok = c, body, tok


class DoWhile(Stmt):
    __slots__ = ('body', 'c')

    def __init__(self, body, c, tok):
        self.body, self.c, self.tok = body, c, tok


class For(Stmt):
    """`init` is a Decl, an Expr or None; the For is also the scope of a
    declaration in `init` (`scope_vars`)."""
    __slots__ = ('init', 'c', 'step', 'body', 'scope', 'cont_label')

    def __init__(self, init, c, step, body, tok):
        self.init, self.c, self.step, self.body, self.tok = init, c, step, body, tok
        self.scope = None
        self.cont_label = None


class Switch(Stmt):
    __slots__ = ('e', 'body')

    def __init__(self, e, body, tok):
        self.e, self.body, self.tok = e, body, tok


class Case(Stmt):
    """`case A:` / `case A ... B:` / `default:` (first is None)."""
    __slots__ = ('first', 'last', 'stmt', 'kw')

    def __init__(self, first, last, stmt, tok, kw):
        self.first, self.last, self.stmt, self.tok = first, last, stmt, tok
        self.kw = kw     # index of the `case`/`default` token


class Label(Stmt):
    __slots__ = ('name', 'stmt')

    def __init__(self, name, stmt, tok):
        self.name, self.stmt, self.tok = name, stmt, tok


class Goto(Stmt):
    __slots__ = ('name',)

    def __init__(self, name, tok):
        self.name, self.tok = name, tok


class Break(Stmt):
    __slots__ = ()

    def __init__(self, tok):
        self.tok = tok


class Continue(Stmt):
    __slots__ = ('target',)

    def __init__(self, tok):
        self.tok = tok
        self.target = None   # set by lowering when it must become a goto


class Return(Stmt):
    __slots__ = ('e',)

    def __init__(self, e, tok):
        self.e, self.tok = e, tok


class PPLine(Stmt):
    __slots__ = ()

    def __init__(self, tok):
        self.tok = tok


class Verbatim(Stmt):
    """Statement kept as tokens (inline asm, _Static_assert)."""
    __slots__ = ('first', 'last', 'idents')

    def __init__(self, first, last, idents, tok):
        self.first, self.last, self.idents, self.tok = first, last, idents, tok


# IR statements made by lowering.

class AwaitStmt(Stmt):
    __slots__ = ('site',)

    def __init__(self, site, tok):
        self.site, self.tok = site, tok


class SetTemp(Stmt):
    __slots__ = ('temp', 'e')

    def __init__(self, temp, e, tok):
        self.temp, self.e, self.tok = temp, e, tok


class Seq(Stmt):
    """Statements that belong to the enclosing block (no new scope); emitted
    in braces only where C needs one statement."""
    __slots__ = ('items',)

    def __init__(self, items, tok):
        self.items, self.tok = items, tok


class GotoLabel(Stmt):
    """A label the generator places (`continue` targets)."""
    __slots__ = ('name',)

    def __init__(self, name, tok):
        self.name, self.tok = name, tok


class Toks(Expr):
    """A range of original tokens emitted as they are (designators)."""
    __slots__ = ()

    def __init__(self, first, last):
        self.first, self.last = first, last
