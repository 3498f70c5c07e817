"""Tests for attain.io.xlsx: reading a worksheet of an Excel workbook.

Every test runs twice: with python-calamine reading the values where it can (the
default, attain.io.xlsx_fast), and with openpyxl reading everything. Both must give
the same table and the same messages.
"""

from __future__ import annotations

import datetime
import random
import re
import zipfile
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from io_files import error_of, write

from attain.diagnostics import AttainError
from attain.io import xlsx, xlsx_fast
from attain.io.cells import CellError, parse_cell
from attain.io.excel_text import float_text, plain
from attain.io.readers import read_table
from attain.io.tables import Row, Table


@pytest.fixture(params=["calamine", "openpyxl"], autouse=True)
def reader(request, monkeypatch):
    """Which reader reads the values: the fast one where it can, or openpyxl alone."""
    if request.param == "openpyxl":
        monkeypatch.setattr(xlsx, "fast_sheet", lambda file, data, sheet: None)
    return request.param




def workbook(tmp_path, name="d.xlsx", **sheets) -> str:
    """Save a workbook whose sheets are given as {title: {"A1": value or (value, number_format)}}."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, cells in sheets.items():
        ws = wb.create_sheet(title)
        for ref, value in cells.items():
            value, number_format = value if isinstance(value, tuple) else (value, None)
            ws[ref] = value
            if number_format:
                ws[ref].number_format = number_format
    path = tmp_path / name
    wb.save(path)
    return str(path)


def patch_sheet(path: str, edit) -> None:
    """Rewrite the first worksheet's XML, as a file saved by another program might have it."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            z.writestr(info, data)


def test_xlsx_cells_read_as_exact_text(tmp_path):
    path = workbook(
        tmp_path,
        "数据.xlsx",
        Data={
            # Row 1 left empty: the header is the first non-empty row.
            "A2": "工号", "B2": "实际销售额", "C2": "达成率", "D2": "入职日期", "E2": "在职", "F2": "备注",
            "G2": "系数", "H2": 2023,
            "A3": "001", "B3": 575000.5, "C3": (0.95, "0%"), "D3": datetime.date(2023, 7, 1), "E3": True,
            "F3": "  华东  ", "G3": 0.1, "H3": 7,
            # Row 4 is blank and skipped; row numbers stay Excel's.
            "A5": " 002", "B5": 575000.0, "C5": (0.125, "0.0%"), "D5": datetime.datetime(2023, 7, 1, 9, 30),
            "E5": False, "G5": 1e-7, "H5": 1099511627776,
            "A6": "003", "B6": 0.30000000000000004, "C6": (1, "0%"), "D6": datetime.time(9, 30), "F6": "",
            "G6": -0.0, "H6": 1.5e16,
        },
    )
    table = read_table(path)
    assert table.file == path
    assert table.columns == ("工号", "实际销售额", "达成率", "入职日期", "在职", "备注", "系数", "2023")
    assert table.rows == (
        Row(3, {"工号": "001", "实际销售额": "575000.5", "达成率": "95%", "入职日期": "2023-07-01", "在职": "true",
                "备注": "华东", "系数": "0.1", "2023": "7"}),
        Row(5, {"工号": "002", "实际销售额": "575000", "达成率": "12.5%", "入职日期": "2023-07-01T09:30:00",
                "在职": "false", "备注": None, "系数": "0.0000001", "2023": "1099511627776"}),
        Row(6, {"工号": "003", "实际销售额": "0.3", "达成率": "100%", "入职日期": "09:30:00", "在职": None,
                "备注": None, "系数": "0", "2023": "15000000000000000"}),
    )
    # The texts convert exactly, and a percent cell is refused where a plain number is expected.
    assert parse_cell("money", table.rows[0].cells["实际销售额"]) == Fraction(1150001, 2)
    assert parse_cell("percent", table.rows[0].cells["达成率"]) == Fraction(95, 100)
    assert parse_cell("number", table.rows[0].cells["系数"]) == Fraction(1, 10)
    with pytest.raises(CellError):
        parse_cell("number", table.rows[0].cells["达成率"])


@pytest.mark.parametrize(
    "value, text",
    [
        (0.1, "0.1"),
        (575000.0, "575000"),
        (575000.5, "575000.5"),
        (1e-7, "0.0000001"),
        (-12.5, "-12.5"),
        (1234.5600000000002, "1234.56"),  # a formula's result, shown by Excel to 15 digits
        (123456789012345.6, "123456789012346"),
        (42, "42"),
    ],
)
def test_xlsx_numbers(tmp_path, value, text):
    path = workbook(tmp_path, S={"A1": "n", "A2": value})
    assert read_table(path).rows[0].cells["n"] == text


def test_xlsx_sheet_by_name(tmp_path):
    path = workbook(tmp_path, First={"A1": "id", "A2": "x"}, 第二={"A1": "id", "A2": "y"})
    assert read_table(path).rows[0].cells == {"id": "x"}
    assert read_table(path, sheet="第二").rows[0].cells == {"id": "y"}
    with pytest.raises(AttainError) as excinfo:
        read_table(path, sheet="Third")
    assert error_of(excinfo) == ("D407",)
    assert "'First', '第二'" in excinfo.value.diagnostics[0].hint


def test_sheet_name_for_csv_is_a_usage_error(tmp_path):
    path = write(tmp_path, "d.csv", "id\nx\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path, sheet="Data")
    assert error_of(excinfo) == ("U507",)


def test_xlsx_formula_without_saved_value(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "B1": "sales", "A2": "e1", "B2": 5, "A7": "e2", "B7": "=B2*2"})
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D408"
    assert "cell S!B7" in d.message and "formula with no saved value" in d.message
    assert "open and save the file in Excel" in d.hint
    assert (d.span.file, d.span.line, d.span.col) == (path, 7, 2)


def test_xlsx_formula_alone_in_a_row_is_not_skipped(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "A2": "e1", "A3": "=A2"})
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D408",)


def test_xlsx_formula_with_saved_value_reads_the_value(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "B1": "sales", "C1": "note", "A2": "e1", "B2": "=2*3", "C2": '=""'})
    # As Excel saves them: a number result, and an empty-text result (t="str" with an empty value).
    patch_sheet(
        path,
        lambda xml: xml.replace("<f>2*3</f><v />", "<f>2*3</f><v>6</v>")
        .replace('<c r="C2"><f>""</f><v />', '<c r="C2" t="str"><f>""</f><v></v>'),
    )
    assert read_table(path).rows == (Row(2, {"id": "e1", "sales": "6", "note": None}),)


def test_xlsx_many_bad_cells_are_counted_not_listed(tmp_path):
    cells = {"A1": "n"} | {f"A{i}": "=1" for i in range(2, 40)}
    path = workbook(tmp_path, S=cells)
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    diagnostics = excinfo.value.diagnostics
    assert len(diagnostics) == 21 and all(d.code == "D408" for d in diagnostics)
    assert diagnostics[-1].message.startswith("18 more cells from here on") and diagnostics[-1].span.line == 22


def test_xlsx_error_value(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "B1": "rate", "A2": "e1", "B2": "#DIV/0!"})
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D409" and "cell S!B2" in d.message and "#DIV/0!" in d.message


def test_xlsx_header_problems(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "B1": "sales", "D1": "sales", "A2": "e1"})
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    messages = [(d.code, d.message) for d in excinfo.value.diagnostics]
    assert [code for code, _ in messages] == ["D404", "D404"]
    assert "column C" in messages[0][1] and "'sales' twice" in messages[1][1]


def test_xlsx_table_may_start_right_of_column_a_but_not_spill_outside(tmp_path):
    path = workbook(tmp_path, S={"B3": "id", "C3": "n", "B4": "e1", "C4": 1, "B5": "e2", "E5": "note"})
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D405" and "cell S!E5" in d.message and "B to C" in d.message
    path = workbook(tmp_path, "ok.xlsx", S={"B3": "id", "C3": "n", "B4": "e1", "C4": 1})
    assert read_table(path) == Table(path, ("id", "n"), (Row(4, {"id": "e1", "n": "1"}),))


def test_xlsx_with_wrong_dimensions_loses_no_rows(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "B1": "n", "A2": "e1", "B2": 1, "A3": "e2", "B3": 2})
    patch_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1"/>', xml))
    assert [r.cells for r in read_table(path).rows] == [{"id": "e1", "n": "1"}, {"id": "e2", "n": "2"}]


def test_xlsx_empty_sheet_has_no_header(tmp_path):
    path = workbook(tmp_path, S={})
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D403",)


@pytest.mark.parametrize("content", [b"id,sales\ne1,1\n", b"PK\x03\x04broken", b""])
def test_xlsx_that_is_not_a_workbook(tmp_path, content):
    path = write(tmp_path, "d.xlsx", content)
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D407",)
    assert "not a readable Excel workbook" in str(excinfo.value)


def test_xlsx_missing_file(tmp_path):
    with pytest.raises(AttainError) as excinfo:
        read_table(str(tmp_path / "nope.xlsx"))
    assert error_of(excinfo) == ("U501",)


# ---------------------------------------------------------------- the two readers


def test_the_fast_reader_reads_a_plain_workbook_and_gives_way_where_it_cannot(tmp_path, reader):
    plain = workbook(tmp_path, "plain.xlsx", S={"A1": "id", "B1": "rate", "C1": "day", "A2": "e1",
                                                "B2": (0.95, "0.0%"), "C2": (45108, "yyyy/m/d")})
    with open(plain, "rb") as f:
        data = f.read()
    title, rows = xlsx_fast.fast_sheet(plain, data, None)
    # 45108 is 2023-07-01 in Excel's 1900 date system; 0.95 shown as a percent reads 95%.
    assert title == "S"
    assert list(rows) == [(1, {1: "id", 2: "rate", 3: "day"}), (2, {1: "e1", 2: "95%", 3: "2023-07-01"})]
    # What calamine would read wrong, openpyxl reads: an error value (calamine: empty), a formula with no
    # saved value (empty too), and a whole number a double cannot hold, as other programs write it
    # (calamine: 12345678901234568; openpyxl reads the digits).
    for name, cell in [("error", "#N/A"), ("formula", "=1+1"), ("long", 7)]:
        path = workbook(tmp_path, f"{name}.xlsx", S={"A1": "n", "A2": cell})
        if name == "long":
            patch_sheet(path, lambda xml: xml.replace("<v>7</v>", "<v>12345678901234567</v>"))
            assert read_table(path).rows == (Row(2, {"n": "12345678901234567"}),)
        with open(path, "rb") as f:
            assert xlsx_fast.fast_sheet(path, f.read(), None) is None, name


@pytest.mark.parametrize(
    "number_format, value, text",
    [
        ("0%", 0.95, "95%"),
        ("0.00%", 0.125, "12.5%"),
        ("0.0%", 1, "100%"),
        ('0.0"%"', 95, "95"),  # a quoted % is literal text: the number is 95, not 95%
        ("0.0\\%", 95, "95"),
        ("#,##0.00", 575000.5, "575000.5"),
        ("yyyy-mm-dd", 45108, "2023-07-01"),  # dates stored as numbers, shown as dates
        ('yyyy"年"m"月"d"日"', 45108, "2023-07-01"),
        ("m/d/yy", 45108.5, "2023-07-01T12:00:00"),
        ("[h]:mm", 1.5, "36:00:00"),
        ("General", 45108, "45108"),
    ],
)
def test_number_formats_read_the_same_by_both_readers(tmp_path, number_format, value, text):
    path = workbook(tmp_path, S={"A1": "n", "A2": (value, number_format)})
    assert read_table(path).rows == (Row(2, {"n": text}),)


def test_percent_cells_found_however_the_cell_tags_are_written(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "B1": "rate", "A2": "e1", "B2": (0.95, "0%"), "A3": "e2", "B3": 0.5})
    # Another writer: t before s and r last, single quotes, spaces around '='.
    patch_sheet(path, lambda xml: re.sub(r'<c r="(B2)" s="(\d+)" t="n">', r"<c t='n' s = '\2'  r='\1'>", xml))
    assert [r.cells["rate"] for r in read_table(path).rows] == ["95%", "0.5"]


def test_1904_workbook_dates(tmp_path):
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.active.append(["day"])
    wb.active.append([datetime.date(2023, 7, 1)])
    wb.active["A2"].number_format = "yyyy-mm-dd"
    wb.save(tmp_path / "mac.xlsx")
    assert read_table(str(tmp_path / "mac.xlsx")).rows == (Row(2, {"day": "2023-07-01"}),)


# ---------------------------------------------------------------- title rows and --header-row


def test_title_rows_above_the_header_are_skipped(tmp_path):
    path = workbook(tmp_path, S={"A1": "2023年第三季度销售业绩", "A2": "制表：人事部",
                                 "A4": "工号", "B4": "销售额", "A5": "001", "B5": 575000, "A6": "002", "B6": 1})
    table = read_table(path)
    assert table.columns == ("工号", "销售额") and table.header_line == 4
    assert table.rows == (Row(5, {"工号": "001", "销售额": "575000"}), Row(6, {"工号": "002", "销售额": "1"}))


def test_a_header_that_cannot_be_told_is_one_question(tmp_path):
    # A title with a unit beside it: two cells, then a wider header and data. Before, every data cell
    # outside A:B was an error of its own (21 of them, the rest counted).
    cells = {"A1": "2023年第三季度销售业绩", "B1": "单位：元", "A2": "工号", "B2": "姓名", "C2": "销售额"}
    cells |= {f"{c}{r}": f"v{r}" for r in range(3, 40) for c in "ABC"}
    path = workbook(tmp_path, S=cells)
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D435" and (d.span.line, d.span.col) == (1, 1)
    assert "row 1 (\"2023年第三季度销售业绩\", \"单位：元\") or row 2 (\"工号\", \"姓名\", \"销售额\")" in d.message
    assert "--header-row 2" in d.hint
    assert read_table(path, header_row=2).columns == ("工号", "姓名", "销售额")
    assert len(read_table(path, header_row=2).rows) == 37


def test_header_row_that_is_blank_or_past_the_end(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "A3": "e1"})
    for row, said in [(2, "names a blank row of sheet 'S'"), (9, "is past the end of sheet 'S'")]:
        with pytest.raises(AttainError) as excinfo:
            read_table(path, header_row=row)
        (d,) = excinfo.value.diagnostics
        assert d.code == "U541" and said in d.message


# ---------------------------------------------------------------- files that are not workbooks


@pytest.mark.parametrize(
    "content, why",
    [
        (b"", "the file is empty"),
        (b"id,sales\ne1,1\n", "this one is not (it holds text: is it a CSV file with the wrong extension?)"),
        (b"PK\x03\x04broken", "it is damaged (its zip archive cannot be read)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "it is an old-style .xls file or a password-protected"),
    ],
)
def test_unreadable_workbooks_say_why_in_words(tmp_path, content, why):
    path = write(tmp_path, "d.xlsx", content)
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D407" and why in d.message
    assert not re.search(r"Error|Exception|BadZip|KeyError", d.message + d.hint)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "d.xlsx", "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(AttainError) as excinfo:
        read_table(str(tmp_path / "d.xlsx"))
    (d,) = excinfo.value.diagnostics
    assert d.message.endswith("is not a readable Excel workbook: it is a zip archive, but not of an Excel workbook")
    assert "KeyError" not in d.message


def test_a_workbook_with_a_damaged_sheet(tmp_path):
    path = workbook(tmp_path, S={"A1": "id", "A2": "e1"})
    patch_sheet(path, lambda xml: xml[: xml.index("<sheetData>") + 30])
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D407" and d.message.endswith("sheet 'S' is damaged or written in a way attain cannot read")
    assert not re.search(r"Error|Exception", d.message)


def test_both_readers_give_the_same_exact_texts_for_many_numbers(tmp_path, reader):
    # Typed numbers (at most 15 digits), formula results with binary noise, tiny and huge ones, with and
    # without a percent format: both readers follow excel_text's rule, so both tables are the same.
    rng = random.Random(11)
    values = [0.1 + 0.2, 1 / 3, 2 / 3 * 100, 1e-7, 123456789012345.6, -0.0, 1e15, 9.99e14]
    values += [rng.randint(-10**9, 10**9) / 10 ** rng.randint(0, 6) for _ in range(150)]
    values += [rng.random() * 10 ** rng.randint(-3, 12) for _ in range(150)]
    values = [float(format(v, ".16g")) for v in values]  # openpyxl saves 16 digits: the doubles the file holds
    cells = {"A1": "n", "B1": "p"}
    for row, value in enumerate(values, 2):
        cells[f"A{row}"] = value
        cells[f"B{row}"] = (value, "0.00%")
    path = workbook(tmp_path, S=cells)
    with open(path, "rb") as f:
        assert reader == "openpyxl" or xlsx_fast.fast_sheet(path, f.read(), None) is not None  # the fast path ran
    rows = read_table(path).rows
    for value, row in zip(values, rows, strict=True):
        assert row.cells["n"] == float_text(value, False), value
        assert row.cells["p"] == float_text(value, True), value
        # The percent text is the plain number's text scaled by exactly 100, never through a float.
        number = Decimal(float_text(value, False))
        assert Decimal(row.cells["p"].removesuffix("%")) == number * 100, value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_percent_text_is_the_number_text_times_100(value):
    text = format(value, ".15g")
    expected = plain(Decimal(text).scaleb(2))
    assert float_text(value, True) == expected + "%"
