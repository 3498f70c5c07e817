"""Engines, the policy library: every policy test case and every sample run by every engine, alike.

`attain.engine.runner.ENGINES` names the engines; an engine added there is held to the same
results as the others by every test here, with nothing else to change. The policy test files
are found and read by `attain.testing` (each case's policy and data as `attain test` resolves
them), the samples by `library_samples.sample_of`.
"""

from pathlib import Path

import pytest
from click.testing import CliRunner
from differential import assert_engines_agree
from engine_choice import CORPUS_ENGINES as ENGINES
from engine_choice import SPARK_ENGINES
from library_samples import FIXED, ROOT, data_args, ident, sample_data, sample_of

import attain
from attain import testing
from attain.cli import main
from attain.diagnostics import AttainError

POLICIES = ROOT / "policies"
# Test files in tests/ run data too, wherever one is added.
TEST_FILES = testing.discover([POLICIES, ROOT / "tests"])


def running_cases() -> list[testing.Case]:
    return [case for file in TEST_FILES for case in testing.load_suite(file).cases if case.runs]


def case_id(case: testing.Case) -> str:
    return f"{case.file.relative_to(ROOT)}::{case.name}"


def folders_of_versions() -> list[Path]:
    """The library's folders that run as versions of one policy (every version dated)."""
    found = []
    for folder in sorted({p.parent for p in FIXED}):
        try:
            attain.load_versions(folder)
        except AttainError:
            continue
        found.append(folder)
    return found


RUNNER = testing.Runner()  # loads each policy once; the engine is chosen per run below


def test_the_corpus_has_cases_samples_and_versions():
    assert len(running_cases()) >= 19
    assert len(FIXED) >= 12
    assert folders_of_versions()
    assert len(ENGINES) >= 2


@pytest.mark.parametrize("case", running_cases(), ids=case_id)
def test_every_case_runs_alike_with_every_engine(case):
    policy = RUNNER.load(case.policy)
    assert_engines_agree(lambda engine: policy.run(case.source, case.id_column, engine=engine), case_id(case))


@pytest.mark.parametrize("path", FIXED, ids=ident)
def test_every_policy_runs_its_sample_alike_with_every_engine(path):
    policy = attain.load(path)
    data = sample_data(path)
    found = assert_engines_agree(lambda engine: policy.run(data, engine=engine), ident(path), SPARK_ENGINES)
    assert found.rows and not found.diagnostics
    written = {}
    for engine in SPARK_ENGINES:
        result = CliRunner().invoke(main, ["run", str(path), *data_args(path), "--format", "csv",
                                           "--engine", engine])
        assert result.exit_code == 0, result.output
        written[engine] = result.stdout_bytes
    first = SPARK_ENGINES[0]
    for engine in SPARK_ENGINES[1:]:
        assert written[engine] == written[first], f"{ident(path)}: the CSV of {engine} differs from {first}'s"


@pytest.mark.parametrize("folder", folders_of_versions(), ids=lambda f: f.name)
def test_every_folder_of_versions_runs_each_sample_alike_with_every_engine(folder):
    versions = attain.load_versions(folder)
    for data in sorted({sample_of(p) for p in FIXED if p.parent == folder} | set(folder.glob("*.csv"))):
        assert_engines_agree(lambda engine, data=data: versions.run(data, engine=engine), f"{folder.name}: {data.name}")


def test_attain_test_checks_every_expectation_with_each_engine():
    cases = sum(len(testing.load_suite(f).cases) for f in testing.discover([POLICIES]))
    assert cases > 0
    for engine in ENGINES:
        result = CliRunner().invoke(main, ["test", "--engine", engine, str(POLICIES)])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == f"{cases} passed, 0 failed"


def test_a_runner_refuses_an_unknown_engine():
    with pytest.raises(ValueError, match="unknown engine 'fast'"):
        testing.Runner("fast")
