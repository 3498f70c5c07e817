"""Which numbers SQL can print exactly (docs/design/sql-engine.md §4); the rest are printed by Python."""

from __future__ import annotations

from fractions import Fraction

from attain.sql.text import HUGE_MAX

_Q_MAX = HUGE_MAX // 10**10


def _twos_fives_only(q: int) -> bool:
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def printable(n: int, d: int, fixed: bool = False) -> bool:
    """Whether SQL can print n/d (design §4): else the row is Python's, and the builder must give NULL.

    A static den that divides a power of ten scales |n| by a constant, which must fit HUGEINT.
    """
    if fixed and _twos_fives_only(d):
        digits = max(_multiplicity(d, 2), _multiplicity(d, 5))
        return abs(n) * (10**digits // d) <= HUGE_MAX
    if n < -HUGE_MAX:
        return False
    q = Fraction(n, d).denominator
    if 10**38 % q == 0:
        return True
    return not _twos_fives_only(q) and q <= _Q_MAX


def _multiplicity(n: int, p: int) -> int:
    k = 0
    while n % p == 0:
        n //= p
        k += 1
    return k
