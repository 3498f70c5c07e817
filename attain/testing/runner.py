"""Policy tests, running: each Case checked and/or run through the policy API, its expectations compared.

`check` expectations compare the checker's findings; `expect_error` the data
errors of a run; `expect` the values of the results, or of a policy's inner
values through their explanation. A differing value becomes a `Failure`
carrying that value's explanation. A `Runner` names the engine every case is
run with (`attain.engine.runner.ENGINES`; the compiled plan unless told).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs

from attain.api import Policy, Results, check, load
from attain.diagnostics import AttainError, Diagnostic, sort_diagnostics
from attain.engine.periods import parse_period
from attain.engine.runner import ENGINES
from attain.engine.trace import TierValue, Trace
from attain.exact import to_decimal
from attain.i18n.messages import joined, say
from attain.io import Table
from attain.testing.compare import compare, show, show_expected
from attain.testing.reader import discover, load_suite
from attain.testing.report import CaseResult, Failure, render_diagnostics
from attain.testing.spec import SUFFIX, Case, Expectation, Suite
from attain.versions import Versions, check_versions, load_versions


class Runner:
    """Loads and checks each policy once, for all the cases that name it, and runs them with one engine.

    A case's policy may be a folder of versions: each period is then computed by the version in force.
    """

    def __init__(self, engine: str = "python") -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}")
        self.engine = engine
        self._loaded: dict[Path, Policy | Versions | AttainError] = {}
        self._checked: dict[Path, list[Diagnostic]] = {}

    def load(self, path: Path) -> Policy | Versions:
        key = path.resolve()
        if key not in self._loaded:
            try:
                self._loaded[key] = load_versions(path) if path.is_dir() else load(path)
            except AttainError as e:
                self._loaded[key] = e
        found = self._loaded[key]
        if isinstance(found, AttainError):
            raise found
        return found

    def check(self, path: Path) -> list[Diagnostic]:
        key = path.resolve()
        if key not in self._checked:
            self._checked[key] = check_versions(path) if path.is_dir() else check(path)
        return self._checked[key]


def run_suite(suite: Suite, runner: Runner | None = None) -> list[CaseResult]:
    """Run every case of a suite."""
    runner = runner or Runner()
    return [run_case(case, runner) for case in suite.cases]


def run_paths(paths: Sequence[str | Path], engine: str = "python", lang: str = "en") -> list[CaseResult]:
    """Discover, load and run every test file under `paths` with `engine`; an invalid test file is one failed result.

    The problems of an invalid test file (T6xx) are said in `lang`; the rest of the report is English.

    Raises `AttainError` (T601) for a path that does not exist, and (T610) when there are no test files.
    """
    files = discover(paths)
    if not files:
        raise AttainError([Diagnostic("T610", say("T610", paths=joined(map(str, paths))),
                                      hint=say("T610.hint", suffix=SUFFIX))])
    runner = Runner(engine)
    results: list[CaseResult] = []
    for file in files:
        try:
            suite = load_suite(file)
        except AttainError as e:
            results.append(CaseResult("(the test file is invalid)", file, False,
                                      [Failure("the test file is invalid",
                                               explanation=render_diagnostics(e.diagnostics, known=e.sources,
                                                                              lang=lang))]))
            continue
        results.extend(run_suite(suite, runner))
    return results


def exit_code(results: Iterable[CaseResult]) -> int:
    """0 when every case passed, else 1."""
    return 0 if all(r.passed for r in results) else 1


def run_case(case: Case, runner: Runner | None = None) -> CaseResult:
    """Run one case: check the policy and/or run it over the case's data, and compare."""
    runner = runner or Runner()
    failures: list[Failure] = []
    if case.expect_check:
        failures.extend(_compare_check(case, runner.check(case.policy)))
    if case.runs:
        failures.extend(_run_and_compare(case, runner))
    return CaseResult(case.name, case.file, not failures, failures, case.line)


# ---------------------------------------------------------------- expected diagnostics


def _compare_check(case: Case, found: list[Diagnostic]) -> list[Failure]:
    missing = [e for e in case.expect_check if not any(e.matches(d) for d in found)]
    if not missing:
        return []
    got = _codes_text(found, case.policy) if found else "no findings"
    expected = " and ".join(map(str, missing))
    return [Failure(f"expected check {expected}, got {got}", expected=expected, got=got,
                    explanation=render_diagnostics(found, known=getattr(found, "sources", None)) if found else "")]


def _codes_text(found: list[Diagnostic], policy: Path | None = None) -> str:
    parts = []
    for d in found:
        where = f" at line {d.span.line}" if d.span is not None else ""
        if d.span is not None and policy is not None and Path(d.span.file).resolve() != policy.resolve():
            where = f" at {d.span.file}:{d.span.line}"
        parts.append(f"{d.code}{where} ({d.message})")
    return "; ".join(parts)


def _run_and_compare(case: Case, runner: Runner) -> list[Failure]:
    try:
        policy = runner.load(case.policy)
    except AttainError as e:
        return [Failure(f"the policy {str(case.policy)!r} does not load", got=_codes_text(e.diagnostics),
                        explanation=render_diagnostics(e.diagnostics, known=e.sources))]
    data = case.source
    try:
        results = policy.run(data, case.id_column, engine=runner.engine)
    except AttainError as error:
        # sorted as an AttainError sorts them, now that some may point at `rows:`
        found = sort_diagnostics(_relocate(error.diagnostics, case))
        if case.expect_error:
            return _compare_error(case, found)
        return [Failure("running the policy over the case's data failed", got=_codes_text(found),
                        explanation=render_diagnostics(found, skip=case.file, known=error.sources))]
    if case.expect_error:
        expected = " and ".join(map(str, case.expect_error))
        return [Failure(f"expected error {expected}, but the policy ran without errors",
                        expected=expected, got="no errors")]
    assert data is not None  # a case that runs has rows or data
    return _compare_values(case, policy, data, results, runner.engine)


def _compare_error(case: Case, found: list[Diagnostic]) -> list[Failure]:
    missing = [x for x in case.expect_error if not any(x.matches(d) for d in found)]
    if not missing:
        return []
    got = _codes_text(found)
    expected = " and ".join(map(str, missing))
    return [Failure(f"expected error {expected}, got {got}", expected=expected, got=got,
                    explanation=render_diagnostics(found, skip=case.file))]


def _relocate(diagnostics: list[Diagnostic], case: Case) -> list[Diagnostic]:
    """Data errors about inline rows' "header" (line 1 of a data file) point at the case's `rows:` instead."""
    if case.rows is None or case.rows_span is None:
        return diagnostics
    lines = {r.line for r in case.rows.rows}
    out = []
    for d in diagnostics:
        if d.span is not None and d.span.file == case.rows.file and d.span.line == 1 and 1 not in lines:
            d = attrs.evolve(d, span=case.rows_span)
        out.append(d)
    return out


# ---------------------------------------------------------------- expected values


def _versions(policy: Policy | Versions) -> tuple[Policy, ...]:
    return policy.policies if isinstance(policy, Versions) else (policy,)


def _compare_values(case: Case, policy: Policy | Versions, data: Table | Path, results: Results,
                    engine: str) -> list[Failure]:
    key = results.columns[0]
    periodic = "period" in results.columns
    by_who: dict[str, list[dict]] = {}
    for result in results.rows:
        by_who.setdefault(result[key], []).append(result)
    failures: list[Failure] = []
    for exp in case.expect:
        row, problem = _find_row(exp, by_who, periodic, policy)
        if row is None:
            failures.append(Failure(problem, who=exp.key, period=exp.period, value=exp.value,
                                    expected=exp.expected))
            continue
        who = row[key]
        period = row["period"] if periodic else None
        label = who + (f" {period}" if period else "")
        if exp.value in row and exp.value not in (key, "period"):
            got = row[exp.value]
        else:
            known = list(dict.fromkeys(name for version in _versions(policy)
                                       for name in (*version.model.inputs, *version.model.definitions)))
            if exp.value not in known:
                close = difflib.get_close_matches(exp.value, [*results.columns[1:], *known], n=1)
                failures.append(Failure(
                    f"{label} {exp.value}: the policy has no value named {exp.value!r}"
                    + (f"; did you mean {close[0]!r}?" if close else "; its outputs are "
                       + ", ".join(c for c in results.columns[1:] if c != "period")),
                    who=who, period=period, value=exp.value, expected=exp.expected))
                continue
            try:
                got = _traced_value(policy.explain(data, who, exp.value, case.id_column, period,
                                                   engine=engine).roots[0])
            except AttainError as e:
                failures.append(Failure(f"{label} {exp.value}: cannot compute it", who=who, period=period,
                                        value=exp.value, expected=exp.expected,
                                        explanation=render_diagnostics(e.diagnostics, skip=case.file, known=e.sources)))
                continue
        ok, note = compare(exp.expected, got)
        if ok:
            continue
        shown_expected = show_expected(exp.expected, got)
        shown_got = show(got)
        try:
            explanation = policy.explain(data, who, exp.value, case.id_column, period, engine=engine).text()
        except AttainError as e:
            explanation = "(no explanation: " + "; ".join(d.message for d in e.diagnostics) + ")"
        failures.append(Failure(f"{label} {exp.value}: expected {shown_expected}, got {shown_got}" + note,
                                who=who, period=period, value=exp.value, expected=shown_expected, got=shown_got,
                                explanation=explanation))
    return failures


def _find_row(exp: Expectation, by_who: dict[str, list[dict]], periodic: bool,
              policy: Policy | Versions) -> tuple[dict | None, str]:
    who, period = exp.key, exp.period
    if not exp.separate and who not in by_who and len(who.split()) > 1:
        head, tail = who.rsplit(None, 1)
        if head in by_who:
            who, period = head, tail
    rows = by_who.get(who)
    if rows is None:
        close = difflib.get_close_matches(who, list(by_who), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (
            "; the results have " + ", ".join(list(by_who)[:5]) + (", ..." if len(by_who) > 5 else ""))
        return None, f"{exp.label} {exp.value}: no employee {who!r} in the results" + hint
    if period is not None:
        if not periodic:
            return None, (f"{exp.label} {exp.value}: the results have no periods, so {period!r} does not apply; "
                          f"expect {who!r}")
        kind = _versions(policy)[0].tree.header.period
        parsed = parse_period(kind, period) if kind else None
        wanted = str(parsed) if parsed is not None else period.strip()
        found = next((r for r in rows if r["period"] == wanted), None)
        if found is None:
            return None, (f"{exp.label} {exp.value}: {who} has no result for period {period!r}; their periods: "
                          + ", ".join(r["period"] for r in rows))
        return found, ""
    if periodic and len(rows) > 1:
        return None, (f"{exp.label} {exp.value}: {who} has results for {len(rows)} periods "
                      f"({', '.join(r['period'] for r in rows)}); name one, as \"{who} {rows[-1]['period']}\"")
    return rows[0], ""


def _traced_value(trace: Trace) -> object:
    """A value from an explanation as the results would give it: a Decimal where it has a decimal form."""
    value = trace.value
    if isinstance(value, TierValue):
        return value.name
    if isinstance(value, (bool, str, Decimal)) or value is None:
        return value
    if isinstance(value, (Fraction, int)):
        return to_decimal(value.numerator, value.denominator, trace.places)
    return str(value)
