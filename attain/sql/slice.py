"""Explaining at scale, the employee's rows: one employee's lines of a large CSV file, read without the rest.

`explain --who ID` needs the employee's own rows (all their periods when the policy
reads history) and, for a group value, the group's aggregate (`slice_groups`). This
module finds the employee's lines by their bytes (the file read once, no Python object
per row), reads them with the Python reader's own code under the file's header, and
binds them: the same rules and diagnostics as a whole read, each cell named at its real
line and column. Rows that are not the employee's are not validated here (the group's
rows are, in SQL, by `slice_groups`); `attain run` validates every row.

`rows` returns None wherever this cannot be shown to read the employee's rows as the
whole read does; the caller then reads the file whole, as before. It applies to a CSV
file, UTF-8 where it is read (the header's lines and the employee's), whose every line is
one record (a file with quotes is read by DuckDB once to count its records: a quoted cell
holding a line break sends it to the whole read), without a NUL or a lone CR, whose
header the Python reader finds in its first lines; a line holding the id's bytes is
found by them, then read by the csv module. A large file's kept index (`attain.sql.slice_index`)
finds those lines without the scan, and gives the group's members from its Parquet copy.
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
from attain.io.parquet import is_duckdb_error
from attain.io.readers import _field_span, read_csv_text
from attain.io.tables import Place, Table
from attain.sql import slice_index
from attain.sql.read import quote

_HEAD_BYTES = 1 << 16  # the first bytes, where the header is found (as attain.sql.read finds it)
_CHUNK = 1 << 24  # the file is scanned 16 MiB at a time
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
    source: str | None = None  # SQL giving every row's cells c0, c1, ... as text (None: the CSV file, read here)
    stored: dict = attrs.Factory(dict)  # column -> its type, for cells `source` gives as stored (Parquet), not text


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
         allow_ids=(), con: Any = None) -> Rows | None:
    """The employee's rows of the CSV file at `path`, bound to `plan`; None: read the whole file instead.
    `con`: a DuckDB connection the caller keeps for the group's rows (else one of its own, for a file to index).

    Binding errors in the employee's own rows (a bad cell, a duplicate period) are raised as
    `AttainError`, named at their real lines; anything this path cannot decide returns None.
    A large file's kept index (`attain.sql.slice_index`) finds the lines and gives the members' cells.
    """
    own = con is None and slice_index.wanted(path)
    if own:
        from attain.sql.engine import connect

        con = connect()
    try:
        return _rows(plan, path, who, id_column, header_row, allow_ids, con)
    finally:
        if own:
            con.close()


def _rows(plan: Plan, path: str, who: str, id_column: str | None, header_row: int | None, allow_ids,
          con: Any) -> Rows | None:
    index = None
    try:
        with open(path, "rb") as f:
            first = f.read(_HEAD_BYTES + 1)
        head = _head(path, first, header_row)
        if head is None:
            return None
        key = find_id_column(head, id_column)
        columns, warnings = input_columns(plan, head, {key, *PERIOD_COLUMNS, *DATE_COLUMNS})
        field = head.columns.index(key)
        index = slice_index.find(path, head) if con is not None else None
        found = _indexed(con, index, path, who, head.header_line, field) if index is not None else None
        if found is None:
            found = _scan(path, who, head.header_line, field)
            if found is None or (found.quotes and not _one_line_each(path, found, head)):
                return None
            if index is None or not os.path.exists(index.cells):  # none kept, or it was refused and removed
                index = slice_index.keep(con, path, head, found.lines, found.trailing, found.quotes) \
                    if con is not None and slice_index.wanted(path) else None
    except (AttainError, UnicodeDecodeError, OSError):
        return None  # the whole read reports it, with everything else it finds
    if not found.kept:
        return None  # no such employee: the whole read suggests a near id
    table = _table(path, first, head, found.kept)
    if table is None:
        return None
    bound = bind(plan, table, key, allow_ids)  # the employee's own errors, at their real lines
    if index is None:
        return Rows(bound, path, head, key, columns, tuple(warnings), frozenset(allow_ids))
    con.execute("SET threads = 1").fetchall()  # small reads of the copy, as from Parquet (attain.subjects)
    source, stored = index.source(plan, tuple(head.columns), {n: c for n, c in columns.items() if c != key})
    return Rows(bound, path, head, key, columns, tuple(warnings), frozenset(allow_ids), source=source, stored=stored)


def _indexed(con: Any, index: slice_index.Index, path: str, who: str, header_line: int, field: int
             ) -> _Scanned | None:
    """What `_scan` finds, from the kept index: the records whose id cell holds the id, each line then read from
    the file and kept by `_scan`'s own test; None where the index cannot answer (the scan then runs)."""
    needle = who.encode("utf-8")
    if not needle or any(c in needle for c in (b"\n", b"\r", b",", b'"')):
        return None
    found = slice_index.rows_of(con, index, field, who, MAX_HITS)
    if found is None:
        return None
    kept: dict[int, str] = {}
    with open(path, "rb") as f:
        for record in found:
            number = header_line + 1 + record
            try:
                line = index.line(f, number)
            except IndexError:
                line = b""
            if needle not in line:  # the copy's cell holds the id, the line does not: not this file's index
                slice_index.forget(index.cells)
                return None
            text = line.removesuffix(b"\r").decode("utf-8")
            cells = next(csv.reader([text]), [])
            if field < len(cells) and cells[field].strip() == who:
                kept[number] = text
    return _Scanned(kept, index.lines, index.trailing, index.quotes)


@attrs.frozen
class _Scanned:
    kept: dict  # line number -> the text of each of the employee's lines
    lines: int  # the file's lines
    trailing: int  # blank lines at its end
    quotes: bool  # whether it holds a quote character


def _scan(path: str, who: str, header_line: int, field: int) -> _Scanned | None:
    """One pass over the file in chunks of whole lines (constant memory): the employee's lines, the line
    count, and what sends the file to the whole read (a NUL, a lone CR: None)."""
    needle = who.encode("utf-8")
    if not needle or any(c in needle for c in (b"\n", b"\r", b",", b'"')):
        return None
    kept: dict[int, str] = {}
    lines = hits = 0
    quotes = False
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            # Whole lines only: the part of a line at the chunk's end is read again with the next chunk.
            cut = len(chunk) if len(chunk) < _CHUNK else chunk.rfind(b"\n") + 1
            if cut == 0:
                return None  # a line of 16 MiB
            f.seek(cut - len(chunk), os.SEEK_CUR)
            if chunk.find(b"\0", 0, cut) >= 0 or (chunk.find(b"\r", 0, cut) >= 0 and  # a CR is rare: counted if any
                                                    chunk.count(b"\r", 0, cut) != chunk.count(b"\r\n", 0, cut)):
                return None
            quotes = quotes or chunk.find(b'"', 0, cut) >= 0
            start = chunk.find(needle, 0, cut)
            while start >= 0:
                hits += 1
                if hits > MAX_HITS:
                    return None
                begin = chunk.rfind(b"\n", 0, start) + 1
                end = chunk.find(b"\n", start, cut)
                end = cut if end < 0 else end
                number = lines + chunk.count(b"\n", 0, begin) + 1
                if number > header_line:
                    text = chunk[begin:end].removesuffix(b"\r").decode("utf-8")  # else: the whole read decides
                    cells = next(csv.reader([text]), [])
                    if field < len(cells) and cells[field].strip() == who:
                        kept[number] = text
                start = chunk.find(needle, end, cut)
            lines += chunk.count(b"\n", 0, cut)
            tail = chunk[max(0, cut - 4096):cut]
    if tail and not tail.endswith(b"\n"):
        return _Scanned(kept, lines + 1, 0, quotes)  # a last line without its newline
    blank = tail[len(tail.rstrip(b"\r\n")):].count(b"\n")  # the first newline of the run ends the last line
    return _Scanned(kept, lines, max(blank - 1, 0), quotes)


def _head(path: str, data: bytes, header_row: int | None) -> Table | None:
    """The header found by the Python reader's own code in the first lines (UnicodeDecodeError if not UTF-8);
    None when the first lines hold no record after it (lines so long the header may be further)."""
    part = data[:_HEAD_BYTES]
    text = codecs.getincrementaldecoder("utf-8-sig")().decode(part, final=len(data) <= _HEAD_BYTES)
    whole = len(data) <= _HEAD_BYTES
    table = read_csv_text(path, text if whole else text[: text.rfind("\n") + 1], header_row)
    return None if not whole and len(table.rows) < LOOKAHEAD else table


def _one_line_each(path: str, found: _Scanned, head: Table) -> bool:
    """Whether each line after the header is one record, in a file with quotes (a quoted cell may hold a line
    break): DuckDB reads the file strictly, and its records must be as many as the lines."""
    from attain.sql.engine import connect

    fields = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(head.columns)))
    con = connect()
    try:
        records = con.execute(
            f"SELECT count(*) FROM read_csv({quote(path)}, header = false, skip = {head.header_line}, "
            f"columns = {{{fields}}}, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
            "strict_mode = true, null_padding = false, allow_quoted_nulls = false)").fetchall()[0][0]
    except Exception as e:  # what DuckDB cannot read, the whole read reads or reports
        if not is_duckdb_error(e):
            raise
        return False
    finally:
        con.close()
    return records == found.lines - head.header_line - found.trailing


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
