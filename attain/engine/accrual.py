"""Accumulation over the plan year: which earlier periods `year_to_date(x)` and its kin sum, for every engine.

A plan year starts in the month the header names (`plan year starts April`; January without
the line) and has four plan quarters of three months (April to June is the first). A period
belongs to the plan year (quarter) that holds its first month; a week to the one that holds
its Thursday (as an ISO week belongs to the year of its Thursday); a month of `ending day 25`
to the one of its label (2023-04 runs from 26 March to 25 April and is the first of a plan
year starting April). The checker sees to it that a quarter or a half never straddles two
plan years or quarters. A sum runs over the employee's unbroken run of periods
(`gaps restart` starts a new one; without it a gap is the row's error, E310), so a new
hire's first plan year sums the periods they have.
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

from attain.dsl import nodes as n
from attain.dsl.builtins import ACCRUAL_FUNCTIONS, MONTHS
from attain.engine import trace as t
from attain.engine.dates import PeriodDays
from attain.engine.periods import Period
from attain.engine.wording import describe
from attain.exact import decimal_places
from attain.i18n.messages import say

# Months in each period kind, for the month a period starts in.
MONTHS_IN = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def start_month(header: n.Header) -> int:
    """The month a plan year starts in, 0 for January (the checker allows only a month's English name)."""
    if header.plan_year is None:
        return 0
    return [m.lower() for m in MONTHS].index(header.plan_year.lower())


def first_month(period: Period) -> int:
    """The month holding the period's start (a week's Thursday), counted in months from year 0."""
    if period.kind == "week":
        thursday = datetime.date.fromordinal(period.index * 7 + 4)
        return thursday.year * 12 + thursday.month - 1
    return period.index * MONTHS_IN[period.kind]


def span_key(period: Period, start: int, span: str) -> int:
    """A number the periods of one plan year ("year") or plan quarter ("quarter") share, and no others."""
    return (first_month(period) - start) // (12 if span == "year" else 3)


def is_edge(period: Period, start: int, span: str, edge: int) -> bool:
    """Whether the period is the last (edge 1) or first (edge -1) of its plan year (quarter): the next
    (previous) period is in another."""
    return span_key(period.shift(edge), start, span) != span_key(period, start, span)


def edge_of_days(days: PeriodDays, start: int, months: int, week: int, length: int, edge: int) -> bool:
    """`is_edge` from the period's days, as the compiled plan has them: whether the period's month (a week's
    Thursday's) and the next (edge 1) or the previous (edge -1) period's are in different plan years (months
    12) or quarters (3). `length` is the period's months."""
    if week:
        this = days.first + datetime.timedelta(days=3)
        other = this + datetime.timedelta(days=7 * edge)
        a, b = this.year * 12 + this.month - 1, other.year * 12 + other.month - 1
    else:
        # the period's first month (with `ending day 25`, the month of the label, where the window ends)
        a = days.last.year * 12 + days.last.month - 1 - (length - 1)
        b = a + length * edge
    return (a - start) // months != (b - start) // months


def earlier_indices(period: Period, run_start: int, start: int, span: str) -> list[int]:
    """The indices of the periods before `period` in its plan year (quarter) and in the employee's run."""
    key = span_key(period, start, span)
    out = []
    at = period.index - 1
    while at >= run_start and span_key(Period(period.kind, at), start, span) == key:
        out.append(at)
        at -= 1
    out.reverse()
    return out


def earlier_values(func: str, slot: int, kept: dict, run_start: int, period: Period, start: int):
    """(the kept raw values of the earlier periods, a fact maker) as the runner's history gives them."""
    span = ACCRUAL_FUNCTIONS[func][0]
    values, periods = [], []
    for at in earlier_indices(period, run_start, start, span):
        if at not in kept:  # the row failed there: its error is reported, and the sum stops short
            break
        values.append(kept[at][slot])
        periods.append(at)
    return values, (_accrued_over, period.kind, tuple(periods), span)


def _accrued_over(kind: str, indices: tuple[int, ...], span: str) -> t.AccruedOver:
    return t.AccruedOver(tuple(Period(kind, i) for i in indices), span)


def evaluate(ev: Any, e: n.Call) -> Fraction:
    """The reference evaluator's `year_to_date(x)` (and kin): the earlier periods' values, plus this one's."""
    from attain.engine.evaluate import ABSENT  # the evaluator imports this module: its names are read late

    subject = e.args[0]
    assert isinstance(subject, n.Name), "the checker allows accumulation of a named value only"
    context = ev._context()
    earlier = context.history(e)
    if ABSENT in earlier:
        raise ev._error("E302", say("E302.earlier", whom=ev._whom(), formula=ev._text(e.span), name=subject.id,
                                    fact=describe(context.history_fact(e))), e.span)
    values = [*earlier, ev._eval(subject)] if ACCRUAL_FUNCTIONS[e.func][1] else earlier
    value = sum(values, Fraction(0))
    if ev.observer is not None:  # the periods behind the sum are made only for an explanation
        fact = context.history_fact(e)
        periods = [*(fact.periods if isinstance(fact, t.AccruedOver) else ()), context.period()]
        terms = list(zip(periods, values, strict=False))
        kind = str(ev.model.types.get(subject.id, "number"))
        ev.observer.notice(t.Accrued(ev._text(e.span), value, kind, tuple(terms), _places(ev.model, subject.id)))
    return value


def _places(model: Any, name: str) -> int | None:
    """The places a summed value is rounded to (`round(x, 0.01)`: 2), so its terms show as it does."""
    d = model.definitions.get(name)
    if isinstance(d, n.Definition) and isinstance(d.body, n.Round) and isinstance(d.body.step, n.Number):
        return decimal_places(d.body.step.value)
    return None


def word(ev: Any, e: n.PeriodValue) -> bool:
    """`first_period_of_year`, `last_period_of_quarter` ... for the period the row is computed for."""
    period = ev._context().period()
    assert period is not None, "the data of a policy that reads the period has periods (D415)"
    edge, span = word_parts(e.name)
    value = is_edge(period, start_month(ev.model.policy.header), span, edge)
    if ev.observer is not None:
        month = MONTHS[start_month(ev.model.policy.header)]
        ev.observer.notice(t.PlanPeriod(e.name, value, period, month))
    return value


def word_parts(name: str) -> tuple[int, str]:
    """`last_period_of_year` -> (1, "year"); `first_period_of_quarter` -> (-1, "quarter")."""
    return (1 if name.startswith("last") else -1), name.rsplit("_", 1)[1]
