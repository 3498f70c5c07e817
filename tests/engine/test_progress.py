"""Progress reports: the runner calls back as it goes (it never prints), and the results do not change."""

from pathlib import Path

import attain
from attain.engine import runner
from attain.io import read_table

ROOT = Path(__file__).resolve().parents[2]
CASE6 = ROOT / "policies/case6"


def test_a_run_reports_reading_then_rows_done_period_by_period(monkeypatch):
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 5)
    policy = attain.load(CASE6 / "score.policy")
    calls: list[attain.api.Progress] = []
    results = policy.run(CASE6 / "sample.csv", progress=calls.append)
    assert results == policy.run(CASE6 / "sample.csv")  # the same results with someone listening
    assert calls[0] == attain.api.Progress("reading the data", 0, 0)
    computing = calls[1:]
    assert {c.step for c in computing} == {"computing"}
    # 24 rows (employees x months), 2023-01 .. 2023-05; 2 stages (the group values come between),
    # so a row takes 4 passes: its history, the 2 stages, its outputs
    assert {c.total for c in computing} == {24} and len(policy.plan.stages) == 2
    assert [c.done for c in computing] == sorted(c.done for c in computing) and computing[-1].done == 24
    assert [(str(c.period), c.number, c.periods) for c in computing if c.done in (5, 10, 24)] == [
        ("2023-01", 1, 5), ("2023-02", 2, 5), ("2023-05", 5, 5)]


def test_a_table_already_read_is_only_checked_and_diff_names_the_version():
    from attain.diff import diff

    calls: list[attain.api.Progress] = []
    table = read_table(str(CASE6 / "sample.csv"))
    diff(str(CASE6 / "score.policy"), str(CASE6 / "score.policy"), table, progress=calls.append)
    steps = list(dict.fromkeys(c.step for c in calls))
    assert steps == ["reading the data", "checking the data (old version)", "computing (old version)",
                     "checking the data (new version)", "computing (new version)", "comparing the versions"]
    assert max(c.done for c in calls) == 24
