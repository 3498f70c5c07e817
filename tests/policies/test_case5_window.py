"""Document 003, case 5 with its 26th-to-25th pay window and promotion / missed-target streaks.

Dated rows (sales, collections, expenses, one settings row per window) are bucketed by
`period month ending day 25`: 26 Dec 2022 .. 25 Jan 2023 is January, 26 Jan .. 25 Feb is
February, and so on. Pay rules as pay.policy:
regional: base × (attainment × 35% + collection × 35% + expense control × 10% + mgmt × 20%)
others:   base × (attainment × 30% + collection × 30% + mgmt × 40%); below 50%: nothing.
promotion_review: streak(attainment >= 100%) >= 6; underperformance_review: streak(< 100%) >= 3.
"""

from decimal import Decimal
from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "case5" / "pay-window.policy"
DATA = ROOT / "policies" / "case5" / "sample-window.csv"
MONTHS = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06", "2023-07"]


@pytest.fixture(scope="module")
def rows():
    return {(r["id"], r["period"]): r for r in attain.load(POLICY).run(DATA).rows}


def series(rows, who, name, months=MONTHS):
    return [rows[(who, m)][name] for m in months]


def test_every_row_lands_in_its_window(rows):
    # P01's sales by date:
    #   2022-12-26 30,000 + 2023-01-10 50,000 + 2023-01-25 25,000      -> January  105,000
    #   2023-01-26 40,000 + 2023-02-15 60,000                          -> February 100,000
    #   2023-02-26 20,000 + 2023-03-25 90,000                          -> March    110,000
    #   2023-04-03 120,000 -> April; 2023-05-25 100,000 -> May; 2023-06-10 130,000 -> June
    #   2023-06-26 50,000 + 2023-07-25 55,000                          -> July     105,000
    assert series(rows, "P01", "sales") == [105_000, 100_000, 110_000, 120_000, 100_000, 130_000, 105_000]
    # collections: 2023-01-20 84,000; 2023-02-25 90,000; 2023-03-01 110,000; 2023-04-25 96,000;
    # 2023-05-10 100,000; 2023-06-20 117,000; 2023-07-25 105,000
    assert series(rows, "P01", "collected") == [84_000, 90_000, 110_000, 96_000, 100_000, 117_000, 105_000]


def test_the_25th_is_this_month_and_the_26th_is_next_month(rows):
    # S01: 2023-03-10 180,000 -> March; 2023-03-26 100,000 + 2023-04-25 60,000 -> April 160,000;
    # 2023-06-25 220,000 -> June (the last day of June's window)
    months = MONTHS[2:]
    assert series(rows, "S01", "sales", months) == [180_000, 160_000, 110_000, 220_000, 80_000]
    # R01: 2023-05-26 400,000 + 2023-06-20 500,000 -> June 900,000
    assert rows[("R01", "2023-06")]["sales"] == 900_000
    # only the windows that hold a row exist: nobody has an August (no row after 25 July)
    assert {period for _, period in rows} == set(MONTHS)


def test_six_months_on_target_raise_the_promotion_review(rows):
    # P01 attainment (target 100,000): 105%, 100% (exactly on target counts), 110%, 120%, 100%, 130%, 105%
    assert series(rows, "P01", "months_met") == [1, 2, 3, 4, 5, 6, 7]
    assert series(rows, "P01", "promotion_review") == [False] * 5 + [True, True]


def test_three_months_missed_raise_the_underperformance_review(rows):
    # S01 (target 200,000) from March: 90%, 80%, 55% missed; June 110% met; July 40% missed
    months = MONTHS[2:]
    assert series(rows, "S01", "months_missed", months) == [1, 2, 3, 0, 1]
    assert series(rows, "S01", "underperformance_review", months) == [False, False, True, False, False]


def test_pay_per_window(rows):
    # P01, rep, base 4,000, mgmt 8 -> 0.8 × 40% = 0.32 every month
    #   Jan 4,000 × (1.05 × 30% + 84,000/105,000 = 80% × 30% + 0.32) = 4,000 × (0.315 + 0.24 + 0.32) = 3,500
    #   Feb 4,000 × (1 × 30% + 90% × 30% + 0.32) = 4,000 × 0.89 = 3,560
    #   Mar 4,000 × (0.33 + 0.3 + 0.32) = 3,800;  Apr 4,000 × (0.36 + 0.24 + 0.32) = 3,680
    #   May 4,000 × (0.3 + 0.3 + 0.32) = 3,680;   Jun 4,000 × (0.39 + 0.27 + 0.32) = 3,920
    #   Jul 4,000 × (0.315 + 0.3 + 0.32) = 3,740
    assert [str(v) for v in series(rows, "P01", "performance_pay_total")] == [
        "3500.00", "3560.00", "3800.00", "3680.00", "3680.00", "3920.00", "3740.00"]
    # S01, supervisor, base 5,000, mgmt 6 -> 0.24
    #   Mar 5,000 × (0.27 + 0.27 + 0.24) = 3,900; Apr 5,000 × (0.24 + 0.3 + 0.24) = 3,900
    #   May 55% (the 50-60% gap, paid by actual): 5,000 × (0.165 + 0.3 + 0.24) = 3,525
    #   Jun 5,000 × (0.33 + 0.27 + 0.24) = 4,200; Jul 40% < 50%: nothing
    assert [str(v) for v in series(rows, "S01", "performance_pay_total", MONTHS[2:])] == [
        "3900.00", "3900.00", "3525.00", "4200.00", "0.00"]


def test_regional_expenses_add_up_by_window(rows):
    # R01 June: expenses 30,000 + 25,000 + 10,000 + 7,000 (25 June) = 72,000 / 900,000 = 8% <= 10% -> 100%
    #   10,000 × (0.9 × 35% + 0.9 × 35% + 1 × 10% + 0.8 × 20%) = 10,000 × 0.89 = 8,900
    assert rows[("R01", "2023-06")]["performance_pay_total"] == Decimal("8900.00")
    # R01 July: advertising 20,000 dated 26 June belongs to July:
    #   20,000 + 80,000 + 30,000 + 20,000 = 150,000 / 1,250,000 = 12% -> control 10% / 12% = 5/6
    #   10,000 × (1.25 × 35% + 0.95 × 35% + 5/6 × 10% + 0.9 × 20%) = 10,000 × (0.4375 + 0.3325 + 0.18) + 10,000/12
    #   = 9,500 + 833.33... = 10,333.33
    assert rows[("R01", "2023-07")]["performance_pay_total"] == Decimal("10333.33")
    text = attain.load(POLICY).explain(DATA, who="R01", value="performance_pay_total", period="2023-07").text()
    assert "expense_ratio = 12%" in text
    assert "advertising_cost = 20,000" in text


def test_new_hire_starts_later_without_subjective_part(rows):
    # P02 joins in July with 10 days attended: no management part
    # 60,000 / 50,000 = 120%; 54,000 / 60,000 = 90%: 4,000 × (0.36 + 0.27 + 0) = 2,520
    assert rows[("P02", "2023-07")]["performance_pay_total"] == Decimal("2520.00")
    assert rows[("P02", "2023-07")]["months_met"] == 1


def test_calendar_months_would_break_the_promotion_streak(tmp_path):
    # The same data bucketed by calendar month (1st to last day), leaving out the two rows dated
    # in May and December whose months have no settings row: the sale of 26 January moves to
    # January (50,000 + 25,000 + 40,000 = 115,000) and February keeps 60,000 + 20,000 (26 Feb)
    # = 80,000: 80%, missed; March keeps only 90,000 (25 March): 90%, missed. April 120,000,
    # May 100,000 and June 130,000 + 50,000 (26 June) are met: 3 months in a row by June, not 6.
    # The window is what earns the promotion review.
    text = POLICY.read_text(encoding="utf-8").replace("period month ending day 25", "period month")
    lines = DATA.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "calendar.csv"
    data.write_text("\n".join(line for line in lines if ",2022-12-" not in line and ",2023-05-26," not in line)
                    + "\n", encoding="utf-8")
    rows = {(r["id"], r["period"]): r for r in attain.loads(text).run(data).rows}
    assert rows[("P01", "2023-01")]["sales"] == 115_000
    assert rows[("P01", "2023-02")]["sales"] == 80_000
    assert rows[("P01", "2023-06")]["months_met"] == 3
    assert rows[("P01", "2023-06")]["promotion_review"] is False


def test_a_missing_window_is_an_error(tmp_path):
    # S01 with nothing between 26 March and 25 April: April is missing between March and May
    lines = DATA.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not (line.startswith("S01,2023-03-26") or line.startswith("S01,2023-04-"))]
    data = tmp_path / "gap.csv"
    data.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(attain.AttainError) as e:
        attain.load(POLICY).run(data)
    (d,) = e.value.diagnostics
    assert d.code == "E310"
    assert d.message.startswith("S01 has no data for 2023-04")


def test_settings_given_twice_in_a_window_disagree_or_add_up(tmp_path):
    # A text given twice in one window must agree (D416); a money amount given twice adds up.
    data = tmp_path / "twice.csv"
    data.write_text("id,date,岗位,绩效工资基数,目标销售额,实际销售额,实际到账金额,管理指标考核得分,费用率目标,出勤天数\n"
                    "X,2023-07-10,rep,4000,100000,100000,100000,5,,\n"
                    "X,2023-07-20,area,,,,,,,\n", encoding="utf-8")
    with pytest.raises(attain.AttainError) as e:
        attain.load(POLICY).run(data)
    assert [d.code for d in e.value.diagnostics] == ["D416"]
