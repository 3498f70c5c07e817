"""Explanations, the line tables' part: each measure shown with the lines that made it.

An explanation records a measure (`sum(credited of deals where status = "won")`) as an input
of the employee's row; here it becomes a value whose children are its lines: per line its
place in the file (`deals.csv:4`, `Book.xlsx!Deals!A4`), the value it gave, whether the
`where` filter kept it, and its per-line values. A long list shows its first lines and says
how many more there are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from attain.diagnostics import Span
from attain.dsl.check_lines import Lines, Measure
from attain.engine.trace import Given, Trace
from attain.i18n.messages import say

if TYPE_CHECKING:  # the renderers import no evaluator: only the types of the line stage's results
    from attain.engine.lines import Stage, Used

SHOWN_LINES = 20  # lines listed under one measure; the rest are counted


def with_lines(roots: tuple[Trace, ...], lines: Lines, stage: Stage, key: tuple, types: dict) -> tuple[Trace, ...]:
    """`roots` with every measure's input trace replaced by the measure and its lines."""
    used = {m.name: stage.used(m, key) for m in lines.measures}
    return tuple(_replace(t, lines, used, types) for t in roots)


def _replace(t: Trace, lines: Lines, used: dict, types: dict) -> Trace:
    m = lines.measure(t.name) if t.kind in ("input", "default") else None
    if m is not None:
        return _measure(t, m, used.get(m.name, []), types.get(m.table, {}))
    # `max(x of T, else V)` reads `m if given(m) else V`: its `given` note says whether the period had lines.
    givens = [note for note in t.notes if isinstance(note, Given) and lines.measure(note.name) is not None]
    if not t.children and not givens:
        return t
    children = tuple(_replace(c, lines, used, types) for c in t.children)
    notes = tuple(note for note in t.notes if note not in givens)
    for note in givens:
        m = lines.measure(note.name)
        if m is not None and not note.given:
            none = say("x.no_lines_kept" if m.where is not None else "x.no_lines", measure=m.text, table=m.table)
            children += (Trace(none, "line", m.kind, None, formula=say("x.after_else")),)
    return attrs.evolve(t, children=children, notes=notes)


def _measure(t: Trace, m: Measure, used: list[Used], types: dict) -> Trace:
    kept = sum(1 for u in used if u.kept)
    if m.where is None:
        formula = say("x.measure", func=m.func, lines=_lines(len(used)), table=m.table)
    else:
        formula = say("x.measure_kept", func=m.func, lines=_lines(len(used)), table=m.table, kept=kept)
    if not kept and m.func in ("mean", "min", "max"):
        formula = say("x.measure_none", measure=formula)
    children = [_line(u, m, types) for u in used[:SHOWN_LINES]]
    if len(used) > SHOWN_LINES:
        more = len(used) - SHOWN_LINES
        children.append(Trace(say("x.more_lines", lines=_lines(more)), "line", m.kind, None,
                              formula=say("x.more_kept", n=sum(1 for u in used[SHOWN_LINES:] if u.kept))))
    return Trace(t.name, "value", m.kind, t.value, formula, m.span, (), tuple(children))


def _lines(count: int) -> str:
    return say("x.line" if count == 1 else "x.lines", n=count)


def _line(u: Used, m: Measure, types: dict) -> Trace:
    values = tuple(Trace(name, "input", types.get(name, "number"), value)
                   for name, value in u.line.values.items() if not name.startswith("_"))
    value = u.value if m.value is not None else (1 if u.kept else 0)
    span = Span(u.line.file, u.line.line, 1, u.line.line, 2)
    return Trace(u.line.where, "line", m.kind if m.value is not None else "count", value,
                 say("x.kept" if u.kept else "x.left_out"), span, (), values)
