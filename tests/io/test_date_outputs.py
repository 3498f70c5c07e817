"""Dates as outputs: an input of type date, or a formula choosing a date, written by every format."""

import datetime
import json

import openpyxl
import pytest
from click.testing import CliRunner

import attain
from attain.cli import main

POLICY = ('policy "d"\ninput hired : date\ninput a : number\n'
          "start = hired if a > 0 else 2023-01-01\nnew = hired >= 2023-07-01\noutput hired, start, new\n")
DATA = "id,hired,a\nx,2023-08-15,1\ny,2022-01-31,0\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "d.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return str(tmp_path / "d.policy"), str(tmp_path / "d.csv")


def run(*args):
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.output + r.stderr
    return r


@pytest.mark.parametrize("engine", ["python", "reference"])
def test_results_hold_dates(files, engine):
    rows = attain.load(files[0]).run(files[1], engine=engine).rows
    # x: a > 0 keeps the hiring date; y: a = 0 takes 2023-01-01.
    assert [(r["hired"], r["start"], r["new"]) for r in rows] == [
        (datetime.date(2023, 8, 15), datetime.date(2023, 8, 15), True),
        (datetime.date(2022, 1, 31), datetime.date(2023, 1, 1), False)]


@pytest.mark.parametrize("engine", ["python", "reference"])
def test_csv_json_and_table(files, engine):
    policy, data = files
    csv = run("run", policy, "--data", data, "--format", "csv", "--engine", engine).stdout
    assert csv.splitlines() == ["id,hired,start,new", "x,2023-08-15,2023-08-15,true", "y,2022-01-31,2023-01-01,false"]
    doc = json.loads(run("run", policy, "--data", data, "--format", "json", "--engine", engine).stdout)
    assert doc["rows"][1] == {"id": "y", "hired": "2022-01-31", "start": "2023-01-01", "new": False}
    table = run("run", policy, "--data", data, "--format", "table", "--engine", engine).stdout
    assert table.splitlines()[3] == "y   2022-01-31  2023-01-01  false"


def test_excel_gets_real_dates(files, tmp_path):
    policy, data = files
    out = tmp_path / "o.xlsx"
    run("run", policy, "--data", data, "--out", str(out))
    sheet = openpyxl.load_workbook(out)["results"]
    assert sheet["C3"].value == datetime.datetime(2023, 1, 1)
    assert sheet["C3"].is_date and sheet["C3"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].value == datetime.datetime(2023, 8, 15)
