"""Policy tests, YAML nodes: a test file's node tree, read shape by shape with a position for every problem.

The test file is composed into nodes rather than loaded into Python values so
that every problem (T602-T604, T608) can point at its line and column. Values
are constructed with the loader of `attain.io.readers`, which keeps numbers as
the text YAML wrote (no floats). The format itself is read in
`attain.testing.reader`, on top of this.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

import yaml

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.io.readers import ExactLoader, exact_loader

# A mapping's entries: key -> (key node, value node), the nodes kept for their positions.
Entries = dict[str, tuple[yaml.Node, yaml.Node]]


class NodeReader:
    """Reads the nodes of one test file, collecting its problems instead of stopping at the first."""

    def __init__(self, file: str, folder: Path):
        self.file = file
        self.folder = folder
        self.problems: list[Diagnostic] = []
        self._constructor = ExactLoader("")

    def compose(self, text: str) -> yaml.Node:
        loader = exact_loader(self.file, text, "T602", "test file")
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
            self.problem("T603", f"{what} must be a single value, not a {kind_of(node)}", node)
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

    def mapping(self, node: yaml.Node, what: str, allowed: Sequence[str] | None) -> Entries | None:
        """{key: (key_node, value_node)} of a mapping node; unknown keys (when `allowed` is given) are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem("T603", f"{what} must be a mapping, not a {kind_of(node)}", node)
            return None
        seen: Entries = {}
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
                self.problem("T603", f"{what} has a key that is a {kind_of(key_node)}", key_node)
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
            self.problem("T603", f"{what} must be a list, not a {kind_of(node)}", node)
            return None
        return list(node.value)

    def file_path(self, node: yaml.Node, what: str, folder_ok: bool = False) -> Path | None:
        """A path the test file names, relative to its folder; `folder_ok`: a folder (of versions) will do."""
        name = self.text(node, what)
        if name is None:
            return None
        path = self.folder / name
        if not (path.is_file() or (folder_ok and path.is_dir())):
            self.problem("T608", f"{what} {name!r} does not exist" + (" (it is a folder)" if path.is_dir() else ""),
                         node, hint=f"the path is relative to the test file's folder, {str(self.folder)!r}")
            return None
        return path


def kind_of(node: yaml.Node) -> str:
    """The shape of a node as a problem names it."""
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "single value"
