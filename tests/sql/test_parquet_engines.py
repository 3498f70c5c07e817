"""Parquet data on every engine: the same file as CSV and as Parquet gives byte-identical results.

Each library sample is written as Parquet by DuckDB (every column as text, then a second time with
typed columns: DECIMAL money, INTEGER counts), and `attain run` over it must print exactly what it
prints over the CSV file, on each engine; the duckdb engine reads the Parquet file itself (not through
the Python reader) where every cell passes, and words a bad cell as the Python reader does. Explain
reads one employee's Parquet rows (and their region's in SQL) and says what the whole read says.
"""

from __future__ import annotations

import hashlib
import json
import re
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from engine_choice import LOCAL_ENGINES, SPARK_ENGINES

from attain import api
from attain.cli import main
from attain.diagnostics import AttainError
from attain.io import read_table
from attain.sql import slice_groups, slice_parquet
from attain.sql.engine import connect
from attain.sql.read import read_relation

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"


def as_parquet(csv: Path, out: Path, select: str = "*") -> Path:
    """The CSV file's cells, every one as text, written as Parquet (`select` may type some columns)."""
    con = duckdb.connect()
    try:
        con.execute(f"COPY (SELECT {select} FROM read_csv('{csv}', all_varchar = true, header = true)) "
                    f"TO '{out}' (FORMAT parquet)")
    finally:
        con.close()
    return out


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    assert "Traceback" not in r.output, r.output
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize("engine", SPARK_ENGINES)
def test_doc002_over_parquet_is_byte_identical_to_csv(engine, tmp_path):
    csv = POLICIES / "doc002/sample-regions.csv"
    policy = str(POLICIES / "doc002/incentive-top5.policy")
    pq = as_parquet(csv, tmp_path / "sample.parquet")
    want = run("run", policy, "--data", str(csv), "--engine", engine)
    got = run("run", policy, "--data", str(pq), "--engine", engine)
    assert want[0] == 0 and got == want


def typed_select(csv: Path) -> str:
    """The CSV file's columns as a pipeline types them: a column DuckDB reads as integers BIGINT, as yes/no
    BOOLEAN, and a column of plain numbers (thousands groups and all: "1,200,000.50") DECIMAL(18, its places)."""
    columns = duckdb.sql(f"SELECT * FROM read_csv('{csv}', header = true) LIMIT 0").description
    typed = []
    for name, kind, *_ in columns:
        quoted = '"' + name + '"'
        plain, places = duckdb.sql(
            f"SELECT bool_and(regexp_full_match({quoted}, '-?[0-9][0-9,]*([.][0-9]+)?')), "
            f"max(length(split_part({quoted}, '.', 2))) FROM read_csv('{csv}', all_varchar = true, header = true) "
            f"WHERE {quoted} IS NOT NULL").fetchall()[0]
        if str(kind) in ("BIGINT", "INTEGER"):
            typed.append(f"CAST({quoted} AS BIGINT) AS {quoted}")
        elif str(kind) == "BOOLEAN":
            typed.append(f"CAST({quoted} AS BOOLEAN) AS {quoted}")
        elif plain and name != "id":
            typed.append(f"CAST(replace({quoted}, ',', '') AS DECIMAL(18, {places})) AS {quoted}")
        else:
            typed.append(quoted)
    return ", ".join(typed)


# Library samples with typed columns (`typed_select`): DECIMAL money and scores, BIGINT counts, BOOLEAN flags.
TYPED = [
    ("case5/pay.policy", "case5/sample.csv"),
    ("case2/commission.policy", "case2/sample.csv"),
    ("doc000/scorecard.policy", "doc000/scorecard.csv"),
]


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
@pytest.mark.parametrize(("policy_file", "data_file"), TYPED)
def test_typed_columns_give_the_csv_results(engine, policy_file, data_file, tmp_path):
    csv = POLICIES / data_file
    pq = as_parquet(csv, tmp_path / "typed.parquet", typed_select(csv))
    policy = str(POLICIES / policy_file)
    want = run("run", policy, "--data", str(csv), "--engine", engine)
    got = run("run", policy, "--data", str(pq), "--engine", engine)
    assert want[0] == 0 and got == want


def test_the_duckdb_engine_reads_the_parquet_file_itself(tmp_path):
    policy = api.load(POLICIES / "doc002/incentive-top5.policy")
    pq = as_parquet(POLICIES / "doc002/sample-regions.csv", tmp_path / "d.parquet")
    con = connect()
    try:
        relation = read_relation(con, policy.plan, str(pq))
        assert relation is not None
        rows = con.execute("SELECT __line, __who FROM __attain_input ORDER BY __seq LIMIT 2").fetchall()
    finally:
        con.close()
    assert rows == [(1, "E01"), (2, "E02")]  # Parquet rows from 1 (the CSV's lines are these plus its header)


def test_the_manifest_hashes_the_parquet_file(tmp_path):
    pq = as_parquet(POLICIES / "doc002/sample-regions.csv", tmp_path / "d.parquet")
    code, out, _ = run("run", str(POLICIES / "doc002/incentive-top5.policy"), "--data", str(pq), "--engine",
                       "duckdb", "--format", "json")
    assert code == 0
    data = json.loads(out)["manifest"]["data"]
    assert data == {"path": str(pq), "sha256": hashlib.sha256(pq.read_bytes()).hexdigest()}


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
def test_a_bad_cell_is_said_alike_on_every_engine(engine, tmp_path):
    (tmp_path / "p.policy").write_text('policy "p"\ninput sales : money\noutput sales\n', encoding="utf-8")
    pq = tmp_path / "d.parquet"
    duckdb.sql(f"COPY (SELECT * FROM (VALUES ('A', '5'), ('B', '5,0')) t(id, sales)) TO '{pq}' (FORMAT parquet)")
    code, out, err = run("run", str(tmp_path / "p.policy"), "--data", str(pq), "--engine", engine)
    assert (code, out) == (1, "")
    assert "error[D413]" in err and "row 2, column 'sales'" in err


def test_line_tables_read_from_parquet(tmp_path):
    folder = POLICIES / "split-credit"
    people = as_parquet(folder / "people.csv", tmp_path / "people.parquet")
    deals = as_parquet(folder / "deals.csv", tmp_path / "deals.parquet")
    policy = str(folder / "commission.policy")
    want = run("run", policy, "--data", str(folder / "people.csv"), "--data", f"deals={folder / 'deals.csv'}")
    got = run("run", policy, "--data", str(people), "--data", f"deals={deals}")
    assert want[0] == 0 and got == want


def test_a_policy_test_file_names_parquet_data(tmp_path, monkeypatch):
    folder = POLICIES / "split-credit"
    as_parquet(folder / "people.csv", tmp_path / "people.parquet")
    as_parquet(folder / "deals.csv", tmp_path / "deals.parquet")
    (tmp_path / "commission.policy").write_text((folder / "commission.policy").read_text(encoding="utf-8"),
                                                encoding="utf-8")
    # the library's expectations for the sample, by hand there: R1 5,000.00, R2 2,800.00, R3 1,866.67, S9 1,366.67
    (tmp_path / "t.test.yaml").write_text(
        "policy: commission.policy\ncases:\n  - name: the sample, from Parquet\n    data: people.parquet\n"
        "    lines: {deals: deals.parquet}\n    expect:\n      R1: {pay: \"5000.00\"}\n      R2: {pay: \"2800.00\"}\n"
        "      R3: {pay: \"1866.67\"}\n      S9: {pay: \"1366.67\"}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run("test", "t.test.yaml")
    assert code == 0, out + err


def test_explain_reads_one_employee_and_says_what_the_whole_read_says(tmp_path):
    policy = api.load(POLICIES / "doc002/incentive-top5.policy")
    pq = str(as_parquet(POLICIES / "doc002/sample-regions.csv", tmp_path / "d.parquet"))
    bound = policy.bind(read_table(pq))
    keys = list(dict.fromkeys((r.who, str(r.period)) for r in bound.records))
    assert len(keys) > 4
    for who, period in keys:
        fast = policy.explain_slice(pq, who, period=period)
        assert fast is not None, (who, period)
        whole = policy.explain(read_table(pq), who, period=period)
        assert (fast.text(), fast.json()) == (whole.text(), whole.json())


def test_explain_from_parquet_cites_rows_where_csv_cites_lines(tmp_path):
    policy = str(POLICIES / "doc002/incentive-top5.policy")
    csv = POLICIES / "doc002/sample-regions.csv"
    pq = as_parquet(csv, tmp_path / "d.parquet")
    _, from_csv, _ = run("explain", policy, "--data", str(csv), "--who", "E03", "--period", "2023Q3")
    code, from_pq, _ = run("explain", policy, "--data", str(pq), "--who", "E03", "--period", "2023Q3")
    assert code == 0

    def row_of_line(m: re.Match) -> str:  # line N of the CSV (its header on line 1) is row N - 1 of the Parquet
        return f"{pq}:{int(m[1]) - 1}:"

    assert from_pq == re.sub(re.escape(str(csv)) + r":(\d+):", row_of_line, from_csv)


def test_explain_of_an_employee_with_a_bad_cell_names_its_row(tmp_path):
    (tmp_path / "p.policy").write_text('policy "p"\ninput sales : money\noutput sales\n', encoding="utf-8")
    pq = tmp_path / "d.parquet"
    duckdb.sql(f"COPY (SELECT * FROM (VALUES ('A', '5'), ('B', 'x')) t(id, sales)) TO '{pq}' (FORMAT parquet)")
    policy = api.load(tmp_path / "p.policy")
    assert policy.explain_slice(str(pq), "A").text().startswith("A\n")
    with pytest.raises(AttainError) as e:
        policy.explain_slice(str(pq), "B")
    assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("D413", 2)]


def test_explain_over_typed_columns_reads_them_as_stored_and_says_what_the_whole_read_says(tmp_path):
    policy = api.load(POLICIES / "doc002/incentive-top5.policy")
    csv = POLICIES / "doc002/sample-regions.csv"
    pq = str(as_parquet(csv, tmp_path / "typed.parquet", typed_select(csv)))
    assert "DECIMAL(18, 0)" in typed_select(csv) or "DECIMAL(18, 2)" in typed_select(csv)
    bound = policy.bind(read_table(pq))
    for who, period in dict.fromkeys((r.who, str(r.period)) for r in bound.records):
        fast = policy.explain_slice(pq, who, period=period)
        assert fast is not None, (who, period)
        whole = policy.explain(read_table(pq), who, period=period)
        assert (fast.text(), fast.json()) == (whole.text(), whole.json())


def test_group_values_over_stored_decimals_are_exact(tmp_path):
    """Region A's mean sales (100.50 + 200.25) / 2 = 150.375 = 1203/8, and its mean rate, written as points
    (90.5 and 95 as DECIMAL(6,2)): (90.5% + 95%) / 2 = 92.75% = 371/400; region B (one member) is not read."""
    (tmp_path / "p.policy").write_text(
        'policy "p"\ninput region : text\ninput sales : money\ninput rate : percent written as points\n'
        "m = mean(sales within region)\nr = mean(rate within region)\noutput m, r\n", encoding="utf-8")
    pq = tmp_path / "d.parquet"
    duckdb.sql(f"COPY (SELECT * FROM (VALUES ('E1', 'A', 100.50::DECIMAL(18,2), 90.5::DECIMAL(6,2)), "
               f"('E2', 'A', 200.25, 95), ('E3', 'B', 7, 50)) t(id, region, sales, rate)) TO '{pq}' (FORMAT parquet)")
    policy = api.load(tmp_path / "p.policy")
    found = slice_parquet.rows(policy.plan, str(pq), "E1")
    assert found is not None and set(found.stored) == {"sales", "rate"}
    con = connect()
    try:
        facts = slice_groups.facts(policy.plan, found, found.bound.records[0], con)
    finally:
        con.close()
    assert facts is not None
    assert {k: (v[0], v[1], Fraction(*v[2])) for k, v in facts.items()} == {
        (None, 0): ("A", 2, Fraction(1203, 8)), (None, 1): ("A", 2, Fraction(371, 400))}
    fast = policy.explain_slice(str(pq), "E1")
    assert fast.text() == policy.explain(read_table(pq), "E1").text()
    assert "m = 150.375" in fast.text() and "r = 92.75%" in fast.text()
