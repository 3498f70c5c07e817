"""The Excel writer: result rows -> a workbook an HR analyst opens and reads without changes.

Each column takes one number format from its type: money with thousands separators
(and the policy's currency), percents as %, counts as whole numbers, scores to the
places the column needs, dates as dates. Every number is an Excel number; a value a
double cannot hold exactly, or one with more places than its column shows (1/3,
12345678901234567.89), gets a cell note with its exact value. A bold header row in
the policy's labels, tier labels in the cells, a totals row (exact sums of money and
counts, the number of rows flagged), and the run's manifest on a sheet of its own.
"""

from __future__ import annotations

import datetime
import io
import json
import math
import re
import unicodedata
import zipfile
from decimal import Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from attain.exact import decimal_places
from attain.i18n import DEFAULT
from attain.i18n.excel import EXCEL
from attain.io.numtext import format_number

if TYPE_CHECKING:
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

# Excel holds 15 significant digits.
EXCEL_DIGITS = 15
_LARGEST = 9.99999999999999e307  # the largest number Excel takes
MAX_NOTE = 30_000  # characters of an exact value a note gives (Excel's cells take 32,767)
# Wide enough that normalising a number to count its digits never rounds it.
_WIDE = Context(prec=100)
# A column shows at most this many places (of percent points for a percent); more go to a note.
MAX_PLACES = 6
# Cells starting with these run as formulas when copied out of the workbook.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0, and so a workbook, cannot hold these control characters at all.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A data cell carried into the results that reads as a plain number (500000, 500,000.50) is written as one;
# a leading zero (007) keeps it text.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.\d+)?")
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
SUMMED = ("money", "count")


@attrs.frozen
class Layout:
    """How a results sheet shows its columns to people.

    `kinds`: column -> its type ("money", "percent", "number", "count", "bool", "text", "date",
    "tier"; "data" for a data column carried through; a column without one is read from its
    values). `headers`: column -> the header to show (the column's name otherwise). `values`:
    column -> {value: the text to show} (tier labels). `currency`: the text before money
    amounts (¥), or None. `lang`: the language of the words attain adds (Total / 合计).
    """

    kinds: dict = attrs.field(factory=dict)
    headers: dict = attrs.field(factory=dict)
    values: dict = attrs.field(factory=dict)
    currency: str | None = None
    lang: str = DEFAULT
    totals: bool = True


def is_number(value: Any) -> bool:
    return isinstance(value, (Decimal, Fraction, int)) and not isinstance(value, bool)


def sheet_text(value: str) -> str:
    """Text as a cell holds it: a leading =, +, -, @, tab or CR neutralised with a quote (as in CSV), so that
    it stays text when copied out; characters XML cannot hold escaped."""
    if value.startswith(FORMULA_START):
        value = "'" + value
    return _XML_ILLEGAL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


@attrs.frozen
class _Column:
    """One column's kind, number format and the places it shows."""

    kind: str | None
    places: int
    number_format: str


def _places(value: Any, kind: str | None) -> int | None:
    """Decimal places `value` needs (in percent points for a percent); None for no finite decimal."""
    exact = Fraction(value) * (100 if kind == "percent" else 1)
    if isinstance(value, Decimal) and kind != "percent":
        exponent = value.as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else None  # keeps a scale: 1750.00 shows 2
    return decimal_places(exact)


def _column(kind: str | None, values: list, currency: str | None) -> _Column:
    """The one format of a column, from its kind and the places its values need (at most MAX_PLACES)."""
    needed = [_places(v, kind) for v in values if is_number(v)]
    places = min(max([p if p is not None else MAX_PLACES for p in needed], default=0), MAX_PLACES)
    if kind == "count":
        places = 0
    if kind == "money":
        places = max(places, 2)
    digits = "0" * places
    if kind == "percent":
        return _Column(kind, places, "0" + ("." + digits if places else "") + "%")
    number_format = "#,##0" + ("." + digits if places else "")
    if kind == "money" and currency:
        symbol = currency.replace('"', "")
        number_format = f'"{symbol}"{number_format};-"{symbol}"{number_format}'
    return _Column(kind, places, number_format)


def _exact_text(value: Any, kind: str | None) -> str:
    """The exact value as a note gives it: a finite decimal in full, else the fraction (a percent in points)."""
    exact = Fraction(value) * (100 if kind == "percent" else 1)
    unit = "%" if kind == "percent" else ""
    if decimal_places(exact) is not None:
        return format_number(exact) + unit
    return f"{_whole(exact.numerator)}/{_whole(exact.denominator)}{unit}"


def _whole(i: int) -> str:
    # Through Decimal past int's own text limit (4,300 digits).
    return str(i) if i.bit_length() < 10_000 else format(Decimal(i), "f")


def _shown_exactly(value: Any, column: _Column) -> bool:
    """Whether Excel gives back the value exactly (a finite decimal of at most 15 significant digits, which
    the nearest double reads back as) and the column's format shows every place of it."""
    places = _places(value, column.kind)
    if places is None or places > column.places:
        return False
    exact = Decimal(format_number(Fraction(value)))
    if len(exact.normalize(_WIDE).as_tuple().digits) > EXCEL_DIGITS:
        return False
    as_float = float(exact)
    return math.isfinite(as_float) and Decimal(repr(as_float)) == exact


def _number(cell: Any, value: Any, column: _Column, lang: str) -> None:
    from openpyxl.comments import Comment

    exact = Fraction(value)
    # Excel holds doubles: a finite decimal goes through its text, so that the double is the one Excel would
    # read for that text; else the nearest double (beyond a double's range, the largest: the note has it).
    try:
        as_float = float(format_number(exact)) if decimal_places(exact) is not None else float(exact)
    except OverflowError:
        as_float = math.inf if exact > 0 else -math.inf
    if not math.isfinite(as_float):
        as_float = math.copysign(_LARGEST, as_float)
    cell.value = 0.0 if as_float == 0 else as_float  # never -0
    cell.number_format = column.number_format
    if not _shown_exactly(value, column):
        shown = _exact_text(value, column.kind)
        if len(shown) > MAX_NOTE:
            text = EXCEL("exact too long", lang, digits=f"{len(shown):,}")
        else:
            text = EXCEL("exact", lang, value=shown) + "\n" + EXCEL("exact why", lang)
        cell.comment = Comment(text, "attain", height=90, width=260)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _kind_of(column: str, layout: Layout, values: list) -> str | None:
    kind = layout.kinds.get(column)
    if kind is None and values and all(isinstance(v, bool) for v in values):
        return "bool"
    return kind


def _put(cell: Any, value: Any, kind: str | None, fmt: _Column, layout: Layout, column: str) -> None:
    if not (isinstance(value, (str, bool)) or is_number(value) or type(value) is datetime.date):
        raise TypeError(f"cannot write a {type(value).__name__} value; use Decimal, Fraction, str, bool, date or None")
    if type(value) is datetime.date:
        cell.value = value  # an Excel date
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, bool):
        cell.value = value
    elif is_number(value):
        _number(cell, value, fmt, layout.lang)
    elif kind == "data" and _PLAIN_NUMBER.fullmatch(value) and len(value.strip("-").replace(",", "")) <= EXCEL_DIGITS:
        # A data column's number (工龄 5) is a number, not "a number stored as text"
        plain = value.replace(",", "")
        cell.value = int(plain) if "." not in plain else float(plain)
        places = len(plain.partition(".")[2])
        cell.number_format = ("#,##0" if "," in value else "0") + ("." + "0" * places if places else "")
    else:
        cell.value = sheet_text(layout.values.get(column, {}).get(value, value))
        cell.data_type = "s"  # never a formula, whatever it starts with


def render_workbook(columns: list[str], rows: list[dict], manifest: dict | None, layout: Layout | None = None) -> bytes:
    """The bytes of a workbook with a "results" sheet (and a "manifest" sheet when given one); equal inputs give
    equal bytes. Row values are Decimal, Fraction, int, str, bool, datetime.date or None."""
    import openpyxl  # deferred: only Excel output needs it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    layout = layout or Layout()
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]  # the one sheet a new workbook has
    sheet.title = "results"
    bold = Font(bold=True)
    formats, widths = [], []
    for col, name in enumerate(columns, 1):
        values: list[Any] = [row.get(name) for row in rows if row.get(name) is not None]
        kind = _kind_of(name, layout, values)
        formats.append(_column(kind, values, layout.currency))
        header = str(layout.headers.get(name, name))
        head = sheet.cell(row=1, column=col, value=sheet_text(header))
        head.data_type = "s"
        head.font = bold
        widths.append(_display_width(header))
        for r, row in enumerate(rows, 2):
            value = row.get(name)
            if value is None:
                continue
            cell = sheet.cell(row=r, column=col)
            _put(cell, value, kind, formats[-1], layout, name)
            shown = format_number(value) if is_number(value) else str(cell.value)
            widths[-1] = max(widths[-1], _display_width(shown) + (4 if is_number(value) else 0))
    if layout.totals and rows:
        _totals(sheet, columns, rows, formats, layout, bold)
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
    return deterministic_zip(buffer.getvalue(), created)


def _totals(sheet: Worksheet, columns: list[str], rows: list[dict], formats: list[_Column], layout: Layout,
            bold: Font) -> None:
    """A row under the results: exact sums of money and count columns, and how many rows each flag marks."""
    from openpyxl.comments import Comment

    at = len(rows) + 2
    summed = False
    for col, (name, fmt) in enumerate(zip(columns, formats, strict=True), 1):
        values: list[Any] = [row.get(name) for row in rows if row.get(name) is not None]
        if fmt.kind in SUMMED and all(is_number(v) for v in values):
            total = sum((Fraction(v) for v in values), Fraction(0))
            _number(sheet.cell(row=at, column=col), total, fmt, layout.lang)
        elif fmt.kind == "bool" and all(isinstance(v, bool) for v in values):
            sheet.cell(row=at, column=col, value=sum(values)).number_format = "#,##0"
        else:
            continue
        sheet.cell(row=at, column=col).font = bold
        summed = True
    if not summed:
        return
    label = sheet.cell(row=at, column=1)
    if label.value is None:
        label.value = EXCEL("total", layout.lang)
        label.font = bold
        label.comment = Comment(EXCEL("total note", layout.lang), "attain", height=110, width=300)


def _json_default(value: Any) -> Any:
    if is_number(value):
        return format_number(value)
    raise TypeError(f"cannot write a {type(value).__name__} value in the manifest")


def _write_manifest_sheet(info: Worksheet, manifest: dict, bold: Font) -> None:
    """Key and value columns, all text cells: nested values as JSON, numbers as their exact text."""
    for col, name in enumerate(("key", "value"), 1):
        info.cell(row=1, column=col, value=name).font = bold
    for r, (key, value) in enumerate(manifest.items(), 2):
        if isinstance(value, (dict, list, tuple)):
            text = json.dumps(value, ensure_ascii=False, default=_json_default)
        elif value is None or isinstance(value, bool):
            text = json.dumps(value)
        else:
            text = format_number(value) if is_number(value) else str(value)
        for col, item in enumerate((str(key), text), 1):
            cell = info.cell(row=r, column=col, value=sheet_text(item))
            cell.data_type = "s"
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 100


def deterministic_zip(data: bytes, created: str | None) -> bytes:
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
