"""Cells: one cell's text -> an exact value of the kind its column declares (money, percent, date, ...)."""

from __future__ import annotations

import datetime
import re
from fractions import Fraction
from typing import Any

from attain.limits import MAX_DIGITS


class CellError(Exception):
    """A cell's text is not a valid value of its declared kind; `expected` says what would be."""

    def __init__(self, expected: str):
        super().__init__(f"expected {expected}")
        self.expected = expected


# Thousands separators only in well-formed groups: "500,000.50" yes, "12,3" no.
# ASCII digits only, and no exponents: data is written the way people write money.
_NUMBER = re.compile(r"([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", re.ASCII)
_CURRENCY = re.compile(r"([-+]?)[¥￥$]\s*(.*)", re.DOTALL)
_PERCENT = re.compile(r"(.*?)\s*[%％]", re.DOTALL)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TRUE = frozenset({"true", "yes", "1", "是"})
_FALSE = frozenset({"false", "no", "0", "否"})

_EXPECTED = {
    "money": "money",
    "number": "number",
    "count": "count (a whole number, 0 or more)",
    "percent": "percent (such as 95% or 0.95)",
    "bool": "true or false (true/false, yes/no, 1/0, 是/否)",
    "date": "date (YYYY-MM-DD)",
}


def _number(text: str) -> Fraction | None:
    m = _NUMBER.fullmatch(text)
    if m is None:
        return None
    sign, whole, frac = m.groups()
    frac = frac or ""
    digits = whole.replace(",", "") + frac
    if len(digits) > MAX_DIGITS:
        raise CellError(f"a number of at most {MAX_DIGITS} digits")
    value = Fraction(int(digits), 10 ** len(frac))
    return -value if sign == "-" else value


def parse_cell(kind: str, text: str) -> Any:
    """Convert one cell's text to a value of `kind`; raise `CellError` when it is not one.

    money/number/count/percent give `Fraction`, bool gives `bool`, date gives
    `datetime.date`, text gives the text unchanged. Numbers are decimal with
    optional well-formed thousands commas; money may start with ¥, ￥ or $;
    a percent is "95%" or a bare fraction of one ("0.95").
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
        m = _CURRENCY.fullmatch(text)
        if m is None:
            value = _number(text)
        elif not (m.group(1) and m.group(2)[:1] in ("+", "-")):  # one sign at most: "-¥12" or "¥-12"
            value = _number(m.group(1) + m.group(2))
    elif kind == "percent":
        m = _PERCENT.fullmatch(text)
        value = _number(m.group(1) if m else text)
        if value is not None and m:
            value /= 100
    elif kind == "bool":
        folded = text.lower()
        value = True if folded in _TRUE else False if folded in _FALSE else None
    elif kind == "date" and _DATE.fullmatch(text):
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            value = None
    if value is None:
        raise CellError(_EXPECTED[kind])
    return value
