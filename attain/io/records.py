"""Records: a YAML or JSON data file (a list of records) -> a Table of text cells, each record and key with its place.

Every error in a record (a nested value, NaN, a duplicate key, a record that is not
a mapping) carries the line and column of that record, key or value; a cell that
fails its input later is found the same way (`Table.place`).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from typing import Any, NamedTuple

import yaml

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.i18n.messages import say
from attain.io.tables import Place, Row, Table, cell_text

# Codes used here:
#   D402 malformed YAML/JSON    D403 not a table of records   D404 bad column name
#   D406 nested value in a cell


class ExactLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps every scalar as text, so no number ever passes through float.

    Policy test files (attain.testing) are read with it too, for the same reason.
    """

    def construct_mapping(self, node, deep=False):
        # PyYAML silently keeps the last of two equal keys; in payroll data that hides a mistake.
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a record", node.start_mark, f"found the key {key_node.value!r} twice",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # YAML allows `500_000` and `+5`; the data syntax does not, and they mean 500000 and 5.
    return loader.construct_scalar(node).replace("_", "").removeprefix("+")


def _yaml_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    text = loader.construct_scalar(node)
    # Only true/false become booleans: YAML 1.1 also reads yes/no/on/off as
    # booleans, which would turn a region code `NO` (Norway) into "false".
    return text.lower() if text.lower() in ("true", "false") else text


def _yaml_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # Dates and timestamps stay as written: an ISO date is already its own text.
    return loader.construct_scalar(node)


ExactLoader.add_constructor("tag:yaml.org,2002:int", _yaml_number)
ExactLoader.add_constructor("tag:yaml.org,2002:float", _yaml_number)
ExactLoader.add_constructor("tag:yaml.org,2002:bool", _yaml_bool)
ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _yaml_text)


class _At(NamedTuple):
    """A record's place: its own span, and the span of each key and of its value."""

    span: Span
    keys: dict[str, tuple[Span, Span]]


class RecordCells:
    """The places of a list of records in their file, found once, when the first one is asked for."""

    def __init__(self, find: Callable[[], list[_At]]):
        self._find = find
        self._records: list[_At] | None = None

    def record(self, number: int) -> _At | None:
        if self._records is None:
            try:
                self._records = self._find()
            except (ValueError, RecursionError, _Located):  # no place is better than no message
                self._records = []
        return self._records[number - 1] if 1 <= number <= len(self._records) else None

    def key(self, number: int, key: Any, value: bool) -> Span | None:
        at = self.record(number)
        if at is None:
            return None
        spans = at.keys.get(str(key).strip()) if isinstance(key, str) else None
        return spans[1 if value else 0] if spans else at.span

    def place(self, line: int, column: str) -> Place | None:
        span = self.key(line, column, value=True)
        return Place(span, say("place.record", line=line, column=column)) if span else None


def exact_loader(file: str, text: str, code: str, what: str) -> ExactLoader:
    """An ExactLoader over `text`; `code` at its place for a character YAML refuses outright (a control character)."""
    try:
        return ExactLoader(text)  # safe: ExactLoader is a SafeLoader subclass
    except yaml.reader.ReaderError as e:
        at = e.position
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        raise AttainError([Diagnostic(
            code, say("yaml.control", what=what, file=file, char=f"U+{e.character:04X}"),
            Span(file, line, col, line, col + 1), hint=say("yaml.control_hint"))]) from None


# ---------------------------------------------------------------- YAML


def read_yaml(file: str, text: str) -> Table:
    loader = exact_loader(file, text, "D402", say("what.data_file"))
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        span = Span(file, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark else None
        raise AttainError(
            [Diagnostic("D402", say("D402.yaml", file=file, detail=e.problem or e.context), span=span)]
        ) from None
    except (yaml.YAMLError, RecursionError) as e:
        detail = say("D402.deep") if isinstance(e, RecursionError) else str(e)
        raise AttainError([Diagnostic("D402", say("D402.yaml", file=file, detail=detail))]) from None
    finally:
        loader.dispose()
    start = node.start_mark if node is not None else None
    document = Span(file, start.line + 1, start.column + 1, start.line + 1, start.column + 2) if start else None
    return records_table(file, data, "YAML", RecordCells(lambda: _yaml_places(file, node)), document)


def _yaml_places(file: str, node) -> list[_At]:
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "rows"), None)
    if not isinstance(node, yaml.SequenceNode):
        return []
    places = []
    for item in node.value:
        keys: dict[str, tuple[Span, Span]] = {}
        if isinstance(item, yaml.MappingNode):
            for key_node, value_node in item.value:
                if isinstance(key_node, yaml.ScalarNode):
                    keys.setdefault(key_node.value.strip(), (_node_span(file, key_node), _node_span(file, value_node)))
        places.append(_At(_node_span(file, item), keys))
    return places


def _node_span(file: str, node) -> Span:
    start, end = node.start_mark, node.end_mark
    if end.line != start.line or end.column <= start.column:  # a block that ends on a later line: its first line
        return Span(file, start.line + 1, start.column + 1, start.line + 1, start.column + 2)
    return Span(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


# ---------------------------------------------------------------- JSON


class _JSONProblem(Exception):
    pass


class _Located(Exception):
    """A problem in a JSON text and the offset of the value or key it is at."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def _json_no_constants(name: str):
    raise _JSONProblem(say("D402.json_constant", name=name))


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    record: dict = {}
    for key, value in pairs:
        if key in record:
            raise _JSONProblem(say("D402.json_key_twice", key=key))
        record[key] = value
    return record


# Numbers stay as the text written: 0.1 arrives as "0.1", never as a float.
_DECODER = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=_json_no_constants,
                            object_pairs_hook=_json_object)


def read_json(file: str, text: str) -> Table:
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as e:
        span = Span(file, e.lineno, e.colno, e.lineno, e.colno + 1)
        raise AttainError([Diagnostic("D402", say("D402.json", file=file, detail=e.msg), span=span)]) from None
    except RecursionError:
        raise AttainError([Diagnostic("D402", say("D402.json", file=file, detail=say("D402.deep")))]) from None
    except _JSONProblem as e:
        # The fast decoder does not say where; walking the records again finds the value or key.
        span = None
        try:
            _json_places(file, text)
        except _Located as found:
            span = _LineIndex(text).span(file, found.offset, found.offset + 1)
        except RecursionError:
            pass
        raise AttainError([Diagnostic("D402", say("D402.json", file=file, detail=e.args[0]), span=span)]) from None
    first = len(text) - len(text.lstrip(" \t\r\n\ufeff"))  # where the document's value starts
    document = _LineIndex(text).span(file, first, first + 1) if first < len(text) else None
    return records_table(file, data, "JSON", RecordCells(lambda: _json_places(file, text)), document)


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string at least


def _json_places(file: str, text: str) -> list[_At]:
    """The place of every record of a JSON text that `_DECODER` reads; `_Located` at a bad value or key."""
    index = _LineIndex(text)
    pos = _skip(text, 0)
    if text.startswith("{", pos):
        try:
            members, _ = _json_members(text, pos)
        except _Located as problem:
            if text.startswith("[", problem.offset):  # in the list of records: find it there
                _json_list(file, text, problem.offset, index)
            raise
        rows = next((m for m in members if m[0] == "rows"), None)
        if rows is None:
            return []
        pos = rows[3]
    if not text.startswith("[", pos):
        return []
    return _json_list(file, text, pos, index)


def _json_list(file: str, text: str, pos: int, index: _LineIndex) -> list[_At]:
    places = []
    pos = _skip(text, pos + 1)
    while not text.startswith("]", pos):
        start = pos
        keys: dict[str, tuple[Span, Span]] = {}
        if text.startswith("{", pos):
            members, pos = _json_members(text, pos)
            for key, k0, k1, v0, v1 in members:
                keys.setdefault(key.strip(), (index.span(file, k0, k1), index.span(file, v0, v1)))
        else:
            pos = _json_value(text, pos)[1]
        places.append(_At(index.span(file, start, start + 1), keys))
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
    return places


def _json_members(text: str, pos: int) -> tuple[list[tuple[str, int, int, int, int]], int]:
    """(key, key start, key end, value start, value end) of each member of the object at `pos`; its end."""
    members = []
    seen = set()
    pos = _skip(text, pos + 1)
    while not text.startswith("}", pos):
        key, key_end = _DECODER.raw_decode(text, pos)  # a key is a JSON string
        if key in seen:
            raise _Located(f"an object has the key {key!r} twice", pos)
        seen.add(key)
        value_start = _skip(text, _skip(text, key_end) + 1)  # past the colon
        _, value_end = _json_value(text, value_start)
        members.append((key, pos, key_end, value_start, value_end))
        pos = _skip(text, value_end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
    return members, pos + 1


def _json_value(text: str, pos: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except _JSONProblem as e:  # a NaN, or a duplicate key in a nested object: at this value
        raise _Located(str(e), pos) from None


class _LineIndex:
    """Character offsets in a text -> line and column."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def span(self, file: str, start: int, end: int) -> Span:
        line = bisect.bisect_right(self.starts, start)
        end_line = bisect.bisect_right(self.starts, max(start, end - 1))
        if end_line != line:  # a value over several lines: point at where it starts
            end = start + 1
        return Span(file, line, start - self.starts[line - 1] + 1, line, end - self.starts[line - 1] + 1)


# ---------------------------------------------------------------- records


def records_table(file: str, data: Any, kind: str, places: RecordCells, document: Span | None = None) -> Table:
    """Turn a loaded list of mappings (or {rows: [...]}) into a Table; Row.line is the record number.

    `document` is where the file's value starts, the place of a file that holds no list.
    """
    if isinstance(data, dict) and "rows" in data:
        data = data["rows"]
    if not isinstance(data, list):
        raise AttainError(
            [
                Diagnostic(
                    "D403",
                    say("D403.records", file=file),
                    document,
                    hint=say("D403.records_hint", kind=kind),
                )
            ]
        )
    columns: dict[str, None] = {}  # an ordered set: columns in first-seen order
    records: list[dict[str, str | None]] = []
    problems: list[Diagnostic] = []
    for number, item in enumerate(data, 1):
        where = say("record_of", number=number, file=file)
        if not isinstance(item, dict):
            at = places.record(number)
            problems.append(Diagnostic("D403", say("D403.record", where=where), span=at.span if at else None))
            continue
        record: dict[str, str | None] = {}
        for key, value in item.items():
            try:
                name = cell_text(key)
            except TypeError:
                name = None
            if not name:
                problems.append(Diagnostic("D404", say("D404.key", where=where, key=repr(key)),
                                           span=places.key(number, key, value=False)))
                continue
            if name in record:
                problems.append(Diagnostic("D404", say("D404.record_twice", where=where, name=name),
                                           span=places.key(number, key, value=False)))
                continue
            try:
                record[name] = cell_text(value)
            except TypeError:
                problems.append(
                    Diagnostic(
                        "D406",
                        say("D406", where=where, kind=_kind_name(value), name=name),
                        span=places.key(number, key, value=True),
                    )
                )
            columns.setdefault(name)
        records.append(record)
    if problems:
        raise AttainError(problems)
    names = tuple(columns)
    rows = tuple(Row(n, {c: record.get(c) for c in names}) for n, record in enumerate(records, 1))
    return Table(file, names, rows, cells=places)


def _kind_name(value: Any) -> str:
    if isinstance(value, list):
        return say("kind.list")
    if isinstance(value, dict):
        return say("kind.mapping")
    if isinstance(value, (bytes, bytearray)):
        return say("kind.binary")
    return say("kind.other", type=type(value).__name__)
