"""Parser for async function bodies: statements, declarations, expressions.

Without the preprocessor the parser cannot see every typedef, so it decides
"declaration or expression?" the way a reader does: C keywords, typedef
names it has seen (this file, scanned headers, local typedefs), names ending
in `_t`, and the shapes `T x` and `T *x =` that are never expressions. Scopes
are tracked while parsing, so every identifier is resolved to its local
variable (or to nothing: a global, function, macro or enum constant).
"""
from . import ast as A
from .diag import GenError

STORAGE = {'static', 'extern', 'auto', 'register', 'typedef', '_Thread_local',
           'thread_local', '__thread', 'inline', '__inline', '__inline__',
           '_Noreturn', 'noreturn'}
QUALS = {'const', 'volatile', 'restrict', '__restrict', '__restrict__',
         '_Atomic', '__const', '__volatile__', '__extension__'}
TYPE_KW = {'void', 'char', 'short', 'int', 'long', 'float', 'double',
           'signed', 'unsigned', '_Bool', '_Complex', '__signed__',
           '__int128', '_Float16', '__builtin_va_list'}
TAG_KW = {'struct', 'union', 'enum'}
PAREN_SPEC = {'_Alignas', 'alignas', '__attribute__', '__typeof__', 'typeof',
              '__typeof', '__declspec', '_Atomic'}
SPEC_WORDS = STORAGE | QUALS | TYPE_KW | TAG_KW | PAREN_SPEC
ASSIGN_OPS = {'=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=',
              '|='}
BINARY_PREC = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
    '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9,
    '*': 10, '/': 10, '%': 10,
}
KEYWORDS = SPEC_WORDS | {
    'if', 'else', 'while', 'do', 'for', 'switch', 'case', 'default',
    'break', 'continue', 'return', 'goto', 'sizeof', '_Alignof',
    '_Generic', '_Static_assert', 'async', 'await'}
# Typedefs that name array types: a local of such a type decays to a pointer.
ARRAY_TYPEDEFS = {'jmp_buf', 'sigjmp_buf', 'va_list', '__gnuc_va_list',
                  '__builtin_va_list'}


class Var:
    """A local variable, parameter or generator temporary."""
    __slots__ = ('name', 'kind', 'decl', 'declarator', 'scope', 'uid',
                 'is_array', 'addr_taken', 'vla', 'const_top', 'hoisted',
                 'path', 'type_text', 'tok', 'index', 'field', 'assigned')

    def __init__(self, name, kind, tok):
        self.name, self.kind, self.tok = name, kind, tok
        self.decl = self.declarator = self.scope = None
        self.uid = 0
        self.is_array = self.addr_taken = self.vla = False
        self.const_top = False
        self.hoisted = False
        self.path = None
        self.type_text = None   # temps: C type text, or None for __typeof__
        self.index = -1         # bit index for liveness
        self.field = name       # member name inside its frame struct
        self.assigned = False


class Parser:
    def __init__(self, src, toks, typenames, is_async):
        self.src, self.toks = src, toks
        self.typenames = typenames      # set of file/header typedef names
        self.is_async = is_async        # name -> bool (known async function)
        self.scopes = []                # list of dicts: name -> Var | 'type'
        self.vars = []
        self.blocks = []
        self.refs = {}             # token index -> resolved Var
        self.local_types = set()   # typedef names declared in the body
        self.local_tags = set()    # struct/union/enum tags defined in it
        self.vla_types = set()     # local typedefs of variably modified type

    # -- helpers -----------------------------------------------------------
    def err(self, i, msg):
        raise GenError(self.src, self.toks[i].start, msg)

    def t(self, i):
        return self.toks[i].text

    def expect(self, i, text):
        if self.toks[i].text != text:
            tok = self.toks[i]
            got = "end of file" if tok.kind == 'eof' else "'%s'" % tok.text
            self.err(i, "expected '%s' before %s" % (text, got))
        return i + 1

    def lookup(self, name):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def is_typename(self, name):
        hit = self.lookup(name)
        if hit is not None:
            return hit == 'type'
        return name in self.typenames or name.endswith('_t')

    def skip_balanced(self, i):
        """`i` is at an opening bracket; returns the index after its match."""
        pairs = {'(': ')', '[': ']', '{': '}'}
        stack = []
        while True:
            tok = self.toks[i]
            if tok.kind == 'eof':
                self.err(i - 1, 'unbalanced brackets')
            if tok.kind == 'punct':
                if tok.text in pairs:
                    stack.append(pairs[tok.text])
                elif tok.text in (')', ']', '}'):
                    if not stack or stack.pop() != tok.text:
                        self.err(i, "unbalanced '%s'" % tok.text)
                    if not stack:
                        return i + 1
            i += 1

    def idents_in(self, first, end):
        """Ident nodes (resolved) for identifier tokens in [first, end) that
        are not member names; used for token ranges kept verbatim."""
        out = []
        for j in range(first, end):
            tok = self.toks[j]
            if tok.kind != 'id' or tok.text in KEYWORDS:
                if tok.kind == 'id' and tok.text == 'await':
                    self.err(j, "'await' is not allowed here")
                continue
            if j > 0 and self.toks[j - 1].text in ('.', '->', 'struct',
                                                    'union', 'enum'):
                continue          # members and tags are other namespaces
            node = A.Ident(tok, j)
            hit = self.lookup(tok.text)
            if isinstance(hit, Var):
                node.var = hit
                self.refs[j] = hit
            out.append(node)
        return out

    # -- declarations ------------------------------------------------------
    def is_decl_start(self, i):
        tok = self.toks[i]
        if tok.kind != 'id':
            return False
        if tok.text in SPEC_WORDS:
            return True
        if tok.text in KEYWORDS:
            return False
        nxt = self.toks[i + 1]
        if nxt.text == ':' or nxt.text == '(':
            return False
        hit = self.lookup(tok.text)
        if isinstance(hit, Var):
            return False
        if hit == 'type' or self.is_typename(tok.text):
            return nxt.text not in ASSIGN_OPS and nxt.text not in BINARY_PREC \
                or nxt.text == '*'
        # Unknown identifier: `T x` or `T *x =` can only be declarations.
        j = i + 1
        while self.toks[j].text == '*' or self.toks[j].text in QUALS:
            j += 1
        if self.toks[j].kind == 'id' and self.toks[j].text not in KEYWORDS:
            return j == i + 1 or self.toks[j + 1].text in (
                '=', ';', ',', '[', ')')
        return False

    def parse_specs(self, i):
        """Returns (end, storage set, spec idents, defines_type)."""
        storage = set()
        idents = []
        had_type = False
        defines = False
        while True:
            tok = self.toks[i]
            w = tok.text
            if tok.kind != 'id':
                break
            if w in STORAGE or w in QUALS and not (
                    w == '_Atomic' and self.t(i + 1) == '('):
                storage.add(w)
                i += 1
            elif w in TYPE_KW:
                had_type = True
                i += 1
            elif w in TAG_KW:
                had_type = True
                i += 1
                while self.t(i) == '__attribute__':
                    i = self.skip_balanced(i + 1)
                tag = None
                if self.toks[i].kind == 'id':
                    tag = self.t(i)
                    i += 1
                if self.t(i) == '{':
                    defines = True
                    if tag is not None and self.scopes:
                        self.local_tags.add(tag)
                    end = self.skip_balanced(i)
                    idents += self.idents_in(i, end)
                    i = end
            elif w in PAREN_SPEC:
                if w in ('__typeof__', 'typeof', '__typeof', '_Atomic'):
                    had_type = True
                if self.t(i + 1) == '(':
                    end = self.skip_balanced(i + 1)
                    idents += self.idents_in(i + 1, end)
                    i = end
                else:
                    i += 1
            elif not had_type and w not in KEYWORDS and not isinstance(
                    self.lookup(w), Var):
                had_type = True
                i += 1
            else:
                break
        return i, storage, idents, defines

    def parse_declarator(self, i, abstract_ok=False):
        """Returns (name_tok or None, name_idx, end, is_array, is_func,
        const_top, size_idents). is_array/is_func say what the name itself
        is (`int (*fps[2])(int)` is an array, `int (*fp)(int)` a pointer);
        const_top is None when the specifiers decide (no pointer applied)."""
        r = self._declarator(i, abstract_ok)
        return r[:7]

    def _declarator(self, i, abstract_ok):
        stars = []
        size_idents = []
        while self.t(i) == '*' or self.t(i) in QUALS or \
                self.t(i) == '__attribute__':
            if self.t(i) == '*':
                stars.append([])
            elif self.t(i) == '__attribute__':
                i = self.skip_balanced(i + 1)
                continue
            elif stars:
                stars[-1].append(self.t(i))
            i += 1
        name = None
        name_idx = -1
        inner = None
        if self.t(i) == '(' and self.toks[i + 1].text in ('*', '(', '^') or (
                self.t(i) == '(' and self.toks[i + 1].kind == 'id'
                and not self.is_typename(self.t(i + 1))
                and self.t(i + 1) not in SPEC_WORDS):
            inner = self._declarator(i + 1, abstract_ok)
            name, name_idx, i = inner[0], inner[1], inner[2]
            size_idents += inner[6]
            i = self.expect(i, ')')
        elif self.toks[i].kind == 'id' and self.t(i) not in KEYWORDS:
            name, name_idx = self.toks[i], i
            i += 1
        elif not abstract_ok:
            self.err(i, "expected a name in declaration")
        first = None
        while self.t(i) in ('[', '('):
            end = self.skip_balanced(i)
            if self.t(i) == '[':
                size_idents += self.idents_in(i, end)
            if first is None:
                first = self.t(i)
            i = end
        while self.t(i) in ('__attribute__', 'asm', '__asm__', '__asm'):
            i = self.skip_balanced(i + 1)
        if inner is not None and inner[7]:
            # the parenthesised part derives the name's own type
            return (name, name_idx, i, inner[3], inner[4], inner[5],
                    size_idents, True)
        is_array, is_func = first == '[', first == '('
        const_top = None
        if first is None and stars:
            const_top = 'const' in stars[-1]
        derived = bool(stars) or first is not None
        return (name, name_idx, i, is_array, is_func, const_top, size_idents,
                derived)

    def parse_decl(self, i, kind_for_vars='local'):
        start = i
        i, storage, spec_idents, defines = self.parse_specs(i)
        spec_last = i - 1
        is_typedef = 'typedef' in storage
        decls = []
        if self.t(i) == ';':
            return A.Decl(self.toks[start], start, spec_last, decls, storage,
                          is_typedef, spec_idents, defines), i + 1
        while True:
            d_first = i
            (name, name_idx, i, is_array, is_func, const_top,
             size_idents) = self.parse_declarator(i)
            d_last = i - 1
            d = A.Declarator(name.text, name_idx, d_first, d_last, None)
            # the name is in scope from the end of its declarator on
            if is_typedef:
                self.scopes[-1][name.text] = 'type'
                self.local_types.add(name.text)
                if any(x.var is not None for x in size_idents) or any(
                        self.t(j) in self.vla_types
                        for j in range(start, spec_last + 1)):
                    self.vla_types.add(name.text)
            else:
                v = Var(name.text, 'local', name)
                if storage & {'static', 'extern'} or is_func:
                    v.kind = 'static'
                v.is_array = is_array or self._array_spec(start, spec_last)
                v.const_top = (const_top if const_top is not None
                               else 'const' in storage)
                v.vla = any(x.var is not None for x in size_idents) or any(
                    self.t(j) in self.vla_types
                    for j in range(start, spec_last + 1))
                v.declarator = d
                d.var = v
                self.scopes[-1][name.text] = v
                self.vars.append(v)
            if self.t(i) == '=':
                d.init, i = self.parse_initializer(i + 1)
            decls.append((d, size_idents))
            if self.t(i) == ',':
                i += 1
                continue
            i = self.expect(i, ';')
            break
        decl = A.Decl(self.toks[start], start, spec_last,
                      [d for d, _ in decls], storage, is_typedef,
                      spec_idents + [x for _, s in decls for x in s], defines)
        for d in decl.decls:
            if d.var is not None:
                d.var.decl = decl
        return decl, i

    def _array_spec(self, first, last):
        return any(self.t(j) in ARRAY_TYPEDEFS for j in range(first, last + 1))

    def parse_initializer(self, i):
        if self.t(i) != '{':
            return self.parse_assign(i)
        return self.parse_init_list(i)

    def parse_init_list(self, i):
        first = i
        i += 1
        items = []
        while self.t(i) != '}':
            dfirst = None
            if self.t(i) in ('.', '['):
                dfirst = i
                while self.t(i) in ('.', '['):
                    if self.t(i) == '.':
                        i += 2
                    else:
                        i = self.skip_balanced(i)
                dlast = i
                i = self.expect(i, '=')
                # the `=` belongs to the designator range
            e, i = self.parse_initializer(i)
            items.append((dfirst, dlast if dfirst is not None else None, e))
            if self.t(i) == ',':
                i += 1
            elif self.t(i) != '}':
                self.err(i, "expected ',' or '}' in initializer list")
        return A.InitList(items, first, i), i + 1

    # -- statements --------------------------------------------------------
    def parse_block(self, i, params=()):
        tok = self.toks[i]
        i = self.expect(i, '{')
        scope = {}
        self.scopes.append(scope)
        for v in params:
            scope[v.name] = v
        items = []
        block = A.Block(items, tok, None)
        self.blocks.append(block)
        while self.t(i) != '}':
            if self.toks[i].kind == 'eof':
                self.err(i, "expected '}' at end of input")
            s, i = self.parse_stmt(i, block_item=True)
            items.append(s)
        block.close = self.toks[i]
        self.scopes.pop()
        for v in scope.values():
            if isinstance(v, Var) and v.kind != 'param':
                v.scope = block
        return block, i + 1

    def parse_sub(self, i):
        """A sub-statement gets its own scope (C11 6.8.4p3, 6.8.5p5)."""
        self.scopes.append({})
        s, i = self.parse_stmt(i)
        scope = self.scopes.pop()
        if any(isinstance(v, Var) for v in scope.values()):
            self.err(i - 1, 'a declaration is not a statement')
        return s, i

    def parse_stmt(self, i, block_item=False):
        tok = self.toks[i]
        w = tok.text
        if tok.kind == 'pp':
            return A.PPLine(tok), i + 1
        if tok.kind == 'punct':
            if w == '{':
                return self.parse_block(i)
            if w == ';':
                return A.Empty(tok), i + 1
        if tok.kind == 'id':
            if w == 'if':
                c, i = self.paren_expr(i + 1)
                then, i = self.parse_sub(i)
                els = None
                if self.t(i) == 'else':
                    els, i = self.parse_sub(i + 1)
                return A.If(c, then, els, tok), i
            if w == 'while':
                c, i = self.paren_expr(i + 1)
                body, i = self.parse_sub(i)
                return A.While(c, body, tok), i
            if w == 'do':
                body, i = self.parse_sub(i + 1)
                if self.t(i) != 'while':
                    self.err(i, "expected 'while' after do body")
                c, i = self.paren_expr(i + 1)
                return A.DoWhile(body, c, tok), self.expect(i, ';')
            if w == 'for':
                return self.parse_for(i)
            if w == 'switch':
                e, i = self.paren_expr(i + 1)
                body, i = self.parse_sub(i)
                return A.Switch(e, body, tok), i
            if w == 'case':
                j = i + 1
                depth = 0
                while not (self.t(j) == ':' and depth == 0):
                    if self.t(j) in ('(', '[', '?'):
                        depth += 1
                    elif self.t(j) in (')', ']') or self.t(j) == ':':
                        depth -= 1
                    elif self.toks[j].kind == 'eof' or self.t(j) == ';':
                        self.err(j, "expected ':' after case label")
                    j += 1
                self.idents_in(i + 1, j)
                s, k = self.parse_stmt(j + 1, block_item)
                return A.Case(i + 1, j - 1, s, tok, i), k
            if w == 'default':
                kw = i
                i = self.expect(i + 1, ':')
                s, i = self.parse_stmt(i, block_item)
                return A.Case(None, None, s, tok, kw), i
            if w == 'goto':
                if self.t(i + 1) == '*':
                    self.err(i + 1, 'computed goto is not supported in an '
                             'async function')
                if self.toks[i + 1].kind != 'id':
                    self.err(i + 1, "expected a label name after 'goto'")
                return A.Goto(self.t(i + 1), tok), self.expect(i + 2, ';')
            if w == 'break':
                return A.Break(tok), self.expect(i + 1, ';')
            if w == 'continue':
                return A.Continue(tok), self.expect(i + 1, ';')
            if w == 'return':
                if self.t(i + 1) == ';':
                    return A.Return(None, tok), i + 2
                e, i = self.parse_expr(i + 1)
                return A.Return(e, tok), self.expect(i, ';')
            if w in ('asm', '__asm__', '__asm', '_Static_assert',
                     'static_assert'):
                j = i + 1
                while self.t(j) != '(':
                    j += 1
                end = self.skip_balanced(j)
                idents = self.idents_in(j, end)
                return A.Verbatim(i, end - 1, idents, tok), self.expect(end, ';')
            if self.t(i + 1) == ':' and w not in KEYWORDS:
                s, j = self.parse_stmt(i + 2, block_item)
                return A.Label(w, s, tok), j
            if self.is_decl_start(i):
                if not block_item:
                    self.err(i, 'a declaration is not a statement')
                return self.parse_decl(i)
        e, i = self.parse_expr(i)
        return A.ExprStmt(e, tok), self.expect(i, ';')

    def parse_for(self, i):
        tok = self.toks[i]
        i = self.expect(i + 1, '(')
        scope = {}
        self.scopes.append(scope)
        init = None
        if self.t(i) == ';':
            i += 1
        elif self.is_decl_start(i):
            init, i = self.parse_decl(i)
        else:
            init, i = self.parse_expr(i)
            i = self.expect(i, ';')
        c = step = None
        if self.t(i) != ';':
            c, i = self.parse_expr(i)
        i = self.expect(i, ';')
        if self.t(i) != ')':
            step, i = self.parse_expr(i)
        i = self.expect(i, ')')
        body, i = self.parse_sub(i)
        self.scopes.pop()
        node = A.For(init, c, step, body, tok)
        for v in scope.values():
            if isinstance(v, Var):
                v.scope = node
        return node, i

    def paren_expr(self, i):
        i = self.expect(i, '(')
        e, i = self.parse_expr(i)
        return e, self.expect(i, ')')

    # -- expressions -------------------------------------------------------
    def parse_expr(self, i):
        e, i = self.parse_assign(i)
        while self.t(i) == ',':
            r, i = self.parse_assign(i + 1)
            e = A.Comma(e, r)
        return e, i

    def parse_assign(self, i):
        l, i = self.parse_cond(i)
        if self.t(i) in ASSIGN_OPS and self.toks[i].kind == 'punct':
            op = self.t(i)
            r, i = self.parse_assign(i + 1)
            return A.Assign(op, l, r), i
        return l, i

    def parse_cond(self, i):
        c, i = self.parse_binary(i, 1)
        if self.t(i) != '?':
            return c, i
        t, i = self.parse_expr(i + 1)
        i = self.expect(i, ':')
        f, i = self.parse_cond(i)
        return A.Cond(c, t, f), i

    def parse_binary(self, i, min_prec):
        l, i = self.parse_unary(i)
        while True:
            tok = self.toks[i]
            prec = BINARY_PREC.get(tok.text) if tok.kind == 'punct' else None
            if prec is None or prec < min_prec:
                return l, i
            r, i = self.parse_binary(i + 1, prec + 1)
            l = A.Binary(tok.text, l, r)

    def starts_type_name(self, i):
        """Is the token after '(' at i-1 the start of a type name?"""
        tok = self.toks[i]
        if tok.kind != 'id':
            return False
        if tok.text in SPEC_WORDS:
            return True
        if tok.text in KEYWORDS or isinstance(self.lookup(tok.text), Var):
            return False
        if self.is_typename(tok.text):
            return True
        j = i + 1
        while self.t(j) == '*' or self.t(j) in QUALS:
            j += 1
        if self.t(j) != ')':
            return False
        if j > i + 1:
            return True          # (T *) is never an expression
        nxt = self.toks[j + 1]   # (T) x
        return nxt.kind in ('id', 'num', 'str', 'chr') and \
            nxt.text not in BINARY_PREC

    def parse_type_name(self, i):
        """`i` after '('; returns (TypeName, index of ')')."""
        first = i
        depth = 0
        while not (self.t(i) == ')' and depth == 0):
            if self.t(i) in ('(', '['):
                depth += 1
            elif self.t(i) in (')', ']'):
                depth -= 1
            elif self.toks[i].kind == 'eof':
                self.err(first, 'unterminated type name')
            i += 1
        return A.TypeName(first, i - 1, self.idents_in(first, i)), i

    def parse_unary(self, i):
        tok = self.toks[i]
        w = tok.text
        if tok.kind == 'id' and w == 'await':
            e, j = self.parse_unary(i + 1)
            inner = e
            if not isinstance(inner, A.Call) or not isinstance(
                    inner.fn, A.Ident) or inner.fn.var is not None:
                self.err(i + 1, "'await' must be followed by a call to an "
                         "async function")
            if not self.is_async(inner.fn.tok.text):
                self.err(inner.fn.first, "'%s' is not an async function; "
                         "'await' needs a call to one" % inner.fn.tok.text)
            return A.Await(inner, tok, i), j
        if tok.kind == 'punct':
            if w in ('++', '--', '&', '*', '+', '-', '~', '!'):
                e, j = self.parse_unary(i + 1)
                return A.Unary(w, e, i), j
            if w == '&&':
                self.err(i, 'taking the address of a label is not supported '
                         'in an async function')
            if w == '(' and self.starts_type_name(i + 1):
                tn, j = self.parse_type_name(i + 1)
                if self.t(j + 1) == '{':
                    init, k = self.parse_init_list(j + 1)
                    return self.parse_postfix_ops(A.CompoundLit(tn, init, i), k)
                e, k = self.parse_unary(j + 1)
                return A.Cast(tn, e, i), k
        if tok.kind == 'id' and w in ('sizeof', '_Alignof', '__alignof__',
                                      'alignof'):
            if self.t(i + 1) == '(' and self.starts_type_name(i + 2):
                tn, j = self.parse_type_name(i + 2)
                return A.SizeofType(w, tn, i, j), j + 1
            e, j = self.parse_unary(i + 1)
            return A.SizeofExpr(w, e, i), j
        return self.parse_postfix(i)

    def parse_postfix(self, i):
        e, i = self.parse_primary(i)
        return self.parse_postfix_ops(e, i)

    def parse_postfix_ops(self, e, i):
        while True:
            w = self.t(i)
            if w == '[':
                idx, j = self.parse_expr(i + 1)
                j = self.expect(j, ']')
                e, i = A.Index(e, idx, j - 1), j
            elif w == '(':
                args = []
                j = i + 1
                if self.t(j) != ')':
                    while True:
                        a, j = self.parse_arg(j)
                        args.append(a)
                        if self.t(j) != ',':
                            break
                        j += 1
                j = self.expect(j, ')')
                e, i = A.Call(e, args, j - 1), j
            elif w in ('.', '->'):
                if self.toks[i + 1].kind != 'id':
                    self.err(i + 1, "expected a member name after '%s'" % w)
                e, i = A.Member(e, w, self.t(i + 1), i + 1), i + 2
            elif w in ('++', '--'):
                e, i = A.Postfix(e, w, i), i + 1
            else:
                return e, i

    def parse_arg(self, i):
        """A call argument; macros such as offsetof or va_arg take type
        names, which are kept as tokens."""
        if self.starts_type_name(i) and not (
                self.toks[i].kind == 'id' and self.t(i + 1) == '('):
            j = i
            depth = 0
            while not (depth == 0 and self.t(j) in (',', ')')):
                if self.t(j) in ('(', '[', '{'):
                    depth += 1
                elif self.t(j) in (')', ']', '}'):
                    depth -= 1
                elif self.toks[j].kind == 'eof':
                    self.err(i, 'unterminated argument list')
                j += 1
            return A.Opaque(i, j - 1, self.idents_in(i, j)), j
        return self.parse_assign(i)

    def parse_primary(self, i):
        tok = self.toks[i]
        if tok.kind == 'id':
            if tok.text == '_Generic' or tok.text == '__builtin_va_arg' or \
                    tok.text == '__builtin_offsetof':
                end = self.skip_balanced(i + 1)
                return A.Opaque(i, end - 1, self.idents_in(i + 1, end)), end
            if tok.text in KEYWORDS:
                self.err(i, "expected an expression before '%s'" % tok.text)
            node = A.Ident(tok, i)
            hit = self.lookup(tok.text)
            if isinstance(hit, Var):
                node.var = hit
                self.refs[i] = hit
            return node, i + 1
        if tok.kind in ('num', 'chr'):
            return A.Lit(i, i), i + 1
        if tok.kind == 'str':
            j = i
            while self.toks[j + 1].kind == 'str' or (
                    self.toks[j + 1].kind == 'id'
                    and self.toks[j + 1].text.startswith('PRI')):
                j += 1
            return A.Lit(i, j), j + 1
        if tok.text == '(':
            if self.t(i + 1) == '{':
                end = self.skip_balanced(i)
                return A.Opaque(i, end - 1, self.idents_in(i, end)), end
            e, j = self.parse_expr(i + 1)
            j = self.expect(j, ')')
            return A.Paren(e, i, j - 1), j
        got = 'end of input' if tok.kind == 'eof' else "'%s'" % tok.text
        self.err(i, 'expected an expression before %s' % got)
