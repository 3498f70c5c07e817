"""Engines, overflow at the edges: values whose sums, products and quotients cross 2^63 and 2^127, run alike.

Each case is worked by hand in its comments. Every engine must give the same typed rows, the duckdb
engine (and Spark, where it runs) must leave to the reference evaluator exactly the rows it cannot
compute (with the rows sharing their groups or history) and compute the others in SQL, and the
writers must print what the Python engine prints, byte for byte.
"""

from pathlib import Path

import pytest
from click.testing import CliRunner
from differential import agreed_over_file, assert_engines_agree
from engine_choice import SPARK_ENGINES

import attain
from attain.api import MAX_EVALUATION_ERRORS
from attain.cli import main
from attain.sql.engine import SqlRunner

E37 = "1" + "0" * 37  # 10^37, a quarter of the limit (4 * 10^37) on every SQL numerator
E30_TINY = "0." + "0" * 29 + "1"  # 10^-30

# Sums over a group near the limit: each term must stay below 4 * 10^37 / (the group's size).
GROUP_SUMS = """policy "group sums"
input region : text
input sales : number
total = sum(sales within region)
others = mean(sales within region except self)
output total, others
"""
# Region N: four rows of 9 * 10^36 (each below 4 * 10^37 / 4 = 10^37): total 3.6 * 10^37, computed in SQL;
# the others' mean 2.7 * 10^37 / 3 = 9 * 10^36. Region S: 1 and 2: total 3, others 2 and 1.
NINE36 = "9" + "0" * 36
FITS = "id,region,sales\n" + "".join(f"N{i},N,{NINE36}\n" for i in range(4)) + "S0,S,1\nS1,S,2\n"
# Region N: eight rows of 10^37 (beyond 4 * 10^37 / 8 = 5 * 10^36): total 8 * 10^37, the others' mean 10^37;
# SQL cannot hold the sum, so every row (a group value reads the others') is the reference evaluator's.
CROSSES = "id,region,sales\n" + "".join(f"N{i},N,{E37}\n" for i in range(8)) + "S0,S,1\nS1,S,2\n"

# rank and percentile across 2^63 = 9,223,372,036,854,775,808: 5 * 10^18 < 2^63 - 1 < 10^19.
ORDER = """policy "order"
input sales : number
place = rank(sales within everyone)
share = percentile(sales within everyone)
output place, share
"""
# ranks: 10^19 first, 2^63 - 1 second, 5 * 10^18 third; percentile = the others below / 2: 0, 1/2, 1.
ORDER_DATA = "id,sales\nA,5000000000000000000\nB,9223372036854775807\nC,10000000000000000000\n"

# A division by a tiny fraction: 3 / 10^-30 = 3 * 10^30 fits; 5 * 10^18 / 10^-30 = 5 * 10^48 does not.
TINY = """policy "tiny"
input sales : number
input target : number
ratio = sales / target
output ratio
"""
TINY_DATA = f"id,sales,target\nA,3,{E30_TINY}\nB,5000000000000000000,{E30_TINY}\nC,1,4\n"

# Three months of 2 * 10^37: the rolling sums 2, 4 and 6 * 10^37 (each term must stay below 4 * 10^37 / 3),
# so A's months are the reference evaluator's; B's (1, 2, 3: sums 1, 3, 6) are SQL's.
ROLLING = """policy "rolling"
period month
input sales : number
total = rolling_sum(sales, 3)
output total
"""
TWO37 = "2" + "0" * 37
ROLLING_DATA = ("id,period,sales\n" + "".join(f"A,2023-0{m},{TWO37}\n" for m in (1, 2, 3))
                + "B,2023-01,1\nB,2023-02,2\nB,2023-03,3\n")

# Marginal brackets over 10^37: 100 * 1% + (10^37 - 100) * 2% = 1 + 2 * 10^35 - 2 = 2 * 10^35 - 1, in SQL.
BRACKETS = """policy "brackets"
input sales : number
paid = marginal sales
    up to 100 at 1%
    above at 2%
output paid
"""
BRACKETS_DATA = f"id,sales\nA,{E37}\nB,150\n"

CASES = {
    # name: (policy, data, the rows left to the reference evaluator, the rows as the Python engine prints them)
    "group sums that fit": (GROUP_SUMS, FITS, 0,
                            [("N0", "36" + "0" * 36, NINE36), ("S0", "3", "2"), ("S1", "3", "1")]),
    "group sums that cross": (GROUP_SUMS, CROSSES, 10, [("N0", "8" + "0" * 37, E37), ("S1", "3", "1")]),
    "order across 2^63": (ORDER, ORDER_DATA, 0, [("A", "3", "0"), ("B", "2", "0.5"), ("C", "1", "1")]),
    "tiny divisor": (TINY, TINY_DATA, 1, [("A", "3" + "0" * 30), ("B", "5" + "0" * 48), ("C", "0.25")]),
    "rolling sums": (ROLLING, ROLLING_DATA, 3, [("A", TWO37), ("A", "4" + "0" * 37), ("A", "6" + "0" * 37),
                                                ("B", "1"), ("B", "3"), ("B", "6")]),
    "brackets": (BRACKETS, BRACKETS_DATA, 0, [("A", "1" + "9" * 35), ("B", "2")]),
}


def _csv(tmp_path: Path, policy: str, data: str, engine: str) -> str:
    (tmp_path / "p.policy").write_text(policy, encoding="utf-8")
    (tmp_path / "data.csv").write_text(data, encoding="utf-8")
    out = tmp_path / f"{engine}.csv"
    result = CliRunner().invoke(main, ["run", str(tmp_path / "p.policy"), "--data", str(tmp_path / "data.csv"),
                                       "--engine", engine, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(CASES))
def test_values_across_the_limits_run_alike_with_every_engine(name, tmp_path: Path):
    text, data, fallback, expected = CASES[name]
    path = tmp_path / "data.csv"
    path.write_text(data, encoding="utf-8")
    _rows, runner, spark = agreed_over_file(text, path, name)
    assert runner.fallback_rows == fallback  # SQL computed every row it could
    if spark is not None:
        assert (spark.fallback_rows, spark.overflowed) == (fallback, False)
    # the written file: every engine prints the Python engine's bytes, and these are the values worked above
    printed = {engine: _csv(tmp_path, text, data, engine) for engine in SPARK_ENGINES}
    assert len(set(printed.values())) == 1, printed
    lines = [tuple(line.split(",")) for line in printed["python"].splitlines()[1:]]
    for row in expected:
        assert any(line[0] == row[0] and line[-len(row) + 1:] == row[1:] for line in lines), (row, lines)


# A static denominator beyond 128 bits (sales / 3 * 10^41: the denominator 3 * 10^41): the writers cast it to
# HUGEINT and stopped with an internal error; such outputs are now the reference evaluator's.
WIDE = """policy "wide"
input sales : number
tiny = sales / 300000000000000000000000000000000000000000
wide = sales * 10
output tiny, wide
"""
# 9 * 10^36 / (3 * 10^41) = 3 * 10^-5; 9 * 10^36 * 10 = 9 * 10^37 (38 digits, beyond the SQL limit);
# 1 / (3 * 10^41) = 0.0000...033.. to 20 places half-even: 0.00000000000000000000; 3 / (3 * 10^41) = 10^-41.
WIDE_DATA = f"id,sales\nA,{NINE36}\nB,1\nC,3\n"
WIDE_CSV = ("id,tiny,wide\n"
            f"A,0.00003,{'9' + '0' * 37}\n"
            "B,0.00000000000000000000,10\n"
            f"C,0.{'0' * 40}1,30\n")


def test_an_output_over_a_denominator_beyond_128_bits_is_written_alike(tmp_path: Path):
    for engine in SPARK_ENGINES:
        assert _csv(tmp_path, WIDE, WIDE_DATA, engine) == WIDE_CSV, engine
    path = tmp_path / "data.csv"
    policy = attain.loads(WIDE)
    assert_engines_agree(lambda engine: policy.run(path, engine=engine), "wide")
    runner = SqlRunner(policy.plan, policy.bind(path), MAX_EVALUATION_ERRORS)
    list(runner.run())
    assert runner.fallback_rows == 3  # `tiny` has that denominator on every row
