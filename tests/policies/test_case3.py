"""Document 003, case 3 (software company, balanced scorecard).

score = process × 40% + satisfaction × 30% + quality × 30% + innovation points, at most 100
commission = max(sales × 3% × collection rate - excess expense × 50%, 0) × score / 85
(3% and 50% are this policy's choices; the document gives no numbers.)

The document has no worked example for case 3; the library's own (C001, over budget with
innovation points) and the full-marks limit are asserted in policies/case3/commission.test.yaml.
"""

from decimal import Decimal
from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "case3" / "commission.policy"
DATA = ROOT / "policies" / "case3" / "sample.csv"


@pytest.fixture(scope="module")
def rows():
    res = attain.load(POLICY).run(DATA)
    return {r["id"]: r for r in res.rows}


def test_standard_score_within_budget_pays_the_plain_commission(rows):
    # score = 85 × 40% + 85 × 30% + 85 × 30% + 0 = 85 (the standard score)
    # 300,000 × 3% × 100% = 9,000; expenses 10,000 within budget 15,000 -> no excess
    # 9,000 × 85 / 85 = 9,000
    row = rows["C002"]
    assert row["score"] == Decimal("85")
    assert row["excess_expense"] == Decimal("0")
    assert row["commission_paid"] == Decimal("9000.00")


def test_overspend_larger_than_the_commission_pays_zero_not_negative(rows):
    # 100,000 × 3% × 50% = 1,500; excess (40,000 - 10,000) × 50% = 15,000
    # 1,500 - 15,000 = -13,500 -> floored at 0
    row = rows["C003"]
    assert row["score"] == Decimal("70")  # 28 + 18 + 24
    assert row["commission_paid"] == Decimal("0.00")


def test_no_sales_counts_collection_as_zero(rows):
    # sales 0: collection rate 0% (no division by zero); expenses 5,000 within budget
    # score = 60 × 40% + 70 × 30% + 75 × 30% = 24 + 21 + 22.5 = 67.5; commission 0
    row = rows["C004"]
    assert row["collection_rate"] == Decimal("0")
    assert row["score"] == Decimal("67.5")
    assert row["commission_paid"] == Decimal("0.00")


def test_explain_shows_the_scorecard():
    text = attain.load(POLICY).explain(DATA, who="C001", value="commission_paid").text()
    assert "commission_paid = 11,323.53" in text
    assert "process 90 × 40% = 36" in text
