"""Folders of versions through check, explain, test and diff: what only a folder gets wrong, each period's version."""

import json
import textwrap
from importlib.metadata import entry_points

import pytest
from click.testing import CliRunner
from engine_choice import LOCAL_ENGINES as ENGINES

import attain
from attain.cli import main

pytest_plugins = ["pytester"]

# 1% until 14 July 2023, 2% from 15 July; July is prorated by days.
OLD = """policy "pay"
version "old"
effective 2023-01-01
version switch prorated by days, rounded to 0.01
period month
input sales : money
rate = 1%
payout pay = sales * rate
"""
NEW = OLD.replace('"old"', '"new"').replace("2023-01-01", "2023-07-15").replace("1%", "2%")
DATA = "id,period,sales\nA,2023-06,1000\nA,2023-07,1000\nA,2023-08,1000\nB,2023-07,3100\n"


def write(folder, files: dict[str, str]):
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text) if name.endswith(".yaml") else text, encoding="utf-8")
    return folder


@pytest.fixture
def plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, {"v/a.policy": OLD, "v/b.policy": NEW, "d.csv": DATA})


def invoke(*args):
    return CliRunner().invoke(main, list(args))


# ---------------------------------------------------------------- check


def test_check_a_folder_checks_each_version(plan):
    r = invoke("check", "v")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.strip() == "2 policies checked: 0 errors, 0 warnings"


def test_check_finds_versions_in_force_on_the_same_days(plan):
    write(plan, {"v/a.policy": OLD.replace("effective 2023-01-01", "effective 2023-01-01\nuntil 2023-07-31")})
    r = invoke("check", "v")
    assert r.exit_code == 1
    assert ("error[C256]: a.policy is in force until 2023-07-31, but b.policy takes effect on 2023-07-15: "
            "from 2023-07-15 to 2023-07-31 both are\n --> v/a.policy:4:1") in r.stderr
    assert "end a.policy on 2023-07-14" in r.stderr
    # run refuses the folder too: which version pays 15-31 July is not attain's choice
    r = invoke("run", "v", "--data", "d.csv")
    assert r.exit_code == 1 and "error[C256]" in r.stderr and r.stdout == ""


def test_check_finds_days_no_version_covers(plan):
    write(plan, {"v/a.policy": OLD.replace("effective 2023-01-01", "effective 2023-01-01\nuntil 2023-06-30")})
    r = invoke("check", "v")
    assert r.exit_code == 1
    assert ("error[C257]: no version is in force from 2023-07-01 to 2023-07-14: a.policy ends on 2023-06-30 "
            "and b.policy takes effect on 2023-07-15") in r.stderr


def test_check_finds_two_versions_taking_effect_on_one_day(plan):
    write(plan, {"v/b.policy": NEW.replace("2023-07-15", "2023-01-01")})
    r = invoke("check", "v")
    assert "error[C256]: a.policy and b.policy both take effect on 2023-01-01" in r.stderr


def test_check_lists_every_switch_rule_and_every_error_of_the_versions(plan):
    write(plan, {"v/b.policy": NEW.replace("prorated by days, rounded to 0.01", "on last day")
                 .replace("payout pay = sales * rate", "payout pay = sales * rat")})
    r = invoke("check", "v", "--format", "json")
    found = {(d["code"], d["span"]["file"] if d["span"] else None) for d in json.loads(r.stdout)["diagnostics"]}
    # the misspelt name is b's own error; the rules are the folder's
    assert ("C203", "v/b.policy") in found and ("C255", "v/b.policy") in found
    assert "a.policy: prorated by days, rounded to 0.01; b.policy: on last day" in r.stdout


def test_check_a_version_whose_outputs_days_cannot_prorate(plan):
    # b states no rule itself, but the folder prorates, so its text output cannot be weighted
    write(plan, {"v/b.policy": NEW.replace("version switch prorated by days, rounded to 0.01\n", "")
                 .replace("payout pay", 'label = "x"\noutput label\npayout pay')})
    r = invoke("check", "v")
    assert "error[C254]: the versions in v are prorated by days, but b.policy outputs 'label' (text)" in r.stderr


def test_check_versions_in_different_currencies(plan):
    write(plan, {"v/a.policy": OLD.replace("period month", 'period month\ncurrency "¥"'),
                 "v/b.policy": NEW.replace("period month", 'period month\ncurrency "USD"')})
    r = invoke("check", "v")
    assert 'error[C258]: the versions in v declare different currencies: a.policy: "¥"; b.policy: "USD"' in r.stderr
    # "RMB" and "CNY" are one currency, "¥" stands for CNY (and JPY): no finding
    write(plan, {"v/a.policy": OLD.replace("period month", 'period month\ncurrency "RMB"'),
                 "v/b.policy": NEW.replace("period month", 'period month\ncurrency "¥"')})
    assert invoke("check", "v").exit_code == 0


# ---------------------------------------------------------------- explain


def test_explain_a_period_of_one_version_names_it(plan):
    r = invoke("explain", "v", "--data", "d.csv", "--who", "A", "--period", "2023-08")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "A · 2023-08 · version new (v/b.policy)"
    # 2% of 1,000 = 20
    assert lines[2:4] == ["pay = 20", "    sales * rate   [v/b.policy:8]"]


@pytest.mark.parametrize("engine", ENGINES)
def test_explain_a_prorated_period_shows_each_version_with_its_days(plan, engine):
    explained = attain.load_versions("v").explain("d.csv", "B", period="2023-07", engine=engine)
    text = explained.text()
    # B sells 3,100 in July: the old plan pays 31 (1%) for 14 days, the new one 62 (2%) for 17:
    # (31 x 14 + 62 x 17) / 31 = (434 + 1054) / 31 = 1488 / 31 = 48 exactly
    assert text.startswith("B · 2023-07\n===========\npay = 48.00\n"
                           "    prorated by days: (31 × 14 + 62 × 17) / 31 days, rounded to 0.01   [v/b.policy:4]\n")
    assert "B · 2023-07 · version old (v/a.policy, 14 of 31 days)\n" in text
    assert "B · 2023-07 · version new (v/b.policy, 17 of 31 days)\n" in text
    assert explained.roots[0].value == 48
    doc = json.loads(explained.json())
    assert doc["values"][0]["value"] == "48.00"
    assert [(v["version"], v["days"], v["values"][0]["value"]) for v in doc["versions"]] == [
        ("old", 14, "31"), ("new", 17, "62")]


def test_explain_without_a_period_takes_the_latest_and_a_value_of_one_version(plan):
    r = invoke("explain", "v", "--data", "d.csv", "--who", "A", "--value", "rate")
    assert r.stdout.splitlines()[:3] == ["A · 2023-08 · version new (v/b.policy)", "=" * 38, "rate = 2%"]
    # within July, rate is each version's own: 1% and 2%, not prorated (it is no output)
    r = invoke("explain", "v", "--data", "d.csv", "--who", "A", "--value", "rate", "--period", "2023-07")
    assert "rate: not an output, so not prorated by days: each version's own value is below" in r.stdout
    assert r.stdout.count("rate = 1%") == 1 and r.stdout.count("rate = 2%") == 1


def test_explain_a_value_the_version_in_force_does_not_have(plan):
    write(plan, {"v/b.policy": NEW.replace("rate = 2%\npayout pay = sales * rate", "payout pay = sales * 2%")})
    r = invoke("explain", "v", "--data", "d.csv", "--who", "A", "--value", "rate", "--period", "2023-08")
    assert r.exit_code == 2 and "error[U511]: the policy has no value named 'rate'" in r.stderr
    # in June the old version, which has it, is in force: 1%
    r = invoke("explain", "v", "--data", "d.csv", "--who", "A", "--value", "rate", "--period", "2023-06")
    assert r.exit_code == 0 and "rate = 1%" in r.stdout


def test_explain_a_period_no_version_computes(plan):
    write(plan, {"d.csv": "id,period,sales\nA,2022-12,1\n"})
    r = invoke("explain", "v", "--data", "d.csv", "--who", "A")
    assert r.exit_code == 1 and "error[E321]: no version in" in r.stderr


# ---------------------------------------------------------------- policy tests that target a folder

SUITE = """\
    policy: v
    cases:
      - name: each period by its version
        # June 1% of 1,000 = 10; August 2% = 20; July (10 x 14 + 20 x 17) / 31 = 480 / 31 = 15.48...
        data: d.csv
        expect:
          - {id: A, period: 2023-06, pay: "10", version: old}
          - {id: A, period: 2023-07, pay: "15.48"}
          - {id: A, period: 2023-08, pay: "20", rate: 2%}
      - name: the folder checks
        expect_check: C256
        policy: overlapping
"""


def test_attain_test_runs_a_folder_of_versions_with_every_engine(plan):
    overlapping = OLD.replace("effective 2023-01-01", "effective 2023-01-01\nuntil 2023-12-31")
    write(plan, {"t.test.yaml": SUITE, "overlapping/a.policy": overlapping, "overlapping/b.policy": NEW})
    for engine in ENGINES:
        r = invoke("test", "t.test.yaml", "--engine", engine)
        assert r.exit_code == 0, r.stdout
        assert r.stdout.splitlines()[-1] == "2 passed, 0 failed"


def test_a_failing_expectation_of_a_folder_shows_the_prorated_explanation(plan):
    write(plan, {"t.test.yaml": SUITE.replace('"15.48"', '"15.49"').split("      - name: the folder")[0]})
    r = invoke("test", "t.test.yaml")
    assert r.exit_code == 1
    assert "A 2023-07 pay: expected 15.49, got 15.48" in r.stdout
    assert "prorated by days: (10 × 14 + 20 × 17) / 31 days, rounded to 0.01" in r.stdout


def test_a_test_file_naming_a_missing_folder_is_t608(plan):
    write(plan, {"t.test.yaml": SUITE.replace("policy: v\n", "policy: nowhere\n")})
    r = invoke("test", "t.test.yaml")
    assert r.exit_code == 1 and "error[T608]: the policy 'nowhere' does not exist" in r.stdout


def test_the_pytest_plugin_runs_a_folder_of_versions(pytester):
    write(pytester.path, {"v/a.policy": OLD, "v/b.policy": NEW, "d.csv": DATA,
                          "t.test.yaml": SUITE.split("      - name: the folder")[0]
                          + '      - name: off by a cent\n        data: d.csv\n'
                            '        expect: [{id: A, period: 2023-07, pay: "15.47"}]\n'})
    installed = any(ep.value.split(":")[0] == "attain.pytest_plugin" for ep in entry_points(group="pytest11"))
    result = pytester.runpytest(*([] if installed else ["-p", "attain.pytest_plugin"]), "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*t.test.yaml::each period by its version PASSED*",
                                 "*A 2023-07 pay: expected 15.47, got 15.48*"])


# ---------------------------------------------------------------- diff


def test_diff_lists_a_changed_version_switch(plan):
    write(plan, {"old/a.policy": OLD.replace(", rounded to 0.01", ""),
                 "old/b.policy": NEW.replace(", rounded to 0.01", "")})
    r = invoke("diff", "old", "v", "--data", "d.csv")
    assert r.exit_code == 0, r.stderr
    assert ("header: version switch prorated by days -> prorated by days, rounded to 0.01  (line 4)"
            in r.stdout)
    # July's versions pair by their days: old with old (1-14 July), new with new (15-31 July)
    assert "2023-06 to 2023-07 (2 periods): old/a.policy (version \"old\") -> v/a.policy (version \"old\")" \
        in r.stdout
    assert '2023-07 to 2023-08 (2 periods): old/b.policy (version "new") -> v/b.policy (version "new")' \
        in r.stdout
    assert "old/a.policy (version \"old\") -> v/b.policy" not in r.stdout
    # A's July: 480/31 unrounded before, 15.48 after
    rows = [line.split(",") for line in invoke("diff", "old", "v", "--data", "d.csv", "--format", "csv")
            .stdout.splitlines()[1:]]
    assert ["A", "2023-07", "pay", "15.48387096774193548387", "15.48", "-0.00387096774193548387"] in rows
