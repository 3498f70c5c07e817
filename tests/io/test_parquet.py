"""Parquet data files (attain.io.parquet): each value the text a CSV cell of it holds, never a float.

Files are written in the test by DuckDB, with the types a data pipeline writes: DECIMAL, integers,
DATE, BOOLEAN, TIMESTAMP, strings (a Chinese column name among them), nulls, and a DOUBLE that no
money input may read.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from parquet_files import parquet

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.io import read_table

H = 'policy "p"\n'


TYPES = """SELECT * FROM (VALUES
    ('E1', 1234.5678::DECIMAL(18,4), 12::INTEGER, DATE '2023-07-01', true, TIMESTAMP '2023-07-01 00:00:00',
     TIMESTAMP '2023-07-01 09:30:00', '  华东 ', 0.1::DOUBLE, 12::DECIMAL(10,0)),
    ('E2', -0.05::DECIMAL(18,4), NULL, NULL, false, NULL, NULL, '', NULL, NULL)
) t(id, sales, n, joined, ok, ts, ts_time, "区域", f, whole)"""


def test_each_type_becomes_the_text_a_csv_cell_holds(tmp_path):
    table = read_table(parquet(tmp_path / "d.parquet", TYPES))
    assert table.columns == ("id", "sales", "n", "joined", "ok", "ts", "ts_time", "区域", "f", "whole")
    first, second = table.rows
    assert first.line == 1 and second.line == 2  # rows from 1, as the file stores them
    assert first.cells == {"id": "E1", "sales": "1234.5678", "n": "12", "joined": "2023-07-01", "ok": "true",
                           "ts": "2023-07-01", "ts_time": "2023-07-01 09:30:00", "区域": "华东", "f": "0.1",
                           "whole": "12"}
    # DECIMAL keeps its places; null and an empty string are empty cells, as an empty CSV cell
    assert second.cells == {"id": "E2", "sales": "-0.0500", "n": None, "joined": None, "ok": "false", "ts": None,
                            "ts_time": None, "区域": None, "f": None, "whole": None}
    assert table.refused == {"f": "DOUBLE"}


def test_a_decimal_money_column_is_exact(tmp_path):
    # 1,234.5678 x 3% = 37.037034 -> 37.04; -0.05 x 3% = -0.0015, 0.15 of a cent: to the cent it is 0.00
    policy = attain.loads(H + "input sales : money\nbonus = round(sales * 3%, 0.01)\noutput bonus\n")
    results = policy.run(read_table(parquet(tmp_path / "d.parquet", TYPES)))
    assert [(r["id"], str(r["bonus"])) for r in results.rows] == [("E1", "37.04"), ("E2", "0.00")]


def test_dates_booleans_and_a_chinese_column_are_read(tmp_path):
    policy = attain.loads(H + "input joined : date\ninput ok : bool\ninput 区域 : text\n"
                              "early = joined < 2024-01-01\noutput early, ok, 区域\n")
    select = ("SELECT * FROM (VALUES ('E1', DATE '2023-07-01', true, ' 华东'), ('E2', DATE '2024-02-29', false, "
              "'华北')) t(id, joined, ok, \"区域\")")
    rows = policy.run(read_table(parquet(tmp_path / "d.parquet", select))).rows
    assert [(r["early"], r["ok"], r["区域"]) for r in rows] == [(True, True, "华东"), (False, False, "华北")]


def test_a_midnight_timestamp_is_its_date_and_a_time_of_day_is_no_date(tmp_path):
    whole = read_table(parquet(tmp_path / "d.parquet", TYPES))
    data = attrs.evolve(whole, rows=whole.rows[:1])
    assert attain.loads(H + "input ts : date\noutput ts\n").run(data).rows[0]["ts"].isoformat() == "2023-07-01"
    with pytest.raises(AttainError) as e:
        attain.loads(H + "input ts_time : date\noutput ts_time\n").run(data)
    d = e.value.diagnostics[0]
    assert d.code == "D413" and "2023-07-01 09:30:00" in d.message and "row 1, column 'ts_time'" in d.message


def test_a_float_column_read_by_an_input_is_refused_and_left_alone_otherwise(tmp_path):
    data = read_table(parquet(tmp_path / "d.parquet", TYPES))
    with pytest.raises(AttainError) as e:
        attain.loads(H + "input f : number\noutput f\n").run(data)
    [d] = e.value.diagnostics
    assert d.code == "D460"
    assert d.message == ("column 'f' of '" + str(tmp_path / "d.parquet") + "' is DOUBLE, a binary floating-point "
                         "number, and input 'f' reads it: attain never reads a float, which cannot hold most "
                         "decimals exactly")
    assert "DECIMAL" in d.hint
    # the same file, a policy that does not read the float column: runs
    rows = attain.loads(H + "input ok : bool\noutput ok\n").run(data).rows
    assert [(r["id"], r["ok"]) for r in rows] == [("E1", True), ("E2", False)]


def test_a_float_id_column_is_refused_too(tmp_path):
    data = read_table(parquet(tmp_path / "d.parquet", "SELECT 1.0::DOUBLE AS id, 5 AS sales"))
    with pytest.raises(AttainError) as e:
        attain.loads(H + "input sales : money\noutput sales\n").run(data)
    assert [d.code for d in e.value.diagnostics] == ["D460"]


def test_a_bad_cell_is_named_by_its_row_and_column(tmp_path):
    path = parquet(tmp_path / "d.parquet", "SELECT * FROM (VALUES ('A', '5'), ('B', 'abc')) t(id, sales)")
    with pytest.raises(AttainError) as e:
        attain.loads(H + "input sales : money\noutput sales\n").run(read_table(path))
    [d] = e.value.diagnostics
    assert d.code == "D413" and "row 2, column 'sales'" in d.message
    assert (d.span.line, d.span.col) == (2, 2)


@pytest.mark.parametrize("content", [b"", b"PAR1", b"id,sales\nA,1\n"])
def test_a_file_that_is_not_parquet_is_d462(tmp_path, content):
    (tmp_path / "d.parquet").write_bytes(content)
    with pytest.raises(AttainError) as e:
        read_table(tmp_path / "d.parquet")
    assert [d.code for d in e.value.diagnostics] == ["D462"]


def test_a_truncated_file_is_d462_on_the_command_line(tmp_path, monkeypatch):
    whole = parquet(tmp_path / "whole.parquet", "SELECT 'E' || i AS id, i AS sales FROM range(1000) t(i)")
    data = whole.read_bytes()
    (tmp_path / "d.parquet").write_bytes(data[: len(data) // 2])
    (tmp_path / "p.policy").write_text(H + "input sales : money\noutput sales\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["run", "p.policy", "--data", "d.parquet"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "error[D462]: data file 'd.parquet' is not a readable Parquet file" in r.stderr
    assert r.stdout == ""


def test_a_missing_file_is_u501(tmp_path):
    with pytest.raises(AttainError) as e:
        read_table(tmp_path / "none.parquet")
    assert [d.code for d in e.value.diagnostics] == ["U501"]


def test_a_rate_table_kept_as_parquet_reads_as_its_csv_and_never_a_float(tmp_path, monkeypatch):
    folder = Path(__file__).resolve().parents[2] / "policies" / "rate-grid"
    for name in ("commission.policy", "sample.csv"):
        (tmp_path / name).write_text((folder / name).read_text(encoding="utf-8"), encoding="utf-8")
    parquet(tmp_path / "rates.parquet", f"SELECT * FROM read_csv('{folder / 'rates.csv'}', all_varchar = true)")
    policy = (tmp_path / "commission.policy").read_text(encoding="utf-8")
    (tmp_path / "commission.policy").write_text(policy.replace('"rates.csv"', '"rates.parquet"'), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    got = CliRunner().invoke(main, ["run", "commission.policy", "--data", "sample.csv"])
    monkeypatch.chdir(folder)
    want = CliRunner().invoke(main, ["run", "commission.policy", "--data", "sample.csv"])
    assert want.exit_code == 0 and got.stdout == want.stdout
    monkeypatch.chdir(tmp_path)
    parquet(tmp_path / "rates.parquet", "SELECT * REPLACE (0.02::DOUBLE AS \"below 100000\") FROM "
            f"read_csv('{folder / 'rates.csv'}', all_varchar = true)")
    refused = CliRunner().invoke(main, ["run", "commission.policy", "--data", "sample.csv"])
    assert refused.exit_code == 1 and "is DOUBLE" in refused.stderr and "the rate table reads it" in refused.stderr
