"""Document 003, case 5 (financial plus management metrics), both role families.

regional: base × (attainment × 35% + collection × 35% + expense control × 10% + mgmt coefficient × 20%)
area / supervisor / rep: base × (attainment × 30% + collection × 30% + mgmt coefficient × 40%)
mgmt coefficient = management score / 10; attainment below 50%: nothing; 50%-60% (the document's
gap) paid by actual attainment in this policy; no cap above 110%. Expense control (this policy's
reading of "销售费用率×10%"): 100% within the expense-ratio target, else target / actual.

The document gives no numbers for case 5; the library's own examples (both role weightings: R001,
A001 and R001's numbers as an area manager) and the as-written 50%-60% gap (C216) are asserted
in policies/case5/pay.test.yaml.
"""

from decimal import Decimal
from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "case5" / "pay.policy"
AS_WRITTEN = ROOT / "policies" / "case5" / "pay-as-written.policy"
DATA = ROOT / "policies" / "case5" / "sample.csv"


@pytest.fixture(scope="module")
def rows():
    res = attain.load(POLICY).run(DATA)
    return {r["id"]: r for r in res.rows}


def test_regional_manager_over_expense_target_above_110_percent_uncapped(rows):
    # attainment 1,000,000 / 800,000 = 125% (no cap); collection 950,000 / 1,000,000 = 95%
    # expenses 50,000 + 40,000 + 20,000 + 10,000 = 120,000 / 1,000,000 = 12% > 10%
    #   -> control 10% / 12% = 5/6
    # mgmt 9 / 10 = 0.9
    # 12,000 × (1.25 × 35% + 0.95 × 35% + 5/6 × 10% + 0.9 × 20%)
    #   = 12,000 × (0.4375 + 0.3325 + 1/12 + 0.18) = 12,000 × 0.95 + 12,000 / 12 = 11,400 + 1,000 = 12,400
    row = rows["R002"]
    assert row["attainment"] == Decimal("1.25")
    assert row["performance_pay_total"] == Decimal("12400.00")
    assert row["promotion_review"] is True  # 5 months met before + this one = 6


def test_supervisor_in_the_50_to_60_percent_gap_is_paid_by_actual_attainment(rows):
    # attainment 165,000 / 300,000 = 55%; collection 100%; mgmt 0.6
    # 5,000 × (0.55 × 30% + 1 × 30% + 0.6 × 40%) = 5,000 × (0.165 + 0.3 + 0.24) = 5,000 × 0.705 = 3,525
    assert rows["S001"]["performance_pay_total"] == Decimal("3525.00")


def test_rep_below_50_percent_gets_nothing(rows):
    # attainment 90,000 / 200,000 = 45% < 50%: no performance pay
    assert rows["P001"]["performance_pay_total"] == Decimal("0.00")


def test_new_hire_under_15_days_has_no_subjective_part(rows):
    # attainment 120,000 / 100,000 = 120%; collection 108,000 / 120,000 = 90%
    # new hire with 10 days < 15: management coefficient 0 (the score is left empty)
    # 4,000 × (1.2 × 30% + 0.9 × 30% + 0 × 40%) = 4,000 × (0.36 + 0.27) = 4,000 × 0.63 = 2,520
    assert rows["P002"]["performance_pay_total"] == Decimal("2520.00")


def test_exactly_50_percent_is_paid(rows):
    # attainment 100,000 / 200,000 = 50% (not below 50%); collection 80,000 / 100,000 = 80%; mgmt 0.5
    # 4,000 × (0.5 × 30% + 0.8 × 30% + 0.5 × 40%) = 4,000 × (0.15 + 0.24 + 0.2) = 4,000 × 0.59 = 2,360
    assert rows["P003"]["performance_pay_total"] == Decimal("2360.00")


def test_leaver_with_exactly_15_days_keeps_the_subjective_part(rows):
    # "低于15天(不含15天)": 15 days is not fewer than 15, so mgmt 5 / 10 = 0.5 counts
    # attainment 70,000 / 100,000 = 70%; collection 63,000 / 70,000 = 90%
    # 4,000 × (0.7 × 30% + 0.9 × 30% + 0.5 × 40%) = 4,000 × (0.21 + 0.27 + 0.2) = 4,000 × 0.68 = 2,720
    assert rows["P004"]["performance_pay_total"] == Decimal("2720.00")


def test_explain_a_regional_manager():
    text = attain.load(POLICY).explain(DATA, who="R002", value="performance_pay_total").text()
    assert "performance_pay_total = 12,400.00" in text
    assert "expense_ratio = 12%" in text


def test_as_written_the_gap_is_the_only_error():
    errors = [d for d in attain.check(AS_WRITTEN) if d.is_error]
    assert [d.code for d in errors] == ["C216"]
    with pytest.raises(attain.AttainError) as e:
        attain.load(AS_WRITTEN)
    assert [d.code for d in e.value.diagnostics] == ["C216"]
