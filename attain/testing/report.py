"""Policy tests, reporting: the outcome of a case (expected vs got, with explanations) and its text.

The runner (`attain.testing.runner`) produces `CaseResult`s; `attain test`
prints `render_results`, and the pytest plugin prints `render_case` for a
failing item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from attain.diagnostics import Diagnostic, render_all
from attain.files import source_texts


@attrs.frozen
class Failure:
    """One way a case failed: a differing value (with its explanation), or a problem running it."""

    message: str
    who: str | None = None
    period: str | None = None
    value: str | None = None
    expected: str | None = None
    got: str | None = None
    explanation: str = ""

    def text(self, indent: str = "") -> str:
        lines = [indent + self.message]
        for line in self.explanation.rstrip("\n").splitlines():
            lines.append((indent + "    " + line).rstrip())
        return "\n".join(lines)


@attrs.frozen
class CaseResult:
    """The outcome of one case."""

    name: str
    file: Path
    passed: bool
    failures: list[Failure] = attrs.field(factory=list)
    line: int = 0


def render_diagnostics(diagnostics: Iterable[Diagnostic], skip: Path | None = None,
                       known: dict[str, str] | None = None, lang: str = "en") -> str:
    """Diagnostics as the command line shows them, with source excerpts (not of the test file `skip`,
    whose inline rows' columns are not character positions), their words in `lang`."""
    diagnostics = list(diagnostics)
    sources = source_texts(diagnostics, known)
    if skip is not None:
        sources = {file: text for file, text in sources.items() if Path(file) != skip}
    return render_all(diagnostics, sources, lang)


def _where(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def render_case(result: CaseResult, indent: str = "") -> str:
    """The failures of one case, each with the explanation of the value that differs."""
    return "\n".join(f.text(indent) for f in result.failures)


def render_results(results: Sequence[CaseResult]) -> str:
    """One PASS/FAIL line per case, each failure below its case, then the line `N passed, M failed`."""
    lines = []
    for r in results:
        where = f"{_where(r.file)}" + (f":{r.line}" if r.line else "")
        lines.append(f"{'PASS' if r.passed else 'FAIL'}  {where}  {r.name}")
        if r.failures:
            lines.append(render_case(r, "    "))
    passed = sum(1 for r in results if r.passed)
    lines.append("")
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines) + "\n"
