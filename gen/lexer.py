"""C tokenizer for the annotated dialect.

The generator does not run the preprocessor: directives are kept as single
`pp` tokens (continuation lines included) and passed through verbatim.
Comments are dropped; positions are byte offsets into the source so the
emitter can copy original text and map errors back.
"""
import re

from .diag import GenError

PUNCTS = sorted("""
... <<= >>= -> ++ -- << >> <= >= == != && || *= /= %= += -= &= ^= |= ##
[ ] ( ) { } . & * + - ~ ! / % < > ^ | ? : ; = , #
""".split(), key=len, reverse=True)

_TOKEN = re.compile(r'''
    (?P<ws>[ \t\r\f\v]+|\\\n)
  | (?P<nl>\n)
  | (?P<lcom>//[^\n]*)
  | (?P<bcom>/\*)
  | (?P<str>(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*")
  | (?P<chr>(?:u|U|L)?'(?:[^'\\\n]|\\.)*')
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[0-9a-zA-Z_.])*)
  | (?P<id>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<punct>''' + '|'.join(re.escape(p) for p in PUNCTS) + r''')
''', re.X | re.S)


_DIRECTIVE = re.compile(r'[ \t]*#')


class Tok:
    __slots__ = ('kind', 'text', 'start', 'end')

    def __init__(self, kind, text, start, end):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end

    def __repr__(self):
        return 'Tok(%s,%r@%d)' % (self.kind, self.text, self.start)


def tokenize(src):
    """Returns the token list of `src` (a diag.Source), ending with `eof`."""
    text = src.text
    toks = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        if at_line_start:
            m = _DIRECTIVE.match(text, i)
            if m:
                end = _directive_end(text, m.end())
                toks.append(Tok('pp', text[i:end], m.end() - 1, end))
                i = end
                continue
        m = _TOKEN.match(text, i)
        if not m:
            raise GenError(src, i, 'stray character %r in program' % text[i])
        kind = m.lastgroup
        if kind == 'nl':
            at_line_start = True
            i = m.end()
            continue
        if kind == 'bcom':
            end = text.find('*/', m.end())
            if end < 0:
                raise GenError(src, i, 'unterminated comment')
            i = end + 2
            continue
        i = m.end()
        if kind in ('ws', 'lcom'):
            continue
        at_line_start = False
        toks.append(Tok(kind, m.group(), m.start(), m.end()))
    toks.append(Tok('eof', '', n, n))
    return toks


def _directive_end(text, i):
    """End offset of a directive starting before `i`: the newline that is not
    escaped and not inside a block comment (the newline itself excluded)."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == '\\' and text.startswith('\n', i + 1):
            i += 2
        elif c == '\\' and text.startswith('\r\n', i + 1):
            i += 3
        elif text.startswith('/*', i):
            end = text.find('*/', i + 2)
            i = n if end < 0 else end + 2
        elif text.startswith('//', i):
            end = text.find('\n', i)
            return n if end < 0 else end
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            i = j + 1
        elif c == '\n':
            return i
        else:
            i += 1
    return n
