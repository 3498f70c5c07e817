"""Fast Excel reading: python-calamine reads a worksheet's values, and its XML tells which cells show a percent.

calamine (Rust) reads a large sheet about ten times faster than openpyxl, and
recognises date formats the way openpyxl does, but it gives no number formats,
reads every number as a double, and shows an error value (#N/A) or a formula
without a saved value as an empty cell. So before it runs, the worksheet's XML
is searched (regular expressions over the bytes, no XML parse):

- cells whose style shows a percent (from xl/styles.xml) read "95%", as openpyxl
  reads them;
- an error value, a formula without a saved value, or a whole number of 16
  digits or more (which a double cannot hold; openpyxl reads it exactly): then
  `fast_sheet` returns None and openpyxl reads the sheet, with its messages.

Anything unexpected in the package (not a zip, an unusual layout, a part
missing) also returns None: openpyxl then reads the file or says why it cannot.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from xml.etree import ElementTree

from attain.io.excel_text import BUILTIN_PERCENT_FORMATS, column_number, excel_text, float_text, is_percent_format

SheetRows = Iterator[tuple[int, dict[int, str]]]  # (row, column -> text of each non-empty cell), in row order

_ZIP = b"PK\x03\x04"
# Cells openpyxl must read: an error value (<v>#N/A</v>), or a whole number of 16 significant digits or
# more, which openpyxl reads exactly and calamine through a double (1000000000000000 is fine either way).
_ERROR_OR_LONG_NUMBER = re.compile(rb"<v(?:\s[^>]*)?>\s*(?:#|[-+]?0*[1-9]\d{14,}?[1-9]0*\s*<)")
# A formula with no value after it (or an empty one): Excel never saved its result.
_UNSAVED_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:</c>|<v\s*/>|<v(?:\s[^>]*)?>\s*</v>)")
# How Excel, LibreOffice, openpyxl and xlsxwriter write a cell tag: double quotes, one space, no spaces at =.
_PLAIN_TAG = re.compile(rb'<c(?: [a-z]+="[^"<>]*")*\s*/?>')
_ANY_TAG = re.compile(rb"<c[\s/>]")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]{1,3})(\d+)["']""")


def fast_sheet(file: str, data: bytes, sheet: str | None) -> tuple[str, SheetRows] | None:
    """(the sheet's name, its rows) read by calamine; None when openpyxl should read it."""
    if not data.startswith(_ZIP):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            sheets, styles = _parts(package)
            chosen = next((s for s in sheets if sheet is None or s[0] == sheet), None)
            if chosen is None:
                return None
            title, part = chosen
            percent_styles = _percent_styles(package.read(styles)) if styles else set()
            xml = package.read(part)
    except (zipfile.BadZipFile, zlib.error, KeyError, ElementTree.ParseError, OSError, ValueError, EOFError):
        return None  # a damaged part (zlib.error: its compressed data is corrupt): openpyxl says why
    if b"<sheetData" not in xml or _ERROR_OR_LONG_NUMBER.search(xml) or _UNSAVED_FORMULA.search(xml):
        return None
    percent = _percent_cells(xml, percent_styles)
    if percent is None:
        return None
    del xml
    import python_calamine  # deferred, like openpyxl: a CSV run never needs it

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            values = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except Exception:  # calamine's errors (damaged parts...): openpyxl reads it, or says why not
        return None
    return title, _rows(values, percent)


def _rows(values: list[list], percent: set[tuple[int, int]]) -> SheetRows:
    """Each row's non-empty cells as text; the rows are let go of as they are read."""
    for index in range(len(values)):
        cells = {}
        row = index + 1
        for col, value in enumerate(values[index], 1):
            kind = type(value)
            if kind is str:
                if value and (value := value.strip()):
                    cells[col] = value
            elif kind is float:
                cells[col] = float_text(value, (row, col) in percent)
            elif kind is bool:
                cells[col] = "true" if value else "false"
            elif kind is datetime.date:
                cells[col] = value.isoformat()
            else:
                text = excel_text(value, "0%" if (row, col) in percent else None)
                if text is not None:
                    cells[col] = text
        values[index] = []
        if cells:
            yield row, cells


def _parts(package: zipfile.ZipFile) -> tuple[list[tuple[str, str]], str | None]:
    """The worksheets in workbook order as (name, part), and the styles part."""
    book = _target(package, "", "officeDocument")
    if book is None:
        raise KeyError("no workbook part")
    rels = _relationships(package, book)
    sheets = []
    for element in ElementTree.fromstring(package.read(book)).iter():
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            kind, target = rels.get(rid or "", ("", ""))
            if kind == "worksheet":
                sheets.append((element.get("name", ""), target))
    styles = next((target for kind, target in rels.values() if kind == "styles"), None)
    return sheets, styles


def _target(package: zipfile.ZipFile, part: str, kind: str) -> str | None:
    return next((t for k, t in _relationships(package, part).values() if k == kind), None)


def _relationships(package: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (its type's last word, the target part's name in the zip)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    found = {}
    for element in ElementTree.fromstring(package.read(rels)).iter():
        if _local(element.tag) == "Relationship" and element.get("TargetMode") != "External":
            target = element.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[element.get("Id", "")] = (element.get("Type", "").rsplit("/", 1)[-1], target)
    return found


def _percent_styles(styles: bytes) -> set[int]:
    """The cell styles (indexes into cellXfs) whose number format shows a percent."""
    root = ElementTree.fromstring(styles)
    formats = dict(BUILTIN_PERCENT_FORMATS)
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            formats[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
    found = set()
    for element in root.iter():
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(x for x in element if _local(x.tag) == "xf"):
                if is_percent_format(formats.get(int(xf.get("numFmtId", "0")))):
                    found.add(index)
    return found


def _percent_cells(xml: bytes, styles: set[int]) -> set[tuple[int, int]] | None:
    """(row, column) of every cell with a percent style; None if a cell tag has no reference to go by."""
    if not styles:
        return set()
    ids = b"|".join(str(s).encode() for s in sorted(styles))
    plain = _writes_plain_tags(xml)
    found: set[tuple[int, int]] = set()
    if plain:
        # The common layout, r before s: one quick pass; the count of s="N" says if any cell wrote them otherwise.
        for letters, number in re.findall(rb'<c r="([A-Z]{1,3})(\d+)" s="(?:' + ids + rb')"[\s/>]', xml):
            found.add((int(number), column_number(letters.decode())))
        if len(found) == sum(xml.count(b' s="%d"' % s) for s in styles):
            return found
        found.clear()
    for match in re.finditer(rb"""<c\s[^>]*?\bs\s*=\s*["'](?:""" + ids + rb""")["'][^>]*>""", xml):
        ref = _REF.search(match.group())
        if ref is None:
            return None
        found.add((int(ref.group(2)), column_number(ref.group(1).decode())))
    return found


def _writes_plain_tags(xml: bytes, sample: int = 1000) -> bool:
    """Whether the first cell tags are written the plain way, as every tool writing workbooks does it."""
    tags = 0
    for match in _ANY_TAG.finditer(xml, xml.find(b"<sheetData")):
        if not _PLAIN_TAG.match(xml, match.start()):
            return False
        tags += 1
        if tags == sample:
            break
    return True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
