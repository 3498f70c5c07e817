"""The syntax tree of rate tables and curves: named tables, grids, tables kept in files, curves, and their use.

Kept apart from `nodes` (which re-exports them) so that the table constructs are one
concern. A table's rows and columns are keyed by ranges of numbers (with the side of each
bound they include said explicitly, or by the band rules), by texts, or, for a curve, by
points between which the value is interpolated. Cells are numbers as written.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from attain.diagnostics import Span

if TYPE_CHECKING:
    from attain.dsl.nodes import Expr, Number


def _span():
    return attrs.field(default=None, eq=False, kw_only=True, repr=False)


# ---------------------------------------------------------------- ranges

# The words of a range, as written, with the side of each bound it includes. A one-sided
# range keeps its bound as `low` (as `<= B` always has); two-sided ranges keep both.
#   from A                          A included, no upper bound (as `>= A`)
#   up to and including B           B included, no lower bound (as `<= B`)
#   from A up to and including B    both included
#   above A up to and including B   A excluded, B included ("above 8% up to and including 10%")
#   from A below B                  A included, B excluded (as `A to B`)
#   above A below B                 both excluded
EXPLICIT_RANGES = ("from", "through", "from-through", "above-through", "from-below", "above-below")


def range_interval(op: str, lo: Fraction | None, hi: Fraction | None):
    """(low, low_closed, high, high_closed), None for an open end; None for `otherwise` (the whole line)."""
    return {
        ">=": (lo, True, None, False),
        ">": (lo, False, None, False),
        "above": (lo, False, None, False),
        "<=": (None, False, lo, True),
        "<": (None, False, lo, False),
        "below": (None, False, lo, False),
        "=": (lo, True, lo, True),
        "to": (lo, True, hi, False),
        "from": (lo, True, None, False),
        "through": (None, False, lo, True),
        "from-through": (lo, True, hi, True),
        "above-through": (lo, False, hi, True),
        "from-below": (lo, True, hi, False),
        "above-below": (lo, False, hi, False),
        "otherwise": None,
    }[op]


def range_words(op: str, low: str, high: str = "") -> str:
    """A range as the policy writes it, its bounds' text given: `above 8% up to and including 10%`."""
    words = {
        "to": f"{low} to {high}",
        "otherwise": "otherwise",
        "from": f"from {low}",
        "through": f"up to and including {low}",
        "from-through": f"from {low} up to and including {high}",
        "above-through": f"above {low} up to and including {high}",
        "from-below": f"from {low} below {high}",
        "above-below": f"above {low} below {high}",
    }
    return words.get(op, f"{op} {low}")


# ---------------------------------------------------------------- tables


@attrs.frozen
class TableKey:
    """The key of a table's row or column: a range of numbers, a point of a curve, a text or `else`.

    `op` is a band row's range word (`>=`, `to`, `above-through`, `otherwise`, ...), `point`
    for a curve's point (`70%`), `text` for a quoted key (`"P1"`) or `else`. `text` holds the
    key of a text row.
    """

    op: str
    low: Number | None = None
    high: Number | None = None
    text: str | None = None
    span: Span | None = _span()

    @property
    def numeric(self) -> bool:
        return self.op not in ("text", "else")

    def words(self, number=lambda x: x.text) -> str:
        """The key as the policy writes it (`"P1"`, `else`, `70%`, `80% to 100%`); `number` gives a bound's text."""
        if self.op == "text":
            return '"' + (self.text or "") + '"'
        if self.op == "else":
            return "else"
        low = number(self.low) if self.low is not None else ""
        if self.op == "point":
            return low
        return range_words(self.op, low, number(self.high) if self.high is not None else "")

    def interval(self):
        """The range of the key as (low, low_closed, high, high_closed); a point is a range of one value."""
        lo = self.low.value if self.low is not None else None
        if self.op == "point":
            return (lo, True, lo, True)
        if not self.numeric:
            raise ValueError(f"a {self.op} key has no interval")
        return range_interval(self.op, lo, self.high.value if self.high is not None else None)


@attrs.frozen
class TableRow:
    """`50% to 100% -> 3%`, `"P1" -> 2% | 3%` (a row of a grid) or `70% -> 0%` (a point of a curve)."""

    key: TableKey
    cells: tuple[Number, ...]
    span: Span | None = _span()


@attrs.frozen
class Table:
    """`table NAME`: a rate table defined once and used by several formulas as `NAME(x)` or `NAME(x, y)`.

    One dimension: each row a key and one cell. Two (a grid): `columns` keys the columns, and
    each row has a cell per column; the first argument of a use picks the row, the second the
    column. A table `from "rates.csv"` has its rows and columns in that file (`source`, and
    `sheet` of a workbook); the checker reads them, and its rows' spans point into the file.
    """

    name: str
    label: str | None
    columns: tuple[TableKey, ...]
    rows: tuple[TableRow, ...]
    source: str | None = None
    sheet: str | None = None
    span: Span | None = _span()
    source_span: Span | None = _span()

    @property
    def dimensions(self) -> int:
        return 2 if self.columns else 1

    @property
    def curve(self) -> bool:
        """A table of points is a curve: its value is interpolated between the points."""
        return any(r.key.op == "point" for r in self.rows)


@attrs.frozen
class Curve:
    """`curve attainment` with rows of points (`100% -> 100%`): the value on the straight line between the
    two points around the subject; rows such as `below 70% -> 0%` say what holds outside the points."""

    subject: Expr
    rows: tuple[TableRow, ...]
    span: Span | None = _span()


@attrs.frozen
class TableLookup:
    """`rates(attainment)` or `rates(level, attainment)`: the cell of a named table for these values."""

    table: str
    args: tuple[Expr, ...]
    span: Span | None = _span()
