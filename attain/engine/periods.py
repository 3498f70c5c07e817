"""Periods: reading period labels and dates, ordering them, and finding gaps in an employee's history.

A period is a kind (month, quarter, half, year, week) and an index that counts
periods of that kind from year 0, so the previous period is index - 1 and a
gap is a jump of more than one. Labels: `2023-07` (month), `2023Q3` or
`2023-Q3` (quarter), `2023H2` or `2023-H2` (half), `2023` (year), `2023-W32`
(ISO week). A custom month window, such as the 26th of last month to the 25th
of this month, buckets dated rows: a policy says `period month ending day 25`.
"""

from __future__ import annotations

import datetime
import functools
import re

import attrs

from attain.i18n.messages import say

KINDS = ("month", "quarter", "half", "year", "week")

_PATTERNS = {
    "month": re.compile(r"(\d{4})-(\d{1,2})"),
    "quarter": re.compile(r"(\d{4})-?[Qq]([1-4])"),
    "half": re.compile(r"(\d{4})-?[Hh]([12])"),
    "year": re.compile(r"(\d{4})"),
    "week": re.compile(r"(\d{4})-?[Ww](\d{1,2})"),
}
_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}


@attrs.frozen(order=True)
class Period:
    """One period of a kind, ordered by time."""

    kind: str = attrs.field(order=False)
    index: int

    @property
    def label(self) -> str:
        return _label(self.kind, self.index)

    def _label(self) -> str:
        if self.kind == "week":
            monday = datetime.date.fromordinal(self.index * 7 + 1)
            year, week, _ = monday.isocalendar()
            return f"{year}-W{week:02d}"
        year, part = divmod(self.index, _PER_YEAR[self.kind])
        return {
            "month": f"{year}-{part + 1:02d}",
            "quarter": f"{year}Q{part + 1}",
            "half": f"{year}H{part + 1}",
            "year": f"{year}",
        }[self.kind]

    def __str__(self) -> str:
        return self.label

    def shift(self, n: int) -> Period:
        return Period(self.kind, self.index + n)

    def contains(self, other: Period) -> bool:
        """Whether a finer period (a month) lies inside this coarser one (its quarter)."""
        return coarsen(other, self.kind) == self

    def first_day(self) -> datetime.date:
        if self.kind == "week":
            return datetime.date.fromordinal(self.index * 7 + 1)
        year, part = divmod(self.index, _PER_YEAR[self.kind])
        return datetime.date(year, part * (12 // _PER_YEAR[self.kind]) + 1, 1)


@functools.lru_cache(maxsize=4096)
def _label(kind: str, index: int) -> str:
    return Period._label(Period(kind, index))


def last_day(period: Period) -> datetime.date:
    return period.shift(1).first_day() - datetime.timedelta(days=1)


def parse_period(kind: str, text: str) -> Period | None:
    """A label of `kind` as a Period, or None when it is not one."""
    m = _PATTERNS[kind].fullmatch(text.strip())
    if m is None:
        return None
    year = int(m.group(1))
    if not 1 <= year <= 9998:
        return None  # dates from year 1 to 9999 only; the last year's successor must exist too
    if kind == "year":
        return Period(kind, year)
    part = int(m.group(2))
    if kind == "week":
        try:
            monday = datetime.date.fromisocalendar(year, part, 1)
        except ValueError:
            return None
        return Period(kind, (monday.toordinal() - 1) // 7)
    if not 1 <= part <= _PER_YEAR[kind]:
        return None
    return Period(kind, year * _PER_YEAR[kind] + part - 1)


def expected_label(kind: str) -> str:
    """What a period cell of `kind` holds, for messages: "a month such as 2023-07"."""
    if kind not in ("month", "quarter", "half", "year", "week"):
        raise KeyError(kind)
    return say(f"period.{kind}")


def period_of_date(kind: str, day: datetime.date, month_ends_on: int | None = None) -> Period:
    """The period a dated row belongs to; with `month_ends_on` 25, the 26th starts the next month."""
    if kind == "week":
        return Period(kind, (day.toordinal() - 1) // 7)
    if month_ends_on is not None and day.day > month_ends_on:
        # The window closing on the 25th of next month holds this day.
        day = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    month = Period("month", day.year * 12 + day.month - 1)
    return coarsen(month, kind)


def coarsen(period: Period, kind: str) -> Period:
    """The period of a coarser kind that holds `period` (a month's quarter, half or year)."""
    if period.kind == kind:
        return period
    if period.kind == "week":
        return period_of_date(kind, period.first_day() + datetime.timedelta(days=3))
    year, part = divmod(period.index, _PER_YEAR[period.kind])
    months_per_part = 12 // _PER_YEAR[period.kind]
    month0 = part * months_per_part
    per = _PER_YEAR[kind]
    return Period(kind, year * per + month0 // (12 // per))
