"""Policy tests: YAML files that run a policy over a few rows and expect exact results.

A policy test file is named `*.test.yaml` and sits beside the policy it tests.
`attain test [PATHS...]` runs every test file under the given files and folders,
and pytest collects the same files (one test per case) through
`attain.pytest_plugin`, so one `pytest` tests the whole repository.

The file format is documented in `attain.testing.reader`. The parts, in the
order a test file goes through them:

    reader   a test file -> a Suite (spec), every problem a T6xx diagnostic
             (nodes: the YAML node tree, with a position for every problem)
    runner   each Case checked and/or run through the policy API
             (compare: expected text vs result value, exactly)
    report   the CaseResults as PASS/FAIL lines, failures with explanations

Python API
----------

    from attain import testing
    files = testing.discover(["policies"])            # paths of *.test.yaml files
    suite = testing.load_suite(files[0])              # raises AttainError (T6xx)
    results = testing.run_suite(suite)                # [CaseResult(name, file, passed, failures)]
    print(testing.render_results(results))            # PASS/FAIL lines, then "N passed, M failed"
    results = testing.run_paths(["policies"])         # all of it; invalid files become failed results
    results = testing.run_paths(["policies"], engine="reference")  # every case by the reference evaluator
    code = testing.exit_code(results)                 # 0 if every case passed, else 1
    testing.run_case(case, testing.Runner())          # one case (a Runner loads each policy once;
                                                      # Runner("reference") runs it with that engine)
    testing.render_case(result)                       # one case's failures with their explanations
    testing.render_diagnostics(error.diagnostics)     # T6xx (and other) diagnostics, with excerpts
"""

from attain.testing.reader import discover, load_suite
from attain.testing.report import CaseResult, Failure, render_case, render_diagnostics, render_results
from attain.testing.runner import Runner, exit_code, run_case, run_paths, run_suite
from attain.testing.spec import SUFFIX, Case, Suite

__all__ = [
    "SUFFIX",
    "Case",
    "CaseResult",
    "Failure",
    "Runner",
    "Suite",
    "discover",
    "exit_code",
    "load_suite",
    "render_case",
    "render_diagnostics",
    "render_results",
    "run_case",
    "run_paths",
    "run_suite",
]
