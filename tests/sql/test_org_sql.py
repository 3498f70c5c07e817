"""The org chart in SQL: sums and means over reports on the duckdb engine, exactly, and never stopped by an overflow.

Values over direct and all reports are subqueries (`attain.sql.compile_org`); their sums are
taken in halves so that no sum leaves 128 bits while it adds, and a row whose value does not fit
is the Python engine's.
"""

from fractions import Fraction

import pytest
from engine_choice import SPARK_ENGINES, SQL_ENGINES

import attain
from attain.api import MAX_EVALUATION_ERRORS
from attain.sql.engine import SqlRunner

EVERY_FORM = """policy "forms"
period month
input manager : employee
input sales : money
input quota : money
share = sales / quota
direct_sum = sum(share within direct reports)
all_sum = sum(share within all reports)
direct_mean = mean(share within direct reports) if count(within direct reports) > 0 else 0
all_mean = mean(share within all reports) if count(within all reports) > 0 else 0
direct_max = max(share within direct reports) if count(within direct reports) > 0 else 0
fixed_sum = sum(sales within all reports)
fixed_mean = mean(sales within direct reports) if count(within direct reports) > 0 else ¥0
fixed_min = min(sales within all reports) if count(within all reports) > 0 else ¥0
output direct_sum, all_sum, direct_mean, all_mean, direct_max, fixed_sum, fixed_mean, fixed_min
"""


def run_sql(policy, path):
    runner = SqlRunner(policy.plan, policy.bind(path), MAX_EVALUATION_ERRORS)
    return {(r.record.who, str(r.record.period)): r.outputs for r in runner.run()}, runner


def test_sums_and_means_of_fractions_over_reports_are_computed_in_sql_by_hand(tmp_path):
    policy = attain.loads(EVERY_FORM)
    data = tmp_path / "d.csv"
    # V <- M <- A, B (February); in March M <- A only. Shares (quota in cents: 10000, 40000, 20000):
    # M 30/100 = 3/10, A 50/400 = 1/8, B 7/200 = 7/200; the largest denominator 40000 is a multiple of the others
    data.write_text("id,period,manager,sales,quota\n"
                    "V,2024-02,,0,1\nM,2024-02,V,30,100\nA,2024-02,M,50,400\nB,2024-02,M,7,200\n"
                    "M,2024-03,,0,1\nA,2024-03,M,9,300\n", encoding="utf-8")
    got, runner = run_sql(policy, data)
    f = Fraction
    # M (Feb): direct = all = 1/8 + 7/200 = 32/200 = 4/25, mean 2/25; max of pairs: 1/8 (the Python engine's);
    # fixed: sales 50 + 7 = 57, mean 28.5, min 7
    assert [f(x) for x in got[("M", "2024-02")]] == [f(4, 25), f(4, 25), f(2, 25), f(2, 25), f(1, 8), 57,
                                                      f(57, 2), 7]
    # V: direct M 3/10, all 3/10 + 4/25 = 23/50 over 3 = 23/150; max 3/10; sales 30 + 57 = 87, mean 30, min 7
    assert [f(x) for x in got[("V", "2024-02")]] == [f(3, 10), f(23, 50), f(3, 10), f(23, 150), f(3, 10), 87,
                                                      30, 7]
    # M (Mar): A 9/300 = 3/100 alone
    assert [f(x) for x in got[("M", "2024-03")]] == [f(3, 100), f(3, 100), f(3, 100), f(3, 100), f(3, 100), 9,
                                                      9, 9]
    assert [f(x) for x in got[("A", "2024-02")]] == [0] * 8
    # only the managers' rows need the max of pairs, which SQL leaves to the Python engine (with their periods)
    assert runner.fallback_rows == 6
    assert policy.run(data, engine="duckdb").rows == policy.run(data, engine="python").rows


SUMS = """policy "sums"
period month
input manager : employee
input sales : money
input quota : money
share = sales / quota
team = sum(share within direct reports)
below = sum(share within all reports)
output team, below
"""


def test_terms_beyond_128_bits_go_to_the_python_engine_and_never_stop_the_query(tmp_path):
    """A's share 123456789012345678901234567890 / 0.01 over the reports' largest denominator (B's quota in cents,
    about 1.2 * 10^31) is a product of 63 digits: the term is unknown, the row the Python engine's. The query
    once multiplied it anyway and DuckDB stopped with an overflow (an internal error)."""
    policy = attain.loads(SUMS)
    data = tmp_path / "d.csv"
    big = 123456789012345678901234567890
    data.write_text("id,period,manager,sales,quota\nM,2024-02,,0,1\n"
                    f"A,2024-02,M,{big},0.01\nB,2024-02,M,3,{big}\n", encoding="utf-8")
    got, runner = run_sql(policy, data)
    # M: big / (1/100) + 3 / big = 100 * big + 3 / big, for direct and all reports alike (no deeper level)
    want = Fraction(100 * big) + Fraction(3, big)
    assert got[("M", "2024-02")] == (want, want)
    assert runner.fallback_rows == 3


SQUARES = """policy "squares"
input manager : employee
input sales : number
square = sales * sales
team = sum(square within direct reports)
below = sum(square within all reports)
output team, below
"""


def test_a_sum_over_reports_beyond_128_bits_goes_to_the_python_engine_and_never_stops_the_query(tmp_path):
    """Eight reports' squares of 5 * 10^18, each 2.5 * 10^37 (below the limit of a column, 4 * 10^37), sum to
    2 * 10^38, beyond it: M's row is the Python engine's. The query once summed them beside its test of the
    terms, and DuckDB stopped on the sum's overflow (an internal error)."""
    policy = attain.loads(SQUARES)
    data = tmp_path / "d.csv"
    data.write_text("id,manager,sales\nM,,1\n" + "".join(f"R{i},M,5000000000000000000\n" for i in range(8)),
                    encoding="utf-8")
    got, runner = run_sql(policy, data)
    assert got[("M", "None")] == (2 * 10**38, 2 * 10**38)  # 8 * (5 * 10^18)^2
    assert got[("R0", "None")] == (0, 0)
    assert policy.run(data, engine="duckdb").rows == policy.run(data, engine="python").rows


@pytest.mark.parametrize("engine", [e for e in SPARK_ENGINES if e in SQL_ENGINES])
def test_sums_over_reports_beyond_128_bits_are_every_engines_on_the_sql_engines(engine, tmp_path):
    """The eight squares above and the 63-digit product: each SQL engine gives the Python engine's values (Spark
    plans the halved sums, and its rows beyond 128 bits are the Python engine's as DuckDB's are)."""
    data = tmp_path / "squares.csv"
    data.write_text("id,manager,sales\nM,,1\nA,M,3\n" + "".join(f"R{i},M,5000000000000000000\n" for i in range(8)),
                    encoding="utf-8")
    policy = attain.loads(SQUARES)
    assert policy.run(data, engine=engine).rows == policy.run(data, engine="python").rows
    big = 123456789012345678901234567890
    data.write_text("id,period,manager,sales,quota\nM,2024-02,,0,1\n"
                    f"A,2024-02,M,{big},0.01\nB,2024-02,M,3,{big}\n", encoding="utf-8")
    policy = attain.loads(SUMS)
    assert policy.run(data, engine=engine).rows == policy.run(data, engine="python").rows
