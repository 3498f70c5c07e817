"""The whole policy library: every policy checks as it should, and runs and explains over its sample.

- A policy whose file name contains `as-written` transcribes a document with its gaps:
  it must have at least one checker error.
- Every other policy must have no errors.
- Every folder's sample data runs through every policy in it that has no errors
  (`attain run`, exit 0), and `attain explain` works for the first employee.
- A folder may hold several data files: `library_samples.sample_of` says which one
  each policy runs over.

A source document's worked example is asserted in one place: the policy's own test file
(`policies/<case>/*.test.yaml`, with the hand calculation in its comments), which both
`attain test` and pytest run. The test modules beside this one add edge cases, explanations and
errors, and do not restate it.
"""

import csv

import pytest
from click.testing import CliRunner
from library_samples import AS_WRITTEN, FIXED, POLICIES, data_args, ident, sample_data, sample_of

import attain
from attain.cli import main


def first_employee(data):
    with open(data, newline="", encoding="utf-8-sig") as f:
        row = next(csv.DictReader(f))
    return next(row[c] for c in ("id", "employee", "employee_id", "工号", "员工编号", "编号") if c in row)


def test_the_library_is_all_there():
    names = {ident(p) for p in POLICIES}
    assert {
        "doc002/incentive.policy",
        "doc002/incentive-as-written.policy",
        "case1/pay.policy",
        "case2/commission.policy",
        "case3/commission.policy",
        "case5/pay.policy",
        "case5/pay-as-written.policy",
        "case5/pay-window.policy",
        "case6/score.policy",
        "doc000/scorecard.policy",
        "doc000/pace.policy",
        "doc002/incentive-top5.policy",
    } <= names


@pytest.mark.parametrize("policy", FIXED, ids=ident)
def test_fixed_policies_have_no_errors(policy):
    errors = [(d.code, d.span.line if d.span else None, d.message) for d in attain.check(policy) if d.is_error]
    assert errors == []


@pytest.mark.parametrize("policy", AS_WRITTEN, ids=ident)
def test_as_written_policies_have_errors(policy):
    assert any(d.is_error for d in attain.check(policy))


@pytest.mark.parametrize("policy", FIXED, ids=ident)
def test_run_works_on_the_sample(policy):
    data = sample_of(policy)
    result = CliRunner().invoke(main, ["run", str(policy), *data_args(policy), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert first_employee(data) in result.output


@pytest.mark.parametrize("policy", FIXED, ids=ident)
def test_explain_works_for_the_first_employee(policy):
    data = sample_of(policy)
    who = first_employee(data)
    result = CliRunner().invoke(main, ["explain", str(policy), *data_args(policy), "--who", who])
    assert result.exit_code == 0, result.output
    assert who in result.output
    text = attain.load(policy).explain(sample_data(policy), who=who).text()
    for name in attain.load(policy).outputs:
        assert name in text


@pytest.mark.parametrize("policy", AS_WRITTEN, ids=ident)
def test_run_refuses_an_as_written_policy(policy):
    result = CliRunner().invoke(main, ["run", str(policy), "--data", str(sample_of(policy))])
    assert result.exit_code != 0
