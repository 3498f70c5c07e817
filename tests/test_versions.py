"""Versions: effective and until dates, and a folder of versions run period by period."""

from decimal import Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner
from engine_choice import LOCAL_ENGINES

import attain
from attain.cli import main
from attain.diagnostics import AttainError

V1 = """policy "pay"
version "2023.1"
effective 2023-01-01
until 2023-03-31
period month
input sales : money
total = rolling_sum(sales, 12)
payout pay = sales * 1%
output total
"""
V2 = V1.replace('version "2023.1"', 'version "2023.2"').replace("effective 2023-01-01\nuntil 2023-03-31",
                                                              "effective 2023-04-01").replace("1%", "2%")
DATA = "id,period,sales\nA,2023-02,100\nA,2023-03,100\nA,2023-04,100\nA,2023-05,100\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "a.policy").write_text(V1, encoding="utf-8")
    (tmp_path / "v" / "b.policy").write_text(V2, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


def test_running_outside_the_dates_names_both(folder):
    with pytest.raises(AttainError) as e:
        attain.load(folder / "v" / "a.policy").run(folder / "d.csv")
    first = e.value.diagnostics[0]
    assert first.code == "E320"
    assert first.message.startswith("2023-04 is outside the dates of")
    assert "(from 2023-01-01 until 2023-03-31)" in first.message


def test_folder_picks_the_version_in_force_for_each_period(folder):
    results = attain.load_versions(folder / "v").run(folder / "d.csv")
    rows = [(r["period"], r["version"], r["pay"], r["total"]) for r in results.rows]
    # 1% until March, 2% from April; the rolling total keeps the history across versions
    assert rows == [("2023-02", "2023.1", Decimal("1"), Decimal("100")), ("2023-03", "2023.1", Decimal("1"), 200),
                    ("2023-04", "2023.2", Decimal("2"), 300), ("2023-05", "2023.2", Decimal("2"), 400)]
    assert results.columns == ("id", "period", "version", "pay", "total")


def test_a_period_no_version_covers_is_an_error(folder):
    (folder / "d.csv").write_text("id,period,sales\nA,2022-12,100\n", encoding="utf-8")
    with pytest.raises(AttainError) as e:
        attain.load_versions(folder / "v").run(folder / "d.csv")
    (d,) = e.value.diagnostics
    assert (d.code, d.message) == ("E321", f"no version in {folder / 'v'} is in force for 2022-12")
    # The period cell of the row: A,2022-12,100 on line 2, from its third character.
    assert (d.span.file, d.span.line, d.span.col) == (str(folder / "d.csv"), 2, 3)


def test_cli_runs_a_folder(folder):
    r = CliRunner().invoke(main, ["run", str(folder / "v"), "--data", str(folder / "d.csv")])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "id,period,version,pay,total"
    assert r.stdout.splitlines()[3] == "A,2023-04,2023.2,2,300"


# A switch on 15 July: the old plan pays 1% up to the 14th, the new one 2% from the 15th.
OLD = """policy "pay"
version "old"
effective 2023-01-01
period month
input sales : money
payout pay = sales * 1%
output pay
"""
NEW = OLD.replace('"old"', '"new"').replace("2023-01-01", "2023-07-15").replace("1%", "2%")
JULY = "id,period,sales\nA,2023-06,1000\nA,2023-07,1000\nA,2023-08,1000\n"


def switched(tmp_path, rule: str | None, old: str = OLD) -> attain.Versions:
    (tmp_path / "v").mkdir(exist_ok=True)
    (tmp_path / "v" / "a.policy").write_text(old, encoding="utf-8")
    header = f"version switch {rule}\n" if rule else ""
    (tmp_path / "v" / "b.policy").write_text(NEW.replace("period month\n", "period month\n" + header),
                                             encoding="utf-8")
    (tmp_path / "d.csv").write_text(JULY, encoding="utf-8")
    return attain.load_versions(tmp_path / "v")


def test_a_switch_within_a_period_without_a_rule_names_both_rules(tmp_path):
    # The old version has no `until`: it is in force until the day before the new one, 14 July.
    with pytest.raises(AttainError) as e:
        switched(tmp_path, None).run(tmp_path / "d.csv")
    (d,) = e.value.diagnostics
    assert d.code == "E321"
    assert "the whole of 2023-07 (2023-07-01 to 2023-07-31)" in d.message
    # Neither rule is offered as the fix: each gives other amounts.
    assert "`version switch on last day`" in d.hint and "`version switch prorated by days`" in d.hint
    assert "a.policy (2023-01-01 to 2023-07-14), b.policy (2023-07-15)" in d.hint


def test_on_last_day_the_new_version_computes_july(tmp_path):
    rows = switched(tmp_path, "on last day").run(tmp_path / "d.csv").rows
    # June 1% of 1,000 = 10; July and August 2% = 20 (the version in force on 31 July).
    assert [(r["period"], r["version"], r["pay"]) for r in rows] == [
        ("2023-06", "old", Decimal("10")), ("2023-07", "new", Decimal("20")), ("2023-08", "new", Decimal("20"))]


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
def test_prorated_by_days_weights_each_version_by_its_days(tmp_path, engine):
    rows = switched(tmp_path, "prorated by days, rounded to 0.01").run(tmp_path / "d.csv", engine=engine).rows
    # July: 10 for 14 days and 20 for 17 days: (10 x 14 + 20 x 17) / 31 = 480 / 31 = 15.4838... -> 15.48.
    july = rows[1]
    assert (july["version"], july["pay"]) == ("old (14 days) + new (17 days)", Decimal("15.48"))
    assert [r["pay"] for r in rows] == [Decimal("10"), Decimal("15.48"), Decimal("20")]


def test_prorated_without_rounding_is_exact(tmp_path):
    rows = switched(tmp_path, "prorated by days").run(tmp_path / "d.csv").rows
    assert rows[1]["pay"] == Fraction(480, 31)


def test_the_rule_may_not_differ_between_versions(tmp_path):
    old = OLD.replace("period month\n", "period month\nversion switch on last day\n")
    with pytest.raises(AttainError) as e:
        switched(tmp_path, "prorated by days", old=old)
    assert e.value.diagnostics[0].code == "C255"


def test_days_cannot_prorate_a_text(tmp_path):
    old = OLD.replace("output pay", 'band_name = "a" if sales > 0 else "b"\noutput pay, band_name')
    with pytest.raises(AttainError) as e:
        switched(tmp_path, "prorated by days", old=old)
    (d,) = e.value.diagnostics
    assert d.code == "C254" and "'band_name' (text)" in d.message


def test_the_rule_is_checked_kept_by_fmt_and_refuses_a_text_output():
    from attain.dsl.formatter import format_policy

    text = NEW.replace("period month\n", "period month\nversion  switch prorated  by days ,rounded to 0.01\n")
    assert "\nversion switch prorated by days, rounded to 0.01\n" in format_policy(text, "p.policy")
    # A text output under proration is refused by the checker itself, with the policy alone.
    with pytest.raises(AttainError) as e:
        attain.loads(text.replace("output pay", 'label = "x"\noutput pay, label'))
    assert [d.code for d in e.value.diagnostics] == ["C254"]
    with pytest.raises(AttainError) as e:
        attain.loads(NEW.replace("period month\n", "period month\nversion switch on the last day\n"))
    assert [d.code for d in e.value.diagnostics] == ["C253"]


def test_diff_between_folders_compares_each_period_by_its_versions(tmp_path):
    from attain.diff import diff

    switched(tmp_path, "on last day")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.policy").write_text(OLD, encoding="utf-8")
    report = diff(str(tmp_path / "old"), str(tmp_path / "v"), str(tmp_path / "d.csv"))
    # June: the old plan in both (10 = 10); July (on its last day) and August: 1% -> 2% of 1,000, +10 each.
    changed = [(r.period, r.deltas[0].old, r.deltas[0].new) for r in report.impact.affected]
    assert changed == [("2023-07", Decimal("10"), Decimal("20")), ("2023-08", Decimal("10"), Decimal("20"))]
    assert report.impact.overall.difference == 20
    assert [(periods, b.tree.header.version) for periods, _a, b, _c in report.pairs] == [
        (["2023-06"], "old"), (["2023-07", "2023-08"], "new")]
    assert "2023-07 to 2023-08 (2 periods):" in report.text()


def test_diff_of_a_folder_at_a_git_revision(tmp_path):
    import subprocess

    switched(tmp_path, "on last day")
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "add", "v/a.policy"], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-qm", "old"], check=True)
    r = CliRunner().invoke(main, ["diff", str(tmp_path / "v") + "@HEAD", str(tmp_path / "v"),
                                  "--data", str(tmp_path / "d.csv"), "--format", "csv"])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["A,2023-07,pay,10,20,10", "A,2023-08,pay,10,20,10", "A,2023-06,pay,10,10,0"]
