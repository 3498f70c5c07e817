"""Writers: result rows -> CSV, JSON, a terminal table or an Excel workbook, written atomically."""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import math
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from decimal import Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

from attain.diagnostics import AttainError, Diagnostic
from attain.exact import decimal_places
from attain.io.atomic import temporary_beside as temporary_beside
from attain.io.atomic import text_files, write_together
from attain.io.atomic import write_atomically as write_atomically
from attain.io.atomic import write_prepared as write_prepared
from attain.io.numtext import approximate, format_grouped, format_number

if TYPE_CHECKING:
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

# Codes used here:
#   U504 unknown output format   U505 output not writable   U506 xlsx output needs a file


def _is_number(value: Any) -> bool:
    return isinstance(value, (Decimal, Fraction, int)) and not isinstance(value, bool)


def _check_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)) or _is_number(value):
        return value
    if type(value) is datetime.date:
        # A date output (an input of type date, or a formula choosing one) is written as YYYY-MM-DD;
        # Excel gets a real date (see _render_xlsx).
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} value; use Decimal, Fraction, str, bool, date or None")


# ---------------------------------------------------------------- CSV, JSON and the terminal table


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


def csv_line(values: list) -> str:
    """One row as the CSV writer writes it, without its newline (for writers that assemble rows elsewhere)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([_csv_cell(v) for v in values])
    return buffer.getvalue()[:-1]


def json_frame(columns: list[str], manifest: dict | None) -> tuple[str, str, str]:
    """(text before the first row, after the last, the whole document without rows) of a JSON results document."""
    document: dict[str, Any] = {"schema": 1}
    if manifest is not None:
        document["manifest"] = manifest
    document["columns"] = list(columns)
    document["rows"] = []
    empty = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    if not empty.endswith('"rows": []\n}\n'):
        raise AssertionError("the rows must come last in a results document")
    return empty[: -len("[]\n}\n")] + "[\n", "\n  ]\n}\n", empty


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
        for text, width, right in zip(cells, widths, numeric, strict=True):
            pad = " " * (width - _display_width(text))
            parts.append(pad + text if right else text + pad)
        return "  ".join(parts).rstrip() + "\n"

    out.write(line(header))
    out.write("  ".join("-" * w for w in widths) + "\n")
    for cells in body:
        out.write(line(cells))


# ---------------------------------------------------------------- Excel


# Excel shows 15 significant digits and allows 30 decimal places in a number format.
_EXCEL_DIGITS = 15
_XLSX_MAX_PLACES = 30
# Wide enough that normalising a number to count its digits never rounds it.
_WIDE = Context(prec=100)
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
    exponent = exact.as_tuple().exponent
    if not isinstance(exponent, int):  # "n", "N" or "F": not a finite number
        return None
    places = max(0, -exponent)
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
    sheet = workbook.worksheets[0]  # the one sheet a new workbook has
    sheet.title = "results"
    bold = Font(bold=True)
    widths = [_display_width(_table_text(c)) for c in columns]
    for col, name in enumerate(columns, 1):
        head = sheet.cell(row=1, column=col, value=_xlsx_text(_check_value(name)))
        head.data_type = "s"
        head.font = bold
    for r, row in enumerate(rows, 2):
        for col, name in enumerate(columns, 1):
            raw = row.get(name)
            value = _check_value(raw)
            if value is None:
                continue
            widths[col - 1] = max(widths[col - 1], _display_width(_table_text(value)))
            cell = sheet.cell(row=r, column=col)
            if type(raw) is datetime.date:
                cell.value = raw  # an Excel date, shown as written in the policy's language
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, bool):
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
        _write_manifest_sheet(workbook.create_sheet("manifest"), manifest, bold)
        if isinstance(manifest.get("created"), str) and _W3C_TIME.fullmatch(manifest["created"]):
            created = manifest["created"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _deterministic_zip(buffer.getvalue(), created)


def _write_manifest_sheet(info: Worksheet, manifest: dict, bold: Font) -> None:
    """Key and value columns, all text cells: nested values as JSON, numbers as their exact text."""
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


# ---------------------------------------------------------------- to a file or standard output


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
    beside: dict[str, str] | None = None,
) -> None:
    """Write result rows as csv, json, table or xlsx to `out` (None or "-" for stdout).

    `kinds` (column -> "percent", "money", ...) only changes how the terminal table
    shows numbers (115% for a percent); the other formats write exact values.

    Files are written atomically: to a temporary file beside the target, then
    renamed over it, so on any error no partial file is left and an existing
    file is untouched. Row values must be Decimal, Fraction, int, str, bool,
    datetime.date or None (TypeError otherwise); a date is written as
    YYYY-MM-DD, and as an Excel date in xlsx. An unwritable path raises
    AttainError U505.

    xlsx needs a file (U506 for stdout). Its "results" sheet has a bold header
    row; a number is written as an Excel number (formatted to its own decimal
    places, #,##0.00) only when a double holds it exactly and Excel shows all
    its digits, and otherwise as its exact text; text is always a string cell,
    with a leading =, +, -, @, tab or CR neutralised by a quote as in CSV. The
    `manifest`, when given, goes on a "manifest" sheet (nested values as JSON);
    csv and table output do not carry it. Equal inputs give equal bytes.

    `beside` (path -> text) names files written together with `out`, such as the
    manifest sidecar of a CSV file: either every file is replaced or, on any error,
    none is changed (a file renamed before the error gets its old contents back).
    """
    if fmt == "xlsx":
        if out is None or out == "-":
            raise AttainError([Diagnostic("U506", "an Excel workbook cannot be written to standard output",
                                          hint="name an output file ending in .xlsx, or choose csv, json or table")])
        data = _render_xlsx(columns, rows, manifest)
        write_together([(out, lambda f: f.write(data), True), *text_files(beside)])
        return
    writer = _WRITERS.get(fmt)
    if fmt == "table" and kinds:
        writer = functools.partial(_write_table, kinds=kinds)
    if writer is None:
        raise AttainError([Diagnostic("U504", f"unknown output format {fmt!r}", hint="use csv, json, table or xlsx")])
    if out is None or out == "-":
        # Render fully first so that an error cannot leave half a document on stdout.
        buffer = io.StringIO()
        writer(columns, rows, manifest, buffer)
        _write_stdout(buffer.getvalue(), utf8_bytes=fmt != "table")
        return
    write_together([(out, lambda f: writer(columns, rows, manifest, f), False), *text_files(beside)])


def stdout_failed(e: OSError) -> AttainError:
    """U508 for standard output that cannot take the results (a full disk, a device error)."""
    return AttainError([Diagnostic("U508", f"cannot write the results to standard output: {e.strerror or e}",
                                   hint="free some space, or write to a file with --out")])


def _write_stdout(text: str, utf8_bytes: bool) -> None:
    """Write the whole rendered text; OSError becomes U508. A closed pipe (BrokenPipeError) is left to the
    caller, for whom it means the reader wants no more."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None) if utf8_bytes else None
    try:
        if buffer is None:
            stream.write(text)
            stream.flush()
            return
        # Data formats are UTF-8 with "\n" whatever the console's encoding or newline convention.
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        raise stdout_failed(e) from None
