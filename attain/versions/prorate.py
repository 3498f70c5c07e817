"""Versions, prorating: the days of a period and the day-weighted value of an output several versions computed.

`attain.versions` runs a folder with it and `attain.versions.explain` explains a prorated
period with it, so that both give the one value.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from attain.engine.periods import Period, last_day
from attain.exact import round_to_step

ONE_DAY = datetime.timedelta(days=1)


def period_days(period: Period, month_ends_on: int | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a period (a month `ending day 25` runs from the 26th of the month before)."""
    if period.kind == "month" and month_ends_on is not None:
        end = period.first_day().replace(day=month_ends_on)
        return period.shift(-1).first_day().replace(day=month_ends_on) + ONE_DAY, end
    return period.first_day(), last_day(period)


def prorate(kind: str, values: list[tuple[Fraction | None, int]], step: Fraction | None) -> Fraction | None:
    """The mean of the versions' values weighted by their days; None when no version has one.

    `values` holds each version's value (None where it has none) and days. A money output a
    version does not have pays nothing for its days; a percent or number is weighted over the
    versions that have it. Money is rounded half up to `step` when the switch line names one.
    """
    weighted = [(v, d) for v, d in values if v is not None]
    if not weighted:
        return None
    total = sum(d for v, d in values if kind == "money" or v is not None)
    value = sum((v * d for v, d in weighted), Fraction(0)) / total
    return round_to_step(value, step) if kind == "money" and step is not None else value
