"""Explain at scale, group values counted for one employee (attain.sql.slice_counts), not windowed for all.

Each test writes a small file where the group value of one employee is worked out by hand
(ties included), checks the value the explanation shows, that it came from the counting
query and not from a run's windows, and that the explanation is the whole read's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from attain import api
from attain.diagnostics import AttainError
from attain.io import read_table
from attain.sql import slice as slice_
from attain.sql import slice_counts, slice_groups
from attain.sql.engine import connect
from attain.subjects import record_of

POLICY = """policy "region standing"

input region : text
input sales_target : money
input sales : money

attainment = sales / sales_target
standing = percentile(attainment within region)
place = rank(attainment within region)
team = count(within region)
others = count(within region except self)
total = sum(sales within region)
peers = mean(sales within region except self)
low = min(sales within region)
high = max(sales within region)

output attainment, standing, place, team, others, total, peers, low, high
"""

# 华东: attainments 50%, 80%, 100%, 100%, 100% (targets differ: 1000/1000, 500/500, 2000/2000), 150%.
# 华北: one employee alone. Padding rows in 西南 make the group a small part of the file.
ROWS = [
    "id,region,sales_target,sales",
    "E1,华东,1000,500",
    "E2,华东,1000,800",
    "E3,华东,1000,1000",
    "E4,华东,500,500",
    "E5,华东,2000,2000",
    "E6,华东,1000,1500",
    "N1,华北,300,90",
    *(f"S{k:03d},西南,1000,{k}" for k in range(1, 41)),
]


def _files(tmp_path: Path, rows: list[str] = ROWS, policy: str = POLICY) -> tuple[api.Policy, str]:
    (tmp_path / "p.policy").write_text(policy, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return api.load(str(tmp_path / "p.policy")), str(data)


@pytest.fixture
def counted(monkeypatch):
    """Every group value counted: a run's windows (slice_groups._Recording) would fail the test."""
    calls: list = []
    real = slice_counts.group_rows

    def spy(*args, **kwargs):
        found = real(*args, **kwargs)
        calls.append(found)
        return found

    def no_windows(*args, **kwargs):
        raise AssertionError("the windows of a run were used")

    monkeypatch.setattr(slice_groups, "group_rows", spy)
    monkeypatch.setattr(slice_groups, "_Recording", no_windows)
    return calls


def _lines(text: str) -> dict[str, str]:
    return {line.split(" = ")[0]: line.split(" = ")[1] for line in text.splitlines() if " = " in line
            and not line.startswith(" ")}


def test_ties_share_by_hand(tmp_path, counted):
    """E3, E4 and E5 tie at 100% (1000/1000 = 500/500 = 2000/2000, compared exactly across denominators).
    E4: of the 5 others 2 are lower (50%, 80%): standing 2/5 = 40%; 1 is higher (150%): place 1 + 1 = 2.
    Team 6, others 5; total sales 500 + 800 + 1000 + 500 + 2000 + 1500 = 6,300;
    the others' mean (6,300 - 500) / 5 = 1,160; lowest 500, highest 2,000."""
    policy, data = _files(tmp_path)
    fast = policy.explain_slice(data, "E4")
    assert fast is not None
    got = _lines(fast.text())
    assert (got["standing"], got["place"], got["team"], got["others"]) == ("40%", "2", "6", "5")
    assert (got["total"], got["peers"], got["low"], got["high"]) == ("6,300", "1,160", "500", "2,000")
    assert fast.text() == policy.explain(read_table(data), "E4").text()
    assert fast.json() == policy.explain(read_table(data), "E4").json()
    # the counting query's row: (who, period, then n, d, size of each group value); money at the data's scale,
    # whole units here: total 6300/1, peers 5800/5, low 500/1, high 2000/1
    assert counted[-1] == [("E4", None, 2, 5, 6, 2, 1, 6, 6, 1, 6, 5, 1, 6, 6300, 1, 6, 5800, 5, 6, 500, 1, 6,
                            2000, 1, 6)]


def _facts(policy: api.Policy, data: str, who: str) -> dict | None:
    found = slice_.rows(policy.plan, data, who)
    assert found is not None
    con = connect()
    try:
        return slice_groups.facts(policy.plan, found, record_of(policy, found.bound, who, None), con)
    finally:
        con.close()


@pytest.mark.parametrize("who", ["E1", "E2", "E3", "E4", "E6", "N1", "S001", "S040"])
def test_the_counts_are_the_windows_facts(tmp_path, monkeypatch, who):
    """For every kind of employee (lowest, tied, highest, alone, in a large group) the counted facts are the
    facts a run's windows give, pair for pair."""
    policy, data = _files(tmp_path)
    counted = _facts(policy, data, who)

    def declined(*args, **kwargs):
        raise slice_counts.NotPointed("the windows, for comparison")

    monkeypatch.setattr(slice_groups, "group_rows", declined)
    assert counted is not None
    assert counted == _facts(policy, data, who)


def test_the_ends_and_a_group_of_one(tmp_path, counted):
    """E1 is lowest of 6: none below, standing 0/5 = 0%, 5 above: place 6. E6 is highest: 5/5 = 100%, place 1.
    N1 is alone in 华北: standing 100% (alone), place 1, team 1, others 0, sum, min and max its own 90; the
    mean of the others has no value (no one else): explain refuses the row as the whole read does."""
    policy, data = _files(tmp_path)
    got = _lines(policy.explain_slice(data, "E1").text())
    assert (got["standing"], got["place"]) == ("0%", "6")
    got = _lines(policy.explain_slice(data, "E6").text())
    assert (got["standing"], got["place"]) == ("100%", "1")
    with pytest.raises(AttainError) as fast:
        policy.explain_slice(data, "N1")
    with pytest.raises(AttainError) as whole:
        policy.explain(read_table(data), "N1")
    assert [d.message for d in fast.value.diagnostics] == [d.message for d in whole.value.diagnostics]
    assert "no one else is in the group" in fast.value.diagnostics[0].message
    assert counted[-1] == [("N1", None, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 90, 1, 1, None, 1, 1, 90, 1, 1,
                            90, 1, 1)]


def test_a_member_with_no_value_goes_to_the_whole_read(tmp_path, counted):
    """E2's sales target is 0: its attainment has no value, so the region's percentile is unknown to SQL;
    explain reads the whole file, which says what it says of a run."""
    rows = [r.replace("E2,华东,1000,800", "E2,华东,0,800") for r in ROWS]
    policy, data = _files(tmp_path, rows)
    assert policy.explain_slice(data, "E4") is None
    assert counted and counted[-1][0][2] is None  # the percentile's numerator: unknown


def test_history_counts_each_period(tmp_path, counted):
    """Two quarters: in 2024Q1 E2 is below E1 (80% against 90%), in 2024Q2 above (95% against 90%).
    E1's standing among the 2 others of 华东: Q1 2/2 = 100% (E2 80%, E3 70%), Q2 1/2 = 50%. The policy reads
    history (Q2's `before` is Q1's attainment, 90%), so both quarters' group values come from the one query."""
    policy_text = POLICY.replace('policy "region standing"', 'policy "region standing"\nperiod quarter').replace(
        "output attainment,", "before = previous(attainment, else 0%)\n\noutput before, attainment,")
    rows = ["id,period,region,sales_target,sales",
            "E1,2024Q1,华东,1000,900", "E2,2024Q1,华东,1000,800", "E3,2024Q1,华东,1000,700",
            "E1,2024Q2,华东,1000,900", "E2,2024Q2,华东,1000,950", "E3,2024Q2,华东,1000,700",
            *(f"S{k:03d},2024Q{1 + k % 2},西南,1000,{k}" for k in range(1, 21))]
    policy, data = _files(tmp_path, rows, policy_text)
    for period, standing, place, before in (("2024Q1", "100%", "1", "0%"), ("2024Q2", "50%", "2", "90%")):
        fast = policy.explain_slice(data, "E1", period=period)
        assert fast is not None
        got = _lines(fast.text())
        assert (got["standing"], got["place"], got["before"]) == (standing, place, before)
        assert fast.text() == policy.explain(read_table(data), "E1", period=period).text()
    # Q2's explanation counted both quarters: E1's rows (a period by its index: 2024 * 4 + 0 for Q1),
    # standing 2/2 then 1/2, place 1 then 2, team 3
    q1 = 2024 * 4
    assert [row[:8] for row in counted[-1]] == [("E1", q1, 2, 2, 3, 1, 1, 3), ("E1", q1 + 1, 1, 2, 3, 2, 1, 3)]


def test_a_padded_group_cell_is_a_member(tmp_path, counted):
    """A region cell written " 华东 " (and "华东\u3000", an ideographic space) is 华东 once trimmed, as the whole read
    trims it: E7 (200%) and E8 (10%) join the six of 华东. E4 (100%, tied with E3 and E5) now has 7 others,
    3 lower (10%, 50%, 80%): standing 3/7; 2 higher (150%, 200%): place 3; team 8."""
    rows = [*ROWS, 'E7, 华东 ,1000,2000', "E8,华东\u3000,1000,100"]
    policy, data = _files(tmp_path, rows)
    fast = policy.explain_slice(data, "E4")
    assert fast is not None
    got = _lines(fast.text())
    assert (got["place"], got["team"]) == ("3", "8")
    assert counted[-1][0][2:4] == (3, 7)
    assert fast.text() == policy.explain(read_table(data), "E4").text()


def test_a_padded_parquet_id_is_the_employee(tmp_path):
    """In a Parquet file, row 3's id " E1\u3000" trims to E1: the whole read sees E1 twice (D414 names rows 1
    and 3); so does explain, whose search for longer ids finds it. E10 holds E1's bytes but is another id."""
    (tmp_path / "p.policy").write_text('policy "p"\ninput sales : money\noutput sales\n', encoding="utf-8")
    pq = tmp_path / "d.parquet"
    duckdb.sql(f"COPY (SELECT * FROM (VALUES ('E1', '5'), ('E10', '6'), (' E1\u3000', '7')) t(id, sales)) "
               f"TO '{pq}' (FORMAT parquet)")
    policy = api.load(str(tmp_path / "p.policy"))
    with pytest.raises(AttainError) as fast:
        policy.explain_slice(str(pq), "E1")
    with pytest.raises(AttainError) as whole:
        policy.explain(read_table(str(pq)), "E1")
    assert [(d.code, d.message) for d in fast.value.diagnostics] == [
        (d.code, d.message) for d in whole.value.diagnostics]
    assert fast.value.diagnostics[0].code == "D414"
    assert "sales = 6" in policy.explain_slice(str(pq), "E10").text()
