"""C output: frame types, start and resume functions, and the plain C of
the input passed through verbatim, all mapped back with #line.

Resume dispatch is a `switch` at the top of the resume function whose cases
only `goto` labels placed at the await points, so no `case` label ever
lands inside user code (user `switch` statements stay intact).
"""
import re

from . import ast as A
from .lower import TempDecl


class Out:
    """Output text with #line bookkeeping. Source-mapped text is preceded by
    `#line N "input"` whenever the mapping would otherwise be wrong;
    generated-only text (`raw`) maps back to the output file itself.
    Consecutive statements from one source line share an output line."""

    def __init__(self, src_name, out_name, no_line=False):
        self.parts = []
        self.src_name = _quote(src_name)
        self.out_name = _quote(out_name)
        self.no_line = no_line
        self.out_line = 1       # output line being written
        self.line = None        # source line of the current output line
        self.bol = True
        self.merge_line = None  # source line of the last statement line

    def _put(self, text):
        self.parts.append(text)
        n = text.count('\n')
        self.out_line += n
        if self.line is not None:
            self.line += n
        if text:
            self.bol = text.endswith('\n')

    def _newline(self):
        if not self.bol:
            self._put('\n')

    def at(self, line):
        self.merge_line = None
        if self.no_line:
            return
        if line == self.line and self.bol:
            return
        self._newline()
        if line == self.line:
            return
        self._put('#line %d "%s"\n' % (line, self.src_name))
        self.line = line

    def raw(self, text):
        """Generated text that belongs to no source line."""
        if not text:
            return
        self._newline()
        self.merge_line = None
        if self.line is not None and not self.no_line:
            self._put('#line %d "%s"\n' % (self.out_line + 1, self.out_name))
        self.line = None
        self._put(text)

    def text(self, text, line):
        """Source text starting at source line `line`."""
        if not text:
            return
        self.at(line)
        self._put(text)

    def stmt(self, text, line, indent):
        if self.merge_line == line and self.parts and \
                self.parts[-1].endswith('\n') and '\n' not in text and \
                not text.startswith('#'):
            self.parts[-1] = self.parts[-1][:-1] + ' ' + text + '\n'
            return
        self.at(line)
        self._newline()
        self._put('    ' * indent + text + '\n')
        self.merge_line = None if text.startswith('#') else line + text.count('\n')
        if self.line is not None and self.merge_line is not None:
            self.merge_line = self.line - 1

    def value(self):
        return ''.join(self.parts)


def _quote(name):
    return name.replace('\\', '\\\\').replace('"', '\\"')


_SCALAR_WORDS = {'void', 'char', 'short', 'int', 'long', 'float', 'double',
                 'signed', 'unsigned', '_Bool', '_Complex', 'const',
                 'volatile', 'enum', 'register', 'static', 'auto',
                 '_Atomic', 'restrict'}


def maybe_aggregate(words):
    """Could a value of this type be a struct with const members (which
    plain assignment cannot store)? struct/union, or an unknown typedef."""
    if 'struct' in words or 'union' in words:
        return True
    if 'enum' in words:
        return False
    return any(w not in _SCALAR_WORDS and not w.endswith('_t') and
               w[:1].isalpha() for w in words)


def store(dst, value):
    """Stores a whole value: initializing a copy then copying its bytes
    works even for structs with const members."""
    return ('{ __typeof__(%s) strio_v = %s; __builtin_memcpy((void *)&%s, '
            '&strio_v, sizeof strio_v); }' % (dst, value, dst))


class FuncEmitter:
    """Emits the pieces of one analyzed async function."""

    def __init__(self, f, opts):
        self.f = f
        self.fn = f.fn
        self.toks = f.toks
        self.src = f.src
        self.refs = f.parser.refs
        self.opts = opts
        self.name = f.fn.name
        self.types_struct = '%s_strio_types' % self.name
        self.file_refs = set()

    def line(self, tok):
        return self.src.line_of(tok.start)

    # -- references --------------------------------------------------------
    def ref(self, v, mode):
        if mode == 'file':
            self.file_refs.add(v)
            return '((struct %s *)0)->%s' % (self.types_struct, self.uid(v))
        if not v.hoisted:
            return v.name
        if v.const_top:
            return '(*(const __typeof__(%s) *)&%s)' % (v.path, v.path)
        return v.path

    def file_name(self, name):
        """A name of the input in a frame type: functions and variables
        defined in the input are not visible to users of its header, so
        their types are spelled out."""
        unit = self.f.unit
        sig = unit.fn_sigs.get(name)
        if sig is not None:
            return '((%s (*)(%s))0)' % sig
        gv = unit.globals.get(name)
        if gv is not None:
            return self.ref(gv, 'file')
        return name

    def uid(self, v):
        return 'v%d_%s' % (v.tok.start if v.tok else id(v), v.name)

    def tokens(self, first, last, mode='body', subst=None):
        """Original tokens with locals renamed; `subst` maps a token index to
        (last index, text) to replace a range (awaits in type context)."""
        toks = self.toks
        out = []
        i = first
        prev = None
        while i <= last:
            t = toks[i]
            if prev is not None and prev.end != t.start:
                gap = self.src.text[prev.end:t.start]
                out.append('\n' if '\n' in gap and mode == 'body' else ' ')
            if subst and i in subst:
                end, text = subst[i]
                out.append(text)
                prev = toks[end]
                i = end + 1
                continue
            v = self.refs.get(i)
            member = i > 0 and toks[i - 1].text in ('.', '->')
            if v is not None and (mode == 'file' or v.hoisted) and not member:
                out.append(self.ref(v, mode))
            elif mode == 'file' and v is None and t.kind == 'id' and \
                    not member:
                out.append(self.file_name(t.text))
            else:
                out.append(t.text)
            prev = t
            i += 1
        return ''.join(out)

    def expr(self, e, mode='body'):
        if e is None:
            return ''
        if isinstance(e, A.Raw):
            return ''.join(p if isinstance(p, str) else self.expr(p, mode)
                           for p in e.parts)
        if isinstance(e, A.TempRef):
            return self.ref(e.temp, mode)
        if isinstance(e, A.AwaitResult):
            return e.site.path + '.strio_ret'
        if mode != 'body':
            subst = {}
            for n in A.walk(e):
                if isinstance(n, A.Await):
                    subst[n.first] = (n.last, self.await_type_value(n))
            return self.tokens(e.first, e.last, mode, subst)
        return self.tokens(e.first, e.last, mode)

    def await_type_value(self, n):
        sig = next(s.sig for s in self.f.sites if s.call is n.call) \
            if any(s.call is n.call for s in self.f.sites) else \
            self.f.ctx.lookup(self.f.unit, n.call.fn.tok.text)
        # a call (so `(await f(), x)` has an effect) that differs per await
        # (so `await a() == await b()` is no self-comparison)
        return '((%s (*)(int))0)(%d)' % (sig.ret, n.first)

    # -- declarations as fields -------------------------------------------
    def field_decl(self, v, name, mode='body'):
        """`type name` for a frame (or types-struct) member holding `v`."""
        toks = self.toks
        if v.kind == 'temp':
            if v.type_text is not None:
                return '%s %s' % (v.type_text, name)
            expr, ptr = v.declarator
            return '__typeof__(%s) %s%s' % (self.expr(expr, mode),
                                             '*' if ptr else '', name)
        if v.kind == 'param':
            prm = next(p for p in self.fn.params if p.var is v)
            return self.param_field(prm, name)
        if v.kind == 'global':
            drop = {j for j in range(v.spec_first, v.spec_last + 1)
                    if toks[j].text in ('static', 'extern', '_Thread_local',
                                        'register', 'inline')}
            spec = self.tokens_skip(v.spec_first, v.spec_last, drop, 'body')
            decl = self.tokens_skip(v.first, v.last, set(), 'body',
                                    rename={v.name_idx: name})
            return '%s %s' % (spec, decl)
        d, dl = v.decl, v.declarator
        drop = set()
        for j in range(d.spec_first, d.spec_last + 1):
            if toks[j].text in ('register', 'auto', 'static', 'extern',
                                '_Thread_local', 'inline'):
                drop.add(j)
        if v.const_top and mode == 'body':
            drop |= self.top_const_tokens(d, dl)
        spec = self.tokens_skip(d.spec_first, d.spec_last, drop, mode)
        decl = self.tokens_skip(dl.first, dl.last, drop, mode,
                                rename={dl.name_idx: name})
        return '%s %s' % (spec, decl)

    def top_const_tokens(self, d, dl):
        toks = self.toks
        stars = [j for j in range(dl.first, dl.name_idx)
                 if toks[j].text == '*']
        if stars:
            out = set()
            j = stars[-1] + 1
            while j < dl.name_idx and toks[j].text in ('const', 'volatile',
                                                       'restrict'):
                if toks[j].text == 'const':
                    out.add(j)
                j += 1
            return out
        return {j for j in range(d.spec_first, d.spec_last + 1)
                if toks[j].text == 'const'}

    def tokens_skip(self, first, last, drop, mode, rename=None):
        parts = []
        for j in range(first, last + 1):
            if j in drop:
                continue
            if rename and j in rename:
                parts.append(rename[j])
                continue
            v = self.refs.get(j)
            if v is not None and (mode == 'file' or v.hoisted):
                parts.append(self.ref(v, mode))
            else:
                parts.append(self.toks[j].text)
        return ' '.join(parts)

    def param_field(self, prm, name):
        toks = self.toks
        drop = {j for j in range(prm.first, prm.last + 1)
                if toks[j].text == 'register'}
        if prm.const_top:
            stars = [j for j in range(prm.first, prm.name_idx)
                     if toks[j].text == '*']
            if stars:
                j = stars[-1] + 1
                while toks[j].text in ('const', 'volatile', 'restrict'):
                    if toks[j].text == 'const':
                        drop.add(j)
                    j += 1
            else:
                drop |= {j for j in range(prm.first, prm.name_idx)
                         if toks[j].text == 'const'}
        rename = {prm.name_idx: name}
        if prm.is_func:
            rename[prm.name_idx] = '(*%s)' % name   # adjusted to a pointer
        elif prm.is_array:
            # `T a[N][M]` is the parameter `T (*a)[M]`
            close = self.match(prm.name_idx + 1)
            rename[prm.name_idx] = '(*%s)' % name
            drop |= set(range(prm.name_idx + 1, close + 1))
        return self.tokens_skip(prm.first, prm.last, drop, 'body', rename)

    def match(self, i):
        depth = 0
        while True:
            if self.toks[i].text in ('[', '('):
                depth += 1
            elif self.toks[i].text in (']', ')'):
                depth -= 1
                if depth == 0:
                    return i
            i += 1

    # -- frame type ----------------------------------------------------------
    def frame_text(self):
        """The frame struct (and its helper types struct) as (text, source
        line) chunks, so an error in a member's type points at the local's
        declaration."""
        f = self.f
        fline = self.line(self.fn.name_tok)
        chunks = []
        if self.file_refs or self.has_file_temps():
            # temps' types may add to file_refs while being spelled
            members = [(self.member_text(m, 1), m) for m in f.frame.items]
        else:
            members = None
        if self.file_refs:
            fields = []
            for v in sorted(self.file_refs, key=lambda v: v.tok.start
                            if v.tok else 0):
                fields.append('    %s;\n' % self.field_decl(
                    v, self.uid(v), 'file'))
            chunks.append(('/* types of locals, for __typeof__ in the frame '
                           '*/\nstruct %s {\n%s};\n' % (
                               self.types_struct, ''.join(fields)), fline))
        head = '    unsigned short strio_state;\n'
        if not self.fn.sig.ret_void:
            head += '    %s strio_ret;\n' % self.fn.sig.ret
        chunks.append(('struct %s_frame {\n%s' % (self.name, head), fline))
        for m in f.frame.items:
            self.member_chunks(m, 1, chunks, fline)
        chunks.append(('};\n', fline))
        return chunks

    def has_file_temps(self):
        def walk(items):
            for m in items:
                if m.kind == 'var' and m.var.kind == 'temp':
                    return True
                if m.kind in ('struct', 'union') and walk(m.items):
                    return True
            return False
        return walk(self.f.frame.items)

    def member_line(self, m, default):
        if m.kind == 'var' and m.var.tok is not None:
            return self.src.line_of(m.var.tok.start)
        if m.kind == 'site':
            return m.site.line
        return default

    def member_chunks(self, m, depth, chunks, fline):
        pad = '    ' * depth
        if m.kind in ('var', 'site'):
            chunks.append((self.member_text(m, depth),
                           self.member_line(m, fline)))
            return
        chunks.append(('%s%s {\n' % (pad, m.kind), fline))
        for x in m.items:
            self.member_chunks(x, depth + 1, chunks, fline)
        chunks.append(('%s} %s;\n' % (pad, m.name), fline))

    def member_text(self, m, depth):
        pad = '    ' * depth
        if m.kind == 'var':
            mode = 'file' if m.var.kind == 'temp' else 'body'
            return '%s%s;\n' % (pad, self.field_decl(m.var, m.name, mode))
        if m.kind == 'site':
            return '%sstruct %s_frame %s;  /* await at line %d */\n' % (
                pad, m.site.sig.name, m.name, m.site.line)
        inner = ''.join(self.member_text(x, depth + 1) for x in m.items)
        return '%s%s {\n%s%s} %s;\n' % (pad, m.kind, inner, pad, m.name)

    def prototypes(self, static):
        sig = self.fn.sig
        st = 'static ' if static else ''
        params = ''
        if self.fn.params:
            params = ', ' + ', '.join(
                self.tokens_skip(p.first, p.last, set(), 'body')
                for p in self.fn.params)
        return ('%svoid %s_start(struct %s_frame *strio_F%s)' % (
            st, self.name, self.name, params),
            '%sint %s_resume(void *strio_vF, strio_task *strio_T)' % (
                st, self.name))

    # -- functions -----------------------------------------------------------
    def state_names(self):
        seen = {}
        for s in self.f.sites:
            base = '%s_at_L%d' % (self.name, s.line)
            seen[base] = seen.get(base, 0) + 1
            s.state_name = base if seen[base] == 1 else '%s_%d' % (
                base, seen[base])

    def functions(self, out, static):
        fn = self.fn
        self.state_names()
        line = self.line(fn.name_tok)
        start, resume = self.prototypes(static)
        if self.f.sites:
            names = ', '.join('%s = %d' % (s.state_name, s.k)
                              for s in self.f.sites)
            out.stmt('enum %s_state { %s_start_state = 0, %s };' % (
                self.name, self.name, names), line, 0)
        out.stmt(start, line, 0)
        out.stmt('{', line, 0)
        out.stmt('strio_F->strio_state = 0;', line, 1)
        for p in fn.params:
            out.stmt('%s = %s;' % (p.var.path, p.name), line, 1)
        out.stmt('}', line, 0)
        out.stmt(resume, line, 0)
        out.stmt('{', line, 0)
        out.stmt('struct %s_frame *strio_F = strio_vF;' % self.name, line, 1)
        if self.f.sites:
            out.stmt('switch (strio_F->strio_state) {', line, 1)
            for s in self.f.sites:
                self.pp_open(out, s)
                out.stmt('case %s: goto strio_L%d;' % (s.state_name, s.k),
                         line, 1)
                self.pp_close(out, s)
            out.stmt('}', line, 1)
        else:
            out.stmt('(void)strio_T;', line, 1)
        out.stmt('(void)strio_F;', line, 1)
        body = self.f.body
        for item in body.items:
            self.stmt(out, item, 1, top=True)
        out.stmt('return STRIO_DONE;', self.line(body.close), 1)
        out.stmt('}', self.line(body.close), 0)
        self.where(out, static)

    def where(self, out, static):
        """`NAME_where`: the await stack below this frame (strio/async.h)."""
        from .driver import where_proto
        fname = self.src.name.replace('\\', '\\\\').replace('"', '\\"')
        lines = ['#ifndef STRIO_NO_WHERE', where_proto(self.fn), '{']
        lines.append('    const struct %s_frame *strio_F = strio_vF;' % self.name)
        if self.f.sites:
            lines.append('    switch (strio_F->strio_state) {')
            for s in self.f.sites:
                for level in s.pp:
                    lines += level
                lines.append('    case %s:' % s.state_name)
                lines.append('        strio_cb(strio_arg, "%s", %d, "%s", "%s");'
                             % (fname, s.line, self.name, s.sig.name))
                if s.sig.fn is not None or s.sig.has_where:
                    lines.append('        %s_where(&%s, strio_cb, strio_arg);'
                                 % (s.sig.name, s.path))
                lines.append('        return;')
                lines += ['#endif'] * len(s.pp)
            lines.append('    }')
        else:
            lines.append('    (void)strio_F;')
        lines.append('    strio_cb(strio_arg, "%s", %d, "%s", 0);' % (
            fname, self.line(self.fn.name_tok), self.name))
        lines.append('}')
        lines.append('#endif')
        out.raw('\n'.join(lines) + '\n')

    def pp_open(self, out, site):
        """An await inside #if branches: its dispatch gets the same
        conditions, or the label would be missing when they are false."""
        for level in site.pp:
            for d in level:
                out.raw(d + '\n')

    def pp_close(self, out, site):
        for _ in site.pp:
            out.raw('#endif\n')

    # -- statements ----------------------------------------------------------
    def stmt(self, out, s, ind, top=False):
        getattr(self, 's_' + type(s).__name__)(out, s, ind)

    def sub(self, out, s, ind):
        """A sub-statement: one statement, or a braced sequence."""
        if isinstance(s, A.Seq) and (len(s.items) != 1 or
                                     isinstance(s.items[0], (A.Decl, TempDecl))):
            out.stmt('{', self.line(s.tok), ind - 1)
            for x in s.items:
                self.stmt(out, x, ind)
            out.stmt('}', self.line(s.tok), ind - 1)
        elif isinstance(s, A.Seq):
            self.sub(out, s.items[0], ind)
        else:
            self.stmt(out, s, ind)

    def s_Block(self, out, s, ind):
        out.stmt('{', self.line(s.tok), ind - 1 if ind else 0)
        for x in s.items:
            self.stmt(out, x, ind)
        out.stmt('}', self.line(s.close), ind - 1 if ind else 0)

    def s_Seq(self, out, s, ind):
        for x in s.items:
            self.stmt(out, x, ind)

    def s_Empty(self, out, s, ind):
        out.stmt(';', self.line(s.tok), ind)

    def s_PPLine(self, out, s, ind):
        out.stmt(s.tok.text.strip(), self.line(s.tok), 0)

    def s_Verbatim(self, out, s, ind):
        out.stmt(self.tokens(s.first, s.last) + ';',
                 self.line(s.tok), ind)

    def s_ExprStmt(self, out, s, ind):
        out.stmt(self.expr(s.e) + ';', self.line(s.tok), ind)

    def s_Decl(self, out, s, ind):
        line = self.line(s.tok)
        if s.is_typedef or s.storage & {'static', 'extern'} or not s.decls:
            out.stmt(self.decl_text(s, s.decls), line, ind)
            return
        plain = [d for d in s.decls if d.var is None or not d.var.hoisted]
        if len(plain) == len(s.decls):
            out.stmt(self.decl_text(s, s.decls), line, ind)
            return
        for d in s.decls:
            if d.var is None or not d.var.hoisted:
                out.stmt(self.decl_text(s, [d]), line, ind)
            elif d.init is not None:
                out.stmt(self.init_hoisted(d), line, ind)

    def decl_text(self, s, decls):
        spec = self.tokens(s.spec_first, s.spec_last) if s.spec_last >= \
            s.spec_first else ''
        parts = []
        for d in decls:
            t = self.tokens(d.first, d.last)
            if d.init is not None:
                t += ' = ' + self.init_text(d.init)
            parts.append(t)
        return '%s %s;' % (spec, ', '.join(parts))

    def init_text(self, e):
        return self.expr(e)

    def init_hoisted(self, d):
        v = d.var
        path = v.path
        init = d.init
        is_list = isinstance(init, A.InitList) or (
            isinstance(init, A.Raw) and init.parts and init.parts[0] == '{')
        if v.is_array:
            return ('__builtin_memcpy((void *)&%s, (const void *)&'
                    '(__typeof__(%s))%s, sizeof %s);' % (
                        path, path, self.braced(init), path))
        if is_list:
            return '%s = (__typeof__(%s))%s;' % (path, path, self.expr(init))
        toks = self.toks
        words = [toks[j].text for j in range(v.decl.spec_first,
                                             v.decl.spec_last + 1)]
        stars = any(toks[j].text == '*' for j in range(
            v.declarator.first, v.declarator.last + 1))
        if not stars and maybe_aggregate(words):
            return store(path, self.expr(init))
        return '%s = %s;' % (path, self.expr(init))

    def braced(self, init):
        text = self.expr(init)
        return text if text.lstrip().startswith('{') else '{ %s }' % text

    def s_TempDecl(self, out, s, ind):
        t = s.temp
        if t.hoisted:
            return
        out.stmt(self.field_decl(t, t.name, 'local') + ';',
                 self.line(s.tok), ind)

    def s_SetTemp(self, out, s, ind):
        out.stmt('%s = %s;' % (self.ref(s.temp, 'body'), self.expr(s.e)),
                 self.line(s.tok), ind)

    def s_AwaitStmt(self, out, s, ind):
        site = s.site
        line = self.line(s.tok)
        args = ''.join(', ' + self.expr(a) for a in site.args)
        out.stmt('%s_start(&%s%s);' % (site.sig.name, site.path, args),
                 line, ind)
        out.stmt('strio_F->strio_state = %s;' % site.state_name, line, ind)
        if self.opts.suspend_every_await:
            out.stmt('return STRIO_PENDING;', line, ind)
        out.stmt('strio_L%d:' % site.k, line, 0)
        out.stmt('if (%s_resume(&%s, strio_T) != STRIO_DONE) return '
                 'STRIO_PENDING;' % (site.sig.name, site.path), line, ind)

    def s_If(self, out, s, ind):
        line = self.line(s.tok)
        out.stmt('if (%s)' % self.expr(s.c), line, ind)
        self.sub_block(out, s.then, ind)
        if s.els is not None:
            out.stmt('else', line, ind)
            self.sub_block(out, s.els, ind)

    def sub_block(self, out, s, ind):
        if isinstance(s, A.Block):
            self.s_Block(out, s, ind + 1)
        else:
            out.stmt('{', self.line(s.tok), ind)
            self.sub(out, s, ind + 1)
            out.stmt('}', self.line(s.tok), ind)

    def s_While(self, out, s, ind):
        out.stmt('while (%s)' % self.expr(s.c), self.line(s.tok), ind)
        self.sub_block(out, s.body, ind)

    def s_DoWhile(self, out, s, ind):
        out.stmt('do', self.line(s.tok), ind)
        self.sub_block(out, s.body, ind)
        out.stmt('while (%s);' % self.expr(s.c), self.line(s.tok), ind)

    def s_For(self, out, s, ind):
        line = self.line(s.tok)
        if isinstance(s.init, A.Seq):
            out.stmt('{', line, ind)
            for x in s.init.items:
                self.stmt(out, x, ind + 1)
            self.for_head(out, s, None, ind + 1)
            out.stmt('}', line, ind)
            return
        self.for_head(out, s, s.init, ind)

    def for_head(self, out, s, init, ind):
        line = self.line(s.tok)
        if isinstance(init, A.Decl):
            hoisted = [d for d in init.decls if d.var is not None and
                       d.var.hoisted]
            if hoisted:
                out.stmt('{', line, ind)
                self.s_Decl(out, init, ind + 1)
                self.for_head(out, s, None, ind + 1)
                out.stmt('}', line, ind)
                return
            head = self.decl_text(init, init.decls)[:-1]
        else:
            head = self.expr(init) if init is not None else ''
        out.stmt('for (%s; %s; %s)' % (head, self.expr(s.c),
                                       self.expr(s.step)), line, ind)
        self.sub_block(out, s.body, ind)

    def s_Switch(self, out, s, ind):
        out.stmt('switch (%s)' % self.expr(s.e), self.line(s.tok), ind)
        self.sub_block(out, s.body, ind)

    def s_Case(self, out, s, ind):
        line = self.line(s.tok)
        idx = s.kw
        gap = self.src.text[self.toks[idx - 1].end:s.tok.start].lower()
        if re.search(r'fall[ -]*thr(ough|u)', gap):
            out.stmt('/* fallthrough */', line, ind)
        if s.first is None:
            out.stmt('default:', line, max(ind - 1, 0))
        else:
            out.stmt('case %s:' % self.tokens(s.first, s.last), line,
                     max(ind - 1, 0))
        self.labelled(out, s.stmt, ind)

    def labelled(self, out, s, ind):
        if isinstance(s, (A.Seq, A.Decl, TempDecl)):
            out.stmt(';', self.line(s.tok), ind)   # a label needs a statement
            if isinstance(s, A.Seq):
                self.sub(out, s, ind + 1)
                return
        self.stmt(out, s, ind)

    def s_Label(self, out, s, ind):
        out.stmt('%s:' % s.name, self.line(s.tok), 0)
        self.labelled(out, s.stmt, ind)

    def s_GotoLabel(self, out, s, ind):
        if s.name in self.f.used_labels:
            out.stmt('%s:;' % s.name, self.line(s.tok), 0)

    def s_Goto(self, out, s, ind):
        out.stmt('goto %s;' % s.name, self.line(s.tok), ind)

    def s_Break(self, out, s, ind):
        out.stmt('break;', self.line(s.tok), ind)

    def s_Continue(self, out, s, ind):
        out.stmt('continue;', self.line(s.tok), ind)

    def s_Return(self, out, s, ind):
        line = self.line(s.tok)
        if s.e is None or self.fn.sig.ret_void:
            if s.e is not None:
                out.stmt('{ %s; return STRIO_DONE; }' % self.expr(s.e), line,
                         ind)
            else:
                out.stmt('return STRIO_DONE;', line, ind)
            return
        ret = self.fn.sig.ret
        if '*' not in ret and maybe_aggregate(ret.split()):
            out.stmt('{ %s return STRIO_DONE; }' % store(
                'strio_F->strio_ret', self.expr(s.e)), line, ind)
            return
        out.stmt('{ strio_F->strio_ret = %s; return STRIO_DONE; }'
                 % self.expr(s.e), line, ind)
