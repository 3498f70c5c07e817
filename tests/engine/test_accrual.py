"""Accumulation over the plan year: year_to_date and its kin, `plan year starts`, the first/last-period words.

Every value is worked out by hand in the comments and computed by every engine (duckdb included:
with none of the rows left to the reference evaluator where the test says so).
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from engine_choice import LOCAL_ENGINES as ENGINES  # spark: in the corpus (tests/engines), a run costs seconds

import attain
from attain.api import MAX_EVALUATION_ERRORS
from attain.diagnostics import AttainError
from attain.dsl.checker import check
from attain.dsl.formatter import format_policy
from attain.dsl.parser import parse
from attain.engine import accrual
from attain.engine import trace as t
from attain.engine.periods import Period, parse_period
from attain.io import Row, Table
from attain.sql.engine import SqlRunner


def table(columns, *rows):
    return Table("data.csv", tuple(columns), tuple(Row(i + 2, dict(zip(columns, r))) for i, r in enumerate(rows)))


def run(text: str, data: Table, engine: str) -> dict:
    return {(r["id"], r.get("period")): r for r in attain.loads(text).run(data, engine=engine).rows}


def codes(text: str) -> list[str]:
    return [d.code for d in check(parse(text))[1] if d.is_error]


def sql_fallbacks(text: str, data: Table) -> int:
    policy = attain.loads(text)
    runner = SqlRunner(policy.plan, policy.bind(data), MAX_EVALUATION_ERRORS)
    list(runner.run())
    assert not runner.errors
    return runner.fallback_rows


TRUE_UP = """policy "true-up"
period month
plan year starts April
input sales : money
commission  = sales * 10%
earned      = year_to_date(commission)
paid_before = earlier_this_year(pay)
payout pay  = max(earned - paid_before, 0)
q_sales     = quarter_to_date(sales)
q_before    = earlier_this_quarter(sales)
output earned, paid_before, q_sales, q_before
"""

MONTHS = table(("id", "period", "sales"),
               ("A", "2023-02", "1000"), ("A", "2023-03", "2000"), ("A", "2023-04", "3000"),
               ("A", "2023-05", "500"), ("A", "2023-06", "100"), ("A", "2023-07", "100"),
               ("B", "2023-05", "700"), ("B", "2023-06", "-2000"))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_true_up_pays_the_year_to_date_less_what_the_plan_year_paid_before(engine):
    rows = run(TRUE_UP, MONTHS, engine)
    got = {k: (r["earned"], r["paid_before"], r["pay"], r["q_sales"], r["q_before"]) for k, r in rows.items()}
    assert got == {
        # February and March are the last two months of the plan year that started in April 2022.
        ("A", "2023-02"): (100, 0, 100, 1000, 0),  # plan quarter January to March
        ("A", "2023-03"): (300, 100, 200, 3000, 1000),  # 100 + 200 earned, 100 paid before
        # April starts a plan year (and its first quarter): nothing before it counts.
        ("A", "2023-04"): (300, 0, 300, 3000, 0),
        ("A", "2023-05"): (350, 300, 50, 3500, 3000),
        ("A", "2023-06"): (360, 350, 10, 3600, 3500),
        ("A", "2023-07"): (370, 360, 10, 100, 0),  # July starts the second plan quarter
        # B is hired in May: the sums run over B's months only.
        ("B", "2023-05"): (70, 0, 70, 700, 0),
        # June: earned 70 - 200 = -130, paid 70 before: pays max(-200, 0) = 0
        ("B", "2023-06"): (-130, 70, 0, -1300, 700),
    }
    assert all(type(v) is Decimal for r in rows.values() for v in (r["earned"], r["pay"]))


def test_the_duckdb_engine_computes_the_sums_in_sql():
    # The true-up reads its own earlier value: period by period, every row in SQL.
    assert sql_fallbacks(TRUE_UP, MONTHS) == 0
    # Sums that read no value of their own: windows over the plan year, every row in SQL.
    windows = TRUE_UP.replace("paid_before = earlier_this_year(pay)", "paid_before = earlier_this_year(sales)")
    assert sql_fallbacks(windows, MONTHS) == 0


GAPS = """policy "gaps"
period month
gaps restart
input sales : money
ytd    = year_to_date(sales)
before = earlier_this_year(sales)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_gap_starts_the_sums_again_with_gaps_restart_and_is_an_error_without(engine):
    data = table(("id", "period", "sales"), ("A", "2023-01", "1"), ("A", "2023-02", "2"), ("A", "2023-04", "4"),
                 ("A", "2023-05", "8"))
    rows = run(GAPS, data, engine)
    # March is missing: April starts a new run, so January and February are not summed again.
    assert [(r["ytd"], r["before"]) for r in rows.values()] == [(1, 0), (3, 1), (4, 0), (12, 4)]
    with pytest.raises(AttainError) as e:
        run(GAPS.replace("gaps restart\n", ""), data, engine)
    assert [d.code for d in e.value.diagnostics] == ["E310"]


WORDS = """policy "words"
period {period}
plan year starts {start}
input sales : money
ytd = year_to_date(sales)
first_y = 1 if first_period_of_year else 0
last_y  = 1 if last_period_of_year else 0
first_q = 1 if first_period_of_quarter else 0
last_q  = 1 if last_period_of_quarter else 0
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_week_belongs_to_the_plan_year_of_its_thursday(engine):
    text = WORDS.format(period="week", start="January")
    # 2018-W52 (Thursday 27 December 2018) ends 2018; 2019-W01 starts on Monday 31 December 2018, but its
    # Thursday is 3 January 2019: the first week of 2019, as ISO says. 2019-W13's Thursday is 28 March (Q1),
    # 2019-W14's 4 April: the first week of the second quarter.
    data = table(("id", "period", "sales"), ("A", "2018-W52", "1"), ("A", "2019-W01", "2"), ("A", "2019-W02", "4"),
                 ("B", "2019-W13", "8"), ("B", "2019-W14", "16"))
    rows = run(text, data, engine)
    got = {k: (r["ytd"], r["first_y"], r["last_y"], r["first_q"], r["last_q"]) for k, r in rows.items()}
    assert got == {("A", "2018-W52"): (1, 0, 1, 0, 1), ("A", "2019-W01"): (2, 1, 0, 1, 0),
                   ("A", "2019-W02"): (6, 0, 0, 0, 0), ("B", "2019-W13"): (8, 0, 0, 0, 1),
                   ("B", "2019-W14"): (24, 0, 0, 1, 0)}


@pytest.mark.parametrize("engine", ENGINES)
def test_plan_quarters_are_the_plan_years_quarters(engine):
    # A plan year starting in February: its quarters are February to April, May to July, ...
    text = WORDS.format(period="month", start="February")
    data = table(("id", "period", "sales"), *[("A", f"2023-{m:02d}", str(2 ** m)) for m in range(1, 6)])
    rows = run(text, data, engine)
    got = [(r["ytd"], r["first_y"], r["last_y"], r["first_q"], r["last_q"]) for r in rows.values()]
    assert got == [(2, 0, 1, 0, 1),  # January ends the plan year that started in February 2022
                   (4, 1, 0, 1, 0), (12, 0, 0, 0, 0), (28, 0, 0, 0, 1),  # February 4, + March 8, + April 16
                   (60, 0, 0, 1, 0)]  # May: 4 + 8 + 16 + 32


@pytest.mark.parametrize("engine", ENGINES)
def test_quarters_and_a_plan_year_starting_in_april(engine):
    text = WORDS.format(period="quarter", start="April")
    data = table(("id", "period", "sales"), ("A", "2023Q1", "1"), ("A", "2023Q2", "2"), ("A", "2023Q3", "4"))
    rows = run(text, data, engine)
    # 2023Q1 (January to March) ends a plan year; 2023Q2 starts the next. A quarter is its own plan quarter.
    assert [(r["ytd"], r["first_y"], r["last_y"], r["first_q"], r["last_q"]) for r in rows.values()] == [
        (1, 0, 1, 1, 1), (2, 1, 0, 1, 1), (6, 0, 0, 1, 1)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_window_ending_on_the_25th_belongs_to_the_plan_year_of_its_month(engine):
    # With `ending day 25` the month 2023-04 runs from 26 March to 25 April: the plan year starting in April
    # starts with it, so a sale dated 26 March counts in the new plan year.
    text = WORDS.format(period="month ending day 25", start="April")
    data = table(("id", "date", "sales"), ("A", "2023-03-25", "1"), ("A", "2023-03-26", "2"),
                 ("A", "2023-04-26", "4"))
    rows = run(text, data, engine)
    assert [(p, r["ytd"], r["first_y"], r["last_y"]) for (_, p), r in rows.items()] == [
        ("2023-03", 1, 0, 1), ("2023-04", 2, 1, 0), ("2023-05", 6, 0, 0)]


def test_the_period_arithmetic_behind_the_engines():
    april = accrual.start_month(parse('policy "p"\nperiod month\nplan year starts april\n').header)
    assert april == 3
    march, may = parse_period("month", "2023-03"), parse_period("month", "2023-05")
    assert accrual.span_key(march, april, "year") + 1 == accrual.span_key(may, april, "year")
    assert accrual.earlier_indices(may, 0, april, "year") == [may.index - 1]  # April only
    assert accrual.earlier_indices(may, may.index, april, "year") == []  # a run that starts in May
    assert accrual.is_edge(march, april, "year", 1) and not accrual.is_edge(march, april, "year", -1)
    half = Period("half", 2023 * 2 + 1)  # 2023H2
    assert accrual.first_month(half) == 2023 * 12 + 6


@pytest.mark.parametrize("header, code, message", [
    ("period quarter\nplan year starts May", "C293", "would split a calendar quarter"),
    ("period half\nplan year starts April", "C293", "would split a half year"),
    ("period year\nplan year starts July", "C293", "would split a calendar year"),
    ("period month\nplan year starts Mai", "C293", "a plan year cannot start in 'Mai'"),
    ("plan year starts April", "C293", "a plan year needs periods"),
])
def test_the_plan_years_start_is_checked(header, code, message):
    found = [d for d in check(parse(f'policy "p"\n{header}\ninput a : money\noutput a\n'))[1] if d.is_error]
    assert [d.code for d in found] == [code] and message in found[0].message


@pytest.mark.parametrize("formula, code", [
    ("t = year_to_date(pay)\npay = a - t", "C294"),  # includes this period's pay, which needs t
    ("t = quarter_to_date(pay)\npay = a - t", "C294"),
    ("t = year_to_date(r)\nr = \"x\"", "C295"),
    ("t = earlier_this_year(ok)\nok = a > 0", "C295"),
    ("t = year_to_date(d)\nd = 2023-01-01", "C295"),
    ("t = year_to_date(a * 2)", "C245"),
    ("t = year_to_date(a, 2)", "C211"),
    ("t = year_to_datum(a)", "C210"),
])
def test_what_cannot_be_summed_is_refused(formula, code):
    assert codes(f'policy "p"\nperiod month\ninput a : money\n{formula}\noutput t\n') == [code]


def test_an_earlier_sum_may_be_read_by_what_it_sums_and_keeps_its_unit():
    model, found = check(parse(TRUE_UP))
    assert not [d for d in found if d.is_error]
    assert str(model.types["paid_before"]) == "money" and str(model.types["q_sales"]) == "money"
    assert codes('policy "p"\nperiod month\ninput a : money\nt = earlier_this_year(a) + 5%\noutput t\n') == ["C206"]


@pytest.mark.parametrize("header, formula", [
    ("period half", "t = quarter_to_date(a)"), ("period year", "t = earlier_this_quarter(a)"),
    ("period half", "t = 1 if last_period_of_quarter else 0"),
])
def test_a_plan_quarter_needs_periods_of_a_quarter_or_less(header, formula):
    assert codes(f'policy "p"\n{header}\ninput a : money\n{formula}\noutput t\n') == ["C296"]


def test_the_sums_need_a_period_and_their_words_cannot_name_a_value():
    assert codes('policy "p"\ninput a : money\nt = year_to_date(a)\noutput t\n') == ["C244"]
    assert codes('policy "p"\ninput a : money\nt = 1 if last_period_of_year else 0\noutput t\n') == ["C244"]
    assert codes('policy "p"\nperiod month\ninput a : money\nlast_period_of_year = a\n') != []


def test_fmt_keeps_the_plan_year_line_in_the_header():
    text = ('policy "p"\ngaps restart\nplan year starts April   # the fiscal year\nperiod month\ninput a : money\n'
            "t = year_to_date(a)\n")
    formatted = format_policy(text)
    assert formatted.splitlines()[:4] == ['policy "p"', "period month", "plan year starts April  # the fiscal year",
                                          "gaps restart"]
    assert parse(formatted) == parse(text) and format_policy(formatted) == formatted


def test_explain_lists_each_period_of_the_plan_year_with_its_value():
    e = attain.loads(TRUE_UP).explain(MONTHS, "A", period="2023-06", value="earned")
    (root,) = e.roots
    june = parse_period("month", "2023-06")
    assert root.notes == (t.Accrued("year_to_date(commission)", Fraction(360), "money",
                                    ((june.shift(-2), Fraction(300)), (june.shift(-1), Fraction(50)),
                                     (june, Fraction(10)))),)
    assert "· year_to_date(commission): 2023-04 300 + 2023-05 50 + 2023-06 10 = 360" in e.text()
    first = attain.loads(TRUE_UP).explain(MONTHS, "A", period="2023-04", value="paid_before")
    assert "· earlier_this_year(pay) = 0: no earlier period of this plan year" in first.text()
    assert '"earlier_this_year(pay) = 0: no earlier period of this plan year"' in first.json()


def test_explain_says_why_a_period_is_the_plan_years_last():
    text = WORDS.format(period="month", start="April") + "output last_y\n"
    e = attain.loads(text).explain(table(("id", "period", "sales"), ("A", "2024-03", "1")), "A", period="2024-03")
    assert ("· last_period_of_year = yes: 2024-03 is the last period of its plan year (the plan year starts in "
            "April)") in e.text()


def test_a_changed_plan_year_is_a_change_in_policy_terms():
    from attain.diff.changes import policy_changes

    old, new = parse(TRUE_UP), parse(TRUE_UP.replace("starts April", "starts January"))
    assert [c.text for c in policy_changes(old, new)] == ["header: plan year starts April -> January"]


def test_the_versions_of_a_folder_start_their_plan_years_alike(tmp_path):
    from attain.versions import load_versions

    head = 'policy "p"\nversion "{v}"\neffective {day}\nperiod month\n{start}input a : money\nt = year_to_date(a)\n'
    (tmp_path / "a.policy").write_text(head.format(v=1, day="2023-01-01", start="plan year starts April\n"))
    (tmp_path / "b.policy").write_text(head.format(v=2, day="2023-07-01", start=""))
    with pytest.raises(AttainError) as e:
        load_versions(tmp_path)
    (d,) = e.value.diagnostics
    assert d.code == "C293" and d.message.endswith("a.policy: April; b.policy: January")


def test_the_library_explains_the_carried_balance_period_by_period():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "policies"
    draw = attain.load(folder / "draw" / "draw.policy")
    e = draw.explain(folder / "draw" / "sample.csv", "B", period="2024-03", value="advanced_ytd")
    # B's top-ups: January 5,000 - 2,000 = 3,000; February none; March 5,000 - 3,000 = 2,000
    assert "· year_to_date(topped_up): 2024-01 3,000 + 2024-02 0 + 2024-03 2,000 = 5,000" in e.text()


@pytest.mark.parametrize("name", ["true-up/commission", "draw/draw", "holdback/commission"])
def test_the_librarys_plans_run_wholly_in_sql_on_duckdb(name):
    from pathlib import Path

    from attain.io import read_table

    path = Path(__file__).resolve().parents[2] / "policies" / f"{name}.policy"
    data = read_table(str(path.parent / "sample.csv"))
    assert sql_fallbacks(path.read_text(encoding="utf-8"), data) == 0
