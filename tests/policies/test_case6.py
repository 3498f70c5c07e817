"""Document 003, case 6 (Z company): a monthly score with history and peers.

score = actual / plan × 100 + customers (±5) + timeliness (±10) + discipline (no bound stated)
        + overdue (-1 per full 10,000, at most -10) + contribution (±5)
plan: first month from the data, then (last month's plan + last month's actual) / 2.
timeliness / discipline: -1 per late task (violation), +1 for a month with none,
+2 from the 4th month in a row with none. contribution: ratio = own volume / mean of the
PEERS at the same level; > 1: ratio × 5, < 1: ratio × -5, clamped to ±5; no peers: 0.

Sample: senior Z01 (Jan-May), Z02 (Jan-Apr, leaves: Z01 is alone in May);
junior Z03, Z04, Z05 (Jan-May).
"""

import csv
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "case6" / "score.policy"
DATA = ROOT / "policies" / "case6" / "sample.csv"
MONTHS = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05"]


@pytest.fixture(scope="module")
def rows():
    res = attain.load(POLICY).run(DATA)
    return {(r["id"], r["period"]): r for r in res.rows}


def series(rows, who, name, months=MONTHS):
    return [rows[(who, m)][name] for m in months]


def test_plan_is_carried_forward_from_plan_and_actual(rows):
    # Z01: plan 80 in January (data); actuals 120, 150, 131, 128, 96
    # Feb (80 + 120) / 2 = 100; Mar (100 + 150) / 2 = 125; Apr (125 + 131) / 2 = 128; May (128 + 128) / 2 = 128
    assert series(rows, "Z01", "plan") == [80, 100, 125, 128, 128]
    # base = actual / plan × 100: 120/80 = 150; 150/100 = 150; 131/125 = 104.8; 128/128 = 100; 96/128 = 75
    assert series(rows, "Z01", "base_score") == [
        Decimal("150"), Decimal("150"), Decimal("104.8"), Decimal("100"), Decimal("75")]
    # the plan Z01 would carry into June: (128 + 96) / 2 = 112
    assert rows[("Z01", "2023-05")]["next_plan"] == 112


def test_a_plan_in_the_data_resets_the_carried_plan(rows):
    # Z02: plan 100, actual 150 -> Feb plan 125; actual 120 -> would carry (125 + 120) / 2 = 122.5,
    # but March has a new plan in the data (region change): 125. April carries (125 + 131) / 2 = 128.
    months = MONTHS[:4]
    assert series(rows, "Z02", "plan", months) == [100, 125, 125, 128]
    assert rows[("Z02", "2023-02")]["next_plan"] == Decimal("122.5")
    # base 150/100 = 150; 120/125 = 96; 131/125 = 104.8; 64/128 = 50
    assert series(rows, "Z02", "base_score", months) == [
        Decimal("150"), Decimal("96"), Decimal("104.8"), Decimal("50")]


def test_timeliness_streak_reaches_the_fourth_month(rows):
    # Z05: 1 late task in January, none after: streak 0, 1, 2, 3, 4
    # points -1; +1, +1, +1 (months 1-3 without); +2 from the 4th month in a row (May)
    assert series(rows, "Z05", "on_time_months") == [0, 1, 2, 3, 4]
    assert series(rows, "Z05", "timeliness_points") == [-1, 1, 1, 1, 2]
    # Z01 is never late: +1, +1, +1, then +2 in April (4th) and May (5th)
    assert series(rows, "Z01", "on_time_months") == [1, 2, 3, 4, 5]
    assert series(rows, "Z01", "timeliness_points") == [1, 1, 1, 2, 2]


def test_a_late_month_breaks_the_streak(rows):
    # Z03: late once in April: +1, +1, +1, -1, then the count starts again: +1 in May (not +2)
    assert series(rows, "Z03", "on_time_months") == [1, 2, 3, 0, 1]
    assert series(rows, "Z03", "timeliness_points") == [1, 1, 1, -1, 1]


def test_timeliness_deduction_is_at_most_10(rows):
    # Z04, February: 12 late tasks -> -12, clamped to -10
    assert rows[("Z04", "2023-02")]["timeliness_points"] == -10


def test_discipline_uses_the_same_scheme(rows):
    # Z05: 2 violations in January -> -2; none after: +1, +1, +1, +2 (4th month in a row)
    assert series(rows, "Z05", "discipline_points") == [-2, 1, 1, 1, 2]
    # Z01: a violation in February: +1, -1, then +1, +1, +1 (only 3 clean months by May)
    assert series(rows, "Z01", "clean_months") == [1, 0, 1, 2, 3]
    assert series(rows, "Z01", "discipline_points") == [1, -1, 1, 1, 1]
    # Z03: clean Jan-Apr (+1, +1, +1, +2), 3 violations in May -> -3
    assert series(rows, "Z03", "discipline_points") == [1, 1, 1, 2, -3]


def test_discipline_has_no_bound(tmp_path):
    # The document bounds timeliness (总分控制在10分之内) but states no bound for discipline:
    # 12 violations deduct 12 points, where 12 late tasks deduct only 10.
    data = tmp_path / "violations.csv"
    data.write_text("id,period,考核层次,计划销售量,实际销售量,滞后次数,违规次数\n"
                    "X1,2023-01,junior,100,100,12,12\n", encoding="utf-8")
    (row,) = attain.load(POLICY).run(data).rows
    assert (row["timeliness_points"], row["discipline_points"]) == (-10, -12)
    # 100 + 0 - 10 - 12 + 0 + 0 (alone: no contribution)
    assert row["score"] == Decimal("78.00")


def test_customer_points_are_clamped_to_5(rows):
    # Z01 Jan: +3 gained, -1 lost = 2; Feb: 8 gained -> 8, clamped to 5; Apr: 1 - 2 = -1
    assert series(rows, "Z01", "customer_points") == [2, 5, 0, -1, 2]
    # Z02 Jan: 7 lost -> -7, clamped to -5
    assert rows[("Z02", "2023-01")]["customer_points"] == -5


def test_overdue_counts_full_10000s_up_to_10(rows):
    # Z01: 0 -> 0; 35,000 -> 3 full 10,000s -> -3; 9,999 -> 0; 120,000 -> 12 -> at most -10
    assert series(rows, "Z01", "overdue_points") == [0, -3, 0, 0, -10]
    # Z03 January: exactly 10,000 -> -1
    assert rows[("Z03", "2023-01")]["overdue_points"] == -1


def test_contribution_against_the_peer_mean(rows):
    # senior, January: Z01 120 vs its one peer Z02 150: ratio 0.8 < 1 -> 0.8 × -5 = -4
    z01 = rows[("Z01", "2023-01")]
    assert (z01["peers"], z01["peer_mean"], z01["ratio"], z01["contribution"]) == (1, 150, Decimal("0.8"), -4)
    # Z02 150 vs 120: ratio 1.25 > 1 -> 6.25, clamped to 5
    z02 = rows[("Z02", "2023-01")]
    assert (z02["ratio"], z02["contribution"]) == (Decimal("1.25"), 5)
    # March: both sold 131: ratio exactly 1 -> neither above nor below: 0
    assert rows[("Z01", "2023-03")]["ratio"] == 1 and rows[("Z01", "2023-03")]["contribution"] == 0
    # April: Z02 64 vs Z01 128: ratio 0.5 -> -2.5
    assert rows[("Z02", "2023-04")]["contribution"] == Decimal("-2.5")


def test_peers_at_a_three_member_level_leave_the_employee_out(rows):
    # junior, February: Z03 150, Z04 100, Z05 30
    # Z05's peers Z03 and Z04: mean (150 + 100) / 2 = 125; ratio 30 / 125 = 0.24 -> 0.24 × -5 = -1.2
    z05 = rows[("Z05", "2023-02")]
    assert (z05["peers"], z05["peer_mean"], z05["ratio"], z05["contribution"]) == (
        2, 125, Decimal("0.24"), Decimal("-1.2"))
    # Z04 in March: 60 vs (131 + 40) / 2 = 85.5: ratio 60 / 85.5 = 40/57 -> -200/57 (about -3.51):
    # as written, a seller near the mean loses more than Z05 far below it
    z04 = rows[("Z04", "2023-03")]
    assert z04["peer_mean"] == Decimal("85.5")
    assert z04["contribution"] == Fraction(-200, 57)


def test_alone_at_a_level_has_no_contribution(rows):
    # May: Z02 has left, Z01 is the only senior: no peers, ratio counts as 1, contribution 0
    z01 = rows[("Z01", "2023-05")]
    assert (z01["peers"], z01["peer_mean"], z01["ratio"], z01["contribution"]) == (0, 96, 1, 0)


# Every employee's score for every month:
# base + customers + timeliness + discipline + overdue + contribution, rounded to 0.01
SCORES = {
    # Z01 (senior)
    ("Z01", "2023-01"): "150.00",  # 150 + 2 + 1 + 1 + 0 - 4 (0.8 × -5)
    ("Z01", "2023-02"): "157.00",  # 150 + 5 + 1 - 1 - 3 + 5 (150/120 = 1.25 -> 6.25 -> 5)
    ("Z01", "2023-03"): "106.80",  # 104.8 + 0 + 1 + 1 + 0 + 0 (ratio 1)
    ("Z01", "2023-04"): "107.00",  # 100 - 1 + 2 + 1 + 0 + 5 (128/64 = 2 -> 10 -> 5)
    ("Z01", "2023-05"): "70.00",   # 75 + 2 + 2 + 1 - 10 + 0 (alone)
    # Z02 (senior, leaves after April)
    ("Z02", "2023-01"): "149.00",  # 150 - 5 - 2 + 1 + 0 + 5
    ("Z02", "2023-02"): "95.00",   # 96 + 1 + 1 + 1 + 0 - 4 (120/150 = 0.8)
    ("Z02", "2023-03"): "106.80",  # 104.8 + 0 + 1 + 1 + 0 + 0
    ("Z02", "2023-04"): "50.50",   # 50 + 0 + 1 + 2 + 0 - 2.5
    # Z03 (junior): above its peers' mean every month -> +5
    ("Z03", "2023-01"): "107.00",  # 100 + 1 + 1 + 1 - 1 + 5 (100/85 = 20/17 -> 100/17 -> 5)
    ("Z03", "2023-02"): "156.00",  # 150 - 1 + 1 + 1 + 0 + 5 (150/65)
    ("Z03", "2023-03"): "113.80",  # 104.8 (131/125) + 2 + 1 + 1 + 0 + 5 (131/50)
    ("Z03", "2023-04"): "156.00",  # 150 (192/128) + 0 - 1 + 2 + 0 + 5 (192/52)
    ("Z03", "2023-05"): "83.00",   # 75 (120/160) + 5 + 1 - 3 + 0 + 5 (120/70)
    # Z04 (junior): plans 80, 100, 100, 80, 80
    ("Z04", "2023-01"): "157.00",  # 150 + 0 + 1 + 1 + 0 + 5 (120/75 = 1.6 -> 8 -> 5)
    ("Z04", "2023-02"): "96.00",   # 100 + 0 - 10 + 1 + 0 + 5 (100/90)
    ("Z04", "2023-03"): "58.49",   # 60 + 0 + 1 + 1 + 0 - 200/57 = 62 - 3.50877... = 58.4912...
    ("Z04", "2023-04"): "99.30",   # 100 + 0 + 1 + 2 + 0 - 100/27 (80/108 = 20/27) = 103 - 3.7037... = 99.2962...
    ("Z04", "2023-05"): "133.00",  # 125 + 0 + 1 + 2 + 0 + 5 (100/80 = 1.25 -> 6.25 -> 5)
    # Z05 (junior): plans 50, 50, 40, 40, 32
    ("Z05", "2023-01"): "94.73",   # 100 + 0 - 1 - 2 + 0 - 25/11 (50/110) = 97 - 2.2727... = 94.7272...
    ("Z05", "2023-02"): "60.80",   # 60 + 0 + 1 + 1 + 0 - 1.2
    ("Z05", "2023-03"): "99.91",   # 100 + 0 + 1 + 1 + 0 - 400/191 (40/95.5) = 102 - 2.0942... = 99.9057...
    ("Z05", "2023-04"): "61.12",   # 60 + 0 + 1 + 1 + 0 - 15/17 (24/136) = 62 - 0.8823... = 61.1176...
    ("Z05", "2023-05"): "127.18",  # 125 + 0 + 2 + 2 + 0 - 20/11 (40/110) = 129 - 1.8181... = 127.1818...
}


def test_every_score(rows):
    assert {key: str(row["score"]) for key, row in rows.items()} == SCORES


def test_run_prints_every_employee_for_every_month():
    result = CliRunner().invoke(main, ["run", str(POLICY), "--data", str(DATA), "--format", "csv"])
    assert result.exit_code == 0, result.output
    printed = {(r["id"], r["period"]): r["score"] for r in csv.DictReader(io.StringIO(result.output))}
    assert printed == SCORES


def test_explain_shows_the_streak_and_the_peer_mean():
    result = CliRunner().invoke(main, ["explain", str(POLICY), "--data", str(DATA),
                                       "--who", "Z05", "--period", "2023-05"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Z05 · 2023-05\n")
    # the 4th month in a row without a late task, and the +2 it earns
    assert "streak(late_tasks = 0) = 4: holds this period; before: 3 in a row up to 2023-04" in text
    assert "timeliness_points = 2\n" in text
    # the peers' mean: Z03 120 and Z04 100 -> 110
    assert 'mean(actual_volume within level "junior" except self) = 110 (3 employees in the group)' in text
    assert "peer_mean = 110\n" in text
    # the carried plan: (40 + 24) / 2 = 32, from April
    assert "previous(next_plan, else planned_volume) = 32 (from 2023-04)" in text
    assert "score = 127.18\n" in text


def test_explain_alone_at_the_level():
    text = attain.load(POLICY).explain(DATA, who="Z01", value="contribution", period="2023-05").text()
    assert 'count(within level "senior" except self) = 0 (1 employee in the group)' in text
    assert "contribution = 0\n" in text
