"""A pytest plugin that collects policy test files (`*.test.yaml`), one test item per case.

Registered as a `pytest11` entry point, it lets a plain `pytest` run the policy
library's test files beside the Python tests; without the entry point, load it
with `pytest -p attain.pytest_plugin`. A failing case reports the differing
values and their explanations, not a Python traceback; an invalid test file is
a collection error showing its diagnostics (T6xx, with file:line).
See `attain.testing.reader` for the file format.
"""

from __future__ import annotations

import pytest

from attain import testing
from attain.diagnostics import AttainError


def pytest_collect_file(file_path, parent):
    if file_path.name.endswith(testing.SUFFIX):
        return PolicyTestFile.from_parent(parent, path=file_path)
    return None


class PolicyTestFailed(Exception):
    """A case whose expectations were not met."""

    def __init__(self, result: testing.CaseResult):
        super().__init__(result.name)
        self.result = result


class PolicyTestFile(pytest.File):
    """A policy test file; its cases share one `Runner`, so each policy loads once."""

    def collect(self):
        suite = testing.load_suite(self.path)
        runner = testing.Runner()
        for case in suite.cases:
            yield PolicyTestItem.from_parent(self, name=case.name, case=case, runner=runner)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, AttainError):
            return testing.render_diagnostics(excinfo.value.diagnostics)
        return super().repr_failure(excinfo)


class PolicyTestItem(pytest.Item):
    """One case of a policy test file."""

    def __init__(self, *, case: testing.Case, runner: testing.Runner, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.runner = runner

    def runtest(self):
        result = testing.run_case(self.case, self.runner)
        if not result.passed:
            raise PolicyTestFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PolicyTestFailed):
            return testing.render_case(excinfo.value.result)
        if isinstance(excinfo.value, AttainError):
            return testing.render_diagnostics(excinfo.value.diagnostics)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"{self.path.name}: {self.case.name}"
