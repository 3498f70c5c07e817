"""Dates: the calendar arithmetic behind the language's date words, one definition for every engine.

Days are whole calendar days. A stretch "from A to B" includes both days (hired on
10 July and still employed on 31 July: 22 days); a difference of two dates does not
(31 July is 21 days after 10 July). A month of a period is a calendar month, or, with
`period month ending day 25`, the window from the 26th of the month before to the 25th.
The reference evaluator and the compiled plan both call these functions, so they
cannot disagree on a calendar rule; what they cannot compute raises `DateError`.
"""

from __future__ import annotations

import datetime
from calendar import monthrange
from typing import NamedTuple

from attain.engine.periods import Period, last_day
from attain.i18n.messages import say

ONE_DAY = datetime.timedelta(days=1)


class DateError(ValueError):
    """A date moved off the calendar or by part of a day (E330), or a leave date before the hire date (E331)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message  # a catalogue text, said in the language asked for


class PeriodDays(NamedTuple):
    """The days of one period: its first and last day, how many, and its months (first, last day of each)."""

    first: datetime.date
    last: datetime.date
    days: int
    months: tuple[tuple[datetime.date, datetime.date], ...]


def period_days(period: Period, month_ends_on: int | None = None) -> PeriodDays:
    """The days of `period`; with `month_ends_on` 25 a month runs from the 26th of the month before to the 25th."""
    if period.kind == "month" and month_ends_on is not None:
        last = period.first_day().replace(day=month_ends_on)
        first = period.shift(-1).first_day().replace(day=month_ends_on) + ONE_DAY
        return PeriodDays(first, last, (last - first).days + 1, ((first, last),))
    first, last = period.first_day(), last_day(period)
    months = []
    if period.kind != "week":  # a week holds no whole month (the checker refuses months_employed there)
        month = Period("month", first.year * 12 + first.month - 1)
        while month.first_day() <= last:
            months.append((month.first_day(), last_day(month)))
            month = month.shift(1)
    return PeriodDays(first, last, (last - first).days + 1, tuple(months))


def shift(day: datetime.date, numerator: int, denominator: int) -> datetime.date:
    """`day` moved by numerator/denominator days (forward when positive): whole days only."""
    if numerator % denominator:
        raise DateError("E330", say("E330.part", part=f"{numerator}/{denominator}"))
    try:
        return day + datetime.timedelta(days=numerator // denominator)
    except OverflowError:
        raise DateError("E330", say("E330.calendar")) from None


def days_between(a: datetime.date, b: datetime.date) -> int:
    """The days from a to b: 31 July is 21 days after 10 July; negative when b is earlier."""
    return (b - a).days


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; a day the shorter month lacks becomes its last day (31 Jan + 1 = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def months_between(a: datetime.date, b: datetime.date) -> int:
    """Whole calendar months from a to b: 10 January to 9 April is 2, to 10 April 3; negative when b is earlier."""
    if b < a:
        return -months_between(b, a)
    months = (b.year - a.year) * 12 + b.month - a.month
    if months and _add_months(a, months) > b:
        months -= 1
    return months


def in_period(day: datetime.date, p: PeriodDays) -> bool:
    return p.first <= day <= p.last


def employed(hired: datetime.date, left: datetime.date | None, first: datetime.date,
             last: datetime.date) -> int:
    """Days from `first` to `last` (both included) on which someone hired on `hired` and leaving on `left`
    (the last day worked; None: still employed) was employed."""
    start = max(hired, first)
    end = last if left is None else min(left, last)
    return max(0, (end - start).days + 1)


def days_employed(p: PeriodDays, hired: datetime.date, left: datetime.date | None) -> int:
    """Days of the period employed, hire and leave dates included."""
    check_order(hired, left)
    return employed(hired, left, p.first, p.last)


def months_employed(p: PeriodDays, hired: datetime.date, left: datetime.date | None) -> int:
    """Months of the period employed on every one of their days."""
    check_order(hired, left)
    return sum(1 for first, last in p.months if employed(hired, left, first, last) == (last - first).days + 1)


def check_order(hired: datetime.date, left: datetime.date | None) -> None:
    if left is not None and left < hired:
        raise DateError("E331", say("E331", left=left, hired=hired))
