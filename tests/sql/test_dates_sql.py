"""Dates and the period on the duckdb engine: computed in SQL, equal to the values worked out by hand.

These constructs were refused with U569 until compiled; each case below is one the refusal named.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.sql.compile import compile_policy
from attain.sql.engine import connect
from attain.sql.load import load_bound

HEAD = 'policy "p"\nperiod {kind}\ninput sales : money\ninput hired : date\n'


def values(kind: str, formula: str, rows: str, engine: str = "duckdb") -> list:
    policy = attain.loads(HEAD.format(kind=kind) + f"v = {formula}\noutput v\n")
    return [r["v"] for r in policy.run(_table(rows), engine=engine).rows]


def _table(rows: str):
    lines = [line.split(",") for line in rows.strip().splitlines()]
    return attain.io.Table("d.csv", ("id", "period", "sales", "hired"),
                           tuple(attain.io.Row(i + 2, dict(zip(("id", "period", "sales", "hired"), cells, strict=True)))
                                 for i, cells in enumerate(lines)))


def test_the_period_words_of_every_kind_of_period():
    # January 2023: 31 days; 2023Q1: 31 + 28 + 31 = 90; 2024H1: 182 (leap February, 29); 2023: 365;
    # 2023-W32: Monday 7 August to Sunday 13 August, 7 days.
    assert values("month", "sales * period_days", "A,2023-01,100,2022-12-01") == [Decimal(3100)]
    assert values("quarter", "period_days", "A,2023Q1,1,2022-12-01") == [90]
    assert values("half", "period_days", "A,2024H1,1,2022-12-01") == [182]
    assert values("year", "period_days", "A,2023,1,2022-12-01") == [365]
    assert values("week", "days_between(period_start, period_end)", "A,2023-W32,1,2022-12-01") == [6]
    assert values("week", "period_start", "A,2023-W32,1,2022-12-01")[0].isoformat() == "2023-08-07"


def test_the_date_functions_and_arithmetic():
    # hired 2022-12-01; 2023-01 runs to 31 January: 61 days later (31 + 30 days), 1 whole month
    assert values("month", "days_between(hired, period_end)", "A,2023-01,1,2022-12-01") == [61]
    assert values("month", "months_between(hired, period_end)", "A,2023-01,1,2022-12-01") == [1]
    assert values("month", "period_end - hired", "A,2023-01,1,2022-12-01") == [61]
    # 2022-12-01 + 30 is 2022-12-31, so before the period; + 31 is 1 January, inside it
    assert values("month", "in_period(hired + 30)", "A,2023-01,1,2022-12-01") == [False]
    assert values("month", "in_period(hired + 31)", "A,2023-01,1,2022-12-01") == [True]
    # hired 10 January: 22 of January's 31 days; 100 x 22 / 31 exactly
    assert values("month", "sales * days_employed(hired) / period_days", "A,2023-01,100,2023-01-10") == [
        Fraction(2200, 31)]
    # 31 January + 1 month is 28 February: one whole month to 28 February, none to the 27th
    assert values("month", "months_between(hired, hired + 28)", "A,2023-01,1,2023-01-31") == [1]
    assert values("month", "months_between(hired, hired + 27)", "A,2023-01,1,2023-01-31") == [0]
    assert values("month", "months_between(hired + 28, hired)", "A,2023-01,1,2023-01-31") == [-1]


def test_a_window_ending_on_the_25th():
    # `ending day 25`: 2023-03 runs from 26 February to 25 March, 28 days; hired 1 March: 25 days
    assert values("month ending day 25", "period_days", "A,2023-03,1,2023-03-01") == [28]
    assert values("month ending day 25", "days_employed(hired)", "A,2023-03,1,2023-03-01") == [25]
    assert values("month ending day 25", "months_employed(hired)", "A,2023-03,1,2023-02-26") == [1]
    assert values("month ending day 25", "months_employed(hired)", "A,2023-03,1,2023-02-27") == [0]


@pytest.mark.parametrize("formula", ["hired + days_between(hired, period_end) / 2",
                                     "hired + days_between(hired, period_end) * 100000"])
def test_a_date_moved_by_part_of_a_day_or_off_the_calendar_is_the_other_engines_error(formula):
    # 61 / 2 days is part of a day; 6,100,000 days from 2022 is beyond 9999-12-31
    rows = "A,2023-01,3,2022-12-01"
    policy = attain.loads(HEAD.format(kind="month") + f"d = {formula}\nv = days_between(hired, d)\noutput v\n")
    found = {}
    for engine in ("python", "duckdb"):
        with pytest.raises(AttainError) as e:
            policy.run(_table(rows), engine=engine)
        found[engine] = [(d.code, d.message) for d in e.value.diagnostics]
    assert found["duckdb"] == found["python"] and found["duckdb"][0][0] == "E330"


def test_the_sql_computes_the_dates_itself():
    """No row of a dated policy is left to the reference evaluator: the query computes them."""
    policy = attain.loads(HEAD.format(kind="quarter") + "m = months_employed(hired)\n"
                          "d = days_employed(hired)\noutput m, d\n")
    plan = policy.plan
    from attain.engine.bind import bind

    bound = bind(plan, _table("A,2023Q3,1,2023-07-10\nB,2023Q3,1,2023-06-30"))
    con = connect()
    loaded = load_bound(con, plan, bound)
    compiled = compile_policy(plan, loaded.relation)
    rows = con.execute(compiled.sql + " ORDER BY __seq").fetchall()
    con.close()
    # A: August and September whole (2 months), 10 July to 30 September = 22 + 31 + 30 = 83 days
    # B: all three months, all 92 days
    assert [(r[3], r[4], r[5]) for r in rows] == [(False, 2, 83), (False, 3, 92)]


def test_the_command_line_computes_what_it_refused(tmp_path):
    (tmp_path / "p.policy").write_text(HEAD.format(kind="month") + "v = sales * period_days\noutput v\n",
                                       encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,period,sales,hired\nA,2023-01,100,2022-12-01\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "p.policy"), "--data", str(tmp_path / "d.csv"),
                                       "--engine", "duckdb", "--format", "csv"])
    # 100 x 31 days of January
    assert result.exit_code == 0 and result.stdout.splitlines()[1] == "A,2023-01,3100", result.output
