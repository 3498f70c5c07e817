"""Cells: one cell's text -> an exact value of the kind its column declares (money, percent, date, ...)."""

from __future__ import annotations

import datetime
import re
from fractions import Fraction
from typing import Any

from attain.i18n.messages import joined, say
from attain.limits import MAX_DIGITS


class CellError(Exception):
    """A cell's text is not a valid value of its declared kind; `expected` says what would be."""

    code = "D413"  # the diagnostic a bad cell is reported with

    def __init__(self, expected: str):
        super().__init__(f"expected {expected}")
        self.expected = expected


# Thousands separators only in well-formed groups: "500,000.50" yes, "12,3" no.
# ASCII digits only, and no exponents: data is written the way people write money.
_NUMBER = re.compile(r"([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", re.ASCII)
# Money may carry a currency sign before or after the number, with or without spaces, and one minus
# (or plus) sign: before the currency sign or after it (-¥12, ¥-12, ¥ -12), or before the number (-12 €).
CURRENCY_SIGNS = "¥￥$€£"
_SIGN_FIRST = re.compile(r"([-+]?)([¥￥$€£])\s*([-+]?)(.*)", re.DOTALL)
_SIGN_LAST = re.compile(r"(.*?)\s*([¥￥$€£])", re.DOTALL)
_PERCENT = re.compile(r"(.*?)\s*[%％]", re.DOTALL)
# Dates are written year first: 2023-07-01, 2023-7-1, 2023/7/1, 2023.7.1 (one separator throughout), 2023年7月1日.
_DATE = re.compile(r"(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日)", re.ASCII)
# Day and month first, year last (07/01/2023, 1.7.2023): July 1 in one country, January 7 in the next.
_YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})", re.ASCII)

_TRUE = frozenset({"true", "yes", "1", "是"})
_FALSE = frozenset({"false", "no", "0", "否"})

# What a cell of each kind must hold, as the message says it (`expected ...`).
_EXPECTED = {kind: say(f"cell.{kind}") for kind in ("money", "number", "count", "percent", "bool", "date")}
DATE_EXPECTED = _EXPECTED["date"]


def shown(text: str, keep: int = 60) -> str:
    """A cell's text for a message: a very long one cut in the middle, so that an error stays one line."""
    if len(text) <= keep:
        return text
    return say("cell.cut", head=text[: keep // 2], tail=text[-(keep // 4) :], n=f"{len(text):,}")


def _number(text: str) -> Fraction | None:
    m = _NUMBER.fullmatch(text)
    if m is None:
        return None
    sign, whole, frac = m.groups()
    frac = frac or ""
    digits = whole.replace(",", "") + frac
    if len(digits) > MAX_DIGITS:
        raise CellError(say("cell.digits", n=MAX_DIGITS))
    value = Fraction(int(digits), 10 ** len(frac))
    return -value if sign == "-" else value


def parse_cell(kind: str, text: str) -> Any:
    """Convert one cell's text to a value of `kind`; raise `CellError` when it is not one.

    money/number/count/percent give `Fraction`, bool gives `bool`, date gives
    `datetime.date` (written year first: 2023-07-01, 2023/7/1, 2023.7.1 or
    2023年7月1日; never 07/01/2023, which is July 1 or January 7 depending on
    who wrote it), text gives the text unchanged. Numbers are decimal with
    optional well-formed thousands commas; money may carry a currency sign
    (¥ ￥ $ € £) before or after the number (see `money_cell`); a percent is "95%" or a bare fraction of one ("0.95").
    """
    if kind == "text":
        return text
    if kind not in _EXPECTED:
        raise ValueError(f"unknown cell kind {kind!r}")
    text = text.strip()
    value: Any = None
    if kind == "number" or kind == "count":
        value = _number(text)
        if kind == "count" and value is not None and (value.denominator != 1 or value < 0):
            value = None
    elif kind == "money":
        value = money_cell(text)[0]
    elif kind == "percent":
        m = _PERCENT.fullmatch(text)
        value = _number(m.group(1) if m else text)
        if value is not None and m:
            value /= 100
    elif kind == "bool":
        folded = text.lower()
        value = True if folded in _TRUE else False if folded in _FALSE else None
    elif kind == "date":
        value = _date(text)
    if value is None:
        raise CellError(_EXPECTED[kind])
    return value


def money_cell(text: str) -> tuple[Fraction | None, str | None]:
    """A money cell's (value, currency sign): "-¥1,200.50" -> (-1200.5, "¥"); (None, None) when it is no amount.

    The sign (¥ ￥ $ € £) comes before the number (¥12, ¥ 12, -¥12, ¥-12, ¥ -12) or after it
    (12€, 12 €, -12 €); the amount has one minus or plus sign at most.
    """
    text = text.strip()
    first = _SIGN_FIRST.fullmatch(text)
    if first is not None:
        before, sign, after, number = first.groups()
        if (before and after) or number[:1] in ("+", "-"):
            return None, None
        value = _number(before + after + number)
        return (value, sign) if value is not None else (None, None)
    last = _SIGN_LAST.fullmatch(text)
    if last is not None:
        value = _number(last.group(1))
        return (value, last.group(2)) if value is not None else (None, None)
    return _number(text), None


def _date(text: str) -> datetime.date | None:
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    year, _sep, month, day, zh_month, zh_day = m.groups()
    try:
        return datetime.date(int(year), int(month or zh_month), int(day or zh_day))
    except ValueError:  # 2023-02-30
        return None


def date_hint(text: str | None) -> str:
    """A hint for a date written year last (07/01/2023): which readings it has, and how to write it."""
    m = _YEAR_LAST.fullmatch((text or "").strip())
    if m is None:
        return ""
    first, second, year = int(m[1]), int(m[3]), m[4]
    readings = []
    for day, month in ((second, first), (first, second)):  # month first (US), then day first
        try:
            readings.append(datetime.date(int(year), month, day))
        except ValueError:
            continue
    readings = list(dict.fromkeys(readings))
    said = joined((say("date.day", day=d.day, month=say(f"month.{d.month}")) for d in readings), "or")
    iso = joined((d.isoformat() for d in readings), "or")
    if len(readings) > 1:
        return say("date.could_be", text=m[0], readings=said, year=year, iso=iso)
    if readings:
        return say("date.year_first", iso=iso)
    return say("date.year_first", iso="YYYY-MM-DD")
