"""Explanations, as text: a `Trace` tree -> indented lines a person reads, one value per line.

A value used twice is shown in full once and referred back to after that.
"""

from __future__ import annotations

import unicodedata

from attain.engine.trace import Trace
from attain.engine.wording import display, sentence
from attain.i18n.messages import joined, localize, say
from attain.limits import deep


def _where(t: Trace) -> str:
    if t.span is None:
        return ""
    return f"{t.span.file}:{t.span.line}"


@deep  # the tree is as deep as the chain of values that use each other
def render_text(roots: list[Trace], who: str, period: str | None = None, lang: str = "en") -> str:
    """An indented tree per root: value, formula and policy line, notes, then the values it used; its words
    (not its names, formulas or numbers) in `lang`."""
    out: list[str] = []
    shown: set[str] = set()

    def visit(t: Trace, depth: int) -> None:
        pad = "  " * depth
        value = localize(display(t.value, t.type, t.places), lang)
        if t.kind == "line":  # one line of a line table under the measure it made (explain/lines.py)
            out.append(pad + line_text(t, lang))
            return
        if t.kind in ("input", "default"):
            origin = say("x.default") if t.kind == "default" else say("x.from", source=t.source) if t.source \
                else say("x.input")
            out.append(f"{pad}{t.name} = {value}   {localize(say('x.aside', text=origin), lang)}")
            return
        if t.name in shown:
            out.append(f"{pad}{t.name} = {value}   {localize(say('x.aside', text=say('x.see_above')), lang)}")
            return
        shown.add(t.name)
        out.append(f"{pad}{t.name} = {value}")
        out.append(f"{pad}    {localize(t.formula, lang)}   [{_where(t)}]")
        for note in t.notes:
            out.append(f"{pad}    · {localize(sentence(note), lang)}")
        for child in t.children:
            visit(child, depth + 1)

    title = f"{who}" + (f" · {period}" if period else "")
    out.append(title)
    out.append("=" * max(8, len(title)))
    for root in roots:
        visit(root, 0)
        out.append("")
    return "\n".join(_visible(line) for line in out).rstrip() + "\n"


def line_text(t: Trace, lang: str = "en") -> str:
    """One line of a line table under its measure (explain/lines.py): place, value, the filter and its values."""
    if t.value is None:
        return f"{localize(t.name, lang)} {localize(say('x.aside', text=t.formula), lang)}"
    values = joined(say("x.is", name=c.name, value=display(c.value, c.type, None) if c.value is not None else "-")
                    for c in t.children)
    shown = localize(display(t.value, t.type, t.places), lang)
    aside = say("x.aside", text=say("x.line_values", note=t.formula, values=values))
    return f"{t.name} = {shown}   {localize(aside, lang)}"


def _visible(line: str) -> str:
    """Control characters from the data or the policy, escaped: they must not reach the terminal
    (escape sequences, broken lines), as in the table `attain run` prints."""
    if line.isprintable():
        return line
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch
                   for ch in line)
