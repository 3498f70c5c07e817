"""Policy tests, the model: a test file read as a Suite of Cases, each with what it expects.

The reader (`attain.testing.reader`) builds these from a `*.test.yaml` file;
the runner (`attain.testing.runner`) checks them against a policy.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from attain.diagnostics import Diagnostic, Span
from attain.io import Table
from attain.io.datasets import tables_of

SUFFIX = ".test.yaml"


@attrs.frozen
class Expectation:
    """One expected value: employee (and period), value name, the expected text as written."""

    key: str  # the employee as written: "S001" or "S001 2023-07"
    period: str | None  # given separately (list form), else None
    value: str
    expected: str | None
    line: int
    separate: bool = False  # True when who and period were given as separate keys

    @property
    def label(self) -> str:
        return f"{self.key} {self.period}" if self.separate and self.period else self.key


@attrs.frozen
class CodeExpectation:
    """An expected diagnostic: its code, and optionally its line in the policy and part of its message."""

    code: str
    line: int | None = None
    message: str | None = None

    def __str__(self) -> str:
        text = self.code
        if self.line is not None:
            text += f" at line {self.line}"
        if self.message is not None:
            text += f' with "{self.message}"'
        return text

    def matches(self, d: Diagnostic) -> bool:
        return (d.code == self.code
                and (self.line is None or (d.span is not None and d.span.line == self.line))
                and (self.message is None or self.message in d.message))


@attrs.frozen
class Case:
    """One test case of a test file."""

    name: str
    file: Path  # the test file
    line: int
    policy: Path
    rows: Table | None = None
    data: Path | None = None
    id_column: str | None = None
    expect: tuple[Expectation, ...] = ()
    expect_check: tuple[CodeExpectation, ...] = ()
    expect_error: tuple[CodeExpectation, ...] = ()
    rows_span: Span | None = None  # where `rows:` is, for data errors about the rows' "header"
    # the case's line tables: (name, its inline rows or its data file), as `lines: {deals: [...]}` gives them
    lines: tuple[tuple[str, Table | Path], ...] = ()

    @property
    def runs(self) -> bool:
        return self.rows is not None or self.data is not None

    @property
    def source(self) -> Table | Path | None:
        """What the case runs the policy over: its inline rows, or its data file (None when it only checks)."""
        base = self.rows if self.rows is not None else self.data
        if not self.lines or base is None:
            return base
        return tables_of(base, self.lines)


@attrs.frozen
class Suite:
    """A loaded test file: its cases, in file order."""

    file: Path
    policy: Path | None
    cases: tuple[Case, ...]
