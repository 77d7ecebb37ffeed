"""Diagnostics in the `file:line:col: error: message` form, with a caret line."""
import bisect


class GenError(Exception):
    """One error pointing into annotated source. `notes` are (pos, text) pairs
    printed after it, e.g. the other end of a recursion cycle."""

    def __init__(self, src, pos, message, notes=()):
        super().__init__(message)
        self.src = src
        self.pos = pos
        self.message = message
        self.notes = list(notes)

    def format(self):
        out = [_one(self.src, self.pos, 'error', self.message)]
        for src, pos, text in self.notes:
            out.append(_one(src, pos, 'note', text))
        return '\n'.join(out)


def _one(src, pos, kind, message):
    line, col = src.line_col(pos)
    text = src.line_text(line)
    caret = ''.join(c if c == '\t' else ' ' for c in text[:col - 1]) + '^'
    return '%s:%d:%d: %s: %s\n%s\n%s' % (src.name, line, col, kind, message,
                                         text, caret)


class Source:
    """An input file: its name as given on the command line and its text."""

    def __init__(self, name, text):
        self.name = name
        self.text = text
        self._starts = [0]
        i = text.find('\n')
        while i >= 0:
            self._starts.append(i + 1)
            i = text.find('\n', i + 1)

    def line_col(self, pos):
        lo = bisect.bisect_right(self._starts, pos) - 1
        return lo + 1, pos - self._starts[lo] + 1

    def line_of(self, pos):
        return self.line_col(pos)[0]

    def line_text(self, line):
        start = self._starts[line - 1]
        end = self.text.find('\n', start)
        return self.text[start:] if end < 0 else self.text[start:end]
