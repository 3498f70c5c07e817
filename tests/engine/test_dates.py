"""Dates and periods in formulas, with values worked out by hand: every engine gives the same ones."""

import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import attain
from attain.diagnostics import AttainError
from attain.dsl.checker import check
from attain.dsl.formatter import format_policy
from attain.dsl.parser import parse
from attain.engine import dates
from attain.engine.periods import parse_period
from attain.engine.runner import ENGINES as ALL_ENGINES
from attain.io import Row, Table


def table(columns, *rows):
    return Table("data.csv", tuple(columns), tuple(Row(i + 2, dict(zip(columns, r, strict=True)))
                                                   for i, r in enumerate(rows)))


ENGINES = tuple(e for e in ALL_ENGINES if e != "spark")  # spark: the corpus's (tests/engines), a run costs seconds

def run(text: str, data: Table, engine: str) -> dict:
    return {(r["id"], r.get("period")): r for r in attain.loads(text).run(data, engine=engine).rows}


def codes(text: str) -> list[str]:
    _model, found = check(parse(text))
    return [d.code for d in found if d.is_error]


NEW_HIRE = """policy "New hire"
period month
input hired : date
input left  : date
input quota : money
employed   = days_employed(hired, left)
share      = employed / period_days
payout due = round(quota * employed / period_days, 0.01)
output employed, share, due
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_new_hire_on_the_10th_of_a_31_day_month_is_employed_22_days(engine):
    data = table(("id", "period", "hired", "left", "quota"),
                 ("A", "2023-07", "2023-07-10", None, "10000"),
                 ("B", "2023-07", "2023-01-03", "2023-07-15", "10000"),
                 ("C", "2023-07", "2023-08-01", None, "10000"),
                 ("D", "2023-07", "2023-07-31", "2023-07-31", "10000"))
    got = run(NEW_HIRE, data, engine)
    # A: 10 July to 31 July, both included: 31 - 10 + 1 = 22 days; 10,000 x 22 / 31 = 7,096.774193... -> 7,096.77
    assert got[("A", "2023-07")]["employed"] == 22
    assert got[("A", "2023-07")]["share"] == Fraction(22, 31)  # exact: no finite decimal
    assert got[("A", "2023-07")]["due"] == Decimal("7096.77")
    # B left on 15 July (the last day worked): 1 to 15 July = 15 days; 10,000 x 15 / 31 = 4,838.709... -> 4,838.71
    assert (got[("B", "2023-07")]["employed"], got[("B", "2023-07")]["due"]) == (15, Decimal("4838.71"))
    # C starts in August: no day of July
    assert (got[("C", "2023-07")]["employed"], got[("C", "2023-07")]["due"]) == (0, Decimal("0.00"))
    # D joined and left on the 31st: one day; 10,000 / 31 = 322.580... -> 322.58
    assert (got[("D", "2023-07")]["employed"], got[("D", "2023-07")]["due"]) == (1, Decimal("322.58"))


CASE5_WINDOW = """policy "26th to 25th"
period month ending day 25
input hired : date
opens  = period_start
closes = period_end
days   = period_days
worked = days_employed(hired)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_the_26th_to_25th_window_has_its_own_start_end_and_days(engine):
    data = table(("id", "period", "hired"),
                 ("A", "2023-07", "2023-07-10"),
                 ("A", "2023-03", "2023-01-01"),
                 ("L", "2024-03", "2024-03-01"))
    got = run(CASE5_WINDOW, data, engine)
    # July's window: 26 June to 25 July: 5 days of June (26..30) + 25 of July = 30; hired 10 July: 10..25 = 16
    july = got[("A", "2023-07")]
    assert (july["opens"], july["closes"], july["days"], july["worked"]) == (
        datetime.date(2023, 6, 26), datetime.date(2023, 7, 25), 30, 16)
    # March 2023: 26 February to 25 March: 3 days of February (26..28) + 25 = 28
    march = got[("A", "2023-03")]
    assert (march["opens"], march["days"], march["worked"]) == (datetime.date(2023, 2, 26), 28, 28)
    # March 2024, a leap year: 26..29 February is 4 days, + 25 = 29; hired 1 March: 1..25 March = 25
    leap = got[("L", "2024-03")]
    assert (leap["days"], leap["worked"]) == (29, 25)


@pytest.mark.parametrize("engine", ENGINES)
def test_dated_rows_fall_in_the_window_that_holds_them(engine):
    # Rows by date: 26 July opens August's window (26 July to 25 August).
    text = CASE5_WINDOW + "input sales : money\n"
    data = table(("id", "date", "hired", "sales"),
                 ("A", "2023-07-26", "2023-07-28", "100"),
                 ("A", "2023-08-25", "2023-07-28", "50"))
    (row,) = attain.loads(text).run(data, engine=engine).rows
    assert row["period"] == "2023-08" and row["opens"] == datetime.date(2023, 7, 26)
    # 28 July to 25 August: 4 days of July (28..31) + 25 = 29
    assert (row["days"], row["worked"]) == (31, 29)


QUARTER = """policy "Quarter"
period quarter
input hired : date
input left  : date
days   = days_employed(hired, left)
months = months_employed(hired, left)
total  = period_days
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_quarter_counts_days_and_whole_months_employed(engine):
    data = table(("id", "period", "hired", "left"),
                 ("A", "2023Q3", "2023-07-10", None),
                 ("B", "2023Q3", "2023-07-10", "2023-08-15"),
                 ("C", "2023Q3", "2020-05-05", "2023-08-31"),
                 ("D", "2023Q3", "2023-07-01", None))
    got = run(QUARTER, data, engine)
    # Q3: July 31 + August 31 + September 30 = 92 days
    assert {row["total"] for row in got.values()} == {92}
    # A from 10 July: 22 + 31 + 30 = 83 days; July is not whole, August and September are: 2 months
    assert (got[("A", "2023Q3")]["days"], got[("A", "2023Q3")]["months"]) == (83, 2)
    # B 10 July to 15 August: 22 + 15 = 37 days; neither month whole: 0
    assert (got[("B", "2023Q3")]["days"], got[("B", "2023Q3")]["months"]) == (37, 0)
    # C left on 31 August: July and August whole: 31 + 31 = 62 days, 2 months
    assert (got[("C", "2023Q3")]["days"], got[("C", "2023Q3")]["months"]) == (62, 2)
    # D from the first day: every day, every month
    assert (got[("D", "2023Q3")]["days"], got[("D", "2023Q3")]["months"]) == (92, 3)


DIFFERENCES = """policy "Differences"
period month
input a : date
input b : date
days      = days_between(a, b)
minus     = b - a
months    = months_between(a, b)
later     = a + 90
earlier   = a - 1
also      = 30 + a
inside    = in_period(a)
per_day   = ¥3_100 / period_days
daily_pay = days_employed(a) * per_day
"""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("a, b, days, months", [
    ("2023-07-10", "2023-07-31", 21, 0),     # 31 - 10
    ("2023-01-10", "2023-04-09", 89, 2),     # 10 Jan + 3 months is 10 April, after 9 April
    ("2023-01-10", "2023-04-10", 90, 3),     # 21 + 28 + 31 + 10 = 90
    ("2023-01-31", "2023-02-28", 28, 1),     # the 31st reaches the last day of February
    ("2023-01-31", "2023-02-27", 27, 0),
    ("2024-02-29", "2025-02-28", 365, 12),   # a leap day reaches the end of next February
    ("2023-04-10", "2023-01-10", -90, -3),   # backwards: negative
    ("2023-07-31", "2023-07-31", 0, 0),
])
def test_days_and_months_between_dates(engine, a, b, days, months):
    data = table(("id", "period", "a", "b"), ("A", "2023-07", a, b))
    (row,) = run(DIFFERENCES, data, engine).values()
    assert (row["days"], row["minus"], row["months"]) == (days, days, months)
    start = datetime.date.fromisoformat(a)
    assert row["later"] == start + datetime.timedelta(days=90)
    assert row["earlier"] == start - datetime.timedelta(days=1)
    assert row["also"] == start + datetime.timedelta(days=30)
    assert row["inside"] == (start.year == 2023 and start.month == 7)
    # ¥3,100 a month over July's 31 days is ¥100 a day
    assert row["per_day"] == 100
    # employed from a (or 1 July, if earlier) to 31 July, at ¥100 a day
    july = datetime.date(2023, 7, 1)
    employed = 0 if start > datetime.date(2023, 7, 31) else 31 - max(start, july).day + 1
    assert row["daily_pay"] == 100 * employed


@pytest.mark.parametrize("engine", ENGINES)
def test_evaluation_errors_name_the_employee_and_the_dates(engine):
    text = NEW_HIRE
    left_first = table(("id", "period", "hired", "left", "quota"), ("A", "2023-07", "2023-07-10", "2023-07-01", "1"))
    with pytest.raises(AttainError) as err:
        attain.loads(text).run(left_first, engine=engine)
    (d,) = err.value.diagnostics
    assert d.code == "E331" and "for A in 2023-07" in d.message and "2023-07-01 is before the hire date" in d.message
    no_hire = table(("id", "period", "hired", "left", "quota"), ("A", "2023-07", None, None, "1"))
    with pytest.raises(AttainError) as err:
        attain.loads(text).run(no_hire, engine=engine)
    assert [d.code for d in err.value.diagnostics] == ["E302"]
    half = 'policy "x"\nperiod month\ninput hired : date\nmid = hired + days_between(hired, period_end) / 2\n'
    with pytest.raises(AttainError) as err:
        attain.loads(half).run(table(("id", "period", "hired"), ("A", "2023-07", "2023-07-10")), engine=engine)
    (d,) = err.value.diagnostics
    # 21 / 2 = 10.5 days: a date moves by whole days
    assert d.code == "E330" and "21/2 of a day" in d.message
    # rounded as the plan says, it moves: 10 July + 10 days = 20 July
    whole = half.replace("/ 2", "/ 2, 1, down)").replace("hired + days", "hired + round(days")
    (row,) = attain.loads(whole).run(table(("id", "period", "hired"), ("A", "2023-07", "2023-07-10")),
                                     engine=engine).rows
    assert row["mid"] == datetime.date(2023, 7, 20)


def test_the_data_needs_periods_when_a_formula_reads_the_period():
    with pytest.raises(AttainError) as err:
        attain.loads(NEW_HIRE).run(table(("id", "hired", "left", "quota"), ("A", "2023-07-10", None, "1")))
    (d,) = err.value.diagnostics
    assert d.code == "D415" and "reads the period's days" in d.message


@pytest.mark.parametrize("formula, code, message", [
    ("hired > 5", "C206", "cannot compare a date with a number"),
    ("hired + quota", "C206", "a date moves by days, but this is money"),
    ("hired + 1.5", "C206", "a date moves by whole days, not 1.5"),
    ("hired + hired", "C206", "two dates cannot be added"),
    ("days_between(hired, hired) + quota", "C206", "cannot add money and days"),
    ("days_between(hired, hired) * days_between(hired, hired)", "C206", "days times days"),
    ("months_between(hired, hired) + days_between(hired, hired)", "C206", "days and months do not mix"),
    ("hired + months_between(hired, hired)", "C206", "not months"),
    ("days_between(hired, quota)", "C206", "days_between needs dates, but one value is money"),
    ("days_between(hired, hired) > 50%", "C206", "cannot compare days with a percent"),
    ("days_employed(hired, hired, hired)", "C211", "takes 1 or 2 values"),
])
def test_units_of_dates_days_and_months_are_checked(formula, code, message):
    text = f'policy "x"\nperiod month\ninput hired : date\ninput quota : money\nx = {formula}\noutput x\n'
    _model, found = check(parse(text))
    (d,) = [d for d in found if d.is_error]
    assert d.code == code and message in d.message, d.message


def test_what_days_and_months_make_with_other_units():
    text = ('policy "x"\nperiod month\ninput hired : date\ninput quota : money\n'
            "d = days_employed(hired)\npay = d * quota / period_days\nshare = d / period_days\n"
            "per_day = quota / period_days\nhalf = d * 50%\nmonths = months_between(hired, period_end)\n"
            "yearly = quota * months / 12\nfull = d >= 15\nmoved = hired + d\nsince = period_end - hired\n")
    model, found = check(parse(text))
    assert [d for d in found if d.is_error] == []
    assert {name: str(model.types[name]) for name in ("d", "pay", "share", "per_day", "half", "months", "yearly",
                                                       "full", "moved", "since")} == {
        "d": "days", "pay": "money", "share": "percent", "per_day": "money", "half": "days", "months": "months",
        "yearly": "money", "full": "bool", "moved": "date", "since": "days"}


def test_the_period_words_need_a_period_and_cannot_name_a_value():
    assert codes('policy "x"\ninput hired : date\nx = in_period(hired)\n') == ["C270"]
    assert codes('policy "x"\nx = period_end\n') == ["C270"]
    assert codes('policy "x"\nperiod week\ninput h : date\nx = months_employed(h)\n') == ["C270"]
    assert codes('policy "x"\nperiod month\nperiod_start = 3\n') == ["C262"]


def test_the_formatter_keeps_the_period_words_and_date_functions():
    text = ('policy "x"\nperiod month\ninput hired : date\ninput left : date\n'
            "x = days_employed(hired,left)/period_days\ny = hired+90 > period_end\nz = in_period( hired )\n")
    once = format_policy(text)
    assert "x = days_employed(hired, left) / period_days" in once
    assert "y = hired + 90 > period_end" in once
    assert format_policy(once) == once and parse(once) == parse(text)


@pytest.mark.parametrize("label, first, last, days, months", [
    ("2023-02", "2023-02-01", "2023-02-28", 28, 1),
    ("2024-02", "2024-02-01", "2024-02-29", 29, 1),
    ("2023Q1", "2023-01-01", "2023-03-31", 90, 3),
    ("2023H2", "2023-07-01", "2023-12-31", 184, 6),
    ("2024", "2024-01-01", "2024-12-31", 366, 12),
    ("2023-W01", "2023-01-02", "2023-01-08", 7, 0),
])
def test_the_days_of_every_kind_of_period(label, first, last, days, months):
    kind = {7: "week", 28: "month", 29: "month", 90: "quarter", 184: "half", 366: "year"}[days]
    p = dates.period_days(parse_period(kind, label))
    assert (p.first.isoformat(), p.last.isoformat(), p.days, len(p.months)) == (first, last, days, months)


def test_an_explanation_says_which_days_the_period_has():
    data = table(("id", "period", "hired", "left", "quota"), ("A", "2023-07", "2023-07-10", None, "10000"))
    text = attain.loads(NEW_HIRE).explain(data, who="A", value="due").text()
    assert "employed = 22 days" in text
    assert ("days_employed(hired, left) = 22 days: the period 2023-07 runs from 2023-07-01 to 2023-07-31; "
            "no leave date: still employed") in text
    assert "period_days = 31 days" in text


def test_a_band_over_days_employed_covers_whole_days_from_zero():
    rows = "    = 0 -> 0\n    1 to 15 -> 1\n    >= 15 -> 2\n"
    text = f'policy "b"\nperiod month\ninput hired : date\nd = days_employed(hired)\nscore = band d\n{rows}'
    assert codes(text) == []  # whole days: nothing lies between 0 and 1
    assert codes(text.replace("    = 0 -> 0\n", "    below 0 -> 9\n    = 0 -> 0\n")) == ["C218"]  # never negative


LIBRARY = Path(__file__).resolve().parents[2] / "policies"


@pytest.mark.parametrize("form", ["text", "json"])
def test_the_new_hire_explanation_golden(golden, form):
    # A hired 10 July: 22 of July's 31 days; the quota and the bonus are prorated by them.
    policy = attain.load(LIBRARY / "newhire" / "prorated.policy")
    found = policy.explain(str(LIBRARY / "newhire" / "sample.csv"), who="A", period="2023-07", value="bonus")
    text = found.text() if form == "text" else found.json()
    text = text.replace(str(LIBRARY), "policies")
    golden(Path(__file__).parent / "golden" / f"explain-newhire-A.{'txt' if form == 'text' else 'json'}", text)
