"""Compiling, expressions: each expression of a checked policy -> a `Value` over columns of the query.

Every construct is one handler of a `nodes.Dispatch` table, so a node class
without SQL fails loudly. Values are computed for every row (SQL has no lazy
evaluation); what the reference evaluator would not reach simply goes
unselected, and a condition that is unknown (NULL) makes every value chosen by
it unknown, never the other branch. `and`/`or` keep the evaluator's order: an
unknown left side is unknown whatever the right side says.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from math import gcd

from attain.dsl import nodes as n
from attain.dsl.builtins import PLAN_WORDS
from attain.dsl.model import Model
from attain.sql.columns import NULL_NUM, Arithmetic, Num, Scalar, TierVal, Value, constant, lit, text_literal


class Carried(Exception):
    """What only period-by-period SQL computes: a value read from an earlier period that depends on
    itself, or a rolling function of a value whose denominator differs from row to row."""


class NotCompiled(Exception):
    """A construct the duckdb engine does not compile yet: the run is refused (U569), never computed elsewhere.

    Every construct compiles today; a construct added to the language raises this until it is compiled."""

    def __init__(self, what: str, span):
        super().__init__(what)
        self.what = what
        self.span = span


class ExprCompiler(Arithmetic):
    """Expressions, the values of names, and choosing among values under conditions."""

    model: Model
    values: dict[str, Value]
    reach: list[str]  # conditions under which the expression being compiled is evaluated (for streaks)

    def named(self, name: str) -> Value:
        raise NotImplementedError  # provided by compile.PolicyCompiler

    # ------------------------------------------------------------ choosing
    def choose(self, cases: list[tuple[str, Value]], otherwise: Value | None) -> Value:
        """The value of the first case whose condition holds, else `otherwise` (None: unknown).

        A condition that is unknown makes the result unknown."""
        if not cases:
            assert otherwise is not None, "a choice without cases has its otherwise value"
            return otherwise
        values = [v for _, v in cases] + ([otherwise] if otherwise is not None else [])
        conds = [self.col(c) for c, _ in cases]

        def case(parts: list[str], other: str | None) -> str:
            body = "".join(f"WHEN {c} IS NULL THEN NULL WHEN {c} THEN {p} " for c, p in zip(conds, parts, strict=True))
            bounds = [self.bound(p) for p in [*parts, *([other] if other is not None else [])]]
            most = None if any(b is None for b in bounds) else max(bounds)  # type: ignore[type-var]
            return self.bounded(f"CASE {body}{'ELSE ' + other + ' ' if other is not None else ''}END", most)

        first = values[0]
        if isinstance(first, Num):
            nums = [v if isinstance(v, Num) else NULL_NUM for v in values]
            if all(isinstance(v.d, int) for v in nums):
                lcm = 1
                for v in nums:
                    assert isinstance(v.d, int)
                    lcm = lcm * v.d // gcd(lcm, v.d)
                tops = [self.imul(v.n, lcm // v.d) for v in nums]  # type: ignore[operator]
                other = tops.pop() if otherwise is not None else None
                return Num(case(tops, other), lcm)
            tops = [v.n for v in nums]
            bottoms = [self.den_sql(v) for v in nums]
            other_n = tops.pop() if otherwise is not None else None
            other_d = bottoms.pop() if otherwise is not None else None
            return Num(case(tops, other_n), case(bottoms, other_d))
        if isinstance(first, TierVal):
            tiers = [v for v in values if isinstance(v, TierVal)]
            names = [t.name for t in tiers]
            other = names.pop() if otherwise is not None else None
            fields = {}
            for f in first.fields:
                fields[f] = self.choose([(c, t.fields[f]) for (c, _), t in zip(cases, tiers, strict=False)],
                                        tiers[-1].fields[f] if otherwise is not None else None)
            return TierVal(case(names, other), fields)
        assert isinstance(first, Scalar)
        parts = [v.sql for v in values if isinstance(v, Scalar)]
        other = parts.pop() if otherwise is not None else None
        return Scalar(case(parts, other), first.kind)

    @contextlib.contextmanager
    def under(self, condition: str, holds: bool = True):
        """Compile what is evaluated only where `condition` holds (or, with holds False, fails)."""
        self.reach.append(f"({condition} IS {'TRUE' if holds else 'FALSE'})")
        try:
            yield
        finally:
            self.reach.pop()

    # ------------------------------------------------------------ expressions
    _EXPR = n.Dispatch("the SQL compiler", n.EXPRESSIONS)

    def expr(self, e) -> Value:
        return self._EXPR(self, e)

    def num(self, e) -> Num:
        v = self.expr(e)
        assert isinstance(v, Num), f"expected a number, got {v!r}"
        return v

    def boolean(self, e) -> str:
        v = self.expr(e)
        assert isinstance(v, Scalar) and v.kind == "bool", f"expected yes or no, got {v!r}"
        return v.sql

    @_EXPR.on(n.Number)
    def _number(self, e: n.Number) -> Value:
        return constant(e.value)

    @_EXPR.on(n.Text)
    def _text(self, e: n.Text) -> Value:
        return Scalar(text_literal(e.value), "text")

    @_EXPR.on(n.Date)
    def _date(self, e: n.Date) -> Value:
        return Scalar(f"DATE '{e.value.isoformat()}'", "date")

    @_EXPR.on(n.Bool)
    def _bool(self, e: n.Bool) -> Value:
        return Scalar("TRUE" if e.value else "FALSE", "bool")

    @_EXPR.on(n.Name)
    def _name(self, e: n.Name) -> Value:
        return self.named(e.id)

    @_EXPR.on(n.Field)
    def _field(self, e: n.Field) -> Value:
        tier = self.named(e.base.id)
        assert isinstance(tier, TierVal), "the checker allows a field of a tier only"
        return tier.fields[e.field]

    @_EXPR.on(n.Unary)
    def _unary(self, e: n.Unary) -> Value:
        if e.op == "not":
            return Scalar(self.col(f"(NOT {self.boolean(e.operand)})"), "bool")
        return self.neg(self.num(e.operand))

    @_EXPR.on(n.Binary)
    def _binary(self, e: n.Binary) -> Value:
        op = e.op
        if op in n.LOGIC:
            a = self.col(self.boolean(e.left))
            with self.under(a, op == "and"):
                b = self.boolean(e.right)
            decided = "FALSE" if op == "and" else "TRUE"
            test = f"NOT {a}" if op == "and" else a
            return Scalar(self.col(f"CASE WHEN {a} IS NULL THEN NULL WHEN {test} THEN {decided} ELSE {b} END"),
                          "bool")
        left, right = self.expr(e.left), self.expr(e.right)
        if op in n.COMPARISONS:
            if isinstance(left, Num) and isinstance(right, Num):
                return Scalar(self.compare(left, right, op), "bool")
            a = left.name if isinstance(left, TierVal) else left.sql  # type: ignore[union-attr]
            b = right.name if isinstance(right, TierVal) else right.sql  # type: ignore[union-attr]
            sql_op = {"=": "=", "!=": "<>"}.get(op, op)
            return Scalar(self.col(f"({a} {sql_op} {b})"), "bool")
        if not (isinstance(left, Num) and isinstance(right, Num)):
            return self.date_arithmetic(e, left, right)
        if op == "+":
            return self.add(left, right)
        if op == "-":
            return self.add(left, right, "-")
        if op == "*":
            return self.mul(left, right)
        return self.div(left, right)

    @_EXPR.on(n.Conditional)
    def _conditional(self, e: n.Conditional) -> Value:
        c = self.col(self.boolean(e.condition))
        with self.under(c):
            then = self.expr(e.then)
        with self.under(c, False):
            otherwise = self.expr(e.otherwise)
        return self.choose([(c, then)], otherwise)

    @_EXPR.on(n.Round)
    def _round(self, e: n.Round) -> Value:
        assert isinstance(e.step, n.Number), "the checker allows a number literal as the step only"
        x = self.num(e.value)
        if x.const is not None:
            from attain.exact import round_to_step

            return constant(round_to_step(x.const, e.step.value, e.mode or "half_up"))
        return self.round_to(x, e.step.value, e.mode or "half_up")

    @_EXPR.on(n.Call)
    def _call(self, e: n.Call) -> Value:
        func = e.func
        if func in n.HISTORY_FUNCTIONS:
            return self.history_call(e)
        if func == "given":
            arg = e.args[0]
            assert isinstance(arg, n.Name), "the checker allows given() of an input's name only"
            return Scalar(f"({self.input_column(arg.id)} IS NOT NULL)", "bool")
        if func in n.DATE_FUNCTIONS:
            return self.date_call(e)
        if func == "abs":
            x = self.num(e.args[0])
            return Num(self.col(f"abs({x.n})"), x.d)
        if func == "sign":
            x = self.num(e.args[0])
            return Num(self.col(f"CASE WHEN {x.n} > 0 THEN {lit(1)} WHEN {x.n} < 0 THEN {lit(-1)} "
                                f"WHEN {x.n} = 0 THEN {lit(0)} END"), 1)
        if func == "clamp":
            x, lo, hi = (self.num(a) for a in e.args)
            return self.pick(self.pick(x, lo, ">"), hi, "<")
        if func in ("min", "max"):
            values = [self.num(a) for a in e.args]
            result = values[0]
            for v in values[1:]:
                result = self.pick(result, v, "<" if func == "min" else ">")
            return result
        raise AssertionError(f"no SQL for function {func!r}")

    def pick(self, x: Num, y: Num, op: str) -> Num:
        """x where `x op y` holds, else y (min, max and clamp, as the compiled plan picks)."""
        if x.const is not None and y.const is not None:
            return x if {"<": x.const < y.const, ">": x.const > y.const}[op] else y
        chosen = self.choose([(self.compare(x, y, op), x)], y)
        assert isinstance(chosen, Num)
        return chosen

    @_EXPR.on(n.Previous)
    def _previous(self, e: n.Previous) -> Value:
        return self.previous(e)

    @_EXPR.on(n.Aggregate)
    def _aggregate(self, e: n.Aggregate) -> Value:
        return self.group_value(e)

    @_EXPR.on(n.PeriodValue)
    def _period_value(self, e: n.PeriodValue) -> Value:
        if e.name in PLAN_WORDS:
            return self.plan_word(e)  # type: ignore[attr-defined]  # compile_accrual.AccrualCompiler
        return self.period_value(e)

    @_EXPR.on(n.TableLookup)
    def _table_lookup(self, e: n.TableLookup) -> Value:
        return self.table_lookup(e)

    # provided by compile_windows.WindowCompiler, compile_tables.TableCompiler and compile.PolicyCompiler
    def table_lookup(self, e: n.TableLookup) -> Value:
        raise NotImplementedError

    # provided by compile_dates.DateCompiler
    def date_arithmetic(self, e: n.Binary, a: Value, b: Value) -> Value:
        raise NotImplementedError

    def date_call(self, e: n.Call) -> Value:
        raise NotImplementedError

    def period_value(self, e: n.PeriodValue) -> Value:
        raise NotImplementedError

    def curve_at(self, rows: tuple, x: Num) -> Value:
        raise NotImplementedError

    def history_call(self, e: n.Call) -> Value:
        raise NotImplementedError

    def previous(self, e: n.Previous) -> Value:
        raise NotImplementedError

    def group_value(self, e: n.Aggregate) -> Value:
        raise NotImplementedError

    def input_column(self, name: str) -> str:
        raise NotImplementedError


def scaled(value: Fraction, den: int) -> int | None:
    """value * den when that is a whole number, else None."""
    v = value * den
    return v.numerator if v.denominator == 1 else None
