"""Data in and out: read input tables, convert cells exactly, write results atomically."""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import re
import secrets
import stat
import sys
import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, TextIO

import attrs
import yaml

from attain.diagnostics import AttainError, Diagnostic, Span

__all__ = [
    "CellError",
    "Row",
    "Table",
    "format_grouped",
    "format_number",
    "parse_cell",
    "read_table",
    "write_results",
]

# Codes used here:
#   D401 not UTF-8            D402 malformed CSV/YAML/JSON   D403 not a table of records
#   D404 bad column name      D405 wrong number of cells     D406 nested value in a cell
#   U501 missing file         U503 unreadable file           U504 unknown format
#   U505 output not writable

STDIN_NAME = "<stdin>"


# ---------------------------------------------------------------- tables


@attrs.frozen
class Row:
    """One input record: its line (CSV) or 1-based record number (YAML/JSON), and its cells as text."""

    line: int
    cells: dict[str, str | None]


@attrs.frozen
class Table:
    """An input file read as text cells; every row has a cell (maybe None) for every column."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def read_table(path: str | os.PathLike) -> Table:
    """Read a CSV, YAML or JSON data file (`-` is CSV on stdin) into a `Table` of text cells.

    Cells are never converted here: numbers keep the text they were written
    with, so `parse_cell` can turn them into exact values with the policy's
    declared types. Bad files raise `AttainError`.
    """
    path = os.fspath(path)
    if path == "-":
        return _read_csv(STDIN_NAME, _read_stdin())
    reader = _READERS.get(os.path.splitext(path)[1].lower())
    if reader is None:
        raise AttainError(
            [
                Diagnostic(
                    "U504",
                    f"cannot tell the format of data file {path!r} from its extension",
                    hint="use a .csv, .yaml, .yml or .json file",
                )
            ]
        )
    return reader(path, _decode(path, _read_bytes(path)))


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise AttainError([Diagnostic("U501", f"data file {path!r} does not exist")]) from None
    except IsADirectoryError:
        raise AttainError([Diagnostic("U503", f"cannot read data file {path!r}: it is a directory")]) from None
    except OSError as e:
        raise AttainError([Diagnostic("U503", f"cannot read data file {path!r}: {e.strerror}")]) from None


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
    lines = list(io.StringIO(text, newline=""))
    # strict: an unclosed quote is an error instead of silently swallowing the rest of the file.
    reader = csv.reader(lines, strict=True)
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
            span = _line_span(file, line, lines)
            if header is None:
                header, header_line = _csv_header(file, cells, span), line
                continue
            extra = cells[len(header) :]
            if len(cells) < len(header) or any(extra):
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
                    span=_line_span(file, line, lines),
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


def _write_table(columns: list[str], rows: list[dict], manifest: dict | None, out: TextIO) -> None:
    header = [_table_text(c) for c in columns]
    body = [[_table_text(row.get(c)) for c in columns] for row in rows]
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
) -> None:
    """Write result rows as csv, json or table to `out` (None or "-" for stdout).

    Files are written atomically: to a temporary file beside the target, then
    renamed over it, so on any error no partial file is left and an existing
    file is untouched. Row values must be Decimal, Fraction, int, str, bool or
    None (TypeError otherwise); an unwritable path raises AttainError U505.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise AttainError(
            [Diagnostic("U504", f"unknown output format {fmt!r}", hint="use csv, json or table")]
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
        detail = e.strerror or str(e)
        raise AttainError([Diagnostic("U505", f"cannot write output file {out!r}: {detail}")]) from None


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


def _write_atomically(path: str, render: Callable[[TextIO], None]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(8)}.tmp")
    # os.open with 0o666 lets the umask set the new file's mode, as a plain open() would.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
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
