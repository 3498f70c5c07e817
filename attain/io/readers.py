"""Readers: a data file (CSV, Excel, YAML, JSON or Parquet; CSV on stdin) -> a Table of text cells, never converted."""

from __future__ import annotations

import csv
import io
import itertools
import os
import sys
from collections.abc import Callable, Iterator

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.files import read_bytes
from attain.i18n.messages import counted, say
from attain.io.headers import LOOKAHEAD, Shape, ambiguous, find_header, no_header_at
from attain.io.parquet import is_parquet, read_parquet
from attain.io.records import ExactLoader as ExactLoader  # policy test files are read with it
from attain.io.records import exact_loader as exact_loader  # and refuse a control character with its place
from attain.io.records import read_json, read_yaml
from attain.io.tables import STDIN_NAME, Place, Row, Table
from attain.io.xlsx import read_xlsx

# Codes used here:
#   D401 neither UTF-8 nor GB18030   D402 malformed CSV           D403 no header row
#   D404 bad column name             D405 wrong number of cells   D435 which row is the header?
#   D436 read as GB18030 (warning)
#   U501 missing file         U503 unreadable file           U504 unknown format
#   U507 sheet given for non-Excel data   U540 header row given for YAML/JSON   U541 no header at that row
#   U590 header row given for Parquet
# (YAML and JSON raise theirs in attain.io.records, Excel workbooks in attain.io.xlsx.)

_EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
# Spreadsheet formats openpyxl cannot read: the user has to save them as .xlsx (or CSV) first.
_OTHER_SPREADSHEETS = (".xls", ".xlsb", ".ods", ".numbers", ".et")


def read_table(path: str | os.PathLike, sheet: str | None = None, header_row: int | None = None) -> Table:
    """Read a CSV, Excel (.xlsx), YAML, JSON or Parquet data file (`-` is CSV on stdin) into a `Table` of text cells.

    Cells are never converted here: numbers keep the text they were written
    with, so `parse_cell` can turn them into exact values with the policy's
    declared types. For a workbook, `sheet` names the worksheet to read (the
    first one by default) and `Row.line` is the Excel row number; see
    `attain.io.xlsx.read_xlsx` for how Excel's numbers become text. The header
    is the first row, past any title rows above it (see `attain.io.headers`),
    or the line (sheet row) `header_row`. A CSV file that is not UTF-8 but reads
    as GB18030 (what Chinese Excel saves) is read, with a warning in
    `Table.warnings`. A Parquet file's values become the texts a CSV file of them holds
    (`attain.io.parquet`). Bad files raise `AttainError`.
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower() if path != "-" else ""
    if sheet is not None and ext not in _EXCEL_EXTENSIONS:
        raise AttainError(
            [
                Diagnostic(
                    "U507",
                    say("U507", path=path),
                    hint=say("U507.hint"),
                )
            ]
        )
    if is_parquet(path):
        if header_row is not None:
            raise AttainError([Diagnostic("U590", say("U590", row=header_row, path=path), hint=say("U590.hint"))])
        return read_parquet(path)
    if header_row is not None and (ext in _RECORD_READERS or header_row < 1):
        raise AttainError([Diagnostic(
            "U540", say("U540", row=header_row, path=path) if header_row >= 1 else
            say("U540.zero", row=header_row),
            hint=say("U540.hint") if header_row >= 1 else say("U540.zero_hint"))])
    if path == "-":
        text, warnings = _read_stdin()
        return _with_text(_csv_reader(header_row, warnings), STDIN_NAME, text)
    if ext in _EXCEL_EXTENSIONS:
        return read_xlsx(path, _read_bytes(path), sheet, header_row)
    if ext in _RECORD_READERS:
        return _with_text(_RECORD_READERS[ext], path, _utf8(path, _read_bytes(path)))
    if ext != ".csv":
        if ext in _OTHER_SPREADSHEETS:
            hint = say("U504.spreadsheet")
        else:
            hint = say("U504.data_hint")
        raise AttainError([Diagnostic("U504", say("U504.data", path=path), hint=hint)])
    text, warnings = _decode(path, _read_bytes(path))
    return _with_text(_csv_reader(header_row, warnings), path, text)


def _with_text(reader: Callable[[str, str], Table], file: str, text: str) -> Table:
    """Read `text`; an error carries the text, for caret excerpts without reading the file again."""
    try:
        return reader(file, text)
    except AttainError as e:
        e.sources.setdefault(file, text)
        raise


def _read_bytes(path: str) -> bytes:
    return read_bytes(path, say("what.data_file"))


def _read_stdin() -> tuple[str, tuple[Diagnostic, ...]]:
    stream = sys.stdin
    try:
        buffer = getattr(stream, "buffer", None)
        # Read bytes where possible so the locale cannot change how the data decodes.
        if buffer is not None:
            return _decode(STDIN_NAME, buffer.read())
        return stream.read().removeprefix("\ufeff"), ()
    except AttainError:
        raise
    except (OSError, ValueError, AttributeError) as e:
        raise AttainError([Diagnostic("U503", say("U503.stdin_data", reason=e))]) from None


# ---------------------------------------------------------------- encodings


def _utf8(file: str, data: bytes) -> str:
    """YAML and JSON are UTF-8 by their definitions; a BOM is dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _undecodable(file, data, e, "utf8") from None


def _decode(file: str, data: bytes) -> tuple[str, tuple[Diagnostic, ...]]:
    """The text of a CSV file: UTF-8 (a BOM dropped), else GB18030, the default of Chinese Excel, said in a warning.

    No other encoding is tried: Latin-1 and its kin read any bytes at all, so trying them
    would be guessing. GB18030 text that holds NUL, C1 control or private-use characters is
    taken for bytes of some other encoding that happen to decode.
    """
    try:
        # utf-8-sig drops the byte-order mark Excel writes in "CSV UTF-8" files.
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as not_utf8:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as not_gb:
            # The encoding that reads further is the one the file was meant to be in.
            raise _undecodable(file, data, not_gb if not_gb.start > not_utf8.start else not_utf8,
                               "either") from None
        if any(ch == "\0" or "\x80" <= ch <= "\x9f" or "\ue000" <= ch <= "\uf8ff" for ch in text):
            raise _undecodable(file, data, not_utf8, "either") from None
        line, col = _position(data, not_utf8.start, "gb18030")
        warning = Diagnostic(
            "D436", say("D436", file=file), span=Span(file, line, col, line, col + 1),
            severity="warning", hint=say("D436.hint"))
        return text, (warning,)


def _undecodable(file: str, data: bytes, e: UnicodeDecodeError, what: str) -> AttainError:
    """D401; `what` is "utf8" (YAML, JSON: UTF-8 only) or "either" (CSV: neither UTF-8 nor GB18030)."""
    line, col = _position(data, e.start, e.encoding)
    return AttainError(
        [
            Diagnostic(
                "D401",
                say(f"D401.{what}", file=file, byte=f"{data[e.start]:02x}", line=line, col=col,
                    encoding=e.encoding.upper().replace("-SIG", "")),
                span=Span(file, line, col, line, col + 1),
                hint=say("D401.hint"),
            )
        ]
    )


def _position(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """The line and column (in characters) of the byte at `offset`."""
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[line_start:offset].decode(encoding, errors="replace").lstrip("\ufeff")) + 1


# ---------------------------------------------------------------- CSV


def read_csv_text(file: str, text: str, header_row: int | None = None) -> Table:
    """A CSV text read as `read_table` reads a CSV file of that name (the columnar reader checks with it)."""
    return _read_csv(file, text, header_row)


def _csv_reader(header_row: int | None, warnings: tuple[Diagnostic, ...]) -> Callable[[str, str], Table]:
    return lambda file, text: _read_csv(file, text, header_row, warnings)


def _read_csv(file: str, text: str, header_row: int | None = None, warnings: tuple[Diagnostic, ...] = ()) -> Table:
    cells_of = _CsvCells(file, text)
    records = _csv_records(file, text, cells_of)
    header_line, header, ahead = _csv_header(file, records, header_row, cells_of)
    width = len(header)
    rows: list[Row] = []
    problems: list[Diagnostic] = []
    for line, cells in itertools.chain(ahead, records):
        if len(cells) != width and (len(cells) < width or any(cells[width:])):
            problems.append(Diagnostic(
                "D405", say("D405.csv", values=counted(len(cells), "value"), line=header_line,
                            columns=counted(len(header), "column")), span=cells_of.line_span(line),
                hint=say("D405.csv_hint")))
            continue
        rows.append(Row(line, {name: cell or None for name, cell in zip(header, cells, strict=False)}))
    if problems:
        raise AttainError(problems)
    cells_of.columns = {name: i for i, name in enumerate(header)}
    return Table(file, tuple(header), tuple(rows), warnings=warnings, cells=cells_of, header_line=header_line)


def _csv_records(file: str, text: str, cells_of: _CsvCells) -> Iterator[tuple[int, list[str]]]:
    """(line, stripped cells) of every record with something in it, in order; the line is where it starts."""
    # newline="" lets the csv module see quoted line breaks, and keeps the
    # physical lines so that errors can point at the line a record starts on.
    # strict: an unclosed quote is an error instead of silently swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    prev_end = 0
    try:
        for record in reader:
            line, prev_end = prev_end + 1, reader.line_num
            cells = [c.strip() for c in record]
            if any(cells):  # not a blank line, nor one of the ",,," rows spreadsheets leave behind
                yield line, cells
    except csv.Error as e:
        line = prev_end + 1  # where the broken record starts
        detail = str(e)
        if detail == "unexpected end of data":
            detail = say("D402.end")
        elif "field limit" in detail:
            detail = say("D402.long_cell", limit=f"{csv.field_size_limit():,}")
        raise AttainError([Diagnostic(
            "D402", say("D402.csv", file=file, detail=detail), span=cells_of.line_span(line),
            hint=say("D402.csv_hint"))]) from None


def _csv_header(file: str, records: Iterator[tuple[int, list[str]]], header_row: int | None,
                cells_of: _CsvCells) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """(header line, column names, the records read ahead that come after the header)."""
    if header_row is not None:
        for line, cells in records:
            if line == header_row:
                return line, _header_names(file, cells, cells_of.line_span(line)), []
            if line > header_row:
                break
        else:
            raise no_header_at(file, header_row, "line", cells_of.line_count())
        raise no_header_at(file, header_row, "line", None)
    ahead = list(itertools.islice(records, LOOKAHEAD))
    if not ahead:
        raise AttainError([Diagnostic("D403", say("D403.csv", file=file), hint=say("D403.csv_hint"))])
    shapes = [Shape(line, frozenset(i for i, c in enumerate(cells) if c), tuple(c for c in cells if c))
              for line, cells in ahead]
    found = find_header(shapes)
    if isinstance(found, list):
        raise ambiguous(file, found, "line")
    at = shapes.index(found)
    line, cells = ahead[at]
    return line, _header_names(file, cells, cells_of.line_span(line)), ahead[at + 1 :]


def _header_names(file: str, cells: list[str], span: Span) -> list[str]:
    # Spreadsheets pad exports with unnamed empty columns on the right; they carry nothing.
    while cells and not cells[-1]:
        cells.pop()
    seen: set[str] = set()
    problems = []
    for i, name in enumerate(cells, 1):
        if not name:
            problems.append(Diagnostic("D404", say("D404.unnamed", i=i), span=span))
        elif name in seen:
            problems.append(
                Diagnostic("D404", say("D404.twice", name=name), span=span, hint=say("D404.rename"))
            )
        seen.add(name)
    if problems:
        raise AttainError(problems)
    return cells


class _CsvCells:
    """Places in a CSV text: a whole line, or one cell's characters; the lines are split once, when first asked."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.text = text
        self.columns: dict[str, int] = {}  # column name -> its field number, once the header is known
        self._lines: list[str] | None = None

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = list(io.StringIO(self.text, newline=""))
        return self._lines

    def line_count(self) -> int:
        return len(self.lines())

    def line_span(self, line: int) -> Span:
        lines = self.lines()
        text = lines[line - 1].rstrip("\r\n") if 1 <= line <= len(lines) else ""
        return Span(self.file, line, 1, line, len(text) + 1)

    def place(self, line: int, column: str) -> Place | None:
        field = self.columns.get(column)
        span = _field_span(self.file, self.lines(), line, field) if field is not None else None
        return Place(span, "") if span is not None else None


def _field_span(file: str, lines: list[str], line: int, field: int) -> Span | None:
    """The characters of field number `field` (from 0) of the record that starts on `line`, spaces trimmed.

    Follows the csv module's default dialect: fields split at commas, a field that starts
    with a quote runs to its closing quote (a doubled quote is a quote inside it), over
    line breaks if need be. Columns count characters; the renderer widens CJK ones.
    """
    row = line - 1
    if not 0 <= row < len(lines):
        return None
    text = lines[row].rstrip("\r\n")
    pos = 0
    for number in itertools.count():
        start_row, start = row, pos
        if text.startswith('"', pos):
            pos += 1
            while True:
                quote = text.find('"', pos)
                if quote < 0:  # a line break inside the quotes: the field goes on
                    row += 1
                    if row >= len(lines):
                        return None
                    text, pos = lines[row].rstrip("\r\n"), 0
                elif text.startswith('"', quote + 1):
                    pos = quote + 2
                else:
                    pos = quote + 1
                    break
        comma = text.find(",", pos)
        end = len(text) if comma < 0 else comma
        if number == field:
            first = lines[start_row].rstrip("\r\n")
            while start < len(first) and first[start] in " \t" and (start_row != row or start < end):
                start += 1
            while end > 0 and text[end - 1] in " \t" and (start_row != row or end > start):
                end -= 1
            if start_row != row:  # a cell over several lines: its first line
                return Span(file, start_row + 1, start + 1, start_row + 1, len(first) + 1)
            return Span(file, row + 1, start + 1, row + 1, max(end, start + 1) + 1)
        if comma < 0:
            return None
        pos = comma + 1
    return None


_RECORD_READERS: dict[str, Callable[[str, str], Table]] = {
    ".yaml": read_yaml,
    ".yml": read_yaml,
    ".json": read_json,
}
