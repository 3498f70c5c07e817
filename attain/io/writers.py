"""Writers: result rows -> CSV, JSON, a terminal table or an Excel workbook, written atomically."""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import sys
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

from attain.diagnostics import AttainError, Diagnostic
from attain.exact import decimal_places
from attain.i18n.messages import say
from attain.io.atomic import temporary_beside as temporary_beside
from attain.io.atomic import text_files, write_together
from attain.io.atomic import write_atomically as write_atomically
from attain.io.atomic import write_prepared as write_prepared
from attain.io.numtext import approximate, format_grouped, format_number
from attain.io.workbook import FORMULA_START, Layout, render_workbook

if TYPE_CHECKING:
    pass

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
_FORMULA_START = FORMULA_START


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
    layout: Layout | None = None,
    bom: bool = False,
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

    xlsx needs a file (U506 for stdout); `layout` says how its columns show (see
    `attain.io.workbook`: one number format per column, notes giving exact values,
    a totals row, headers and tier labels); without one, numbers are formatted
    from their values. The `manifest`, when given, goes on a "manifest" sheet;
    csv and table output do not carry it. Equal inputs give equal bytes.

    `bom` starts CSV text with a UTF-8 byte-order mark, by which Excel knows
    the file is UTF-8 (without one, Chinese Excel reads it as GBK: mojibake).

    `beside` (path -> text) names files written together with `out`, such as the
    manifest sidecar of a CSV file: either every file is replaced or, on any error,
    none is changed (a file renamed before the error gets its old contents back).
    """
    if fmt == "xlsx":
        if out is None or out == "-":
            raise AttainError([Diagnostic("U506", say("U506"), hint=say("U506.hint"))])
        data = render_workbook(columns, rows, manifest, layout)
        write_together([(out, lambda f: f.write(data), True), *text_files(beside)])
        return
    writer = _WRITERS.get(fmt)
    if fmt == "table" and kinds:
        writer = functools.partial(_write_table, kinds=kinds)
    if writer is None:
        raise AttainError([Diagnostic("U504", say("U504.out", fmt=fmt), hint=say("U504.out_hint"))])
    if fmt == "csv" and bom:
        writer = functools.partial(_with_bom, writer)
    if out is None or out == "-":
        # Render fully first so that an error cannot leave half a document on stdout.
        buffer = io.StringIO()
        writer(columns, rows, manifest, buffer)
        _write_stdout(buffer.getvalue(), utf8_bytes=fmt != "table")
        return
    write_together([(out, lambda f: writer(columns, rows, manifest, f), False), *text_files(beside)])


def _with_bom(writer: Callable[[list[str], list[dict], dict | None, TextIO], None], columns: list[str],
              rows: list[dict], manifest: dict | None, out: TextIO) -> None:
    out.write("\ufeff")
    writer(columns, rows, manifest, out)



def stdout_failed(e: OSError) -> AttainError:
    """U508 for standard output that cannot take the results (a full disk, a device error)."""
    return AttainError([Diagnostic("U508", say("U508", reason=e.strerror or e), hint=say("U508.hint"))])


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
