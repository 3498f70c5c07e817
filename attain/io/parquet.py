"""Parquet reader: a Parquet data file -> a Table of text cells, each the text a CSV cell of the same value holds.

A Parquet column has a type; attain's inputs read text (`attain.io.cells.parse_cell`).
Each value becomes exactly the text the policy's input parser would get from a CSV file:
strings as they are (trimmed, empty is no value), integers in digits, a DECIMAL(p,s) with
its s places ("1234.5000"), a DATE year first ("2023-07-01"), a BOOLEAN "true"/"false", a
TIMESTAMP (no time zone) at midnight as its date, any other timestamp as its full text
(which no date input reads). A null is an empty cell. Binary floating-point columns (FLOAT,
DOUBLE) and types with no exact text an input reads (a time zone's timestamp, a time, an
interval, bytes, lists, structs, maps) are read as DuckDB shows them, but no input, id or
period may read such a column (D460, D461; `refused`): attain never reads a float.

The same text expressions serve the columnar reader (`attain.sql.read_parquet`), so that
both read one file alike. Rows are numbered from 1 as the file stores them ("row 5").
"""

from __future__ import annotations

import os
import re
from typing import Any

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.files import opened
from attain.i18n.messages import say
from attain.io.tables import Place, Row, Table

# Codes used here:
#   D404 bad column name   D462 not a readable Parquet file   U501 missing file   U503 unreadable file
#   (D460, D461: a refused column read by an input, raised by `attain.engine.columns.input_columns`)

EXTENSIONS = (".parquet", ".parq", ".pq")
FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")
_INTEGER = re.compile(r"U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)")
_DECIMAL = re.compile(r"DECIMAL\(\d+,\d+\)")
_TIMESTAMP = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS")
_AS_IS = ("VARCHAR", "UUID", "DATE", "BOOLEAN")


def is_parquet(path: str) -> bool:
    return path != "-" and os.path.splitext(path)[1].lower() in EXTENSIONS


def ident(name: str) -> str:
    """A column name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def source(path: str) -> str:
    """The file as a DuckDB table function, with each row's number from 0 (`file_row_number`)."""
    return f"read_parquet({literal(path)}, file_row_number = true)"


def is_integer(type_: str) -> bool:
    return _INTEGER.fullmatch(type_) is not None


def readable(type_: str) -> bool:
    """Whether an input may read a column of this DuckDB type (its text is exactly the value)."""
    return (type_ in _AS_IS or type_ in _TIMESTAMP or _INTEGER.fullmatch(type_) is not None
            or _DECIMAL.fullmatch(type_) is not None or type_.startswith("ENUM("))


def text_sql(column: str, type_: str) -> str:
    """SQL giving the text a CSV cell of the column's value would hold (NULL for null), untrimmed."""
    c = ident(column)
    if type_ == "VARCHAR":
        return c
    if type_ in _TIMESTAMP:
        # A timestamp at midnight is that date, unambiguously; one with a time of day keeps it (no date reads it).
        return (f"CASE WHEN {c} = CAST(CAST({c} AS DATE) AS {type_}) THEN CAST(CAST({c} AS DATE) AS VARCHAR) "
                f"ELSE CAST({c} AS VARCHAR) END")
    return f"CAST({c} AS VARCHAR)"


def connect() -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false").fetchall()
    con.execute("SET TimeZone = 'UTC'").fetchall()  # a refused timestamp's text does not depend on the machine
    return con


def is_duckdb_error(e: BaseException) -> bool:
    return type(e).__module__.split(".")[0] in ("duckdb", "_duckdb")


def schema(con: Any, path: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of each column of the file; AttainError (D462, U501, U503) if it cannot be read."""
    with opened(path, say("what.data_file")):
        pass  # U501, U503 as for any data file; DuckDB reads it
    found = fetched(con, f"DESCRIBE SELECT * FROM read_parquet({literal(path)})", path)
    return [(str(r[0]), str(r[1])) for r in found]


def fetched(con: Any, sql: str, path: str) -> list[tuple]:
    """The rows of a query over the Parquet file at `path`; AttainError (D462) where DuckDB cannot read it."""
    try:
        return con.execute(sql).fetchall()
    except Exception as e:
        if not is_duckdb_error(e):
            raise
        raise unreadable(path, e) from None


def unreadable(path: str, e: BaseException) -> AttainError:
    """D462: the file is not Parquet, or is damaged (truncated); DuckDB's reason, its first line."""
    reason = str(e).split("\n", 1)[0].strip()
    reason = re.sub(r"^[A-Za-z ]+ Error: ", "", reason)
    return AttainError([Diagnostic("D462", say("D462", file=path, reason=reason), Span(path, 1, 1, 1, 2),
                                   hint=say("D462.hint"))])


def column_names(path: str, columns: list[tuple[str, str]]) -> list[str]:
    """The columns' names as a CSV header's are taken (trimmed); D404 for an empty or repeated one."""
    problems = []
    seen: set[str] = set()
    names = []
    for i, (name, _type) in enumerate(columns, 1):
        name = name.strip()
        if not name:
            problems.append(Diagnostic("D404", say("D404.unnamed", i=i), Span(path, 1, i, 1, i + 1)))
        elif name in seen:
            problems.append(Diagnostic("D404", say("D404.twice", name=name), Span(path, 1, i, 1, i + 1),
                                       hint=say("D404.rename")))
        seen.add(name)
        names.append(name)
    if problems:
        raise AttainError(problems)
    return names


def header(con: Any, path: str) -> tuple[list[tuple[str, str]], list[str], Table]:
    """(each column's name and DuckDB type, the names as a header's are taken, the file's Table without rows)."""
    columns = schema(con, path)
    names = column_names(path, columns)
    return columns, names, parquet_table(path, (), columns, names)


def refused(columns: list[tuple[str, str]], names: list[str]) -> dict[str, str]:
    """Column -> its type, for the columns no input may read."""
    return {name: type_ for name, (_c, type_) in zip(names, columns, strict=True) if not readable(type_)}


class ParquetCells:
    """Places of a Parquet file's cells: the row (from 1) and column, named "row 5, column 'sales'"."""

    def __init__(self, file: str, columns: tuple[str, ...]):
        self.file = file
        self.columns = {name: i + 1 for i, name in enumerate(columns)}

    def place(self, line: int, column: str) -> Place | None:
        col = self.columns.get(column)
        if col is None:
            return None
        return Place(Span(self.file, line, col, line, col + 1), say("place.parquet", line=line, column=column))


def parquet_table(file: str, rows: tuple[Row, ...], columns: list[tuple[str, str]], names: list[str]) -> Table:
    """A Table of rows read from a Parquet file (all of them, or some: explain reads one employee's)."""
    return Table(file, tuple(names), rows, cells=ParquetCells(file, tuple(names)), header_line=0,
                 refused=refused(columns, names))


def select_text(columns: list[tuple[str, str]]) -> str:
    """Every column's text as c0, c1, ..., and the row's number from 1 as __row."""
    cells = [f"{text_sql(raw, type_)} AS c{i}" for i, (raw, type_) in enumerate(columns)]
    return ", ".join([*cells, "CAST(file_row_number + 1 AS BIGINT) AS __row"])


def cells_of(record: tuple, names: list[str]) -> dict[str, str | None]:
    """A row of `select_text` as the cells of a Table: each text trimmed as a CSV cell is, an empty one None."""
    return {name: (text.strip() or None) if text is not None else None
            for name, text in zip(names, record[:len(names)], strict=True)}


def read_parquet(path: str) -> Table:
    """Read a Parquet data file into a Table of text cells."""
    con = connect()
    try:
        columns = schema(con, path)
        names = column_names(path, columns)
        found = fetched(con, f"SELECT {select_text(columns)} FROM {source(path)} ORDER BY __row", path)
    finally:
        con.close()
    rows = []
    for record in found:
        cells = cells_of(record, names)
        if any(v is not None for v in cells.values()):  # an empty row is skipped, as a blank CSV line is
            rows.append(Row(int(record[len(names)]), cells))
    return parquet_table(path, tuple(rows), columns, names)


def refuse_reads(table: Table, reads: dict[str, str], keys: set[str], key_reader: str = "D460.key") -> None:
    """D460 (a float column) or D461 (another type no input reads) for each refused column read: by an input
    (`reads`: input -> column) or as the employee's id or the period (`keys`, the columns present; a rate
    table's cells with `key_reader` "D460.rate_table")."""
    problems = []
    for reader, column in [*reads.items(), *((None, k) for k in sorted(keys))]:
        type_ = table.refused.get(column)
        if type_ is None:
            continue
        number = table.columns.index(column) + 1
        by = say("D460.input", name=reader) if reader is not None else say(key_reader)
        code = "D460" if type_ in FLOAT_TYPES else "D461"
        problems.append(Diagnostic(code, say(code, column=column, file=table.file, type=type_, by=by),
                                   Span(table.file, 1, number, 1, number + 1), label=column,
                                   hint=say(f"{code}.hint", type=type_)))
    if problems:
        raise AttainError(problems)
