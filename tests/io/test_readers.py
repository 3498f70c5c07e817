"""Tests for attain.io.readers: reading CSV, YAML and JSON data files into tables."""

from __future__ import annotations

import io
import sys

import pytest
from io_files import error_of, write

from attain.diagnostics import AttainError, render
from attain.io.readers import read_table
from attain.io.tables import Row, Table

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


def test_csv_in_gbk_is_read_as_gb18030_with_a_warning(tmp_path):
    # Chinese Excel's "CSV (逗号分隔)" saves GBK; GB18030 is its superset.
    path = write(tmp_path, "d.csv", b"id,region\ne1," + "华东".encode("gbk") + b"\n")
    table = read_table(path)
    assert table.rows == (Row(2, {"id": "e1", "region": "华东"}),)
    (w,) = table.warnings
    assert (w.code, w.severity, w.message) == ("D436", "warning", f"read {path} as GB18030 (it is not UTF-8)")
    assert (w.span.line, w.span.col) == (2, 4)  # the first character that is not UTF-8
    assert "CSV UTF-8" in w.hint


def test_csv_neither_utf8_nor_gb18030_points_at_the_bad_byte(tmp_path):
    # GBK text up to a byte 0xff, which starts no character in either encoding.
    path = write(tmp_path, "d.csv", b"id,region\ne1," + "华东".encode("gbk") + b"\ne2,ab\xff\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert d.code == "D401"
    assert (d.span.line, d.span.col) == (3, 6)
    assert "neither UTF-8 nor GB18030" in d.message and "byte 0xff on line 3, column 6" in d.message
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
    # Sorted by where they are: the nested value in record 1, then record 2, which is a number.
    assert error_of(excinfo) == ("D406", "D403")
    assert [(d.span.line, d.span.col) for d in excinfo.value.diagnostics] == [(1, 33), (1, 45)]


def test_json_rejects_nan(tmp_path):
    path = write(tmp_path, "d.json", '[{"sales": NaN}]')
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D402",)
    assert "NaN" in str(excinfo.value)


# ---------------------------------------------------------------- title rows, --header-row


def test_csv_title_rows_are_skipped(tmp_path):
    path = write(tmp_path, "d.csv", "2023年第三季度销售业绩,,\n制表：人事部\n\nid,sales\ne1,1\ne2,\n")
    table = read_table(path)
    assert (table.columns, table.header_line) == (("id", "sales"), 4)
    assert table.rows == (Row(5, {"id": "e1", "sales": "1"}), Row(6, {"id": "e2", "sales": None}))


def test_csv_one_stray_value_under_the_header_is_a_wide_row_not_a_question(tmp_path):
    path = write(tmp_path, "d.csv", "id,sales\ne1,1,oops\ne2,2\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert [(d.code, d.span.line) for d in excinfo.value.diagnostics] == [("D405", 2)]


def test_csv_two_rows_wider_than_the_first_is_a_question(tmp_path):
    path = write(tmp_path, "d.csv", "Q3,yuan\nid,sales,region\ne1,1,East\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert (d.code, d.span.line) == ("D435", 1)
    assert 'line 1 ("Q3", "yuan") or line 2 ("id", "sales", "region")' in d.message
    assert read_table(path, header_row=2).rows == (Row(3, {"id": "e1", "sales": "1", "region": "East"}),)


def test_csv_header_row_ignores_what_is_above_it(tmp_path):
    path = write(tmp_path, "d.csv", "a,b,c\n1,2,3\nid,sales\ne1,5\n")
    table = read_table(path, header_row=3)
    assert (table.columns, table.rows) == (("id", "sales"), (Row(4, {"id": "e1", "sales": "5"}),))


def test_one_column_data_reads_its_first_row_as_the_header(tmp_path):
    path = write(tmp_path, "d.csv", "id\ne1\ne2\n")
    assert read_table(path).rows == (Row(2, {"id": "e1"}), Row(3, {"id": "e2"}))


def test_header_row_for_json_is_a_usage_error(tmp_path):
    path = write(tmp_path, "d.json", "[]")
    with pytest.raises(AttainError) as excinfo:
        read_table(path, header_row=1)
    assert error_of(excinfo) == ("U540",)


def test_gbk_from_stdin_is_read_with_a_warning(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("id,区域\ne1,华东\n".encode("gbk"))))
    table = read_table("-")
    assert table.rows == (Row(2, {"id": "e1", "区域": "华东"}),)
    assert [w.message for w in table.warnings] == ["read <stdin> as GB18030 (it is not UTF-8)"]


def test_latin1_is_not_guessed(tmp_path):
    # "Café" in Windows-1252: the é byte followed by a comma is no GB18030 character either.
    path = write(tmp_path, "d.csv", b"id,name\ne1,Caf\xe9,\n")
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    assert error_of(excinfo) == ("D401",)


# ---------------------------------------------------------------- where a cell is


def test_csv_cell_places_are_their_characters(tmp_path):
    text = 'id,note,sales,region\ne1,"a, ""b""", 12x ,华东\ne2,"two\nlines",,"x"\n'
    table = read_table(write(tmp_path, "d.csv", text))
    place = table.place

    def at(line, column):
        span = place(line, column).span
        return span.line, span.col, span.end_col

    assert at(2, "id") == (2, 1, 3)
    assert at(2, "note") == (2, 4, 14)  # "a, ""b""" with its quotes
    assert at(2, "sales") == (2, 16, 19)  # 12x without the spaces around it
    assert at(2, "region") == (2, 21, 23)  # 华东: two characters (drawn four columns wide)
    assert at(3, "note") == (3, 4, 8)  # a cell over two lines: its first line, to the end
    assert at(3, "sales") == (4, 8, 9)  # the empty cell after lines",
    assert at(3, "region") == (4, 9, 12)
    assert place(3, "nope") is None
    assert place(3, "id").name == ""


def test_record_places_are_their_values(tmp_path):
    json_table = read_table(write(tmp_path, "d.json", '[\n {"id": "e1",\n  "sales": "12x"},\n {"id": "e2"}\n]'))
    place = json_table.place(1, "sales")
    assert (place.span.line, place.span.col, place.span.end_col, place.name) == (3, 12, 17, "record 1, field 'sales'")
    absent = json_table.place(2, "sales").span  # no such key: the record
    assert (absent.line, absent.col) == (4, 2)
    yaml_table = read_table(write(tmp_path, "d.yaml", "- id: e1\n  sales: 12x\n- id: e2\n"))
    span = yaml_table.place(1, "sales").span
    assert (span.line, span.col, span.end_col) == (2, 10, 13)


def test_json_infinity_in_a_nested_value_is_placed_at_the_value(tmp_path):
    path = write(tmp_path, "d.json", '[{"id": "e1"},\n {"id": "e2", "sales": [1, -Infinity]}]')
    with pytest.raises(AttainError) as excinfo:
        read_table(path)
    (d,) = excinfo.value.diagnostics
    assert "-Infinity is not a JSON number" in d.message
    assert (d.span.line, d.span.col) == (2, 24)  # the list that holds it
