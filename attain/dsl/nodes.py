"""The policy syntax tree: one frozen class per construct, each keeping its source span.

Spans are excluded from equality so that a formatted policy parses to an equal tree.
Numbers are kept as exact `Fraction`s together with the text the author wrote.
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Protocol

import attrs

from attain.diagnostics import Span
from attain.dsl.builtins import COMBINE as COMBINE
from attain.dsl.builtins import DATE_FUNCTIONS as DATE_FUNCTIONS
from attain.dsl.builtins import GROUP_FUNCTIONS
from attain.dsl.builtins import HISTORY_FUNCTIONS as HISTORY_FUNCTIONS
from attain.dsl.builtins import INPUT_TYPES as INPUT_TYPES
from attain.dsl.dispatch import Dispatch as Dispatch  # a pass's table from node class to handler
from attain.dsl.table_nodes import Curve as Curve  # the rate tables' constructs live in table_nodes
from attain.dsl.table_nodes import Table as Table
from attain.dsl.table_nodes import TableKey as TableKey
from attain.dsl.table_nodes import TableLookup as TableLookup
from attain.dsl.table_nodes import TableRow as TableRow
from attain.dsl.table_nodes import range_interval
from attain.dsl.table_nodes import range_words as range_words


def _span():
    return attrs.field(default=None, eq=False, kw_only=True, repr=False)


class _Spanned(Protocol):
    @property
    def span(self) -> Span | None: ...


def span_of(node: _Spanned) -> Span:
    """The span of a node the parser made: it gives every node one; only a tree built by hand lacks them."""
    if node.span is None:
        raise AssertionError(f"{type(node).__name__} has no span: it was not made by the parser")
    return node.span


# ---------------------------------------------------------------- expressions


@attrs.frozen
class Number:
    """A numeric literal such as `250_000`, `1.5`, `15%` (`percent`) or `¥1_000` (`money`)."""

    value: Fraction
    percent: bool = False
    text: str = attrs.field(default="", eq=False)
    span: Span | None = _span()
    money: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class Text:
    """A quoted text literal, such as a region name or an award."""

    value: str
    span: Span | None = _span()


@attrs.frozen
class Date:
    """A date literal such as `2023-07-01`."""

    value: datetime.date
    span: Span | None = _span()


@attrs.frozen
class PeriodValue:
    """`period_start`, `period_end` or `period_days`: a day (or the number of days) of the period computed."""

    name: str
    span: Span | None = _span()


@attrs.frozen
class Bool:
    """`true` or `false`."""

    value: bool
    span: Span | None = _span()


@attrs.frozen
class Name:
    """A reference to an input or a named value."""

    id: str
    span: Span | None = _span()


@attrs.frozen
class Field:
    """A result carried by a tier, such as `tier.coefficient`."""

    base: Name
    field: str
    span: Span | None = _span()


@attrs.frozen
class Call:
    """A built-in function declared in `builtins.FUNCTIONS`, such as `max(a, b)` or `streak(late = 0)`."""

    func: str
    args: tuple[Expr, ...]
    span: Span | None = _span()


@attrs.frozen
class Round:
    """`round(x, 0.01)` or `round(x, 0.01, half_even)`: x rounded to a multiple of `step`.

    `mode` is the rounding mode as written (None for the default, half up); the
    checker makes sure it is one of `builtins.ROUND_MODES` and that `step` is a
    positive number.
    """

    value: Expr
    step: Expr
    mode: str | None = None
    span: Span | None = _span()
    mode_span: Span | None = _span()


@attrs.frozen
class Unary:
    """Negation (`-x`) or logical `not x`."""

    op: str
    operand: Expr
    span: Span | None = _span()


@attrs.frozen
class Binary:
    """Arithmetic (`+ - * /`), logic (`and`, `or`) or a comparison (`>= > <= < = !=`)."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _span()


@attrs.frozen
class Conditional:
    """`a if condition else b`: only the chosen side is evaluated."""

    then: Expr
    condition: Expr
    otherwise: Expr
    span: Span | None = _span()


@attrs.frozen
class Previous:
    """`previous(x, else v)`: x in the employee's period `back` periods ago, or v before their history starts."""

    value: Expr
    back: int
    otherwise: Expr | None
    span: Span | None = _span()


@attrs.frozen
class Aggregate:
    """`mean(sales within region)`: a value over the employee's group in the same period.

    `group` None means everyone; `except_self` leaves the employee out (their peers).
    Functions: mean, sum, count, min, max, rank (1 = highest; ties share the best
    rank), percentile (the share of the rest of the group below the value).
    `reports` "direct" or "all": over the employee's reports in the org chart
    instead (`within direct reports [of manager]`, `group` the `of` input or None; dsl/org.py).
    """

    func: str
    value: Expr | None
    group: str | None
    except_self: bool = False
    reports: str | None = None
    span: Span | None = _span()


AGGREGATES = tuple(GROUP_FUNCTIONS)

COMPARISONS = (">=", ">", "<=", "<", "=", "!=")
ARITHMETIC = ("+", "-", "*", "/")
LOGIC = ("and", "or")


# ---------------------------------------------------------------- block constructs


@attrs.frozen
class BandRow:
    """One step of a band: `>= 120%`, `100% to 120%` (upper end excluded), `below 80%`, `otherwise`."""

    op: str  # >= > <= < = below above to otherwise, or a range that says its sides (table_nodes.EXPLICIT_RANGES)
    low: Number | None
    high: Number | None
    result: Expr
    span: Span | None = _span()

    def interval(self):
        """(low, low_closed, high, high_closed) with None for an open end; None for `otherwise`."""
        lo = self.low.value if self.low is not None else None
        return range_interval(self.op, lo, self.high.value if self.high is not None else None)

    def contains(self, x) -> bool:
        return interval_contains(self.interval(), x)


def interval_contains(iv, x) -> bool:
    """Whether x lies in (low, low_closed, high, high_closed); None is the whole line."""
    if iv is None:
        return True
    lo, lo_c, hi, hi_c = iv
    if lo is not None and (x < lo or (x == lo and not lo_c)):
        return False
    if hi is not None and (x > hi or (x == hi and not hi_c)):
        return False
    return True


@attrs.frozen
class Band:
    """A step function of one value: the row whose range holds the value gives the result."""

    subject: Expr
    rows: tuple[BandRow, ...]
    span: Span | None = _span()


@attrs.frozen
class LookupRow:
    """`"华东" -> 1.0`, or `else -> 1.0` when `key` is None."""

    key: str | None
    result: Expr
    span: Span | None = _span()


@attrs.frozen
class Lookup:
    """A table keyed by text: the row whose key equals the subject gives the result."""

    subject: Expr
    rows: tuple[LookupRow, ...]
    span: Span | None = _span()


@attrs.frozen
class WeightRow:
    """`attainment_score 40%`: one scored metric and its weight."""

    name: Name
    weight: Number
    span: Span | None = _span()


@attrs.frozen
class Weighted:
    """A weighted scorecard: the sum of each score times its weight; weights add up to 100%."""

    rows: tuple[WeightRow, ...]
    span: Span | None = _span()


@attrs.frozen
class TierResult:
    """`coefficient 2.0` or `award "销售精英"`: a named result carried by a tier."""

    name: str
    value: Expr
    span: Span | None = _span()


@attrs.frozen
class TierRow:
    """`excellent "卓越奖" : condition -> results`; `condition` is None for `otherwise`."""

    name: str
    label: str | None
    condition: Expr | None
    results: tuple[TierResult, ...]
    span: Span | None = _span()


@attrs.frozen
class Tiers:
    """First-match tiers: the first row whose condition holds is the value; rows carry results."""

    rows: tuple[TierRow, ...]
    span: Span | None = _span()


@attrs.frozen
class BracketRow:
    """`up to 120% at 1.5%`, or `above at 2%` when `upto` is None.

    `including` says whether an amount equal to the bound belongs to this bracket: `up to` and
    `up to and including` do (the default), `below` does not. Only a retroactive bracket tells.
    """

    upto: Number | None
    rate: Expr
    span: Span | None = _span()
    including: bool = attrs.field(default=True, kw_only=True)
    words: str = attrs.field(default="up to", kw_only=True)  # as written: up to, up to and including, below


@attrs.frozen
class Brackets:
    """Commission brackets over an amount.

    `marginal`: each part of the amount is paid at its own bracket's rate (progressive).
    `retroactive`: the whole amount is paid at the rate of the highest bracket reached.
    Bounds are amounts, or percents of `base` when the policy says `relative to base`.
    """

    kind: str
    amount: Expr
    base: Expr | None
    rows: tuple[BracketRow, ...]
    span: Span | None = _span()


# ---------------------------------------------------------------- statements


@attrs.frozen
class Input:
    """`input sales : money "实际销售额" in 0 .. 1_000_000 default 0`."""

    name: str
    type: str
    label: str | None = None
    low: Number | None = None
    high: Number | None = None
    choices: tuple[str, ...] = ()
    default: Number | Text | Bool | None = None
    combine: str | None = None  # how rows of a finer period or dated rows roll up: sum, mean, ...
    written: str | None = None  # how a percent's plain numbers are written: "points" (95 is 95%) or "decimals"
    span: Span | None = _span()
    type_span: Span | None = _span()
    written_span: Span | None = _span()

    @property
    def bounds(self) -> tuple[Number, Number] | None:
        """The range `in low .. high`, or None: the parser sets both ends or neither."""
        if self.low is None or self.high is None:
            return None
        return self.low, self.high


@attrs.frozen
class Definition:
    """`name ["label"] = body [unless gate]`; a payout is a definition that is also an output in money; the
    label is the value's readable name for people (headings, statements), never computed."""

    name: str
    body: Expr | Block
    gate: Expr | None = None
    payout: bool = False
    label: str | None = None
    span: Span | None = _span()


@attrs.frozen
class VariantCase:
    """`"regional":` (or `else:`) and the definitions that hold for those values."""

    keys: tuple[str, ...] | None
    definitions: tuple[Definition, ...]
    span: Span | None = _span()


@attrs.frozen
class Variants:
    """`variants by role`: values defined differently for each value of a text input."""

    subject: Name
    cases: tuple[VariantCase, ...]
    span: Span | None = _span()


@attrs.frozen
class Choice:
    """The body the checker makes for a value defined in `variants`: one definition per case."""

    subject: Name
    branches: tuple[tuple[tuple[str, ...] | None, Definition], ...]  # keys (None for `else`) and definition
    cases: tuple[tuple[str, ...] | None, ...] = ()  # the keys of every case of the block, defining this value or not
    span: Span | None = _span()


@attrs.frozen
class FlagDecl:
    """`flag improvement_plan "改进计划" when condition`: a yes/no output."""

    name: str
    label: str | None
    condition: Expr
    span: Span | None = _span()


@attrs.frozen
class Refusal:
    """`refuse "软性指标合计超过20分" when b > 20`: a row where the condition holds is an error, never paid.

    It has no name in the policy; `name` is the key the checker and the engines keep it
    under, which no formula can write (a name cannot hold a space or a quote).
    """

    message: str
    condition: Expr
    span: Span | None = _span()

    @property
    def name(self) -> str:
        return f'refuse "{self.message}"'


@attrs.frozen
class OutputDecl:
    """`output total_score, tier`: values written for every employee."""

    names: tuple[Name, ...]
    span: Span | None = _span()


@attrs.frozen
class Header:
    """The policy's name, version, effective date and period kind."""

    name: str
    version: str | None = None
    effective: str | None = None
    until: str | None = None
    period: str | None = None
    month_ends_on: int | None = None
    gaps: str | None = None
    uses: str | None = None  # a finer policy whose outputs this one reads
    currency: str | None = None  # the one currency the policy pays in (CNY, ¥), as written
    plan_year: str | None = None  # `plan year starts April`: the month, as written (January without the line)
    # `version switch ...`: how a period a version starts or ends within is computed ("on last day",
    # "prorated by days"), and the step prorated money is rounded to (`, rounded to 0.01`), as written.
    switch: str | None = None
    switch_rounding: tuple[str, str] | None = None  # (the words, the step): ("rounded to", "0.01")
    span: Span | None = _span()
    # Every header line after `policy` as (word, span of its value), in order, repeats included:
    # a repeated line keeps the last value above, and the checker reports the repeat.
    lines: tuple[tuple[str, Span], ...] = attrs.field(default=(), eq=False, kw_only=True, repr=False)


@attrs.frozen
class Policy:
    """A whole policy file: its header and its statements in the order written."""

    header: Header
    statements: tuple[Statement, ...]
    file: str = attrs.field(default="<policy>", eq=False)
    source: str = attrs.field(default="", eq=False, repr=False)

    @property
    def inputs(self) -> tuple[Input, ...]:
        return tuple(s for s in self.statements if isinstance(s, Input))

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return tuple(s for s in self.statements if isinstance(s, Definition))

    @property
    def flags(self) -> tuple[FlagDecl, ...]:
        return tuple(s for s in self.statements if isinstance(s, FlagDecl))

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        return tuple(s for s in self.statements if isinstance(s, Refusal))

    @property
    def outputs(self) -> tuple[OutputDecl, ...]:
        return tuple(s for s in self.statements if isinstance(s, OutputDecl))


# ---------------------------------------------------------------- the node classes, named once

# Expressions: what may stand in a formula. Blocks: what may stand right of `name =`.
# Statements: what a policy holds after its header, in the order written.
Expr = (Number | Text | Date | Bool | Name | Field | Call | Round | Unary | Binary | Conditional | Previous | Aggregate
        | TableLookup)
Block = Band | Lookup | Weighted | Tiers | Brackets | Choice | Curve
Statement = Input | Definition | Variants | FlagDecl | Refusal | OutputDecl | Table
EXPRESSIONS = (Number, Text, Date, Bool, Name, Field, Call, Round, Unary, Binary, Conditional, Previous, Aggregate,
               PeriodValue, TableLookup)
BLOCKS = (Band, Lookup, Weighted, Tiers, Brackets, Choice, Curve)
STATEMENTS = (Input, Definition, Variants, FlagDecl, Refusal, OutputDecl, Table)


def _no_children(node) -> list:
    return []


def _choice_children(node: Choice) -> list:
    out: list = [node.subject]
    for _keys, d in node.branches:
        out.append(d.body)
        if d.gate is not None:
            out.append(d.gate)
    return out


def _tier_children(node: Tiers) -> list:
    out: list = []
    for r in node.rows:
        if r.condition is not None:
            out.append(r.condition)
        out.extend(x.value for x in r.results)
    return out


_CHILDREN = {
    Number: _no_children, Text: _no_children, Date: _no_children, Bool: _no_children, Name: _no_children,
    PeriodValue: _no_children,
    Field: lambda e: [e.base],
    Call: lambda e: list(e.args),
    Round: lambda e: [e.value, e.step],
    Unary: lambda e: [e.operand],
    Binary: lambda e: [e.left, e.right],
    Conditional: lambda e: [e.condition, e.then, e.otherwise],
    Previous: lambda e: [e.value, *([e.otherwise] if e.otherwise is not None else [])],
    Aggregate: lambda e: [e.value] if e.value is not None else [],
    Band: lambda e: [e.subject, *(r.result for r in e.rows)],
    Lookup: lambda e: [e.subject, *(r.result for r in e.rows)],
    Weighted: lambda e: [r.name for r in e.rows],
    Tiers: _tier_children,
    Brackets: lambda e: [e.amount, *([e.base] if e.base is not None else []), *(r.rate for r in e.rows)],
    Choice: _choice_children,
    TableLookup: lambda e: list(e.args),
    Curve: lambda e: [e.subject],
}


def formulas(d: Definition | FlagDecl | Refusal) -> list[Expr | Block]:
    """The formulas of a definition: a flag's or a refusal's condition, or a body and its `unless` gate."""
    if isinstance(d, (FlagDecl, Refusal)):
        return [d.condition]
    return [d.body] + ([d.gate] if d.gate is not None else [])


def children(node) -> list:
    """The expression children of an expression or block, in source order (used by walkers)."""
    found = _CHILDREN.get(type(node))
    if found is None:
        raise TypeError(f"children() has no case for {type(node).__name__}")
    return found(node)


def walk(node):
    """Every expression node under `node`, itself first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))
