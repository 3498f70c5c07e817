"""Policy tests: YAML files that run a policy over a few rows and expect exact results.

A policy test file is named `*.test.yaml` and sits beside the policy it tests.
`attain test [PATHS...]` runs every test file under the given files and folders,
and pytest collects the same files (one test per case) through
`attain.pytest_plugin`, so one `pytest` tests the whole repository.

The format
----------

```yaml
policy: incentive.policy              # the policy under test, relative to this file
cases:
  - name: S001 on target              # required, unique in the file
    rows:                             # input rows, one mapping per data row (with every
      - {编号: S001, 销售额目标: "500,000", 销售额实际: "575,000", 回款率: 95%}   # column; abridged)
    expect:                           # per employee: value name -> expected value
      S001:
        bonus_total: "10200.00"
        tier: on_target
        improvement_plan: false

  - name: the whole sample
    data: sample.csv                  # a data file (relative to this file) instead of rows
    expect:
      S002: {bonus_total: "4760.00"}
      "P01 2023-07": {sales: 105000}  # "ID PERIOD" when the policy's data has periods
    # expect may also be a list of mappings:
    #   - {id: P01, period: 2023-07, sales: 105000}

  - name: the as-written gap
    policy: incentive-as-written.policy       # a case may name another policy
    expect_check: C216                        # a code the checker must report
    # or {code: C216, line: 38}, {code: C216, message: "80% to 100%"}, or a list of these

  - name: a soft score above 4 is refused
    data: bad-scores.csv
    expect_error: D413                        # running over the data must fail with this code
```

Top-level keys: `policy` (required unless every case names its own),
`defaults` (optional) and `cases` (a non-empty list). Case keys: `name`,
`policy`, `defaults`, `rows` or `data`, `id_column` (the column naming the
employee, when it is not one attain finds by itself), `expect`,
`expect_check` and `expect_error`. A case needs `expect_check`, or rows/data
with `expect` or `expect_error`. `expect_check` may be combined with rows and
`expect` (to pin a warning and still run). Paths are relative to the test
file's folder.

Rows. Cells are read as a data file's cells are: as text. The YAML is read
without floats (the loader of `attain.engine.io`), so `0.95` is the text
"0.95" and `500_000` is "500000"; `95%`, `"500,000"`, `true` and dates are
written as in a CSV file; `~` or an empty value is an empty cell (which takes
the input's default, where it has one). As in a data file, every column an
input needs must be there. `defaults` (a mapping of column to cell, at the
top of the file and/or in a case) gives every inline row those cells unless
the row gives its own, so rows of a policy with many inputs stay short. Each
row's line in the test file is its line in data errors and explanations.
YAML anchors and `<<` merge keys may also share cells between rows.

Expected values. A value of the results (or any input or value the policy
computes, which is looked up through its explanation) compares exactly:

- numbers by value: "10200.00" matches 10200.00 and 10200, but "10200.001"
  does not; `1,000` grouping, a trailing `%` (115% is 1.15) and a fraction
  `10/9` may be written;
- texts as strings (a tier compares by its name), booleans as `true`/`false`;
- `~` (or an empty value) expects an empty result.

An employee in `expect` is keyed by the id in the data; with periods, key
"ID PERIOD" (the period as the data writes it, such as 2023-07 or 2023Q3), or
use the list form. An employee with one period may leave the period out.

Diagnostics of an invalid test file (raised as `AttainError` by `load_suite`):

    T601 a test file or folder cannot be read     T602 not valid YAML
    T603 the wrong shape (a mapping, list or single value was expected)
    T604 an unknown or repeated key               T605 a required key is missing
    T606 keys that do not go together             T607 a bad expectation
    T608 a policy or data file it names does not exist
    T609 two cases with the same name             T610 no test files found

A failing case is not an error: `run_suite` reports it as a `CaseResult`
with `Failure`s, each carrying the explanation of the value that differs.

Python API
----------

    from attain import testing
    files = testing.discover(["policies"])            # paths of *.test.yaml files
    suite = testing.load_suite(files[0])              # raises AttainError (T6xx)
    results = testing.run_suite(suite)                # [CaseResult(name, file, passed, failures)]
    print(testing.render_results(results))            # PASS/FAIL lines, then "N passed, M failed"
    results = testing.run_paths(["policies"])         # all of it; invalid files become failed results
    code = testing.exit_code(results)                 # 0 if every case passed, else 1
    testing.run_case(case, testing.Runner())          # one case (a Runner loads each policy once)
    testing.render_case(result)                       # one case's failures with their explanations
    testing.render_diagnostics(error.diagnostics)     # T6xx (and other) diagnostics, with excerpts
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Sequence

import attrs
import yaml

from attain.api import Policy, check, load
from attain.diagnostics import AttainError, Diagnostic, Span, render_all
from attain.files import read_text
from attain.engine.io import Row, Table, _ExactLoader, format_number
from attain.engine.periods import parse_period
from attain.engine.trace import TierValue
from attain.exact import to_decimal

__all__ = [
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

SUFFIX = ".test.yaml"

_TOP_KEYS = ("policy", "defaults", "cases")
_CASE_KEYS = ("name", "policy", "defaults", "rows", "data", "id_column", "expect", "expect_check", "expect_error")
_CODE_KEYS = ("code", "line", "message")
_CODE = re.compile(r"[A-Z]\d{3}")
_PERIOD_KEYS = ("period",)
_WHO_KEYS = ("id", "employee")


# ---------------------------------------------------------------- the model of a test file


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

    @property
    def runs(self) -> bool:
        return self.rows is not None or self.data is not None


@attrs.frozen
class Suite:
    """A loaded test file: its cases, in file order."""

    file: Path
    policy: Path | None
    cases: tuple[Case, ...]


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


# ---------------------------------------------------------------- finding and reading test files


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """The test files among `paths`: a file is taken as given, a folder searched for `*.test.yaml`."""
    found: dict[Path, None] = {}
    problems = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for item in sorted(path.rglob("*" + SUFFIX)):
                parts = item.relative_to(path).parts
                if item.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts[:-1]):
                    found.setdefault(item)
        elif path.is_file():
            found.setdefault(path)
        else:
            problems.append(Diagnostic("T601", f"no such test file or folder: {str(given)!r}"))
    if problems:
        raise AttainError(problems)
    return list(found)


def load_suite(path: str | Path) -> Suite:
    """Read and validate one test file; raise `AttainError` (codes T6xx, with file:line) if it is invalid."""
    path = Path(path)
    file = str(path)
    text = read_text(path, "test file", "T601", "T601", "T601")
    reader = _Reader(file, path.parent)
    root = reader.compose(text)
    suite = reader.suite(root, path)
    if reader.problems:
        raise AttainError(reader.problems)
    return suite


class _Reader:
    """Walks the YAML node tree of a test file, so every problem can point at its line."""

    def __init__(self, file: str, folder: Path):
        self.file = file
        self.folder = folder
        self.problems: list[Diagnostic] = []
        self._constructor = _ExactLoader("")

    # -- basics

    def compose(self, text: str) -> yaml.Node:
        loader = _ExactLoader(text)
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            span = Span(self.file, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark else None
            raise AttainError([Diagnostic("T602", f"test file {self.file!r} is not valid YAML: "
                                          f"{e.problem or e.context}", span)]) from None
        except (yaml.YAMLError, RecursionError) as e:
            detail = "it is nested too deeply" if isinstance(e, RecursionError) else str(e)
            raise AttainError([Diagnostic("T602", f"test file {self.file!r} is not valid YAML: {detail}")]) from None
        finally:
            loader.dispose()
        if node is None:
            raise AttainError([Diagnostic("T603", f"test file {self.file!r} is empty",
                                          hint="start it with `policy:` and `cases:`")])
        return node

    def span(self, node: yaml.Node) -> Span:
        start, end = node.start_mark, node.end_mark
        if end.line > start.line and end.column == 0:  # a block ends at the start of the next line
            return Span(self.file, start.line + 1, start.column + 1, start.line + 1, start.column + 2)
        return Span(self.file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1

    def problem(self, code: str, message: str, node: yaml.Node | None, hint: str = "") -> None:
        self.problems.append(Diagnostic(code, message, self.span(node) if node is not None else None, hint=hint))

    def scalar(self, node: yaml.Node, what: str) -> tuple[bool, str | None]:
        """(ok, text) of a single value; the text is None for `~` or an empty value."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem("T603", f"{what} must be a single value, not a {_kind(node)}", node)
            return False, None
        value = self._constructor.construct_object(node, deep=True)
        if value is None:
            return True, None
        return True, str(value)

    def text(self, node: yaml.Node, what: str) -> str | None:
        """A required, non-empty single value."""
        ok, value = self.scalar(node, what)
        if ok and (value is None or not value.strip()):
            self.problem("T603", f"{what} is empty", node)
            return None
        return value.strip() if value else None

    def mapping(self, node: yaml.Node, what: str, allowed: Sequence[str] | None) -> dict | None:
        """{key: (key_node, value_node)} of a mapping node; unknown keys (when `allowed` is given) are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem("T603", f"{what} must be a mapping, not a {_kind(node)}", node)
            return None
        seen: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        own: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = str(self._constructor.construct_object(key_node, deep=True))
                if key in own:
                    self.problem("T604", f"{what} has the key {key!r} twice", key_node)
                own.add(key)
        try:
            self._constructor.flatten_mapping(node)
        except yaml.MarkedYAMLError as e:
            self.problem("T603", f"{what}: {e.problem}", node)
            return None
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem("T603", f"{what} has a key that is a {_kind(key_node)}", key_node)
                continue
            raw = self._constructor.construct_object(key_node, deep=True)
            key = "" if raw is None else str(raw)
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                self.problem("T604", f"unknown key {key!r} in {what}", key_node,
                             hint=f"did you mean {close[0]!r}?" if close else "the keys are " + ", ".join(allowed))
                continue
            seen[key] = (key_node, value_node)
        return seen

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem("T603", f"{what} must be a list, not a {_kind(node)}", node)
            return None
        return list(node.value)

    def file_path(self, node: yaml.Node, what: str) -> Path | None:
        name = self.text(node, what)
        if name is None:
            return None
        path = self.folder / name
        if not path.is_file():
            self.problem("T608", f"{what} {name!r} does not exist" + (" (it is a folder)" if path.is_dir() else ""),
                         node, hint=f"the path is relative to the test file's folder, {str(self.folder)!r}")
            return None
        return path

    # -- the file

    def suite(self, root: yaml.Node, path: Path) -> Suite:
        top = self.mapping(root, "the test file", _TOP_KEYS)
        if top is None:
            return Suite(path, None, ())
        policy = None
        if "policy" in top:
            policy = self.file_path(top["policy"][1], "the policy")
        defaults = self.cells(top["defaults"][1], "`defaults`") if "defaults" in top else {}
        cases: list[Case] = []
        if "cases" not in top:
            self.problem("T605", "the test file has no `cases`", root,
                         hint="add `cases:`, a list of cases each with a `name`")
        else:
            items = self.sequence(top["cases"][1], "`cases`")
            if items is not None and not items:
                self.problem("T605", "`cases` is empty", top["cases"][1])
            names: dict[str, int] = {}
            for n, item in enumerate(items or [], 1):
                case = self.case(item, n, path, policy, "policy" in top, defaults, names)
                if case is not None:
                    cases.append(case)
        return Suite(path, policy, tuple(cases))

    def case(self, node: yaml.Node, n: int, path: Path, default: Path | None, has_default: bool,
             defaults: dict[str, str | None], names: dict[str, int]) -> Case | None:
        where = f"case {n}"
        start = len(self.problems)
        keys = self.mapping(node, where, _CASE_KEYS)
        if keys is None:
            return None
        misspelt = any(d.code == "T604" for d in self.problems[start:])  # then "expects nothing" is noise
        before = len(self.problems)
        name = None
        if "name" not in keys:
            self.problem("T605", f"{where} has no `name`", node)
        else:
            name = self.text(keys["name"][1], f"the name of {where}")
            if name is not None:
                where = f"case {name!r}"
                if name in names:
                    self.problem("T609", f"two cases are named {name!r} (lines {names[name]} and {self.line(node)})",
                                 keys["name"][1], hint="give every case its own name")
                names.setdefault(name, self.line(node))
        policy = default
        if "policy" in keys:
            policy = self.file_path(keys["policy"][1], f"the policy of {where}")
        elif not has_default:
            self.problem("T605", f"{where} names no policy", node,
                         hint="add `policy:` at the top of the file, or to the case")
        rows = data = None
        if "rows" in keys and "data" in keys:
            self.problem("T606", f"{where} has both `rows` and `data`", keys["data"][0],
                         hint="give the input either inline as `rows` or as a `data` file")
        elif "rows" in keys:
            if "defaults" in keys:
                defaults = {**defaults, **self.cells(keys["defaults"][1], f"the defaults of {where}")}
            rows = self.rows(keys["rows"][1], where, path, defaults)
        elif "data" in keys:
            data = self.file_path(keys["data"][1], f"the data of {where}")
        id_column = self.text(keys["id_column"][1], "`id_column`") if "id_column" in keys else None
        runs = "rows" in keys or "data" in keys
        expect: tuple[Expectation, ...] = ()
        if "expect" in keys:
            if not runs:
                self.problem("T606", f"{where} has `expect` but no input", keys["expect"][0],
                             hint="add `rows:` or `data:` to run the policy over")
            expect = self.expect(keys["expect"][1], where)
        expect_check = self.codes(keys["expect_check"][1], "`expect_check`") if "expect_check" in keys else ()
        expect_error = self.codes(keys["expect_error"][1], "`expect_error`") if "expect_error" in keys else ()
        if "defaults" in keys and "rows" not in keys:
            self.problem("T606", f"{where} has `defaults` but no `rows`", keys["defaults"][0],
                         hint="defaults fill in the cells of inline rows")
        if "expect_error" in keys:
            if "expect" in keys:
                self.problem("T606", f"{where} has both `expect` and `expect_error`", keys["expect_error"][0],
                             hint="a run that fails has no results to expect; make them two cases")
            elif not runs:
                self.problem("T606", f"{where} has `expect_error` but no input", keys["expect_error"][0],
                             hint="add `rows:` or `data:` to run the policy over")
        if misspelt:
            pass
        elif runs and "expect" not in keys and "expect_error" not in keys:
            self.problem("T605", f"{where} gives input but expects nothing", node,
                         hint="add `expect:` (values per employee) or `expect_error:` (a data error code)")
        elif not runs and "expect_check" not in keys and not any(k in keys for k in ("expect", "expect_error")):
            self.problem("T605", f"{where} expects nothing", node,
                         hint="add `rows:` and `expect:`, or `expect_check:` with a checker code")
        if len(self.problems) > before or name is None or policy is None:
            return None
        rows_span = self.span(keys["rows"][0]) if "rows" in keys else None
        return Case(name, path, self.line(node), policy, rows, data, id_column, expect, expect_check, expect_error,
                    rows_span)

    def rows(self, node: yaml.Node, where: str, path: Path, defaults: dict[str, str | None]) -> Table | None:
        items = self.sequence(node, f"the rows of {where}")
        if items is None:
            return None
        if not items:
            self.problem("T603", f"the rows of {where} are empty", node)
            return None
        columns: dict[str, None] = dict.fromkeys(defaults)
        records: list[tuple[int, dict[str, str | None]]] = []
        for n, item in enumerate(items, 1):
            record = self.cells(item, f"row {n} of {where}")
            columns.update(dict.fromkeys(record))
            records.append((self.line(item), {**defaults, **record}))
        names = tuple(columns)
        return Table(str(path), names, tuple(Row(line, {c: r.get(c) for c in names}) for line, r in records))

    def cells(self, node: yaml.Node, what: str) -> dict[str, str | None]:
        """A row's cells as a data file's: text, or None when empty."""
        cells = self.mapping(node, what, None)
        record: dict[str, str | None] = {}
        for column, (key_node, value_node) in (cells or {}).items():
            if not column.strip():
                self.problem("T603", f"{what} has a column with no name", key_node)
                continue
            if not isinstance(value_node, yaml.ScalarNode):
                self.problem("T603", f"{what} has a {_kind(value_node)} in column {column!r}; "
                             "a cell holds one value", value_node)
                continue
            _, text = self.scalar(value_node, "a cell")
            record[column.strip()] = (text.strip() or None) if text is not None else None
        return record

    def expect(self, node: yaml.Node, where: str) -> tuple[Expectation, ...]:
        out: list[Expectation] = []
        what = f"`expect` of {where}"
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                self.problem("T607", f"{what} is empty", node)
            for n, item in enumerate(node.value, 1):
                entry = self.mapping(item, f"item {n} of {what}", None)
                if entry is None:
                    continue
                who_keys = [k for k in _WHO_KEYS if k in entry]
                if not who_keys:
                    self.problem("T607", f"item {n} of {what} names no employee", item,
                                 hint="add `id: ...` (and `period: ...` when the data has periods)")
                    continue
                who = self.text(entry[who_keys[0]][1], "the employee")
                period = self.text(entry["period"][1], "the period") if "period" in entry else None
                values = {k: v for k, v in entry.items() if k not in (*_WHO_KEYS, *_PERIOD_KEYS)}
                if not values:
                    self.problem("T607", f"item {n} of {what} expects no value", item)
                if who is None:
                    continue
                out.extend(self.values(values, who, period, True))
            return tuple(out)
        entries = self.mapping(node, what, None)
        if entries is None:
            self.problems[-1] = attrs.evolve(self.problems[-1], code="T607", hint=(
                "write `expect:` as a mapping of employee to values, such as `S001: {bonus_total: 10200.00}`, "
                "or as a list of `{id: S001, bonus_total: 10200.00}`"))
            return ()
        if not entries:
            self.problem("T607", f"{what} is empty", node)
        for key, (key_node, value_node) in entries.items():
            if not key.strip():
                self.problem("T607", f"{what} has an empty employee", key_node)
                continue
            values = self.mapping(value_node, f"the values expected of {key!r}", None)
            if values is None:
                self.problems[-1] = attrs.evolve(self.problems[-1], code="T607",
                                                 hint="write `S001: {bonus_total: 10200.00, tier: on_target}`")
                continue
            if not values:
                self.problem("T607", f"{what} expects no value of {key!r}", value_node)
            out.extend(self.values(values, key.strip(), None, False))
        return tuple(out)

    def values(self, values: dict, who: str, period: str | None, separate: bool) -> list[Expectation]:
        out = []
        for name, (key_node, value_node) in values.items():
            if not name.strip():
                self.problem("T607", f"a value expected of {who!r} has no name", key_node)
                continue
            if not isinstance(value_node, yaml.ScalarNode):
                self.problem("T607", f"the expected {name} of {who!r} must be a single value, not a "
                             f"{_kind(value_node)}", value_node,
                             hint='write a number as text, such as "10200.00", a text, or true/false')
                continue
            _, text = self.scalar(value_node, "an expected value")
            out.append(Expectation(who, period, name.strip(), text, self.line(key_node), separate))
        return out

    def codes(self, node: yaml.Node, what: str) -> tuple[CodeExpectation, ...]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not items:
            self.problem("T607", f"{what} is empty", node)
        out = []
        for item in items:
            if isinstance(item, yaml.MappingNode):
                keys = self.mapping(item, what, _CODE_KEYS)
                if keys is None:
                    continue
                if "code" not in keys:
                    self.problem("T605", f"{what} has no `code`", item)
                    continue
                code = self.text(keys["code"][1], "the code")
                line = message = None
                if "line" in keys:
                    text = self.text(keys["line"][1], "the line")
                    if text is not None and not (text.isdigit() and int(text) > 0):
                        self.problem("T607", f"the line in {what} must be a line number, not {text!r}",
                                     keys["line"][1])
                        continue
                    line = int(text) if text else None
                if "message" in keys:
                    message = self.text(keys["message"][1], "the message")
            else:
                code = self.text(item, what)
                line = message = None
            if code is None:
                continue
            if not _CODE.fullmatch(code):
                self.problem("T607", f"{what} has {code!r}, which is not a diagnostic code", item,
                             hint="a code is a letter and three digits, such as C216 or D413")
                continue
            out.append(CodeExpectation(code, line, message))
        return tuple(out)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "single value"


# ---------------------------------------------------------------- running


class Runner:
    """Loads and checks each policy once, for all the cases that name it."""

    def __init__(self):
        self._loaded: dict[Path, Policy | AttainError] = {}
        self._checked: dict[Path, list[Diagnostic]] = {}

    def load(self, path: Path) -> Policy:
        key = path.resolve()
        if key not in self._loaded:
            try:
                self._loaded[key] = load(path)
            except AttainError as e:
                self._loaded[key] = e
        found = self._loaded[key]
        if isinstance(found, AttainError):
            raise found
        return found

    def check(self, path: Path) -> list[Diagnostic]:
        key = path.resolve()
        if key not in self._checked:
            self._checked[key] = check(path)
        return self._checked[key]


def run_suite(suite: Suite, runner: Runner | None = None) -> list[CaseResult]:
    """Run every case of a suite."""
    runner = runner or Runner()
    return [run_case(case, runner) for case in suite.cases]


def run_paths(paths: Sequence[str | Path]) -> list[CaseResult]:
    """Discover, load and run every test file under `paths`; an invalid test file is one failed result.

    Raises `AttainError` (T601) for a path that does not exist, and (T610) when there are no test files.
    """
    files = discover(paths)
    if not files:
        raise AttainError([Diagnostic("T610", "no policy test files found under " + ", ".join(map(str, paths)),
                                      hint=f"a policy test file's name ends in {SUFFIX}")])
    runner = Runner()
    results: list[CaseResult] = []
    for file in files:
        try:
            suite = load_suite(file)
        except AttainError as e:
            results.append(CaseResult("(the test file is invalid)", file, False,
                                      [Failure("the test file is invalid",
                                               explanation=render_diagnostics(e.diagnostics))]))
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


def _compare_check(case: Case, found: list[Diagnostic]) -> list[Failure]:
    missing = [e for e in case.expect_check if not any(e.matches(d) for d in found)]
    if not missing:
        return []
    got = _codes_text(found, case.policy) if found else "no findings"
    expected = " and ".join(map(str, missing))
    return [Failure(f"expected check {expected}, got {got}", expected=expected, got=got,
                    explanation=render_diagnostics(found) if found else "")]


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
                        explanation=render_diagnostics(e.diagnostics))]
    data = case.rows if case.rows is not None else case.data
    try:
        results = policy.run(data, case.id_column)
    except AttainError as error:
        e = AttainError(_relocate(error.diagnostics, case))
        if case.expect_error:
            missing = [x for x in case.expect_error if not any(x.matches(d) for d in e.diagnostics)]
            if not missing:
                return []
            got = _codes_text(e.diagnostics)
            expected = " and ".join(map(str, missing))
            return [Failure(f"expected error {expected}, got {got}", expected=expected, got=got,
                            explanation=render_diagnostics(e.diagnostics, skip=case.file))]
        return [Failure("running the policy over the case's data failed", got=_codes_text(e.diagnostics),
                        explanation=render_diagnostics(e.diagnostics, skip=case.file))]
    if case.expect_error:
        expected = " and ".join(map(str, case.expect_error))
        return [Failure(f"expected error {expected}, but the policy ran without errors",
                        expected=expected, got="no errors")]
    return _compare_values(case, policy, data, results)


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


def _compare_values(case: Case, policy: Policy, data, results) -> list[Failure]:
    key = results.columns[0]
    periodic = "period" in results.columns
    by_who: dict[str, list[dict]] = {}
    for row in results.rows:
        by_who.setdefault(row[key], []).append(row)
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
            known = [*policy.model.inputs, *policy.model.definitions]
            if exp.value not in known:
                close = difflib.get_close_matches(exp.value, [*results.columns[1:], *known], n=1)
                failures.append(Failure(
                    f"{label} {exp.value}: the policy has no value named {exp.value!r}"
                    + (f"; did you mean {close[0]!r}?" if close else "; its outputs are "
                       + ", ".join(c for c in results.columns[1:] if c != "period")),
                    who=who, period=period, value=exp.value, expected=exp.expected))
                continue
            try:
                got = _traced_value(policy.explain(data, who, exp.value, case.id_column, period).roots[0])
            except AttainError as e:
                failures.append(Failure(f"{label} {exp.value}: cannot compute it", who=who, period=period,
                                        value=exp.value, expected=exp.expected,
                                        explanation=render_diagnostics(e.diagnostics, skip=case.file)))
                continue
        ok, note = _same(exp.expected, got)
        if ok:
            continue
        shown_expected = _show_expected(exp.expected, got)
        shown_got = _show(got)
        try:
            explanation = policy.explain(data, who, exp.value, case.id_column, period).text()
        except AttainError as e:
            explanation = "(no explanation: " + "; ".join(d.message for d in e.diagnostics) + ")"
        failures.append(Failure(f"{label} {exp.value}: expected {shown_expected}, got {shown_got}" + note,
                                who=who, period=period, value=exp.value, expected=shown_expected, got=shown_got,
                                explanation=explanation))
    return failures


def _find_row(exp: Expectation, by_who: dict, periodic: bool, policy: Policy) -> tuple[dict | None, str]:
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
        kind = policy.tree.header.period
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


def _traced_value(trace):
    """A value from an explanation as the results would give it: a Decimal where it has a decimal form."""
    value = trace.value
    if isinstance(value, TierValue):
        return value.name
    if isinstance(value, (bool, str, Decimal)) or value is None:
        return value
    if hasattr(value, "numerator"):
        return to_decimal(value.numerator, value.denominator, trace.places)
    return str(value)


_NUMBER = re.compile(r"([-+]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(%?)")
_FRACTION = re.compile(r"([-+]?\d+)\s*/\s*(\d+)")


def _number(text: str) -> Fraction | None:
    """The exact number a test file writes: 10200.00, 1,000, 115%, 10/9; None if it is not one."""
    t = text.strip().replace("_", "")
    m = _FRACTION.fullmatch(t)
    if m:
        den = int(m.group(2))
        return Fraction(int(m.group(1)), den) if den else None
    m = _NUMBER.fullmatch(t)
    if m is None or (m.group(2) is None and m.group(3) is None):
        return None
    whole = (m.group(2) or "0").replace(",", "")
    value = Fraction(Decimal(f"{m.group(1)}{whole}.{m.group(3) or '0'}"))
    return value / 100 if m.group(4) else value


def _same(expected: str | None, got) -> tuple[bool, str]:
    """(equal, a note on why they cannot be compared) of an expected text and a result value."""
    if expected is None or expected.strip() == "":
        return got is None or got == "", ""
    if got is None:
        return False, ""
    if isinstance(got, bool):
        word = expected.strip().lower()
        if word not in ("true", "false"):
            return False, " (this value is true or false)"
        return (word == "true") == got, ""
    if isinstance(got, (Decimal, Fraction, int)):
        number = _number(expected)
        if number is None:
            return False, f" ({expected!r} is not a number, and this value is one)"
        return Fraction(got) == number, ""
    return str(got) == expected, ""


def _show(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator} (about {format_number(value)})"
    if isinstance(value, int):
        return str(value)
    return f'"{value}"'


def _show_expected(expected: str | None, got) -> str:
    if expected is None or expected == "":
        return "(empty)"
    if isinstance(got, str):
        return f'"{expected}"'
    return expected


# ---------------------------------------------------------------- reporting


def render_diagnostics(diagnostics: Iterable[Diagnostic], skip: Path | None = None) -> str:
    """Diagnostics as the command line shows them, with source excerpts (not of the test file `skip`,
    whose inline rows' columns are not character positions)."""
    diagnostics = list(diagnostics)
    sources: dict[str, str] = {}
    for d in diagnostics:
        for span in [d.span, *(n.span for n in d.notes)]:
            if span is None or span.file in sources:
                continue
            if skip is not None and Path(span.file) == skip:
                continue
            try:
                sources[span.file] = Path(span.file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                pass
    return render_all(diagnostics, sources)


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
