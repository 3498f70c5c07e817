"""The duckdb engine computes rate tables and curves in SQL, exactly: the python engine's values, none in Python."""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import attain
from attain.api import MAX_EVALUATION_ERRORS
from attain.diagnostics import AttainError
from attain.sql.engine import SqlRunner

ROOT = Path(__file__).resolve().parents[2]

GRID = '''policy "grid"
input level : text
input sales : money
input attainment : percent
table rate
    "P1"  -> 2%
    "P2"  -> 2.5%
    else  -> 50%
table grid
    columns below 100 | from 100 below 300 | from 300
    "P1" -> 2%        | 3%                 | 4%
    "P2" -> 2.5%      | 3.5%               | 5%
    else -> 1%        | 1.5%               | 2%
table step
    below 50% -> 2%
    from 50% up to and including 100% -> 4%
    above 100% -> 6%
flat = sales * rate(level)
cell = sales * grid(level, sales)
accel = sales * step(attainment)
output flat, cell, accel
'''


def sql_rows(policy, data):
    runner = SqlRunner(policy.plan, policy.bind(data), MAX_EVALUATION_ERRORS)
    rows = {row.record.who: row.outputs for row in runner.run()}
    return rows, runner


def test_document_tables_run_in_sql_as_the_python_engine_computes_them():
    for name in ("accelerator/commission", "rate-grid/commission", "payout-curve/bonus"):
        policy = attain.load(ROOT / "policies" / f"{name}.policy")
        data = ROOT / "policies" / name.split("/")[0] / "sample.csv"
        rows, runner = sql_rows(policy, data)
        assert runner.fallback_rows == 0 and not runner.errors
        python = {r["id"]: tuple(r[o] for o in policy.outputs) for r in policy.run(data).rows}
        assert rows == python, name
    rows, _ = sql_rows(attain.load(ROOT / "policies/rate-grid/commission.policy"),
                       ROOT / "policies/rate-grid/sample.csv")
    # B: P2 at exactly 100,000 is in `from 100000 below 300000`: 3.5%; D: 299,999.99 still is: 10,499.99965.
    assert rows["B"] == (Decimal("3500.00"),) and rows["D"] == (Decimal("10500.00"),)


@pytest.mark.parametrize(("level", "sales", "attainment", "flat", "cell", "accel"), [
    # text row; the range holding 100 is `from 100 below 300`; exactly 50% and 100% are the middle row
    ("P1", "100", "50%", "2", "3", "4"),
    ("P2", "299.99", "100%", "7.49975", "10.49965", "11.9996"),
    ("P2", "300", "100.01%", "7.5", "15", "18"),
    ("P1", "99.99", "49.99%", "1.9998", "1.9998", "1.9998"),
])
def test_a_cell_is_chosen_by_its_keys_exactly(tmp_path, level, sales, attainment, flat, cell, accel):
    policy = attain.loads(GRID)
    data = tmp_path / "d.csv"
    data.write_text(f"id,level,sales,attainment\nA,{level},{sales},{attainment}\n", encoding="utf-8")
    rows, runner = sql_rows(policy, data)
    assert runner.fallback_rows == 0
    assert rows["A"] == (Decimal(flat), Decimal(cell), Decimal(accel))
    (python,) = policy.run(data).rows
    assert (python["flat"], python["cell"], python["accel"]) == rows["A"]


def test_else_takes_another_text_and_an_unknown_value_is_the_python_engines_error(tmp_path):
    policy = attain.loads(GRID)
    data = tmp_path / "d.csv"
    # P3: `else` -> 50% of 30 = 15; the grid's else row, below 100: 1% of 30 = 0.3; 10% is below 50%: 2% -> 0.6.
    data.write_text("id,level,sales,attainment\nA,P3,30,10%\n", encoding="utf-8")
    rows, runner = sql_rows(policy, data)
    assert runner.fallback_rows == 0 and rows["A"] == (Decimal(15), Decimal("0.3"), Decimal("0.6"))
    data.write_text("id,level,sales,attainment\nA,,30,10%\nB,P1,30,\n", encoding="utf-8")
    with pytest.raises(AttainError) as python:
        policy.run(data)
    with pytest.raises(AttainError) as duckdb:
        policy.run(data, engine="duckdb")
    assert python.value.diagnostics and duckdb.value.diagnostics == python.value.diagnostics


CURVES = '''policy "curves"
input x : percent
table points
    below 0% -> 0%
    0%       -> 0%
    30%      -> 10%
    100%     -> 100%
    above 100% -> 100%
factor = curve x
    below 70%  -> 0%
    70%        -> 0%
    100%       -> 100%
    150%       -> 200%
    above 150% -> 200%
via_table = points(x)
output factor, via_table
'''


@pytest.mark.parametrize(("x", "factor", "via_table"), [
    # below the first point; on it; between: (x - 70%) * 100/30, and (x - 30%) * 90/70 + 10%
    ("-1%", "0", "0"), ("0%", "0", "0"), ("70%", "0", "43/70"), ("77%", "7/30", "493/700"),
    ("100%", "1", "1"), ("125%", "3/2", "1"), ("150%", "2", "1"), ("150.01%", "2", "1"), ("30%", "0", "1/10"),
    ("20%", "0", "1/15"),
])
def test_a_curve_is_the_exact_line_between_its_points(tmp_path, x, factor, via_table):
    policy = attain.loads(CURVES)
    data = tmp_path / "d.csv"
    data.write_text(f"id,x\nA,{x}\n", encoding="utf-8")
    rows, runner = sql_rows(policy, data)
    assert runner.fallback_rows == 0
    assert tuple(Fraction(v) for v in rows["A"]) == (Fraction(factor), Fraction(via_table))
    (python,) = policy.run(data).rows
    assert (python["factor"], python["via_table"]) == rows["A"]  # the same values, of the same types
