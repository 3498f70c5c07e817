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
from attain.sql.columns import LIMIT, NULL_NUM, Columns, Num, Scalar, TierVal, Value, lit, text_literal
from attain.sql.compile_accrual import AccrualCompiler
from attain.sql.compile_blocks import BlockCompiler
from attain.sql.compile_dates import DateCompiler
from attain.sql.compile_exprs import Carried
from attain.sql.compile_org import ORG_ROW, ORG_SOURCE, OrgCompiler
from attain.sql.compile_tables import TableCompiler
from attain.sql.compile_windows import WindowCompiler
from attain.sql.relation import InputRelation, input_column
from attain.sql.shapes import OutputShape

__all__ = ["Compiled", "compile_policy"]



PERIOD = "__PERIOD__"  # in a period-by-period query: where the period's index goes
KEPT = "attain_kept"  # the table of earlier periods' kept values, in period-by-period mode
HISTORY = "attain_history"  # the input relation with each row's unbroken run of periods, in that mode
RESULT_COLUMNS = ("__seq", "__who", "__period", "__fallback")


@attrs.frozen
class Compiled:
    """The query, and what Python needs to run it and read its result.

    With `prelude` (values carried from period to period), the statements of `prelude` run
    first, then `sql` once per period with PERIOD replaced by the period's index, each time
    appending the period's `kept` columns to the KEPT table (`keep` is that statement).
    """

    sql: str
    shapes: tuple[OutputShape, ...]
    columns: tuple[str, ...] = ()  # the result's columns, in order
    prelude: tuple[str, ...] = ()
    keep: str = ""


class PolicyCompiler(OrgCompiler, BlockCompiler, WindowCompiler, TableCompiler, AccrualCompiler,
                     DateCompiler):
    """Compiles every value the plan keeps, on demand, each once."""

    def __init__(self, plan: Plan, relation: InputRelation, carried: bool = False):
        self.plan = plan
        self.model: Model = plan.model
        self.relation = relation
        self.cols = Columns()
        self.cols.bounds.update(relation.bounds)
        self.values: dict[str, Value] = {}
        self.reach: list[str] = []
        self.streaks: list[Value] = []
        self.group_keys: list[str] = []
        self._compiling: list[str] = []
        self.periodic = relation.periodic
        self.carried = carried and self.periodic
        self.kept: list[str] = []
        self.kept_streaks: dict = {}
        self.kept_accruals: dict = {}
        self.streak_value: dict = {}
        self.offsets: set[int] = set()
        gaps = self.model.policy.header.gaps or "error"
        if self.carried:
            self.gap, self.segment = "__gap", "0"
        elif self.periodic and plan.history:
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
            raise Carried(name)
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
            self.values[name] = written(self.named(name))
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
        shapes: list[OutputShape] = []
        for k, out in enumerate(self.plan.outputs):
            v = self.values[out.name]
            if isinstance(v, Num):
                selected.append(f"{v.n} AS out_{k}_n")
                if isinstance(v.d, int):
                    shapes.append(OutputShape(out.name, out.type, out.places, "fixed", v.d, (self.bound(v.n), v.d)))
                else:
                    selected.append(f"{v.d} AS out_{k}_d")
                    shapes.append(OutputShape(out.name, out.type, out.places, "pair",
                                              bounds=(self.bound(v.n), self.bound(v.d))))
            elif isinstance(v, TierVal):
                selected.append(f"{v.name} AS out_{k}")
                shapes.append(OutputShape(out.name, out.type, out.places, "text"))
            else:
                selected.append(f"{v.sql} AS out_{k}")
                shapes.append(OutputShape(out.name, out.type, out.places, v.kind))
        columns = tuple(x.split(" AS ")[-1] for x in selected)
        if self.carried:
            return self._carried(selected, tuple(shapes), columns)
        return Compiled(self._stages(self.relation.table, selected), tuple(shapes), columns)

    def _stages(self, source: str, selected: list[str]) -> str:
        stages = []
        for i, level in enumerate(self.cols.scheduled(", ".join(selected))):
            if not level:
                continue
            body = ", ".join(f"{sql} AS {name}" for name, sql in level)
            if ORG_SOURCE in body:  # a value over reports reads this level's rows beside the row (compile_org)
                body, source = body.replace(ORG_SOURCE, source), f"{source} AS {ORG_ROW}"
            stages.append(f"_l{i} AS (SELECT *, {body} FROM {source})")
            source = f"_l{i}"
        with_ = ("WITH " + ",\n".join(stages) + "\n") if stages else ""
        return f"{with_}SELECT {', '.join(selected)} FROM {source}"

    def _carried(self, selected: list[str], shapes: tuple[OutputShape, ...], columns: tuple[str, ...]) -> Compiled:
        """Period by period: each period's rows joined to the kept values of the periods before."""
        gaps = self.model.policy.header.gaps or "error"
        run = "PARTITION BY __who ORDER BY __period"
        gap = f"CASE WHEN __period - lag(__period) OVER ({run}) > 1 THEN 1 ELSE 0 END"
        start = ("min(__period) OVER (PARTITION BY __who, __run)" if gaps == "restart"
                 else "min(__period) OVER (PARTITION BY __who)")
        prelude = [
            f"CREATE OR REPLACE TEMP TABLE {HISTORY} AS SELECT *, {start} AS __start FROM "
            f"(SELECT *, sum(__gap) OVER ({run} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS __run "
            f"FROM (SELECT *, {gap} AS __gap FROM {self.relation.table}))",
        ]
        kept_types, kept_values = ["__who VARCHAR", "__period INTEGER"], ["__who", "__period"]
        for k, name in enumerate(self.kept):
            t = self.model.types[name]
            v = self.values[name]
            if t.numeric:
                assert isinstance(v, Num)
                d = self.den_sql(v)
                g = f"gcd({v.n}, {d})"
                kept_types += [f"k{k}_n HUGEINT", f"k{k}_d HUGEINT"]
                kept_values += [f"{v.n} // {g}", f"{d} // {g}"]
            else:
                kept_types.append(f"k{k} {_SQL_TYPES['text' if t.kind == 'tier' else t.kind]}")
                kept_values.append(v.name if isinstance(v, TierVal) else v.sql)  # type: ignore[union-attr]
        for node, j in self.kept_streaks.items():
            kept_types.append(f"s{j} HUGEINT")
            kept_values.append(self._streak_of(node))
        for node, j in list(self.kept_accruals.items()):  # a plan year's running totals (compile_accrual)
            total = self.running_total(node)
            d, g = self.den_sql(total), f"gcd({total.n}, {self.den_sql(total)})"
            kept_types += [f"a{j}_n HUGEINT", f"a{j}_d HUGEINT"]
            kept_values += [f"{total.n} // {g}", f"{d} // {g}"]
        prelude.append(f"CREATE OR REPLACE TEMP TABLE {KEPT} ({', '.join(kept_types)})")
        names = [x.split(" ")[0] for x in kept_types]
        selected = selected + [f"{value} AS {name}" for name, value in zip(names[2:], kept_values[2:], strict=True)]
        joins, picked = [], ["i.*"]
        for back in sorted(self.offsets):
            joins.append(f"LEFT JOIN {KEPT} h{back} ON h{back}.__who = i.__who "
                         f"AND h{back}.__period = i.__period - {back}")
            picked += [f"h{back}.{name} AS h{back}_{name}" for name in names[2:]]
        source = f"(SELECT {', '.join(picked)} FROM {HISTORY} i {' '.join(joins)} WHERE i.__period = {PERIOD})"
        keep = f"INSERT INTO {KEPT} SELECT {', '.join(names)} FROM attain_result"
        return Compiled(self._stages(source, selected), shapes, columns, tuple(prelude), keep)

    def _streak_of(self, node) -> str:
        v = self.streak_value[node]
        assert isinstance(v, Num)
        return v.n


_SQL_TYPES = {"text": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}


def compile_policy(plan: Plan, relation: InputRelation) -> Compiled:
    """The query computing `plan`'s outputs over `relation`, for every construct of the language.

    A policy that carries a value from period to period (a value reading its own earlier value)
    is compiled to run period by period."""
    try:
        return PolicyCompiler(plan, relation).query()
    except Carried:
        return PolicyCompiler(plan, relation, carried=True).query()


def written(v: Value) -> Value:
    """`v`, or unknown where its static denominator is beyond 128 bits and no power of ten (1/3 divided by
    30 primes): no SQL literal holds it, nor does a kept table, and the writers print only a power of ten that
    large (by the digits' positions). The row is the reference evaluator's: the same number, printed by Python."""
    if isinstance(v, Num) and isinstance(v.d, int) and v.d >= LIMIT and 10 ** (len(str(v.d)) - 1) != v.d:
        return NULL_NUM
    if isinstance(v, TierVal):
        return TierVal(v.name, {f: written(x) for f, x in v.fields.items()})
    return v
