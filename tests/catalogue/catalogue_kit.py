"""The catalogue's kit: a bad input as a case (files, a command line, what attain must say) and file builders.

A `Case` names the files it writes into an empty folder, the command line run
there, the diagnostic code expected among the errors and the place the message
must point at: `p.policy:3:5`, `p.policy:3` (any column), a sheet cell `S!B2`,
or None where no place exists (a missing file, an unknown option).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl
import pytest

Content = str | bytes | Callable[[Path], None]


@dataclasses.dataclass(frozen=True)
class Case:
    """One bad input through one command: what is run, and what the user must be told."""

    id: str
    args: tuple[str, ...]
    code: str | None  # the code of one of the errors; None: a usage error click reports itself
    where: str | None = None  # the place that error names; None: there is none (a missing file)
    files: Mapping[str, Content] = dataclasses.field(default_factory=dict)
    stdin: bytes | None = None
    exit: int | None = None  # when it differs from what the code's stage says
    bug: str | None = None  # a bug the catalogue found and reported: strict xfail until it is fixed
    max_stderr: int | None = None  # for inputs with huge lines: the message stays readable

    @property
    def expected_exit(self) -> int:
        """2 for usage (U5xx, and click's own errors), 1 for findings."""
        if self.exit is not None:
            return self.exit
        return 2 if self.code is None or self.code.startswith("U") else 1

    @property
    def command(self) -> str:
        return self.args[0]

    def param(self):
        marks = []
        if self.bug:
            marks.append(pytest.mark.xfail(strict=True, reason=f"bug found by the catalogue: {self.bug}"))
        return pytest.param(self, id=self.id, marks=marks)


def at(text: str, needle: str, file: str = "p.policy", nth: int = 1) -> str:
    """`file:line:col` of the nth occurrence of `needle` in `text` (columns count characters, from 1)."""
    start = -1
    for _ in range(nth):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return f"{file}:{line}:{col}"


def write_files(folder: Path, files: Mapping[str, Content]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


# ---------------------------------------------------------------- builders of awkward files


def workbook(rows: list[list], sheet: str = "S") -> Callable[[Path], None]:
    """An .xlsx file with one sheet of these rows (a text starting with '=' is a formula without a saved value)."""

    def save(path: Path) -> None:
        path.write_bytes(workbook_bytes(rows, sheet))

    return save


def workbook_bytes(rows: list[list], sheet: str = "S") -> bytes:
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.title = sheet
    for row in rows:
        wb.active.append(row)
    wb.save(buffer)
    return buffer.getvalue()


def zipped(members: Mapping[str, bytes]) -> bytes:
    """A zip archive of these members: what a damaged or foreign .xlsx looks like from inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def damaged(data: bytes, member: str) -> bytes:
    """A zip archive with the compressed data of one member spoilt at its first byte (zlib.error to read it)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    spoilt = bytearray(data)
    spoilt[start] ^= 0xFF
    return bytes(spoilt)


def nested_parentheses(depth: int, inner: str) -> str:
    return "(" * depth + inner + ")" * depth


def long_sum(terms: int, name: str) -> str:
    return " + ".join([name] * terms)


def if_chain(links: int, name: str) -> str:
    """`1 if name > 1 else 2 if name > 2 else ... else 0`, a chain of `links` choices nested to the right."""
    return " else ".join(f"{i} if {name} > {i}" for i in range(1, links + 1)) + " else 0"


def not_chain(count: int, condition: str) -> str:
    return "not " * count + condition


# ---------------------------------------------------------------- reading what attain said

_DIAGNOSTIC = re.compile(r"(?=\b(?:error|warning)\[[A-Z]\d{3}\])")
_HEADER = re.compile(r"\b(error|warning)\[([A-Z]\d{3})\]")


def blocks(text: str) -> list[tuple[str, str, str]]:
    """(severity, code, its text up to the next diagnostic) of every diagnostic in rendered output."""
    found = []
    for part in _DIAGNOSTIC.split(text):
        m = _HEADER.match(part)
        if m:
            found.append((m.group(1), m.group(2), part))
    return found


def json_as_text(stdout: str) -> str:
    """`check --format json` output as the text renderer would name its places, for the same assertions."""
    try:
        doc = json.loads(stdout)
    except ValueError:
        return ""
    parts = []
    for d in doc.get("diagnostics", []) if isinstance(doc, dict) else []:
        span = d.get("span")
        place = f"\n --> {span['file']}:{span['line']}:{span['column']}" if span else ""
        parts.append(f"{d['severity']}[{d['code']}]: {d['message']}{place}\n")
    return "\n".join(parts)


def names_place(text: str, where: str) -> bool:
    """Whether a diagnostic's text names `where`: file:line:col, file:line (any column), or Sheet!A1."""
    if "!" in where:
        return re.search(re.escape(where) + r"(?!\d)", text) is not None
    pattern = re.escape(where) + (r"(?!\d)" if where.count(":") >= 2 else r":\d+")
    return re.search(r"(?<![\w.-])" + pattern, text) is not None
