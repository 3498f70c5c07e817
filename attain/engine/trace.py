"""Explanations' record: the events the reference evaluator reports, and the `Trace` tree built from them.

Data only, so that the evaluator (evaluate.py), the recorder that builds the
tree (attain/explain/recorder.py) and the renderers can all import it without
importing each other. The evaluator reports through one hook,
`Observer.notice(event)`, and only when an observer is given. A note is a
record of what the evaluator saw (the raw values, the policy's text as
written), never a sentence: wording.py words it for people.
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Protocol

import attrs

from attain.diagnostics import Span
from attain.engine.periods import Period


@attrs.frozen
class TierValue:
    """The tier an employee reached, with the results it carries."""

    name: str
    label: str | None
    results: dict = attrs.field(eq=False, hash=False)

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- facts about earlier periods and groups
# The runner's RowContext gives these; the evaluator puts them in notes and in error messages.


@attrs.frozen
class NoPeriod:
    """The period a formula looks back to is not in the employee's history."""

    period: Period


@attrs.frozen
class FromPeriod:
    """The value came from this earlier period."""

    period: Period


@attrs.frozen
class NoEarlierPeriod:
    """The employee has no period before this one."""


@attrs.frozen
class StreakUpTo:
    """The count a streak had reached in the period before."""

    count: int
    period: Period


@attrs.frozen
class RollingOver:
    """The periods a rolling value covers, this one included."""

    first: Period
    last: Period
    periods: int


@attrs.frozen
class AccruedOver:
    """The earlier periods an accumulated value summed (perhaps none), for its explanation."""

    periods: tuple[Period, ...]
    span: str  # "year" or "quarter"


HistoryFact = NoPeriod | FromPeriod | NoEarlierPeriod | StreakUpTo | RollingOver | AccruedOver


@attrs.frozen
class GroupFact:
    """A group value and the group it came from: `mean(sales within level "L1" except self) = 100`."""

    func: str
    value_name: str | None  # what is aggregated; None for count
    column: str | None  # the input that forms the groups; None for everyone
    key: object  # the employee's group (a text, or None for everyone)
    except_self: bool
    kind: str  # how the value shows: "count", "percent", "money", ...
    size: int  # employees in the group
    value: Fraction | None  # None: no one else is in the group


@attrs.frozen
class ReportsFact:
    """A value over reports and whom it came from: `sum(sales within direct reports) = 9,000.00` (engine/org.py)."""

    func: str
    value_name: str | None  # what is aggregated; None for count
    reach: str  # "direct" or "all"
    manager: str  # the employee whose reports these are
    kind: str  # how the value shows: "count", "money", ...
    members: tuple  # (report, level: 1 direct, 2 their reports ..., value or None for count)
    value: Fraction | None  # None: the employee has no reports (mean, min, max)


# ---------------------------------------------------------------- notes: what the evaluator saw while computing a value


@attrs.frozen
class Unless:
    """`... unless condition`: whether the gate held (then nothing is paid)."""

    condition: str
    holds: bool


@attrs.frozen
class Given:
    """`given(name)`: whether the data has the cell."""

    name: str
    given: bool


@attrs.frozen
class Streak:
    """`streak(condition)` this period, and the count it had before."""

    call: str
    count: int
    holds: bool
    before: HistoryFact | None


@attrs.frozen
class Rolling:
    """`rolling_sum(x, n)` and the like: the result and every period's value it combines."""

    call: str
    value: Fraction
    kind: str
    over: HistoryFact | None
    values: tuple[Fraction, ...]


@attrs.frozen
class Previous:
    """`previous(x, else v)` read an earlier period's value."""

    call: str
    value: object
    kind: str
    came: HistoryFact | None


@attrs.frozen
class PreviousElse:
    """`previous(x, else v)` found no earlier period, so it took `v`."""

    call: str
    missing: HistoryFact | None
    value: object
    kind: str


@attrs.frozen
class Variant:
    """The case of a `variants by ...` block the subject's value chose."""

    subject: str
    key: object
    keys: tuple[str, ...] | None  # the case's keys; None for `else`
    line: int
    body: str  # the definition's body as written


@attrs.frozen
class BandRow:
    """A band row tried against the subject's value, in order, until one matched."""

    subject: str
    value: object
    kind: str
    row: str  # the row's range as written
    matched: bool


@attrs.frozen
class LookupRow:
    """The lookup row the key matched."""

    key: str
    row: str


@attrs.frozen
class WeightedRow:
    """One line of a weighted scorecard: score x weight = part."""

    name: str
    score: Fraction
    weight: str  # as written
    part: Fraction


@attrs.frozen
class TierRow:
    """A tier row tried in order, with the values its condition read."""

    name: str
    matched: bool
    condition: str | None  # as written; None for `otherwise`
    read: tuple[tuple[str, object, str], ...]  # (name, value, type) of the names the condition read


@attrs.frozen
class WholeBracket:
    """A retroactive bracket: the whole amount at the rate of the bracket it falls in."""

    amount: Fraction
    kind: str
    row: str
    rate: Fraction


@attrs.frozen
class MarginalBracket:
    """A marginal bracket: the part of the amount between its bounds, at its rate."""

    lower: Fraction
    upper: Fraction | None  # None for `above`
    part: Fraction
    rate: Fraction
    pay: Fraction
    kind: str


@attrs.frozen
class PlanPeriod:
    """`last_period_of_year` and the like: whether the period is at that edge of its plan year (quarter)."""

    word: str
    value: bool
    period: Period
    start: str  # the month the plan year starts in, as written (January without the line)


@attrs.frozen
class PeriodDays:
    """A formula read the period's days: `period_end`, `in_period(d)`, `days_employed(hired, left)`."""

    call: str  # as written
    value: object
    kind: str
    period: Period
    first: datetime.date
    last: datetime.date
    still_employed: bool = False  # the leave date was left empty


@attrs.frozen
class TableCell:
    """The cell of a rate table the values chose (or the row of a curve outside its points)."""

    table: str  # the table's name; "" for a `curve` block
    looked_up: tuple[tuple[str, object, str], ...]  # (what was looked up as written, its value, its kind)
    row: str  # the row's key as written
    column: str | None  # the column's key, for a grid
    value: Fraction
    kind: str
    where: str  # the line of the policy, or the file and cell the table came from


@attrs.frozen
class CurveSegment:
    """A curve's value between two points: y0 + (y1 - y0) × (x - x0) / (x1 - x0)."""

    table: str  # "" for a `curve` block
    subject: str
    x: Fraction
    x_kind: str
    points: tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]  # (x0, y0), (x1, y1)
    value: Fraction
    kind: str
    where: str



@attrs.frozen
class Accrued:
    """`year_to_date(x)` and its kin: each period summed with its value, and the total."""

    call: str
    value: Fraction
    kind: str
    terms: tuple[tuple[Period, Fraction], ...]  # in time order; this period last when it is included
    places: int | None = None  # the summed value's rounding, to show its terms alike


Note = (Unless | Given | Streak | Rolling | Previous | PreviousElse | GroupFact | ReportsFact | Variant | BandRow
        | LookupRow | WeightedRow | TierRow | WholeBracket | MarginalBracket | PeriodDays | TableCell | CurveSegment
        | Accrued | PlanPeriod)


# ---------------------------------------------------------------- events: what the evaluator reports, in order


@attrs.frozen
class Enter:
    """The evaluator starts computing a named value; notes and reads until its `Computed` are its own."""

    name: str


@attrs.frozen
class Read:
    """A named value (input or computed) was used by the value being computed."""

    name: str


@attrs.frozen
class InputUsed:
    """An input's value, from the data or the policy's default, was used for the first time."""

    name: str
    kind: str  # "input" or "default"
    type: str
    value: object
    span: Span | None


@attrs.frozen
class Computed:
    """A named value is done (the one most recently entered and not yet computed)."""

    name: str
    type: str
    value: object
    formula: str  # as written; for a block, its first line
    span: Span | None
    places: int | None  # decimal places its rounding fixed, for display


Event = Enter | Read | InputUsed | Computed | Note


class Observer(Protocol):
    """What the reference evaluator reports to, when it is given one."""

    def notice(self, event: Event) -> None: ...


# ---------------------------------------------------------------- the recorded tree


@attrs.frozen
class Trace:
    """One computed value and how it came about: formula, inputs used and what matched."""

    name: str
    kind: str  # "input", "default" or "value"
    type: str
    value: object
    formula: str = ""
    span: Span | None = None
    notes: tuple[Note, ...] = ()
    children: tuple[Trace, ...] = ()
    source: str = ""  # for an input: the data cell it came from
    places: int | None = None  # decimal places a rounding fixed, for display
