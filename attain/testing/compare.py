"""Policy tests, comparing: an expected text against a result value, exactly, and both as a failure shows them.

Numbers compare by value ("10200.00" matches 10200), texts as strings and
booleans as true/false; nothing goes through a float.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from attain.io import format_number
from attain.limits import MAX_DIGITS

_NUMBER = re.compile(r"([-+]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(%?)")
_FRACTION = re.compile(r"([-+]?\d+)\s*/\s*(\d+)")


def _read_number(text: str) -> Fraction | None:
    """The exact number a test file writes: 10200.00, 1,000, 115%, 10/9; None if it is not one."""
    t = text.strip().replace("_", "")
    if sum(ch.isdigit() for ch in t) > MAX_DIGITS:  # as a data cell: no int() of unbounded text
        return None
    m = _FRACTION.fullmatch(t)
    if m:
        den = int(m.group(2))
        return Fraction(int(m.group(1)), den) if den else None
    m = _NUMBER.fullmatch(t)
    if m is None or (m.group(2) is None and m.group(3) is None):
        return None
    whole = (m.group(2) or "0").replace(",", "")
    value = Fraction(Decimal(f"{m.group(1)}{whole}.{m.group(3) or '0'}"))
    return value / 100 if m.group(4) else value


def compare(expected: str | None, got: object) -> tuple[bool, str]:
    """(equal, a note on why they cannot be compared) of an expected text and a result value."""
    if expected is None or expected.strip() == "":
        return got is None or got == "", ""
    if got is None:
        return False, ""
    if isinstance(got, bool):
        word = expected.strip().lower()
        if word not in ("true", "false"):
            return False, " (this value is true or false)"
        return (word == "true") == got, ""
    if isinstance(got, (Decimal, Fraction, int)):
        number = _read_number(expected)
        if number is None:
            return False, f" ({expected!r} is not a number, and this value is one)"
        return Fraction(got) == number, ""
    return str(got) == expected, ""


def show(value: object) -> str:
    """A result value as a failure shows it: numbers as the results write them, texts quoted."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator} (about {format_number(value)})"
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


def show_expected(expected: str | None, got: object) -> str:
    """An expected text as a failure shows it: quoted when the value it is compared with is a text."""
    if expected is None or expected == "":
        return "(empty)"
    if isinstance(got, str):
        return f'"{expected}"'
    return expected
