"""Compiling, blocks: bands, lookups, scorecards, tiers, brackets and variants as chosen values over columns.

Each block is one handler of a `nodes.Dispatch` table. A row no band row,
lookup row, tier or variant matches gets an unknown value, which the reference
evaluator turns into the same error the other engines report.
"""

from __future__ import annotations

from fractions import Fraction

from attain.dsl import nodes as n
from attain.sql.columns import NULL_NUM, Num, Scalar, TierVal, Value, constant, text_literal
from attain.sql.compile_exprs import ExprCompiler


class BlockCompiler(ExprCompiler):
    """The body of a definition: a block or an expression."""

    _BLOCK = n.Dispatch("the SQL compiler's blocks", n.BLOCKS)

    def body(self, body, name: str) -> Value:
        if type(body) in self._BLOCK.table:
            return self._BLOCK(self, body, name)
        return self.expr(body)

    def gated(self, d: n.Definition, name: str) -> Value:
        """The body, or 0 where its `unless` gate holds."""
        if d.gate is None:
            return self.body(d.body, name)
        g = self.col(self.boolean(d.gate))
        with self.under(g, False):
            value = self.body(d.body, name)
        return self.choose([(g, constant(_zero()))], value)

    def _cases(self, rows: list, otherwise) -> Value:
        """choose() over (condition column, expression) rows, compiling each result where it is reached."""
        cases: list[tuple[str, Value]] = []
        before: list[str] = []
        for cond, result in rows:
            with self._reached(before, cond):
                cases.append((cond, self.expr(result)))
            before.append(cond)
        other = None
        if otherwise is not None:
            with self._reached(before, None):
                other = self.expr(otherwise)
        return self.choose(cases, other)

    def _reached(self, before: list[str], cond: str | None):
        """Where a row's result is evaluated: no earlier row matched, and this one does."""
        parts = [f"({c} IS FALSE)" for c in before] + ([f"({cond} IS TRUE)"] if cond is not None else [])
        return self.under(self.col("(" + " AND ".join(parts) + ")") if parts else "TRUE")

    @_BLOCK.on(n.Band)
    def _band(self, band: n.Band, name: str) -> Value:
        s = self.num(band.subject)
        rows, other = [], None
        for row in band.rows:
            if row.op == "otherwise":
                other = row.result
                continue
            lo, lo_closed, hi, hi_closed = row.interval()
            parts = []
            if lo is not None:
                parts.append(self.compare(s, constant(lo), ">=" if lo_closed else ">"))
            if hi is not None:
                parts.append(self.compare(s, constant(hi), "<=" if hi_closed else "<"))
            rows.append((self.col("(" + " AND ".join(parts) + ")") if parts else "TRUE", row.result))
        return self._cases(rows, other)

    @_BLOCK.on(n.Lookup)
    def _lookup(self, lk: n.Lookup, name: str) -> Value:
        key = self.expr(lk.subject)
        key_sql = key.name if isinstance(key, TierVal) else key.sql  # type: ignore[union-attr]
        rows, other = [], None
        for row in lk.rows:
            if row.key is None:
                other = row.result
                continue
            rows.append((self.col(f"({key_sql} = {text_literal(row.key)})"), row.result))
        if other is not None:
            # An unknown key is unknown, not the `else` row.
            rows.insert(0, (self.col(f"(CASE WHEN {key_sql} IS NULL THEN NULL ELSE FALSE END)"), other))
        return self._cases(rows, other)

    @_BLOCK.on(n.Weighted)
    def _weighted(self, w: n.Weighted, name: str) -> Value:
        total: Num | None = None
        for row in w.rows:
            part = self.mul(self.num(row.name), constant(row.weight.value))
            total = part if total is None else self.add(total, part)
        assert total is not None, "a weighted sum has rows"
        return total

    @_BLOCK.on(n.Tiers)
    def _tiers(self, tiers: n.Tiers, name: str) -> Value:
        fields = dict(self.model.types[name].fields)
        cases: list[tuple[str, Value]] = []
        before: list[str] = []
        other: Value | None = None
        for row in tiers.rows:
            cond = None if row.condition is None else self.col(self.boolean(row.condition))
            with self._reached(before, cond):
                given = {r.name: r.value for r in row.results}
                values: dict[str, Value] = {}
                for field, ftype in fields.items():
                    expr = given.get(field)
                    if expr is None:
                        values[field] = Scalar("''", "text") if not ftype.numeric else _unknown()
                    else:
                        values[field] = self.expr(expr)
                value = TierVal(text_literal(row.name), values)
            if cond is None:
                other = value
                break
            cases.append((cond, value))
            before.append(cond)
        if not cases:
            assert other is not None
            return other
        return self.choose(cases, other)

    @_BLOCK.on(n.Brackets)
    def _brackets(self, br: n.Brackets, name: str) -> Value:
        amount = self.num(br.amount)
        base = self.num(br.base) if br.base is not None else constant(_one())
        if br.base is not None and all(row.upto is None for row in br.rows):
            # No bound reads the base, yet an unknown base is the row's error, as in the evaluator.
            amount = self._known_if(amount, self.col(f"({' AND '.join(_known(base))})"))
        if br.kind == "retroactive":
            rows = []
            last = None
            for row in br.rows:
                if row.upto is None:
                    last = row
                    continue
                bound = self.mul(base, constant(row.upto.value))
                rows.append((self.compare(amount, bound, "<=" if row.including else "<"), row.rate))
            assert last is not None, "brackets end with an `above` row (the checker sees to it)"
            cases: list[tuple[str, Value]] = []
            before: list[str] = []
            for cond, rate in rows:
                with self._reached(before, cond):
                    cases.append((cond, self.mul(amount, self.num(rate))))
                before.append(cond)
            with self._reached(before, None):
                other = self.mul(amount, self.num(last.rate))
            return self.choose(cases, other)
        total: Num = constant(_zero())
        lower: Num = constant(_zero())
        for row in br.rows:
            if row.upto is None:
                top = amount
            else:
                upper = self.mul(base, constant(row.upto.value))
                top = self.pick(amount, upper, "<")
            part = self.add(top, lower, "-")
            positive = self.compare(part, constant(_zero()), ">")
            with self.under(positive):  # a part of nothing pays nothing: its rate is not evaluated
                pay = self.mul(part, self.num(row.rate))
            chosen = self.choose([(positive, self.add(total, pay))], total)
            assert isinstance(chosen, Num)
            total = chosen
            if row.upto is None:
                break
            lower = upper
        return total

    @_BLOCK.on(n.Curve)
    def _curve(self, curve: n.Curve, name: str) -> Value:
        return self.curve_at(curve.rows, self.num(curve.subject))

    def _known_if(self, x: Num, known: str) -> Num:
        chosen = self.choose([(known, x)], None)
        assert isinstance(chosen, Num)
        return chosen

    @_BLOCK.on(n.Choice)
    def _choice(self, choice: n.Choice, name: str) -> Value:
        key = self.expr(choice.subject)
        assert isinstance(key, Scalar)
        cases: list[tuple[str, Value]] = []
        before: list[str] = []
        other: Value | None = None
        for keys, d in choice.branches:
            if keys is None:
                cond = None
            else:
                listed = ", ".join(text_literal(k) for k in keys)
                cond = self.col(f"({key.sql} IN ({listed}))")
            with self._reached(before, cond):
                value = self.gated(d, name)
            if cond is None:
                other = value
                break
            cases.append((cond, value))
            before.append(cond)
        if other is not None:
            cases.insert(0, (self.col(f"(CASE WHEN {key.sql} IS NULL THEN NULL ELSE FALSE END)"), other))
        if not cases:
            assert other is not None
            return other
        return self.choose(cases, other)


def _known(x: Num) -> list[str]:
    return [f"{x.n} IS NOT NULL"] + ([] if isinstance(x.d, int) else [f"{x.d} IS NOT NULL"])


def _zero() -> Fraction:
    return Fraction(0)


def _one() -> Fraction:
    return Fraction(1)


def _unknown() -> Num:
    return NULL_NUM
