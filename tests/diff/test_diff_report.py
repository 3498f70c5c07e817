"""attain diff, the whole command and its report: text, JSON and CSV."""

import csv
import io
import json
from decimal import Decimal

import pytest
from diff_doc002 import BAND_ROW, BAND_ROW_85, DOC002, DOC002_TEXT, PENALTY, PENALTY_70, SAMPLE, edited

from attain.diagnostics import AttainError
from attain.diff import diff


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
  attainment_score: band row 100% to 120% now gives 85 instead of 80  (line 54)
  bonus_paid: formula bonus * 80% if collection_rate < 90% else bonus -> bonus * 70% if collection_rate < 90% else bonus  (line 106)

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
"""  # noqa: E501 (the report's own line is longer)


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
    assert doc["changes"][0]["new_span"]["line"] == 54
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
        ("C203", "unknown name 'base_bonuss'", str(bad), 104)]
    assert e.value.sources == {str(bad): bad.read_text(encoding="utf-8")}


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


@pytest.mark.parametrize("engine", ["duckdb", "reference"])
def test_every_engine_gives_the_same_report(report, tmp_path, engine):
    """`attain diff --engine` (duckdb by default on the command line): the same numbers from each engine."""
    from click.testing import CliRunner

    from attain.cli import main

    r = CliRunner().invoke(main, ["diff", str(DOC002), str(tmp_path / "new.policy"), "--data", str(SAMPLE),
                                  "--engine", engine])
    assert r.exit_code == 0, r.stderr
    assert r.stdout == report.text()
    assert "S002  bonus_total   4,760.00   4,165.00  -595.00" in r.stdout
