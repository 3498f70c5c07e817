"""The duckdb engine: exact values computed in SQL (not left to Python), overflow caught per row, errors as Python's.

Each test runs the engine's `SqlRunner` directly, so it can assert how many rows the
reference evaluator had to compute (`fallback_rows`): a value asserted here with
`fallback_rows == 0` was computed by the SQL itself.
"""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import attain
from attain.api import MAX_EVALUATION_ERRORS
from attain.diagnostics import AttainError
from attain.sql.engine import SqlRunner, connect, fallback_outputs
from attain.sql.load import load_bound

ROOT = Path(__file__).resolve().parents[2]


def sql_run(policy, data) -> tuple[list[tuple], SqlRunner]:
    bound = policy.bind(data)
    runner = SqlRunner(policy.plan, bound, MAX_EVALUATION_ERRORS)
    rows = [(row.record.who, *row.outputs) for row in runner.run()]
    return rows, runner


def csv_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_document_002_worked_example_is_computed_in_sql():
    policy = attain.load(ROOT / "policies/doc002/incentive.policy")
    rows, runner = sql_run(policy, ROOT / "policies/doc002/sample.csv")
    assert runner.fallback_rows == 0 and not runner.errors
    first = dict(zip(("who", *policy.outputs), rows[0], strict=True))
    # S001: sales 575,000 of a 500,000 target: attainment 115%, on target (1.2), score 85,
    # bonus 10,000 x 1.2 x 85 / 100 = 10,200.00; commission 3% of the 75,000 above target = 2,250.00.
    assert first["who"] == "S001"
    assert first["attainment"] == Decimal("1.15")
    assert first["tier"] == "on_target"
    assert first["total_score"] == Decimal("85")
    assert first["bonus_total"] == Decimal("10200.00")
    assert first["commission_paid"] == Decimal("2250.00")
    assert first["improvement_plan"] is False


ROUNDING = """policy "modes"
input a : money
x = a / 8
half_up = round(x, 0.01)
half_down = round(x, 0.01, half_down)
half_even = round(x, 0.01, half_even)
down = round(x, 0.01, down)
up = round(x, 0.01, up)
floor = round(x, 0.01, floor)
ceiling = round(x, 0.01, ceiling)
output half_up, half_down, half_even, down, up, floor, ceiling
"""


def test_every_rounding_mode_in_integers(tmp_path):
    # 0.36 / 8 = 0.045 and -0.20 / 8 = -0.025 are exact halves; 0.2 / 8 = 0.025 rounds to the even 0.02;
    # 1 / 8 = 0.125 to 0.12 (even), 0.13 (half up); 0.08 / 8 = 0.01 exactly.
    data = csv_file(tmp_path, "id,a\nA,0.36\nB,-0.20\nC,0.2\nD,1\nE,0.08\n")
    rows, runner = sql_run(attain.loads(ROUNDING), data)
    assert runner.fallback_rows == 0
    d = Decimal
    assert rows == [
        ("A", d("0.05"), d("0.04"), d("0.04"), d("0.04"), d("0.05"), d("0.04"), d("0.05")),
        ("B", d("-0.03"), d("-0.02"), d("-0.02"), d("-0.02"), d("-0.03"), d("-0.03"), d("-0.02")),
        ("C", d("0.03"), d("0.02"), d("0.02"), d("0.02"), d("0.03"), d("0.02"), d("0.03")),
        ("D", d("0.13"), d("0.12"), d("0.12"), d("0.12"), d("0.13"), d("0.12"), d("0.13")),
        ("E", d("0.01"), d("0.01"), d("0.01"), d("0.01"), d("0.01"), d("0.01"), d("0.01")),
    ]


SQUARE = """policy "big"
input sales : number
input target : number
attainment = sales / target
squared = sales * sales
output attainment, squared
"""


def test_thirty_digit_values_overflow_into_the_reference_evaluator_row_by_row(tmp_path):
    big = "123456789012345678901234567890"  # 30 digits: its square has 59, beyond any 128-bit integer
    data = csv_file(tmp_path, f"id,sales,target\nA,150,100\nB,{big},3\nC,2.5,2\n")
    policy = attain.loads(SQUARE)
    rows, runner = sql_run(policy, data)
    assert runner.fallback_rows == 1  # B alone: A and C were computed by the SQL
    assert rows[0] == ("A", Decimal("1.5"), Decimal("22500"))
    assert rows[1] == ("B", Decimal("41152263004115226300411522630"), Decimal(int(big) ** 2))
    assert rows[2] == ("C", Decimal("1.25"), Decimal("6.25"))
    assert policy.run(data, engine="duckdb").rows == policy.run(data, engine="python").rows


def test_thirty_digit_values_that_fit_stay_in_sql(tmp_path):
    big = "123456789012345678901234567890"
    data = csv_file(tmp_path, f"id,sales,target\nA,{big},{big}0\n")
    rows, runner = sql_run(attain.loads(SQUARE.replace("squared = sales * sales", "squared = sales + sales")),
                           data)
    assert runner.fallback_rows == 0
    assert rows == [("A", Decimal("0.1"), Decimal(2 * int(big)))]


PEERS = """policy "peers"
input region : text
input sales : money
input target : money
attainment = sales / target
share = percentile(attainment within region)
place = rank(attainment within region)
peers = mean(sales within region except self)
best = max(attainment within region)
output share, place, peers, best
"""


def test_percentile_rank_and_peer_mean_exactly_with_ties(tmp_path):
    # North: attainments 1/3, 2/6 (a tie, unreduced), 1/2, 1/4. Percentile: the share of the
    # 3 others strictly below; rank: 1 + those strictly above. South: one employee: 100%, rank 1,
    # no peers to average (an error if used; here it is an output, so the row is an error).
    data = csv_file(tmp_path, "id,region,sales,target\nA,N,1,3\nB,N,2,6\nC,N,1,2\nD,N,1,4\n")
    rows, runner = sql_run(attain.loads(PEERS), data)
    assert runner.fallback_rows == 0
    assert [r[1] for r in rows] == [Fraction(1, 3), Fraction(1, 3), Decimal("1"), Decimal("0")]
    assert [r[2] for r in rows] == [Decimal(2), Decimal(2), Decimal(1), Decimal(4)]
    # peers: the mean of the others' sales: (2 + 1 + 1) / 3, (1 + 1 + 1) / 3, (1 + 2 + 1) / 3, (1 + 2 + 1) / 3
    assert [r[3] for r in rows] == [Fraction(4, 3), Decimal(1), Fraction(4, 3), Fraction(4, 3)]
    assert [r[4] for r in rows] == [Decimal("0.5")] * 4


def test_a_group_of_one_has_no_peers_and_errors_exactly_as_python(tmp_path):
    data = csv_file(tmp_path, "id,region,sales,target\nA,N,1,3\nB,N,2,6\nS,S,5,5\n")
    policy = attain.loads(PEERS)
    with pytest.raises(AttainError) as duck:
        policy.run(data, engine="duckdb")
    with pytest.raises(AttainError) as python:
        policy.run(data, engine="python")
    assert duck.value.diagnostics == python.value.diagnostics
    assert [d.code for d in duck.value.diagnostics] == ["E306"]


def test_a_division_by_zero_is_the_same_error(tmp_path):
    data = csv_file(tmp_path, "id,sales,target\nA,1,2\nB,1,0\nC,3,0\n")
    policy = attain.loads(SQUARE)
    with pytest.raises(AttainError) as duck:
        policy.run(data, engine="duckdb")
    with pytest.raises(AttainError) as python:
        policy.run(data, engine="python")
    assert duck.value.diagnostics == python.value.diagnostics
    assert [d.code for d in duck.value.diagnostics] == ["E301", "E301"]


def test_a_value_carried_from_month_to_month_runs_period_by_period_in_sql():
    policy = attain.load(ROOT / "policies/case6/score.policy")
    data = ROOT / "policies/case6/sample.csv"
    rows, runner = sql_run(policy, data)
    assert runner.fallback_rows == 0
    assert "attain_kept" in runner.sql
    assert policy.run(data, engine="duckdb").rows == policy.run(data, engine="python").rows


STREAK = """policy "streaks"
period month
input sales : money
input late : count default 0
pay = marginal sales
    up to 100 at 0%
    above at streak(late = 0) * 1%
total = rolling_sum(sales, 3)
output pay, total
"""


def test_a_streak_reached_only_where_a_bracket_pays_counts_those_months(tmp_path):
    # The rate (and its streak) is evaluated only in months whose sales pass 100: in month 2
    # sales are 50, so the streak is not reached and restarts from 0.
    data = csv_file(tmp_path, "id,period,sales,late\nA,2023-01,200,0\nA,2023-02,50,0\nA,2023-03,300,0\n"
                              "A,2023-04,400,1\n")
    policy = attain.loads(STREAK)
    rows, runner = sql_run(policy, data)
    assert runner.fallback_rows == 0
    # pay: 1 month on time: 1% of the 100 above 100; nothing above 100 (the streak not reached);
    # 1 month again (not 3): 1% of 200; a late task: 0% of 300
    assert [r[1] for r in rows] == [Decimal(1), Decimal(0), Decimal(2), Decimal(0)]
    assert [r[2] for r in rows] == [Decimal(200), Decimal(250), Decimal(550), Decimal(750)]
    assert policy.run(data, engine="duckdb").rows == policy.run(data, engine="python").rows


def test_fallback_outputs_reads_the_records_back_from_the_relation(tmp_path):
    big = "123456789012345678901234567890"
    data = csv_file(tmp_path, f"id,sales,target\nA,150,100\nB,{big},3\n")
    policy = attain.loads(SQUARE)
    con = connect()
    loaded = load_bound(con, policy.plan, policy.bind(data))
    found = fallback_outputs(policy.plan, (con, loaded.relation), [1])
    assert found == {1: (Decimal("41152263004115226300411522630"), Decimal(int(big) ** 2))}


SHARE = """policy "share"
input sales : number
input target : number
ratio = sales / target
share = percentile(ratio within everyone)
place = rank(ratio within everyone)
output share, place
"""


def test_percentile_of_ratios_with_large_denominators_orders_them_exactly(tmp_path):
    # Denominators near 3 x 10^12 (beyond the one-key path): 1/3000000000002 < 1/3000000000001
    # = 2/6000000000002 < 1/3000000000000, values 10^-25 apart, which no DOUBLE tells apart.
    data = csv_file(tmp_path, "id,sales,target\nA,1,3000000000001\nB,1,3000000000002\nC,2,6000000000002\n"
                              "D,1,3000000000000\n")
    policy = attain.loads(SHARE)
    rows, runner = sql_run(policy, data)
    assert runner.fallback_rows == 0
    assert [r[1] for r in rows] == [Fraction(1, 3), Decimal(0), Fraction(1, 3), Decimal(1)]
    assert [r[2] for r in rows] == [Decimal(2), Decimal(4), Decimal(2), Decimal(1)]
    assert policy.run(data, engine="duckdb").rows == policy.run(data, engine="python").rows


def test_percentile_of_ratios_ordered_by_a_bigint_key_where_the_data_bounds_denominators(tmp_path):
    # Every denominator at most 10^9 (the data's bounds prove it): one key floor(ratio * 10^18) in BIGINT
    # chunks. 1/999999999 < 1/999999998 (B and F, a tie) differ by about 1.000000003 x 10^-18, which a
    # coarser key would not tell apart; -7/999999997 is below, 999999998/999999999 and 999999999/1000000000
    # (1 - 1.000000001 x 10^-9 and 1 - 10^-9) are above, in that order.
    data = csv_file(tmp_path, "id,sales,target\nA,1,999999999\nB,1,999999998\nC,-7,999999997\n"
                              "D,999999998,999999999\nE,999999999,1000000000\nF,1,999999998\n")
    policy = attain.loads(SHARE)
    rows, runner = sql_run(policy, data)
    assert runner.fallback_rows == 0
    assert "1000000000) // " in runner.sql and "100000000000000000000" not in runner.sql  # the BIGINT key
    # share: the others strictly below / 5; place: 1 + those strictly above
    assert [r[1] for r in rows] == [Decimal("0.2"), Decimal("0.4"), Decimal(0), Decimal("0.8"), Decimal(1),
                                    Decimal("0.4")]
    assert [r[2] for r in rows] == [Decimal(5), Decimal(3), Decimal(6), Decimal(2), Decimal(1), Decimal(3)]
    assert policy.run(data, engine="duckdb").rows == policy.run(data, engine="python").rows


def test_a_retroactive_bracket_holds_its_bound_only_when_it_says_including(tmp_path: Path):
    policy = attain.loads('policy "p"\ninput sales : money\npay = retroactive sales\n    below 300 at 1%\n'
                          "    up to 700 at 2.5%\n    up to and including 1400 at 10%\n    above at 1%\noutput pay\n")
    data = csv_file(tmp_path, "id,sales\nA,300\nB,700\nC,299.99\nD,1400\nE,1400.01\n")
    rows, runner = sql_run(policy, data)
    assert runner.fallback_rows == 0
    # 300 is not below 300: 2.5% -> 7.5; 700 is `up to 700`: 2.5% -> 17.5; 1400 is included: 10% -> 140.
    assert [r[1] for r in rows] == [Decimal("7.5"), Decimal("17.5"), Decimal("2.9999"), Decimal("140"),
                                    Decimal("14.0001")]
    assert [r["pay"] for r in policy.run(data).rows] == [r[1] for r in rows]
