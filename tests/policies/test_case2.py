"""Document 003, case 2 (management by objectives): tiered commission with expense-ratio rules.

Every employee has target 250,000, goods placed 50,000. Commission on sales:
1% up to target, 1.5% from 100% to 120% of target (250,000 to 300,000), 2% beyond.
Expense ratio below 8%: + 20% × (8% - ratio) × sales; 8% to 10%: - 50% × (ratio - 8%) × sales;
above 10%: nothing. Sales below target or not fully collected: nothing.
Paid 60% with the month, the rest at year end.

The document's worked example (1750) is asserted in policies/case2/commission.test.yaml.
"""

from decimal import Decimal
from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "case2" / "commission.policy"
DATA = ROOT / "policies" / "case2" / "sample.csv"


@pytest.fixture(scope="module")
def rows():
    res = attain.load(POLICY).run(DATA)
    return {r["id"]: r for r in res.rows}


def pay(row):
    return row["commission_total"], row["paid_monthly"], row["paid_year_end"]


def test_under_8_percent_rewards_20_percent_of_the_saving(rows):
    # sales 280,000, ratio 6%
    # 250,000 × 1% = 2500; 30,000 × 1.5% = 450 -> 2950
    # saving (8% - 6%) × 280,000 = 5600; reward 5600 × 20% = 1120
    # 2950 + 1120 = 4070; monthly 4070 × 60% = 2442; year end 1628
    assert pay(rows["A002"]) == (Decimal("4070.00"), Decimal("2442.00"), Decimal("1628.00"))


def test_above_10_percent_pays_nothing(rows):
    # sales 320,000 (would be 2500 + 750 + 20,000 × 2% = 3650), ratio 11% > 10% -> 0
    assert pay(rows["A003"]) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


def test_target_missed_pays_nothing_not_even_the_saving_reward(rows):
    # sales 240,000 < 250,000: no commission, even though 7% would earn a reward
    row = rows["A004"]
    assert row["target_met"] is False
    assert pay(row) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


def test_above_120_percent_at_exactly_8_percent(rows):
    # sales 400,000: 250,000 × 1% = 2500; 50,000 × 1.5% = 750; 100,000 × 2% = 2000 -> 5250
    # ratio exactly 8%: neither reward nor deduction
    # monthly 5250 × 60% = 3150; year end 2100
    assert pay(rows["A005"]) == (Decimal("5250.00"), Decimal("3150.00"), Decimal("2100.00"))


def test_exactly_10_percent_still_pays_with_the_deduction(rows):
    # sales 260,000: 2500 + 10,000 × 1.5% = 2500 + 150 = 2650
    # deduction (10% - 8%) × 260,000 × 50% = 5200 × 50% = 2600; 2650 - 2600 = 50
    # monthly 30, year end 20
    assert pay(rows["A006"]) == (Decimal("50.00"), Decimal("30.00"), Decimal("20.00"))


def test_not_fully_collected_pays_nothing(rows):
    # same as the worked example but only 200,000 of the 250,000 due was collected
    row = rows["A007"]
    assert row["fully_collected"] is False
    assert pay(row) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


def test_exactly_on_target_is_met(rows):
    # sales 250,000 = target: 250,000 × 1% = 2500
    # ratio 7.5%: saving 0.5% × 250,000 = 1250, reward 1250 × 20% = 250 -> 2750
    # monthly 1650, year end 1100
    assert pay(rows["A008"]) == (Decimal("2750.00"), Decimal("1650.00"), Decimal("1100.00"))


def test_explain_shows_the_brackets_and_the_deduction():
    text = attain.load(POLICY).explain(DATA, who="A001", value="commission_total").text()
    assert "commission_total = 1,750.00" in text
    assert "250,000 at 1% = 2,500" in text
    assert "50,000 at 1.5% = 750" in text
    assert "expense_deduction = 1,500" in text
