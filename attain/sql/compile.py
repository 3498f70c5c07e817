"""Compiling: a checked policy's `Plan` and an `InputRelation` -> one exact DuckDB query (and its `OutputShape`s).

The query reads only the input relation and returns, per record, `__seq`,
`__who`, `__period`, `__fallback` and the outputs' columns as
`attain.sql.shapes` describes them. `__fallback` is true where any value the
other engines would compute for the row (its outputs, refusals, flags, values
kept for later periods or groups, streaks and group keys) is unknown to SQL, or
the row is refused or breaks the employee's history: the reference evaluator
then computes the row, or names its error.
"""

from __future__ import annotations

import attrs

from attain.dsl import nodes as n
from attain.dsl.model import Model
from attain.engine.plan import Plan
from attain.sql.columns import Columns, Num, Scalar, TierVal, Value, lit, text_literal
from attain.sql.compile_blocks import BlockCompiler
from attain.sql.compile_exprs import Unsupported
from attain.sql.compile_windows import WindowCompiler
from attain.sql.relation import InputRelation, input_column
from attain.sql.shapes import OutputShape

__all__ = ["Compiled", "Unsupported", "compile_policy"]


@attrs.frozen
class Compiled:
    """The query, and what Python needs to read its result."""

    sql: str
    shapes: tuple[OutputShape, ...]


class PolicyCompiler(BlockCompiler, WindowCompiler):
    """Compiles every value the plan keeps, on demand, each once."""

    def __init__(self, plan: Plan, relation: InputRelation):
        self.plan = plan
        self.model: Model = plan.model
        self.relation = relation
        self.cols = Columns()
        self.values: dict[str, Value] = {}
        self.reach: list[str] = []
        self.streaks: list[Value] = []
        self.group_keys: list[str] = []
        self._compiling: list[str] = []
        self.periodic = relation.periodic
        gaps = self.model.policy.header.gaps or "error"
        if self.periodic:
            self.gap = self.cols.add("(CASE WHEN __period - lag(__period) OVER (PARTITION BY __who ORDER BY __period) "
                                     "> 1 THEN 1 ELSE 0 END)")
            self.segment = (self.cols.add(f"sum({self.gap}) OVER (PARTITION BY __who ORDER BY __period "
                                          "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")
                            if gaps == "restart" else "0")
        else:
            self.gap, self.segment = "0", "0"
        self.gaps_fail = self.periodic and gaps != "restart" and bool(plan.history)

    # ------------------------------------------------------------ names
    def input_column(self, name: str) -> str:
        return input_column(self.relation.inputs.index(name))

    def named(self, name: str) -> Value:
        found = self.values.get(name)
        if found is not None:
            return found
        if name in self._compiling:
            raise Unsupported(f"'{name}' is carried from one period to the next (it reads its own earlier value)")
        self._compiling.append(name)
        saved, self.reach = self.reach, []  # a definition is computed for every row, wherever it is used
        try:
            value = self._input(name) if name in self.model.inputs else self._definition(name)
        finally:
            self.reach = saved
            self._compiling.pop()
        self.values[name] = value
        return value

    def earlier(self, name: str) -> Value:
        return self.named(name)

    def _input(self, name: str) -> Value:
        inp = self.model.inputs[name]
        column = self.input_column(name)
        default = inp.default
        if self.model.types[name].numeric:
            scale = 10 ** self.relation.scales[name]
            value = Num(column, scale)
            if default is None:
                return value
            assert isinstance(default, n.Number)
            return self.choose([(f"({column} IS NULL)", Num(lit(default.value.numerator), default.value.denominator,
                                                              default.value))], value)
        kind = self.model.types[name].kind
        if default is None:
            return Scalar(column, kind)
        if isinstance(default, n.Bool):
            return Scalar(self.col(f"coalesce({column}, {'TRUE' if default.value else 'FALSE'})"), kind)
        assert isinstance(default, n.Text)
        return Scalar(self.col(f"coalesce({column}, {text_literal(default.value)})"), kind)

    def _definition(self, name: str) -> Value:
        d = self.model.definitions[name]
        if isinstance(d, (n.FlagDecl, n.Refusal)):
            return Scalar(self.col(self.boolean(d.condition)), "bool")
        return self.gated(d, name)

    # ------------------------------------------------------------ the query
    def query(self) -> Compiled:
        layout_names = list(self.plan.slots)
        for name in layout_names:
            self.named(name)
        unknown: list[str] = []
        for name in layout_names:
            unknown += self.is_null(self.values[name])
        for name in self.model.refusals:
            refused = self.values[name]
            assert isinstance(refused, Scalar)
            unknown.append(f"({refused.sql}) IS NOT FALSE")  # refused, or not known to be allowed
        for streak in self.streaks:
            unknown += self.is_null(streak)
        unknown += [f"{key} IS NULL" for key in self.group_keys]
        if self.gaps_fail:
            unknown.append(f"{self.gap} = 1")
        fallback = self.cols.add("(" + " OR ".join(f"({u})" for u in unknown) + ")") if unknown else "FALSE"
        selected = ["__seq", "__who", "__period", f"{fallback} AS __fallback"]
        shapes = []
        for k, out in enumerate(self.plan.outputs):
            v = self.values[out.name]
            if isinstance(v, Num):
                selected.append(f"{v.n} AS out_{k}_n")
                if isinstance(v.d, int):
                    shapes.append(OutputShape(out.name, out.type, out.places, "fixed", v.d))
                else:
                    selected.append(f"{v.d} AS out_{k}_d")
                    shapes.append(OutputShape(out.name, out.type, out.places, "pair"))
            elif isinstance(v, TierVal):
                selected.append(f"{v.name} AS out_{k}")
                shapes.append(OutputShape(out.name, out.type, out.places, "text"))
            else:
                selected.append(f"{v.sql} AS out_{k}")
                shapes.append(OutputShape(out.name, out.type, out.places, v.kind))
        source = self.relation.table
        stages = []
        for i, level in enumerate(self.cols.levels):
            if not level:
                continue
            body = ", ".join(f"{sql} AS {name}" for name, sql in level)
            stages.append(f"_l{i} AS (SELECT *, {body} FROM {source})")
            source = f"_l{i}"
        with_ = ("WITH " + ",\n".join(stages) + "\n") if stages else ""
        return Compiled(f"{with_}SELECT {', '.join(selected)} FROM {source}", tuple(shapes))


def compile_policy(plan: Plan, relation: InputRelation) -> Compiled:
    """The query computing `plan`'s outputs over `relation`; `Unsupported` names a construct it cannot compile."""
    return PolicyCompiler(plan, relation).query()

