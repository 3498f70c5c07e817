"""Excel reader: one worksheet of an .xlsx workbook -> a Table of text cells, Excel's numbers without float damage."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.i18n.messages import counted, joined, say
from attain.io.excel_text import cell_name, column_letter, excel_text, float_text, is_percent_format
from attain.io.headers import LOOKAHEAD, Shape, ambiguous, find_header, no_header_at
from attain.io.tables import Place, Row, Table
from attain.io.xlsx_fast import SheetRows, fast_sheet

# Codes used here:
#   D403 no header row        D404 bad column name           D405 a value outside the header's columns
#   D407 not a readable Excel workbook, or no such sheet
#   D408 Excel formula cell with no saved value               D409 Excel error value (#N/A...)
#   D435 which row is the header?                             U541 no header at --header-row

# The most diagnostics of one kind listed for a workbook; the rest are counted.
_MAX_CELL_PROBLEMS = 20


def read_xlsx(file: str, data: bytes, sheet: str | None, header_row: int | None = None) -> Table:
    """Read one worksheet of an Excel workbook into a Table of text cells.

    The header is the first row with anything in it, past any title rows (see
    `attain.io.headers`), or the sheet row `header_row`; the table spans its
    first to last named column, and cells outside that span must be empty.
    Cells become text without float damage: Excel stores numbers as binary
    doubles, and a double's shortest round-trip decimal (Python's repr) is
    the number that was typed, so 0.1 reads "0.1" and 575000 reads "575000".
    Formula results keep at most 15 significant digits, as Excel shows them
    (0.1+0.2 reads "0.3", not "0.30000000000000004"); a typed number never
    has more (see `attain.io.excel_text.float_text`). Percent-formatted cells
    read "95%" (Excel stores 0.95), dates "2023-07-01", booleans "true"/"false".
    Formulas without a saved value (D408) and error values such as #N/A (D409)
    are errors, wherever they are on the sheet. Every message names the cell
    as Excel does (`Sheet1!M3`). python-calamine reads the values when it can
    (`attain.io.xlsx_fast`), openpyxl otherwise; both give the same texts.
    """
    problems: list[Diagnostic] = []
    title, rows = fast_sheet(file, data, sheet) or _openpyxl_sheet(file, data, sheet, problems)
    found = _find_header(file, title, rows, header_row, problems)
    if found is None:
        problems.append(Diagnostic("D403", say("D403.sheet", title=title, file=file), hint=say("D403.sheet_hint")))
        raise AttainError(_capped(problems))
    (header_line, header), rest = found
    first, last = min(header), max(header)
    span_cols = range(first, last + 1)
    columns = _header_columns(file, title, header_line, header, span_cols, problems)
    cols = list(span_cols)
    table_rows: list[Row] = []
    for line, values in rest:
        if min(values) < first or max(values) > last:
            for col in sorted(values):
                if not first <= col <= last:
                    problems.append(Diagnostic(
                        "D405", say("D405.sheet", cell=cell_name(title, line, col), file=file, row=header_line,
                                    first=column_letter(first), last=column_letter(last)),
                        span=Span(file, line, col, line, col + 1), hint=say("D405.sheet_hint")))
        table_rows.append(Row(line, dict(zip(columns, map(values.get, cols), strict=True))))
    if problems:
        raise AttainError(_capped(problems))
    places = _SheetCells(file, title, dict(zip(columns, cols, strict=True)))
    return Table(file, tuple(columns), tuple(table_rows), cells=places, header_line=header_line)


def _find_header(file: str, title: str, rows: SheetRows, header_row: int | None, problems: list[Diagnostic]):
    """((header row, its cells), the rows after it), or None for a sheet with nothing in it."""
    if header_row is not None:
        last = 0
        for line, values in rows:
            last = line
            if line == header_row:
                return (line, values), rows
            if line > header_row:
                break
        else:
            if problems:  # the sheet's errors say more than a missing header
                raise AttainError(_capped(problems))
            raise no_header_at(file, header_row, "row", last, where=say("sheet_of", title=title, file=file))
        raise no_header_at(file, header_row, "row", None, where=say("sheet_of", title=title, file=file))
    ahead = list(itertools.islice(rows, LOOKAHEAD))
    if not ahead:
        return None
    shapes = [Shape(line, frozenset(values), tuple(values[c] for c in sorted(values))) for line, values in ahead]
    found = find_header(shapes)
    if isinstance(found, list):
        raise ambiguous(file, found, "row", where=say("sheet_of", title=title, file=file))
    at = shapes.index(found)
    return ahead[at], itertools.chain(ahead[at + 1 :], rows)


class _SheetCells:
    """Places of a sheet's cells: the row and sheet column, named as Excel names them (Sheet1!M3)."""

    def __init__(self, file: str, title: str, columns: dict[str, int]):
        self.file, self.title, self.columns = file, title, columns

    def place(self, line: int, column: str) -> Place | None:
        col = self.columns.get(column)
        if col is None:
            return None
        return Place(Span(self.file, line, col, line, col + 1), cell_name(self.title, line, col))


def _openpyxl_sheet(file: str, data: bytes, sheet: str | None, problems: list[Diagnostic]) -> tuple[str, SheetRows]:
    """(the sheet's name, its rows) read by openpyxl; D408 and D409 problems go to `problems`."""
    workbook, worksheet = _open_sheet(file, data, sheet, data_only=True)
    return worksheet.title, _openpyxl_rows(file, data, sheet, workbook, worksheet, problems)


def _openpyxl_rows(file: str, data: bytes, sheet: str | None, workbook, worksheet,
                   problems: list[Diagnostic]) -> SheetRows:
    title = worksheet.title
    suspects: set[tuple[int, int]] = set()
    line = 0  # the row being read, and its cells so far
    values: dict[int, str] = {}
    for cell in _sheet_cells(file, workbook, worksheet):
        if cell.row != line:
            if values:
                yield line, values
            line, values = cell.row, {}
        value = cell.value
        if value is None:
            # data_only reads give None for a formula with no saved value, so an empty-looking
            # cell may be a formula; "str"/"inlineStr" cells are empty text, never formulas.
            if cell.data_type not in ("s", "str", "inlineStr"):
                suspects.add((cell.row, cell.column))
            continue
        if cell.data_type == "e":
            problems.append(Diagnostic(
                "D409", say("D409", cell=cell_name(title, cell.row, cell.column), file=file, value=value),
                span=Span(file, cell.row, cell.column, cell.row, cell.column + 1), hint=say("D409.hint")))
            continue
        if isinstance(value, str):
            text = value.strip() or None
        elif type(value) is float:
            text = float_text(value, is_percent_format(cell.number_format))
        else:
            text = excel_text(value, cell.number_format)
        if text is not None:
            values[cell.column] = text
    if values:
        yield line, values
    if suspects:
        # A second read with formulas kept tells which empty-looking cells are unsaved formulas.
        workbook, worksheet = _open_sheet(file, data, sheet, data_only=False)
        for cell in _sheet_cells(file, workbook, worksheet):
            if cell.data_type == "f" and (cell.row, cell.column) in suspects:
                problems.append(Diagnostic(
                    "D408", say("D408", cell=cell_name(title, cell.row, cell.column), file=file),
                    span=Span(file, cell.row, cell.column, cell.row, cell.column + 1), hint=say("D408.hint")))


def _header_columns(file: str, title: str, header_line: int, header: dict[int, str], span_cols: range,
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
                    say("D404.sheet_unnamed", col=column_letter(col), cell=cell_name(title, header_line, col),
                        file=file),
                    span=span,
                    hint=say("D404.sheet_unnamed_hint"),
                )
            )
        elif name in seen:
            problems.append(
                Diagnostic(
                    "D404",
                    say("D404.sheet_twice", row=header_line, title=title, file=file, name=name,
                        cell=cell_name(title, header_line, col)),
                    span=span,
                    hint=say("D404.rename"),
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
    except Exception:  # openpyxl raises many kinds of error for a damaged or foreign file
        raise _unreadable(file, data) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise AttainError([Diagnostic("D407", say("D407.no_sheets", file=file))])
        if sheet is None:
            return workbook, sheets[0]
        for worksheet in sheets:
            if worksheet.title == sheet:
                return workbook, worksheet
        names = joined(repr(ws.title) for ws in sheets)
        raise AttainError(
            [Diagnostic("D407", say("D407.no_sheet", file=file, sheet=sheet), hint=say("D407.its_sheets", names=names))]
        )
    except BaseException:
        workbook.close()
        raise


def _sheet_cells(file: str, workbook, worksheet) -> Iterator:
    """Every cell stored in the worksheet, row by row; closes the workbook when done."""
    try:
        # Read-only mode trusts the size a file declares; some writers get it wrong and rows go missing.
        worksheet.reset_dimensions()
        for row in worksheet.iter_rows():
            for cell in row:
                if getattr(cell, "row", None) is not None:  # skip fillers for cells the file leaves out
                    yield cell
    except Exception:
        raise AttainError([Diagnostic(
            "D407", say("D407.damaged_sheet", file=file, title=worksheet.title), hint=say("D407.save")
        )]) from None
    finally:
        workbook.close()



def _unreadable(file: str, data: bytes) -> AttainError:
    """Why openpyxl cannot open a file, in words: never an exception's name."""
    hint = say("D407.save")
    if not data.strip():
        why = say("D407.empty")
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # an OLE file: old .xls, or an encrypted workbook
        why = say("D407.xls")
        hint = say("D407.save_no_password")
    elif not data.startswith(b"PK"):
        why = say("D407.not_zip")
        if _looks_like_text(data):
            why = say("D407.text")
            hint = say("D407.if_csv")
    else:
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            why = say("D407.bad_zip")
        else:
            if "[Content_Types].xml" not in names or not any(n.endswith("workbook.xml") for n in names):
                why = say("D407.other_zip")
            else:
                why = say("D407.damaged")
    return AttainError([Diagnostic("D407", say("D407", file=file, why=why), hint=hint)])


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a character cut off at the end of the sample
            return False
    return b"\0" not in head


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
        message = say("capped", cells=counted(len(rest), "more_cell"), first=rest[0].message)
        kept.append(Diagnostic(code, message, span=rest[0].span, hint=rest[0].hint))
    return kept


def sheet_names(path: str) -> list[str]:
    """The names of a workbook's sheets, in order; none when it cannot be opened (reading it says why)."""
    import openpyxl  # deferred, as in _open_sheet

    try:
        workbook = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # a damaged or foreign file: reading its sheets reports it
        return []
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()
