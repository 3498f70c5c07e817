"""Reading for the columnar engine, Parquet: a Parquet data file read by DuckDB itself into the input relation.

Each column becomes the text the Python reader gives its cells (`attain.io.parquet.text_sql`,
the same expressions), trimmed as a CSV cell is, and then meets exactly the checks a CSV file's
cells meet (`attain.sql.read.validated`): type, range and choices of each input, ids, period
labels, duplicates and gaps. Wherever a check fails, nothing is decided here and the Python
reader reads the file, naming every problem at its row and column. A column no input may read
(a float: D460) is refused by binding's own column matching, before any row is read.
"""

from __future__ import annotations

from typing import Any

from attain.engine.bind import PERIOD_COLUMNS
from attain.engine.plan import Plan
from attain.io import parquet
from attain.sql.read import _one, _Refused, _without_periods, trimmed_cells, validated
from attain.sql.relation import InputRelation


def read_parquet_relation(con: Any, plan: Plan, path: str, table: str, id_column: str | None,
                          header_row: int | None, allowed: frozenset) -> InputRelation:
    """The Parquet file at `path` as the relation `table`; _Refused (or AttainError) where the Python reader
    decides."""
    if header_row is not None:
        raise _Refused  # U590, which the Python reader says
    columns, names, head = parquet.header(con, path)
    positions = {c: i + 1 for i, c in enumerate(names)}
    if plan.model.policy.header.period and not any(c in positions for c in PERIOD_COLUMNS):
        _without_periods(plan, positions)
    width = len(names)
    # In the file's order, so that a row's rowid is its number from 0 (the relation's __line is rowid + 1).
    con.execute(f"CREATE OR REPLACE TEMP TABLE __attain_raw AS SELECT {trimmed_cells(width)}, true AS __fits "
                f"FROM (SELECT {parquet.select_text(columns)} FROM {parquet.source(path)}) ORDER BY __row")
    rows = _one(con, "SELECT count(*) FROM __attain_raw")
    if rows == 0:
        raise _Refused
    return validated(con, plan, path, table, head, id_column, allowed, rows)
