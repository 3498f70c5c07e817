"""Exact decimal text in SQL: an output number's text, byte for byte what the CSV writer prints for it.

The compiled query gives a number as an integer numerator over a denominator
(a static one, or a column; see `attain.sql.shapes`). The CSV writer prints
`format_number(to_decimal(num, den, places))`: a finite decimal with all its
digits (at least `places` of them), any other value half-even to 20 places, no
"-0". These builders give the same text as DuckDB expressions over HUGEINT, in
integers and string functions only (never DOUBLE, never DECIMAL division):

- `fixed_text`: a static denominator. When it divides a power of ten the text
  is the digits of |num| times a constant, cut into whole and fraction by
  position: no division at all (the common case, every rounded payout).
- `pair_text`: numerator and denominator columns, reduced by gcd (through
  BIGINT when both fit), then the whole part, and the fraction either exactly
  (the reduced denominator divides 10^38) or by long division to 21 digits in
  two chunks of ten, rounded half-even. Given bounds that keep every step in
  BIGINT (|num| < 2^63, den <= 9.2 * 10^10; the duckdb engine's, from the data),
  the same text by BIGINT long division in chunks of eight digits.

What 38 digits cannot print gives NULL, and the caller has Python print that
row: a finite decimal of more than 38 places (a denominator with 2^39 or 5^39),
a value whose reduced denominator is 1.7e28 or more and is no finite decimal,
or a product beyond HUGEINT. A NULL numerator gives NULL too (an empty cell);
callers tell the two apart by the numerator. See docs/design/sql-engine.md §4.

Each builder returns a `Staged`: columns computed in successive SELECTs (each
stage reads the one before), then the text over the last. `staged_select` puts
several together over one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import attrs

from attain.exact import decimal_places

HUGE_MAX = 2**127 - 1
_I64 = 2**63 - 1
_TEN38 = 10**38
# Long division in chunks of ten digits: r * 10^10 must fit for every remainder r < Q.
_CHUNK = 10**10
_Q_MAX = HUGE_MAX // _CHUNK
_DISPLAY_PLACES = 20  # a value with no finite decimal prints this many places (attain.io.numtext)
# BIGINT long division in chunks of eight digits (8 + 8 + 4 = 20 places): r * 10^8 fits for every r < den.
_SMALL_CHUNK = 10**8
_SMALL_DEN = _I64 // _SMALL_CHUNK
_TWO62, _FIVE27 = 2**62, 5**27  # the largest powers of 2 and 5 in BIGINT


def lit(n: int) -> str:
    """An integer literal: HUGEINT when it is large, so DuckDB never types it BIGNUM or DOUBLE."""
    return str(n) if -(2**31) < n < 2**31 else f"CAST({n} AS HUGEINT)"


@attrs.frozen
class Staged:
    """An expression built over stages of helper columns: stages[i] are (alias, expression) over stage i-1."""

    stages: tuple[tuple[tuple[str, str], ...], ...]
    text: str  # over the columns of every stage


def _div(a: str, b: str) -> str:
    """a // b for a >= 0 and b > 0, through BIGINT when both fit: HUGEINT division is 15x slower."""
    return (f"CASE WHEN {a} <= {_I64} AND {b} <= {_I64} THEN CAST(CAST({a} AS BIGINT) // CAST({b} AS BIGINT) "
            f"AS HUGEINT) ELSE {a} // {b} END")


def _gcd(a: str, b: str) -> str:
    return (f"CASE WHEN {a} <= {_I64} AND {b} <= {_I64} THEN CAST(gcd(CAST({a} AS BIGINT), CAST({b} AS BIGINT)) "
            f"AS HUGEINT) ELSE gcd({a}, {b}) END")


def _places_of(den: int) -> int | None:
    """The places of 1/den when den divides a power of ten (max of its twos and fives), else None."""
    return decimal_places(Fraction(1, den))


def _join(sign: str, whole: str, frac: str) -> str:
    """sign || whole || ('.' || frac when frac is not empty)."""
    return f"{sign} || {whole} || CASE WHEN {frac} = '' THEN '' ELSE '.' || {frac} END"


def fixed_text(num: str, den: int, places: int | None, name: str) -> Staged:
    """The text of num/den for a static den > 0 (num a HUGEINT column); `name` makes the helper columns unique."""
    if den <= 0:
        raise ValueError(f"a denominator must be positive, not {den}")
    digits = _places_of(den)
    if digits is None:
        return pair_text(num, lit(den), places, name)
    mult = 10**digits // den  # |num| * mult is |value| * 10^digits, exactly
    s, t = f"__{name}_s", f"__{name}_t"
    bound = HUGE_MAX // mult
    scaled = f"abs({num})" if mult == 1 else f"abs({num}) * {lit(mult)}"
    stage1 = ((s, f"CASE WHEN {num} BETWEEN {lit(-bound)} AND {lit(bound)} THEN {scaled} END"),)
    # lpad cuts a longer string, so the width is never below the string's own.
    stage2 = ((t, f"lpad(CAST({s} AS VARCHAR), CAST(greatest(length(CAST({s} AS VARCHAR)), {digits + 1}) "
                  "AS INTEGER), '0')"),)
    sign = f"CASE WHEN {num} < 0 THEN '-' ELSE '' END"  # s = 0 only when num = 0: never "-0"
    whole = f"left({t}, length({t}) - {digits})" if digits else t
    if places is not None and places >= digits:
        # Every row prints exactly `places` places: the digits, then zeros (no multiplication, no overflow).
        zeros = f" || '{'0' * (places - digits)}'" if places > digits else ""
        frac = f"right({t}, {digits}){zeros}" if digits else f"'{'0' * places}'"
        text = f"{sign} || {whole}" + (f" || '.' || {frac}" if places else "")
    else:
        text = _join(sign, whole, _padded(f"rtrim(right({t}, {digits}), '0')", places))
    return Staged((stage1, stage2), f"CASE WHEN {s} IS NULL THEN NULL ELSE {text} END")


def _padded(frac: str, places: int | None) -> str:
    """A trimmed fraction padded with zeros to at least `places` digits."""
    if not places:
        return frac
    return f"rpad({frac}, CAST(greatest({places}, length({frac})) AS INTEGER), '0')"


def pair_text(num: str, den: str, places: int | None, name: str, bounds: tuple[int | None, int | None] = (None, None)
              ) -> Staged:
    """The text of num/den for HUGEINT columns (den > 0, not necessarily reduced).

    `bounds`: proved bounds on |num| and den wherever they are not NULL (None: unknown). Where they keep
    every step in BIGINT (|num| < 2^63, den < 9.2 * 10^10), the text is built without HUGEINT division
    (`_small_pair_text`), about five times faster; the text is the same."""
    if bounds[0] is not None and bounds[1] is not None and bounds[0] <= _I64 and bounds[1] <= _SMALL_DEN:
        return _small_pair_text(num, den, places, name)
    a, g, p, q, w, r, fin, long_, f38, d1, r1, d2, r2, f20 = (
        f"__{name}_{k}" for k in ("a", "g", "p", "q", "w", "r", "fin", "long", "f38", "d1", "r1", "d2", "r2", "f20"))
    ten = lit(_CHUNK)
    stages: list[tuple[tuple[str, str], ...]] = [
        # abs() of the smallest HUGEINT overflows; such a row is Python's.
        ((a, f"CASE WHEN {num} >= {lit(-HUGE_MAX)} AND {den} > 0 THEN abs({num}) END"),),
        ((g, _gcd(a, den)),),
        ((p, _div(a, g)), (q, _div(den, g))),
        ((w, _div(p, q)),),
        ((r, f"{p} - {w} * {q}"),
         (fin, f"{lit(_TEN38)} % {q} = 0"),
         # Q = 2^x * 5^y (its factors of 2 and of 5 multiply back to Q) beyond 38 places: finite but too long.
         # The least such Q is 2^39: below it no row pays for the two HUGEINT gcds.
         (long_, f"CASE WHEN {lit(_TEN38)} % {q} = 0 OR {q} < {lit(2**39)} THEN false "
                 f"ELSE gcd({q}, {lit(2**126)}) * gcd({q}, {lit(5**54)}) = {q} END")),
        ((f38, f"CASE WHEN {fin} THEN {r} * ({lit(_TEN38)} // {q}) END"),
         (d1, f"CASE WHEN NOT {fin} AND NOT {long_} AND {q} <= {lit(_Q_MAX)} THEN ({r} * {ten}) // {q} END")),
        ((r1, f"CASE WHEN {d1} IS NOT NULL THEN {r} * {ten} - {d1} * {q} END"),),
        ((d2, f"({r1} * {ten}) // {q}"),),
        ((r2, f"{r1} * {ten} - {d2} * {q}"),),
        # Half-even at the 20th place: the last digit's parity is d2's.
        ((f20, f"{d1} * {ten} + {d2} + CASE WHEN {r2} > {q} - {r2} OR ({r2} = {q} - {r2} AND {d2} % 2 = 1) "
               "THEN 1 ELSE 0 END"),),
    ]
    exact_frac = _padded(f"rtrim(lpad(CAST({f38} AS VARCHAR), 38, '0'), '0')", places)
    exact = _join(f"CASE WHEN {num} < 0 AND {p} <> 0 THEN '-' ELSE '' END", f"CAST({w} AS VARCHAR)", exact_frac)
    return Staged(tuple(stages), _text(num, a, w, fin, exact, f20, f"WHEN {f20} IS NULL THEN NULL "))


def _small_pair_text(num: str, den: str, places: int | None, name: str) -> Staged:
    """`pair_text` where |num| < 2^63 and 0 < den <= _SMALL_DEN: every step in BIGINT but the digits of a finite
    fraction of more than 18 places (a HUGEINT product, on those rows only). Nothing is too long to print: a
    finite fraction needs at most 37 places (2^36 < den), and den is far below 1.7e28."""
    a, d, g, p, q, w, r, five, fin, fin18, frac, d1, r1, d2, r2, d3, r3, f20 = (
        f"__{name}_{k}" for k in ("a", "d", "g", "p", "q", "w", "r", "five", "fin", "fin18", "frac", "d1", "r1",
                                  "d2", "r2", "d3", "r3", "f20"))
    chunk = str(_SMALL_CHUNK)
    # The finite fraction's digits, trailing zeros dropped (one column: the text reads it twice).
    digits = (f"CASE WHEN {fin18} THEN rtrim(lpad(CAST({r} * ({10**18} // {q}) AS VARCHAR), 18, '0'), '0') "
              f"ELSE rtrim(lpad(CAST(CAST({r} AS HUGEINT) * ({lit(_TEN38)} // {q}) AS VARCHAR), 38, '0'), '0') END")
    stages: list[tuple[tuple[str, str], ...]] = [
        ((a, f"CASE WHEN {den} > 0 THEN abs(CAST({num} AS BIGINT)) END"), (d, f"CAST({den} AS BIGINT)")),
        ((g, f"gcd({a}, {d})"),),
        ((p, f"{a} // {g}"), (q, f"{d} // {g}")),
        ((w, f"{p} // {q}"), (r, f"{p} % {q}"), (five, f"{q} // gcd({q}, {_TWO62})")),
        # q = 2^x * 5^y (x <= 36 here) divides 10^38: its part beyond the twos divides 5^27.
        ((fin, f"{_FIVE27} % {five} = 0"), (fin18, f"{10**18} % {q} = 0")),
        ((frac, f"CASE WHEN {fin} THEN {digits} END"),
         (d1, f"CASE WHEN NOT {fin} THEN ({r} * {chunk}) // {q} END")),
        ((r1, f"{r} * {chunk} - {d1} * {q}"),),
        ((d2, f"({r1} * {chunk}) // {q}"),),
        ((r2, f"{r1} * {chunk} - {d2} * {q}"),),
        ((d3, f"({r2} * 10000) // {q}"),),
        ((r3, f"{r2} * 10000 - {d3} * {q}"),),
        # Half-even at the 20th place: the last digit's parity is d3's.
        ((f20, f"CAST({d1} AS HUGEINT) * {lit(10**12)} + {d2} * 10000 + {d3} + CASE WHEN {r3} > {q} - {r3} "
               f"OR ({r3} = {q} - {r3} AND {d3} % 2 = 1) THEN 1 ELSE 0 END"),),
    ]
    exact = _join(f"CASE WHEN {num} < 0 AND {p} <> 0 THEN '-' ELSE '' END", f"CAST({w} AS VARCHAR)",
                  _padded(frac, places))
    return Staged(tuple(stages), _text(num, a, w, fin, exact, f20))


def _text(num: str, a: str, w: str, fin: str, exact: str, f20: str, unprintable: str = "") -> str:
    """A quotient's text: `exact` where the fraction is finite (`fin`), else the whole part `w` and the 20 places
    `f20` (rounded half-even, a carry into the whole part included); NULL where |num| is (`a`), or where
    `unprintable` (a WHEN clause) says so."""
    carry = f"{f20} = {lit(10**_DISPLAY_PLACES)}"
    whole20 = f"CAST(CASE WHEN {carry} THEN {w} + 1 ELSE {w} END AS VARCHAR)"
    frac20 = f"CASE WHEN {carry} THEN repeat('0', {_DISPLAY_PLACES}) ELSE lpad(CAST({f20} AS VARCHAR), " \
             f"{_DISPLAY_PLACES}, '0') END"
    sign20 = f"CASE WHEN {num} < 0 AND ({w} <> 0 OR {f20} <> 0) THEN '-' ELSE '' END"
    return (f"CASE WHEN {a} IS NULL THEN NULL WHEN {fin} THEN {exact} "
            f"{unprintable}ELSE {sign20} || {whole20} || '.' || {frac20} END")


def staged_select(source: str, keep: Sequence[str], texts: dict[str, Staged]) -> str:
    """SELECT `keep` columns and each text (as its alias) from the query `source`, through the stages they need."""
    depth = max((len(s.stages) for s in texts.values()), default=0)
    query = f"SELECT * FROM ({source})"
    for level in range(depth):
        columns = [f"{expr} AS {alias}" for s in texts.values() if level < len(s.stages)
                   for alias, expr in s.stages[level]]
        query = f"SELECT *, {', '.join(columns)} FROM ({query})"
    selected = [*keep, *(f"{s.text} AS {alias}" for alias, s in texts.items())]
    return f"SELECT {', '.join(selected)} FROM ({query})"
