"""Diagnostics: source spans, coded messages, and their compiler-style rendering.

Every stage reports user mistakes as `Diagnostic` values; nothing below the CLI
prints. Codes are stable: P1xx parse, C2xx check, E3xx evaluation, D4xx data,
U5xx usage, T6xx policy tests; each is declared, with its meaning, in
`attain.codes`, and a `Diagnostic` with any other code cannot be made.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping

import attrs

from attain.codes import CODES
from attain.i18n.messages import frame, localize


@attrs.frozen(order=True)
class Span:
    """A region of one source file; lines and columns count from 1, `end_col` is exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.col,
            "end_line": self.end_line,
            "end_column": self.end_col,
        }


@attrs.frozen
class Label:
    """A secondary position shown beside a diagnostic, such as 'first defined here' (None: a node built by hand)."""

    span: Span | None
    text: str


@attrs.frozen
class Diagnostic:
    """One finding about a user's policy, data or command, with where and how to fix it."""

    code: str
    message: str
    span: Span | None = None
    severity: str = "error"
    label: str = ""
    notes: tuple[Label, ...] = ()
    # How to fix it; never a change that may make a result silently wrong (see `attain.codes`).
    hint: str = ""

    def __attrs_post_init__(self) -> None:
        # An undeclared code is a bug in attain, never the user's mistake: fail where it is made.
        if self.code not in CODES:
            raise ValueError(f"diagnostic code {self.code!r} is not declared in attain.codes")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self):
        span = self.span
        return (
            (span.file, span.line, span.col) if span else ("", 0, 0),
            self.code,
            self.message,
        )

    def to_json(self, lang: str = "en") -> dict:
        """Stable English keys; the message, label, notes and hint in `lang` (made by `attain.i18n.messages.say`)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": localize(self.message, lang),
            "span": self.span.to_json() if self.span else None,
            "label": localize(self.label, lang),
            "notes": [{"span": n.span.to_json() if n.span else None, "text": localize(n.text, lang)}
                      for n in self.notes],
            "hint": localize(self.hint, lang),
        }


class AttainError(Exception):
    """Raised when user input cannot go further; carries diagnostics, and the source texts they point into.

    `sources` maps a file name to its text. The stage that has a text in hand (the
    parser, a reader) attaches it; the public API attaches the rest once, on the way
    out, so that whoever renders the diagnostics never reads a file again.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        self.sources: dict[str, str] = dict(sources or {})
        super().__init__("; ".join(d.message for d in self.diagnostics))


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


# Where lines end for every reader of a source: the parser counts \n (\r\n is a \n), the CSV reader \r
# too. str.splitlines would also break at \x0c, \x1c-\x1e, \x85, U+2028 and U+2029, which a comment or a
# cell may hold, and every line after it would be shown (or quoted in an explanation) for the wrong number.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """The lines of a policy or data text as their positions count them, without their line breaks."""
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the break that ends the last line starts no line
    return [] if lines == [""] else lines


# A source line longer than this is shown as a window of this many characters around the span, with "…"
# where it is cut, so that an error in a line of a million characters prints a line, not megabytes.
_LONG_LINE = 200
_BEFORE_SPAN = 60  # characters kept before the span in such a window


def printable(text: str) -> str:
    """`text` with its control characters (and line separators) escaped, \\x1b for ESC: a data cell or a policy
    comment must not reach a terminal as an escape sequence or a line break. Tabs stay."""
    if text.isprintable() or all(ch.isprintable() or ch == "\t" or ch == " " for ch in text):
        return text
    return "".join(_printable(ch) for ch in text)


def _printable(ch: str) -> str:
    if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Zl", "Zp"):
        return ch
    return ch.encode("unicode_escape").decode("ascii")


def _excerpt(lines: list[str], span: Span, text: str, gutter: int) -> list[str]:
    if not (1 <= span.line <= len(lines)):
        return []
    source = lines[span.line - 1].rstrip("\r\n")
    start = span.col - 1  # character offsets in the line, end exclusive
    end = max(start + 1, span.end_col - 1 if span.end_line == span.line else len(source))
    if len(source) > _LONG_LINE:
        first = max(0, min(start - _BEFORE_SPAN, len(source) - _LONG_LINE))
        last = first + _LONG_LINE
        head = "…" if first else ""
        shift = len(head) - first
        source = head + source[first:last] + ("…" if last < len(source) else "")
        start, end = start + shift, min(end, last) + shift
    # Carets line up under wide (CJK) characters by copying the source's tabs and widths; an escaped
    # control character is as wide as its escape.
    shown = [_printable(ch) for ch in source]
    pad = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in shown[:start])
    carets = "^" * sum(_width(ch) for ch in shown[start:end]) or "^"
    no = str(span.line).rjust(gutter)
    blank = " " * gutter
    out = [f"{blank} |", f"{no} | {''.join(shown)}",
           f"{blank} | {pad}{carets}" + (f" {printable(text)}" if text else "")]
    return out


def _width(ch: str) -> int:
    """Columns a character (or an escape, several ASCII characters) takes on a terminal."""
    if len(ch) > 1:
        return len(ch)
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def render(diagnostic: Diagnostic, sources: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """Render one diagnostic like a compiler: header, location, caret excerpt, notes, help; its words in `lang`."""
    sources = sources or {}
    d = diagnostic
    lines_out = [f"{frame(d.severity, lang)}[{d.code}]: {printable(localize(d.message, lang))}"]
    spans = [s for s in [d.span, *(n.span for n in d.notes)] if s is not None]
    gutter = max((len(str(s.line)) for s in spans), default=1)
    if d.span is not None:
        lines_out.append(f"{' ' * gutter}--> {printable(str(d.span))}")
        text = sources.get(d.span.file)
        if text is not None:
            lines_out.extend(_excerpt(source_lines(text), d.span, localize(d.label, lang), gutter))
    note_head = f"{' ' * gutter} = {frame('note', lang)}: "
    for note in d.notes:
        said = localize(note.text, lang)
        if note.span is None:
            lines_out.append(note_head + printable(said))
            continue
        text = sources.get(note.span.file)
        lines_out.append(f"{' ' * gutter}::: {printable(str(note.span))}")
        if text is not None:
            lines_out.extend(_excerpt(source_lines(text), note.span, said, gutter)[1:])
        else:
            lines_out.append(note_head + printable(said))
    if d.hint:
        lines_out.append(f"{' ' * gutter} = {frame('help', lang)}: {printable(localize(d.hint, lang))}")
    return "\n".join(lines_out)


def render_all(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None,
               lang: str = "en") -> str:
    return "\n\n".join(render(d, sources, lang) for d in sort_diagnostics(diagnostics))


def to_json(diagnostics: Iterable[Diagnostic], lang: str = "en") -> str:
    items = [d.to_json(lang) for d in sort_diagnostics(diagnostics)]
    return json.dumps({"schema": 1, "diagnostics": items}, ensure_ascii=False, indent=2)
