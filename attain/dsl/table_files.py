"""Checking, the tables kept in files: a rate table's cells, read beside the policy, made into its rows.

The reader (`attain.io.rate_tables`, given to the checker by the API) gives the file's
cells with their places; here each key is read with the policy's own words (`below 80%`,
`above 8% up to and including 10%`, `70%` for a curve's point, a text, `else`) and each
value as a number (`3%`, `0.03`, `¥1,000`). A file of two columns is a one-dimensional
table (its header names the columns); a wider one is a grid, whose first row after its
first cell keys the columns. Every problem names its cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

import attrs

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.dsl import nodes as n
from attain.i18n.messages import say


class Cell(NamedTuple):
    """One cell of a table file: its text, where it is, and its name in a workbook (`Sheet1!C3`, or "")."""

    text: str
    span: Span
    name: str


# path, sheet -> the file's rows of cells, header first; raises AttainError when it cannot be read
TableReader = Callable[[str, "str | None"], list[list[Cell]]]

_NUMBER = re.compile(r"(-)?([¥￥$€£])?(\d[\d,_]*(?:\.\d+)?)(%)?")


def _where(cell: Cell) -> str:
    return say("cell.where", place=cell.name) if cell.name else ""


def _problem(cell: Cell, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic("C281", say("C281", message=message, where=_where(cell)), cell.span, label=say("C281.label"),
                      hint=hint)


def number(cell: Cell) -> n.Number | Diagnostic:
    """A value cell as a policy number: `3%`, `0.03`, `-1.5`, `¥1,000`."""
    m = _NUMBER.fullmatch(cell.text.replace(" ", ""))
    if not cell.text:
        return _problem(cell, say("C281.empty"), say("C281.empty_hint"))
    if m is None or (m.group(2) and m.group(4)):
        return _problem(cell, say("C281.number", text=cell.text), say("C281.number_hint"))
    minus, sign, digits, percent = m.groups()
    value = Fraction(digits.replace(",", "").replace("_", ""))
    if percent:
        value /= 100
    if minus:
        value = -value
    return n.Number(value, bool(percent), cell.text, span=cell.span, money=bool(sign))


def key(cell: Cell) -> n.TableKey | Diagnostic:
    """A key cell as the policy would write it; text that is no range, point or `else` is a text key."""
    text = cell.text
    if not text:
        return _problem(cell, say("C281.key"), say("C281.key_hint"))
    if text in ("else", "otherwise"):
        return n.TableKey("else" if text == "else" else "otherwise", span=cell.span)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return n.TableKey("text", text=text[1:-1], span=cell.span)
    parsed = _range(text)
    if parsed is None:
        return n.TableKey("text", text=text, span=cell.span)
    return attrs.evolve(parsed, low=_at(parsed.low, cell.span), high=_at(parsed.high, cell.span), span=cell.span)


def _at(b: n.Number | None, span: Span) -> n.Number | None:
    return None if b is None else attrs.evolve(b, span=span)


def _range(text: str) -> n.TableKey | None:
    """The key `text` reads as in a policy's table, or None when it reads as no range or point."""
    from attain.dsl.parser import parse  # the policy's grammar reads the key, so a file says what a policy says

    if "\n" in text or "#" in text:
        return None
    try:
        policy = parse(f'policy "key"\ntable key\n    {text} -> 0\n', "<table key>")
    except AttainError:
        return None
    table = policy.statements[0]
    assert isinstance(table, n.Table)
    found = table.rows[0].key
    return found if found.numeric else None


def table_of(table: n.Table, grid: list[list[Cell]]) -> tuple[n.Table, list[Diagnostic]]:
    """`table` with the rows and columns its file holds, and the problems of its cells."""
    problems: list[Diagnostic] = []

    def keyed(cell: Cell) -> n.TableKey:
        k = key(cell)
        if isinstance(k, Diagnostic):
            problems.append(k)
            return n.TableKey("else", span=cell.span)
        return k

    def valued(cell: Cell) -> n.Number:
        v = number(cell)
        if isinstance(v, Diagnostic):
            problems.append(v)
            return n.Number(Fraction(0), text="0", span=cell.span)
        return v

    header, body = grid[0], grid[1:]
    if not body:
        problems.append(Diagnostic("C280", say("C280.no_rows", source=table.source), table.source_span,
                                   hint=say("C280.no_rows_hint")))
    columns = tuple(keyed(c) for c in header[1:]) if len(header) > 2 else ()
    rows = []
    for cells in body:
        span = Span(cells[0].span.file, cells[0].span.line, cells[0].span.col, cells[-1].span.end_line,
                    cells[-1].span.end_col)
        rows.append(n.TableRow(keyed(cells[0]), tuple(valued(c) for c in cells[1:]), span=span))
    return attrs.evolve(table, columns=columns, rows=tuple(rows)), problems
