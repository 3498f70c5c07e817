"""Tests for attain.io.writers: writing results as CSV, JSON, a table or a workbook, atomically."""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest

from attain.diagnostics import AttainError
from attain.io.readers import read_table
from attain.io.writers import write_atomically, write_results


def error_of(excinfo) -> tuple[str, ...]:
    return tuple(d.code for d in excinfo.value.diagnostics)


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
    ).encode()


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


# ---------------------------------------------------------------- Excel out


XLSX_ROWS = ROWS + [
    {"id": "e3", "区域": "@home", "bonus": Decimal("0.1"), "rate": Fraction(1, 3), "ok": None},
    {"id": "e4", "区域": "\tx", "bonus": Decimal("12345678901234567.89"), "rate": Fraction(1, 8), "ok": True},
    {"id": "e5", "区域": "a\x01b", "bonus": Decimal("-0.00"), "rate": Decimal("1E+3"), "ok": False},
]


def test_xlsx_writer(tmp_path):
    """Without a layout (kinds unknown) a column's one format comes from the places its values need, at most 6;
    every number is an Excel number, and one Excel cannot show exactly has a note with the exact value."""
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
    # bonus needs 2 places (1750.00, 12345678901234567.89); rate 6 (1/3 has no end, 1/8 needs 3: 6 is the most)
    money, rate = "#,##0.00", "#,##0.000000"
    assert cells[1] == [("e1", "s", "General"), ("华东", "s", "General"), (1750, "n", money),
                        (1.15, "n", rate), (True, "b", "General")]
    assert cells[2] == [("'=SUM(A1)", "s", "General"), ("'-x", "s", "General"), (-5.5, "n", money),
                        (None, "n", "General"), (False, "b", "General")]
    assert cells[3] == [("e3", "s", "General"), ("'@home", "s", "General"), (0.1, "n", money),
                        (float(Fraction(1, 3)), "n", rate), (None, "n", "General")]
    # 19 significant digits do not fit a double: the nearest number, and a note with the exact value.
    assert cells[4][2][0] == pytest.approx(12345678901234567.89, rel=1e-15)
    assert cells[4][:2] + cells[4][3:] == [("e4", "s", "General"), ("'\tx", "s", "General"),
                                           (0.125, "n", rate), (True, "b", "General")]
    assert cells[5][1:4] == [("a\\x01b", "s", "General"), (0, "n", money), (1000, "n", rate)]
    notes = {c.coordinate: c.comment.text.splitlines()[0] for row in ws.iter_rows() for c in row if c.comment}
    assert notes == {"D4": "Exact value: 1/3", "C5": "Exact value: 12345678901234567.89",
                     "A7": "Sums of the money and count columns over every row above, computed exactly; a flag's "
                           "total is the number of rows flagged. Percents, scores and texts are not added up."}
    # No kinds, so no column is known to be money or a count; "ok" holds only flags: its total counts them.
    assert [c.value for c in ws[7]] == ["Total", None, None, None, 2]
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


def test_xlsx_written_numbers_read_back_as_shown(tmp_path):
    """attain reads its own workbook back: a number Excel holds exactly reads back exactly; one it cannot hold
    reads back as Excel holds it (the note keeps the exact value)."""
    out = tmp_path / "out.xlsx"
    write_results(COLUMNS, XLSX_ROWS, "xlsx", str(out))
    table = read_table(str(out))
    assert table.columns == tuple(COLUMNS)
    assert table.rows[-1].cells == {"id": "Total", "区域": None, "bonus": None, "rate": None, "ok": "2"}
    bonus = [Decimal(r.cells["bonus"]) for r in table.rows[:-1]]
    assert bonus[:3] + bonus[4:] == [Decimal("1750"), Decimal("-5.5"), Decimal("0.1"), Decimal("0")]
    assert bonus[3] == Decimal("12345678901234600")  # the 15 digits Excel shows
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
    # Notes (exact values of 1/3 and of a 19-digit number) and a totals row change nothing in that.
    write_results(COLUMNS, XLSX_ROWS, "xlsx", str(tmp_path / "n1.xlsx"), manifest=manifest)
    write_results(COLUMNS, XLSX_ROWS, "xlsx", str(tmp_path / "n2.xlsx"), manifest=manifest)
    assert (tmp_path / "n1.xlsx").read_bytes() == (tmp_path / "n2.xlsx").read_bytes()
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


def test_results_and_files_beside_them_are_written_together(tmp_path, monkeypatch):
    out, note = tmp_path / "out.xlsx", tmp_path / "out.note"
    write_results(COLUMNS, ROWS, "xlsx", str(out), beside={str(note): "华东\n"})
    assert note.read_bytes() == "华东\n".encode() and out.read_bytes().startswith(b"PK")
    # a file beside that cannot even be started: nothing is renamed, nothing is left
    before = out.read_bytes()
    with pytest.raises(AttainError) as excinfo:
        write_results(COLUMNS, ROWS, "csv", str(out), beside={str(tmp_path / "no" / "x"): "x"})
    assert error_of(excinfo) == ("U505",)
    assert out.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["out.note", "out.xlsx"]
    # the second rename fails and the first cannot be put back either: the message says where the old file is
    real_replace = os.replace

    def replace(src, dst):
        if str(dst) == str(note) or str(src).endswith(".old"):
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(AttainError) as excinfo:
        write_results(COLUMNS, ROWS, "csv", str(out), beside={str(note): "new\n"})
    message = excinfo.value.diagnostics[0].message
    assert message.startswith(f"cannot write output file {str(note)!r}: Input/output error; and the files "
                              f"written before it could not all be put back: {str(out)!r}: Input/output error "
                              "(its old contents are in ")
    kept = [name for name in os.listdir(tmp_path) if name.endswith(".old")]
    assert len(kept) == 1 and (tmp_path / kept[0]).read_bytes() == before


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_file_prepared_for_a_device_is_not_made_in_its_folder(tmp_path, monkeypatch):
    """DuckDB writes results to a temporary file that is then copied to a device (`--out /dev/null`, /dev/full):
    run as root, a temporary file beside the device was made in /dev itself, for as long as the run wrote.
    It is now made in the system's temporary folder; a file's temporary stays beside the file."""
    from attain.io.atomic import temporary_beside, write_prepared

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    temp = temporary_beside("/dev/null")
    assert os.path.dirname(temp) == str(tmp_path)
    with open(temp, "w", encoding="utf-8") as f:
        f.write("id\nA\n")
    write_prepared(temp, "/dev/null")
    assert not os.path.exists(temp)  # copied to the device, then removed
    assert os.path.dirname(temporary_beside(tmp_path / "out.csv")) == str(tmp_path)
