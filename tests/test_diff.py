"""attain diff: definition changes in policy terms, impact per employee, git revisions, renderers."""

import csv
import io
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from attain.diagnostics import AttainError
from attain.diff import Change, diff, expr_text, impact, policy_changes, read_policy_source
from attain.dsl import nodes
from attain.dsl.parser import parse
import attain

ROOT = Path(__file__).resolve().parent.parent
DOC002 = ROOT / "policies" / "doc002" / "incentive.policy"
SAMPLE = ROOT / "policies" / "doc002" / "sample.csv"
DOC002_TEXT = DOC002.read_text(encoding="utf-8")

BAND_ROW = "    100% to 120% -> 80\n"
BAND_ROW_85 = "    100% to 120% -> 85\n"
PENALTY = "bonus_paid = bonus * 80% if collection_rate < 90% else bonus\n"
PENALTY_70 = "bonus_paid = bonus * 70% if collection_rate < 90% else bonus\n"


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# ================================================================ definition changes

BASE = """\
policy "Demo"
version "1"
effective 2024-01-01

input sales  : money "实际销售额"
input target : money
input region : text one of "east", "north"
input base   : money default 0

attainment = sales / target

a_score = band attainment
    >= 120%      -> 100
    100% to 120% -> 80
    below 100%   -> 40

b_score = band attainment
    >= 100%    -> 100
    below 100% -> 50

difficulty = lookup region
    "east" -> 1.0
    else   -> 1.1

total = weighted
    a_score 60%
    b_score 40%

tier = first match
    top : attainment >= 120% -> coefficient 2.0, award "star"
    on_target : attainment >= 100% -> coefficient 1.2
    none : otherwise -> coefficient 0

commission = marginal sales relative to target
    up to 100% at 0%
    above at 3%

bonus = base * tier.coefficient * total / 100
output attainment, total
payout pay = round(bonus + commission, 0.01)
"""


def changes(new_text: str, old_text: str = BASE) -> list[Change]:
    return policy_changes(parse(old_text, "old.policy"), parse(new_text, "new.policy"))


def texts(new_text: str, old_text: str = BASE) -> list[str]:
    return [c.text for c in changes(new_text, old_text)]


def test_same_policy_has_no_changes():
    assert changes(BASE) == []


def test_reformatting_moving_and_comments_are_no_change():
    new = BASE.replace("bonus = base * tier.coefficient * total / 100",
                       "# the bonus\nbonus = (base*tier.coefficient) * total/100   # scaled")
    new = new.replace("    top : attainment >= 120% -> coefficient 2.0, award \"star\"",
                      "    top : attainment >= 120%\n        -> coefficient 2.0, award \"star\"")
    new = new.replace('    "east" -> 1.0', '    "east"    ->    1.0')
    # b_score moves above a_score
    b_block = "b_score = band attainment\n    >= 100%    -> 100\n    below 100% -> 50\n\n"
    new = new.replace(b_block, "").replace("a_score = band", b_block + "a_score = band")
    new = new.replace("effective 2024-01-01\n", "effective 2024-01-01\n\n\n")
    assert new != BASE
    assert changes(new) == []


def test_band_row_result_change():
    [c] = changes(BASE.replace("    100% to 120% -> 80\n", "    100% to 120% -> 85\n"))
    assert c == Change("a_score", "changed", "a_score: band row 100% to 120% now gives 85 instead of 80",
                       c.old_span, c.new_span)
    assert (c.old_span.file, c.old_span.line, c.new_span.file, c.new_span.line) == (
        "old.policy", 14, "new.policy", 14)


def test_band_rows_added_and_moved():
    new = BASE.replace("    below 100%   -> 40\n", "    80% to 100%  -> 60\n    below 80%    -> 40\n")
    assert texts(new) == [
        "a_score: band row below 100% -> 40 now covers below 80%",
        "a_score: band row 80% to 100% -> 60 added",
    ]
    assert texts(BASE, new) == [
        "a_score: band row below 80% -> 40 now covers below 100%",
        "a_score: band row 80% to 100% -> 60 removed",
    ]
    [_, added] = changes(new)
    # An added row points at the new row, and at the definition it joins in the old policy.
    assert (added.kind, added.old_span.line, added.new_span.line) == ("changed", 12, 15)


def test_band_subject_change():
    new = BASE.replace("b_score = band attainment", "b_score = band sales / target")
    assert texts(new) == ["b_score: band over attainment -> over sales / target"]


def test_weight_changes():
    new = BASE.replace("    a_score 60%\n    b_score 40%\n", "    a_score 50%\n    difficulty 10%\n    b_score 40%\n")
    assert texts(new) == [
        "total: weight of a_score 60% -> 50%",
        "total: difficulty added at 10%",
    ]
    assert texts(BASE.replace("    b_score 40%\n", "")) == ["total: b_score removed (was 40%)"]


def test_tier_changes():
    assert texts(BASE.replace("coefficient 1.2", "coefficient 1.3")) == [
        "tier: tier on_target: coefficient 1.2 -> 1.3"]
    assert texts(BASE.replace("on_target : attainment >= 100%", "on_target : attainment >= 105%")) == [
        "tier: tier on_target: condition attainment >= 100% -> attainment >= 105%"]
    assert texts(BASE.replace(', award "star"', "").replace("coefficient 0\n", 'coefficient 0, flag "plan"\n')) == [
        'tier: tier top: award "star" removed',
        'tier: tier none: flag "plan" added',
    ]
    new = BASE.replace("    none : otherwise", "    good : attainment >= 90% -> coefficient 1.0\n    none : otherwise")
    assert texts(new) == ["tier: tier good: attainment >= 90% -> coefficient 1.0 added at position 3 of 4"]
    swapped = BASE.replace(
        '    top : attainment >= 120% -> coefficient 2.0, award "star"\n'
        "    on_target : attainment >= 100% -> coefficient 1.2\n",
        "    on_target : attainment >= 100% -> coefficient 1.2\n"
        '    top : attainment >= 120% -> coefficient 2.0, award "star"\n')
    assert texts(swapped) == [
        "tier: tier order top, on_target, none -> on_target, top, none (the first tier that matches counts)"]


def test_formula_change():
    new = BASE.replace("bonus = base * tier.coefficient * total / 100",
                       "bonus = base * tier.coefficient * (total - 10) / 100 * difficulty")
    [c] = changes(new)
    assert (c.name, c.kind) == ("bonus", "changed")
    assert c.text == ("bonus: formula base * tier.coefficient * total / 100 -> "
                      "base * tier.coefficient * (total - 10) / 100 * difficulty")


def test_added_and_removed_definitions():
    new = BASE.replace('difficulty = lookup region\n    "east" -> 1.0\n    else   -> 1.1\n\n', "")
    new = new.replace("bonus = base", "extra = max(sales - target, 0) * 2%\n\nbonus = base")
    got = changes(new)
    assert [(c.name, c.kind, c.text) for c in got] == [
        ("extra", "added", "extra: added: formula max(sales - target, 0) * 2%"),
        ("difficulty", "removed", 'difficulty: removed (was lookup by region: "east" -> 1.0; else -> 1.1)'),
    ]
    assert (got[0].old_span, got[0].new_span.line) == (None, 34)
    assert (got[1].old_span.line, got[1].new_span) == (21, None)


def test_lookup_bracket_input_header_output_and_gate_changes():
    new = (BASE.replace('version "1"', 'version "2"')
           .replace('    else   -> 1.1\n', '    "north" -> 1.2\n    else   -> 1.05\n')
           .replace("    above at 3%\n", "    up to 120% at 3%\n    above at 5%\n")
           .replace("marginal sales", "retroactive sales")
           .replace('input sales  : money "实际销售额"', 'input sales  : money "销售额" in 0 .. 1_000_000')
           .replace('one of "east", "north"', 'one of "east", "north", "south"')
           .replace("default 0", "default 100")
           .replace("output attainment, total", "output total, tier")
           .replace("payout pay = round(bonus + commission, 0.01)",
                    "payout pay = round(bonus + commission, 0.01) unless attainment < 50%"))
    assert texts(new) == [
        'header: version "1" -> "2"',
        'sales: label "实际销售额" -> "销售额"',
        "sales: range 0 .. 1_000_000 added",
        'region: value "south" now allowed',
        "base: default 0 -> 100",
        "difficulty: else now gives 1.05 instead of 1.1",
        'difficulty: "north" -> 1.2 added',
        "commission: now retroactive (the whole amount at the rate of the bracket reached) "
        "instead of marginal (each part of the amount at its own rate)",
        "commission: bracket above now at 5% instead of 3%",
        "commission: bracket up to 120% at 3% added",
        "output: tier is now written",
        "output: attainment is no longer written",
        "pay: condition unless attainment < 50% added",
    ]


def test_changed_kind_of_statement_and_payout():
    new = BASE.replace("attainment = sales / target", "input attainment : percent").replace(
        "payout pay =", "pay =")
    assert texts(new) == [
        "attainment: formula sales / target -> input percent",
        "pay: no longer a payout",
    ]


def test_flag_and_definition_body_kind_change():
    old = BASE + 'flag plan "改进" when tier = "none"\n'
    new = (BASE + 'flag plan "改进计划" when tier = "none" or attainment < 80%\n').replace(
        "b_score = band attainment\n    >= 100%    -> 100\n    below 100% -> 50\n",
        "b_score = 100 if attainment >= 100% else 50\n")
    assert texts(new, old) == [
        "b_score: band over attainment: >= 100% -> 100; below 100% -> 50 -> "
        "formula 100 if attainment >= 100% else 50",
        'plan: label "改进" -> "改进计划"',
        'plan: flag condition tier = "none" -> tier = "none" or attainment < 80%',
    ]


# ================================================================ impact on doc002


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


# ================================================================ the report


@pytest.fixture
def report(tmp_path):
    new = tmp_path / "new.policy"
    new.write_text(edited(edited(DOC002_TEXT, BAND_ROW, BAND_ROW_85), PENALTY, PENALTY_70), encoding="utf-8")
    return diff(str(DOC002), str(new), str(SAMPLE))


def test_report_text(report, tmp_path):
    assert report.text() == f"""\
attain diff: {DOC002} (version "2023.3") -> {tmp_path / "new.policy"} (version "2023.3")
data: {SAMPLE} (3 employees)

Changed definitions (2)
  attainment_score: band row 100% to 120% now gives 85 instead of 80  (line 36)
  bonus_paid: formula bonus * 80% if collection_rate < 90% else bonus -> bonus * 70% if collection_rate < 90% else bonus  (line 88)

Impact per employee
  编号  output             old        new   change
  ----  -----------  ---------  ---------  -------
  S002  bonus_total   4,760.00   4,165.00  -595.00
  S001  total_score         85         87       +2
        bonus_total  10,200.00  10,440.00  +240.00
  unchanged: 1 employee (S003)

Summary
  payout              before      after   change
  ---------------  ---------  ---------  -------
  commission_paid   5,370.00   5,370.00     0.00
  bonus_total      34,960.00  34,605.00  -355.00
  all payouts      40,330.00  39,975.00  -355.00
  1 employee gains, 1 lose, 1 unchanged (by total payout change)
"""


def test_report_json_has_exact_decimal_strings_and_no_floats(report):
    def no_floats(text):
        raise AssertionError(f"float in JSON: {text}")

    doc = json.loads(report.json(), parse_float=no_floats)
    assert doc["schema"] == 1
    assert [c["text"] for c in doc["changes"]] == [
        "attainment_score: band row 100% to 120% now gives 85 instead of 80",
        "bonus_paid: formula bonus * 80% if collection_rate < 90% else bonus -> "
        "bonus * 70% if collection_rate < 90% else bonus",
    ]
    assert doc["changes"][0]["new_span"]["line"] == 36
    rows = doc["impact"]["rows"]
    assert [(r["id"], r["payout_change"], r["changed"]) for r in rows] == [
        ("S002", "-595.00", True), ("S001", "240.00", True), ("S003", "0.00", False)]
    assert rows[1]["values"][3] == {"output": "total_score", "old": "85", "new": "87", "change": "2",
                                    "changed": True}
    assert rows[1]["values"][0] == {"output": "improvement_plan", "old": False, "new": False, "change": None,
                                    "changed": False}
    assert doc["summary"] == {
        "payouts": [
            {"output": "commission_paid", "before": "5370.00", "after": "5370.00", "difference": "0.00"},
            {"output": "bonus_total", "before": "34960.00", "after": "34605.00", "difference": "-355.00"},
        ],
        "total": {"output": "all payouts", "before": "40330.00", "after": "39975.00", "difference": "-355.00"},
        "employees": {"count": 3, "gain": 1, "lose": 1, "unchanged": 1},
    }


def test_report_csv_has_one_row_per_employee_output(report):
    rows = list(csv.reader(io.StringIO(report.csv())))
    assert rows[0] == ["编号", "output", "old", "new", "change"]
    assert len(rows) == 1 + 3 * 7
    assert rows[1:8] == [
        ["S002", "improvement_plan", "false", "false", ""],
        ["S002", "region", "华北", "华北", ""],
        ["S002", "attainment", "0.85", "0.85", "0.00"],
        ["S002", "total_score", "59.5", "59.5", "0.0"],
        ["S002", "tier", "progress", "progress", ""],
        ["S002", "commission_paid", "0.00", "0.00", "0.00"],
        ["S002", "bonus_total", "4760.00", "4165.00", "-595.00"],
    ]
    assert rows[8:15][3] == ["S001", "total_score", "85", "87", "2"]


def test_identical_versions_report_nothing(tmp_path):
    r = diff(str(DOC002), str(DOC002), str(SAMPLE))
    assert r.changes == ()
    assert r.impact.affected == ()
    text = r.text()
    assert "Changed definitions (0)\n  none: the two versions define the same policy\n" in text
    assert "Impact per employee\n  no employee's results change\n  unchanged: 3 employees (S001, S002, S003)\n" \
        in text


def test_policy_errors_propagate_with_their_source(tmp_path):
    bad = tmp_path / "bad.policy"
    bad.write_text(edited(DOC002_TEXT, "bonus = base_bonus", "bonus = base_bonuss"), encoding="utf-8")
    with pytest.raises(AttainError) as e:
        diff(str(DOC002), str(bad), str(SAMPLE))
    assert [(d.code, d.message, d.span.file, d.span.line) for d in e.value.diagnostics] == [
        ("C203", "unknown name 'base_bonuss'", str(bad), 86)]
    assert e.value.sources == {str(bad): bad.read_text(encoding="utf-8")}


# ================================================================ git revisions


def git(cwd, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env, timeout=60)


@pytest.fixture
def repo(tmp_path):
    """A repository with policies/x.policy committed twice: doc002, then with the 100%-120% row at 85."""
    root = tmp_path / "repo"
    (root / "policies").mkdir(parents=True)
    git(root, "init", "-q")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    policy = root / "policies" / "x.policy"
    policy.write_text(DOC002_TEXT, encoding="utf-8")
    git(root, "add", "policies/x.policy")
    git(root, "commit", "-q", "-m", "doc002")
    policy.write_text(edited(DOC002_TEXT, BAND_ROW, BAND_ROW_85), encoding="utf-8")
    git(root, "commit", "-q", "-am", "raise the 100%-120% score to 85")
    return root


def test_read_policy_source_from_a_revision(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    assert read_policy_source("x.policy@HEAD~1") == (DOC002_TEXT, "x.policy@HEAD~1")
    assert read_policy_source("x.policy@HEAD") == (edited(DOC002_TEXT, BAND_ROW, BAND_ROW_85), "x.policy@HEAD")
    assert read_policy_source("x.policy") == (edited(DOC002_TEXT, BAND_ROW, BAND_ROW_85), "x.policy")


def test_diff_against_a_revision_from_inside_the_directory(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    r = diff("x.policy@HEAD~1", "x.policy", str(SAMPLE))
    assert [c.text for c in r.changes] == ["attainment_score: band row 100% to 120% now gives 85 instead of 80"]
    assert r.changes[0].old_span.file == "x.policy@HEAD~1"
    assert (r.old_name, r.new_name) == ("x.policy@HEAD~1", "x.policy")
    assert [(d.output, d.old, d.new, d.change) for d in r.impact.rows[0].changed] == [
        ("total_score", Decimal("85"), Decimal("87"), Decimal("2")),
        ("bonus_total", Decimal("10200.00"), Decimal("10440.00"), Decimal("240.00")),
    ]


def test_diff_against_a_revision_from_another_directory(repo, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    spec = os.path.join("..", "repo", "policies", "x.policy")
    r = diff(spec + "@HEAD~1", spec, str(SAMPLE))
    assert [c.text for c in r.changes] == ["attainment_score: band row 100% to 120% now gives 85 instead of 80"]
    assert (r.impact.gain, r.impact.lose, r.impact.unchanged) == (1, 0, 2)
    # Two revisions, the working tree not involved at all.
    r = diff(spec + "@HEAD~1", spec + "@HEAD~1", str(SAMPLE))
    assert (r.changes, r.impact.affected) == ((), ())


def test_a_file_deleted_from_the_working_tree_is_read_from_the_revision(repo, monkeypatch):
    monkeypatch.chdir(repo)
    (repo / "policies" / "x.policy").unlink()
    (repo / "policies").rmdir()
    assert read_policy_source("policies/x.policy@HEAD~1")[0] == DOC002_TEXT


def test_an_existing_file_with_at_in_its_name_is_a_plain_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("v@2.policy").write_text("policy \"x\"\n", encoding="utf-8")
    assert read_policy_source("v@2.policy") == ('policy "x"\n', "v@2.policy")


def test_unknown_revision(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    with pytest.raises(AttainError) as e:
        read_policy_source("x.policy@nope")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U522", "cannot read 'x.policy@nope': the git repository has no revision 'nope'")
    assert d.hint == "use a commit, tag or branch that exists, such as HEAD~1; see git log"


def test_file_not_in_the_revision(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    with pytest.raises(AttainError) as e:
        read_policy_source("y.policy@HEAD")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U523", "cannot read 'y.policy@HEAD': 'policies/y.policy' does not exist in "
                                           "revision 'HEAD'")
    monkeypatch.chdir(repo)
    with pytest.raises(AttainError) as e:
        read_policy_source("policies@HEAD")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U523", "cannot read 'policies@HEAD': 'policies' is a directory in revision 'HEAD'")


def test_not_a_git_repository(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(AttainError) as e:
        diff("x.policy@HEAD~1", "x.policy", str(SAMPLE))
    [d] = e.value.diagnostics
    assert (d.code, d.message) == (
        "U521", "cannot read 'x.policy@HEAD~1': the current directory is not inside a git repository")
    assert d.hint.startswith("git says: not a git repository")


@pytest.mark.parametrize("spec, message", [
    ("x.policy@", "'x.policy@' names no git revision after '@'"),
    ("@HEAD", "'@HEAD' names no file before '@'"),
    ("x.policy@--output=/tmp/x", "'--output=/tmp/x' in 'x.policy@--output=/tmp/x' is not a git revision"),
    ("x.policy@HEAD:y", "'HEAD:y' in 'x.policy@HEAD:y' is not a git revision"),
])
def test_malformed_revisions(spec, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AttainError) as e:
        read_policy_source(spec)
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U524", message)


def test_missing_plain_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AttainError) as e:
        read_policy_source("gone.policy")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U501", "policy file 'gone.policy' does not exist")


def test_revisions_with_slashes_and_reflog_syntax(repo, monkeypatch):
    git(repo, "branch", "team/v1", "HEAD~1")
    monkeypatch.chdir(repo)
    assert read_policy_source("policies/x.policy@team/v1") == (DOC002_TEXT, "policies/x.policy@team/v1")
    assert read_policy_source("policies/x.policy@HEAD@{1}")[0] == DOC002_TEXT


# ================================================================ texts, flags and periods


def test_text_outputs_change_as_changed(tmp_path):
    new = tmp_path / "new.policy"
    new.write_text(edited(DOC002_TEXT, 'excellent "卓越奖" : attainment >= 120%',
                          'excellent "卓越奖" : attainment >= 115%'), encoding="utf-8")
    report = diff(str(DOC002), str(new), str(SAMPLE))
    assert [c.text for c in report.changes] == [
        "tier: tier excellent: condition attainment >= 120% -> attainment >= 115%"]
    # S001 (115%) is now excellent: bonus = 10,000 * 2.0 * 85 / 100 = 17,000.00 instead of
    # 10,000 * 1.2 * 85 / 100 = 10,200.00.
    assert [(r.id, [(d.output, d.old, d.new, d.change) for d in r.changed]) for r in report.impact.rows] == [
        ("S001", [("tier", "on_target", "excellent", "changed"),
                  ("bonus_total", Decimal("10200.00"), Decimal("17000.00"), Decimal("6800.00"))]),
        ("S002", []),
        ("S003", []),
    ]
    text = report.text()
    section = text[text.index("Impact per employee"):text.index("Summary")]
    assert section == """\
Impact per employee
  编号  output             old        new     change
  ----  -----------  ---------  ---------  ---------
  S001  tier         on_target  excellent    changed
        bonus_total  10,200.00  17,000.00  +6,800.00
  unchanged: 2 employees (S002, S003)

"""


class _Model:
    def __init__(self, types):
        self.types = types


class _StubPolicy:
    """Stands in for attain.Policy where results carry a period column."""

    def __init__(self, rows, types):
        self.rows = rows
        self.model = _Model(types)

    def run(self, data, id_column=None):
        columns = tuple(self.rows[0])
        return attain.Results(columns, tuple(self.rows))


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


# ================================================================ variants and the expression printer

VARIANTS = """\
policy "v"
input role : text
input sales : money
input region : text
h = mean(sales within region) + rank(sales within everyone except self) - previous(sales, 2, else 0)
variants by role
    "regional", "area":
        bonus = sales * 2%
        extra = 1
    else:
        bonus = sales * 1%
"""


def test_variant_changes_name_the_value_and_the_case():
    new = VARIANTS.replace("sales * 2%", "sales * 3%").replace("        extra = 1\n", "").replace(
        "previous(sales, 2, else 0)", "previous(sales, else 0)")
    assert [(c.name, c.kind, c.text) for c in changes(new, VARIANTS)] == [
        ("h", "changed", "h: formula mean(sales within region) + rank(sales within everyone except self) - "
                         "previous(sales, 2, else 0) -> mean(sales within region) + "
                         "rank(sales within everyone except self) - previous(sales, else 0)"),
        ("bonus", "changed", 'bonus for role "regional", "area": formula sales * 2% -> sales * 3%'),
        ("extra", "removed", 'extra for role "regional", "area": removed (was formula 1)'),
    ]
    new = VARIANTS.replace('    else:\n        bonus = sales * 1%\n', '    "x":\n        bonus = 0\n')
    assert texts(new, VARIANTS) == [
        'variants by role: case "x" added, defining bonus',
        "variants by role: case else removed",
    ]


def expressions(tree):
    for s in tree.statements:
        bodies = []
        if isinstance(s, nodes.Definition):
            bodies = [s.body, s.gate]
        elif isinstance(s, nodes.FlagDecl):
            bodies = [s.condition]
        elif isinstance(s, nodes.Variants):
            bodies = [d.body for c in s.cases for d in c.definitions]
        for body in bodies:
            if body is not None:
                for node in nodes.walk(body):
                    if not isinstance(node, (nodes.Band, nodes.Lookup, nodes.Weighted, nodes.Tiers,
                                             nodes.Brackets)):
                        yield node


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").rglob("*.policy")))
def test_printed_expressions_parse_back_to_the_same_tree(path):
    tree = parse((ROOT / path).read_text(encoding="utf-8"), path)
    count = 0
    for node in expressions(tree):
        text = expr_text(node)
        assert parse(f'policy "p"\nz = {text}\n').statements[0].body == node, text
        count += 1
    assert count > 0


def test_printer_parenthesizes_only_where_needed():
    cases = ["(a + b) * c", "a - (b - c)", "a - b - c", "a / (b * c)", "-(a + b)", "not (a and b) or c",
             "(a if b else c) + 1", "a if b else c if d else e", "(a or b) and c", "x >= 80% and x < 1_000",
             "round(abs(a - b) * 1.5%, 0.01, half_even)", 'tier.coefficient * 2 if t = "甲" else 0']
    for text in cases:
        body = parse(f'policy "p"\nz = {text}\n').statements[0].body
        assert expr_text(body) == text


def test_git_not_installed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with pytest.raises(AttainError) as e:
        read_policy_source("x.policy@HEAD")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U520", "cannot read 'x.policy@HEAD': git is not installed or not on PATH")
