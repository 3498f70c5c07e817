"""attain diff, impact: both versions on the same data, every employee's outputs compared, totals."""

from decimal import Decimal

from diff_doc002 import BAND_ROW, BAND_ROW_85, DOC002, DOC002_TEXT, PENALTY, PENALTY_70, SAMPLE, edited

import attain
from attain.diff.impact import impact


def doc002_with(*edits) -> attain.Policy:
    text = DOC002_TEXT
    for old, new in edits:
        text = edited(text, old, new)
    return attain.loads(text, "new.policy")


def test_impact_of_a_band_row_change_on_doc002():
    old = attain.load(DOC002)
    new = doc002_with((BAND_ROW, BAND_ROW_85))
    imp = impact(old, new, SAMPLE)
    assert (imp.id_column, imp.period_column) == ("编号", None)
    assert imp.outputs == ("improvement_plan", "region", "attainment", "total_score", "tier",
                           "commission_paid", "bonus_total")
    assert imp.money == ("commission_paid", "bonus_total")
    # Only S001 (attainment 575,000 / 500,000 = 115%) is in the 100%-120% row; S002 (85%) and
    # S003 (120%, in the >= 120% row) are not.
    # S001 total_score before: 80*40% + 70*20% (growth (12-10)/10 = 20%) + 100*15% (95% collected)
    #   + 100*10% (satisfaction 4.5) + 100*10% (no late plan) + 80*5% (collaboration 8)
    #   = 32 + 14 + 15 + 10 + 10 + 4 = 85; after: 85*40% = 34 instead of 32, so 87.
    # bonus = 10,000 * 1.2 (on_target) * total_score / 100: 10,200.00 -> 10,440.00 (collection
    # 95% >= 90%, so no 80% cut); commission unchanged: (575,000 - 500,000) * 3% = 2,250.00.
    assert [r.id for r in imp.rows] == ["S001", "S002", "S003"]
    s001 = imp.rows[0]
    assert [(d.output, d.old, d.new, d.change) for d in s001.changed] == [
        ("total_score", Decimal("85"), Decimal("87"), Decimal("2")),
        ("bonus_total", Decimal("10200.00"), Decimal("10440.00"), Decimal("240.00")),
    ]
    assert {d.output: (d.old, d.new, d.change) for d in s001.deltas}["commission_paid"] == (
        Decimal("2250.00"), Decimal("2250.00"), Decimal("0.00"))
    assert {d.output: (d.old, d.new, d.change) for d in s001.deltas}["tier"] == ("on_target", "on_target", None)
    assert (s001.payout_change, s001.payout_moved) == (Decimal("240.00"), Decimal("240.00"))
    assert [r.changed for r in imp.rows[1:]] == [(), ()]
    # Totals: commission 2,250 + 0 + 3,120 = 5,370.00; bonus 10,200 + 4,760 + 20,000 = 34,960.00
    # before and 10,440 + 4,760 + 20,000 = 35,200.00 after.
    assert [(t.output, t.before, t.after, t.difference) for t in imp.totals] == [
        ("commission_paid", Decimal("5370.00"), Decimal("5370.00"), Decimal("0.00")),
        ("bonus_total", Decimal("34960.00"), Decimal("35200.00"), Decimal("240.00")),
    ]
    o = imp.overall
    assert (o.before, o.after, o.difference) == (Decimal("40330.00"), Decimal("40570.00"), Decimal("240.00"))
    assert (imp.employees, imp.gain, imp.lose, imp.unchanged) == (3, 1, 0, 2)


def test_impact_sorts_by_largest_payout_change_and_counts_losers():
    old = attain.load(DOC002)
    new = doc002_with((BAND_ROW, BAND_ROW_85), (PENALTY, PENALTY_70))
    imp = impact(old, new, SAMPLE)
    # S002 collected 88% < 90%: bonus = 10,000 * 1.0 (progress: 85% - 68% >= 15%) * 59.5 / 100
    # = 5,950; paid at 80% = 4,760.00 before, at 70% = 4,165.00 after: -595.00, larger than
    # S001's +240.00, so S002 comes first.
    assert [(r.id, r.payout_change) for r in imp.rows] == [
        ("S002", Decimal("-595.00")), ("S001", Decimal("240.00")), ("S003", Decimal("0.00"))]
    assert [(d.output, d.old, d.new, d.change) for d in imp.rows[0].changed] == [
        ("bonus_total", Decimal("4760.00"), Decimal("4165.00"), Decimal("-595.00"))]
    assert [(t.output, t.before, t.after, t.difference) for t in imp.totals][1] == (
        "bonus_total", Decimal("34960.00"), Decimal("34605.00"), Decimal("-355.00"))
    assert (imp.gain, imp.lose, imp.unchanged) == (1, 1, 1)


def test_impact_with_outputs_added_and_removed():
    old = attain.load(DOC002)
    new = doc002_with(('flag improvement_plan "需提交改进计划" when tier = "floor"\n', ""),
                      ("payout bonus_total = round(bonus_paid, 0.01)\n",
                       "payout bonus_total = round(bonus_paid, 0.01)\npayout extra = round(base_bonus * 5%, 0.01)\n"))
    imp = impact(old, new, SAMPLE)
    assert imp.outputs == ("region", "attainment", "total_score", "tier", "commission_paid", "bonus_total",
                           "extra", "improvement_plan")
    assert (imp.only_old, imp.only_new) == (("improvement_plan",), ("extra",))
    assert imp.money == ("commission_paid", "bonus_total", "extra")
    # Every employee's base_bonus is 10,000: the new payout extra pays 500.00 each, counted
    # against 0 in the old version; the removed flag was false for all three.
    assert [r.id for r in imp.rows] == ["S001", "S002", "S003"]
    for r in imp.rows:
        assert [(d.output, d.old, d.new, d.change) for d in r.changed] == [
            ("extra", None, Decimal("500.00"), Decimal("500.00")),
            ("improvement_plan", False, None, "changed"),
        ]
        assert r.payout_change == Decimal("500.00")
    assert [(t.output, t.before, t.after, t.difference) for t in imp.totals][2] == (
        "extra", None, Decimal("1500.00"), Decimal("1500.00"))
    assert (imp.overall.before, imp.overall.after, imp.overall.difference) == (
        Decimal("40330.00"), Decimal("41830.00"), Decimal("1500.00"))
    assert (imp.gain, imp.lose, imp.unchanged) == (3, 0, 0)


class _Model:
    def __init__(self, types):
        self.types = types


class _StubPolicy:
    """Stands in for attain.Policy where results carry a period column."""

    def __init__(self, rows, types):
        self.rows = rows
        self.model = _Model(types)

    def run(self, data, id_column=None, progress=None, engine="python"):
        columns = tuple(self.rows[0])
        return attain.Results(columns, tuple(self.rows), dict(self.model.types))  # kinds say what is money


def test_rows_match_by_id_and_period_when_both_results_have_a_period():
    from attain.io import Table

    old = _StubPolicy([
        {"id": "A", "period": "2024-Q1", "pay": Decimal("100.00")},
        {"id": "A", "period": "2024-Q2", "pay": Decimal("200.00")},
        {"id": "B", "period": "2024-Q1", "pay": Decimal("50.00")},
    ], {"pay": "money"})
    new = _StubPolicy([
        {"id": "A", "period": "2024-Q2", "pay": Decimal("150.00")},
        {"id": "A", "period": "2024-Q1", "pay": Decimal("130.00")},
        {"id": "B", "period": "2024-Q1", "pay": Decimal("50.00")},
    ], {"pay": "money"})
    imp = impact(old, new, Table("data.csv", (), ()))
    assert (imp.id_column, imp.period_column, imp.outputs, imp.money) == ("id", "period", ("pay",), ("pay",))
    # A: Q2 200 -> 150 (-50), Q1 100 -> 130 (+30); per employee -20, so A loses.
    assert [(r.id, r.period, r.payout_change) for r in imp.rows] == [
        ("A", "2024-Q2", Decimal("-50.00")), ("A", "2024-Q1", Decimal("30.00")), ("B", "2024-Q1", Decimal("0.00"))]
    assert (imp.employees, imp.gain, imp.lose, imp.unchanged) == (2, 0, 1, 1)
    assert imp.totals[0] == type(imp.totals[0])("pay", Decimal("350.00"), Decimal("330.00"), Decimal("-20.00"))
