"""Data in and out: read input tables, convert cells exactly, write results atomically."""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import math
import os
import re
import secrets
import stat
import sys
import unicodedata
import zipfile
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any, Callable, NamedTuple, TextIO

import attrs
import yaml

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.exact import decimal_places
from attain.files import read_bytes

__all__ = [
    "CellError",
    "Row",
    "Table",
    "format_grouped",
    "format_number",
    "parse_cell",
    "read_table",
    "write_atomically",
    "write_results",
]

# Codes used here:
#   D401 not UTF-8            D402 malformed CSV/YAML/JSON   D403 not a table of records
#   D404 bad column name      D405 wrong number of cells     D406 nested value in a cell
#   D407 not a readable Excel workbook, or no such sheet
#   D408 Excel formula cell with no saved value               D409 Excel error value (#N/A...)
#   U501 missing file         U503 unreadable file           U504 unknown format
#   U505 output not writable  U506 xlsx output needs a file  U507 sheet given for non-Excel data

STDIN_NAME = "<stdin>"


# ---------------------------------------------------------------- tables


class ExactCell(str):
    """A cell computed by another policy: its text for people, and the exact value it stands for.

    A value such as 1/3 has no finite decimal text; carrying the Fraction keeps a roll-up of
    monthly results exact.
    """

    value: Any

    def __new__(cls, text: str, value: Any):
        cell = super().__new__(cls, text)
        cell.value = value
        return cell


def exact_cell(value: Any) -> "ExactCell":
    if isinstance(value, bool):
        return ExactCell("true" if value else "false", value)
    if isinstance(value, (Decimal, Fraction)):
        return ExactCell(format_number(value), Fraction(value))
    return ExactCell(str(value), value)


class Row(NamedTuple):
    """One input record: its line (CSV), row number (Excel) or 1-based record number (YAML/JSON), and its cells."""

    line: int
    cells: dict[str, str | None]


@attrs.frozen
class Table:
    """An input file read as text cells; every row has a cell (maybe None) for every column."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def read_table(path: str | os.PathLike, sheet: str | None = None) -> Table:
    """Read a CSV, Excel (.xlsx), YAML or JSON data file (`-` is CSV on stdin) into a `Table` of text cells.

    Cells are never converted here: numbers keep the text they were written
    with, so `parse_cell` can turn them into exact values with the policy's
    declared types. For a workbook, `sheet` names the worksheet to read (the
    first one by default) and `Row.line` is the Excel row number; see
    `_read_xlsx` for how Excel's numbers become text. Bad files raise `AttainError`.
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower() if path != "-" else ""
    if sheet is not None and ext not in _EXCEL_EXTENSIONS:
        raise AttainError(
            [
                Diagnostic(
                    "U507",
                    f"a sheet name only applies to Excel data, and {path!r} is not an .xlsx file",
                    hint="leave out the sheet name",
                )
            ]
        )
    if path == "-":
        return _read_csv(STDIN_NAME, _read_stdin())
    if ext in _EXCEL_EXTENSIONS:
        return _read_xlsx(path, _read_bytes(path), sheet)
    reader = _READERS.get(ext)
    if reader is None:
        if ext in _OTHER_SPREADSHEETS:
            hint = 'open it in a spreadsheet program and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (.csv)"'
        else:
            hint = "use a .csv, .xlsx, .yaml, .yml or .json file"
        raise AttainError(
            [Diagnostic("U504", f"cannot tell the format of data file {path!r} from its extension", hint=hint)]
        )
    return reader(path, _decode(path, _read_bytes(path)))


def _read_bytes(path: str) -> bytes:
    return read_bytes(path, "data file")


def _read_stdin() -> str:
    stream = sys.stdin
    try:
        buffer = getattr(stream, "buffer", None)
        # Read bytes where possible so the locale cannot change how the data decodes.
        if buffer is not None:
            return _decode(STDIN_NAME, buffer.read())
        return stream.read().removeprefix("\ufeff")
    except AttainError:
        raise
    except (OSError, ValueError, AttributeError) as e:
        raise AttainError([Diagnostic("U503", f"cannot read data from standard input: {e}")]) from None


def _decode(file: str, data: bytes) -> str:
    try:
        # utf-8-sig drops the byte-order mark Excel writes in "CSV UTF-8" files.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        line_start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[line_start : e.start].decode("utf-8-sig", errors="replace")) + 1
        raise AttainError(
            [
                Diagnostic(
                    "D401",
                    f"data file {file!r} is not UTF-8 text (byte 0x{data[e.start]:02x} on line {line})",
                    span=Span(file, line, col, line, col + 1),
                    hint='save it as UTF-8; in Excel choose "CSV UTF-8 (Comma delimited)"',
                )
            ]
        ) from None


# ---------------------------------------------------------------- CSV


def _read_csv(file: str, text: str) -> Table:
    # newline="" lets the csv module see quoted line breaks, and keeps the
    # physical lines so that errors can point at the line a record starts on.
    physical: list[str] = []

    def span_at(line: int) -> Span:
        if not physical:  # only when something is wrong: split the lines once
            physical.extend(io.StringIO(text, newline=""))
        return _line_span(file, line, physical)

    # strict: an unclosed quote is an error instead of silently swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[Row] = []
    problems: list[Diagnostic] = []
    prev_end = 0
    try:
        for record in reader:
            line, prev_end = prev_end + 1, reader.line_num
            cells = [c.strip() for c in record]
            if not any(cells):
                continue  # blank lines, and the ",,," rows spreadsheets leave behind
            if header is None:
                header, header_line = _csv_header(file, cells, span_at(line)), line
                width = len(header)
                continue
            if len(cells) != width and (len(cells) < width or any(cells[width:])):
                span = span_at(line)
                problems.append(
                    Diagnostic(
                        "D405",
                        f"row has {_plural(len(cells), 'value')} but the header on line {header_line} "
                        f"names {_plural(len(header), 'column')}",
                        span=span,
                        hint="every row needs one value per column; leave a cell empty for a missing value",
                    )
                )
                continue
            rows.append(Row(line, {name: cell or None for name, cell in zip(header, cells)}))
    except csv.Error as e:
        line = prev_end + 1  # where the broken record starts
        raise AttainError(
            [
                Diagnostic(
                    "D402",
                    f"data file {file!r} is not valid CSV: {e}",
                    span=span_at(line),
                    hint='a quoted cell must end with a closing quote; write a quote inside it as ""',
                )
            ]
        ) from None
    if header is None:
        raise AttainError(
            [
                Diagnostic(
                    "D403",
                    f"data file {file!r} has no header row",
                    hint="the first line of a CSV file names its columns",
                )
            ]
        )
    if problems:
        raise AttainError(problems)
    return Table(file, tuple(header), tuple(rows))


def _csv_header(file: str, cells: list[str], span: Span) -> list[str]:
    # Spreadsheets pad exports with unnamed empty columns on the right; they carry nothing.
    while cells and not cells[-1]:
        cells.pop()
    seen: set[str] = set()
    problems = []
    for i, name in enumerate(cells, 1):
        if not name:
            problems.append(Diagnostic("D404", f"column {i} of the header has no name", span=span))
        elif name in seen:
            problems.append(
                Diagnostic("D404", f"the header names column {name!r} twice", span=span, hint="rename one of them")
            )
        seen.add(name)
    if problems:
        raise AttainError(problems)
    return cells


def _line_span(file: str, line: int, lines: list[str]) -> Span:
    text = lines[line - 1].rstrip("\r\n") if 1 <= line <= len(lines) else ""
    return Span(file, line, 1, line, len(text) + 1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------- YAML and JSON


class _ExactLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps every scalar as text, so no number ever passes through float."""

    def construct_mapping(self, node, deep=False):
        # PyYAML silently keeps the last of two equal keys; in payroll data that hides a mistake.
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a record", node.start_mark, f"found the key {key_node.value!r} twice",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # YAML allows `500_000` and `+5`; the data syntax does not, and they mean 500000 and 5.
    return loader.construct_scalar(node).replace("_", "").removeprefix("+")


def _yaml_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    text = loader.construct_scalar(node)
    # Only true/false become booleans: YAML 1.1 also reads yes/no/on/off as
    # booleans, which would turn a region code `NO` (Norway) into "false".
    return text.lower() if text.lower() in ("true", "false") else text


def _yaml_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # Dates and timestamps stay as written: an ISO date is already its own text.
    return loader.construct_scalar(node)


_ExactLoader.add_constructor("tag:yaml.org,2002:int", _yaml_number)
_ExactLoader.add_constructor("tag:yaml.org,2002:float", _yaml_number)
_ExactLoader.add_constructor("tag:yaml.org,2002:bool", _yaml_bool)
_ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _yaml_text)


def _read_yaml(file: str, text: str) -> Table:
    try:
        data = yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        span = Span(file, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark else None
        raise AttainError(
            [Diagnostic("D402", f"data file {file!r} is not valid YAML: {e.problem or e.context}", span=span)]
        ) from None
    except (yaml.YAMLError, RecursionError) as e:
        detail = "it is nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise AttainError([Diagnostic("D402", f"data file {file!r} is not valid YAML: {detail}")]) from None
    return _records_table(file, data, "YAML")


class _JSONProblem(Exception):
    pass


def _json_no_constants(name: str):
    raise _JSONProblem(f"{name} is not a JSON number")


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    record: dict = {}
    for key, value in pairs:
        if key in record:
            raise _JSONProblem(f"an object has the key {key!r} twice")
        record[key] = value
    return record


def _read_json(file: str, text: str) -> Table:
    try:
        # Numbers stay as the text written: 0.1 arrives as "0.1", never as a float.
        data = json.loads(
            text,
            parse_float=str,
            parse_int=str,
            parse_constant=_json_no_constants,
            object_pairs_hook=_json_object,
        )
    except json.JSONDecodeError as e:
        span = Span(file, e.lineno, e.colno, e.lineno, e.colno + 1)
        raise AttainError([Diagnostic("D402", f"data file {file!r} is not valid JSON: {e.msg}", span=span)]) from None
    except (_JSONProblem, RecursionError) as e:
        detail = "it is nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise AttainError([Diagnostic("D402", f"data file {file!r} is not valid JSON: {detail}")]) from None
    return _records_table(file, data, "JSON")


def _records_table(file: str, data: Any, kind: str) -> Table:
    """Turn a loaded list of mappings (or {rows: [...]}) into a Table; Row.line is the record number."""
    if isinstance(data, dict) and "rows" in data:
        data = data["rows"]
    if not isinstance(data, list):
        raise AttainError(
            [
                Diagnostic(
                    "D403",
                    f"data file {file!r} does not hold a list of records",
                    hint=f"write the {kind} as a list of records, one per employee, "
                    "or as a mapping whose `rows` key holds that list",
                )
            ]
        )
    columns: dict[str, None] = {}  # an ordered set: columns in first-seen order
    records: list[dict[str, str | None]] = []
    problems: list[Diagnostic] = []
    for number, item in enumerate(data, 1):
        where = f"record {number} of {file!r}"
        if not isinstance(item, dict):
            problems.append(Diagnostic("D403", f"{where} is not a mapping of column names to values"))
            continue
        record: dict[str, str | None] = {}
        for key, value in item.items():
            try:
                name = _scalar_text(key)
            except TypeError:
                name = None
            if not name:
                problems.append(Diagnostic("D404", f"{where} has a key that is not a column name: {key!r}"))
                continue
            if name in record:
                problems.append(Diagnostic("D404", f"{where} names column {name!r} twice"))
                continue
            try:
                record[name] = _scalar_text(value)
            except TypeError:
                problems.append(
                    Diagnostic(
                        "D406",
                        f"{where} has a {_kind_name(value)} in column {name!r}; a cell holds one value",
                    )
                )
            columns.setdefault(name)
        records.append(record)
    if problems:
        raise AttainError(problems)
    names = tuple(columns)
    rows = tuple(Row(n, {c: record.get(c) for c in names}) for n, record in enumerate(records, 1))
    return Table(file, names, rows)


def _scalar_text(value: Any) -> str | None:
    """The text of one loaded cell; TypeError for lists, mappings and other non-scalars."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip() or None
    raise TypeError(type(value).__name__)


def _kind_name(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (bytes, bytearray)):
        return "binary value"
    return f"{type(value).__name__} value"


_READERS: dict[str, Callable[[str, str], Table]] = {
    ".csv": _read_csv,
    ".yaml": _read_yaml,
    ".yml": _read_yaml,
    ".json": _read_json,
}


# ---------------------------------------------------------------- Excel


_EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
# Spreadsheet formats openpyxl cannot read: the user has to save them as .xlsx (or CSV) first.
_OTHER_SPREADSHEETS = (".xls", ".xlsb", ".ods", ".numbers", ".et")

# Excel keeps 15 significant digits of what is typed and shows at most 15 of a result.
_EXCEL_DIGITS = 15
_WIDE = Context(prec=100)
# The most diagnostics of one kind listed for a workbook; the rest are counted.
_MAX_CELL_PROBLEMS = 20


def _read_xlsx(file: str, data: bytes, sheet: str | None) -> Table:
    """Read one worksheet of an Excel workbook into a Table of text cells.

    The header is the first row with anything in it; the table spans its
    first to last named column, and cells outside that span must be empty.
    Cells become text without float damage: Excel stores numbers as binary
    doubles, and a double's shortest round-trip decimal (Python's repr) is
    the number that was typed, so 0.1 reads "0.1" and 575000 reads "575000".
    Formula results keep at most 15 significant digits, as Excel shows them
    (0.1+0.2 reads "0.3", not "0.30000000000000004"); a typed number never
    has more (see `_float_text`). Percent-formatted cells read "95%" (Excel
    stores 0.95), dates "2023-07-01", booleans "true"/"false". Formulas
    without a saved value (D408) and error values such as #N/A (D409) are
    errors, wherever they are on the sheet.
    """
    workbook, worksheet = _open_sheet(file, data, sheet, data_only=True)
    where = f"sheet {worksheet.title!r} of {file!r}"
    problems: list[Diagnostic] = []
    texts: dict[int, dict[int, str]] = {}  # row -> column -> text, non-empty cells only
    suspects: set[tuple[int, int]] = set()
    for cell in _sheet_cells(file, workbook, worksheet):
        value = cell.value
        if value is None:
            # data_only reads give None for a formula with no saved value, so an empty-looking
            # cell may be a formula; "str"/"inlineStr" cells are empty text, never formulas.
            if cell.data_type not in ("s", "str", "inlineStr"):
                suspects.add((cell.row, cell.column))
            continue
        if cell.data_type == "e":
            problems.append(
                Diagnostic(
                    "D409",
                    f"cell {_cell_ref(cell.row, cell.column)} of {where} holds the Excel error {value}",
                    span=Span(file, cell.row, cell.column, cell.row, cell.column + 1),
                    hint="fix the formula or the value in Excel, or clear the cell",
                )
            )
            continue
        if isinstance(value, str):
            text = value.strip() or None
        elif type(value) is float:
            text = _float_text(value, _is_percent_format(cell.number_format))
        else:
            text = _excel_text(value, cell.number_format)
        if text is not None:
            row = texts.get(cell.row)
            if row is None:
                row = texts[cell.row] = {}
            row[cell.column] = text
    if suspects:
        # A second read with formulas kept tells which empty-looking cells are unsaved formulas.
        workbook, worksheet = _open_sheet(file, data, sheet, data_only=False)
        for cell in _sheet_cells(file, workbook, worksheet):
            if cell.data_type == "f" and (cell.row, cell.column) in suspects:
                problems.append(
                    Diagnostic(
                        "D408",
                        f"cell {_cell_ref(cell.row, cell.column)} of {where} holds a formula with no saved value",
                        span=Span(file, cell.row, cell.column, cell.row, cell.column + 1),
                        hint="open and save the file in Excel, so that it stores the formula's result",
                    )
                )
    if not texts:
        problems.append(
            Diagnostic(
                "D403",
                f"{where} has no header row",
                hint="the first non-empty row of the sheet names the columns",
            )
        )
        raise AttainError(_capped(problems))
    header_line = min(texts)
    header = texts[header_line]
    first, last = min(header), max(header)
    span_cols = range(first, last + 1)
    columns: list[str] = []
    seen: set[str] = set()
    for col in span_cols:
        name = header.get(col)
        span = Span(file, header_line, col, header_line, col + 1)
        if name is None:
            problems.append(
                Diagnostic(
                    "D404",
                    f"column {_column_letter(col)} of the header (row {header_line} of {where}) has no name",
                    span=span,
                    hint="name every column of the table, or delete the empty column",
                )
            )
        elif name in seen:
            problems.append(
                Diagnostic(
                    "D404",
                    f"the header (row {header_line} of {where}) names column {name!r} twice",
                    span=span,
                    hint="rename one of them",
                )
            )
        seen.add(name or "")
        columns.append(name or "")
    named = list(zip(span_cols, columns))
    rows: list[Row] = []
    for line in sorted(texts):
        if line == header_line:
            continue
        values = texts[line]
        for col in sorted(values):
            if not first <= col <= last:
                problems.append(
                    Diagnostic(
                        "D405",
                        f"cell {_cell_ref(line, col)} of {where} has a value, but the header on row {header_line} "
                        f"names columns {_column_letter(first)} to {_column_letter(last)} only",
                        span=Span(file, line, col, line, col + 1),
                        hint="the header is the first non-empty row: give this column a name there, "
                        "clear the cell, or delete any title rows above the table",
                    )
                )
        rows.append(Row(line, {name: values.get(col) for col, name in named}))
    if problems:
        raise AttainError(_capped(problems))
    return Table(file, tuple(columns), tuple(rows))


def _open_sheet(file: str, data: bytes, sheet: str | None, data_only: bool):
    """(workbook, worksheet) opened read-only; the caller must see the workbook closed (`_sheet_cells` does)."""
    import openpyxl  # deferred: importing it costs more than reading a small CSV

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as e:  # openpyxl raises many kinds of error for a damaged or foreign file
        hint = 'save it from Excel as an "Excel Workbook (.xlsx)"'
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # an OLE file: old .xls, or an encrypted workbook
            hint = "an old-style .xls or a password-protected workbook cannot be read: " + hint + " without a password"
        raise AttainError(
            [Diagnostic("D407", f"data file {file!r} is not a readable Excel workbook ({_describe(e)})", hint=hint)]
        ) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise AttainError([Diagnostic("D407", f"the workbook {file!r} has no worksheets")])
        if sheet is None:
            return workbook, sheets[0]
        for worksheet in sheets:
            if worksheet.title == sheet:
                return workbook, worksheet
        names = ", ".join(repr(ws.title) for ws in sheets)
        raise AttainError(
            [Diagnostic("D407", f"the workbook {file!r} has no sheet named {sheet!r}", hint=f"its sheets: {names}")]
        )
    except BaseException:
        workbook.close()
        raise


def _sheet_cells(file: str, workbook, worksheet):
    """Every cell stored in the worksheet, row by row; closes the workbook when done."""
    try:
        # Read-only mode trusts the size a file declares; some writers get it wrong and rows go missing.
        worksheet.reset_dimensions()
        for row in worksheet.iter_rows():
            for cell in row:
                if getattr(cell, "row", None) is not None:  # skip fillers for cells the file leaves out
                    yield cell
    except Exception as e:
        raise AttainError(
            [Diagnostic("D407", f"data file {file!r} is not a readable Excel workbook ({_describe(e)})")]
        ) from None
    finally:
        workbook.close()


def _describe(e: Exception) -> str:
    text = str(e).strip()
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _capped(problems: list[Diagnostic]) -> list[Diagnostic]:
    """At most _MAX_CELL_PROBLEMS diagnostics of each code, then one that counts the rest."""
    kept: list[Diagnostic] = []
    shown: dict[str, int] = {}
    omitted: dict[str, list[Diagnostic]] = {}
    for d in sorted(problems, key=Diagnostic.sort_key):
        if shown.get(d.code, 0) < _MAX_CELL_PROBLEMS:
            shown[d.code] = shown.get(d.code, 0) + 1
            kept.append(d)
        else:
            omitted.setdefault(d.code, []).append(d)
    for code, rest in omitted.items():
        # Placed at the first cell left out, so it sorts after the ones listed.
        message = f"{_plural(len(rest), 'more cell')} from here on have the same problem ({rest[0].message})"
        kept.append(Diagnostic(code, message, span=rest[0].span, hint=rest[0].hint))
    return kept


def _column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell_ref(row: int, col: int) -> str:
    return f"{_column_letter(col)}{row}"


@functools.lru_cache(maxsize=256)
def _is_percent_format(number_format: str | None) -> bool:
    if not number_format or "%" not in number_format:
        return False
    # A % inside quotes or after a backslash is literal text; only a bare % scales the number by 100.
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def _float_text(value: float, percent: bool) -> str:
    """The decimal text of a number Excel stored as a double, rounded to 15 significant digits.

    A typed number has at most 15 (Excel keeps no more), and for those this
    is exactly the shortest text that reads back as the same double, what
    Python's repr gives: 0.1 -> "0.1", never 0.1000000000000000055...; and
    575000.0 -> "575000". A formula's result can carry binary noise beyond
    15 digits (0.1+0.2 = 0.30000000000000004), and Excel shows it rounded to
    15 digits too: "0.3". (inf and nan read "inf" and "nan", which no cell kind accepts.)
    """
    text = format(value, ".15g")
    if percent:
        return _plain(Decimal(text).scaleb(2, _WIDE)) + "%"
    if "e" in text:  # 1e-07, 1.5e+16: exponents are not data syntax
        return _plain(Decimal(text))
    return "0" if text == "-0" else text


def _excel_text(value: Any, number_format: str | None) -> str | None:
    """The text of one cell value as openpyxl gives it; None for an empty cell."""
    if value is None or isinstance(value, (bool, str)):
        return _scalar_text(value)
    if isinstance(value, float):
        return _float_text(value, _is_percent_format(number_format))
    if isinstance(value, int):
        if _is_percent_format(number_format):
            return _plain(Decimal(value).scaleb(2, _WIDE)) + "%"
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):  # a [h]:mm:ss duration
        micros = value // datetime.timedelta(microseconds=1)
        sign, micros = ("-" if micros < 0 else ""), abs(micros)
        seconds, micros = divmod(micros, 1_000_000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}" + (f".{micros:06d}".rstrip("0") if micros else "")
    return str(value).strip() or None


def _plain(number: Decimal) -> str:
    """A Decimal as plain text with no exponent and no trailing zeros: 5.75E+5 -> "575000"."""
    if number.is_zero():
        return "0"
    return format(number.normalize(_WIDE), "f")


# ---------------------------------------------------------------- cells


class CellError(Exception):
    """A cell's text is not a valid value of its declared kind; `expected` says what would be."""

    def __init__(self, expected: str):
        super().__init__(f"expected {expected}")
        self.expected = expected


# Thousands separators only in well-formed groups: "500,000.50" yes, "12,3" no.
# ASCII digits only, and no exponents: data is written the way people write money.
_NUMBER = re.compile(r"([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", re.ASCII)
_CURRENCY = re.compile(r"([-+]?)[¥￥$]\s*(.*)", re.DOTALL)
_PERCENT = re.compile(r"(.*?)\s*[%％]", re.DOTALL)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TRUE = frozenset({"true", "yes", "1", "是"})
_FALSE = frozenset({"false", "no", "0", "否"})

_EXPECTED = {
    "money": "money",
    "number": "number",
    "count": "count (a whole number, 0 or more)",
    "percent": "percent (such as 95% or 0.95)",
    "bool": "true or false (true/false, yes/no, 1/0, 是/否)",
    "date": "date (YYYY-MM-DD)",
}


def _number(text: str) -> Fraction | None:
    m = _NUMBER.fullmatch(text)
    if m is None:
        return None
    sign, whole, frac = m.groups()
    frac = frac or ""
    try:
        value = Fraction(int(whole.replace(",", "") + frac), 10 ** len(frac))
    except ValueError:  # more digits than Python will convert
        return None
    return -value if sign == "-" else value


def parse_cell(kind: str, text: str) -> Any:
    """Convert one cell's text to a value of `kind`; raise `CellError` when it is not one.

    money/number/count/percent give `Fraction`, bool gives `bool`, date gives
    `datetime.date`, text gives the text unchanged. Numbers are decimal with
    optional well-formed thousands commas; money may start with ¥, ￥ or $;
    a percent is "95%" or a bare fraction of one ("0.95").
    """
    if kind == "text":
        return text
    if kind not in _EXPECTED:
        raise ValueError(f"unknown cell kind {kind!r}")
    text = text.strip()
    value: Any = None
    if kind == "number" or kind == "count":
        value = _number(text)
        if kind == "count" and value is not None and (value.denominator != 1 or value < 0):
            value = None
    elif kind == "money":
        m = _CURRENCY.fullmatch(text)
        if m is None:
            value = _number(text)
        elif not (m.group(1) and m.group(2)[:1] in ("+", "-")):  # one sign at most: "-¥12" or "¥-12"
            value = _number(m.group(1) + m.group(2))
    elif kind == "percent":
        m = _PERCENT.fullmatch(text)
        value = _number(m.group(1) if m else text)
        if value is not None and m:
            value /= 100
    elif kind == "bool":
        folded = text.lower()
        value = True if folded in _TRUE else False if folded in _FALSE else None
    elif kind == "date" and _DATE.fullmatch(text):
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            value = None
    if value is None:
        raise CellError(_EXPECTED[kind])
    return value


# ---------------------------------------------------------------- numbers out


def format_number(value: Any) -> str:
    """The one text form of an output value; never exponent notation, never via float.

    Decimal keeps its scale (Decimal("1750.00") -> "1750.00"). A Fraction that
    is a finite decimal prints exactly ("1.15"); any other Fraction, such as
    1/3, is rounded half-even to 20 decimal places for display only (the value
    itself stays exact). bool -> "true"/"false", None -> "", text unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    sign, whole, frac = _digits(value)
    return sign + whole + ("." + frac if frac else "")


def format_grouped(value: Any) -> str:
    """Like `format_number`, with thousands separators in the whole part: 1,750.00."""
    if value is None or isinstance(value, (bool, str)):
        return format_number(value)
    sign, whole, frac = _digits(value)
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    return sign + ",".join(groups) + ("." + frac if frac else "")


_DISPLAY_PLACES = 20


def _digits(value: Any) -> tuple[str, str, str]:
    """Split a number into (sign, whole digits, fraction digits) exactly as it will print."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write the non-finite number {value}")
        text = format(value.copy_abs(), "f")
        negative = value.is_signed() and not value.is_zero()  # no "-0.00" on a payslip
    elif isinstance(value, (int, Fraction)):
        value = Fraction(value)
        num, den = abs(value.numerator), value.denominator
        twos, fives = _multiplicity(den, 2), _multiplicity(den, 5)
        if den == 2**twos * 5**fives:
            places = max(twos, fives)
            scaled = num * 10**places // den  # exact: den divides 10**places
        else:
            places = _DISPLAY_PLACES
            scaled = round(Fraction(num * 10**places, den))  # round() on Fraction is half-even
        # A reduced fraction over 2**a * 5**b needs exactly max(a, b) places: no trailing zeros.
        text = str(scaled).rjust(places + 1, "0")
        if places:
            text = text[:-places] + "." + text[-places:]
        negative = value < 0 and scaled != 0
    else:
        raise TypeError(f"cannot write a {type(value).__name__} value; use Decimal, Fraction, str, bool or None")
    whole, _, frac = text.partition(".")
    return ("-" if negative else ""), whole, frac


def _multiplicity(n: int, p: int) -> int:
    k = 0
    while n % p == 0:
        n //= p
        k += 1
    return k


def _is_number(value: Any) -> bool:
    return isinstance(value, (Decimal, Fraction, int)) and not isinstance(value, bool)


def _check_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)) or _is_number(value):
        return value
    raise TypeError(f"cannot write a {type(value).__name__} value; use Decimal, Fraction, str, bool or None")


# ---------------------------------------------------------------- writers


# Cells starting with these run as formulas when the CSV is opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    value = _check_value(value)
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return format_number(value)


def _write_csv(columns: list[str], rows: list[dict], manifest: dict | None, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])


def _json_cell(value: Any) -> Any:
    value = _check_value(value)
    # Numbers go out as strings of their exact decimal text: JSON readers parse numbers as floats.
    return format_number(value) if _is_number(value) else value


def _json_default(value: Any) -> Any:
    if _is_number(value):
        return format_number(value)
    raise TypeError(f"cannot write a {type(value).__name__} value in the manifest")


def _write_json(columns: list[str], rows: list[dict], manifest: dict | None, out: TextIO) -> None:
    document: dict[str, Any] = {"schema": 1}
    if manifest is not None:
        document["manifest"] = manifest
    document["columns"] = list(columns)
    document["rows"] = [{c: _json_cell(row.get(c)) for c in columns} for row in rows]
    json.dump(document, out, ensure_ascii=False, indent=2, default=_json_default)
    out.write("\n")


def _display_width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        for ch in text
    )


def _table_text(value: Any) -> str:
    value = _check_value(value)
    text = format_grouped(value)
    # Control characters from data must not reach the terminal (escape sequences, broken lines).
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch for ch in text
    )


def approximate(f: Fraction, grouped: bool = True) -> str:
    """A value with no finite decimal, for people: six places, half up, after "≈" (in integers)."""
    q = (abs(f.numerator) * 10**6 * 2 + f.denominator) // (2 * f.denominator)
    whole, frac = divmod(q, 10**6)
    text = (f"{whole:,}" if grouped else str(whole)) + f".{frac:06d}".rstrip("0").rstrip(".")
    return ("≈-" if f < 0 else "≈") + text


def _table_cell(value: Any, kind: str | None) -> str:
    """A value as a person reads it in a terminal: percents as 115%, a value with no finite
    decimal to 6 places after "≈" (the CSV, JSON and Excel outputs keep every digit)."""
    if isinstance(value, bool) or not _is_number(value):
        return _table_text(value)
    exact = Fraction(value)
    if kind == "percent":
        exact *= 100
    if isinstance(value, Fraction) and decimal_places(exact) is None:
        text = approximate(exact)
    else:
        text = format_grouped(Decimal(value) * 100 if kind == "percent" else value)
        if kind == "percent" and "." in text:
            text = text.rstrip("0").rstrip(".")
    return text + ("%" if kind == "percent" else "")


def _write_table(columns: list[str], rows: list[dict], manifest: dict | None, out: TextIO,
                 kinds: dict | None = None) -> None:
    kinds = kinds or {}
    header = [_table_text(c) for c in columns]
    body = [[_table_cell(row.get(c), kinds.get(c)) for c in columns] for row in rows]
    widths = [max([_display_width(h)] + [_display_width(r[i]) for r in body]) for i, h in enumerate(header)]
    # A column is right-aligned when everything in it is a number (empty cells aside).
    numeric = []
    for c in columns:
        values = [row.get(c) for row in rows if row.get(c) is not None]
        numeric.append(bool(values) and all(_is_number(v) for v in values))

    def line(cells: list[str]) -> str:
        parts = []
        for text, width, right in zip(cells, widths, numeric):
            pad = " " * (width - _display_width(text))
            parts.append(pad + text if right else text + pad)
        return "  ".join(parts).rstrip() + "\n"

    out.write(line(header))
    out.write("  ".join("-" * w for w in widths) + "\n")
    for cells in body:
        out.write(line(cells))


# Excel shows 15 significant digits and allows 30 decimal places in a number format.
_XLSX_MAX_PLACES = 30
# XML 1.0, and so a workbook, cannot hold these control characters at all.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Fixed zip entry times make a workbook's bytes depend only on its contents.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>attain</dc:creator>{dates}</cp:coreProperties>"
)
_W3C_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")


def _xlsx_text(value: str) -> str:
    # As in CSV: a leading =, +, -, @, tab or CR is neutralised with a quote, so that the
    # text stays text when copied out of the workbook. Characters XML cannot hold are escaped.
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return _XML_ILLEGAL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def _xlsx_number(value: Any) -> tuple[float, str] | None:
    """(float, number format) when the number survives a trip through an Excel double exactly, else None."""
    exact = Decimal(format_number(value))  # finite decimal text; 1/3 is its 20-place display
    if not exact.is_finite():
        return None
    places = max(0, -exact.as_tuple().exponent)
    if places > _XLSX_MAX_PLACES or len(exact.normalize(_WIDE).as_tuple().digits) > _EXCEL_DIGITS:
        return None
    as_float = float(exact)
    if not math.isfinite(as_float) or Decimal(repr(as_float)) != exact:
        return None
    number_format = "#,##0" + ("." + "0" * places if places else "")
    return (0.0 if as_float == 0 else as_float), number_format


def _render_xlsx(columns: list[str], rows: list[dict], manifest: dict | None) -> bytes:
    """The bytes of a workbook with a "results" sheet (and a "manifest" sheet when given one)."""
    import openpyxl  # deferred: only Excel output needs it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "results"
    bold = Font(bold=True)
    widths = [_display_width(_table_text(c)) for c in columns]
    for col, name in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=col, value=_xlsx_text(_check_value(name)))
        cell.data_type = "s"
        cell.font = bold
    for r, row in enumerate(rows, 2):
        for col, name in enumerate(columns, 1):
            value = _check_value(row.get(name))
            if value is None:
                continue
            widths[col - 1] = max(widths[col - 1], _display_width(_table_text(value)))
            cell = sheet.cell(row=r, column=col)
            if isinstance(value, bool):
                cell.value = value
            elif isinstance(value, str):
                cell.value = _xlsx_text(value)
                cell.data_type = "s"  # never a formula, whatever it starts with
            else:
                number = _xlsx_number(value)
                if number is None:
                    # Not representable exactly as an Excel number: the exact text instead.
                    cell.value = format_number(value)
                    cell.data_type = "s"
                else:
                    cell.value, cell.number_format = number
    for col, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width, 6), 60) + 2
    if columns:
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    created = None
    if manifest is not None:
        info = workbook.create_sheet("manifest")
        for col, name in enumerate(("key", "value"), 1):
            info.cell(row=1, column=col, value=name).font = bold
        for r, (key, value) in enumerate(manifest.items(), 2):
            if isinstance(value, (dict, list, tuple)):
                text = json.dumps(value, ensure_ascii=False, default=_json_default)
            else:
                text = _json_cell(value)
                text = json.dumps(text) if text is None or isinstance(text, bool) else str(text)
            for col, item in enumerate((str(key), text), 1):
                cell = info.cell(row=r, column=col, value=_xlsx_text(item))
                cell.data_type = "s"
        info.column_dimensions["A"].width = 12
        info.column_dimensions["B"].width = 100
        if isinstance(manifest.get("created"), str) and _W3C_TIME.fullmatch(manifest["created"]):
            created = manifest["created"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _deterministic_zip(buffer.getvalue(), created)


def _deterministic_zip(data: bytes, created: str | None) -> bytes:
    """Re-pack a saved workbook so that equal contents give equal bytes.

    openpyxl stamps the save time into docProps/core.xml and every zip entry;
    here entries get a fixed time, and the document properties carry the
    manifest's `created` time when there is one (no dates otherwise).
    """
    dates = ""
    if created is not None:
        dates = "".join(
            f'<dcterms:{tag} xsi:type="dcterms:W3CDTF">{created}</dcterms:{tag}>' for tag in ("created", "modified")
        )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                content = _CORE_XML.format(dates=dates).encode("utf-8")
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, content)
    return out.getvalue()


_WRITERS: dict[str, Callable[[list[str], list[dict], dict | None, TextIO], None]] = {
    "csv": _write_csv,
    "json": _write_json,
    "table": _write_table,
}


def write_results(
    columns: list[str],
    rows: list[dict],
    fmt: str,
    out: str | None,
    manifest: dict | None = None,
    kinds: dict | None = None,
) -> None:
    """Write result rows as csv, json, table or xlsx to `out` (None or "-" for stdout).

    `kinds` (column -> "percent", "money", ...) only changes how the terminal table
    shows numbers (115% for a percent); the other formats write exact values.

    Files are written atomically: to a temporary file beside the target, then
    renamed over it, so on any error no partial file is left and an existing
    file is untouched. Row values must be Decimal, Fraction, int, str, bool or
    None (TypeError otherwise); an unwritable path raises AttainError U505.

    xlsx needs a file (U506 for stdout). Its "results" sheet has a bold header
    row; a number is written as an Excel number (formatted to its own decimal
    places, #,##0.00) only when a double holds it exactly and Excel shows all
    its digits, and otherwise as its exact text; text is always a string cell,
    with a leading =, +, -, @, tab or CR neutralised by a quote as in CSV. The
    `manifest`, when given, goes on a "manifest" sheet (nested values as JSON);
    csv and table output do not carry it. Equal inputs give equal bytes.
    """
    if fmt == "xlsx":
        if out is None or out == "-":
            raise AttainError(
                [
                    Diagnostic(
                        "U506",
                        "an Excel workbook cannot be written to standard output",
                        hint="name an output file ending in .xlsx, or choose csv, json or table",
                    )
                ]
            )
        data = _render_xlsx(columns, rows, manifest)
        write_atomically(out, data)
        return
    writer = _WRITERS.get(fmt)
    if fmt == "table" and kinds:
        writer = functools.partial(_write_table, kinds=kinds)
    if writer is None:
        raise AttainError(
            [Diagnostic("U504", f"unknown output format {fmt!r}", hint="use csv, json, table or xlsx")]
        )
    if out is None or out == "-":
        # Render fully first so that an error cannot leave half a document on stdout.
        buffer = io.StringIO()
        writer(columns, rows, manifest, buffer)
        _write_stdout(buffer.getvalue(), utf8_bytes=fmt != "table")
        return
    try:
        _write_atomically(out, lambda f: writer(columns, rows, manifest, f))
    except OSError as e:
        raise _unwritable(out, e) from None


def write_atomically(path: str | os.PathLike, data: str | bytes) -> None:
    """Write `data` (text as UTF-8 with newlines unchanged, or bytes) to `path` atomically.

    As `write_results` does: a temporary file beside the target, renamed over
    it; an existing file keeps its permissions. Raises AttainError U505.
    """
    path = os.fspath(path)
    try:
        if isinstance(data, bytes):
            _write_atomically(path, lambda f: f.write(data), binary=True)
        else:
            _write_atomically(path, lambda f: f.write(data))
    except OSError as e:
        raise _unwritable(path, e) from None


def _unwritable(path: str, e: OSError) -> AttainError:
    detail = e.strerror or str(e)
    return AttainError([Diagnostic("U505", f"cannot write output file {path!r}: {detail}")])


def _write_stdout(text: str, utf8_bytes: bool) -> None:
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None) if utf8_bytes else None
    if buffer is None:
        stream.write(text)
        stream.flush()
        return
    # Data formats are UTF-8 with "\n" whatever the console's encoding or newline convention.
    stream.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def _write_atomically(path: str, render: Callable[[Any], Any], binary: bool = False) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(8)}.tmp")
    # os.open with 0o666 lets the umask set the new file's mode, as a plain open() would.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as f:
            render(f)
            f.flush()
            os.fsync(f.fileno())
        try:
            # Replacing a file keeps its permissions, as overwriting it in place would.
            os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
        except FileNotFoundError:
            pass
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
