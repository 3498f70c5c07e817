"""The streaming writers against the Python ones: the same CSV and JSON bytes, exact Parquet, nothing on error."""

from __future__ import annotations

import datetime
import json
import os
import random
from fractions import Fraction

import duckdb
import pytest
from printable import printable

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.periods import parse_period
from attain.exact import to_decimal
from attain.io import write_results
from attain.sql import write
from attain.sql.shapes import OutputShape
from attain.sql.write import write_query

SHAPES = (
    OutputShape("paid", "money", 2, "fixed", 100),
    OutputShape("attainment", "percent", None, "pair"),
    OutputShape("tier", "text", None, "text"),
    OutputShape("flag", "bool", None, "bool"),
    OutputShape("since", "date", None, "date"),
    OutputShape("score", "number", None, "fixed", 4),
)
TEXTS = ["excellent", "=cmd()", "-x", "a,b", 'say "hi"', "two\nlines", "tab\there", "华东", "", "@me", "\x01ctl", None]
PERIODS = (parse_period("quarter", "2023Q3"), parse_period("quarter", "2023Q4"))


def _rows(count: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for seq in range(count):
        d = rng.choice([1, 3, 7, 100, 2**40, 10**6 + 3, 3 * 10**28])
        rows.append({
            "seq": seq, "who": rng.choice(["E1", "+E2", "李,雷", "E\"4"]) + str(seq),
            "period": rng.choice(PERIODS),
            "fallback": rng.random() < 0.05,
            "paid": rng.choice([0, -5, 5, -123450, rng.randint(-10**15, 10**15), 10**38]),
            "att": (rng.randint(-10**9, 10**9), d),
            "tier": rng.choice(TEXTS),
            "flag": rng.choice([True, False, None]),
            "since": rng.choice([datetime.date(2023, 7, 1), datetime.date(1999, 12, 31), None]),
            "score": rng.choice([0, 1, 2, 3, 6, 17, -9, None]),
        })
    return rows


def _python_values(row: dict) -> tuple:
    """The row's outputs as attain.engine.runner.to_output gives them."""
    return (to_decimal(row["paid"], 100, 2), to_decimal(*row["att"]), row["tier"], row["flag"], row["since"],
            None if row["score"] is None else to_decimal(row["score"], 4))


def _relation(con, rows: list[dict]) -> str:
    """The compiled query's result shape, as a table; fallback rows hold NULLs, as the contract allows."""
    con.execute("CREATE TABLE q (__seq BIGINT, __who VARCHAR, __period INTEGER, __fallback BOOLEAN, "
                "out_0_n HUGEINT, out_1_n HUGEINT, out_1_d HUGEINT, out_2 VARCHAR, out_3 BOOLEAN, out_4 DATE, "
                "out_5_n HUGEINT)")
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)  # the query's order is not the data's
    if shuffled:
        con.executemany("INSERT INTO q VALUES (?, ?, ?, ?, CAST(? AS HUGEINT), CAST(? AS HUGEINT), "
                        "CAST(? AS HUGEINT), ?, ?, ?, CAST(? AS HUGEINT))",
                        [(r["seq"], r["who"], r["period"].index, r["fallback"], *_outputs(r)) for r in shuffled])
    return "SELECT * FROM q"


def _outputs(r: dict) -> tuple:
    if r["fallback"]:
        return (None,) * 7
    return (str(r["paid"]), str(r["att"][0]), str(r["att"][1]), r["tier"], r["flag"], r["since"],
            None if r["score"] is None else str(r["score"]))


def _fallback(rows: list[dict], asked: list):
    def compute(seqs: list[int]) -> dict[int, tuple]:
        asked.extend(seqs)
        by_seq = {r["seq"]: r for r in rows}
        return {s: _python_values(by_seq[s]) for s in seqs}
    return compute


def _expected(rows: list[dict], tmp, fmt: str, manifest=None) -> bytes:
    columns = ["id", "period", *(s.name for s in SHAPES)]
    table = [dict(zip(columns, (r["who"], str(r["period"]), *_python_values(r)), strict=True)) for r in rows]
    path = tmp / f"expected.{fmt}"
    write_results(columns, table, fmt, str(path), manifest=manifest)
    return path.read_bytes()


def test_every_text_cell_quoted_and_neutralised_as_the_python_writer_does(tmp_path):
    # Each text as an id and as a text output, in a streamed CSV: quoted for a comma, a quote or a newline only (a
    # carriage return or a tab inside stays as it is), neutralised with a quote when it starts with =, +, -, @, a
    # tab or a carriage return.
    texts = [*TEXTS, "\tstart", "\rstart", "mid\rcr", "+1", "x\r\ny", "end,", '"', "=", "华,东", "=a,b", " -x"]
    rows = [{"seq": k, "who": text or f"E{k}", "period": PERIODS[0], "fallback": False, "paid": 5, "att": (1, 4),
             "tier": text, "flag": None, "since": None, "score": None} for k, text in enumerate(texts)]
    con = duckdb.connect()
    out = tmp_path / "out.csv"
    asked: list[int] = []
    written = write_query(con, _relation(con, rows), SHAPES, key="id", periods=PERIODS, fmt="csv", out=str(out),
                          fallback=_fallback(rows, asked))
    assert written == len(texts) == 23 and asked == []
    assert out.read_bytes() == _expected(rows, tmp_path, "csv")
    assert b"\n\"'=a,b\",2023Q3," in out.read_bytes()  # neutralised, then quoted for its comma


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_same_bytes_as_the_python_writer(tmp_path, fmt):
    rows = _rows(3000)
    con = duckdb.connect()
    asked: list[int] = []
    manifest = {"engine": "attain", "data": {"sha256": "ab"}, "count": Fraction(1, 4)} if fmt == "json" else None
    out = tmp_path / f"out.{fmt}"
    written = write_query(con, _relation(con, rows), SHAPES, key="id", periods=PERIODS, fmt=fmt, out=str(out),
                          fallback=_fallback(rows, asked), manifest=manifest,
                          beside={str(tmp_path / "side.json"): "{}\n"} if fmt == "csv" else None)
    assert written == 3000
    assert out.read_bytes() == _expected(rows, tmp_path, fmt, manifest)
    # Python computed the marked rows and the ones whose text needs more than 38 digits, nothing else.
    marked = {r["seq"] for r in rows if r["fallback"]}
    too_long = {r["seq"] for r in rows if not r["fallback"] and not printable(*r["att"])}
    assert set(asked) == marked | too_long and marked and too_long
    assert sorted(os.listdir(tmp_path)) == sorted(["expected." + fmt, f"out.{fmt}"]
                                                  + (["side.json"] if fmt == "csv" else []))


def test_csv_without_a_row_for_python_is_streamed_from_the_query(tmp_path, monkeypatch):
    # No row marked and every text printable (487 of 600): one COPY from the query, the results never kept.
    rows = [r for r in _rows(600) if not r["fallback"] and printable(*r["att"])]
    con = duckdb.connect()
    out = tmp_path / "out.csv"
    asked: list[int] = []
    seen = []

    def kept(*args):
        raise AssertionError("the results were kept in a table")

    monkeypatch.setattr(write, "_materialise", kept)
    written = write_query(con, _relation(con, rows), SHAPES, key="id", periods=PERIODS, fmt="csv", out=str(out),
                          fallback=_fallback(rows, asked), ready=lambda: seen.append(out.exists()))
    assert written == len(rows) == 487 and asked == [] and seen == [False]  # warned before the file is in place
    assert out.read_bytes() == _expected(rows, tmp_path, "csv")
    assert sorted(os.listdir(tmp_path)) == ["expected.csv", "out.csv"]


def test_empty_results(tmp_path):
    con = duckdb.connect()
    for fmt in ("csv", "json"):
        out = tmp_path / f"out.{fmt}"
        write_query(con, _relation(con, []), SHAPES, key="id", periods=PERIODS, fmt=fmt, out=str(out),
                    fallback=_fallback([], []), manifest={"m": 1} if fmt == "json" else None)
        assert out.read_bytes() == _expected([], tmp_path, fmt, {"m": 1} if fmt == "json" else None)
        con.execute("DROP TABLE q")


def test_parquet_is_exact_decimal_where_places_are_fixed(tmp_path):
    rows = [r for r in _rows(500) if r["paid"] != 10**38]
    con = duckdb.connect()
    out = tmp_path / "out.parquet"
    write_query(con, _relation(con, rows), SHAPES, key="id", periods=PERIODS, fmt="parquet", out=str(out),
                fallback=_fallback(rows, []), manifest={"engine": "attain"})
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{out}')").fetchall())
    assert types == {"id": "VARCHAR", "period": "VARCHAR", "paid": "DECIMAL(38,2)", "attainment": "VARCHAR",
                     "tier": "VARCHAR", "flag": "BOOLEAN", "since": "DATE", "score": "VARCHAR"}
    got = con.execute(f"SELECT id, CAST(paid AS VARCHAR), attainment, tier, flag, since FROM '{out}'").fetchall()
    from attain.io.numtext import format_number
    assert got == [(r["who"], format_number(to_decimal(r["paid"], 100, 2)), format_number(to_decimal(*r["att"])),
                    r["tier"], r["flag"], r["since"]) for r in rows]
    meta = con.execute(f"SELECT value FROM parquet_kv_metadata('{out}') WHERE key = 'attain.manifest'").fetchall()
    assert json.loads(meta[0][0]) == {"engine": "attain"}


def test_parquet_money_beyond_38_digits_is_text(tmp_path):
    rows = _rows(200)
    rows[7]["paid"], rows[7]["fallback"] = 10**38, False
    con = duckdb.connect()
    out = tmp_path / "out.parquet"
    write_query(con, _relation(con, rows), SHAPES, key="id", periods=PERIODS, fmt="parquet", out=str(out),
                fallback=_fallback(rows, []))
    (paid,), = con.execute(f"SELECT paid FROM '{out}' LIMIT 1 OFFSET 7").fetchall()
    assert paid == "1000000000000000000000000000000000000.00"


def test_nothing_written_when_the_fallback_fails(tmp_path):
    rows = _rows(100)
    out, side = tmp_path / "out.csv", tmp_path / "out.csv.manifest.json"
    out.write_text("old\n")

    def failing(seqs):
        raise AttainError([Diagnostic("E301", "division by zero in 'bonus'")])

    con = duckdb.connect()
    with pytest.raises(AttainError):
        write_query(con, _relation(con, rows), SHAPES, key="id", periods=PERIODS, fmt="csv", out=str(out),
                    fallback=failing, beside={str(side): "{}"})
    assert out.read_text() == "old\n" and not side.exists()
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]
    # The connection is left clean for the next query.
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__attain%'").fetchall() == [(0,)]


def test_without_periods_and_to_standard_output(tmp_path, capfdbinary):
    rows = _rows(50)
    con = duckdb.connect()
    query = _relation(con, rows)
    write_query(con, query, SHAPES, key="工号", periods=(), fmt="csv", out="-", fallback=_fallback(rows, []))
    got = capfdbinary.readouterr().out
    columns = ["工号", *(s.name for s in SHAPES)]
    table = [dict(zip(columns, (r["who"], *_python_values(r)), strict=True)) for r in rows]
    write_results(columns, table, "csv", str(tmp_path / "e.csv"))
    assert got == (tmp_path / "e.csv").read_bytes()
