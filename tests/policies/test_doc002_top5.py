"""Document 002 with the excellence tier as written: attainment >= 120% OR top 5% of the region.

top 5% = percentile(attainment within region) >= 95% (at least 95% of the region's OTHER members
strictly below), only in a region of 20 or more members that quarter.

Sample: two quarters (2023Q2, 2023Q3); 华东 has 21 employees (target 100,000), 华北 4
(target 200,000), 西北 1. Everyone has collection 95% (100 points), satisfaction 4.5 (100),
no late plan (100), collaboration 9 (100), and new customers 10 in Q2 (8 before: +25%, 70) and
12 in Q3 (+20% on Q2, 70), so
    total = attainment score × 40% + 70 × 20% + 100 × 15% + 100 × 10% + 100 × 10% + 100 × 5%
          = attainment score × 40% + 54
bonus = 10,000 × tier coefficient × total / 100; commission = 3% of sales above target.
"""

from decimal import Decimal
from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "doc002" / "incentive-top5.policy"
DATA = ROOT / "policies" / "doc002" / "sample-regions.csv"


@pytest.fixture(scope="module")
def rows():
    return {(r["编号"], r["period"]): r for r in attain.load(POLICY).run(DATA).rows}


def test_below_120_percent_but_top_5_percent_of_the_region_is_excellent(rows):
    # E01 and E02, 华东 2023Q3: 116% each, tied first of 21. Each has 19 of the 20 others strictly
    # below (E01 does not count E02, who is not below): 19 / 20 = 95% -> top 5% -> excellence.
    # total: 116% is in 100%-120% -> 80; 80 × 40% + 54 = 86
    # bonus 10,000 × 2.0 × 86 / 100 = 17,200; commission (116,000 - 100,000) × 3% = 480
    for who in ("E01", "E02"):
        row = rows[(who, "2023Q3")]
        assert (row["region_size"], row["region_percentile"], row["top_5_percent"]) == (21, Decimal("0.95"), True)
        assert row["tier"] == "excellent"
        assert row["total_score"] == 86
        assert (row["bonus_total"], row["commission_paid"]) == (Decimal("17200.00"), Decimal("480.00"))


def test_third_of_21_is_not_top_5_percent(rows):
    # E03, 112%: 18 of 20 others below = 90% -> on target: 10,000 × 1.2 × 86 / 100 = 10,320
    # commission 12,000 × 3% = 360
    row = rows[("E03", "2023Q3")]
    assert (row["region_percentile"], row["top_5_percent"], row["tier"]) == (Decimal("0.9"), False, "on_target")
    assert (row["bonus_total"], row["commission_paid"]) == (Decimal("10320.00"), Decimal("360.00"))


def test_three_tied_at_the_top_are_not_top_5_percent(rows):
    # 2023Q2: E01, E02, E03 all at 110%, first of 21 together: each has 18 of 20 others below = 90%,
    # so none is top 5% (three people cannot all be in 5% of 21): on target, 10,320 each
    for who in ("E01", "E02", "E03"):
        row = rows[(who, "2023Q2")]
        assert (row["region_percentile"], row["top_5_percent"], row["tier"]) == (Decimal("0.9"), False, "on_target")
        assert row["bonus_total"] == Decimal("10320.00")


def test_leader_of_a_small_region_is_not_top_5_percent(rows):
    # N02 leads 华北 (4 members) in 2023Q2 at 224,000 / 200,000 = 112%: percentile 3 / 3 = 100%,
    # but a region of 4 is below the 20 the rule needs: on target
    row = rows[("N02", "2023Q2")]
    assert (row["region_size"], row["region_percentile"], row["top_5_percent"]) == (4, 1, False)
    assert row["tier"] == "on_target"


def test_120_percent_is_excellent_in_any_region(rows):
    # N02 in 2023Q3: 240,000 / 200,000 = 120% exactly -> excellence through the first half of the rule
    # total 100 × 40% + 54 = 94; bonus 10,000 × 2.0 × 94 / 100 = 18,800; commission 40,000 × 3% = 1,200
    row = rows[("N02", "2023Q3")]
    assert (row["top_5_percent"], row["tier"]) == (False, "excellent")
    assert (row["bonus_total"], row["commission_paid"]) == (Decimal("18800.00"), Decimal("1200.00"))


def test_alone_in_a_region_does_not_count(rows):
    # W01 is the only member of 西北: percentile 100% (no one else), but a region of 1 is no basis for
    # "top 5%". 90% (85% last quarter, up 5 points: no progress) -> floor 0.8 and an improvement plan
    # total 60 × 40% + 54 = 78; bonus 10,000 × 0.8 × 78 / 100 = 6,240
    row = rows[("W01", "2023Q3")]
    assert (row["region_size"], row["region_percentile"], row["top_5_percent"]) == (1, 1, False)
    assert row["tier"] == "floor"
    assert row["improvement_plan"] is True
    assert row["bonus_total"] == Decimal("6240.00")


def test_progress_compares_with_the_previous_quarter_in_the_data(rows):
    # E05: 70% in 2023Q2, 90% in 2023Q3 (上期完成率 left empty: taken from Q2): up 20 points, >= 80%
    # -> progress 1.0; total 60 × 40% + 54 = 78; bonus 10,000 × 1.0 × 78 / 100 = 7,800
    row = rows[("E05", "2023Q3")]
    assert row["tier"] == "progress"
    assert row["bonus_total"] == Decimal("7800.00")


def test_tiers_across_the_big_region(rows):
    # 2023Q3, 华东: 2 excellent (the tied leaders), 8 on target (E03, E04, E07-E12: 100% to 112%),
    # E05 progress, 9 floor (E06, E13-E20: 66% to 97%), E21 none (55%): 2 + 8 + 1 + 9 + 1 = 21
    tiers = [rows[(f"E{i:02d}", "2023Q3")]["tier"] for i in range(1, 22)]
    assert tiers.count("excellent") == 2
    assert tiers.count("on_target") == 8
    assert tiers.count("progress") == 1
    assert tiers.count("floor") == 9
    assert tiers.count("none") == 1


def test_explain_shows_the_region_percentile():
    text = attain.load(POLICY).explain(DATA, who="E02", value="tier", period="2023Q3").text()
    assert 'percentile(attainment within region "华东") = 95% (21 employees in the group)' in text
    assert "tier = excellent (卓越奖)" in text
