"""Runtime: every name the generated plan code reads (Fallback, MISSING, exact helpers), and where it runs.

The emitter writes source that refers to these names and to a constants
table (K0, K1, ...); `namespace` is the one place that binds them, for the
stage functions and the output converter alike, so what generated code can
see is listed here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from math import gcd
from typing import NoReturn

from attain.engine import dates
from attain.engine.accrual import edge_of_days
from attain.engine.tables import look_up
from attain.exact import EXACT, rolling, round_ratio, to_decimal


class Fallback(Exception):
    """The fast path cannot finish this row; the reference evaluator decides what happens."""


class _Missing:
    """A missing data cell: any use of it in the fast path falls back to the reference evaluator."""

    __slots__ = ()

    def _refuse(self, *args: object) -> NoReturn:
        raise Fallback("missing value")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __floordiv__ = __rfloordiv__ = __neg__ = __abs__ = __bool__ = _refuse
    __divmod__ = __rdivmod__ = __mod__ = __rmod__ = _refuse  # round(x, 1) divides x's pair with divmod
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refuse
    __hash__ = _refuse  # `role in ("a", "b")` and grouping by a missing text fall back too

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
MISSING_NUMBER = (MISSING, MISSING)

def table_cell(rows: tuple, columns: tuple, *values: object) -> tuple[int, int]:
    """A rate table's cell (or a curve's value) as a pair, for values given as pairs or texts; `tables.look_up`
    decides; a missing value, or one no row holds, falls back (the reference evaluator names the error)."""
    exact: list[object] = []
    for v in values:
        if isinstance(v, tuple):
            if v[0] is MISSING:
                raise Fallback("missing value")
            exact.append(Fraction(v[0], v[1]))
        elif v is MISSING:
            raise Fallback("missing value")
        else:
            exact.append(v)
    found = look_up(rows, columns, tuple(exact))
    if found is None:
        raise Fallback("no table row")
    return found.value.numerator, found.value.denominator


# The helpers generated code calls, under the names the emitter writes.
_HELPERS: dict[str, object] = {
    "Fallback": Fallback,
    "MISSING": MISSING,
    "_round": round_ratio,
    "_gcd": gcd,
    "_rolling": rolling,
    "Decimal": Decimal,
    "scaleb": EXACT.scaleb,
    "exact": to_decimal,
    "_shift": lambda day, n, d: _dated(dates.shift, day, n, d),
    "_days_between": dates.days_between,
    "_months_between": dates.months_between,
    "_days_employed": lambda p, hired, left: _dated(dates.days_employed, p, hired, None if left is MISSING else left),
    "_months_employed": lambda p, hired, left: _dated(dates.months_employed, p, hired,
                                                      None if left is MISSING else left),
    "_table": table_cell,
    "_plan_edge": edge_of_days,
}


def _dated(func, *args):
    """A date function of dates.py; a missing date or one it refuses goes to the reference evaluator, which
    names the error (E302, E330, E331)."""
    if any(a is MISSING for a in args):
        raise Fallback("missing value")
    try:
        return func(*args)
    except dates.DateError:
        raise Fallback("date error") from None


def namespace(constants: Sequence[object] = ()) -> dict[str, object]:
    """The globals of generated code: the helpers, and constant k as `Kk`."""
    names = dict(_HELPERS)
    for i, value in enumerate(constants):
        names[f"K{i}"] = value
    return names


def execute(source: str, filename: str, constants: Sequence[object] = ()) -> dict[str, object]:
    """Run generated source in a fresh runtime namespace; return the namespace, now holding its functions.

    The source comes from the emitter and holds only identifiers it makes and
    integer literals; policy texts reach it through `constants`.
    """
    names = namespace(constants)
    exec(compile(source, filename, "exec"), names)
    return names
