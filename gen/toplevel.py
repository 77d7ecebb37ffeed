"""File-level view of an annotated source: which declarations are async,
where plain C passes through, which headers are included and what they
announce (STRIO_ASYNC_DECL) or define (typedef names)."""
import os
import re

from .diag import GenError, Source
from .lexer import tokenize
from .parser import Parser, STORAGE, KEYWORDS, TAG_KW


_OPEN = {'(': ')', '[': ']', '{': '}'}
_CLOSE = {')', ']', '}'}
_FUNC_MACRO = re.compile(r'\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\(')


class Param:
    __slots__ = ('name', 'tok', 'first', 'last', 'name_idx', 'is_array',
                 'const_top', 'var', 'is_func')

    def __init__(self, name, tok, first, last, name_idx, is_array, const_top,
                 is_func=False):
        self.name, self.tok = name, tok
        self.first, self.last, self.name_idx = first, last, name_idx
        self.is_array, self.const_top = is_array, const_top
        self.is_func = is_func      # `int fn(int)`: really a pointer
        self.var = None


class AsyncSig:
    """What a caller needs to know of an async function."""

    def __init__(self, name, ret, params_text, param_names, is_static, unit,
                 pos_src, pos):
        self.name = name
        self.ret = ret                    # return type text
        self.ret_void = ret.strip() == 'void'
        self.params_text = params_text    # "int a, char *b" or "void"
        self.param_names = param_names
        self.is_static = is_static
        self.unit = unit                  # defining unit, or None
        self.src, self.pos = pos_src, pos
        self.fn = None                    # AsyncFunc when defined in this run
        self.has_where = False            # generated: has NAME_where
        self.param_types = None           # normalized, for conflict checks


class AsyncFunc:
    """An async function definition (or prototype) in an input file."""

    def __init__(self, unit, first, last, body, sig, params, name_tok):
        self.unit = unit
        self.toks = unit.toks
        self.first, self.last = first, last   # token span of the whole decl
        self.body = body                      # index of '{' or None
        self.sig = sig
        self.name = sig.name
        self.params = params
        self.name_tok = name_tok


def param_types(toks, params):
    """Each parameter's type, spelled without its name."""
    out = []
    for p in params:
        skip = {p.name_idx} if p.name_idx is not None and p.name_idx >= 0 \
            else set()
        out.append(' '.join(toks[i].text for i in range(p.first, p.last + 1)
                            if i not in skip and toks[i].text != 'register'))
    return out


def tok_text(toks, first, last, skip=()):
    """Tokens joined with single spaces where the source had space."""
    out = []
    prev = None
    for i in range(first, last + 1):
        if i in skip:
            continue
        t = toks[i]
        if prev is not None and prev.end != t.start:
            out.append(' ')
        out.append(t.text)
        prev = t
    return ''.join(out)


def parse_prototype(src, toks, first, last, typenames, is_static_hint=False):
    """Parses `[specs] name(params)` in toks[first..last] (no `async`, no
    body); returns (ret_text, name_tok, name_idx, params, is_static)."""
    p = Parser(src, toks, typenames, lambda n: False)
    p.scopes.append({})
    i, storage, _, _ = p.parse_specs(first)
    spec_end = i
    stars_first = i
    while toks[i].text == '*' or toks[i].text in ('const', 'volatile',
                                                   'restrict'):
        i += 1
    if toks[i].kind != 'id' or toks[i + 1].text != '(':
        raise GenError(src, toks[min(i, last)].start,
                       'expected an async function declaration: '
                       '`async TYPE NAME(PARAMS)`')
    name_idx = i
    skip = {j for j in range(first, spec_end) if toks[j].text in STORAGE
            or toks[j].text == 'async'}
    ret = tok_text(toks, first, spec_end - 1, skip)
    if stars_first < name_idx:
        ret += ' ' + tok_text(toks, stars_first, name_idx - 1)
    ret = ret.strip()
    close = p.skip_balanced(i + 1) - 1
    params = []
    j = i + 2
    if not (toks[j].text == 'void' and toks[j + 1].text == ')') and \
            toks[j].text != ')':
        while True:
            pfirst = j
            j, pstorage, _, _ = p.parse_specs(j)
            if toks[j].text == '...':
                raise GenError(src, toks[j].start, 'an async function cannot '
                               'take variable arguments')
            r = p.parse_declarator(j, abstract_ok=True)
            name, nidx, j, is_array, is_func, const_top, _ = r
            if is_array or is_func:
                # adjusted to a pointer: `const T v[]` is `const T *v`, whose
                # const is the element's, never the parameter's own
                const_top = False
            elif const_top is None:
                const_top = 'const' in pstorage
            params.append(Param(name.text if name else None, name, pfirst,
                                j - 1, nidx, is_array, const_top, is_func))
            if toks[j].text == ',':
                j += 1
                continue
            break
        if j != close:
            raise GenError(src, toks[j].start, "expected ')' after parameters")
    rest = close + 1
    while rest <= last and toks[rest].text in ('__attribute__',):
        rest = p.skip_balanced(rest + 1)
    if rest <= last:
        raise GenError(src, toks[rest].start,
                       'unexpected tokens after async function declarator')
    return ret, toks[name_idx], name_idx, params, 'static' in storage, close


class Unit:
    """One annotated input file."""

    def __init__(self, path, text, display=None):
        self.path = path
        self.src = Source(display or path, text)
        self.toks = tokenize(self.src)
        self.items = []        # ('text', first_tok, last_tok) | ('async', fn)
        self.funcs = []        # AsyncFunc (definitions and prototypes)
        self.includes = []     # (quoted, name)
        self.typenames = set()
        self.tags = set()
        self.header_items = []  # (first, last) of directives and type decls
        self.fn_sigs = {}       # plain function name -> (ret, params text)
        self.globals = {}       # file-scope variable name -> GlobalVar
        self.macros = set()     # function-like macros defined here
        self.fn_toks = {}       # plain function name -> its name token
        self.scan()

    def scan(self):
        """Splits the file into plain text and async declarations, checking
        that brackets balance (so a stray one cannot swallow a function)."""
        toks = self.toks
        i = 0
        start = 0
        text_start = 0
        stack = []          # indexes of open brackets
        n = len(toks) - 1
        while i < n:
            t = toks[i]
            if t.kind == 'pp':
                if not stack:
                    self._directive(t)
                    if start == i:
                        start = i + 1
                i += 1
                continue
            if t.text == '{' and not stack and self._is_function(start, i):
                close = self._match_brace(i)
                if self._decl(start, close, i, text_start):
                    text_start = close + 1
                i = start = close + 1
                continue
            if t.text in _OPEN:
                stack.append(i)
            elif t.text in _CLOSE:
                self._close(stack, i)
            elif t.text == ';' and not stack:
                if self._decl(start, i, None, text_start):
                    text_start = i + 1
                start = i + 1
            elif t.text == ';':
                self._semicolon(stack, i)
            i += 1
        if stack:
            j = stack[-1]
            raise GenError(self.src, toks[j].start, "'%s' is never closed"
                           % toks[j].text)
        if text_start < n:
            self.items.append(('text', text_start, n - 1))

    def _close(self, stack, i):
        toks = self.toks
        t = toks[i]
        if not stack:
            raise GenError(self.src, t.start, "unbalanced '%s'" % t.text)
        j = stack.pop()
        if _OPEN[toks[j].text] != t.text:
            raise GenError(self.src, t.start, "'%s' does not match '%s'"
                           % (t.text, toks[j].text),
                           [(self.src, toks[j].start, "'%s' opened here"
                             % toks[j].text)])

    def _is_function(self, start, i):
        prev = self.toks[i - 1].text
        if prev != ')':
            j = i - 1     # `) __attribute__((...)) {`
            while j > start and self.toks[j].text != ')':
                j -= 1
            if not any(self.toks[k].text == '__attribute__'
                       for k in range(j, i)):
                return False
        return not any(self.toks[k].text == '=' for k in range(start, i))

    def _match_brace(self, i):
        """Index of the '}' closing the '{' at i (all brackets checked)."""
        toks = self.toks
        stack = [i]
        i += 1
        while stack:
            t = toks[i]
            if t.kind == 'eof':
                j = stack[-1]
                raise GenError(self.src, toks[j].start, "'%s' is never "
                               "closed" % toks[j].text)
            if t.text in _OPEN and t.kind == 'punct':
                stack.append(i)
            elif t.text in _CLOSE and t.kind == 'punct':
                self._close(stack, i)
            elif t.text == ';':
                self._semicolon(stack, i)
            i += 1
        return i - 1

    def _semicolon(self, stack, i):
        """`;` is only legal inside braces, or inside the parentheses of a
        `for` head: anything else is a bracket left open."""
        toks = self.toks
        j = stack[-1]
        opener = toks[j].text
        if opener == '{' or (opener == '(' and j > 0 and
                             toks[j - 1].text == 'for'):
            return
        raise GenError(self.src, toks[i].start, "expected '%s' before ';'"
                       % _OPEN[opener],
                       [(self.src, toks[j].start, "to match this '%s'"
                         % opener)])

    def _plain_decl(self, first, last, body):
        """Remembers what users of the generated header need from plain
        file-scope declarations: type definitions (copied into the header),
        function signatures and variable types (for __typeof__ there)."""
        toks = self.toks
        p = Parser(self.src, toks, self.typenames, lambda n: False)
        p.scopes.append({})
        try:
            i, storage, _, _ = p.parse_specs(first)
        except GenError:
            return
        if 'typedef' in storage or (toks[i].text == ';' and i == last):
            self.header_items.append(('decl', first, last))
            return
        j = i
        while j <= last:
            try:
                r = p.parse_declarator(j)
            except GenError:
                return
            name, name_idx, end, _, is_func, _, _ = r
            if name is None:
                return
            if is_func:
                try:
                    ret, _, _, params, _, _ = parse_prototype(
                        self.src, toks, first, end - 1, self.typenames)
                except GenError:
                    return
                text = ', '.join(tok_text(toks, q.first, q.last)
                                 for q in params) or 'void'
                self.fn_sigs[name.text] = (ret, text)
                self.fn_toks[name.text] = name
                return
            self.globals[name.text] = GlobalVar(name, first, i - 1, j,
                                                end - 1, name_idx)
            j = end
            if j <= last and toks[j].text == '=':
                depth = 0
                while j <= last and not (depth == 0 and toks[j].text in (
                        ',', ';')):
                    if toks[j].text in ('(', '[', '{'):
                        depth += 1
                    elif toks[j].text in (')', ']', '}'):
                        depth -= 1
                    j += 1
            if j > last or toks[j].text != ',':
                return
            j += 1

    def _directive(self, t):
        self.header_items.append(('pp', t))
        m = _FUNC_MACRO.match(t.text)
        if m:
            self.macros.add(m.group(1))
        words = t.text[1:].strip()
        if words.startswith('include'):
            rest = words[len('include'):].strip()
            if rest.startswith('"') and '"' in rest[1:]:
                self.includes.append((True, rest[1:rest.index('"', 1)], t))
            elif rest.startswith('<') and '>' in rest:
                self.includes.append((False, rest[1:rest.index('>')], t))

    def _decl(self, first, last, body, text_start):
        toks = self.toks
        head_end = body if body is not None else last
        is_async = False
        depth = 0
        for k in range(first, head_end):
            tx = toks[k].text
            if tx in ('(', '[', '{'):
                depth += 1
            elif tx in (')', ']', '}'):
                depth -= 1
            elif tx == 'async' and depth == 0:
                is_async = True
        if toks[first].text == 'typedef' or any(
                toks[k].text == 'typedef' for k in range(first, head_end)
                if depth == 0):
            self._typedef_names(first, last)
        if not is_async:
            self._plain_decl(first, last, body)
            return False
        if text_start < first:
            self.items.append(('text', text_start, first - 1))
        skip = {k for k in range(first, head_end) if toks[k].text == 'async'}
        # parse without the `async` words: copy tokens
        sub = [toks[k] for k in range(first, head_end) if k not in skip]
        from .lexer import Tok
        sub.append(Tok('eof', '', toks[head_end].start, toks[head_end].start))
        proto_last = len(sub) - 2 if body is not None else len(sub) - 2
        if body is None and sub[proto_last].text == ';':
            proto_last -= 1
        ret, name_tok, _, params, is_static, _ = parse_prototype(
            self.src, sub, 0, proto_last, self.typenames)
        # map params back to real token indexes
        real = [k for k in range(first, head_end) if k not in skip]
        for prm in params:
            prm.first, prm.last = real[prm.first], real[prm.last]
            if prm.name_idx >= 0:
                prm.name_idx = real[prm.name_idx]
        params_text = ', '.join(tok_text(toks, p.first, p.last)
                                for p in params) or 'void'
        sig = AsyncSig(name_tok.text, ret, params_text,
                       [p.name for p in params], is_static, self, self.src,
                       name_tok.start)
        sig.param_types = param_types(toks, params)
        fn = AsyncFunc(self, first, last, body, sig, params, name_tok)
        if body is not None:
            for prm in params:
                if prm.name is None:
                    raise GenError(self.src, toks[prm.first].start,
                                   'parameter of async function %s needs a '
                                   'name' % sig.name)
        self.funcs.append(fn)
        self.items.append(('async', fn))
        return True

    def _typedef_names(self, first, last):
        """Names a typedef declares: identifiers ending a declarator at
        brace depth 0 (at paren depth 0, or right after `*` in `(*name)`)."""
        toks = self.toks
        braces = parens = 0
        for k in range(first, last + 1):
            t = toks[k]
            if t.text in ('{', '}'):
                braces += 1 if t.text == '{' else -1
                continue
            if t.text in ('(', ')'):
                parens += 1 if t.text == '(' else -1
                continue
            if braces or t.kind != 'id' or t.text in KEYWORDS:
                continue
            if toks[k - 1].text in TAG_KW:
                continue
            if parens and toks[k - 1].text != '*':
                continue
            if toks[k + 1].text in (';', ',', '[', ')', '('):
                self.typenames.add(t.text)


class GlobalVar:
    """A file-scope variable: its declaration tokens, for __typeof__."""
    __slots__ = ('name', 'tok', 'spec_first', 'spec_last', 'first', 'last',
                 'name_idx', 'kind', 'hoisted', 'const_top')

    def __init__(self, tok, spec_first, spec_last, first, last, name_idx):
        self.name, self.tok = tok.text, tok
        self.spec_first, self.spec_last = spec_first, spec_last
        self.first, self.last, self.name_idx = first, last, name_idx
        self.kind = 'global'
        self.hoisted = False
        self.const_top = False


class HeaderIndex:
    """Headers reachable through #include along the search path: their
    STRIO_ASYNC_DECL announcements and typedef names (cached per path)."""

    def __init__(self, search_dirs):
        self.search_dirs = list(search_dirs)
        self.cache = {}

    def resolve(self, quoted, name, from_dir):
        dirs = ([from_dir] if quoted else []) + self.search_dirs
        for d in dirs:
            path = os.path.join(d, name)
            if os.path.isfile(path):
                return os.path.normpath(path)
        return None

    def collect(self, unit_dir, includes, decls, typenames, seen=None,
                macros=None):
        seen = set() if seen is None else seen
        for quoted, name, _ in includes:
            path = self.resolve(quoted, name, unit_dir)
            if path is None or path in seen:
                continue
            seen.add(path)
            info = self.load(path)
            if info is None:
                continue
            hdecls, htypes, hincl, hmacros = info
            decls.extend(hdecls)
            typenames |= htypes
            if macros is not None:
                macros |= hmacros
            self.collect(os.path.dirname(path), hincl, decls, typenames, seen,
                         macros)

    def load(self, path):
        if path in self.cache:
            return self.cache[path]
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            unit = _HeaderScan(path, text)
            info = (unit.decls, unit.typenames, unit.includes, unit.macros)
        except (OSError, GenError):
            info = None
        self.cache[path] = info
        return info


class _HeaderScan(Unit):
    """A plain C header: only announcements, typedefs and includes."""

    def __init__(self, path, text):
        self.decls = []
        self.where_names = set()
        self.macros = set()
        super().__init__(path, text)
        for sig in self.decls:
            sig.has_where = sig.name in self.where_names

    def scan(self):
        toks = self.toks
        for i, t in enumerate(toks):
            if t.kind == 'pp':
                self._directive(t)
            elif t.text == 'typedef':
                j = i
                depth = 0
                while toks[j].kind != 'eof' and not (
                        toks[j].text == ';' and depth == 0):
                    if toks[j].text in ('{', '('):
                        depth += 1
                    elif toks[j].text in ('}', ')'):
                        depth -= 1
                    j += 1
                self._typedef_names(i, j)
            elif t.text == 'STRIO_HAS_WHERE' and toks[i + 1].text == '(':
                self.where_names.add(toks[i + 2].text)
            elif t.text == 'STRIO_ASYNC_DECL' and toks[i + 1].text == '(':
                p = Parser(self.src, toks, set(), lambda n: False)
                close = p.skip_balanced(i + 1) - 1
                ret, name_tok, _, params, is_static, _ = parse_prototype(
                    self.src, toks, i + 2, close - 1, self.typenames)
                params_text = ', '.join(tok_text(toks, q.first, q.last)
                                        for q in params) or 'void'
                sig = AsyncSig(
                    name_tok.text, ret, params_text, [q.name for q in params],
                    False, None, self.src, name_tok.start)
                sig.param_types = param_types(toks, params)
                self.decls.append(sig)
