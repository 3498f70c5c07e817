"""`attain run --engine duckdb` end to end in DuckDB (attain.sql.run): the python engine's bytes, its errors, nothing
written on error, and the ordinary way wherever the fast path does not decide."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import attain.sql.run as fast
from attain.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from library_samples import FIXED, data_args, ident  # noqa: E402

POLICY = """policy "p"
period month
input region : text one of "east", "west"
input sales : money
input target : money
attainment = sales / target
share = sales / sum(sales within region)
payout bonus = round(sales * 3% if attainment >= 100% else 0, 0.01)
output attainment, share, bonus
"""
# March before January, and an employee who appears in February only: rows come out period by period
DATA = ("id,period,region,sales,target\nA,2023-03,east,\"¥1,200.50\",1000\nB,2023-01,west,300,400\n"
        "A,2023-01,east,1000,1000\nC,2023-02,west,7,3\nB,2023-03,west,5,1\n")


@pytest.fixture
def taken(monkeypatch):
    """How each run in the test went: True end to end in DuckDB, False the ordinary way."""
    found: list[bool] = []
    original = fast.run_to_file

    def watched(*args, **kwargs):
        try:
            written = original(*args, **kwargs)
        except Exception:
            found.append(True)  # it decided: an error of the run
            raise
        found.append(written is not None)
        return written

    monkeypatch.setattr(fast, "run_to_file", watched)
    return found


def run(tmp: Path, policy: str | Path, data: str | Path, engine: str, out: str | None, *extra: str):
    if isinstance(policy, str):
        (tmp / "p.policy").write_text(policy, encoding="utf-8")
        policy = tmp / "p.policy"
    if isinstance(data, str):
        (tmp / "d.csv").write_text(data, encoding="utf-8")
        data = tmp / "d.csv"
    args = ["run", str(policy), "--data", str(data), "--engine", engine, *extra]
    if out is not None:
        args += ["--out", str(tmp / out)]
    return CliRunner().invoke(main, args)


def same_except_run(a: bytes, b: bytes) -> bool:
    """Equal but for the manifest's time, command line and output path."""
    def plain(x: bytes) -> bytes:
        x = re.sub(rb'"created": "[^"]*"', b"", x)
        return re.sub(rb'"command": \[[^\]]*\]', b"", x)
    return plain(a) == plain(b)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_same_file_as_the_python_engine(tmp_path, taken, fmt):
    for engine in ("python", "duckdb"):
        result = run(tmp_path, POLICY, DATA, engine, f"{engine}.{fmt}")
        assert result.exit_code == 0, result.output
    assert taken == [True]
    python, duck = ((tmp_path / f"{e}.{fmt}").read_bytes() for e in ("python", "duckdb"))
    assert same_except_run(python, duck)
    if fmt == "csv":
        assert same_except_run((tmp_path / "python.manifest.json").read_bytes(),
                               (tmp_path / "duckdb.manifest.json").read_bytes())
        lines = duck.decode().splitlines()
        # period by period, each in data order. B in January: 300 / 400 = 0.75, no bonus. A in January: 1000 /
        # 1000 = 1, 3% of 1,000 = 30.00. C alone in the west in February: 7 / 3 = 2.333..., 3% of 7 = 0.21.
        # A in March: ¥1,200.50 / 1,000 = 1.2005, 3% of 1,200.50 = 36.015 -> 36.02. B in March: 5, 3% of 5 = 0.15.
        # Each is alone in its region in its period: share 1.
        assert lines == ["id,period,bonus,attainment,share", "B,2023-01,0.00,0.75,1", "A,2023-01,30.00,1,1",
                         "C,2023-02,0.21,2.33333333333333333333,1", "A,2023-03,36.02,1.2005,1", "B,2023-03,0.15,5,1"]


def test_a_bad_cell_is_the_python_readers_error_and_nothing_is_written(tmp_path, taken):
    bad = DATA.replace("300,400", "3O0,400")
    found = {}
    for engine in ("python", "duckdb"):
        result = run(tmp_path, POLICY, bad, engine, f"{engine}.csv")
        found[engine] = (result.exit_code, result.output)
        assert not (tmp_path / f"{engine}.csv").exists() and not (tmp_path / f"{engine}.manifest.json").exists()
    assert found["duckdb"] == found["python"] and found["duckdb"][0] == 1
    assert "3O0" in found["duckdb"][1] and "d.csv:3" in found["duckdb"][1]
    assert taken == [False]  # left to the Python reader, which words the error


def test_an_evaluation_error_is_the_python_engines_and_nothing_is_written(tmp_path, taken):
    zero = DATA.replace("300,400", "300,0")  # B's attainment in January divides by a target of 0
    found = {}
    for engine in ("python", "duckdb"):
        result = run(tmp_path, POLICY, zero, engine, f"{engine}.json")
        found[engine] = (result.exit_code, result.output)
        assert not (tmp_path / f"{engine}.json").exists()
    assert found["duckdb"] == found["python"] and found["duckdb"][0] == 1 and "E30" in found["duckdb"][1]
    assert taken == [True]  # read and computed in DuckDB; the errors are the Python engine's, on its rerun


def test_rows_left_to_the_reference_evaluator_are_merged_in_order(tmp_path, taken):
    # 30-digit sales multiplied by a 30-digit number overflow 128 bits: that row is computed in Python
    policy = 'policy "p"\ninput sales : money\ninput k : number\nv = sales * k\noutput v\n'
    big = "9" * 30
    data = f"id,sales,k\nA,2,3\nB,{big},{big}\nC,1.5,2\n"
    for engine in ("python", "duckdb"):
        assert run(tmp_path, policy, data, engine, f"{engine}.csv").exit_code == 0
    assert taken == [True]
    # 2 x 3 = 6; (10^30 - 1)^2 = 10^60 - 2 x 10^30 + 1 exactly; 1.5 x 2 = 3
    assert (tmp_path / "duckdb.csv").read_text().splitlines() == ["id,v", "A,6", f"B,{'9' * 29}8{'0' * 29}1", "C,3"]
    assert (tmp_path / "duckdb.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()


def test_a_value_carried_from_period_to_period(tmp_path, taken):
    policy = ('policy "p"\nperiod month\ninput sales : money\n'
              "plan = previous(next_plan, else 100)\nnext_plan = max(plan, sales)\noutput plan, next_plan\n")
    data = "id,period,sales\nA,2023-01,50\nA,2023-02,150\nA,2023-03,120\nB,2023-02,7\n"
    for engine in ("python", "duckdb"):
        assert run(tmp_path, policy, data, engine, f"{engine}.csv").exit_code == 0
    assert taken == [True]
    # A: 100 -> max(100, 50) = 100; 100 -> 150; 150 -> 150; B starts in February at 100
    assert (tmp_path / "duckdb.csv").read_text().splitlines()[1:] == [
        "A,2023-01,100,100", "A,2023-02,100,150", "B,2023-02,100,100", "A,2023-03,150,150"]
    assert (tmp_path / "duckdb.csv").read_bytes() == (tmp_path / "python.csv").read_bytes()


def test_parquet_holds_exact_decimals_and_the_manifest(tmp_path, taken):
    assert run(tmp_path, POLICY, DATA, "duckdb", "r.parquet").exit_code == 0
    assert taken == [True]
    con = duckdb.connect()
    rows = con.execute(f"SELECT id, period, CAST(bonus AS VARCHAR), typeof(bonus), attainment FROM "
                       f"'{tmp_path / 'r.parquet'}'").fetchall()
    assert rows[3] == ("A", "2023-03", "36.02", "DECIMAL(38,2)", "1.2005")
    # the ordinary way (a byte-order mark does not matter to Parquet, but a kept column takes it) types it alike
    assert run(tmp_path, POLICY, DATA, "python", "q.parquet").exit_code == 0
    assert con.execute(f"SELECT id, period, CAST(bonus AS VARCHAR), typeof(bonus), attainment FROM "
                       f"'{tmp_path / 'q.parquet'}'").fetchall() == rows  # 3% of 1,200.50 = 36.015 -> 36.02
    meta = con.execute(f"SELECT value FROM parquet_kv_metadata('{tmp_path / 'r.parquet'}') "
                       "WHERE key = 'attain.manifest'").fetchall()
    assert json.loads(meta[0][0])["engine"]["name"] == "attain"


def test_what_the_fast_path_does_not_decide_runs_the_ordinary_way(tmp_path, taken):
    # a byte-order mark asked for, a data column kept, headers in labels: the ordinary way, with duckdb
    for extra in (["--bom"], ["--keep", "region"], ["--headers", "labels"]):
        result = run(tmp_path, POLICY, DATA, "duckdb", None, "--format", "csv", *extra)
        assert result.exit_code == 0, result.output
    assert taken == []


@pytest.mark.parametrize("path", FIXED, ids=ident)
def test_every_library_policy_writes_the_python_engines_files(tmp_path, path):
    for fmt in ("csv", "json"):
        for engine in ("python", "duckdb"):
            data = data_args(path)  # the sample, and each line table's (NAME=FILE)
            result = run(tmp_path, path, Path(data[1]), engine, f"{engine}.{fmt}", *data[2:])
            assert result.exit_code == 0, result.output
        assert same_except_run((tmp_path / f"python.{fmt}").read_bytes(), (tmp_path / f"duckdb.{fmt}").read_bytes())


def test_a_warning_is_shown_as_the_ordinary_run_shows_it(tmp_path, taken):
    # the column `Sales` is read for the input `sales`, with a warning (D432), before the results
    policy = 'policy "p"\ninput sales : money\noutput sales\n'
    found = {}
    for engine in ("python", "duckdb"):
        result = run(tmp_path, policy, "id,Sales\nA,1\n", engine, None, "--format", "csv")
        assert result.exit_code == 0, result.output
        found[engine] = result.output
    assert taken == [True]
    assert found["duckdb"] == found["python"]
    assert found["duckdb"].index("warning[D432]") < found["duckdb"].index("id,sales\nA,1\n")
