"""Rate tables and curves at run time: the cell a table's keys choose for some values, and a curve's value.

The meaning, written once: the reference evaluator calls `look_up` with exact values,
and the compiled plan calls it through `runtime` with the same values; both read the
same rows. A range holds a value as `TableKey.interval` says; a text key holds its own
text, `else` and `otherwise` every value. A curve's value between two neighbouring
points lies on the straight line through them, exactly:

    y = y0 + (y1 - y0) * (x - x0) / (x1 - x0)

and outside its points it is the value of the row (`below 70% -> 0%`) that holds x.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import attrs

from attain.diagnostics import Span
from attain.dsl import nodes as n
from attain.i18n.messages import say


@attrs.frozen
class Found:
    """The value a table gave, and where it came from: the row, the column of a grid, a curve's two points."""

    value: Fraction
    row: n.TableRow
    column: int | None = None  # the column's index, for a grid
    segment: tuple[n.TableRow, n.TableRow] | None = None  # a curve's points around the value


def holds(key: n.TableKey, x: object) -> bool:
    """Whether a key holds a value (a Fraction for ranges and points, a str for texts)."""
    if key.op in ("else", "otherwise"):
        return True
    if key.op == "text":
        return key.text == x
    if not isinstance(x, Fraction):
        return False
    return n.interval_contains(key.interval(), x)


def _first(keys, x) -> int | None:
    return next((i for i, k in enumerate(keys) if holds(k, x)), None)


def look_up(rows: tuple[n.TableRow, ...], columns: tuple[n.TableKey, ...], values: tuple) -> Found | None:
    """The cell of a table (or a curve's value) for `values`: one per dimension; None when no row holds them."""
    x = values[0]
    if any(r.key.op == "point" for r in rows):
        return curve_at(rows, x)
    i = _first([r.key for r in rows], x)
    if i is None:
        return None
    if not columns:
        return Found(rows[i].cells[0].value, rows[i])
    j = _first(columns, values[1])
    if j is None:
        return None
    return Found(rows[i].cells[j].value, rows[i], j)


def curve_at(rows: tuple[n.TableRow, ...], x: Fraction) -> Found | None:
    """A curve's value at x: on the line between the two points around it, or the row that holds it outside."""
    points = [r for r in rows if r.key.op == "point"]
    for a, b in itertools.pairwise(points):
        x0, x1 = _x(a), _x(b)
        if x0 <= x <= x1:
            y0, y1 = a.cells[0].value, b.cells[0].value
            return Found(y0 + (y1 - y0) * (x - x0) / (x1 - x0), a, None, (a, b))
    ends = [r for r in rows if r.key.op != "point"]
    i = _first([r.key for r in ends], x)
    return Found(ends[i].cells[0].value, ends[i]) if i is not None else None


def point_x(row: n.TableRow) -> Fraction:
    """Where a curve's point stands on the line of its subject."""
    if row.key.low is None:
        raise AssertionError("a curve's point has its value")
    return row.key.low.value


_x = point_x


def cell_place(span: Span | None, policy_file: str) -> str:
    """Where a cell is written, for explanations: `line 12` of the policy, or the table file's cell."""
    if span is None:
        return ""
    if span.file == policy_file:
        return say("x.policy_line", line=span.line)
    if span.file.lower().endswith(".xlsx"):
        letters, col = "", span.col
        while col > 0:
            col, rest = divmod(col - 1, 26)
            letters = chr(65 + rest) + letters
        return say("x.table_cell_place", file=span.file, cell=f"{letters}{span.line}")
    return f"{span.file}:{span.line}:{span.col}"
