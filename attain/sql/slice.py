"""Explaining at scale, the employee's rows: one employee's lines of a large CSV file, read without the rest.

`explain --who ID` needs the employee's own rows (all their periods when the policy
reads history) and, for a group value, the group's aggregate (`slice_groups`). This
module finds the employee's lines by their bytes (the file read once, no Python object
per row), reads them with the Python reader's own code under the file's header, and
binds them: the same rules and diagnostics as a whole read, each cell named at its real
line and column. Rows that are not the employee's are not validated here (the group's
rows are, in SQL, by `slice_groups`); `attain run` and `attain check` validate the file.

`rows` returns None wherever this cannot be shown to read the employee's rows as the
whole read does; the caller then reads the file whole, as before. It applies to a UTF-8
CSV file whose every line is one record (a file with quotes is read by DuckDB once to count
its records: a quoted cell holding a line break sends it to the whole read), no NUL and no
lone CR, whose header the Python reader finds in its first lines; a line holding the
id's bytes is found by them, then read by the csv module.
"""

from __future__ import annotations

import codecs
import csv
import os
from typing import Any

import attrs

from attain.diagnostics import AttainError, Span
from attain.engine.bind import DATE_COLUMNS, PERIOD_COLUMNS, Bound, bind, find_id_column
from attain.engine.columns import input_columns
from attain.engine.plan import Plan
from attain.io.headers import LOOKAHEAD
from attain.io.readers import _field_span, read_csv_text
from attain.io.tables import Place, Table
from attain.sql.read import quote

_HEAD_BYTES = 1 << 16  # the first bytes, where the header is found (as attain.sql.read finds it)
MAX_HITS = 20_000  # lines holding the id's bytes; more (an id like "1") is left to the whole read


@attrs.frozen
class Rows:
    """One employee's rows of a CSV file, bound; and what reading the rest in SQL needs."""

    bound: Bound  # the employee's records only, from their real lines
    path: str
    head: Table  # the header (and the first records) as the Python reader read them
    id_column: str
    columns: dict  # input -> the data column that feeds it
    warnings: tuple  # what matching the header said (a near column name)
    allow_ids: frozenset = frozenset()  # ids that read like a total row but are employees


class _Lines:
    """The file's lines as `_field_span` reads them, for the lines kept (others are empty)."""

    def __init__(self, kept: dict[int, str], last: int):
        self.kept = kept
        self.last = last

    def __len__(self) -> int:
        return self.last

    def __getitem__(self, row: int) -> str:
        return self.kept.get(row + 1, "")


class SliceCells:
    """Places of the kept lines' cells, at their real line numbers (`Table.cells` of a sliced table)."""

    def __init__(self, file: str, kept: dict[int, str], columns: tuple[str, ...]):
        self.file = file
        self.lines = _Lines(kept, max(kept, default=0))
        self.columns = {name: i for i, name in enumerate(columns)}

    def line_span(self, line: int) -> Span:
        return Span(self.file, line, 1, line, len(self.lines[line - 1]) + 1)

    def place(self, line: int, column: str) -> Place | None:
        field = self.columns.get(column)
        span = _field_span(self.file, self.lines, line, field) if field is not None else None  # type: ignore[arg-type]
        return Place(span, "") if span is not None else None


def plain_csv(path: Any) -> str | None:
    """The path, when it names a CSV file this fast path may read; else None."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    path = os.fspath(path)
    if path == "-" or os.path.splitext(path)[1].lower() != ".csv" or not os.path.isfile(path):
        return None
    return path


def rows(plan: Plan, path: str, who: str, id_column: str | None = None, header_row: int | None = None,
         allow_ids=()) -> Rows | None:
    """The employee's rows of the CSV file at `path`, bound to `plan`; None: read the whole file instead.

    Binding errors in the employee's own rows (a bad cell, a duplicate period) are raised as
    `AttainError`, named at their real lines; anything this path cannot decide returns None.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    try:
        head = _head(path, data, header_row)
        if head is None or (b'"' in data and not _one_line_each(path, data, head)):
            return None
        key = find_id_column(head, id_column)
        columns, warnings = input_columns(plan, head, {key, *PERIOD_COLUMNS, *DATE_COLUMNS})
    except (AttainError, UnicodeDecodeError):
        return None  # the whole read reports it, with everything else it finds
    kept = _lines_of(data, who, head.header_line, head.columns.index(key))
    if not kept:
        return None  # no such employee: the whole read suggests a near id
    table = _table(path, data, head, kept)
    if table is None:
        return None
    bound = bind(plan, table, key, allow_ids)  # the employee's own errors, at their real lines
    return Rows(bound, path, head, key, columns, tuple(warnings), frozenset(allow_ids))


def _head(path: str, data: bytes, header_row: int | None) -> Table | None:
    """The header found by the Python reader's own code in the first lines (UnicodeDecodeError if not UTF-8);
    None when the first lines hold no record after it (lines so long the header may be further)."""
    part = data[:_HEAD_BYTES]
    text = codecs.getincrementaldecoder("utf-8-sig")().decode(part, final=len(data) <= _HEAD_BYTES)
    whole = len(data) <= _HEAD_BYTES
    table = read_csv_text(path, text if whole else text[: text.rfind("\n") + 1], header_row)
    return None if not whole and len(table.rows) < LOOKAHEAD else table


def _one_line_each(path: str, data: bytes, head: Table) -> bool:
    """Whether each line after the header is one record, in a file with quotes (a quoted cell may hold a line
    break): DuckDB reads the file strictly, and its records must be as many as the lines."""
    from attain.sql.engine import connect

    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    body = data.rstrip(b"\r\n")
    trailing = lines - body.count(b"\n") - 1  # blank lines at the end, which no reader counts
    fields = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(head.columns)))
    con = connect()
    try:
        found = con.execute(
            f"SELECT count(*) FROM read_csv({quote(path)}, header = false, skip = {head.header_line}, "
            f"columns = {{{fields}}}, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
            "strict_mode = true, null_padding = false, allow_quoted_nulls = false)").fetchall()[0][0]
    except Exception as e:  # what DuckDB cannot read, the whole read reads or reports
        if type(e).__module__.split(".")[0] not in ("duckdb", "_duckdb"):
            raise
        return False
    finally:
        con.close()
    return found == lines - head.header_line - trailing


def _lines_of(data: bytes, who: str, header_line: int, field: int) -> dict[int, str]:
    """Line number -> text of every line after the header whose id cell (trimmed) is `who`."""
    needle = who.encode("utf-8")
    if not needle or b"\n" in needle or b"," in needle or b'"' in needle:
        return {}
    kept: dict[int, str] = {}
    at = line = 0  # `line` counts the newlines before `at`
    hits = 0
    start = data.find(needle)
    while start >= 0:
        hits += 1
        if hits > MAX_HITS:
            return {}
        begin = data.rfind(b"\n", 0, start) + 1
        line += data.count(b"\n", at, begin)
        at = begin
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        number = line + 1
        if number > header_line:
            raw = data[begin:end].removesuffix(b"\r")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return {}
            cells = next(csv.reader([text]), [])
            if field < len(cells) and cells[field].strip() == who:
                kept[number] = text
        start = data.find(needle, end)
    return kept


def _table(path: str, data: bytes, head: Table, kept: dict[int, str]) -> Table | None:
    """The kept lines read by the Python reader under the file's header, each row at its real line."""
    header_end = 0
    for _ in range(head.header_line):
        header_end = data.find(b"\n", header_end) + 1
        if header_end == 0:
            return None
    top = data[:header_end].decode("utf-8-sig")
    text = top + "\n".join(kept[n] for n in sorted(kept)) + "\n"
    try:
        read = read_csv_text(path, text, head.header_line)
    except AttainError:
        return None  # a record the reader refuses: the whole read names it at its line
    lines = sorted(kept)
    if len(read.rows) != len(lines):
        return None
    placed = tuple(row._replace(line=n) for row, n in zip(read.rows, lines, strict=True))
    return attrs.evolve(read, rows=placed, cells=SliceCells(path, kept, read.columns))
