"""Engines, the policy library: every policy test case and every sample run by every engine, alike.

`attain.engine.runner.ENGINES` names the engines; an engine added there is held to the same
results as the others by every test here, with nothing else to change.
"""

import pytest
from click.testing import CliRunner
from library_samples import ROOT

from attain import testing
from attain.cli import main
from attain.engine.runner import ENGINES

POLICIES = ROOT / "policies"


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
