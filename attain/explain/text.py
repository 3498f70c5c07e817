"""Explanations, as text: a `Trace` tree -> indented lines a person reads, one value per line.

A value used twice is shown in full once and referred back to after that.
"""

from __future__ import annotations

import unicodedata

from attain.engine.trace import Trace
from attain.engine.wording import display, sentence
from attain.limits import deep


def _where(t: Trace) -> str:
    if t.span is None:
        return ""
    return f"{t.span.file}:{t.span.line}"


@deep  # the tree is as deep as the chain of values that use each other
def render_text(roots: list[Trace], who: str, period: str | None = None) -> str:
    """An indented tree per root: value, formula and policy line, notes, then the values it used."""
    out: list[str] = []
    shown: set[str] = set()

    def visit(t: Trace, depth: int) -> None:
        pad = "  " * depth
        value = display(t.value, t.type, t.places)
        if t.kind == "line":  # one line of a line table under the measure it made (explain/lines.py)
            out.append(pad + line_text(t))
            return
        if t.kind in ("input", "default"):
            origin = "the policy's default" if t.kind == "default" else f"from {t.source}" if t.source \
                else "input"
            out.append(f"{pad}{t.name} = {value}   ({origin})")
            return
        if t.name in shown:
            out.append(f"{pad}{t.name} = {value}   (see above)")
            return
        shown.add(t.name)
        out.append(f"{pad}{t.name} = {value}")
        out.append(f"{pad}    {t.formula}   [{_where(t)}]")
        for note in t.notes:
            out.append(f"{pad}    · {sentence(note)}")
        for child in t.children:
            visit(child, depth + 1)

    title = f"{who}" + (f" · {period}" if period else "")
    out.append(title)
    out.append("=" * max(8, len(title)))
    for root in roots:
        visit(root, 0)
        out.append("")
    return "\n".join(_visible(line) for line in out).rstrip() + "\n"


def line_text(t: Trace) -> str:
    """One line of a line table under its measure (explain/lines.py): place, value, the filter and its values."""
    if t.value is None:
        return f"{t.name} ({t.formula})"
    values = ", ".join(f"{c.name} = {display(c.value, c.type, None) if c.value is not None else '-'}"
                       for c in t.children)
    return f"{t.name} = {display(t.value, t.type, t.places)}   ({t.formula}: {values})"


def _visible(line: str) -> str:
    """Control characters from the data or the policy, escaped: they must not reach the terminal
    (escape sequences, broken lines), as in the table `attain run` prints."""
    if line.isprintable():
        return line
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch
                   for ch in line)
