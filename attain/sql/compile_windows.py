"""Compiling, windows: earlier periods (previous, streak, rolling) and group values (mean ... percentile).

History reads the employee's earlier rows through windows partitioned by
employee and by unbroken run of periods (`gaps restart` starts a new run;
without it a gap is the row's error), ordered by period. Group values are
windows partitioned by period and group. Sums add values bounded so that no
sum can overflow (|value| < LIMIT / rows); rank and percentile order exact
rationals by integer keys (the value itself for a fixed scale; otherwise its
floor and two 18-digit chunks of its fraction, exact while denominators stay
below 10^18, which the partition checks; one key where the data's bounds prove
it exact). Ties share a rank, as documented.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.dsl.builtins import ACCRUAL_FUNCTIONS
from attain.dsl.org import EMPLOYEE
from attain.sql.columns import LIMIT, LIMIT_SQL, Num, Scalar, TierVal, Value, lit
from attain.sql.compile_exprs import Carried, ExprCompiler

CHUNK = 10**18


class WindowCompiler(ExprCompiler):
    """previous, streak, rolling_* and group values."""

    periodic: bool
    carried: bool  # period by period, earlier periods read from the kept table (values carried forward)
    kept: list[str]  # carried mode: the names whose values later periods read, in kept-column order
    kept_streaks: dict  # carried mode: streak node -> its number among the kept counts
    offsets: set[int]  # carried mode: how many periods back some formula reads
    gap: str  # per row: 1 where the employee's previous row is not the period just before
    segment: str  # the employee's unbroken run of periods (a new one after a gap, with `gaps restart`)
    streaks: list[Value]
    streak_value: dict  # streak node -> its count
    group_keys: list[str]  # every group value's key column: an empty key is the row's error

    def reports_value(self, e: n.Aggregate) -> Value:
        raise NotImplementedError  # provided by compile_org.OrgCompiler

    def _hist(self, frame: str = "") -> str:
        return f"PARTITION BY __who, {self.segment} ORDER BY __period{frame}"

    def earlier(self, name: str) -> Value:
        raise NotImplementedError  # provided by compile.PolicyCompiler

    def previous(self, e: n.Previous) -> Value:
        subject = e.value
        assert isinstance(subject, n.Name) and e.otherwise is not None, "the checker sees to both"
        if not self.periodic:
            return self.expr(e.otherwise)
        if self.carried:
            present = self.col(f"(__period - {e.back} >= __start)")
            lagged_kept = self.kept_value(subject.id, e.back)
            with self.under(present, False):
                otherwise = self.expr(e.otherwise)
            return self.choose([(present, lagged_kept)], otherwise)
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
        if e.func in ACCRUAL_FUNCTIONS:
            return self.accrual_call(e)  # type: ignore[attr-defined]  # compile_accrual.AccrualCompiler
        if e.func == "streak":
            return self._streak(e)
        subject, periods = e.args
        assert isinstance(subject, n.Name) and isinstance(periods, n.Number), "the checker sees to both"
        v = self.named(subject.id)
        assert isinstance(v, Num)
        if not self.periodic:
            return v
        if self.carried:
            return self._rolling_kept(e.func, subject.id, v, int(periods.value))
        if not isinstance(v.d, int):
            raise Carried(f"{e.func} of a value divided by a data value ({subject.id})")
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
        elif self.carried:
            j = self.kept_streaks.setdefault(e, len(self.kept_streaks))
            self.offsets.add(1)
            before = self.col(f"CASE WHEN __period - 1 >= __start THEN h1_s{j} ELSE {lit(0)} END")
            value = Num(self.col(f"CASE WHEN {c} THEN {before} + 1 WHEN NOT {c} THEN {lit(0)} END"), 1)
        else:
            upto = " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
            rn = self.col(f"row_number() OVER ({self._hist()})")
            last_false = self.col(f"max(CASE WHEN {c} IS FALSE THEN {rn} END) OVER ({self._hist(upto)})")
            unknown = self.col(f"sum(CASE WHEN {c} IS NULL THEN 1 ELSE 0 END) OVER ({self._hist(upto)})")
            value = Num(self.col(f"CASE WHEN {unknown} = 0 THEN CAST({rn} - coalesce({last_false}, 0) "
                                 "AS HUGEINT) END"), 1)
        self.streaks.append(value)
        self.streak_value[e] = value
        return value

    # ------------------------------------------------------------ carried mode
    def kept_value(self, name: str, back: int) -> Value:
        """`name`'s value `back` periods ago, as the kept table holds it (a number as a reduced pair)."""
        if name not in self.kept:
            self.kept.append(name)
        k = self.kept.index(name)
        self.offsets.add(back)
        t = self.model.types[name]
        if t.numeric:
            return Num(f"h{back}_k{k}_n", f"h{back}_k{k}_d")
        return Scalar(f"h{back}_k{k}", "text" if t.kind == "tier" else t.kind)

    def _rolling_kept(self, func: str, name: str, v: Num, k: int) -> Value:
        """rolling_* over this period's value and the kept values of the last k - 1 periods of the run."""
        result: Num = v
        count = "1"
        for back in range(1, k):
            present = self.col(f"(__period - {back} >= __start)")
            earlier = self.kept_value(name, back)
            assert isinstance(earlier, Num)
            if func in ("rolling_sum", "rolling_mean"):
                step = self.add(result, earlier)
            else:
                step = self.pick(result, earlier, "<" if func == "rolling_min" else ">")
            chosen = self.choose([(present, step)], result)
            assert isinstance(chosen, Num)
            result = chosen
            count = self.col(f"({count} + CASE WHEN {present} THEN 1 ELSE 0 END)")
        if func == "rolling_mean":
            return Num(result.n, self.imul(self.col(f"CAST({count} AS HUGEINT)"), self.den_sql(result)))
        return result

    # ------------------------------------------------------------ group values
    def group_value(self, e: n.Aggregate) -> Value:  # long: one case per group function, each a few windows
        if e.reports is not None:
            return self.reports_value(e)
        key = "__period"
        key_col = None
        if e.group is not None:
            g = self.named(e.group)
            key_col = g.name if isinstance(g, TierVal) else g.sql  # type: ignore[union-attr]
            key += f", {key_col}"
            inp = self.model.inputs.get(e.group)
            if inp is None or inp.type != EMPLOYEE:  # an empty manager is the top: the tops are one group
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
            return self._keyed(self._pair_group(e, v, w, size), key_col)
        if e.func in ("sum", "mean"):
            total = self._sum(v.n, w, size)
            return self._keyed(self._sum_or_mean(e, Num(total, v.d), v, size), key_col)
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

    def _sum(self, n_sql: str, w: str, size: str) -> str:
        """The exact sum of a column over the partition: each term bounded by LIMIT / rows, so no sum
        overflows; unknown where a term is unknown or beyond the bound."""
        bounded = self.col(f"CASE WHEN abs({n_sql}) < {LIMIT_SQL} // {size} THEN {n_sql} END")
        known = self.col(f"count({bounded}) OVER ({w})")
        s = self.col(f"CAST(sum({bounded}) OVER ({w}) AS HUGEINT)")
        return self.col(f"CASE WHEN {known} = {size} THEN {s} END")

    def _sum_or_mean(self, e: n.Aggregate, total: Num, own: Num, size: str) -> Num:
        """The group's sum or mean from its total (over the same denominator as `own`), or the others'."""
        if not e.except_self:
            return total if e.func == "sum" else Num(total.n, self.imul(size, self.den_sql(total)))
        others = self.iadd(total.n, own.n, "-")
        alone = self.col(f"CASE WHEN {size} > 1 THEN {others} END")
        if e.func == "sum":
            return Num(alone, total.d)
        return Num(alone, self.imul(self.col(f"({size} - 1)"), self.den_sql(total)))

    def _pair_group(self, e: n.Aggregate, v: Num, w: str, size: str) -> Num:
        """sum, mean, min or max of a value whose denominator differs from row to row.

        Sums: each pair reduced, then brought to the partition's largest denominator, which must
        be a multiple of every other (else unknown: the reference evaluator sums it). Min and
        max: the pair whose exact order key is least (greatest)."""
        assert isinstance(v.d, str)
        if e.func in ("sum", "mean"):
            g = self.col(f"gcd({v.n}, {v.d})")
            rn, rd = self.col(f"({v.n} // {g})"), self.col(f"({v.d} // {g})")
            top = self.col(f"max({rd}) OVER ({w})")
            fits = self.col(f"bool_and({top} % {rd} = 0) OVER ({w})")
            scaled = self.imul(rn, self.col(f"CASE WHEN {fits} THEN {top} // {rd} END"))
            total = Num(self._sum(scaled, w, size), top)
            own = Num(scaled, top)
            return self._sum_or_mean(e, total, own, size)
        keys, exact = self._order_key(v, w, size)
        key = self.col("[" + ", ".join(keys) + "]")
        pick = "arg_min" if e.func == "min" else "arg_max"
        best_key = self.col(f"{e.func}({key}) OVER ({w})")
        pair = f"{{'n': {v.n}, 'd': {v.d}}}"
        best = self.col(f"{pick}({pair}, {key}) OVER ({w})")
        if e.except_self:
            beyond = ">" if e.func == "min" else "<"
            at_best = self.col(f"sum(CASE WHEN {key} = {best_key} THEN 1 ELSE 0 END) OVER ({w})")
            further = f"{key} {beyond} {best_key}"
            second = self.col(f"{pick}(CASE WHEN {further} THEN {pair} END, CASE WHEN {further} THEN {key} END) "
                              f"OVER ({w})")
            best = self.col(f"CASE WHEN {size} = 1 THEN NULL WHEN {key} = {best_key} AND {at_best} = 1 "
                            f"THEN {second} ELSE {best} END")
        ok = self.col(exact)
        chosen = self.col(f"CASE WHEN {ok} THEN {best} END")
        return Num(self.col(f"struct_extract({chosen}, 'n')"), self.col(f"struct_extract({chosen}, 'd')"))

    def _order_key(self, v: Num, w: str, size: str) -> tuple[list[str], str]:
        """Integer columns ordering the values as the exact rationals do, and the test that they are exact
        for the whole partition (every value known; every denominator at most 10^18)."""
        if isinstance(v.d, int):
            return [v.n], f"(count({v.n}) OVER ({w}) = {size})"
        d = v.d
        bn, bd = self.bound(v.n), self.bound(d)
        if bn is not None and bd is not None and bd <= 10**9 and bn < 2**63:
            key = self._bigint_key(v.n, d)
            return [key], f"(count({key}) OVER ({w}) = {size})"
        if bn is not None and bd is not None and bd <= 10**10 and bn < 10**18:
            # The data's bounds prove the one key below exact for every row: then the key is NULL only where
            # the value is unknown, and the rank and the count that checks it are one window.
            q = self.col(f"(({v.n} * {lit(10**20)}) // {d})")
            single = self.col(f"({q} - CASE WHEN {v.n} * {lit(10**20)} - {q} * {d} < 0 THEN 1 ELSE 0 END)")
            return [single], f"(count({single}) OVER ({w}) = {size})"
        # Most groups: one key, floor(value * 10^20), exact when every denominator is at most 10^10
        # (two different values differ by at least 10^-20) and fits while |num| < 10^18.
        scaled = self.col(f"CASE WHEN {d} <= {lit(10**10)} AND abs({v.n}) < {lit(10**18)} "
                          f"THEN {v.n} * {lit(10**20)} END")
        q = self.col(f"({scaled} // {d})")
        single = self.col(f"({q} - CASE WHEN {scaled} - {q} * {d} < 0 THEN 1 ELSE 0 END)")
        small = self.col(f"(count({single}) OVER ({w}) = {size})")
        # Otherwise: the floor, then two 18-digit chunks of the fraction: exact for denominators to 10^18.
        fits = self.col(f"(NOT {small} AND {d} <= {lit(CHUNK)})")
        t = self.col(f"CASE WHEN {fits} THEN {v.n} // {d} END")
        q0 = self.col(f"({t} - CASE WHEN {v.n} - {t} * {d} < 0 THEN 1 ELSE 0 END)")
        r0 = self.col(f"({v.n} - {q0} * {d})")
        k1 = self.col(f"({r0} * {lit(CHUNK)}) // {d}")
        r1 = self.col(f"({r0} * {lit(CHUNK)} - {k1} * {d})")
        k2 = self.col(f"({r1} * {lit(CHUNK)}) // {d}")
        keys = [self.col(f"CASE WHEN {small} THEN {single} ELSE {q0} END"),
                self.col(f"CASE WHEN {small} THEN {lit(0)} ELSE {k1} END"),
                self.col(f"CASE WHEN {small} THEN {lit(0)} ELSE {k2} END")]
        return keys, f"({small} OR count({k2}) OVER ({w}) = {size})"

    def _bigint_key(self, num: str, d: str) -> str:
        """One key, floor(num / d * 10^18), computed in BIGINT (HUGEINT division is ten times slower): exact
        where the data's bounds prove |num| < 2^63 and d <= 10^9 (two values differ by at least 10^-18).

        The floor q and the remainder r, then the fraction r / d in two 9-digit chunks of long division
        (r * 10^9 < 10^18 fits), joined as q * 10^18 + the chunks (a HUGEINT product, no division)."""
        a, b = self.col(f"CAST({num} AS BIGINT)"), self.col(f"CAST({d} AS BIGINT)")
        t = self.col(f"({a} // {b})")
        q = self.col(f"({t} - CASE WHEN {a} - {t} * {b} < 0 THEN 1 ELSE 0 END)")
        r = self.col(f"({a} - {q} * {b})")
        c1 = self.col(f"(({r} * 1000000000) // {b})")
        c2 = self.col(f"((({r} * 1000000000) - {c1} * {b}) * 1000000000) // {b}")
        return self.col(f"(CAST({q} AS HUGEINT) * {lit(10**18)} + {c1} * 1000000000 + {c2})")

    def _ordered(self, e: n.Aggregate, v: Num, w: str, size: str) -> Num:
        """rank (1 = highest, ties share the best) or percentile (the share of the others below)."""
        keys, exact = self._order_key(v, w, size)
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
