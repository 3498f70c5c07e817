"""Exact rational arithmetic below every engine: rounding with a named mode, and exact decimal output.

Numbers are exact rationals throughout. A result is shown as an exact decimal
when it has one (every value the policy rounds does); a value with no finite
decimal form (1/3) stays a Fraction and is shown to 20 places for display only.
"""

from __future__ import annotations

import contextlib
import gc
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from fractions import Fraction
from math import gcd

ROUND_MODES = ("half_up", "half_even", "half_down", "down", "up", "floor", "ceiling")


def round_ratio(p: int, q: int, mode: str) -> int:
    """The integer nearest p/q (q > 0) under `mode`; half_up means ties away from zero (四舍五入)."""
    fl, rem = divmod(p, q)  # p = fl*q + rem, 0 <= rem < q, fl = floor(p/q)
    if rem == 0:
        return fl
    if mode == "floor":
        return fl
    if mode == "ceiling":
        return fl + 1
    negative = p < 0
    if mode == "down":
        return fl + 1 if negative else fl
    if mode == "up":
        return fl if negative else fl + 1
    twice = 2 * rem
    if twice < q:
        return fl
    if twice > q:
        return fl + 1
    # An exact tie between fl and fl + 1.
    if mode == "half_up":
        return fl if negative else fl + 1
    if mode == "half_down":
        return fl + 1 if negative else fl
    if mode == "half_even":
        return fl if fl % 2 == 0 else fl + 1
    raise ValueError(f"unknown rounding mode {mode!r}")


def round_to_step(x: Fraction, step: Fraction, mode: str = "half_up") -> Fraction:
    q = x / step
    return round_ratio(q.numerator, q.denominator, mode) * step


def decimal_places(step: Fraction) -> int | None:
    """How many decimal places a rounding step shows (0.01 -> 2, 5 -> 0); None if it has no finite decimal."""
    d = step.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return max(twos, fives) if d == 1 else None


def sum_pairs(pairs) -> tuple[int, int]:
    """The exact sum of (num, den) pairs as a reduced pair, in integers (no Fraction per term)."""
    total_n, total_d = 0, 1
    for n, d in pairs:
        if d == total_d:
            total_n += n
        else:
            total_n, total_d = total_n * d + n * total_d, total_d * d
            if total_d > 10**30:
                g = gcd(total_n, total_d)
                total_n, total_d = total_n // g, total_d // g
    g = gcd(total_n, total_d)
    return total_n // g, total_d // g


def rolling(func: str, earlier: list, num: int, den: int) -> tuple[int, int]:
    """rolling_sum/mean/min/max over earlier periods' (num, den) pairs and this period's num/den."""
    values = [*earlier, (num, den)]
    if func in ("rolling_sum", "rolling_mean"):
        n, d = sum_pairs(values)
        return (n, d) if func == "rolling_sum" else (n, d * len(values))
    best = values[0]
    for n, d in values[1:]:
        # Denominators are positive, so comparing cross products compares the fractions.
        if (n * best[1] < best[0] * d) == (func == "rolling_min") and n * best[1] != best[0] * d:
            best = (n, d)
    return best


EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@contextlib.contextmanager
def gc_paused():
    """Pause the cycle collector while a batch allocates many small acyclic objects.

    Evaluation builds millions of tuples and never a reference cycle, so reference
    counting frees everything; the collector would only rescan live rows (a third
    of run time at 100,000 rows).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_SCALES: dict = {}  # reduced denominator -> (decimal places, multiplier), or None with no finite decimal


def _scale(den: int):
    found = _SCALES.get(den, False)
    if found is not False:
        return found
    if den < 10**60 and pow(10, 60, den):
        return None  # no power of ten is a multiple of den: a 3 (or 7, 11...) is in it
    d, twos, fives = den, 0, 0
    while not d & 1:
        d >>= 1
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        found = None
    else:
        k = max(twos, fives)
        found = (k, 10**k // den)
    if len(_SCALES) < 4096:
        _SCALES[den] = found
    return found


def to_decimal(num: int, den: int, places: int | None = None):
    """num/den exactly: a Decimal when it has a finite decimal form (with at least `places`), else a Fraction."""
    g = gcd(num, den)
    if g != 1:
        num //= g
        den //= g
    if den == 1:
        if not places:
            return Decimal(num)
        return EXACT.scaleb(Decimal(num * 10**places), -places)
    scale = _scale(den)
    if scale is None:
        return Fraction(num, den)
    k, multiplier = scale
    if places is not None and places > k:
        multiplier *= 10 ** (places - k)
        k = places
    return EXACT.scaleb(Decimal(num * multiplier), -k)
