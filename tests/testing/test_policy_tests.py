"""Policy test files (`*.test.yaml`): the runner in attain.testing and the pytest plugin."""

import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from attain import testing
from attain.diagnostics import AttainError

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

POLICY = """\
policy "test bonus"
period month

input sales  : money
input target : money
input rate   : percent

attainment = sales / target
tier = first match
    high : attainment >= 100% -> coefficient 1.2
    low  : otherwise          -> coefficient 0

output attainment, tier
flag star "star" when attainment >= 120%
payout bonus = round(sales * rate * tier.coefficient, 0.01)
"""

# `band` leaves 50% to 60% uncovered: C216 on line 5
GAP = """\
policy "gap"
input sales  : money
input target : money
attainment = sales / target
score = band attainment
    >= 60%    -> 100
    below 50% -> 0
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "bonus.policy", POLICY)
    write(tmp_path, "gap.policy", GAP)
    write(tmp_path, "sample.csv", "id,sales,target,rate\nA,\"1,200\",1000,0.95\nB,500,1000,5%\n")
    return tmp_path


def run(path: Path) -> list[testing.CaseResult]:
    return testing.run_suite(testing.load_suite(path))


def failures(result: testing.CaseResult) -> str:
    return testing.render_case(result)


# ---------------------------------------------------------------- passing


def test_a_passing_suite(folder):
    path = write(folder, "bonus.test.yaml", """\
        policy: bonus.policy
        cases:
          - name: inline rows
            # 1,000 × 0.95 × 1.2 = 1,140
            rows:
              - {id: A, sales: 1000, target: 1000, rate: 0.95}
            expect:
              A:
                bonus: "1140.00"
                attainment: "1"
                tier: high
                star: false
          - name: data file
            data: sample.csv
            expect:
              A: {bonus: "1368.00", attainment: 120%, star: true}
              B: {bonus: 0, tier: low}
          - name: the list form
            data: sample.csv
            expect:
              - {id: B, bonus: "0.00"}
          - name: the gap
            policy: gap.policy
            expect_check: {code: C216, line: 5, message: "50% to 60%"}
        """)
    results = run(path)
    assert [(r.name, r.passed) for r in results] == [
        ("inline rows", True), ("data file", True), ("the list form", True), ("the gap", True)]
    assert all(r.file == path and r.failures == [] for r in results)
    text = testing.render_results(results)
    assert text.splitlines()[-1] == "4 passed, 0 failed"
    assert text.splitlines()[0].startswith("PASS")


def test_numbers_compare_exactly_by_value(folder):
    path = write(folder, "exact.test.yaml", """\
        policy: bonus.policy
        defaults: {target: 1000, rate: 0.95}
        cases:
          - name: same value, other scale
            rows: [{id: A, sales: 1000}]
            expect: {A: {bonus: 1140, attainment: "1.00", rate: 95%}}
          - name: a thousandth off
            rows: [{id: A, sales: 1000}]
            expect: {A: {bonus: "1140.001"}}
          - name: a fraction
            # 1,000 / 3,000 = 1/3, which has no decimal form
            rows: [{id: A, sales: 1000, target: 3000}]
            expect: {A: {attainment: 1/3}}
        """)
    same, off, fraction = run(path)
    assert same.passed, failures(same)
    assert not off.passed
    assert off.failures[0].message == "A bonus: expected 1140.001, got 1140.00"
    assert fraction.passed, failures(fraction)


def test_yaml_numbers_stay_exact_text(folder):
    # 0.1 + 0.2 as floats is not 0.3; as the text YAML wrote, it is.
    write(folder, "sum.policy", 'policy "sum"\ninput a : number\ninput b : number\noutput total\ntotal = a + b\n')
    path = write(folder, "sum.test.yaml", """\
        policy: sum.policy
        cases:
          - name: no floats
            rows: [{id: A, a: 0.1, b: 0.2}, {id: B, a: 1_000, b: +5}]
            expect: {A: {total: "0.3", a: "0.1"}, B: {total: "1005"}}
        """)
    suite = testing.load_suite(path)
    rows = suite.cases[0].rows
    assert rows.columns == ("id", "a", "b")
    assert [r.cells for r in rows.rows] == [{"id": "A", "a": "0.1", "b": "0.2"}, {"id": "B", "a": "1000", "b": "5"}]
    assert rows.rows[0].line == 4
    (result,) = testing.run_suite(suite)
    assert result.passed, failures(result)


def test_periods_are_named_with_the_employee(folder):
    path = write(folder, "months.test.yaml", """\
        policy: bonus.policy
        defaults: {id: A, target: 1000, rate: 10%}
        cases:
          - name: two months
            rows:
              - {period: 2023-07, sales: 1000}
              - {period: 2023-08, sales: 1300}
            expect:
              A 2023-07: {bonus: "120.00"}
              A 2023-08: {bonus: "156.00", star: true}
          - name: the list form
            rows:
              - {period: 2023-07, sales: 1000}
            expect:
              - {id: A, period: 2023-07, bonus: "120.00"}
              - {id: A, bonus: "120.00"}
          - name: which month?
            rows:
              - {period: 2023-07, sales: 1000}
              - {period: 2023-08, sales: 1300}
            expect:
              A: {bonus: "120.00"}
              A 2023-09: {bonus: "120.00"}
        """)
    two, listed, unclear = run(path)
    assert two.passed, failures(two)
    assert listed.passed, failures(listed)
    assert [f.message for f in unclear.failures] == [
        'A bonus: A has results for 2 periods (2023-07, 2023-08); name one, as "A 2023-08"',
        "A 2023-09 bonus: A has no result for period '2023-09'; their periods: 2023-07, 2023-08",
    ]


# ---------------------------------------------------------------- failing


def test_a_wrong_expectation_fails_with_the_difference_and_the_explanation(folder):
    path = write(folder, "wrong.test.yaml", """\
        policy: bonus.policy
        cases:
          - name: right
            data: sample.csv
            expect: {A: {bonus: "1368.00"}}
          - name: wrong
            data: sample.csv
            expect:
              A: {bonus: "1368.01", tier: low, star: false}
              B: {bonus: "0.00"}
        """)
    right, wrong = run(path)
    assert right.passed and not wrong.passed
    assert [(f.who, f.value, f.expected, f.got) for f in wrong.failures] == [
        ("A", "bonus", "1368.01", "1368.00"), ("A", "tier", '"low"', '"high"'), ("A", "star", "false", "true")]
    first = wrong.failures[0]
    assert first.message == "A bonus: expected 1368.01, got 1368.00"
    assert "bonus = 1,368.00" in first.explanation
    assert "round(sales * rate * tier.coefficient, 0.01)" in first.explanation
    assert "sales = 1,200" in first.explanation  # down to the data cell
    text = testing.render_results([right, wrong])
    lines = text.splitlines()
    assert lines[0].startswith("PASS") and lines[0].endswith("right")
    assert lines[1].startswith("FAIL") and lines[1].endswith("wrong")
    assert lines[2] == "    A bonus: expected 1368.01, got 1368.00"
    assert lines[3].startswith("        A")  # the explanation, indented below it
    assert "        bonus = 1,368.00" in lines
    assert lines[-1] == "1 passed, 1 failed"
    assert lines[-2] == ""


def test_unknown_employees_and_values_fail_with_suggestions(folder):
    path = write(folder, "names.test.yaml", """\
        policy: bonus.policy
        cases:
          - name: typos
            data: sample.csv
            expect:
              C: {bonus: 1}
              A: {bonsu: 1}
              B 2023-07: {bonus: 0}
        """)
    (result,) = run(path)
    messages = [f.message for f in result.failures]
    assert messages[0].startswith("C bonus: no employee 'C' in the results")
    assert messages[1] == "A bonsu: the policy has no value named 'bonsu'; did you mean 'bonus'?"
    assert messages[2].startswith("B 2023-07 bonus: the results have no periods")


def test_a_value_that_is_not_an_output_is_read_from_the_explanation(folder):
    write(folder, "inner.policy",
          'policy "inner"\ninput sales : money\nhalf = sales / 2\npayout pay = round(half, 1)\n')
    path = write(folder, "inner.test.yaml", """\
        policy: inner.policy
        cases:
          - name: inner value
            rows: [{id: A, sales: 5}]
            expect: {A: {half: "2.5", pay: 3, sales: 5}}
          - name: inner value wrong
            rows: [{id: A, sales: 5}]
            expect: {A: {half: "2.4"}}
        """)
    ok, wrong = run(path)
    assert ok.passed, failures(ok)
    assert wrong.failures[0].message == "A half: expected 2.4, got 2.5"
    assert "half = 2.5" in wrong.failures[0].explanation


def test_expect_check_passes_and_fails(folder):
    path = write(folder, "check.test.yaml", """\
        cases:
          - name: found
            policy: gap.policy
            expect_check: C216
          - name: on that line
            policy: gap.policy
            expect_check: [{code: C216, line: 5}]
          - name: wrong line
            policy: gap.policy
            expect_check: {code: C216, line: 6}
          - name: not there
            policy: bonus.policy
            expect_check: C216
        """)
    found, line, wrong_line, missing = run(path)
    assert found.passed and line.passed
    assert not wrong_line.passed
    (f,) = wrong_line.failures
    assert f.message == "expected check C216 at line 6, got C216 at line 5 (band leaves 50% to 60% uncovered)"
    assert "error[C216]: band leaves 50% to 60% uncovered" in f.explanation
    assert "5 | score = band attainment" in f.explanation
    assert [f.message for f in missing.failures] == ["expected check C216, got no findings"]


def test_expect_error_for_bad_data(folder):
    path = write(folder, "errors.test.yaml", """\
        policy: bonus.policy
        cases:
          - name: refused
            rows: [{id: A, sales: lots, target: 1000, rate: 5%}]
            expect_error: D413
          - name: not refused
            rows: [{id: A, sales: 1, target: 1000, rate: 5%}]
            expect_error: D413
          - name: unexpected error
            rows: [{id: A, sales: lots, target: 1000, rate: 5%}]
            expect: {A: {bonus: 0}}
          - name: a missing column
            rows: [{id: A, sales: 1, rate: 5%}]
            expect: {A: {bonus: 0}}
        """)
    refused, not_refused, unexpected, missing = run(path)
    assert refused.passed, failures(refused)
    assert not_refused.failures[0].message == "expected error D413, but the policy ran without errors"
    assert unexpected.failures[0].message == "running the policy over the case's data failed"
    assert "error[D413]" in unexpected.failures[0].explanation
    # the rows' "header" is where `rows:` is written
    assert "error[D411]" in missing.failures[0].explanation
    assert f"{path}:13:5" in missing.failures[0].explanation


def test_a_bad_inline_cell_is_placed_at_its_value_or_the_default_it_took(folder):
    path = write(folder, "cells.test.yaml", """\
        policy: bonus.policy
        defaults: {rate: 5x}
        cases:
          - name: a bad value
            rows:
              - {id: A, period: 2023-01, sales: 100, target: 100, rate: 5%}
              - {id: B, period: 2023-01, sales: 1x, target: 100, rate: 5%}
              - {id: A, period: 2023-01, sales: 100, target: 100, rate: 5%}
            expect: {A: {bonus: 0}}
          - name: a bad default
            rows: [{id: A, period: 2023-01, sales: 100, target: 100}]
            expect: {A: {bonus: 0}}
        """)
    value, default = run(path)
    # "1x" on line 7 at column 41 (after the 40 characters of `      - {id: B, period: 2023-01, sales: `)
    assert f'error[D413]: expected money, got "1x" (field \'sales\')\n --> {path}:7:41' in value.failures[0].explanation
    # the second A, on line 8: its id at column 14
    assert f"error[D414]: employee 'A' appears twice in 2023-01 (rows 6 and 8: field 'id')\n --> {path}:8:14" \
        in value.failures[0].explanation
    # a cell the row leaves to the file's defaults is placed where the default is written
    assert f'got "5x" (field \'rate\')\n --> {path}:2:18' in default.failures[0].explanation


def test_a_policy_with_errors_fails_its_cases(folder):
    path = write(folder, "broken.test.yaml", """\
        policy: gap.policy
        cases:
          - name: runs
            rows: [{id: A, sales: 1, target: 1}]
            expect: {A: {score: 100}}
        """)
    (result,) = run(path)
    assert result.failures[0].message == f"the policy {str(folder / 'gap.policy')!r} does not load"
    assert "error[C216]" in result.failures[0].explanation


# ---------------------------------------------------------------- invalid test files


def problems(folder: Path, text: str) -> list[tuple[str, int | None, str]]:
    path = write(folder, "bad.test.yaml", text)
    with pytest.raises(AttainError) as e:
        testing.load_suite(path)
    assert all(d.span is None or d.span.file == str(path) for d in e.value.diagnostics)
    return [(d.code, d.span.line if d.span else None, d.message) for d in e.value.diagnostics]


def test_unknown_keys_are_named_with_their_line(folder):
    found = problems(folder, """\
        policy: bonus.policy
        cases:
          - name: a
            data: sample.csv
            expcet: {A: {bonus: 1}}
        """)
    assert ("T604", 5, "unknown key 'expcet' in case 1") in found
    path = folder / "bad.test.yaml"
    with pytest.raises(AttainError) as e:
        testing.load_suite(path)
    text = testing.render_diagnostics(e.value.diagnostics)
    assert "did you mean 'expect'?" in text
    assert "5 |     expcet: {A: {bonus: 1}}" in text


def test_missing_policy(folder):
    assert problems(folder, "cases:\n  - name: a\n    expect_check: C216\n") == [
        ("T605", 2, "case 'a' names no policy")]
    assert problems(folder, "policy: nowhere.policy\ncases:\n  - name: a\n    expect_check: C216\n") == [
        ("T608", 1, "the policy 'nowhere.policy' does not exist")]
    assert problems(folder, "policy: bonus.policy\n") == [("T605", 1, "the test file has no `cases`")]


def test_bad_expectations(folder):
    found = problems(folder, """\
        policy: bonus.policy
        cases:
          - name: a
            data: sample.csv
            expect: {A: 5}
          - name: b
            data: sample.csv
            expect: [{period: 2023-07, bonus: 1}]
          - name: c
            data: sample.csv
            expect: {A: {bonus: [1, 2]}}
          - name: d
            expect: {A: {bonus: 1}}
          - name: e
            expect_check: C21
          - name: f
            data: sample.csv
        """)
    codes = {(code, line) for code, line, _ in found}
    assert codes == {("T607", 5), ("T607", 8), ("T607", 11), ("T606", 13), ("T607", 15), ("T605", 16)}
    messages = {(code, line): message for code, line, message in found}
    assert messages[("T607", 5)] == "the values expected of 'A' must be a mapping, not a single value"
    assert messages[("T607", 8)] == "item 1 of `expect` of case 'b' names no employee"
    assert messages[("T606", 13)] == "case 'd' has `expect` but no input"
    assert messages[("T607", 15)] == "`expect_check` has 'C21', which is not a diagnostic code"
    assert messages[("T605", 16)] == "case 'f' gives input but expects nothing"


def test_bad_rows_and_shapes(folder):
    found = problems(folder, """\
        policy: bonus.policy
        cases:
          - name: a
            rows: [{id: A, sales: [1, 2]}]
            expect: {A: {bonus: 1}}
          - name: a
            rows: [{id: A, sales: 1}]
            data: sample.csv
            expect: {A: {bonus: 1}}
          - name: a
            expect_check: C216
        """)
    assert ("T603", 4, "row 1 of case 'a' has a list in column 'sales'; a cell holds one value") in found
    assert ("T606", 8, "case 'a' has both `rows` and `data`") in found
    assert ("T609", 10, "two cases are named 'a' (lines 3 and 10)") in found
    assert problems(folder, "policy: [bonus.policy\n")[0][0] == "T602"
    assert problems(folder, "")[0][:2] == ("T603", None)
    assert problems(folder, "- just a list\n") == [("T603", 1, "the test file must be a mapping, not a list")]
    assert problems(folder, "policy: bonus.policy\ncases:\n  - name: a\n    name: b\n    expect_check: C216\n")[0] \
        == ("T604", 4, "case 1 has the key 'name' twice")


def test_discover_finds_test_files_in_folders(folder):
    (folder / "sub").mkdir()
    (folder / ".hidden").mkdir()
    a = write(folder, "a.test.yaml", "")
    b = write(folder / "sub", "b.test.yaml", "")
    write(folder / ".hidden", "c.test.yaml", "")
    write(folder, "data.yaml", "")
    assert testing.discover([folder]) == [a, b]
    assert testing.discover([str(b), folder]) == [b, a]
    with pytest.raises(AttainError) as e:
        testing.discover([folder / "nowhere"])
    assert e.value.diagnostics[0].code == "T601"


def test_run_paths_reports_invalid_files_as_failures(folder):
    write(folder, "good.test.yaml", "policy: gap.policy\ncases:\n  - name: gap\n    expect_check: C216\n")
    write(folder, "bad.test.yaml", "policy: gap.policy\ncases: 5\n")
    results = testing.run_paths([folder])
    assert [(r.file.name, r.passed) for r in results] == [("bad.test.yaml", False), ("good.test.yaml", True)]
    assert "error[T603]" in results[0].failures[0].explanation
    assert testing.exit_code(results) == 1
    assert testing.render_results(results).endswith("\n1 passed, 1 failed\n")
    (folder / "empty").mkdir()
    with pytest.raises(AttainError) as e:
        testing.run_paths([folder / "empty"])
    assert e.value.diagnostics[0].code == "T610"


# ---------------------------------------------------------------- the library's own test files


LIBRARY = ["doc002/incentive.test.yaml", "case1/pay.test.yaml", "case2/commission.test.yaml",
           "case3/commission.test.yaml", "case5/pay.test.yaml"]


def test_the_library_test_files_pass():
    files = testing.discover([ROOT / "policies"])
    names = {str(f.relative_to(ROOT / "policies")) for f in files}
    assert set(LIBRARY) <= names
    results = testing.run_paths([ROOT / "policies"])
    assert all(r.passed for r in results), testing.render_results(results)
    checks = {(r.file.parent.name, r.name) for r in results}
    assert ("doc002", "the document leaves 80% to 100% without an attainment score") in checks
    assert ("case5", "the document as written leaves 50% to 60% uncovered") in checks


# ---------------------------------------------------------------- the pytest plugin


def plugin_args() -> list[str]:
    """Load the plugin with -p unless an installed entry point already loads it (twice would be an error)."""
    installed = any(ep.value.split(":")[0] == "attain.pytest_plugin" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "attain.pytest_plugin"]


def test_the_plugin_collects_one_item_per_case(pytester):
    write(pytester.path, "bonus.policy", POLICY)
    write(pytester.path, "gap.policy", GAP)
    write(pytester.path, "bonus.test.yaml", """\
        policy: bonus.policy
        cases:
          - name: on target
            rows: [{id: A, sales: 1000, target: 1000, rate: 0.95}]
            expect: {A: {bonus: "1140.00"}}
          - name: off by a cent
            rows: [{id: A, sales: 1000, target: 1000, rate: 0.95}]
            expect: {A: {bonus: "1140.01"}}
          - name: the gap
            policy: gap.policy
            expect_check: C216
        """)
    result = pytester.runpytest(*plugin_args(), "-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*bonus.test.yaml::on target PASSED*",
        "*bonus.test.yaml::off by a cent FAILED*",
        "*bonus.test.yaml::the gap PASSED*",
        "*FAILURES*",
        "A bonus: expected 1140.01, got 1140.00",
        "    bonus = 1,140.00",
        "FAILED bonus.test.yaml::off by a cent - A bonus: expected 1140.01, got 1140.00",
        "*1 failed, 2 passed*",
    ])
    assert "Traceback" not in result.stdout.str()
    assert "testing.py" not in result.stdout.str()
    assert "attain/testing/" not in result.stdout.str()  # no frame of the package since it was split


def test_the_plugin_reports_an_invalid_file_as_a_collection_error(pytester):
    write(pytester.path, "bonus.policy", POLICY)
    write(pytester.path, "bad.test.yaml", "policy: bonus.policy\ncases:\n  - name: a\n    expct: 1\n")
    result = pytester.runpytest(*plugin_args())
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "error[T604]: unknown key 'expct' in case 1" in out
    assert "bad.test.yaml:4:5" in out
    assert "did you mean 'expect'?" in out
    assert "T605" not in out  # a misspelt key is not also reported as a missing one
    assert "Traceback" not in out


def test_the_plugin_selects_cases_by_name(pytester):
    write(pytester.path, "gap.policy", GAP)
    write(pytester.path, "gap.test.yaml", """\
        policy: gap.policy
        cases:
          - {name: first, expect_check: C216}
          - {name: second, expect_check: C999}
        """)
    result = pytester.runpytest(*plugin_args(), "-k", "first")
    result.assert_outcomes(passed=1, deselected=1)
