"""Data files as people make them, through the command line: every message with its place and exit code.

GBK CSV from Chinese Excel, title rows above the header, dates written every way,
broken workbooks, JSON with NaN, lines of a million characters. Each file is made
in tmp_path; stderr is asserted apart from stdout.
"""

from __future__ import annotations

import datetime
import json
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from attain.cli import main

SALES = 'policy "p"\ninput sales : money "销售额"\ninput region : text\noutput sales, region\n'
# Dates in the data: a hire date decides a bonus (joined in Q3 2023: 500).
DATES = ('policy "p"\ninput joined : date "入职日期"\n'
         "bonus = 500 if joined >= 2023-07-01 else 0\noutput bonus\n")


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def files(tmp_path, policy: str = SALES, **data: str | bytes) -> tuple[str, dict[str, str]]:
    (tmp_path / "p.policy").write_text(policy, encoding="utf-8")
    paths = {}
    for name, content in data.items():
        path = tmp_path / name.replace("_", ".")
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        paths[name] = str(path)
    return str(tmp_path / "p.policy"), paths


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("error[", "warning["))]


# ---------------------------------------------------------------- encodings


def test_gbk_csv_is_read_and_the_encoding_said(tmp_path):
    policy, data = files(tmp_path, d_csv="工号,销售额,region\nS1,\"1,200.50\",华东\n".encode("gbk"))
    r = run("run", policy, "--data", data["d_csv"], "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == ["工号,sales,region", "S1,1200.5,华东"]
    assert errors(r.stderr) == [f"warning[D436]: read {data['d_csv']} as GB18030 (it is not UTF-8)"]
    assert f"--> {data['d_csv']}:1:1" in r.stderr  # 工 is the first character that is not UTF-8


def test_bytes_neither_encoding_reads_are_an_error_at_the_byte(tmp_path):
    policy, data = files(tmp_path, d_csv="工号,销售额,region\n".encode("gbk") + b"S1,12,\xff\xfe\n")
    r = run("run", policy, "--data", data["d_csv"])
    assert r.exit_code == 1 and r.stdout == ""
    assert errors(r.stderr) == [f"error[D401]: data file {data['d_csv']!r} is neither UTF-8 nor GB18030 text: "
                                "byte 0xff on line 2, column 7 is not part of a character in GB18030"]
    assert f"--> {data['d_csv']}:2:7" in r.stderr


# ---------------------------------------------------------------- title rows and --header-row


def test_title_rows_above_the_header_are_skipped(tmp_path):
    csv = "2023年第三季度销售业绩,,\n,,\n工号,销售额,region\nS1,100,华东\nS2,200,华北\n"
    policy, data = files(tmp_path, d_csv=csv)
    r = run("run", policy, "--data", data["d_csv"], "--format", "csv")
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout.splitlines() == ["工号,sales,region", "S1,100,华东", "S2,200,华北"]


def test_title_row_of_a_sheet_is_skipped_and_cells_are_named(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "2023年第三季度销售业绩"
    ws.merge_cells("A1:C1")
    for row in (["工号", "销售额", "region"], ["S1", 100, "华东"], ["S2", "12x", "华北"]):
        ws.append(row)
    wb.save(tmp_path / "d.xlsx")
    policy, _ = files(tmp_path)
    r = run("run", policy, "--data", str(tmp_path / "d.xlsx"))
    # Before: the title was taken for the header, and every other cell of every row was an error.
    assert r.exit_code == 1
    assert errors(r.stderr) == ['error[D413]: expected money, got "12x" (Sheet1!B4)']
    assert f"--> {tmp_path / 'd.xlsx'}:4:2" in r.stderr


def test_a_header_attain_cannot_tell_is_asked_once(tmp_path):
    rows = "".join(f"S{i},{i}00,华东\n" for i in range(1, 40))
    policy, data = files(tmp_path, d_csv="2023年第三季度,单位：元\n工号,销售额,region\n" + rows)
    r = run("run", policy, "--data", data["d_csv"])
    assert r.exit_code == 1 and r.stdout == ""
    assert errors(r.stderr) == [
        f"error[D435]: cannot tell which line of {data['d_csv']!r} names the columns: "
        'line 1 ("2023年第三季度", "单位：元") or line 2 ("工号", "销售额", "region"), '
        "which has values in columns line 1 leaves unnamed"]
    assert f"--> {data['d_csv']}:1:1" in r.stderr
    assert "= help: name the header with --header-row 2 (or --header-row 1)" in r.stderr
    r = run("run", policy, "--data", data["d_csv"], "--header-row", "2", "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[:2] == ["工号,sales,region", "S1,100,华东"]
    assert len(r.stdout.splitlines()) == 40
    r = run("explain", policy, "--data", data["d_csv"], "--header-row", "2", "--who", "S3", "--value", "sales")
    assert r.exit_code == 0 and "sales = 300" in r.stdout
    r = run("diff", policy, policy, "--data", data["d_csv"], "--header-row", "2")
    assert r.exit_code == 0


def test_header_row_that_names_no_header(tmp_path):
    policy, data = files(tmp_path, d_csv="工号,销售额,region\n\nS1,1,华东\n", d_json='[{"工号": "S1"}]')
    r = run("run", policy, "--data", data["d_csv"], "--header-row", "2")
    assert r.exit_code == 2
    assert errors(r.stderr) == [f"error[U541]: --header-row 2 names a blank line of {data['d_csv']!r}"]
    r = run("run", policy, "--data", data["d_csv"], "--header-row", "7")
    assert r.exit_code == 2
    assert errors(r.stderr) == [f"error[U541]: --header-row 7 is past the end of {data['d_csv']!r}, "
                                "whose last line is 3"]
    r = run("run", policy, "--data", data["d_json"], "--header-row", "1")
    assert r.exit_code == 2 and errors(r.stderr) == [f"error[U540]: --header-row 1 does not apply to "
                                                     f"{data['d_json']!r}"]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("written", ["2023-07-01", "2023-7-1", "2023/7/1", "2023/07/01", "2023.7.1", "2023年7月1日"])
def test_dates_written_year_first(tmp_path, written):
    policy, data = files(tmp_path, DATES, d_csv=f"id,入职日期\nS1,{written}\nS2,2023/6/30\n")
    r = run("run", policy, "--data", data["d_csv"], "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["id,bonus", "S1,500", "S2,0"]  # 2023-07-01 is on the day; 06-30 is before


@pytest.mark.parametrize("written, readings", [
    ("07/01/2023", '"07/01/2023" could be 1 July or 7 January 2023: write the year first, as 2023-07-01 or '
                   "2023-01-07"),
    ("1/7/2023", '"1/7/2023" could be 7 January or 1 July 2023: write the year first, as 2023-01-07 or 2023-07-01'),
    ("25/07/2023", "write the year first, as 2023-07-25"),
])
def test_a_date_with_the_year_last_is_never_guessed(tmp_path, written, readings):
    policy, data = files(tmp_path, DATES, d_csv=f"id,入职日期\nS1,2023-07-01\nS22,{written}\n")
    r = run("run", policy, "--data", data["d_csv"])
    assert r.exit_code == 1 and r.stdout == ""
    assert errors(r.stderr) == [f'error[D413]: expected date (year first: 2023-07-01, 2023/7/1, 2023.7.1 or '
                                f'2023年7月1日), got "{written}"']
    assert f"--> {data['d_csv']}:3:5" in r.stderr  # the cell after "S22,"
    assert f"= help: {readings}" in r.stderr


def test_excel_dates_as_dates_numbers_and_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "入职日期"])
    ws.append(["S1", datetime.date(2023, 7, 1)])  # a date cell
    ws.append(["S2", 45107])  # 2023-06-30 as Excel's day number, shown as a date
    ws["B3"].number_format = "yyyy/m/d"
    ws.append(["S3", "2023年7月2日"])  # typed as text
    wb.save(tmp_path / "d.xlsx")
    policy, _ = files(tmp_path, DATES)
    r = run("run", policy, "--data", str(tmp_path / "d.xlsx"), "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["id,bonus", "S1,500", "S2,0", "S3,500"]


# ---------------------------------------------------------------- workbooks that are not


@pytest.mark.parametrize("content, why", [
    (b"PK\x03\x04\x14\x00broken", "it is damaged (its zip archive cannot be read)"),
    ("工号,销售额\nS1,1\n".encode(), "an .xlsx file is a zip archive, and this one is not (it holds text: "
                                     "is it a CSV file with the wrong extension?)"),
])
def test_a_broken_workbook_is_a_plain_message(tmp_path, content, why):
    policy, data = files(tmp_path, d_xlsx=content)
    r = run("run", policy, "--data", data["d_xlsx"])
    assert r.exit_code == 1 and r.stdout == ""
    assert errors(r.stderr) == [f"error[D407]: data file {data['d_xlsx']!r} is not a readable Excel workbook: {why}"]
    for name in ("BadZipFile", "KeyError", "Error:", "Exception", "zipfile"):
        assert name not in r.stderr


def test_a_missing_sheet_lists_the_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "数据"
    wb.save(tmp_path / "d.xlsx")
    policy, _ = files(tmp_path)
    r = run("run", policy, "--data", str(tmp_path / "d.xlsx"), "--sheet", "Q3")
    assert r.exit_code == 1
    assert errors(r.stderr) == [f"error[D407]: the workbook {str(tmp_path / 'd.xlsx')!r} has no sheet named 'Q3'"]
    assert "= help: its sheets: '数据'" in r.stderr


def test_a_zip_of_something_else(tmp_path):
    with zipfile.ZipFile(tmp_path / "d.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w/>")
    policy, _ = files(tmp_path)
    r = run("run", policy, "--data", str(tmp_path / "d.xlsx"))
    assert r.exit_code == 1
    assert "is not a readable Excel workbook: it is a zip archive, but not of an Excel workbook" in r.stderr
    assert "KeyError" not in r.stderr


# ---------------------------------------------------------------- JSON and YAML records


def test_json_nan_is_reported_at_its_line(tmp_path):
    text = '[\n  {"工号": "S1", "销售额": 1, "region": "E"},\n  {"工号": "S2", "销售额": NaN, "region": "E"}\n]\n'
    policy, data = files(tmp_path, d_json=text)
    r = run("run", policy, "--data", data["d_json"])
    assert r.exit_code == 1
    assert errors(r.stderr) == [f"error[D402]: data file {data['d_json']!r} is not valid JSON: NaN is not a "
                                "JSON number"]
    # Line 3, column 23: the N of NaN (columns count characters; 工号 and 销售额 are drawn two wide).
    assert f"--> {data['d_json']}:3:23" in r.stderr
    assert "3 |   {\"工号\": \"S2\", \"销售额\": NaN, \"region\": \"E\"}" in r.stderr


def test_json_duplicate_key_nested_value_and_non_record_are_placed(tmp_path):
    text = ('{"rows": [\n  {"工号": "S1", "销售额": 1, "region": "E", "region": "W"}\n]}\n')
    policy, data = files(tmp_path, d_json=text, e_json='[\n  {"工号": "S1", "销售额": [1, 2]},\n  7\n]\n')
    r = run("run", policy, "--data", data["d_json"])
    assert r.exit_code == 1
    assert "an object has the key 'region' twice" in r.stderr
    assert f"--> {data['d_json']}:2:41" in r.stderr  # the second "region"
    r = run("run", policy, "--data", data["e_json"])
    assert r.exit_code == 1
    assert errors(r.stderr) == [
        f"error[D406]: record 1 of {data['e_json']!r} has a list in column '销售额'; a cell holds one value",
        f"error[D403]: record 2 of {data['e_json']!r} is not a mapping of column names to values"]
    assert f"--> {data['e_json']}:2:23" in r.stderr and f"--> {data['e_json']}:3:3" in r.stderr


def test_a_bad_cell_of_a_record_points_at_its_value(tmp_path):
    text = json.dumps([{"工号": "S1", "销售额": 1, "region": "E"}, {"工号": "S2", "销售额": "1x", "region": "E"}],
                      ensure_ascii=False, indent=1)
    yaml = "- 工号: S1\n  销售额: 1\n  region: E\n- 工号: S2\n  销售额: 1x\n"
    policy, data = files(tmp_path, d_json=text, d_yaml=yaml)
    r = run("run", policy, "--data", data["d_json"])
    assert r.exit_code == 1
    assert errors(r.stderr) == ['error[D413]: expected money, got "1x" (record 2, field \'销售额\')']
    assert f"--> {data['d_json']}:9:10" in r.stderr  # the value "1x", not line 2 (the record's number)
    r = run("run", policy, "--data", data["d_yaml"])
    assert r.exit_code == 1
    assert f"--> {data['d_yaml']}:5:8" in r.stderr


def test_row_errors_of_a_workbook_name_the_cell_and_explain_names_cells_as_run_does(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in (["备注", "工号", "销售额", "region"], ["", "S1", 100, "华东"], ["", "S2", "12x", "华北"],
                ["", "S1", 300, "华东"], ["", "合计", 400, ""]):
        ws.append(row)
    wb.save(tmp_path / "d.xlsx")
    policy, _ = files(tmp_path)
    r = run("run", policy, "--data", str(tmp_path / "d.xlsx"))
    assert r.exit_code == 1
    # The id column is the sheet's B: each message names the cell, each place is its row and sheet column.
    assert errors(r.stderr) == ['error[D413]: expected money, got "12x" (Sheet1!C3)',
                                "error[D414]: employee 'S1' appears twice (rows 2 and 4: Sheet1!B4)",
                                "error[D430]: '合计' (Sheet1!B5) reads like a total or subtotal row, "
                                "which would be paid as an employee"]
    assert f"--> {tmp_path / 'd.xlsx'}:4:2" in r.stderr and f"--> {tmp_path / 'd.xlsx'}:5:2" in r.stderr
    # explain reads the one employee's rows, and names the bad cell as run does.
    r = run("explain", policy, "--data", str(tmp_path / "d.xlsx"), "--who", "S2")
    assert r.exit_code == 1 and r.stdout == ""
    assert errors(r.stderr) == ['error[D413]: expected money, got "12x" (Sheet1!C3)']
    text = json.dumps([{"工号": "S1", "销售额": 1, "region": "E"}, {"工号": "S2", "销售额": "1x", "region": "E"}],
                      ensure_ascii=False, indent=1)
    policy, data = files(tmp_path, d_json=text)
    r = run("explain", policy, "--data", data["d_json"], "--who", "S2")
    assert errors(r.stderr) == ['error[D413]: expected money, got "1x" (record 2, field \'销售额\')']
    assert f"--> {data['d_json']}:9:10" in r.stderr  # the value's line, not line 2 (the record's number)


# ---------------------------------------------------------------- carets under the cell


def test_the_caret_is_under_the_cell_quotes_and_wide_characters_included(tmp_path):
    csv = 'region,工号,note,销售额\n华东,S1,"a, ""quoted"" note",1\n"华北, 北京",S2,"two\nlines","12,3x"\n'
    policy, data = files(tmp_path, d_csv=csv)
    r = run("run", policy, "--data", data["d_csv"])
    assert r.exit_code == 1
    assert errors(r.stderr) == ['error[D413]: expected money, got "12,3x"']
    # The record starts on line 3; its third cell runs onto line 4, where "12,3x" starts at column 8.
    assert f"--> {data['d_csv']}:4:8" in r.stderr
    assert "4 | lines\",\"12,3x\"\n  |        ^^^^^^^ 销售额\n" in r.stderr
    csv = 'region,工号,销售额\n"华东, 上海",S1,"9,9x"\n'
    policy, data = files(tmp_path, d_csv=csv)
    r = run("run", policy, "--data", data["d_csv"])
    # "华东, 上海",S1, is 12 characters, 16 columns wide: the caret starts under the 17th.
    assert f"--> {data['d_csv']}:2:13" in r.stderr
    assert '2 | "华东, 上海",S1,"9,9x"\n  | ' + " " * 16 + "^^^^^^ 销售额\n" in r.stderr


def test_lines_are_counted_as_the_readers_count_them_and_control_characters_never_reach_the_terminal(tmp_path):
    # U+2028, \x0c and \x85 end lines for str.splitlines, not for the CSV reader or the parser: the excerpt
    # showed the wrong line from then on. An ESC in a cell reached the terminal as an escape sequence.
    policy = ('policy "p"\n# a comment with a form feed \x0c and a line separator \u2028 in it\n'
              'input sales : money "销售额"\ninput region : text\ndouble = sales * 2\noutput double, region\n')
    csv = "工号,销售额,region\nS1,\x1b[2J1x,E\u2028F\x85G\nS2,2y,E\n"
    policy_path, data = files(tmp_path, policy=policy, d_csv=csv, e_csv="工号,销售额,region\nS1,5,E\n")
    r = run("run", policy_path, "--data", data["d_csv"])
    assert r.exit_code == 1 and "\x1b" not in r.stderr and "\u2028" not in r.stderr
    assert errors(r.stderr) == ['error[D413]: expected money, got "\\x1b[2J1x"',
                                'error[D413]: expected money, got "2y"']
    # the escape is as wide as the caret line under it; the next line is line 3, as the reader counts
    assert "2 | S1,\\x1b[2J1x,E\\u2028F\\x85G\n  |    ^^^^^^^^^ 销售额\n" in r.stderr
    assert f"--> {data['d_csv']}:3:4\n  |\n3 | S2,2y,E\n" in r.stderr
    r = run("check", policy_path)
    assert r.exit_code == 0 and "0 errors, 0 warnings" in r.stderr, r.stderr
    r = run("explain", policy_path, "--data", data["e_csv"], "--who", "S1")
    # the formula is quoted from line 5, where the parser says it is
    assert r.exit_code == 0 and "sales * 2   [" in r.stdout and "p.policy:5]" in r.stdout, r.stdout


def test_an_error_in_a_line_of_a_million_characters_stays_short(tmp_path):
    note = "n" * 100_000
    many = ",".join(["x"] * 500_000)  # a million characters of stray cells
    policy, data = files(tmp_path, d_csv=f"工号,note,销售额,region\nS1,{note},12x,E\n",
                         e_csv=f"工号,销售额\nS1,1,{many}\n")
    r = run("run", policy, "--data", data["d_csv"])
    assert r.exit_code == 1
    assert len(r.stderr) < 1500
    assert errors(r.stderr) == ['error[D413]: expected money, got "12x"']
    assert f"--> {data['d_csv']}:2:100005" in r.stderr
    excerpt = r.stderr.splitlines()[3]
    assert excerpt.startswith("2 | …") and excerpt.endswith("n,12x,E") and len(excerpt) < 220
    r = run("run", policy, "--data", data["e_csv"])
    assert r.exit_code == 1
    assert len(r.stderr) < 1500 and "…" in r.stderr
    assert errors(r.stderr) == ["error[D405]: row has 500002 values but the header on line 1 names 2 columns"]


def test_a_very_long_cell_is_cut_in_the_message(tmp_path):
    policy, data = files(tmp_path, d_csv="工号,region,销售额\nS1,E," + "9" * 100_000 + "x\n")
    r = run("run", policy, "--data", data["d_csv"])
    assert r.exit_code == 1 and len(r.stderr) < 1500
    assert errors(r.stderr) == ['error[D413]: expected money, got "' + "9" * 30 + "…" + "9" * 14
                                + 'x (100,001 characters)"']
