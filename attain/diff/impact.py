"""Impact: both policy versions run on the same data -> every employee's old and new outputs, and the totals.

Every output of every employee (and period) is compared; money outputs are
also summed, before and after, and each employee counts as gaining, losing or
unchanged by the signed sum of their payout changes. All sums are exact.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

import attrs

from attain import api
from attain.io import Table, read_table
from attain.versions import Versions

__all__ = ["Impact", "OutputDelta", "PayoutTotal", "RowImpact", "impact", "is_number"]

PERIOD_COLUMN = "period"
VERSION_COLUMN = "version"


@attrs.frozen
class OutputDelta:
    """One output of one employee: the old and new value and the change.

    `change` is new - old for numbers (exact), "changed" or None for texts and
    flags. A value absent from one version is None there; for a money output
    that version counts as paying 0, so the change is still a number.
    """

    output: str
    old: Any
    new: Any
    change: Any
    money: bool

    @property
    def changed(self) -> bool:
        if isinstance(self.change, str):
            return True
        if self.change is None:
            return self.old != self.new
        return self.change != 0 or (self.old is None) != (self.new is None)


@attrs.frozen
class RowImpact:
    """One employee (and period): every output's delta and the signed sum of payout changes."""

    id: str
    period: Any
    deltas: tuple[OutputDelta, ...]
    payout_change: Decimal | Fraction
    payout_moved: Decimal | Fraction  # sum of |change| over money outputs: the sort key
    changed: tuple[OutputDelta, ...]  # the deltas whose value changed, found once (reports ask often)


@attrs.frozen
class PayoutTotal:
    """One money output summed over every row, before and after; None where the version lacks the output."""

    output: str
    before: Any
    after: Any
    difference: Any


@attrs.frozen
class Impact:
    """Both versions run on the same data, row by row, with totals and who gains or loses.

    Gains and losses are counted per employee (over all their periods), by the
    signed sum of their payout changes.
    """

    id_column: str
    period_column: str | None
    outputs: tuple[str, ...]
    money: tuple[str, ...]
    only_old: tuple[str, ...]  # outputs only the old version has
    only_new: tuple[str, ...]
    rows: tuple[RowImpact, ...]
    totals: tuple[PayoutTotal, ...]
    overall: PayoutTotal  # every money output together
    employees: int
    gain: int
    lose: int
    unchanged: int
    affected: tuple[RowImpact, ...]  # rows where any output changed, largest payout change first


def is_number(v) -> bool:
    return isinstance(v, (Decimal, Fraction, int)) and not isinstance(v, bool)


# Sums and differences of finite Decimals are exact here: the precision is the largest there is (the
# digits a result needs are allocated, not the precision), and any rounding would trap. One context
# for every call: making one per call was most of the cost of comparing two runs.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                         traps=[decimal.Inexact, decimal.InvalidOperation])


_FRACTION_ZERO = Fraction(0)


def _exact(op: str, values: list):
    """Sum or difference of exact numbers without rounding (Decimal when all are Decimal)."""
    if all(isinstance(v, Decimal) for v in values):
        if not values:
            return Decimal(0)
        total = values[0]
        for v in values[1:]:
            total = _EXACT.subtract(total, v) if op == "-" else _EXACT.add(total, v)
        return _EXACT.plus(total) if len(values) > 1 else total
    fractions = [Fraction(v) for v in values]
    total = fractions[0] if fractions else Fraction(0)
    for v in fractions[1:]:
        total = total - v if op == "-" else total + v
    return total


def _zero_like(values: list):
    """0 at the scale of the given Decimals (0.00 beside 10200.00), so sums and changes print alike."""
    decimals = [v for v in values if isinstance(v, Decimal)]
    if decimals:
        # Exact results are finite, so every exponent is an int (never 'n', 'N' or 'F').
        return Decimal(0).scaleb(min(cast(int, v.as_tuple().exponent) for v in decimals))
    return Decimal(0)


def _delta(output: str, old, new, money: bool) -> OutputDelta:
    if type(old) is Decimal and type(new) is Decimal:  # the common case, as _exact("-", [new, old]) does it
        return OutputDelta(output, old, new, _EXACT.plus(_EXACT.subtract(new, old)), money)
    if type(old) is Fraction and type(new) is Fraction:
        return OutputDelta(output, old, new, _FRACTION_ZERO if old == new else new - old, money)
    if is_number(old) and is_number(new):
        return OutputDelta(output, old, new, _exact("-", [new, old]), money)
    if money and (old is None or is_number(old)) and (new is None or is_number(new)) and (old, new) != (None, None):
        # A payout only one version has: the other version pays 0.
        zero = _zero_like([old, new])
        return OutputDelta(output, old, new, _exact("-", [zero if new is None else new, zero if old is None else old]),
                           money)
    return OutputDelta(output, old, new, None if old == new else "changed", money)


def _row_keys(results: api.Results, id_column: str, period_column: str | None) -> dict:
    out: dict[tuple, dict] = {}
    seen: dict[tuple, int] = {}
    for row in results.rows:
        base = (str(row.get(id_column)), row.get(period_column) if period_column else None)
        k = seen.get(base, 0)
        seen[base] = k + 1
        out[(*base, k)] = row  # k > 0 only if a key repeats: then rows pair in order
    return out


def impact(old: api.Policy | Versions, new: api.Policy | Versions, data, id_column: str | None = None,
           progress: api.ProgressCallback | None = None, engine: str = "python") -> Impact:
    """Run both policies on the same data (a path or a `Table`) with `engine` and compare every output of every row.

    `progress` hears each run, its step followed by "(old version)" or "(new version)".
    """
    table = data if isinstance(data, Table) else read_table(data)
    old_res = old.run(table, id_column=id_column, progress=_named(progress, "(old version)"), engine=engine)
    new_res = new.run(table, id_column=id_column, progress=_named(progress, "(new version)"), engine=engine)
    if progress is not None:
        progress(api.Progress("comparing the versions", 0, 0))
    id_col = old_res.columns[0]
    period_col = PERIOD_COLUMN if PERIOD_COLUMN in old_res.columns[1:] and PERIOD_COLUMN in new_res.columns[1:] \
        else None
    # A folder of versions names the version of each row: which version computed it, not an output.
    old_outs = [c for c in old_res.columns[1:] if c not in (period_col, VERSION_COLUMN)]
    new_outs = [c for c in new_res.columns[1:] if c not in (period_col, VERSION_COLUMN)]
    outputs = tuple(new_outs + [c for c in old_outs if c not in new_outs])

    def is_money(name: str) -> bool:
        return any(res.kinds.get(name) == "money" for res in (old_res, new_res))

    money = tuple(o for o in outputs if is_money(o))
    rows = _row_impacts(old_res, new_res, id_col, period_col, outputs, money)
    totals = tuple(_payout_total(o, old_res if o in old_outs else None, new_res if o in new_outs else None)
                   for o in money)
    employees, gain, lose, unchanged = _tally(rows)
    return Impact(
        id_column=id_col,
        period_column=period_col,
        outputs=outputs,
        money=money,
        only_old=tuple(o for o in old_outs if o not in new_outs),
        only_new=tuple(o for o in new_outs if o not in old_outs),
        rows=rows,
        totals=totals,
        overall=_overall(totals),
        employees=employees,
        gain=gain,
        lose=lose,
        unchanged=unchanged,
        affected=tuple(r for r in rows if r.changed),
    )


def _named(progress: api.ProgressCallback | None, version: str) -> api.ProgressCallback | None:
    if progress is None:
        return None
    return lambda p: progress(p._replace(step=f"{p.step} {version}"))


def _row_impacts(old_res: api.Results, new_res: api.Results, id_col: str, period_col: str | None,
                 outputs: tuple[str, ...], money: tuple[str, ...]) -> tuple[RowImpact, ...]:
    """One RowImpact per employee (and period) of either version, largest payout change first."""
    old_rows = _row_keys(old_res, id_col, period_col)
    new_rows = _row_keys(new_res, id_col, period_col)
    keys = list(old_rows) + [k for k in new_rows if k not in old_rows]
    columns = [(o, o in money) for o in outputs]
    rows = []
    for key in keys:
        a, b = old_rows.get(key, {}), new_rows.get(key, {})
        deltas = tuple([_delta(o, a.get(o), b.get(o), is_money) for o, is_money in columns])
        changes = [d.change for d in deltas if d.money and is_number(d.change)]
        signed = _exact("+", changes) if changes else Decimal(0)
        moved = _exact("+", [abs(c) for c in changes]) if changes else Decimal(0)
        rows.append(RowImpact(key[0], key[1], deltas, signed, moved, tuple([d for d in deltas if d.changed])))
    rows.sort(key=lambda r: (-r.payout_moved, r.id, "" if r.period is None else str(r.period)))
    return tuple(rows)


def _payout_total(output: str, old_res: api.Results | None, new_res: api.Results | None) -> PayoutTotal:
    """One money output summed over all rows of each version that has it (None where it has not)."""
    before = _column_total(old_res, output) if old_res is not None else None
    after = _column_total(new_res, output) if new_res is not None else None
    zero = _zero_like([before, after])
    difference = _exact("-", [zero if after is None else after, zero if before is None else before])
    return PayoutTotal(output, before, after, difference)


def _overall(totals: tuple[PayoutTotal, ...]) -> PayoutTotal:
    return PayoutTotal(
        "all payouts",
        _exact("+", [t.before for t in totals if t.before is not None]) if totals else Decimal(0),
        _exact("+", [t.after for t in totals if t.after is not None]) if totals else Decimal(0),
        _exact("+", [t.difference for t in totals]) if totals else Decimal(0),
    )


def _tally(rows: tuple[RowImpact, ...]) -> tuple[int, int, int, int]:
    """(employees, gain, lose, unchanged): each employee counted once, by the sum over their periods."""
    per_employee: dict[str, list] = {}
    for r in rows:
        per_employee.setdefault(r.id, []).append(r.payout_change)
    sums = [_exact("+", v) for v in per_employee.values()]
    return (len(per_employee), sum(1 for s in sums if s > 0), sum(1 for s in sums if s < 0),
            sum(1 for s in sums if s == 0))


def _column_total(results: api.Results, output: str):
    values = [r.get(output) for r in results.rows if is_number(r.get(output))]
    return _exact("+", values) if values else Decimal(0)
