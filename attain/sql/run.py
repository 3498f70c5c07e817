"""`attain run --engine duckdb`, end to end in DuckDB: read, validate, compute and write without a Python row.

The data file is read and validated by DuckDB (`attain.sql.read`), the policy's query
(`attain.sql.compile`) computes over it, and the results are written by DuckDB with COPY
(`attain.sql.write`) as the Python writers would write them, byte for byte, with the
manifest. Python holds no object per row: memory stays bounded as rows grow.

`run_to_file` returns None, having written and said nothing, wherever it does not decide:
a file the fast reader does not read exactly as the Python reader does (any invalid cell
included: the Python reader then words every diagnostic), a period outside the policy's
dates. The caller then runs the policy the ordinary way, with the same engine. Rows the
query leaves to the reference evaluator (`__fallback`) are computed in Python from the
relation and merged in order; an evaluation error there stops the run with exactly the
Python engine's errors, and nothing is written.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from typing import Any

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.periods import Period
from attain.engine.plan import Plan
from attain.sql.compile import PERIOD, compile_policy
from attain.sql.compile_exprs import NotCompiled
from attain.sql.engine import connect, fallback_outputs, not_compiled
from attain.sql.read import read_relation
from attain.sql.relation import InputRelation, with_bounds
from attain.sql.write import FORMATS, quote, write_query

__all__ = ["FORMATS", "Written", "run_to_file"]

_RESULTS = "__attain_results"
MEMORY_LIMIT = "512MB"  # DuckDB's buffers; the process's peak adds Python and DuckDB's own structures


@attrs.frozen
class Written:
    """What a run written by DuckDB did: the rows written, and what reading found worth a warning."""

    rows: int
    warnings: tuple[Diagnostic, ...]
    fallback_rows: int


def run_to_file(plan: Plan, data: str, *, fmt: str, out: str | None, manifest: dict | None,
                beside: dict[str, str] | None, in_force: Callable[[Period], bool], id_column: str | None = None,
                header_row: int | None = None, allow_ids=(), max_errors: int = 50,
                warn: Callable[[tuple[Diagnostic, ...]], None] | None = None) -> Written | None:
    """Run `plan` over the data file `data` and write its results as `fmt` (csv, json, parquet) to `out`
    (None or "-": standard output), `beside` written with it (a CSV's manifest sidecar); None: not decided here.

    `manifest` goes inside a JSON or Parquet file. `in_force` says whether the policy applies to a period.
    `warn` is given what reading found worth a warning once every row is computed, before anything is written
    (as the ordinary run shows them); a run that stops with an error shows none."""
    if fmt not in FORMATS:
        return None
    con = connect()
    spill = tempfile.mkdtemp(prefix="attain-duckdb-")
    try:
        # Memory stays bounded as rows grow: what does not fit spills to disk beside the other temporary files.
        con.execute(f"SET temp_directory = {quote(spill)}").fetchall()
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'").fetchall()
        relation = read_relation(con, plan, data, id_column=id_column, header_row=header_row, allow_ids=allow_ids)
        if relation is None or not all(in_force(p) for p in relation.periods):
            return None  # the Python reader reads it, and words what is wrong with it
        relation = with_bounds(con, _in_runner_order(con, relation), plan)
        try:
            compiled = compile_policy(plan, relation)
        except NotCompiled as e:
            raise AttainError([not_compiled(e)]) from None
        query = compiled.sql
        if compiled.prelude:  # period by period: each period's rows kept in one table, written from there
            for statement in compiled.prelude:
                con.execute(statement).fetchall()
            for i, period in enumerate(relation.periods):
                sql = compiled.sql.replace(PERIOD, str(period.index))
                con.execute("CREATE OR REPLACE TEMP TABLE attain_result AS " + sql).fetchall()
                con.execute(f"CREATE TEMP TABLE {_RESULTS} AS SELECT * FROM attain_result" if i == 0
                            else f"INSERT INTO {_RESULTS} SELECT * FROM attain_result").fetchall()
                con.execute(compiled.keep).fetchall()
            query = f"SELECT * FROM {_RESULTS}"
        recomputed: list[int] = []

        def fallback(seqs: list[int]) -> dict[int, tuple]:
            found = fallback_outputs(plan, (con, relation), seqs, max_errors)
            recomputed.append(len(found))
            return found

        rows = write_query(con, query, compiled.shapes, key=relation.id_column, periods=relation.periods, fmt=fmt,
                           out=out, fallback=fallback, manifest=manifest, beside=beside,
                           ready=(lambda: warn(relation.warnings)) if warn and relation.warnings else None)
        return Written(rows, relation.warnings, sum(recomputed))
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _in_runner_order(con: Any, relation: InputRelation) -> InputRelation:
    """The relation numbered in the order the Python engine computes and writes rows: period by period, each
    in data order (a file need not list its periods in order)."""
    if not relation.periodic:
        return relation
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation.table} AS SELECT * REPLACE (CAST(row_number() OVER "
                f"(ORDER BY __period, __seq) - 1 AS BIGINT) AS __seq) FROM {relation.table} ORDER BY __seq")
    return relation
