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
import re
from typing import Any

from attain.diagnostics import AttainError
from attain.engine.bind import DATE_COLUMNS, PERIOD_COLUMNS, bind, find_id_column
from attain.engine.columns import input_columns
from attain.engine.plan import Plan
from attain.io import parquet
from attain.io.tables import Row
from attain.sql import slice_index
from attain.sql.slice import MAX_HITS, Rows
from attain.sql.text import lit

_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def parquet_file(path: Any) -> str | None:
    """The path, when it names a Parquet file this fast path may read; else None."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    path = os.fspath(path)
    return path if parquet.is_parquet(path) and os.path.isfile(path) else None


def rows(plan: Plan, path: str, who: str, id_column: str | None = None, header_row: int | None = None,
         allow_ids=(), con: Any = None) -> Rows | None:
    """The employee's rows of the Parquet file at `path`, bound to `plan`; None: read the whole file instead.
    `con`: a connection (`parquet.connect`) the caller keeps for the group's rows, else one of its own."""
    if header_row is not None or not who or who != who.strip():
        return None
    own = con is None
    if own:
        con = parquet.connect()
    try:
        columns, names, head = parquet.header(con, path)
        key = find_id_column(head, id_column)
        found_columns, warnings = input_columns(plan, head, {key, *PERIOD_COLUMNS, *DATE_COLUMNS})
        k = names.index(key)
        raw, type_ = columns[k]
        text = parquet.text_sql(raw, type_)
        # The id's text holds the employee's id; the trimmed test, in Python, keeps exactly the cells the whole
        # read gives as `who` (a text column's cells are sought as `slice_index.holding` says, row groups skipped).
        lit_who = parquet.literal(who)
        test = (slice_index.holding(parquet.ident(raw), lit_who, len(who.encode("utf-8"))) if type_ == "VARCHAR"
                else f"contains({text}, {lit_who})")
        found = parquet.fetched(con, f"SELECT {parquet.select_text(columns)} FROM {parquet.source(path)} "
                                     f"WHERE {test} ORDER BY file_row_number LIMIT {MAX_HITS + 1}", path)
    except AttainError:
        return None  # the whole read reports it (D462 included), with everything else it finds
    finally:
        if own:
            con.close()
    if len(found) > MAX_HITS:
        return None
    kept = []
    for record in found:
        cells = parquet.cells_of(record, names)
        if cells[key] == who:
            kept.append(Row(int(record[len(names)]), cells))
    if not kept:
        return None
    table = parquet.parquet_table(path, tuple(kept), columns, names)
    bound = bind(plan, table, key, allow_ids)  # the employee's own errors, at their rows
    # The group's rows: the columns number, yes/no and date inputs read as stored (`native`), the others as text.
    types = {name: type_ for name, (_raw, type_) in zip(names, columns, strict=True)}
    stored = native(plan, {n: c for n, c in found_columns.items() if c != key}, types)
    select = ", ".join((parquet.ident(raw) if name in stored else parquet.text_sql(raw, type_)) + f" AS c{i}"
                       for i, (name, (raw, type_)) in enumerate(zip(names, columns, strict=True)))
    source = f"(SELECT {select} FROM {parquet.source(path)})"
    return Rows(bound, path, head, key, found_columns, tuple(warnings), frozenset(allow_ids), source=source,
                stored=stored)


def native(plan: Plan, columns: dict[str, str], types: dict[str, str]) -> dict[str, str]:
    """Column -> DuckDB type, for the columns the group values may read as they are stored, no text between:
    a DECIMAL or integer column read only by number inputs (counts: integers only), a BOOLEAN by yes/no inputs,
    a DATE by date inputs. Every other column is read as its text, with the CSV reader's checks."""
    readers: dict[str, set[str]] = {}
    for name, column in columns.items():
        readers.setdefault(column, set()).add(_kind(plan, name))
    out = {}
    for column, kinds in readers.items():
        type_ = types.get(column, "")
        decimal = _DECIMAL.fullmatch(type_)
        integer = parquet.is_integer(type_)
        fits = integer or (decimal is not None and int(decimal[1]) + int(decimal[2]) <= 38)  # x * 10^s: a DECIMAL
        stored = {"number": fits, "count": integer, "bool": type_ == "BOOLEAN", "date": type_ == "DATE"}
        if len(kinds) == 1 and stored.get(next(iter(kinds)), False):
            out[column] = type_
    return out


def _kind(plan: Plan, name: str) -> str:
    inp = plan.model.inputs[name]
    if inp.type == "count":
        return "count"
    return "number" if plan.model.types[name].numeric else inp.type


def native_inputs(plan: Plan, columns: dict[str, str], cell: dict[str, str], types: dict[str, str],
                  values: list[str], scales: dict[str, int], checks: list[str]) -> None:
    """The values and checks (in place) of the inputs read from `types`' columns, as stored: a DECIMAL(p,s)
    is its unscaled integer at scale s (s + 2 for a percent written as points), exactly the value of its text
    "digits.places"; a plain percent is a fraction, refused (for Python to decide) at 2 or more, as its text is."""
    for k, name in enumerate(plan.inputs):
        column = columns.get(name)
        if column not in types:
            continue
        c, type_, inp = cell[column], types[column], plan.model.inputs[name]
        if inp.type in ("bool", "date"):
            values[k] = c
            if inp.type == "date":
                checks.append(f"({c} IS NULL OR (isfinite({c}) AND year({c}) >= 1))")
            continue
        decimal = _DECIMAL.fullmatch(type_)
        places = int(decimal[2]) if decimal else 0
        points = inp.type == "percent" and inp.written == "points"
        scale = places + (2 if points else 0)
        value = f"CAST({c} AS HUGEINT)" if not places else f"CAST({c} * {10 ** places} AS HUGEINT)"
        values[k], scales[name] = value, scale
        if inp.type == "count":
            checks.append(f"({c} IS NULL OR {c} >= 0)")
        if inp.type == "percent" and inp.written is None:
            checks.append(f"({c} IS NULL OR abs({c}) < 2)")  # 2 or more may be points: Python decides
        if inp.bounds is not None:
            lo, hi = (b.value * 10**scale for b in (inp.bounds[0], inp.bounds[1]))
            low, high = -(-lo.numerator // lo.denominator), hi.numerator // hi.denominator
            checks.append(f"({c} IS NULL OR {value} BETWEEN {lit(max(low, -(2**127) + 1))} "
                          f"AND {lit(min(high, 2**127 - 1))})")
