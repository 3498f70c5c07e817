"""Syntax nodes of line tables: a table of lines (deals, orders), its crediting rule, and the aggregates over it.

Kept apart from nodes.py so that the lines' syntax has one place. A `LineTable` is a
statement; a `LineAggregate` stands in an employee-level formula until the checker
(check_lines.py) turns it into the measure the line stage computes, so the engines
never meet it: they read a measure like an input.
"""

from __future__ import annotations

import attrs

from attain.diagnostics import Span
from attain.dsl import nodes as n

LINE_FUNCTIONS = ("sum", "count", "mean", "min", "max")


def _span():
    return attrs.field(default=None, eq=False, kw_only=True, repr=False)


@attrs.frozen
class SplitRule:
    """`split share per deal, overlay when kind = "overlay"`: rows with the same `per` value are one deal whose
    `share`s add up to 100%, except the rows the overlay condition holds for, which are credit on top."""

    share: str
    per: str
    overlay: n.Expr | None = None
    span: Span | None = _span()


@attrs.frozen
class LineTable:
    """`lines deals "成交明细"`: a table of lines with its own inputs, per-line values and crediting rule."""

    name: str
    label: str | None
    inputs: tuple[n.Input, ...]
    values: tuple[n.Definition, ...]
    split: SplitRule | None = None
    span: Span | None = _span()
    extra_splits: tuple[SplitRule, ...] = attrs.field(default=(), eq=False, kw_only=True, repr=False)


@attrs.frozen
class LineAggregate:
    """`sum(credited of deals where status = "won")`, `count(deals where campaign)`, `max(amount of deals, else 0)`:
    one employee's lines of the period, filtered, added up (or counted, averaged, the least, the most).

    `value` is None for `count`; `otherwise` is what `mean`, `min` and `max` give when no line is kept.
    """

    func: str
    value: n.Expr | None
    table: str
    where: n.Expr | None = None
    otherwise: n.Expr | None = None
    span: Span | None = _span()
    table_span: Span | None = _span()


def _aggregate_children(e: LineAggregate) -> list:
    return [x for x in (e.value, e.where, e.otherwise) if x is not None]


n._CHILDREN[LineAggregate] = _aggregate_children  # walkers (formatter, diff) see inside an aggregate
