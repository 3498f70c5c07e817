"""Readers: a data file (CSV, Excel, YAML or JSON; CSV on stdin) -> a Table of text cells, never converted."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import yaml

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.files import read_bytes
from attain.io.numtext import plural
from attain.io.tables import STDIN_NAME, Row, Table, cell_text
from attain.io.xlsx import read_xlsx

# Codes used here:
#   D401 not UTF-8            D402 malformed CSV/YAML/JSON   D403 not a table of records
#   D404 bad column name      D405 wrong number of cells     D406 nested value in a cell
#   U501 missing file         U503 unreadable file           U504 unknown format
#   U507 sheet given for non-Excel data
# (Excel workbooks raise their own codes: see attain.io.xlsx.)

_EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
# Spreadsheet formats openpyxl cannot read: the user has to save them as .xlsx (or CSV) first.
_OTHER_SPREADSHEETS = (".xls", ".xlsb", ".ods", ".numbers", ".et")


def read_table(path: str | os.PathLike, sheet: str | None = None) -> Table:
    """Read a CSV, Excel (.xlsx), YAML or JSON data file (`-` is CSV on stdin) into a `Table` of text cells.

    Cells are never converted here: numbers keep the text they were written
    with, so `parse_cell` can turn them into exact values with the policy's
    declared types. For a workbook, `sheet` names the worksheet to read (the
    first one by default) and `Row.line` is the Excel row number; see
    `attain.io.xlsx.read_xlsx` for how Excel's numbers become text. Bad files raise `AttainError`.
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
        return _with_text(_read_csv, STDIN_NAME, _read_stdin())
    if ext in _EXCEL_EXTENSIONS:
        return read_xlsx(path, _read_bytes(path), sheet)
    reader = _READERS.get(ext)
    if reader is None:
        if ext in _OTHER_SPREADSHEETS:
            hint = 'open it in a spreadsheet program and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (.csv)"'
        else:
            hint = "use a .csv, .xlsx, .yaml, .yml or .json file"
        raise AttainError(
            [Diagnostic("U504", f"cannot tell the format of data file {path!r} from its extension", hint=hint)]
        )
    return _with_text(reader, path, _decode(path, _read_bytes(path)))


def _with_text(reader, file: str, text: str) -> Table:
    """Read `text`; an error carries the text, for caret excerpts without reading the file again."""
    try:
        return reader(file, text)
    except AttainError as e:
        e.sources.setdefault(file, text)
        raise


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
                problems.append(Diagnostic(
                    "D405", f"row has {plural(len(cells), 'value')} but the header on line {header_line} "
                    f"names {plural(len(header), 'column')}", span=span_at(line),
                    hint="every row needs one value per column; leave a cell empty for a missing value"))
                continue
            rows.append(Row(line, {name: cell or None for name, cell in zip(header, cells, strict=False)}))
    except csv.Error as e:
        line = prev_end + 1  # where the broken record starts
        raise AttainError([Diagnostic(
            "D402", f"data file {file!r} is not valid CSV: {e}", span=span_at(line),
            hint='a quoted cell must end with a closing quote; write a quote inside it as ""')]) from None
    if header is None:
        raise AttainError([Diagnostic("D403", f"data file {file!r} has no header row",
                                      hint="the first line of a CSV file names its columns")])
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


# ---------------------------------------------------------------- YAML and JSON


class ExactLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps every scalar as text, so no number ever passes through float.

    Policy test files (attain.testing) are read with it too, for the same reason.
    """

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


ExactLoader.add_constructor("tag:yaml.org,2002:int", _yaml_number)
ExactLoader.add_constructor("tag:yaml.org,2002:float", _yaml_number)
ExactLoader.add_constructor("tag:yaml.org,2002:bool", _yaml_bool)
ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _yaml_text)


def _read_yaml(file: str, text: str) -> Table:
    try:
        data = yaml.load(text, Loader=ExactLoader)  # safe: ExactLoader is a SafeLoader subclass
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
                name = cell_text(key)
            except TypeError:
                name = None
            if not name:
                problems.append(Diagnostic("D404", f"{where} has a key that is not a column name: {key!r}"))
                continue
            if name in record:
                problems.append(Diagnostic("D404", f"{where} names column {name!r} twice"))
                continue
            try:
                record[name] = cell_text(value)
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
