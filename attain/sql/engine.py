"""The duckdb engine: a bound data file run through the compiled query in an in-memory DuckDB, exactly.

`SqlRunner` has the surface of `attain.engine.runner.Runner` that `api.Policy.run`
uses (`run()` yields each computed row with its `record` and `outputs`, in the
same order; `errors`), so every caller of the Python API, the command line and
the policy tests gets the engine by its name.

Rows the query marks `__fallback` are computed by `fallback_outputs`: with the
reference evaluator (through the Python runner, which hands it every row it
cannot finish), together with every row they share history or groups with. If
any row has an evaluation error (a refusal, a division by zero, a missing
value), the whole data is run again by the Python runner, so that the errors
are exactly the other engines' errors, in their order.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.bind import Bound, Record
from attain.engine.plan import Plan
from attain.engine.runner import ProgressCallback, Runner
from attain.engine.runtime import MISSING, MISSING_NUMBER
from attain.exact import EXACT, to_decimal
from attain.i18n.messages import say
from attain.sql.columns import BIGINT
from attain.sql.compile import PERIOD, Compiled, compile_policy
from attain.sql.compile_exprs import NotCompiled
from attain.sql.compile_org import load_org
from attain.sql.load import load_bound
from attain.sql.relation import InputRelation, input_column, with_bounds
from attain.sql.shapes import OutputShape


class Row(NamedTuple):
    """One computed row, as `Runner.run` yields it (a record and its outputs)."""

    record: Record
    outputs: tuple


def connect():
    """An in-memory DuckDB connection (imported here: the other engines do not need DuckDB)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false").fetchall()  # stdout may be the results' (attain run)
    return con


def converter(shapes: tuple[OutputShape, ...], first: int = 2):
    """A function from a result row (outputs from column `first` on) to the outputs as `runner.to_output`
    gives them: one generated expression per output, each a call of a function chosen here."""
    functions: dict[str, object] = {}
    parts = []
    i = first
    for k, shape in enumerate(shapes):
        if shape.kind == "fixed":
            assert shape.den is not None
            functions[f"f{k}"] = _fixed(shape.den, shape.places)
            parts.append(f"f{k}({_int(i)})")
            i += 2
        elif shape.kind == "pair":
            functions[f"f{k}"] = _pair(shape.places)
            parts.append(f"f{k}({_int(i)}, {_int(i + 2)})")
            i += 4
        else:
            parts.append(f"r[{i}]")
            i += 1
    # Only our identifiers and integers enter the source.
    source = f"def convert(r):\n    return ({''.join(p + ', ' for p in parts)})\n"
    exec(compile(source, "<attain sql outputs>", "exec"), functions)
    return functions["convert"]


def _int(i: int) -> str:
    """An integer fetched as two columns (see `execute`): the BIGINT one where it fits, else the HUGEINT one."""
    return f"(r[{i}] if r[{i}] is not None else r[{i + 1}])"


def _fixed(den: int, places: int | None):
    if places is not None and 10**places % den == 0:
        times = 10**places // den
        return lambda num: EXACT.scaleb(Decimal(num * times), -places)
    if den == 1 and places is None:
        return Decimal
    return lambda num: to_decimal(num, den, places)


def _pair(places: int | None):
    def convert(num: int, den: int):
        if den == 1 and places is None:
            return Decimal(num)
        return to_decimal(num, den, places)

    return convert


class SqlRunner:
    """Computes every record of a bound data file on DuckDB; the Python runner for the rows SQL marks."""

    def __init__(self, plan: Plan, bound: Bound, max_errors: int = 50, progress: ProgressCallback | None = None):
        self.plan = plan
        self.bound = bound
        self.max_errors = max_errors
        self.progress = progress
        self.errors: list[Diagnostic] = []
        self.fallback_rows = 0  # rows computed by the reference evaluator
        self.sql = ""

    def run(self) -> Iterator:
        plan, bound = self.plan, self.bound
        con = connect()
        try:
            loaded = load_bound(con, plan, bound)
            load_org(con, plan, bound)
            relation = with_bounds(con, loaded.relation, plan)
            try:
                compiled = compile_policy(plan, relation)
            except NotCompiled as e:
                raise AttainError([not_compiled(e)]) from None
            self.sql = compiled.sql
            if self.progress is not None:
                from attain.engine.runner import Progress

                self.progress(Progress("computing", 0, len(bound.records)))
            result = execute(con, compiled, relation)
        finally:
            con.close()
        yield from with_fallback(self, result, loaded.forced, compiled.shapes)


def with_fallback(runner, result: list[tuple], forced: Set[int], shapes) -> Iterator[Row]:
    """The query's rows in order, each marked `__fallback` (or `forced`) computed by the Python engine, which
    hands the reference evaluator what it cannot finish; an evaluation error there is the runner's `errors`
    (and no row is given). Shared by the duckdb and spark runners."""
    marked = {row[0] for row in result if row[1]} | forced
    recomputed: dict[int, tuple] = {}
    if marked:
        try:
            recomputed = fallback_outputs(runner.plan, runner.bound, marked, runner.max_errors)
        except AttainError as e:
            runner.errors = list(e.diagnostics)
            return
        runner.fallback_rows = len(recomputed)
    convert = converter(shapes)
    records = runner.bound.records
    for row in result:
        found = recomputed.get(row[0])
        yield Row(records[row[0]], found if found is not None else convert(row))


def not_compiled(e: NotCompiled) -> Diagnostic:
    """The refusal of a policy using a construct the duckdb engine does not compile yet (U569)."""
    return Diagnostic("U569", say("U569", what=e.what), e.span, label=say("U569.label"), hint=say("U569.hint"))


def execute(con, compiled: Compiled, relation: InputRelation) -> list[tuple]:
    """The compiled query's `__seq`, `__fallback` and output columns, in the order the runner computes
    rows (period, then data order)."""
    # A HUGEINT reaches Python five times slower than a BIGINT: each integer column comes as a BIGINT
    # where it fits and as a HUGEINT where it does not (the other NULL).
    wanted = []
    for c in compiled.columns:
        if c in ("__who", "__period"):
            continue
        if c.startswith("out_") and (c.endswith("_n") or c.endswith("_d")):
            fits = f"{c} BETWEEN -{BIGINT} AND {BIGINT}"
            wanted += [f"CAST(CASE WHEN {fits} THEN {c} END AS BIGINT)", f"CASE WHEN NOT ({fits}) THEN {c} END"]
        else:
            wanted.append(c)
    columns = ", ".join(wanted)
    if not compiled.prelude:
        return con.execute(f"SELECT {columns} FROM ({compiled.sql}) ORDER BY __period NULLS FIRST, __seq").fetchall()
    for statement in compiled.prelude:
        con.execute(statement).fetchall()
    rows: list[tuple] = []
    for period in relation.periods:
        con.execute("CREATE OR REPLACE TEMP TABLE attain_result AS "
                    + compiled.sql.replace(PERIOD, str(period.index))).fetchall()
        rows += con.execute(f"SELECT {columns} FROM attain_result ORDER BY __seq").fetchall()
        con.execute(compiled.keep).fetchall()
    return rows


def fallback_outputs(plan: Plan, source: Bound | tuple, seqs, max_errors: int = 50) -> dict[int, tuple]:
    """The outputs of the records `seqs` (positions in the data), computed by the Python runner.

    `source` is the `Bound` the records came from, or (connection, InputRelation) for a relation
    DuckDB read itself. Rows share what they depend on: with group values every record is
    recomputed, with history every record of the employees concerned; the result holds every
    recomputed record (a superset of `seqs`). An evaluation error anywhere raises `AttainError`
    with exactly the diagnostics the Python engine reports for the whole data, in its order.
    """
    bound = source if isinstance(source, Bound) else bound_from_relation(plan, *source)
    wanted = set(seqs)
    records = bound.records
    if plan.aggregates:
        chosen = list(range(len(records)))
    elif plan.history:
        whom = {records[s].who for s in wanted}
        chosen = [s for s, r in enumerate(records) if r.who in whom]
    else:
        chosen = sorted(wanted)
    part = attrs.evolve(bound, records=tuple(records[s] for s in chosen))
    runner = Runner(plan, part, max_errors, "python")
    states = list(runner.run())
    if runner.errors:
        if len(chosen) < len(records):
            whole = Runner(plan, bound, max_errors, "python")
            for _ in whole.run():
                pass
            raise AttainError(whole.errors)
        raise AttainError(runner.errors)
    where = {id(records[s]): s for s in chosen}
    return {where[id(state.record)]: state.outputs for state in states}


def bound_from_relation(plan: Plan, con, relation: InputRelation) -> Bound:
    """The records of an input relation, as binding would have made them (defaults filled in)."""
    from attain.engine.periods import Period

    names = plan.inputs
    columns = ", ".join(input_column(i) for i in range(len(names)))
    rows = con.execute(f"SELECT __who, __line, __period, {columns} FROM {relation.table} ORDER BY __seq").fetchall()
    kinds = [plan.model.types[name] for name in names]
    defaults: list = []
    for name, t in zip(names, kinds, strict=True):
        default = plan.model.inputs[name].default
        if default is None:
            defaults.append(MISSING_NUMBER if t.numeric else MISSING)
        elif isinstance(default.value, Fraction):
            defaults.append((default.value.numerator, default.value.denominator))
        else:
            defaults.append(default.value)
    kind = relation.periods[0].kind if relation.periods else None
    records = []
    for who, line, period, *cells in rows:
        fast: list = []
        missing = []
        for i, (cell, t) in enumerate(zip(cells, kinds, strict=True)):
            if cell is None:
                fast.append(defaults[i])
                missing.append(i)
            elif t.numeric:
                fast.append((int(cell), 10 ** relation.scales[names[i]]))
            else:
                fast.append(cell)  # a text, a yes/no or a date, as binding gives them
        records.append(Record(who, line, tuple(fast), Period(kind, period) if kind and period is not None else None,
                              frozenset(missing)))
    return Bound(relation.file, relation.id_column, dict(relation.columns), tuple(records), dict(relation.positions),
                 inputs=tuple(names))


__all__ = ["Compiled", "Row", "SqlRunner", "bound_from_relation", "fallback_outputs"]
