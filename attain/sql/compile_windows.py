"""Compiling, windows: earlier periods (previous, streak, rolling) and group values (mean ... percentile).

History reads the employee's earlier rows through windows partitioned by
employee and by unbroken run of periods (`gaps restart` starts a new run;
without it a gap is the row's error), ordered by period. Group values are
windows partitioned by period and group. Sums add values bounded so that no
sum can overflow (|value| < LIMIT / rows); rank and percentile order exact
rationals by integer keys (the value itself for a fixed scale; otherwise its
floor and two 18-digit chunks of its fraction, exact while denominators stay
below 10^18, which the partition checks). Ties share a rank, as documented.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.sql.columns import LIMIT, LIMIT_SQL, Num, Scalar, TierVal, Value, lit
from attain.sql.compile_exprs import ExprCompiler, Unsupported

CHUNK = 10**18


class WindowCompiler(ExprCompiler):
    """previous, streak, rolling_* and group values."""

    periodic: bool
    gap: str  # per row: 1 where the employee's previous row is not the period just before
    segment: str  # the employee's unbroken run of periods (a new one after a gap, with `gaps restart`)
    streaks: list[Value]
    group_keys: list[str]  # every group value's key column: an empty key is the row's error

    def _hist(self, frame: str = "") -> str:
        return f"PARTITION BY __who, {self.segment} ORDER BY __period{frame}"

    def earlier(self, name: str) -> Value:
        raise NotImplementedError  # provided by compile.PolicyCompiler

    def previous(self, e: n.Previous) -> Value:
        subject = e.value
        assert isinstance(subject, n.Name) and e.otherwise is not None, "the checker sees to both"
        if not self.periodic:
            return self.expr(e.otherwise)
        v = self.earlier(subject.id)
        present = self.col(f"(lag(__period, {e.back}) OVER ({self._hist()}) IS NOT NULL)")

        def lag(sql: str) -> str:
            return self.col(f"lag({sql}, {e.back}) OVER ({self._hist()})")

        if isinstance(v, Num):
            lagged: Value = Num(lag(v.n), v.d if isinstance(v.d, int) else lag(v.d))
        elif isinstance(v, TierVal):
            lagged = Scalar(lag(v.name), "text")
        else:
            lagged = Scalar(lag(v.sql), v.kind)
        with self.under(present, False):
            otherwise = self.expr(e.otherwise)
        return self.choose([(present, lagged)], otherwise)

    def history_call(self, e: n.Call) -> Value:
        if e.func == "streak":
            return self._streak(e)
        subject, periods = e.args
        assert isinstance(subject, n.Name) and isinstance(periods, n.Number), "the checker sees to both"
        v = self.named(subject.id)
        assert isinstance(v, Num)
        if not self.periodic:
            return v
        if not isinstance(v.d, int):
            raise Unsupported(f"{e.func} of a value divided by a data value ({subject.id})")
        k = int(periods.value)
        frame = self._hist(f" ROWS BETWEEN {k - 1} PRECEDING AND CURRENT ROW")
        rows = self.col(f"count(*) OVER ({frame})")
        if e.func in ("rolling_min", "rolling_max"):
            agg = "min" if e.func == "rolling_min" else "max"
            known = self.col(f"count({v.n}) OVER ({frame})")
            best = self.col(f"{agg}({v.n}) OVER ({frame})")
            return Num(self.col(f"CASE WHEN {known} = {rows} THEN {best} END"), v.d)
        bounded = self.col(f"CASE WHEN abs({v.n}) < {lit(LIMIT // k)} THEN {v.n} END")
        known = self.col(f"count({bounded}) OVER ({frame})")
        total = self.col(f"CAST(sum({bounded}) OVER ({frame}) AS HUGEINT)")
        s = self.col(f"CASE WHEN {known} = {rows} THEN {total} END")
        if e.func == "rolling_sum":
            return Num(s, v.d)
        return Num(s, self.imul(self.col(f"CAST({rows} AS HUGEINT)"), v.d))

    def _streak(self, e: n.Call) -> Value:
        reached = self.col("(" + " AND ".join(self.reach) + ")") if self.reach else "TRUE"
        cond = self.boolean(e.args[0])
        c = self.col(f"CASE WHEN {reached} THEN {cond} ELSE FALSE END")
        if not self.periodic:
            value = Num(self.col(f"CASE WHEN {c} THEN {lit(1)} WHEN NOT {c} THEN {lit(0)} END"), 1)
        else:
            upto = " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
            rn = self.col(f"row_number() OVER ({self._hist()})")
            last_false = self.col(f"max(CASE WHEN {c} IS FALSE THEN {rn} END) OVER ({self._hist(upto)})")
            unknown = self.col(f"sum(CASE WHEN {c} IS NULL THEN 1 ELSE 0 END) OVER ({self._hist(upto)})")
            value = Num(self.col(f"CASE WHEN {unknown} = 0 THEN CAST({rn} - coalesce({last_false}, 0) "
                                 "AS HUGEINT) END"), 1)
        self.streaks.append(value)
        return value

    # ------------------------------------------------------------ group values
    def group_value(self, e: n.Aggregate) -> Value:  # long: one case per group function, each a few windows
        key = "__period"
        key_col = None
        if e.group is not None:
            g = self.named(e.group)
            key_col = g.name if isinstance(g, TierVal) else g.sql  # type: ignore[union-attr]
            key += f", {key_col}"
            self.group_keys.append(key_col)
        w = f"PARTITION BY {key}"
        size = self.col(f"CAST(count(*) OVER ({w}) AS HUGEINT)")
        if e.func == "count":
            return self._keyed(Num(self.col(f"({size} - 1)") if e.except_self else size, 1), key_col)
        assert isinstance(e.value, n.Name), "the checker allows a group value of a name only"
        v = self.named(e.value.id)
        assert isinstance(v, Num)
        if e.func in ("rank", "percentile"):
            return self._keyed(self._ordered(e, v, w, size), key_col)
        if not isinstance(v.d, int):
            raise Unsupported(f"{e.func}(...) of a value divided by a data value ({e.value.id})")
        if e.func in ("sum", "mean"):
            bounded = self.col(f"CASE WHEN abs({v.n}) < {LIMIT_SQL} // {size} THEN {v.n} END")
            known = self.col(f"count({bounded}) OVER ({w})")
            s = self.col(f"CAST(sum({bounded}) OVER ({w}) AS HUGEINT)")
            total = self.col(f"CASE WHEN {known} = {size} THEN {s} END")
            if not e.except_self:
                if e.func == "sum":
                    return self._keyed(Num(total, v.d), key_col)
                return self._keyed(Num(total, self.imul(size, v.d)), key_col)
            others = self.iadd(total, v.n, "-")
            alone = self.col(f"CASE WHEN {size} > 1 THEN {others} END")
            if e.func == "sum":
                return self._keyed(Num(alone, v.d), key_col)
            return self._keyed(Num(alone, self.imul(self.col(f"({size} - 1)"), v.d)), key_col)
        agg = e.func  # min or max
        best = self.col(f"{agg}({v.n}) OVER ({w})")
        known = self.col(f"(count({v.n}) OVER ({w}) = {size})")
        if not e.except_self:
            return self._keyed(Num(self.col(f"CASE WHEN {known} THEN {best} END"), v.d), key_col)
        beyond = ">" if agg == "min" else "<"
        at_best = self.col(f"sum(CASE WHEN {v.n} = {best} THEN 1 ELSE 0 END) OVER ({w})")
        second = self.col(f"{agg}(CASE WHEN {v.n} {beyond} {best} THEN {v.n} END) OVER ({w})")
        value = self.col(f"CASE WHEN NOT {known} OR {size} = 1 THEN NULL "
                         f"WHEN {v.n} = {best} AND {at_best} = 1 THEN {second} ELSE {best} END")
        return self._keyed(Num(value, v.d), key_col)

    def _ordered(self, e: n.Aggregate, v: Num, w: str, size: str) -> Num:
        """rank (1 = highest, ties share the best) or percentile (the share of the others below)."""
        if isinstance(v.d, int):
            keys = [v.n]
            exact = f"(count({v.n}) OVER ({w}) = {size})"
        else:
            d = v.d
            fits = self.col(f"({d} <= {lit(CHUNK)})")
            t = self.col(f"CASE WHEN {fits} THEN {v.n} // {d} END")
            q0 = self.col(f"({t} - CASE WHEN {v.n} - {t} * {d} < 0 THEN 1 ELSE 0 END)")
            r0 = self.col(f"({v.n} - {q0} * {d})")
            k1 = self.col(f"({r0} * {lit(CHUNK)}) // {d}")
            r1 = self.col(f"({r0} * {lit(CHUNK)} - {k1} * {d})")
            k2 = self.col(f"({r1} * {lit(CHUNK)}) // {d}")
            keys = [q0, k1, k2]
            exact = f"(count({k2}) OVER ({w}) = {size})"
        ok = self.col(exact)
        if e.func == "rank":
            order = ", ".join(f"{k} DESC" for k in keys)
            rank = self.col(f"CAST(rank() OVER ({w} ORDER BY {order}) AS HUGEINT)")
            return Num(self.col(f"CASE WHEN {ok} THEN {rank} END"), 1)
        order = ", ".join(f"{k} ASC" for k in keys)
        below = self.col(f"CAST(rank() OVER ({w} ORDER BY {order}) - 1 AS HUGEINT)")
        num = self.col(f"CASE WHEN NOT {ok} THEN NULL WHEN {size} = 1 THEN {lit(1)} ELSE {below} END")
        den = self.col(f"CASE WHEN NOT {ok} THEN NULL WHEN {size} = 1 THEN {lit(1)} ELSE {size} - 1 END")
        return Num(num, den)

    def _keyed(self, v: Num, key: str | None) -> Num:
        """No group value where the row has no group (its key is empty): the row's error."""
        if key is None:
            return v
        n_sql = self.col(f"CASE WHEN {key} IS NOT NULL THEN {v.n} END")
        return Num(n_sql, v.d)
