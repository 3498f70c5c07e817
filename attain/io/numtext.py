"""Number text for people: every output number as exact decimal text, grouped, or "≈" six places."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any


def format_number(value: Any) -> str:
    """The one text form of an output value; never exponent notation, never via float.

    Decimal keeps its scale (Decimal("1750.00") -> "1750.00"). A Fraction that
    is a finite decimal prints exactly ("1.15"); any other Fraction, such as
    1/3, is rounded half-even to 20 decimal places for display only (the value
    itself stays exact). bool -> "true"/"false", None -> "", text unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    sign, whole, frac = _digits(value)
    return sign + whole + ("." + frac if frac else "")


def format_grouped(value: Any) -> str:
    """Like `format_number`, with thousands separators in the whole part: 1,750.00."""
    if value is None or isinstance(value, (bool, str)):
        return format_number(value)
    sign, whole, frac = _digits(value)
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    return sign + ",".join(groups) + ("." + frac if frac else "")


def approximate(f: Fraction, grouped: bool = True) -> str:
    """A value with no finite decimal, for people: six places, half up, after "≈" (in integers)."""
    q = (abs(f.numerator) * 10**6 * 2 + f.denominator) // (2 * f.denominator)
    whole, frac = divmod(q, 10**6)
    text = format(Decimal(whole), ",f" if grouped else "f") + f".{frac:06d}".rstrip("0").rstrip(".")
    return ("≈-" if f < 0 else "≈") + text


def plural(n: int, word: str) -> str:
    """A count with its noun: "1 value", "2 values"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_DISPLAY_PLACES = 20


def _digits(value: Any) -> tuple[str, str, str]:
    """Split a number into (sign, whole digits, fraction digits) exactly as it will print."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write the non-finite number {value}")
        text = format(value.copy_abs(), "f")
        negative = value.is_signed() and not value.is_zero()  # no "-0.00" on a payslip
    elif isinstance(value, (int, Fraction)):
        value = Fraction(value)
        num, den = abs(value.numerator), value.denominator
        twos, fives = _multiplicity(den, 2), _multiplicity(den, 5)
        if den == 2**twos * 5**fives:
            places = max(twos, fives)
            scaled = num * 10**places // den  # exact: den divides 10**places
        else:
            places = _DISPLAY_PLACES
            scaled = round(Fraction(num * 10**places, den))  # round() on Fraction is half-even
        # A reduced fraction over 2**a * 5**b needs exactly max(a, b) places: no trailing zeros.
        # Through Decimal: any number of digits, where int's own text stops at 4,300.
        text = (str(scaled) if scaled.bit_length() < 10_000 else format(Decimal(scaled), "f")).rjust(places + 1, "0")
        if places:
            text = text[:-places] + "." + text[-places:]
        negative = value < 0 and scaled != 0
    else:
        raise TypeError(f"cannot write a {type(value).__name__} value; use Decimal, Fraction, str, bool or None")
    whole, _, frac = text.partition(".")
    return ("-" if negative else ""), whole, frac


def _multiplicity(n: int, p: int) -> int:
    k = 0
    while n % p == 0:
        n //= p
        k += 1
    return k
