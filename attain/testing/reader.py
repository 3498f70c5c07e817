"""Policy tests, reading: a `*.test.yaml` file -> a Suite, every problem a T6xx diagnostic with file:line.

The format
----------

```yaml
policy: incentive.policy              # the policy under test, relative to this file (or a folder of
                                      # versions: each period is computed by the version in force)
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
without floats (the loader of `attain.io.readers`), so `0.95` is the text
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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import attrs
import yaml

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.files import read_text
from attain.i18n.messages import say
from attain.io import Place, Row, Table
from attain.testing.nodes import Entries, NodeReader, kind_of
from attain.testing.spec import SUFFIX, Case, CodeExpectation, Expectation, Suite

_TOP_KEYS = ("policy", "defaults", "cases")
_CASE_KEYS = ("name", "policy", "defaults", "rows", "data", "lines", "id_column", "expect", "expect_check",
              "expect_error")
_CODE_KEYS = ("code", "line", "message")
_CODE = re.compile(r"[A-Z]\d{3}")
_PERIOD_KEYS = ("period",)
_WHO_KEYS = ("id", "employee")


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
            problems.append(Diagnostic("T601", say("T601", path=str(given))))
    if problems:
        raise AttainError(problems)
    return list(found)


def load_suite(path: str | Path) -> Suite:
    """Read and validate one test file; raise `AttainError` (codes T6xx, with file:line) if it is invalid."""
    path = Path(path)
    file = str(path)
    text = read_text(path, say("what.test_file"), "T601", "T601", "T601")
    reader = _SuiteReader(file, path.parent)
    root = reader.compose(text)
    suite = reader.suite(root, path)
    if reader.problems:
        raise AttainError(reader.problems)
    return suite


class _InlineCells:
    """Where the cells of a case's inline rows are written in the test file: the value, or the default it took.

    A message names the field too: a test report shows no excerpt of the file.
    """

    def __init__(self, places: dict[int, dict[str, Span]]):
        self.places = places

    def place(self, line: int, column: str) -> Place | None:
        span = self.places.get(line, {}).get(column)
        return Place(span, f"field '{column}'") if span is not None else None


class _SuiteReader(NodeReader):
    """Reads the test file's keys into the model; each method reads one part of the format."""

    # -- the file and its cases

    def suite(self, root: yaml.Node, path: Path) -> Suite:
        top = self.mapping(root, say("t.file"), _TOP_KEYS)
        if top is None:
            return Suite(path, None, ())
        policy = None
        if "policy" in top:
            policy = self.file_path(top["policy"][1], say("t.policy"), folder_ok=True)
        self.default_spans: dict[str, Span] = {}  # where the file's defaults are: the place of a cell they fill
        defaults = self.cells(top["defaults"][1], "`defaults`", self.default_spans) if "defaults" in top else {}
        cases: list[Case] = []
        if "cases" not in top:
            self.problem("T605", say("T605.cases"), root, hint=say("T605.cases_hint"))
        else:
            items = self.sequence(top["cases"][1], "`cases`")
            if items is not None and not items:
                self.problem("T605", say("T603.empty", what="`cases`"), top["cases"][1])
            names: dict[str, int] = {}
            for n, item in enumerate(items or [], 1):
                case = self.case(item, n, path, policy, "policy" in top, defaults, names)
                if case is not None:
                    cases.append(case)
        return Suite(path, policy, tuple(cases))

    def case(self, node: yaml.Node, n: int, path: Path, default: Path | None, has_default: bool,
             defaults: dict[str, str | None], names: dict[str, int]) -> Case | None:
        """One case, or None when it has problems. The parts are read in file-format order, which is
        the order its problems are reported in."""
        where = say("t.case", n=n)
        start = len(self.problems)
        keys = self.mapping(node, where, _CASE_KEYS)
        if keys is None:
            return None
        misspelt = any(d.code == "T604" for d in self.problems[start:])  # then "expects nothing" is noise
        before = len(self.problems)
        name = self.case_name(keys, node, where, names)
        if name is not None:
            where = say("t.case_named", name=name)
        policy = default
        if "policy" in keys:
            policy = self.file_path(keys["policy"][1], say("t.policy_of", where=where), folder_ok=True)
        elif not has_default:
            self.problem("T605", say("T605.policy", where=where), node, hint=say("T605.policy_hint"))
        rows, data = self.case_input(keys, where, path, defaults)
        lines = self.case_lines(keys["lines"][1], where, path) if "lines" in keys else ()
        id_column = self.text(keys["id_column"][1], "`id_column`") if "id_column" in keys else None
        expect = self.case_expect(keys, where)
        expect_check = self.codes(keys["expect_check"][1], "`expect_check`") if "expect_check" in keys else ()
        expect_error = self.codes(keys["expect_error"][1], "`expect_error`") if "expect_error" in keys else ()
        self.check_case_keys(keys, node, where, misspelt)
        if len(self.problems) > before or name is None or policy is None:
            return None
        rows_span = self.span(keys["rows"][0]) if "rows" in keys else None
        return Case(name, path, self.line(node), policy, rows, data, id_column, expect, expect_check, expect_error,
                    rows_span, lines)

    def case_lines(self, node: yaml.Node, where: str, path: Path) -> tuple:
        """`lines: {deals: [rows...], orders: orders.csv}`: each line table's inline rows or data file."""
        tables = self.mapping(node, "`lines`", None) or {}
        out = []
        for name, (_key, value) in tables.items():
            found: Table | Path | None
            if isinstance(value, yaml.SequenceNode):
                found = self.rows(value, where, path, {}, {})
            else:
                found = self.file_path(value, say("t.data_of", where=where))
            if found is not None:
                out.append((name, found))
        return tuple(out)

    def case_name(self, keys: Entries, node: yaml.Node, where: str, names: dict[str, int]) -> str | None:
        """The case's name, recorded in `names` (name -> line) to find a name given twice."""
        if "name" not in keys:
            self.problem("T605", say("T605.name", where=where), node)
            return None
        name = self.text(keys["name"][1], say("t.name_of", where=where))
        if name is not None:
            if name in names:
                self.problem("T609", say("T609", name=name, first=names[name], second=self.line(node)),
                             keys["name"][1], hint=say("T609.hint"))
            names.setdefault(name, self.line(node))
        return name

    def case_input(self, keys: Entries, where: str, path: Path,
                   defaults: dict[str, str | None]) -> tuple[Table | None, Path | None]:
        """(rows, data): the case's inline rows, with the file's and the case's defaults, or its data file."""
        if "rows" in keys and "data" in keys:
            self.problem("T606", say("T606.rows_data", where=where), keys["data"][0], hint=say("T606.rows_data_hint"))
            return None, None
        if "rows" in keys:
            spans = dict(self.default_spans)
            if "defaults" in keys:
                defaults = {**defaults, **self.cells(keys["defaults"][1], say("t.defaults_of", where=where), spans)}
            return self.rows(keys["rows"][1], where, path, defaults, spans), None
        if "data" in keys:
            return None, self.file_path(keys["data"][1], say("t.data_of", where=where))
        return None, None

    def case_expect(self, keys: Entries, where: str) -> tuple[Expectation, ...]:
        if "expect" not in keys:
            return ()
        if "rows" not in keys and "data" not in keys:
            self.problem("T606", say("T606.expect", where=where), keys["expect"][0], hint=say("T606.input_hint"))
        return self.expect(keys["expect"][1], where)

    def check_case_keys(self, keys: Entries, node: yaml.Node, where: str, misspelt: bool) -> None:
        """Keys that do not go together (T606), and a case that expects nothing (T605)."""
        runs = "rows" in keys or "data" in keys
        if "defaults" in keys and "rows" not in keys:
            self.problem("T606", say("T606.defaults", where=where), keys["defaults"][0], hint=say("T606.defaults_hint"))
        if "expect_error" in keys:
            if "expect" in keys:
                self.problem("T606", say("T606.both", where=where), keys["expect_error"][0], hint=say("T606.both_hint"))
            elif not runs:
                self.problem("T606", say("T606.error", where=where), keys["expect_error"][0],
                             hint=say("T606.input_hint"))
        if misspelt:
            return
        if runs and "expect" not in keys and "expect_error" not in keys:
            self.problem("T605", say("T605.input", where=where), node, hint=say("T605.input_hint"))
        elif not runs and "expect_check" not in keys and not any(k in keys for k in ("expect", "expect_error")):
            self.problem("T605", say("T605.nothing", where=where), node, hint=say("T605.nothing_hint"))

    # -- inline rows

    def rows(self, node: yaml.Node, where: str, path: Path, defaults: dict[str, str | None],
             default_spans: dict[str, Span]) -> Table | None:
        items = self.sequence(node, say("t.rows_of", where=where))
        if items is None:
            return None
        if not items:
            self.problem("T603", say("T603.rows", where=where), node)
            return None
        columns: dict[str, None] = dict.fromkeys(defaults)
        records: list[tuple[int, dict[str, str | None]]] = []
        places: dict[int, dict[str, Span]] = {}  # a row's line -> where each of its cells is written
        for n, item in enumerate(items, 1):
            spans = dict(default_spans)
            record = self.cells(item, say("t.row_of", n=n, where=where), spans)
            columns.update(dict.fromkeys(record))
            records.append((self.line(item), {**defaults, **record}))
            places[self.line(item)] = spans
        names = tuple(columns)
        return Table(str(path), names, tuple(Row(line, {c: r.get(c) for c in names}) for line, r in records),
                     cells=_InlineCells(places))

    def cells(self, node: yaml.Node, what: str, spans: dict[str, Span] | None = None) -> dict[str, str | None]:
        """A row's cells as a data file's: text, or None when empty; `spans` gets where each value is."""
        cells = self.mapping(node, what, None)
        record: dict[str, str | None] = {}
        for column, (key_node, value_node) in (cells or {}).items():
            if not column.strip():
                self.problem("T603", say("T603.column", what=what), key_node)
                continue
            if not isinstance(value_node, yaml.ScalarNode):
                self.problem("T603", say("T603.cell", what=what, kind=kind_of(value_node), column=column),
                             value_node)
                continue
            _, text = self.scalar(value_node, say("t.a_cell"))
            record[column.strip()] = (text.strip() or None) if text is not None else None
            if spans is not None:
                spans[column.strip()] = self.span(value_node)
        return record

    # -- expectations

    def expect(self, node: yaml.Node, where: str) -> tuple[Expectation, ...]:
        what = say("t.expect_of", where=where)
        if isinstance(node, yaml.SequenceNode):
            return self.expect_list(node, what)
        return self.expect_mapping(node, what)

    def expect_list(self, node: yaml.SequenceNode, what: str) -> tuple[Expectation, ...]:
        """`expect` as a list of `{id: S001, period: 2023-07, bonus_total: ...}`."""
        out: list[Expectation] = []
        if not node.value:
            self.problem("T607", say("T603.empty", what=what), node)
        for n, item in enumerate(node.value, 1):
            entry = self.mapping(item, say("t.item_of", n=n, what=what), None)
            if entry is None:
                continue
            who_keys = [k for k in _WHO_KEYS if k in entry]
            if not who_keys:
                self.problem("T607", say("T607.who", n=n, what=what), item, hint=say("T607.who_hint"))
                continue
            who = self.text(entry[who_keys[0]][1], say("t.employee"))
            period = self.text(entry["period"][1], say("t.period")) if "period" in entry else None
            values = {k: v for k, v in entry.items() if k not in (*_WHO_KEYS, *_PERIOD_KEYS)}
            if not values:
                self.problem("T607", say("T607.no_value", n=n, what=what), item)
            if who is None:
                continue
            out.extend(self.values(values, who, period, True))
        return tuple(out)

    def expect_mapping(self, node: yaml.Node, what: str) -> tuple[Expectation, ...]:
        """`expect` as a mapping of employee (or "employee period") to `{value name: expected}`."""
        out: list[Expectation] = []
        entries = self.mapping(node, what, None)
        if entries is None:
            self.problems[-1] = attrs.evolve(self.problems[-1], code="T607", hint=say("T607.expect_hint"))
            return ()
        if not entries:
            self.problem("T607", say("T603.empty", what=what), node)
        for key, (key_node, value_node) in entries.items():
            if not key.strip():
                self.problem("T607", say("T607.empty_who", what=what), key_node)
                continue
            values = self.mapping(value_node, say("t.values_of", key=key), None)
            if values is None:
                self.problems[-1] = attrs.evolve(self.problems[-1], code="T607", hint=say("T607.values_hint"))
                continue
            if not values:
                self.problem("T607", say("T607.no_value_of", what=what, key=key), value_node)
            out.extend(self.values(values, key.strip(), None, False))
        return tuple(out)

    def values(self, values: Entries, who: str, period: str | None, separate: bool) -> list[Expectation]:
        out = []
        for name, (key_node, value_node) in values.items():
            if not name.strip():
                self.problem("T607", say("T607.no_name", who=who), key_node)
                continue
            if not isinstance(value_node, yaml.ScalarNode):
                self.problem("T607", say("T607.single", name=name, who=who, kind=kind_of(value_node)), value_node,
                             hint=say("T607.single_hint"))
                continue
            _, text = self.scalar(value_node, say("t.expected_value"))
            out.append(Expectation(who, period, name.strip(), text, self.line(key_node), separate))
        return out

    def codes(self, node: yaml.Node, what: str) -> tuple[CodeExpectation, ...]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not items:
            self.problem("T607", say("T603.empty", what=what), node)
        out = []
        for item in items:
            if isinstance(item, yaml.MappingNode):
                keys = self.mapping(item, what, _CODE_KEYS)
                if keys is None:
                    continue
                if "code" not in keys:
                    self.problem("T605", say("T605.code", what=what), item)
                    continue
                code = self.text(keys["code"][1], say("t.code"))
                line = message = None
                if "line" in keys:
                    text = self.text(keys["line"][1], say("t.line"))
                    if text is not None and not (text.isdigit() and int(text) > 0):
                        self.problem("T607", say("T607.line", what=what, text=text), keys["line"][1])
                        continue
                    line = int(text) if text else None
                if "message" in keys:
                    message = self.text(keys["message"][1], say("t.message"))
            else:
                code = self.text(item, what)
                line = message = None
            if code is None:
                continue
            if not _CODE.fullmatch(code):
                self.problem("T607", say("T607.code", what=what, code=code), item, hint=say("T607.code_hint"))
                continue
            out.append(CodeExpectation(code, line, message))
        return tuple(out)
