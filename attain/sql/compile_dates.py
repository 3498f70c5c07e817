"""Compiling, dates: the period's words, the date functions and date arithmetic as DuckDB DATE expressions.

The meaning is `attain.engine.dates` (docs/language.md, "Dates and the period"): whole
calendar days, a stretch of days includes both ends, a difference of dates does not,
months are calendar months (a day the later month lacks is its last day). The period's
first and last day are computed in SQL from `__period` (`Period.index`): a month is
year * 12 + month - 1, a quarter year * 4 + quarter - 1, and so on, a week counts Mondays
from 0001-01-01; with `period month ending day N` the month runs from the day after the
Nth of the month before to its Nth.

What the other engines refuse while computing is NULL here, so the row goes to the
reference evaluator, which names the error as they do: a date moved by part of a day or
off the calendar (E330), a leave date before the hire date (E331), an empty hire date
(E302). A leave date that is an input without a default and whose cell is empty means
still employed; any other unknown leave date leaves the value unknown.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.sql.columns import Num, Scalar, Value, lit
from attain.sql.compile_exprs import ExprCompiler

# The days from 0001-01-01 to 9999-12-31: a move by more stays off the calendar (E330).
MOST_DAYS = 3652058
_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}


def _days(a: str, b: str) -> str:
    """The days from date a to date b (b - a), as a function every dialect has: Spark's `b - a` is an interval."""
    return f"date_diff('day', {a}, {b})"


def _month_first(m: str) -> str:
    """The first day of the month with index m (year * 12 + month - 1)."""
    return f"make_date(({m}) // 12, ({m}) % 12 + 1, 1)"


def _months_between(a: str, b: str) -> str:
    """Whole calendar months from a to b, a <= b: the months' difference, less one where b's day comes
    before a's (a's day taken as b's month's last day where that month lacks it)."""
    return (f"(CAST((year({b}) - year({a})) * 12 + month({b}) - month({a}) AS HUGEINT) - "
            f"CASE WHEN least(day({a}), day(last_day({b}))) > day({b}) THEN {lit(1)} ELSE {lit(0)} END)")


class DateCompiler(ExprCompiler):
    """The period's days, the date functions and date arithmetic, each a column of the query."""

    # ------------------------------------------------------------ the period
    def _period_bounds(self) -> tuple[str, str]:
        """The columns of the first and last day of each row's period."""
        header = self.model.policy.header
        kind, ends = header.period, header.month_ends_on
        p = "__period"
        if kind == "week":
            first = f"(DATE '0001-01-01' + CAST({p} * 7 AS INTEGER))"
            last = f"(DATE '0001-01-01' + CAST({p} * 7 + 6 AS INTEGER))"
        elif kind == "month" and ends is not None:
            first = f"(make_date(({p} - 1) // 12, ({p} - 1) % 12 + 1, {ends}) + 1)"
            last = f"make_date({p} // 12, {p} % 12 + 1, {ends})"
        else:
            assert kind in _PER_YEAR, "a policy reading the period has a `period` line (C270)"
            months = 12 // _PER_YEAR[kind]
            first = _month_first(f"{p} * {months}")
            last = f"({_month_first(f'({p} + 1) * {months}')} - 1)"
        return self.cols.add(first), self.cols.add(last)

    def _month_windows(self) -> list[tuple[str, str]]:
        """The period's months (first and last day of each): the period itself for a month, none for a week."""
        header = self.model.policy.header
        kind = header.period
        if kind == "month":
            return [self._period_bounds()]
        if kind not in _PER_YEAR:
            return []  # a week holds no whole month (the checker refuses months_employed there: C270)
        months = 12 // _PER_YEAR[kind]
        windows = []
        for i in range(months):
            m = f"__period * {months} + {i}"
            windows.append((self.cols.add(_month_first(m)), self.cols.add(f"({_month_first(f'{m} + 1')} - 1)")))
        return windows

    def period_value(self, e: n.PeriodValue) -> Value:
        first, last = self._period_bounds()
        if e.name == "period_start":
            return Scalar(first, "date")
        if e.name == "period_end":
            return Scalar(last, "date")
        return Num(self.cols.add(f"CAST({_days(first, last)} + 1 AS HUGEINT)"), 1)

    # ------------------------------------------------------------ the functions
    def date_call(self, e: n.Call) -> Value:
        func = e.func
        if func in ("days_employed", "months_employed"):
            return self._employed(e)
        values = [self._date(a) for a in e.args]
        if func == "in_period":
            first, last = self._period_bounds()
            return Scalar(self.col(f"({values[0]} BETWEEN {first} AND {last})"), "bool")
        a, b = values
        if func == "days_between":
            return Num(self.col(f"CAST({_days(a, b)} AS HUGEINT)"), 1)
        assert func == "months_between", f"no SQL for the date function {func!r}"
        return Num(self.col(f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL WHEN {b} < {a} "
                            f"THEN -{_months_between(b, a)} ELSE {_months_between(a, b)} END"), 1)

    def _date(self, e) -> str:
        v = self.expr(e)
        assert isinstance(v, Scalar) and v.kind == "date", f"expected a date, got {v!r}"
        return v.sql

    def _employed(self, e: n.Call) -> Num:
        """days_employed / months_employed: NULL for an empty hire date, an unknown leave date, or one before
        the hire date (the reference evaluator names those errors)."""
        hired = self._date(e.args[0])
        if len(e.args) > 1:
            leave = e.args[1]
            left = self._date(leave)
            still = (f"({left} IS NULL)" if isinstance(leave, n.Name) and leave.id in self.model.inputs
                     and self.model.inputs[leave.id].default is None else "FALSE")
        else:
            left, still = "CAST(NULL AS DATE)", "TRUE"
        if e.func == "days_employed":
            first, last = self._period_bounds()
            end = f"CASE WHEN {still} THEN {last} ELSE least({left}, {last}) END"
            count = f"greatest(0, {_days(f'greatest({hired}, {first})', end)} + 1)"
        else:
            terms = [f"CASE WHEN {hired} <= {f} AND ({still} OR {left} >= {la}) THEN 1 ELSE 0 END"
                     for f, la in self._month_windows()]
            count = " + ".join(terms) or "0"
        return Num(self.col(f"CASE WHEN {hired} IS NULL THEN NULL WHEN {still} THEN CAST({count} AS HUGEINT) "
                            f"WHEN {left} IS NULL OR {left} < {hired} THEN NULL ELSE CAST({count} AS HUGEINT) END"), 1)

    # ------------------------------------------------------------ arithmetic
    def date_arithmetic(self, e: n.Binary, a: Value, b: Value) -> Value:
        """date +/- days is a date (whole days on the calendar, else NULL: E330); date - date is the days
        between them."""
        if isinstance(a, Scalar) and isinstance(b, Scalar):
            return Num(self.col(f"CAST({_days(b.sql, a.sql)} AS HUGEINT)"), 1)
        day, by = (a, b) if isinstance(a, Scalar) else (b, a)
        assert isinstance(day, Scalar) and isinstance(by, Num), "the checker moves a date by a number of days"
        if e.op == "-":
            by = self.neg(by)
        d = self.den_sql(by)
        days = f"{by.n} // {d}"
        moved = self.col(f"CASE WHEN {by.n} % {d} <> 0 THEN NULL WHEN abs({days}) > {MOST_DAYS} THEN NULL "
                         f"ELSE {day.sql} + CAST({days} AS INTEGER) END")
        return Scalar(self.col(f"CASE WHEN year({moved}) BETWEEN 1 AND 9999 THEN {moved} END"), "date")
