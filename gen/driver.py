"""One generator run: read every input, resolve async functions across the
inputs and their headers, analyze, reject recursion, write .c and .h."""
import os

from .diag import GenError
from .emit import FuncEmitter, Out
from .function import Function
from .toplevel import HeaderIndex, Unit


class Options:
    def __init__(self, out_dir=None, include_dirs=(), suspend_every_await=False,
                 no_line=False):
        self.out_dir = out_dir
        self.include_dirs = list(include_dirs)
        self.suspend_every_await = suspend_every_await
        self.no_line = no_line


class Context:
    """Name resolution for async functions: a unit's own functions (static
    ones included), then every public one of the run, then what the unit's
    headers announce."""

    def __init__(self, units, headers):
        self.units = units
        self.public = {}
        self.own = {}
        self.announced = {}
        self.types = {}
        self.macros = {}
        defined = {}
        for u in units:
            own = self.own[u] = {}
            for fn in u.funcs:
                sig = fn.sig
                prev = own.get(sig.name)
                if fn.body is not None:
                    if sig.name in defined:
                        other = defined[sig.name]
                        raise GenError(u.src, sig.pos, "redefinition of async "
                                       "function '%s'" % sig.name,
                                       [(other.unit.src, other.sig.pos,
                                         'first defined here')])
                    if not sig.is_static:
                        defined[sig.name] = fn
                    sig.fn = fn
                    self.check_same(prev, sig)
                    own[sig.name] = sig
                elif prev is None:
                    own[sig.name] = sig
                else:
                    self.check_same(prev, sig)
            for sig in own.values():
                if sig.is_static:
                    continue
                other = self.public.get(sig.name)
                if other is not None:
                    self.check_same(other, sig)
                if sig.fn is not None or other is None:
                    self.public[sig.name] = sig
        for u in units:
            decls, names, macros = [], set(u.typenames), set(u.macros)
            headers.collect(os.path.dirname(u.path) or '.', u.includes,
                            decls, names, macros=macros)
            self.announced[u] = {s.name: s for s in decls}
            self.types[u] = names
            self.macros[u] = macros
        # a prototype in one input for a function defined in another
        for u in units:
            for name, sig in list(self.own[u].items()):
                if sig.fn is None and name in self.public and \
                        self.public[name].fn is not None:
                    self.own[u][name] = self.public[name]

    def check_same(self, a, b):
        if a is None:
            return
        norm = lambda t: ' '.join(t.replace('*', ' * ').split())
        if norm(a.ret) != norm(b.ret) or \
                [norm(t) for t in a.param_types] != \
                [norm(t) for t in b.param_types]:
            raise GenError(b.src, b.pos, "conflicting declarations of async "
                           "function '%s'" % b.name,
                           [(a.src, a.pos, 'previous declaration')])
        if b.is_static and not a.is_static:
            raise GenError(b.src, b.pos, "static declaration of '%s' follows "
                           "a non-static one" % b.name,
                           [(a.src, a.pos, 'previous declaration')])
        if a.is_static:
            b.is_static = True      # C: the first declaration's linkage

    def lookup(self, unit, name):
        sig = self.own[unit].get(name)
        if sig is not None:
            return sig
        sig = self.public.get(name)
        if sig is not None:
            return sig
        return self.announced[unit].get(name)

    def typenames(self, unit):
        return self.types[unit]


def run(paths, opts, read=None):
    """Generates every input; returns {path: (c_text, h_text)} and the
    analyzed functions. Raises GenError on the first error."""
    units = []
    for p in paths:
        if read is not None:
            text = read(p)
        else:
            with open(p, encoding='utf-8') as f:
                text = f.read()
        units.append(Unit(p, text))
    headers = HeaderIndex(opts.include_dirs)
    ctx = Context(units, headers)
    funcs = {}
    for u in units:
        check_plain_code(u, ctx)
        for fn in u.funcs:
            if fn.body is not None:
                funcs[fn] = Function(fn, ctx).analyze()
    check_recursion(funcs)
    for f in funcs.values():
        f.decide()
        f.layout()
    results = {}
    for u in units:
        results[u.path] = emit_unit(u, ctx, funcs, opts)
    return results, funcs


def check_plain_code(u, ctx):
    """`await` and async function names are only meaningful inside async
    functions."""
    toks = u.toks
    for name, tok in u.fn_toks.items():
        sig = ctx.lookup(u, name)
        if sig is not None:
            raise GenError(u.src, tok.start, "conflicting declarations of "
                           "'%s': a plain function here, an async function "
                           "elsewhere" % name,
                           [(sig.src, sig.pos, 'async declaration')])
    for kind, *rest in u.items:
        if kind != 'text':
            continue
        first, last = rest
        for i in range(first, last + 1):
            t = toks[i]
            if t.kind != 'id' or (i and toks[i - 1].text in (
                    '.', '->', 'struct', 'union', 'enum')):
                continue          # members and tags are other namespaces
            if t.text == 'await':
                raise GenError(u.src, t.start,
                               "'await' outside an async function")
            if ctx.lookup(u, t.text) is not None and not (
                    toks[i + 1].text == '(' and i and toks[i - 1].text in (
                        'STRIO_ASYNC_DECL',)):
                raise GenError(u.src, t.start, "async function '%s' can only "
                               "be called with 'await' inside an async "
                               "function" % t.text)


def check_recursion(funcs):
    by_fn = {f.fn: f for f in funcs.values()}
    state = {}
    stack = []

    def visit(f):
        state[f] = 1
        for site in f.sites:
            callee = by_fn.get(site.sig.fn)
            if callee is None:
                continue
            stack.append((f, site))
            if state.get(callee) == 1:
                cyc = []
                for g, s in reversed(stack):
                    cyc.append((g, s))
                    if g is callee:
                        break
                cyc.reverse()
                names = ' -> '.join([g.fn.name for g, _ in cyc] +
                                    [callee.fn.name])
                notes = [(g.src, s.tok.start, "'%s' awaits '%s' here" % (
                    g.fn.name, s.sig.name)) for g, s in cyc[:-1]]
                g, s = cyc[-1]
                raise GenError(g.src, s.tok.start,
                               'recursion through await: %s (a frame would '
                               'have to contain itself)' % names, notes)
            if state.get(callee) is None:
                visit(callee)
            stack.pop()
        state[f] = 2

    for f in funcs.values():
        if f not in state:
            visit(f)


def base_name(path):
    name = os.path.basename(path)
    return name[:-3] if name.endswith('.sc') else os.path.splitext(name)[0]


def guard_name(name):
    return ''.join(c if c.isalnum() else '_' for c in name).upper()


class UnitEmitter:
    def __init__(self, u, ctx, funcs, opts):
        self.u, self.ctx, self.funcs, self.opts = u, ctx, funcs, opts
        self.emitters = {}
        self.header_out = None

    def em(self, fn):
        e = self.emitters.get(fn)
        if e is None:
            e = self.emitters[fn] = FuncEmitter(self.funcs[fn], self.opts)
        return e

    def frame(self, out, fn, done):
        """Emits the frame of `fn` after the frames it embeds."""
        if fn in done:
            return
        done.add(fn)
        f = self.funcs[fn]
        for site in f.sites:
            callee = site.sig.fn
            if callee is not None and callee.unit is self.u:
                self.frame(out, callee, done)
        em = self.em(fn)
        chunks = em.frame_text()
        guard = 'STRIO_FRAME_%s_DEFINED' % fn.name
        out.raw('#ifndef %s\n#define %s\n' % (guard, guard))
        for text, line in chunks:
            out.text(text, line)
        out.raw('#endif\n')
        if fn.unit is self.u and out is not self.header_out:
            # callers earlier in the file need the functions declared
            start, resume = PrototypeText(fn).prototypes()
            out.raw('%s;\n%s;\n#ifndef STRIO_NO_WHERE\n%s;\n#endif\n' % (
                start, resume, where_proto(fn)))


def emit_unit(u, ctx, funcs, opts):
    ue = UnitEmitter(u, ctx, funcs, opts)
    name = base_name(u.path)
    src = u.src
    out_dir = opts.out_dir if opts.out_dir is not None else (
        os.path.dirname(u.path) or '.')
    c = Out(u.src.name, os.path.join(out_dir, name + '.c'), opts.no_line)
    c.raw('/* Generated by strio generator.py from %s. Do not edit. */\n'
          '#include <strio/async.h>\n' % os.path.basename(u.path))
    done = set()
    pos = 0
    for kind, *rest in u.items:
        if kind == 'text':
            first, last = rest
            end = u.toks[last].end
            c.text(src.text[pos:end], src.line_of(pos))
            pos = end
            continue
        fn = rest[0]
        start = u.toks[fn.first].start
        c.text(src.text[pos:start], src.line_of(pos))
        pos = u.toks[fn.last].end
        if fn.body is None:
            declare(c, fn, ue)
            continue
        ue.frame(c, fn, done)
        ue.em(fn).functions(c, fn.sig.is_static)
    tail = src.text[pos:]
    if tail.strip():
        c.text(tail, src.line_of(pos))
    h = header(u, ue, name, os.path.join(out_dir, name + '.h'))
    text = c.value()
    if not text.endswith('\n'):
        text += '\n'
    return text, h


def declare(out, fn, ue):
    """A prototype: the frame's tag and the two functions."""
    line = fn.unit.src.line_of(fn.name_tok.start)
    em_fake = PrototypeText(fn)
    out.stmt('struct %s_frame;' % fn.name, line, 0)
    start, resume = em_fake.prototypes()
    out.stmt(start + ';', line, 0)
    out.stmt(resume + ';', line, 0)
    if fn.sig.is_static:
        out.raw('#ifndef STRIO_NO_WHERE\n%s;\n#endif\n' % where_proto(fn))


def where_proto(fn):
    st = 'static __attribute__((unused)) ' if fn.sig.is_static else ''
    return ('%svoid %s_where(const void *strio_vF, strio_where_fn strio_cb, '
            'void *strio_arg)' % (st, fn.name))


class PrototypeText:
    def __init__(self, fn):
        self.fn = fn

    def prototypes(self):
        from .toplevel import tok_text
        fn = self.fn
        st = 'static ' if fn.sig.is_static else ''
        params = ''.join(', ' + tok_text(fn.toks, p.first, p.last)
                         for p in fn.params)
        return ('%svoid %s_start(struct %s_frame *strio_F%s)' % (
            st, fn.name, fn.name, params),
            '%sint %s_resume(void *strio_vF, strio_task *strio_T)' % (
                st, fn.name))


def header_directive(text, name):
    """Is this directive of the input also needed by users of its header?
    Everything but an include of the header itself and feature-test macros
    (which belong before the first system header of each program)."""
    words = text[1:].split()
    if not words:
        return False
    if words[0] == 'include':
        inc = text.split('include', 1)[1].strip().strip('"<>')
        return os.path.basename(inc) != name + '.h'
    if words[0] in ('define', 'undef') and len(words) > 1:
        return not words[1].startswith('_')
    return words[0] != 'line'


def header(u, ue, name, out_name):
    g = 'STRIO_GEN_%s_H' % guard_name(name)
    h = Out(u.src.name, out_name, ue.opts.no_line)
    ue.header_out = h
    h.raw('/* Generated by strio generator.py from %s. Do not edit. */\n'
          '#ifndef %s\n#define %s\n#include <strio/async.h>\n' % (
              os.path.basename(u.path), g, g))
    for item in u.header_items:
        if item[0] == 'pp':
            tok = item[1]
            if not header_directive(tok.text, name):
                continue
            h.text(tok.text.strip() + '\n', u.src.line_of(tok.start))
        else:
            first, last = item[1], item[2]
            start = u.toks[first].start
            h.text(u.src.text[start:u.toks[last].end] + '\n',
                   u.src.line_of(start))
    public = [fn for fn in u.funcs if not fn.sig.is_static]
    seen = set()
    for fn in public:
        if fn.name in seen:
            continue
        seen.add(fn.name)
        h.raw('STRIO_ASYNC_DECL(%s %s(%s))\n' % (fn.sig.ret, fn.name,
                                                 fn.sig.params_text))
        if fn.body is not None:
            h.raw('STRIO_HAS_WHERE(%s)\n' % fn.name)
    done = set()
    for fn in public:
        if fn.body is not None:
            ue.frame(h, fn, done)
    for fn in public:
        if fn.body is not None:
            start, resume = PrototypeText(fn).prototypes()
            h.raw('%s;\n%s;\n' % (start, resume))
            h.raw('#ifndef STRIO_NO_WHERE\n%s;\n#endif\n' % where_proto(fn))
    h.raw('#endif\n')
    return h.value()
