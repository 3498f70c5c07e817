"""Explaining at scale, Parquet: one employee's rows of a large Parquet file, read without the rest.

What `attain.sql.slice` does for a CSV file, for a Parquet file: DuckDB reads the id column
(Parquet is stored by column, so the others are read only for the row groups that hold the
employee), keeps the rows whose id cell, trimmed as the Python reader trims it, is the
employee's, and makes each of their cells the text the Python reader makes it
(`attain.io.parquet`); binding then reads them with the same rules and diagnostics as a
whole read, each named at its row number. The group's rows are read from the same file in
SQL by `attain.sql.slice_groups`, through `Rows.source`.

`rows` returns None, and the caller reads the whole file, wherever it cannot decide: a
column an input may not read (the whole read says D460), no such employee (the whole read
suggests a near id), an id with a character that trimming could remove.
"""

from __future__ import annotations

import os
from typing import Any

from attain.diagnostics import AttainError
from attain.engine.bind import DATE_COLUMNS, PERIOD_COLUMNS, bind, find_id_column
from attain.engine.columns import input_columns
from attain.engine.plan import Plan
from attain.io import parquet
from attain.io.tables import Row
from attain.sql.slice import MAX_HITS, Rows


def parquet_file(path: Any) -> str | None:
    """The path, when it names a Parquet file this fast path may read; else None."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    path = os.fspath(path)
    return path if parquet.is_parquet(path) and os.path.isfile(path) else None


def rows(plan: Plan, path: str, who: str, id_column: str | None = None, header_row: int | None = None,
         allow_ids=()) -> Rows | None:
    """The employee's rows of the Parquet file at `path`, bound to `plan`; None: read the whole file instead."""
    if header_row is not None or not who or who != who.strip():
        return None
    con = parquet.connect()
    try:
        columns = parquet.schema(con, path)
        names = parquet.column_names(path, columns)
        head = parquet.parquet_table(path, (), columns, names)
        key = find_id_column(head, id_column)
        found_columns, warnings = input_columns(plan, head, {key, *PERIOD_COLUMNS, *DATE_COLUMNS})
        k = names.index(key)
        raw, type_ = columns[k]
        text = parquet.text_sql(raw, type_)
        # The id's text holds the employee's id (an exact test on the raw column lets DuckDB skip row groups by
        # their statistics); the trimmed test, in Python, keeps exactly the cells the whole read gives as `who`.
        test = (f"{parquet.ident(raw)} = {parquet.literal(who)} OR contains({parquet.ident(raw)}, "
                f"{parquet.literal(who)})" if type_ == "VARCHAR" else f"contains({text}, {parquet.literal(who)})")
        found = con.execute(f"SELECT {parquet.select_text(columns)} FROM {parquet.source(path)} WHERE {test} "
                            f"ORDER BY file_row_number LIMIT {MAX_HITS + 1}").fetchall()
    except AttainError:
        return None  # the whole read reports it, with everything else it finds
    except Exception as e:
        if not parquet.is_duckdb_error(e):
            raise
        return None
    finally:
        con.close()
    if len(found) > MAX_HITS:
        return None
    width = len(names)
    kept = []
    for record in found:
        cells = {name: (t.strip() or None) if t is not None else None
                 for name, t in zip(names, record[:width], strict=True)}
        if cells[key] == who:
            kept.append(Row(int(record[width]), cells))
    if not kept:
        return None
    table = parquet.parquet_table(path, tuple(kept), columns, names)
    bound = bind(plan, table, key, allow_ids)  # the employee's own errors, at their rows
    source = f"(SELECT {parquet.select_text(columns)} FROM {parquet.source(path)})"
    return Rows(bound, path, head, key, found_columns, tuple(warnings), frozenset(allow_ids), source=source)
