"""Compiling, accumulation over the plan year: `year_to_date(x)` and its kin, `last_period_of_year/quarter`.

A period's plan year (quarter) is an integer key computed from `__period` exactly as
`attain.engine.accrual.span_key` computes it: the month holding the period's start (a week's
Thursday), less the plan year's first month, divided by 12 (3). Over whole data, a sum is a
window over the employee's unbroken run and that key, ordered by period: up to and including
this row, or up to the row before (0 in the plan year's first). Period by period (a payout
reading what it paid before: `pay` reads `earlier_this_year(pay)`), the kept table carries
each sum's running total, so a period reads the one before it in the same plan year and run.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.dsl.builtins import ACCRUAL_FUNCTIONS
from attain.engine.accrual import start_month, word_parts
from attain.sql.columns import LIMIT, Num, Scalar, Value, lit
from attain.sql.compile_exprs import Carried, ExprCompiler

_MONTHS_IN = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_MOST_PERIODS = 54  # periods a plan year can hold (53 weeks), and one more: bounds each term of a sum


class AccrualCompiler(ExprCompiler):
    """The plan year's sums and words; mixed into `compile.PolicyCompiler`."""

    periodic: bool
    carried: bool
    segment: str
    offsets: set[int]
    kept_accruals: dict  # carried mode: accumulation node -> its number among the kept running totals

    def _hist(self, frame: str = "") -> str:
        raise NotImplementedError  # provided by compile_windows.WindowCompiler

    def span_key(self, period_sql: str, span: str) -> str:
        """The plan year's (quarter's) key of the period whose index is `period_sql`."""
        header = self.model.policy.header
        kind = header.period or "month"
        if kind == "week":
            thursday = f"(DATE '0001-01-01' + CAST(({period_sql}) * 7 + 3 AS INTEGER))"
            first = f"(year({thursday}) * 12 + month({thursday}) - 1)"
        else:
            first = f"(({period_sql}) * {_MONTHS_IN[kind]})"
        return f"(({first} - {start_month(header)}) // {12 if span == 'year' else 3})"

    def plan_word(self, e: n.PeriodValue) -> Value:
        """`last_period_of_year`: the next period's plan year is another; `first_...`: the previous one's."""
        edge, span = word_parts(e.name)
        other = f"__period {'+' if edge > 0 else '-'} 1"
        return Scalar(self.col(f"({self.span_key(other, span)} <> {self.span_key('__period', span)})"), "bool")

    def accrual_call(self, e: n.Call) -> Value:
        span, includes = ACCRUAL_FUNCTIONS[e.func]
        subject = e.args[0]
        assert isinstance(subject, n.Name), "the checker allows accumulation of a named value only"
        if not self.periodic:
            return self.named(subject.id) if includes else Num(lit(0), 1)
        if self.carried:
            return self._carried_sum(e, span, includes)
        v = self.named(subject.id)  # an earlier sum of a value that reads it: Carried, period by period
        assert isinstance(v, Num)
        if not isinstance(v.d, int):
            raise Carried(f"{e.func} of a value divided by a data value ({subject.id})")
        key = self.col(self.span_key("__period", span))
        last = "CURRENT ROW" if includes else "1 PRECEDING"
        frame = (f"PARTITION BY __who, {self.segment}, {key} ORDER BY __period "
                 f"ROWS BETWEEN UNBOUNDED PRECEDING AND {last}")
        bounded = self.col(f"CASE WHEN abs({v.n}) < {lit(LIMIT // _MOST_PERIODS)} THEN {v.n} END")
        rows = self.col(f"count(*) OVER ({frame})")
        known = self.col(f"count({bounded}) OVER ({frame})")
        total = self.col(f"CAST(coalesce(sum({bounded}) OVER ({frame}), 0) AS HUGEINT)")
        return Num(self.col(f"CASE WHEN {known} = {rows} THEN {total} END"), v.d)

    def _carried_sum(self, e: n.Call, span: str, includes: bool) -> Value:
        """The running total kept last period, when last period is in this plan year and run; else 0."""
        j = self.kept_accruals.setdefault(e, len(self.kept_accruals))
        self.offsets.add(1)
        same = self.col(f"(__period - 1 >= __start AND {self.span_key('__period - 1', span)} = "
                        f"{self.span_key('__period', span)})")
        earlier = self.choose([(same, Num(f"h1_a{j}_n", f"h1_a{j}_d"))], Num(lit(0), 1))
        assert isinstance(earlier, Num)
        if not includes:
            return earlier
        subject = e.args[0]
        assert isinstance(subject, n.Name)
        v = self.named(subject.id)
        assert isinstance(v, Num)
        return self.add(earlier, v)

    def running_total(self, e: n.Call) -> Num:
        """What the kept table keeps for a sum: this period's total, this period included."""
        subject = e.args[0]
        assert isinstance(subject, n.Name)
        v = self.named(subject.id)
        assert isinstance(v, Num)
        if ACCRUAL_FUNCTIONS[e.func][1]:
            total = self._carried_sum(e, ACCRUAL_FUNCTIONS[e.func][0], True)
            assert isinstance(total, Num)
            return total
        earlier = self._carried_sum(e, ACCRUAL_FUNCTIONS[e.func][0], False)
        assert isinstance(earlier, Num)
        return self.add(earlier, v)
