"""Explaining one employee computes only the colleagues whose values reach that employee's group values."""

from pathlib import Path

import pytest

import attain
from attain import api

ROOT = Path(__file__).resolve().parents[2]
TOP5 = ROOT / "policies/doc002/incentive-top5.policy"
REGIONS = ROOT / "policies/doc002/sample-regions.csv"
CASE6 = ROOT / "policies/case6/score.policy"
CASE6_DATA = ROOT / "policies/case6/sample.csv"


def needed(policy_path, data, who, period):
    policy = attain.load(policy_path)
    bound = policy.bind(data)
    target = next(r for r in bound.records if r.who == who and str(r.period) == period)
    return sorted((r.who, str(r.period)) for r in api.needed_records(policy.plan, bound.records, target))


def test_only_the_groups_and_the_history_that_reach_the_row_are_computed():
    # top 5%: percentile and count within the region, and previous(attainment) from last quarter.
    # N02 in 2023Q3 needs 华北 (N01..N04) in 2023Q3, their 2023Q2 rows, and 华北 in 2023Q2 (the same
    # four): 8 of the 52 rows; 华东's 21 employees and W01 are not computed.
    assert needed(TOP5, REGIONS, "N02", "2023Q3") == [
        (who, q) for who in ("N01", "N02", "N03", "N04") for q in ("2023Q2", "2023Q3")]
    assert needed(TOP5, REGIONS, "W01", "2023Q3") == [("W01", "2023Q2"), ("W01", "2023Q3")]
    # Only 2023Q2 for a row in 2023Q2: later periods are never needed.
    assert needed(TOP5, REGIONS, "W01", "2023Q2") == [("W01", "2023Q2")]
    # case 6: the peer mean within the level, history (plan carried forward, streaks). Z01 is alone at
    # senior in 2023-05; Z02 was senior with Z01 in 2023-01..04: both their histories, no junior.
    assert needed(CASE6, CASE6_DATA, "Z01", "2023-05") == [
        *(("Z01", f"2023-0{m}") for m in range(1, 6)), *(("Z02", f"2023-0{m}") for m in range(1, 5))]
    # Z03 in 2023-02: the juniors Z03, Z04, Z05 in January and February.
    assert needed(CASE6, CASE6_DATA, "Z03", "2023-02") == [
        (who, f"2023-0{m}") for who in ("Z03", "Z04", "Z05") for m in (1, 2)]


def test_a_group_of_everyone_takes_the_whole_period():
    text = """policy "ranks"
input sales : money
rank_all = rank(sales within everyone)
output rank_all
"""
    policy = attain.loads(text, "ranks.policy")
    from attain.io import Row, Table

    table = Table("d.csv", ("id", "sales"), tuple(Row(i + 2, {"id": w, "sales": s})
                                                 for i, (w, s) in enumerate([("A", "10"), ("B", "30"), ("C", "20")])))
    bound = policy.bind(table)
    assert [r.who for r in api.needed_records(policy.plan, bound.records, bound.records[2])] == ["A", "B", "C"]
    # C (20) is second of three
    assert "rank_all = 2" in policy.explain(table, "C", "rank_all").text()


@pytest.mark.parametrize("policy_path, data", [(TOP5, REGIONS), (CASE6, CASE6_DATA)])
def test_the_explanation_is_the_one_from_every_row(policy_path, data, monkeypatch):
    policy = attain.load(policy_path)
    rows = [(r.who, str(r.period)) for r in policy.bind(data).records]
    fast = {row: (e.text(), e.json()) for row in rows
            for e in [policy.explain(data, row[0], period=row[1])]}
    monkeypatch.setattr(api, "needed_records", lambda plan, records, target: records)
    assert fast == {row: (e.text(), e.json()) for row in rows for e in [policy.explain(data, row[0], period=row[1])]}
