"""Engines, overflow: 30-digit values that no 128-bit integer arithmetic holds, run alike by every engine.

The duckdb engine leaves such rows to the reference evaluator (with the rows they share
groups or history with); the results must be every other engine's, and the rows it could
compute must still be computed in SQL.
"""

from pathlib import Path

import pytest
from differential import agreed_over_file

BIG = "123456789012345678901234567890"  # 30 digits; a product of two has 59

PLAIN = """policy "plain"
input sales : number
input target : number
ratio = sales / target
square = sales * sales
paid = round(square * ratio / 7, 0.01, half_even)
output ratio, square, paid
"""

GROUPS = """policy "groups"
input region : text
input sales : number
input target : number
ratio = sales / target
square = sales * sales
peers = mean(square within region except self)
share = percentile(ratio within region)
top = max(sales within everyone)
output peers, share, top
"""

HISTORY = """policy "history"
period month
input sales : number
carried = previous(next, else 0)
next = (carried + sales * sales) / 2
total = rolling_sum(sales, 2)
output next, total
"""

CASES = {
    "plain": (PLAIN, f"id,sales,target\nA,150,100\nB,{BIG},3\nC,-{BIG},{BIG}7\nD,2.5,2\n"),
    "groups": (GROUPS, f"id,region,sales,target\nA,N,1,3\nB,N,{BIG},3\nC,S,2,5\nD,S,4,5\n"),
    "history": (HISTORY, f"id,period,sales\nA,2023-01,10\nA,2023-02,{BIG}\nA,2023-03,5\nB,2023-01,1\n"
                         "B,2023-02,2\nB,2023-03,3\n"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rows_beyond_128_bits_run_alike_with_every_engine(name, tmp_path: Path):
    text, data = CASES[name]
    path = tmp_path / "data.csv"
    path.write_text(data, encoding="utf-8")
    _rows, runner, spark = agreed_over_file(text, path, name)
    # SQL computed what it could: every row but the huge ones' (or their employee's, or, with group
    # values, everyone's: each row's group value depends on the others).
    expected = {"plain": 2, "groups": 4, "history": 3}[name]
    assert runner.fallback_rows == expected
    if spark is not None:  # the same rows left to the reference evaluator, the others computed by Spark
        assert (spark.fallback_rows, spark.overflowed) == (expected, False)
