"""Tests for attain.io: reading data files, converting cells, writing results."""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import sys
import zipfile
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest

from attain.diagnostics import AttainError, render
from attain.io import (
    CellError,
    Row,
    Table,
    format_grouped,
    format_number,
    parse_cell,
    read_table,
    write_atomically,
    write_results,
)


def write(tmp_path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


def error_of(excinfo) -> tuple[str, ...]:
    return tuple(d.code for d in excinfo.value.diagnostics)


# ---------------------------------------------------------------- CSV


def test_csv_without_bom(tmp_path):
    path = write(tmp_path, "d.csv", "id, sales ,region\n e1 ,500000,\ne2,\"1,200.50\",East\n")
    table = read_table(path)
    assert table == Table(
        path,
        ("id", "sales", "region"),
        (
            Row(2, {"id": "e1", "sales": "500000", "region": None}),
            Row(3, {"id": "e2", "sales": "1,200.50", "region": "East"}),
        ),
    )


def test_csv_with_bom_and_crlf(tmp_path):
    path = write(tmp_path, "d.csv", b"\xef\xbb\xbfid,sales\r\ne1,42\r\n")
    table = read_table(path)
    assert table.columns == ("id", "sales")
    assert table.rows == (Row(2, {"id": "e1", "sales": "42"}),)


def test_csv_chinese_headers(tmp_path):
    path = write(tmp_path, "数据.csv", "工号,实际销售额,区域\n001,500000,华东\n")
    table = read_table(path)
    assert table.columns == ("工号", "实际销售额", "区域")
    assert table.rows[0].cells == {"工号": "001", "实际销售额": "500000", "区域": "华东"}


def test_csv_blank_lines_are_skipped_and_lines_counted(tmp_path):
    path = write(tmp_path, "d.csv", "id,sales\n\ne1,1\n   \n,\ne2,2\n")
    table = read_table(path)
    assert [(r.line, r.cells["id"]) for r in table.rows] == [(3, "e1"), (6, "e2")]


def test_csv_quoted_newline_reports_the_line_the_record_starts_on(tmp_path):
    path = write(tmp_path, "d.csv", 'id,note\ne1,"two\nlines"\ne2,x\n')
    table = read_table(path)
    assert [(r.line, r.cells["note"]) for r in table.rows] == [(2, "two\nlines"), (4, "x")]


def test_csv_short_row_names_file_and_line(tmp_path):
    path = write(tmp_path, "d.csv", "id,sales,region\ne1,1,East\ne2,2\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D405"
    assert (d.span.file, d.span.line) == (path, 3)
    assert "2 values" in d.message and "3 columns" in d.message
    assert f"--> {path}:3:1" in render(d)


def test_csv_long_row_is_an_error_but_trailing_empty_cells_are_not(tmp_path):
    path = write(tmp_path, "d.csv", "id,sales\ne1,1,,\ne2,2,oops\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert [(d.code, d.span.line) for d in excinfo.value.diagnostics] == [("D405", 3)]


def test_csv_every_bad_row_is_reported(tmp_path):
    path = write(tmp_path, "d.csv", "a,b\n1\n2,3\n4\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert [d.span.line for d in excinfo.value.diagnostics] == [2, 4]


def test_csv_unclosed_quote_is_an_error(tmp_path):
    path = write(tmp_path, "d.csv", 'id,note\ne1,ok\ne2,"never closed\ne3,x\n')
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D402"
    assert (d.span.file, d.span.line) == (path, 3)


def test_csv_duplicate_header(tmp_path):
    path = write(tmp_path, "d.csv", "id,sales, sales\ne1,1,2\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D404",)
    assert "'sales' twice" in excinfo.value.diagnostics[0].message


def test_csv_unnamed_header_column(tmp_path):
    path = write(tmp_path, "d.csv", "id,,sales\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D404",)
    assert "column 2" in excinfo.value.diagnostics[0].message


def test_csv_empty_file_has_no_header(tmp_path):
    path = write(tmp_path, "d.csv", "\n\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D403",)


def test_csv_not_utf8_points_at_the_line(tmp_path):
    path = write(tmp_path, "d.csv", "id,region\ne1,".encode() + "华东".encode("gbk") + b"\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D401"
    assert (d.span.line, d.span.col) == (2, 4)
    assert "CSV UTF-8" in d.hint


def test_csv_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("\ufeffid,销售\ne1,7\n".encode())))
    table = read_table("-")
    assert table == Table("<stdin>", ("id", "销售"), (Row(2, {"id": "e1", "销售": "7"}),))


# ---------------------------------------------------------------- files and formats


def test_missing_file(tmp_path):
    with pytest.raises(AttainError) as excinfo:
        read_table(str(tmp_path / "nope.csv"))
    assert error_of(excinfo) == ("U501",)
    assert "does not exist" in str(excinfo.value)


def test_directory_is_unreadable(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(AttainError) as excinfo:
        read_table(str(tmp_path / "dir.csv"))
    assert error_of(excinfo) == ("U503",)


def test_unknown_extension(tmp_path):
    path = write(tmp_path, "d.txt", "id\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("U504",)
    assert ".csv" in excinfo.value.diagnostics[0].hint and ".xlsx" in excinfo.value.diagnostics[0].hint


def test_old_excel_file_asks_for_xlsx(tmp_path):
    path = write(tmp_path, "d.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("U504",)
    assert ".xlsx" in excinfo.value.diagnostics[0].hint and ".csv" in excinfo.value.diagnostics[0].hint


# ---------------------------------------------------------------- YAML


def test_yaml_keeps_exact_text(tmp_path):
    path = write(
        tmp_path,
        "d.yaml",
        "- id: e1\n"
        "  rate: 0.95\n"
        "  target: 500_000\n"
        "  active: true\n"
        "  sci: 1.0e+3\n"
        "  code: 00123\n"
        "  start: 2023-07-01\n"
        "  region: NO\n"
        "  note: ~\n"
        "- id: e2\n"
        "  extra: ' padded '\n",
    )
    table = read_table(path)
    assert table.columns == ("id", "rate", "target", "active", "sci", "code", "start", "region", "note", "extra")
    assert table.rows[0] == Row(
        1,
        {
            "id": "e1",
            "rate": "0.95",
            "target": "500000",
            "active": "true",
            "sci": "1.0e+3",
            "code": "00123",
            "start": "2023-07-01",
            "region": "NO",
            "note": None,
            "extra": None,
        },
    )
    assert table.rows[1].line == 2
    assert table.rows[1].cells["extra"] == "padded"
    assert table.rows[1].cells["rate"] is None


def test_yaml_rows_mapping(tmp_path):
    path = write(tmp_path, "d.yml", "rows:\n  - {id: e1, 销售: 1.50}\n")
    table = read_table(path)
    assert table.rows == (Row(1, {"id": "e1", "销售": "1.50"}),)


def test_yaml_nested_value_is_an_error(tmp_path):
    path = write(tmp_path, "d.yaml", "- id: e1\n- id: e2\n  sales: [1, 2]\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D406"
    assert "record 2" in d.message and "'sales'" in d.message and "list" in d.message


def test_yaml_malformed_reports_line(tmp_path):
    path = write(tmp_path, "d.yaml", "- id: e1\n  sales: [1, 2\n- id: e2\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D402"
    assert d.span.file == path and d.span.line == 3


def test_yaml_duplicate_key_is_an_error(tmp_path):
    path = write(tmp_path, "d.yaml", "- id: e1\n  sales: 1\n  sales: 2\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D402" and d.span.line == 3
    assert "'sales' twice" in d.message


def test_yaml_is_loaded_safely(tmp_path):
    path = write(tmp_path, "d.yaml", "- id: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D402",)


def test_yaml_not_a_list(tmp_path):
    path = write(tmp_path, "d.yaml", "id: e1\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D403",)


# ---------------------------------------------------------------- JSON


def test_json_keeps_exact_number_text(tmp_path):
    text = '[{"id": "e1", "rate": 0.1, "n": 12, "ok": false, "x": null}, {"id": "e2", "y": 3}]'
    path = write(tmp_path, "d.json", text)
    table = read_table(path)
    assert table.columns == ("id", "rate", "n", "ok", "x", "y")
    assert table.rows[0].cells == {"id": "e1", "rate": "0.1", "n": "12", "ok": "false", "x": None, "y": None}
    assert table.rows[1] == Row(2, {"id": "e2", "rate": None, "n": None, "ok": None, "x": None, "y": "3"})


def test_json_malformed_reports_line(tmp_path):
    path = write(tmp_path, "d.json", '[\n {"id": "e1"},\n {"id": }\n]')
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D402" and d.span.line == 3


def test_json_nested_value_and_non_record(tmp_path):
    path = write(tmp_path, "d.json", '{"rows": [{"id": "e1", "sales": {"q1": 1}}, 5]}')
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D403", "D406")


def test_json_rejects_nan(tmp_path):
    path = write(tmp_path, "d.json", '[{"sales": NaN}]')
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D402",)
    assert "NaN" in str(excinfo.value)


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "kind, text, value",
    [
        ("money", "500000", Fraction(500000)),
        ("money", "500,000.50", Fraction(1000001, 2)),
        ("money", "-12.5", Fraction(-25, 2)),
        ("money", "¥1,200", Fraction(1200)),
        ("money", "￥3.10", Fraction(31, 10)),
        ("money", "$7", Fraction(7)),
        ("money", "-¥12", Fraction(-12)),
        ("number", "0.1", Fraction(1, 10)),
        ("number", "1,234,567.125", Fraction(1234567125, 1000)),
        ("count", "12", Fraction(12)),
        ("count", "12.0", Fraction(12)),
        ("count", "0", Fraction(0)),
        ("percent", "95%", Fraction(95, 100)),
        ("percent", "95 %", Fraction(95, 100)),
        ("percent", "0.95", Fraction(95, 100)),
        ("percent", "12.5%", Fraction(1, 8)),
        ("bool", "TRUE", True),
        ("bool", "no", False),
        ("bool", "1", True),
        ("bool", "0", False),
        ("bool", "是", True),
        ("bool", "否", False),
        ("text", " 华东 ", " 华东 "),
        ("date", "2023-07-01", datetime.date(2023, 7, 1)),
    ],
)
def test_parse_cell(kind, text, value):
    result = parse_cell(kind, text)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        ("money", "12,3x", "money"),
        ("money", "12,34", "money"),
        ("money", "1,2345", "money"),
        ("money", "500_000", "money"),
        ("money", "1e3", "money"),
        ("money", "", "money"),
        ("money", "-¥-1", "money"),
        ("number", "¥5", "number"),
        ("number", "abc", "number"),
        ("number", "1" * 5000, "number"),
        ("count", "1.5", "count (a whole number, 0 or more)"),
        ("count", "-1", "count (a whole number, 0 or more)"),
        ("percent", "95%%", "percent (such as 95% or 0.95)"),
        ("bool", "maybe", "true or false (true/false, yes/no, 1/0, 是/否)"),
        ("date", "2023-02-30", "date (YYYY-MM-DD)"),
        ("date", "20230701", "date (YYYY-MM-DD)"),
    ],
)
def test_parse_cell_rejects(kind, text, expected):
    with pytest.raises(CellError) as excinfo:
        parse_cell(kind, text)
    assert excinfo.value.expected == expected


def test_parse_cell_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_cell("float", "1")


# ---------------------------------------------------------------- numbers out


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("1750.00"), "1750.00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.5E-7"), "0.00000015"),
        (Decimal("-0.00"), "0.00"),
        (Fraction(23, 20), "1.15"),
        (Fraction(6450), "6450"),
        (Fraction(-1, 1024), "-0.0009765625"),
        (Fraction(1, 3), "0.33333333333333333333"),
        (Fraction(2, 3), "0.66666666666666666667"),
        (Fraction(-1, 3 * 10**25), "0.00000000000000000000"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        ("华东", "华东"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("1750.00"), "1,750.00"),
        (Decimal("-1234567.5"), "-1,234,567.5"),
        (Fraction(6450), "6,450"),
        (Fraction(100), "100"),
        (Fraction(1000001, 3), "333,333.66666666666666666667"),
    ],
)
def test_format_grouped(value, text):
    assert format_grouped(value) == text


def test_format_number_refuses_float():
    with pytest.raises(TypeError):
        format_number(0.1)


# ---------------------------------------------------------------- writers


ROWS = [
    {"id": "e1", "区域": "华东", "bonus": Decimal("1750.00"), "rate": Fraction(23, 20), "ok": True},
    {"id": "=SUM(A1)", "区域": "-x", "bonus": Decimal("-5.50"), "rate": None, "ok": False},
]
COLUMNS = ["id", "区域", "bonus", "rate", "ok"]


def test_csv_writer(tmp_path):
    out = tmp_path / "out.csv"
    write_results(COLUMNS, ROWS, "csv", str(out))
    assert out.read_bytes() == (
        "id,区域,bonus,rate,ok\n"
        "e1,华东,1750.00,1.15,true\n"
        "'=SUM(A1),'-x,-5.50,,false\n"
    ).encode("utf-8")


def test_csv_writer_to_stdout(capsysbinary):
    write_results(["a", "b"], [{"a": "@x", "b": Fraction(1, 3)}], "csv", None)
    assert capsysbinary.readouterr().out == b"a,b\n'@x,0.33333333333333333333\n"


def test_json_writer(tmp_path):
    out = tmp_path / "out.json"
    manifest = {"policy": "q.policy", "total": Decimal("1744.50")}
    write_results(COLUMNS, ROWS, "json", str(out), manifest=manifest)
    document = json.loads(out.read_text("utf-8"), parse_float=lambda s: pytest.fail("float in output"))
    assert document == {
        "schema": 1,
        "manifest": {"policy": "q.policy", "total": "1744.50"},
        "columns": COLUMNS,
        "rows": [
            {"id": "e1", "区域": "华东", "bonus": "1750.00", "rate": "1.15", "ok": True},
            {"id": "=SUM(A1)", "区域": "-x", "bonus": "-5.50", "rate": None, "ok": False},
        ],
    }
    assert list(document["rows"][0]) == COLUMNS
    assert "华东" in out.read_text("utf-8")  # ensure_ascii=False


def test_json_writer_to_stdout_is_one_document(capsys):
    write_results(["n"], [{"n": Fraction(1, 10)}], "json", "-")
    assert json.loads(capsys.readouterr().out) == {"schema": 1, "columns": ["n"], "rows": [{"n": "0.1"}]}


def test_table_writer_aligns_cjk(capsys):
    rows = [
        {"name": "张三", "bonus": Decimal("1750.00")},
        {"name": "Bob", "bonus": Decimal("-12345.5")},
        {"name": None, "bonus": None},
    ]
    write_results(["name", "bonus"], rows, "table", None)
    assert capsys.readouterr().out == (
        "name      bonus\n"
        "----  ---------\n"
        "张三   1,750.00\n"
        "Bob   -12,345.5\n"
        "\n"
    )


def test_table_writer_escapes_control_characters(capsys):
    write_results(["t"], [{"t": "a\x1b[31mb\nc"}], "table", None)
    assert capsys.readouterr().out == "t\n-------------\na\\x1b[31mb\\nc\n"


def test_unknown_output_format(tmp_path):
    with pytest.raises(AttainError) as excinfo:
        write_results(["a"], [], "xml", str(tmp_path / "o"))
    assert error_of(excinfo) == ("U504",)


def test_atomic_write_keeps_existing_file_on_error(tmp_path):
    out = tmp_path / "out.csv"
    out.write_bytes(b"old,contents\n")
    rows = [{"a": Decimal("1")} for _ in range(1000)] + [{"a": 0.5}]  # a float is refused mid-write
    with pytest.raises(TypeError):
        write_results(["a"], rows, "csv", str(out))
    assert out.read_bytes() == b"old,contents\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_atomic_write_replaces_and_keeps_mode(tmp_path):
    out = tmp_path / "out.csv"
    out.write_bytes(b"old\n")
    os.chmod(out, 0o640)
    write_results(["a"], [{"a": Fraction(1, 2)}], "csv", str(out))
    assert out.read_bytes() == b"a\n0.5\n"
    assert os.stat(out).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["out.csv"]


def test_unwritable_path(tmp_path):
    with pytest.raises(AttainError) as excinfo:
        write_results(["a"], [], "csv", str(tmp_path / "missing" / "out.csv"))
    assert error_of(excinfo) == ("U505",)
    assert "cannot write output file" in str(excinfo.value)


def test_directory_as_output_leaves_no_temp_file(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(AttainError) as excinfo:
        write_results(["a"], [{"a": "x"}], "csv", str(tmp_path / "d"))
    assert error_of(excinfo) == ("U505",)
    assert os.listdir(tmp_path) == ["d"]


# ---------------------------------------------------------------- Excel in


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
    assert "cell B7" in d.message and "formula with no saved value" in d.message
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
    assert d.code == "D409" and "cell B2" in d.message and "#DIV/0!" in d.message


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
    assert d.code == "D405" and "cell E5" in d.message and "B to C" in d.message
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


# ---------------------------------------------------------------- Excel out


XLSX_ROWS = ROWS + [
    {"id": "e3", "区域": "@home", "bonus": Decimal("0.1"), "rate": Fraction(1, 3), "ok": None},
    {"id": "e4", "区域": "\tx", "bonus": Decimal("12345678901234567.89"), "rate": Fraction(1, 8), "ok": True},
    {"id": "e5", "区域": "a\x01b", "bonus": Decimal("-0.00"), "rate": Decimal("1E+3"), "ok": False},
]


def test_xlsx_writer(tmp_path):
    out = tmp_path / "out.xlsx"
    manifest = {"engine": {"name": "attain", "version": "0.1.0"}, "command": ["attain", "run"],
                "data": None, "created": "2024-07-01T09:30:00Z"}
    write_results(COLUMNS, XLSX_ROWS, "xlsx", str(out), manifest=manifest)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["results", "manifest"]
    ws = wb["results"]
    cells = [[(c.value, c.data_type, c.number_format) for c in row] for row in ws.iter_rows()]
    assert [v for v, _, _ in cells[0]] == COLUMNS
    assert all(c.font.bold for c in ws[1])
    assert cells[1] == [("e1", "s", "General"), ("华东", "s", "General"), (1750, "n", "#,##0.00"),
                        (1.15, "n", "#,##0.00"), (True, "b", "General")]
    assert cells[2] == [("'=SUM(A1)", "s", "General"), ("'-x", "s", "General"), (-5.5, "n", "#,##0.00"),
                        (None, "n", "General"), (False, "b", "General")]
    assert cells[3] == [("e3", "s", "General"), ("'@home", "s", "General"), (0.1, "n", "#,##0.0"),
                        ("0.33333333333333333333", "s", "General"), (None, "n", "General")]
    # 19 significant digits do not fit a double: written as text, never silently rounded.
    assert cells[4] == [("e4", "s", "General"), ("'\tx", "s", "General"), ("12345678901234567.89", "s", "General"),
                        (0.125, "n", "#,##0.000"), (True, "b", "General")]
    assert cells[5][1:4] == [("a\\x01b", "s", "General"), (0, "n", "#,##0.00"), (1000, "n", "#,##0")]
    assert ws.freeze_panes == "A2"
    info = [[c.value for c in row] for row in wb["manifest"].iter_rows()]
    assert info == [
        ["key", "value"],
        ["engine", '{"name": "attain", "version": "0.1.0"}'],
        ["command", '["attain", "run"]'],
        ["data", "null"],
        ["created", "2024-07-01T09:30:00Z"],
    ]
    assert wb.properties.created == datetime.datetime(2024, 7, 1, 9, 30)
    assert os.listdir(tmp_path) == ["out.xlsx"]


def test_xlsx_written_numbers_read_back_exactly(tmp_path):
    out = tmp_path / "out.xlsx"
    write_results(COLUMNS, XLSX_ROWS, "xlsx", str(out))
    table = read_table(str(out))
    assert table.columns == tuple(COLUMNS)
    assert [Decimal(r.cells["bonus"]) for r in table.rows] == [r["bonus"] for r in XLSX_ROWS]
    assert table.rows[1].cells["id"] == "'=SUM(A1)"
    assert openpyxl.load_workbook(out).sheetnames == ["results"]


def test_xlsx_writer_is_byte_identical_for_equal_inputs(tmp_path):
    manifest = {"created": "2024-07-01T09:30:00Z"}
    write_results(COLUMNS, ROWS, "xlsx", str(tmp_path / "a.xlsx"), manifest=manifest)
    write_results(COLUMNS, ROWS, "xlsx", str(tmp_path / "b.xlsx"), manifest=manifest)
    data = (tmp_path / "a.xlsx").read_bytes()
    assert data == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    write_results(COLUMNS, ROWS, "xlsx", str(tmp_path / "c.xlsx"))
    with zipfile.ZipFile(tmp_path / "c.xlsx") as z:
        assert b"dcterms:created" not in z.read("docProps/core.xml")


def test_xlsx_writer_needs_a_file(capsysbinary):
    for out in (None, "-"):
        with pytest.raises(AttainError) as excinfo:
            write_results(["a"], [{"a": "x"}], "xlsx", out)
        assert error_of(excinfo) == ("U506",)
    assert capsysbinary.readouterr().out == b""


def test_xlsx_writer_keeps_existing_file_on_error(tmp_path):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_results(["a"], [{"a": Decimal("1")}, {"a": 0.5}], "xlsx", str(out))
    assert out.read_bytes() == b"old"
    with pytest.raises(AttainError) as excinfo:
        write_results(["a"], [], "xlsx", str(tmp_path / "missing" / "out.xlsx"))
    assert error_of(excinfo) == ("U505",)
    assert os.listdir(tmp_path) == ["out.xlsx"]


def test_write_atomically(tmp_path):
    write_atomically(tmp_path / "t.txt", "华东\n")
    write_atomically(str(tmp_path / "b.bin"), b"\x00\x01")
    assert (tmp_path / "t.txt").read_bytes() == "华东\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(AttainError) as excinfo:
        write_atomically(tmp_path / "no" / "x", "x")
    assert error_of(excinfo) == ("U505",)


def test_table_shows_percents_and_approximations_for_people(capsys):
    from fractions import Fraction as F

    write_results(["id", "rate", "ratio", "pay"],
                  [{"id": "A", "rate": Decimal("1.15"), "ratio": F(20, 17), "pay": Decimal("1750.00")}],
                  "table", None, kinds={"rate": "percent", "ratio": "number", "pay": "money"})
    out = capsys.readouterr().out
    # 1.15 as a percent is 115%; 20/17 has no finite decimal: six places after "≈"
    assert out.splitlines()[2].split() == ["A", "115%", "≈1.176471", "1,750.00"]
