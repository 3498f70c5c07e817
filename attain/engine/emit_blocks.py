"""Emitting, part two: the tables of a policy (bands, lookups, tiers, brackets) as guarded steps of a stage.

A base of `emit.Emitter`, which provides the expression emitters these call.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.dsl.model import Model
from attain.dsl.types import Type
from attain.engine.writer import Body, Code, Pair, Writer, pair


class BlockEmitter(Writer):
    """Band rows, lookup rows, tier rows and brackets, each a chain of guarded steps."""

    model: Model
    var: dict[str, str]

    # provided by emit.Emitter
    def num(self, e: object) -> Pair:
        raise NotImplementedError

    def value(self, e: object, kind: str | None = None) -> Code:
        raise NotImplementedError

    def text(self, e: object) -> str:
        raise NotImplementedError

    def boolean(self, e: object) -> str:
        raise NotImplementedError

    def _result_body(self, expr: object, target: str, kind: str) -> Body:
        def emit() -> None:
            self.assign(target, self.value(expr, kind), kind)

        return emit

    def band(self, band: n.Band, target: str, kind: str) -> None:
        s = self.num(band.subject)
        rows, other = [], None
        for row in band.rows:
            if row.op == "otherwise":
                other = row
                continue
            rows.append((self._interval_code(s, row.interval()), self._result_body(row.result, target, kind)))
        otherwise = self._result_body(other.result, target, kind) if other else self.raising("no band row")
        self.chain(rows, otherwise)

    def _interval_code(self, s: Pair, iv: tuple) -> str:
        lo, lo_c, hi, hi_c = iv
        parts = []
        if lo is not None:
            parts.append(self.less(s, pair(lo), ">=" if lo_c else ">"))
        if hi is not None:
            parts.append(self.less(s, pair(hi), "<=" if hi_c else "<"))
        return " and ".join(parts) or "True"

    def lookup(self, lk: n.Lookup, target: str, kind: str) -> None:
        key = self.text(lk.subject)
        rows, other = [], None
        for row in lk.rows:
            if row.key is None:
                other = row
                continue
            rows.append((f"{key} == {self.const(row.key)}", self._result_body(row.result, target, kind)))
        otherwise = self._result_body(other.result, target, kind) if other else self.raising("no lookup row")
        self.chain(rows, otherwise)

    def tiers(self, tiers: n.Tiers, name: str) -> None:
        target = self.var[name]
        t = self.model.types[name]
        fields = dict(t.fields)

        def body(row: n.TierRow) -> Body:
            def emit() -> None:
                self.emit(f"{target} = {self.const(row.name)}")
                given = {r.name: r.value for r in row.results}
                for field, ftype in fields.items():
                    fkind = kind_of_type(ftype)
                    expr = given.get(field, n.Text(""))
                    self.assign(f"{target}_{ident(field)}", self.value(expr, fkind), fkind)

            return emit

        # Conditions after the first must be evaluated only when earlier ones failed (they may
        # divide by values the earlier tiers guard), so each row is guarded by a flag saying
        # whether one matched: flat, however many rows the table has.
        done = f"{self.tmp()}_c"
        for i, row in enumerate(tiers.rows):
            if i:
                self.emit(f"if not {done}:")
                self.depth += 1
            if row.condition is None:
                body(row)()
            else:
                self.emit(f"{done} = {self.boolean(row.condition)}")
                self.emit(f"if {done}:")
                self.depth += 1
                body(row)()
                self.depth -= 1
            if i:
                self.depth -= 1
            if row.condition is None:
                return
        self.emit(f"if not {done}: raise Fallback('no tier')")

    def brackets(self, br: n.Brackets, target: str) -> None:
        amount = self.num(br.amount)
        base = self.num(br.base) if br.base is not None else ("1", "1")
        if br.base is not None and all(row.upto is None for row in br.rows) and base[0].isidentifier():
            # No bound reads the base, yet it is the bracket's to compute (as the reference evaluator
            # does): an empty cell there falls back, so that the row's error names it.
            self.emit(f"if {base[0]} is MISSING: raise Fallback('missing value')")
        if br.kind == "retroactive":
            self._retroactive(br, amount, base, target)
            return
        total: Pair = ("0", "1")
        lower: Pair = ("0", "1")
        for row in br.rows:
            if row.upto is None:
                top = amount
            else:
                upper = self.mul(base, pair(row.upto.value))
                top = self.pick(amount, upper, "<")
            part = self.add(top, lower, "-")
            acc = self.tmp()
            self.emit(f"if {part[0]} > 0:")
            self.depth += 1
            pay = self.mul(part, self.num(row.rate))
            new_total = self.add(total, pay)
            self.assign(acc, new_total, "num")
            self.depth -= 1
            self.emit("else:")
            self.depth += 1
            self.assign(acc, total, "num")
            self.depth -= 1
            total = (f"{acc}_n", f"{acc}_d")
            if row.upto is not None:
                lower = upper
        self.assign(target, total, "num")

    def _retroactive(self, br: n.Brackets, amount: Pair, base: Pair, target: str) -> None:
        """The whole amount at the rate of the first bracket it fits under."""
        rows = []
        last = None
        for row in br.rows:
            if row.upto is None:
                last = row
                continue
            bound = self.mul(base, pair(row.upto.value))
            # `up to B` holds an amount of B, `below B` does not (BracketRow.including)
            rows.append((self.less(amount, bound, "<=" if row.including else "<"),
                         self._rate_times(amount, row.rate, target)))
        if last is None:
            raise AssertionError("brackets end with an `above` row (the checker sees to it)")
        self.chain(rows, self._rate_times(amount, last.rate, target))

    def _rate_times(self, amount: Pair, rate: object, target: str) -> Body:
        def emit() -> None:
            self.assign(target, self.mul(amount, self.num(rate)), "num")

        return emit


def kind_of_type(t: Type | None) -> str:
    """The kind of code holding a value of type `t`; a tier reads as its name, so it is held like a text."""
    if t is None:
        raise AssertionError("no type")
    if t.numeric:
        return "num"
    if t.kind == "bool":
        return "bool"
    if t.kind in ("text", "date", "tier"):
        return "text"
    raise AssertionError(f"no emission for a value of type {t.kind!r}")


def ident(field: str) -> str:
    """A tier result's name as part of a Python identifier (Unicode names stay ASCII-safe)."""
    return "f" + field.encode("utf-8").hex()
