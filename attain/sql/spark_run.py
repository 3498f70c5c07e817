"""`attain run --engine spark` over a Spark table (`--data table:NAME`) or Parquet data: read, checked and
computed on Spark.

The data's cells are checked where the data is (`attain.sql.spark_read`), the policy's
query (`attain.sql.compile`) runs over the checked relation on Spark, and only the results,
one row per employee and period, come to this machine: into an embedded DuckDB, which writes
them as the duckdb engine writes its own (`attain.sql.write`: CSV, JSON or Parquet, byte for
byte, with the manifest). Rows the query leaves to the reference evaluator (`__fallback`)
are computed in Python from the relation, which is then brought here too.

`run_table_to_file` returns None, having written nothing, where it does not decide: data
whose cells the checks on Spark do not accept (the Python reader then reads it and words
every problem), a period outside the policy's dates, a query Spark cannot plan or that
overflows DECIMAL(38,0), or no pyarrow to bring the results here in columns. The caller then
runs the policy the ordinary way with the spark engine, which computes such rows exactly.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.periods import Period
from attain.engine.plan import Plan
from attain.sql.compile import compile_policy
from attain.sql.compile_exprs import NotCompiled
from attain.sql.engine import connect, fallback_outputs, not_compiled
from attain.sql.relation import InputRelation, input_column, with_bounds
from attain.sql.run import MEMORY_LIMIT, Written
from attain.sql.spark_engine import (
    INTERPRETED_ROWS,
    forget_views,
    interpreted_if,
    refused_to_plan,
    result_frame,
    session,
    stopped_by_overflow,
)
from attain.sql.spark_read import SparkStatements, spark_relation
from attain.sql.write import FORMATS, quote, write_query

_RESULTS = "__attain_results"
_names = itertools.count()


def run_table_to_file(plan: Plan, spec: str, *, fmt: str, out: str | None, manifest: dict | None,
                      beside: dict[str, str] | None, in_force: Callable[[Period], bool], id_column: str | None = None,
                      allow_ids=(), max_errors: int = 50, master: str | None = None,
                      warn: Callable[[tuple[Diagnostic, ...]], None] | None = None) -> Written | None:
    """Run `plan` over the Spark table `spec` (`table:NAME`) or the Parquet data at `spec`, and write its results
    as `fmt` to `out`, as `attain.sql.run.run_to_file` does for a file; None: not decided here, nothing written."""
    if fmt not in FORMATS or not _arrow_ready():
        return None  # without pyarrow (pyspark installed alone, not `attain[spark]`) the results come row by row
    spark = session(master)
    made: list = []
    con = connect()
    spill = tempfile.mkdtemp(prefix="attain-duckdb-")
    try:
        con.execute(f"SET temp_directory = {quote(spill)}").fetchall()
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'").fetchall()
        table = f"attain_input_t{next(_names)}"
        relation = spark_relation(spark, plan, spec, table, id_column, frozenset(allow_ids), made)
        if relation is None or not all(in_force(p) for p in relation.periods):
            return None  # the Python reader reads the table, and words what is wrong with it
        relation = with_bounds(SparkStatements(spark, made), _in_runner_order(spark, relation, made), plan)
        try:
            compiled = compile_policy(plan, relation)
        except NotCompiled as e:
            raise AttainError([not_compiled(e)]) from None
        try:
            with interpreted_if(spark, relation.rows <= INTERPRETED_ROWS):
                _to_duckdb(con, result_frame(spark, compiled, relation, made), _RESULTS)
        except Exception as e:
            if stopped_by_overflow(e) or refused_to_plan(e):
                return None  # every row is the reference evaluator's: the spark engine's ordinary run does that
            raise
        recomputed: list[int] = []

        def fallback(seqs: list[int]) -> dict[int, tuple]:
            _to_duckdb(con, spark.table(relation.table), relation.table)
            found = fallback_outputs(plan, (con, relation), seqs, max_errors)
            recomputed.append(len(found))
            return found

        rows = write_query(con, f"SELECT * FROM {_RESULTS}", compiled.shapes, key=relation.id_column,
                           periods=relation.periods, fmt=fmt, out=out, fallback=fallback, manifest=manifest,
                           beside=beside,
                           ready=(lambda: warn(relation.warnings)) if warn and relation.warnings else None)
        return Written(rows, relation.warnings, sum(recomputed))
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
        forget_views(spark, made)


def _arrow_ready() -> bool:
    """Whether `DataFrame.toArrow` can run: pyarrow installed, in a version this pyspark accepts (its own test)."""
    from pyspark.sql.pandas.utils import require_minimum_pyarrow_version

    try:
        require_minimum_pyarrow_version()
    except Exception:  # PySparkImportError (missing, too old), PySparkRuntimeError (a legacy IPC setting)
        return False
    return True


def _in_runner_order(spark, relation: InputRelation, made: list) -> InputRelation:
    """The relation numbered in the order the Python engine computes and writes rows: period by period, each in
    the table's order. Each row's number is the rows of the periods before its own plus its place in its period
    (a window over each period, not over the whole table in one partition)."""
    if not relation.periodic:
        return relation
    inputs = "".join(f", r.{input_column(k)}" for k in range(len(relation.inputs)))
    t = relation.table
    renumbered = spark.sql(
        f"SELECT CAST(o.start + row_number() OVER (PARTITION BY r.__period ORDER BY r.__seq) - 1 AS BIGINT) AS __seq, "
        f"r.__line, r.__who, r.__period{inputs} FROM {t} r JOIN (SELECT __period, coalesce(sum(n) OVER (ORDER BY "
        f"__period ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start FROM (SELECT __period, count(*) "
        f"AS n FROM {t} GROUP BY __period)) o ON o.__period = r.__period").localCheckpoint()
    renumbered.createOrReplaceTempView(t)
    made += [t, renumbered]
    return relation


def _to_duckdb(con, frame, name: str) -> None:
    """A Spark DataFrame as the DuckDB table `name` (through Arrow), each DECIMAL(38,0) a HUGEINT as the
    duckdb engine's tables hold integers."""
    arrow = frame.toArrow()
    con.register("__attain_arrow", arrow)
    try:
        described = con.execute("DESCRIBE SELECT * FROM __attain_arrow").fetchall()
        columns = ", ".join(f'CAST("{c}" AS HUGEINT) AS "{c}"' if kind == "DECIMAL(38,0)" else f'"{c}"'
                            for c, kind, *_ in described)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {columns} FROM __attain_arrow").fetchall()
    finally:
        con.unregister("__attain_arrow")
