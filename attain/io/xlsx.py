"""Excel reader: one worksheet of an .xlsx workbook -> a Table of text cells, Excel's numbers without float damage."""

from __future__ import annotations

import datetime
import functools
import io
import re
from decimal import Context, Decimal
from typing import Any

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.io.numtext import plural
from attain.io.tables import Row, Table, cell_text

# Codes used here:
#   D403 no header row        D404 bad column name           D405 a value outside the header's columns
#   D407 not a readable Excel workbook, or no such sheet
#   D408 Excel formula cell with no saved value               D409 Excel error value (#N/A...)

# Wide enough that scaling or normalising a number read from Excel never rounds it.
_WIDE = Context(prec=100)
# The most diagnostics of one kind listed for a workbook; the rest are counted.
_MAX_CELL_PROBLEMS = 20


def read_xlsx(file: str, data: bytes, sheet: str | None) -> Table:
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
    where, texts, problems = _sheet_texts(file, data, sheet)
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
    columns = _header_columns(file, where, header_line, header, span_cols, problems)
    named = list(zip(span_cols, columns, strict=True))
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


def _sheet_texts(file: str, data: bytes, sheet: str | None) -> tuple[str, dict[int, dict[int, str]], list[Diagnostic]]:
    """(where, row -> column -> text of the non-empty cells, the D408/D409 problems) of one worksheet."""
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
    return where, texts, problems


def _header_columns(file: str, where: str, header_line: int, header: dict[int, str], span_cols: range,
                    problems: list[Diagnostic]) -> list[str]:
    """The column names across the header's span ("" for a gap); D404 problems go to `problems`."""
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
    return columns


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
        message = f"{plural(len(rest), 'more cell')} from here on have the same problem ({rest[0].message})"
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
        return cell_text(value)
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

