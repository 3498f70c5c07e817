"""Document 000 (process control): the monthly scorecard with region difficulty and PIP,
and the weekly pace alert.

scorecard.policy: each metric scores 100 / 80 / 60 / 40 by its band; weights
sales attainment 40%, new customers 20%, satisfaction 20%, complaints resolved
within 24h 10%, cross-department contribution 10% (new markets: 30% / 30% / 20 / 10 / 10).
Attainment is scaled by the difficulty coefficient (mature 0.8, growing 1.0, new 1.1)
before it is scored. Total below 60: improvement plan; the 3rd such month in a row:
reassignment review.

pace.policy (weekly): behind = week's sales below the week's pace target;
coaching from the 2nd week behind in a row.
"""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "policies" / "doc000"
SCORECARD = FOLDER / "scorecard.policy"
MONTHLY = FOLDER / "scorecard.csv"
PACE = FOLDER / "pace.policy"
WEEKLY = FOLDER / "pace.csv"
MONTHS = ["2023-07", "2023-08", "2023-09", "2023-10"]
WEEKS = ["2023-W50", "2023-W51", "2023-W52", "2024-W01", "2024-W02", "2024-W03"]


@pytest.fixture(scope="module")
def months():
    return {(r["id"], r["period"]): r for r in attain.load(SCORECARD).run(MONTHLY).rows}


@pytest.fixture(scope="module")
def weeks():
    return {(r["id"], r["period"]): r for r in attain.load(PACE).run(WEEKLY).rows}


def series(rows, who, name, periods):
    return [rows[(who, p)][name] for p in periods]


# ---------------------------------------------------------------- the monthly scorecard


def test_mature_market_scorecard(months):
    # M01, July, mature market: 125,000 / 100,000 = 125%; × 0.8 = 100% -> 80
    # 10 new customers -> 100; satisfaction 4.6 -> 100; 4 of 4 complaints in 24h = 100% -> 100;
    # cross-department 8 -> 80
    # 80 × 40% + 100 × 20% + 100 × 20% + 100 × 10% + 80 × 10% = 32 + 20 + 20 + 10 + 8 = 90
    row = months[("M01", "2023-07")]
    assert (row["difficulty"], row["attainment"], row["adjusted_attainment"]) == (
        Decimal("0.8"), Decimal("1.25"), Decimal("1"))
    assert (row["attainment_score"], row["new_customer_score"], row["satisfaction_score"],
            row["complaint_score"], row["cross_dept_score"]) == (80, 100, 100, 100, 80)
    assert row["total_score"] == 90
    assert row["improvement_plan"] is False


def test_no_complaints_counts_as_all_resolved(months):
    # M01, August: 120% × 0.8 = 96% -> 60; 6 new -> 80; 4.5 (boundary) -> 100;
    # no complaints -> 100% -> 100; cross 9 (boundary) -> 100
    # 60 × 40% + 80 × 20% + 100 × 20% + 100 × 10% + 100 × 10% = 24 + 16 + 20 + 10 + 10 = 80
    row = months[("M01", "2023-08")]
    assert row["resolved_24h"] == 1
    assert row["total_score"] == 80


def test_mature_market_needs_150_percent_for_the_top_band(months):
    # M01, September: 150% × 0.8 = 120% -> 100; 12 new -> 100; 4.2 -> 80; 9 of 10 = 90% -> 80; 7 -> 80
    # 40 + 20 + 16 + 8 + 8 = 92
    row = months[("M01", "2023-09")]
    assert row["adjusted_attainment"] == Decimal("1.2")
    assert row["total_score"] == 92


def test_more_resolved_than_received_is_flagged_for_a_data_check(months):
    # M01, October: 4 resolved of 3 complaints -> 4/3, scored 100, and the data check flag is raised
    # 100% × 0.8 = 80% -> 60; 5 new -> 60; 4.0 -> 80; 100; cross 6 -> 60
    # 24 + 12 + 16 + 10 + 6 = 68
    row = months[("M01", "2023-10")]
    assert row["resolved_24h"] == Fraction(4, 3)
    assert row["complaint_data_check"] is True
    assert row["total_score"] == 68
    assert months[("M01", "2023-09")]["complaint_data_check"] is False


def test_new_market_uses_its_own_weights_and_coefficient(months):
    # N01, July, new market: 50,000 / 50,000 = 100%; × 1.1 = 110% -> 80
    # 12 new -> 100; 4.0 -> 80; no complaints -> 100; cross 7 -> 80
    # new-market weights: 80 × 30% + 100 × 30% + 80 × 20% + 100 × 10% + 80 × 10% = 24 + 30 + 16 + 10 + 8 = 88
    # (the standard 40/20 weights would give 32 + 20 + 16 + 10 + 8 = 86)
    row = months[("N01", "2023-07")]
    assert (row["difficulty"], row["adjusted_attainment"]) == (Decimal("1.1"), Decimal("1.1"))
    assert row["total_score"] == 88


def test_new_market_coefficient_lifts_110_percent_into_the_top_band(months):
    # N01, September: 55,000 / 50,000 = 110% (100%-120% band), × 1.1 = 121% -> 100
    # 3 new -> 60; 3.5 -> 60; no complaints -> 100; cross 5 -> 60
    # 100 × 30% + 60 × 30% + 60 × 20% + 100 × 10% + 60 × 10% = 30 + 18 + 12 + 10 + 6 = 76
    row = months[("N01", "2023-09")]
    assert row["adjusted_attainment"] == Decimal("1.21")
    assert row["attainment_score"] == 100
    assert row["total_score"] == 76


def test_every_total(months):
    assert {key: row["total_score"] for key, row in months.items()} == {
        ("M01", "2023-07"): 90, ("M01", "2023-08"): 80, ("M01", "2023-09"): 92, ("M01", "2023-10"): 68,
        # N01 Aug: 80% × 1.1 = 88% -> 60; 10 new -> 100; 4.4 -> 80; 1 of 2 = 50% -> 40; 9.5 -> 100
        #   18 + 30 + 16 + 4 + 10 = 78
        # N01 Oct: 90% × 1.1 = 99% -> 60; 6 -> 80; 4.5 -> 100; 1 of 1 -> 100; 8 -> 80: 18 + 24 + 20 + 10 + 8 = 80
        ("N01", "2023-07"): 88, ("N01", "2023-08"): 78, ("N01", "2023-09"): 76, ("N01", "2023-10"): 80,
        # L01 (growing, 1.0): Jul 50% -> 40, 1 -> 40, 3.2 -> 40, 3 of 5 = 60% -> 40, 4 -> 40: 40
        #   Aug 75% -> 40, 3 -> 60, 3.6 -> 60, 3 of 4 = 75% -> 60, 5 -> 60: 16 + 12 + 12 + 6 + 6 = 52
        #   Sep 80% -> 60, 2 -> 40, 3.4 -> 40, 2 of 2 -> 100, 6 -> 60: 24 + 8 + 8 + 10 + 6 = 56
        #   Oct 87.5% -> 60, 4 -> 60, 3.8 -> 60, none -> 100, 4.5 -> 40: 24 + 12 + 12 + 10 + 4 = 62
        ("L01", "2023-07"): 40, ("L01", "2023-08"): 52, ("L01", "2023-09"): 56, ("L01", "2023-10"): 62,
        # L02 (mature, 0.8): Jul 90% × 0.8 = 72% -> 40, 2 -> 40, 3.9 -> 60, 1 of 1 -> 100, 7 -> 80:
        #   16 + 8 + 12 + 10 + 8 = 54
        #   Aug 95% × 0.8 = 76% -> 40, 4 -> 60, 3.5 -> 60, none -> 100, 6 -> 60: 16 + 12 + 12 + 10 + 6 = 56
        #   Sep 125% × 0.8 = 100% -> 80, 6 -> 80, 4.0 -> 80, 2 of 2 -> 100, 7 -> 80: 32 + 16 + 16 + 10 + 8 = 82
        #   Oct 80% × 0.8 = 64% -> 40, 1 -> 40, 3.0 -> 40, 2 of 3 -> 40, 4 -> 40: 40
        ("L02", "2023-07"): 54, ("L02", "2023-08"): 56, ("L02", "2023-09"): 82, ("L02", "2023-10"): 40,
    }


def test_three_low_months_in_a_row_raise_reassignment(months):
    # L01: 40, 52, 56 (all below 60): PIP every month; the 3rd low month in a row -> reassignment review;
    # October 62 ends the PIP
    assert series(months, "L01", "low_months", MONTHS) == [1, 2, 3, 0]
    assert series(months, "L01", "improvement_plan", MONTHS) == [True, True, True, False]
    assert series(months, "L01", "reassignment_review", MONTHS) == [False, False, True, False]


def test_recovering_resets_the_count(months):
    # L02: 54, 56 (low), 82 (recovered), 40 (low again): the count starts again, no reassignment
    assert series(months, "L02", "low_months", MONTHS) == [1, 2, 0, 1]
    assert series(months, "L02", "improvement_plan", MONTHS) == [True, True, False, True]
    assert not any(series(months, "L02", "reassignment_review", MONTHS))


def test_explain_shows_the_lookup_and_the_low_streak():
    result = CliRunner().invoke(main, ["explain", str(SCORECARD), "--data", str(MONTHLY),
                                       "--who", "L01", "--period", "2023-09", "--value", "reassignment_review"])
    assert result.exit_code == 0, result.output
    assert "streak(low) = 3: holds this period; before: 2 in a row up to 2023-08" in result.output


# ---------------------------------------------------------------- the weekly pace alert


def test_two_weeks_behind_trigger_coaching(weeks):
    # N01 (pace 10,000 a week): 8,000, 9,000, 7,000 behind; 12,000, 11,000 ahead; 6,000 behind
    assert series(weeks, "N01", "weeks_behind", WEEKS) == [1, 2, 3, 0, 0, 1]
    # coaching from the 2nd week in a row, and while still behind
    assert series(weeks, "N01", "coaching", WEEKS) == [False, True, True, False, False, False]


def test_the_run_crosses_the_year_end(weeks):
    # L01 (pace 20,000): behind in 2023-W52 (15,000) and 2024-W01 (18,000): 2023 has 52 ISO weeks,
    # so these are two weeks in a row -> coaching in 2024-W01
    assert series(weeks, "L01", "weeks_behind", WEEKS) == [0, 0, 1, 2, 0, 1]
    assert weeks[("L01", "2024-W01")]["coaching"] is True
    # 2024-W02: 20,000 exactly on pace is not behind
    assert weeks[("L01", "2024-W02")]["week_attainment"] == 1


def test_single_weeks_behind_never_trigger_coaching(weeks):
    # M01 (pace 25,000): behind in W51 (20,000) and 2024-W01 (24,000), never twice in a row
    assert series(weeks, "M01", "weeks_behind", WEEKS) == [0, 1, 0, 1, 0, 0]
    assert not any(series(weeks, "M01", "coaching", WEEKS))


def test_four_week_trend(weeks):
    # N01: W50 8,000 / 10,000 = 80%; W51 17,000 / 20,000 = 85%;
    # 2024-W01: (8,000 + 9,000 + 7,000 + 12,000) / 40,000 = 36,000 / 40,000 = 90%
    # 2024-W03: (7,000 + 12,000 + 11,000 + 6,000) / 40,000 = 90%
    assert series(weeks, "N01", "trend_4_weeks", WEEKS) == [
        Decimal("0.8"), Decimal("0.85"), Decimal("0.8"), Decimal("0.9"), Decimal("0.975"), Decimal("0.9")]


def test_explain_the_coaching_week():
    text = attain.load(PACE).explain(WEEKLY, who="L01", value="coaching", period="2024-W01").text()
    assert text.startswith("L01 · 2024-W01\n")
    assert "streak(behind) = 2: holds this period; before: 1 in a row up to 2023-W52" in text


def test_a_missing_week_is_an_error(tmp_path):
    data = tmp_path / "gap.csv"
    data.write_text("id,period,本周销售额,本周进度目标\n"
                    "X,2023-W51,1,2\nX,2024-W01,1,2\n", encoding="utf-8")
    with pytest.raises(attain.AttainError) as e:
        attain.load(PACE).run(data)
    (d,) = e.value.diagnostics
    assert d.code == "E310"
    assert d.message.startswith("X has no data for 2023-W52")
