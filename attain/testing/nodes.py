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
from attain.i18n.messages import joined, say
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
        loader = exact_loader(self.file, text, "T602", say("what.test_file"))
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            span = Span(self.file, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark else None
            raise AttainError([Diagnostic("T602", say("T602", file=self.file, detail=e.problem or e.context),
                                          span)]) from None
        except (yaml.YAMLError, RecursionError) as e:
            detail = say("D402.deep") if isinstance(e, RecursionError) else str(e)
            raise AttainError([Diagnostic("T602", say("T602", file=self.file, detail=detail))]) from None
        finally:
            loader.dispose()
        if node is None:
            raise AttainError([Diagnostic("T603", say("T603.empty_file", file=self.file), hint=say("T603.start"))])
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
            self.problem("T603", say("T603.single", what=what, kind=kind_of(node)), node)
            return False, None
        value = self._constructor.construct_object(node, deep=True)
        if value is None:
            return True, None
        return True, str(value)

    def text(self, node: yaml.Node, what: str) -> str | None:
        """A required, non-empty single value."""
        ok, value = self.scalar(node, what)
        if ok and (value is None or not value.strip()):
            self.problem("T603", say("T603.empty", what=what), node)
            return None
        return value.strip() if value else None

    def mapping(self, node: yaml.Node, what: str, allowed: Sequence[str] | None) -> Entries | None:
        """{key: (key_node, value_node)} of a mapping node; unknown keys (when `allowed` is given) are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem("T603", say("T603.mapping", what=what, kind=kind_of(node)), node)
            return None
        seen: Entries = {}
        own: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = str(self._constructor.construct_object(key_node, deep=True))
                if key in own:
                    self.problem("T604", say("T604.twice", what=what, key=key), key_node)
                own.add(key)
        try:
            self._constructor.flatten_mapping(node)
        except yaml.MarkedYAMLError as e:
            self.problem("T603", say("T603.yaml", what=what, problem=e.problem), node)
            return None
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem("T603", say("T603.key", what=what, kind=kind_of(key_node)), key_node)
                continue
            raw = self._constructor.construct_object(key_node, deep=True)
            key = "" if raw is None else str(raw)
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                self.problem("T604", say("T604", key=key, what=what), key_node,
                             hint=say("did_you_mean", close=repr(close[0])) if close else
                             say("T604.keys", keys=joined(allowed)))
                continue
            seen[key] = (key_node, value_node)
        return seen

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem("T603", say("T603.list", what=what, kind=kind_of(node)), node)
            return None
        return list(node.value)

    def file_path(self, node: yaml.Node, what: str, folder_ok: bool = False) -> Path | None:
        """A path the test file names, relative to its folder; `folder_ok`: a folder (of versions) will do."""
        name = self.text(node, what)
        if name is None:
            return None
        path = self.folder / name
        if not (path.is_file() or (folder_ok and path.is_dir())):
            self.problem("T608", say("T608.folder" if path.is_dir() else "T608", what=what, name=name),
                         node, hint=say("T608.hint", folder=str(self.folder)))
            return None
        return path


def kind_of(node: yaml.Node) -> str:
    """The shape of a node as a problem names it."""
    if isinstance(node, yaml.MappingNode):
        return say("kind.mapping")
    if isinstance(node, yaml.SequenceNode):
        return say("kind.list")
    return say("kind.single")
