"""Document 003, case 1 (beer company): pay = 1000 + (a × 80 + b) × 50.

The document's worked example (6450) is asserted in policies/case1/pay.test.yaml.
"""

from decimal import Decimal
from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "case1" / "pay.policy"
DATA = ROOT / "policies" / "case1" / "sample.csv"


@pytest.fixture(scope="module")
def rows():
    res = attain.load(POLICY).run(DATA)
    return {r["id"]: r for r in res.rows}


def test_below_plan(rows):
    # plan 150 t, actual 135 t: a = 135 / 150 = 0.9; 0.9 × 80 = 72
    # b = 4 + 4 + 3 + 3 + 4 = 18; points = 72 + 18 = 90
    # 1000 + 90 × 50 = 1000 + 4500 = 5500
    row = rows["E002"]
    assert row["a"] == Decimal("0.9")
    assert row["points"] == Decimal("90")
    assert row["pay"] == Decimal("5500.00")


def test_ratio_without_a_finite_decimal_is_rounded_once_at_the_end(rows):
    # plan 90 t, actual 100 t: a = 100 / 90 = 10/9; 10/9 × 80 = 800/9 = 88.888...
    # b = 2 + 3 + 3 + 2 + 1 = 11; points = 800/9 + 99/9 = 899/9
    # 899/9 × 50 = 44950/9 = 4994.444...; + 1000 = 5994.444... -> 5994.44 (half up)
    assert rows["E003"]["pay"] == Decimal("5994.44")


def test_no_sales_and_no_soft_points_leaves_the_fixed_part(rows):
    # a = 0 / 100 = 0, b = 0: 1000 + 0 × 50 = 1000
    assert rows["E004"]["pay"] == Decimal("1000.00")


def test_fixed_part_and_point_value_can_be_overridden_by_columns(tmp_path):
    # The 1000 yuan and the 50 yuan a point are inputs with those defaults; a column overrides them.
    # plan 100, actual 100: a = 1, 1 × 80 = 80; b = 2 × 5 = 10; points = 90
    # 1200 + 90 × 60 = 1200 + 5400 = 6600
    data = tmp_path / "override.csv"
    data.write_text("id,计划销量,实际销量,渠道管理,价格体系管理,客户关系管理,信息反馈,工作态度,固定部分,每分兑现金额\n"
                    "X1,100,100,2,2,2,2,2,1200,60\n", encoding="utf-8")
    row = attain.load(POLICY).run(data).rows[0]
    assert row["pay"] == Decimal("6600.00")


def test_a_soft_score_alone_above_the_total_or_below_zero_is_a_bad_cell(tmp_path):
    # The document bounds the soft total (20 points, checked by the policy's `refuse`), not each score;
    # a single cell above 20, or a negative score, cannot be part of a valid total at all.
    bad = tmp_path / "bad.csv"
    bad.write_text("id,计划销量,实际销量,渠道管理,价格体系管理,客户关系管理,信息反馈,工作态度\n"
                   "X1,100,100,21,0,0,0,0\nX2,100,100,5,-1,0,0,0\n", encoding="utf-8")
    with pytest.raises(attain.AttainError) as e:
        attain.load(POLICY).run(bad)
    assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("D413", 2), ("D413", 3)]


def test_explain_shows_the_derivation():
    text = attain.load(POLICY).explain(DATA, who="E001", value="pay").text()
    assert "pay = 6,450.00" in text
    assert "a = 1.2" in text
    assert "b = 13" in text
