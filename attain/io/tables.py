"""Tables: what every reader produces, a data file as rows of text cells with a position for each row."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple, Protocol

import attrs

from attain.diagnostics import Diagnostic, Span
from attain.io.numtext import format_number

# The file name that data read from standard input goes by in tables and diagnostics.
STDIN_NAME = "<stdin>"


class ExactCell(str):
    """A cell computed by another policy: its text for people, and the exact value it stands for.

    A value such as 1/3 has no finite decimal text; carrying the Fraction keeps a roll-up of
    monthly results exact.
    """

    value: Any

    def __new__(cls, text: str, value: Any):
        cell = super().__new__(cls, text)
        cell.value = value
        return cell


def exact_cell(value: Any) -> ExactCell:
    """A computed value as a cell another policy can read: its output text, and the value exactly."""
    if isinstance(value, bool):
        return ExactCell("true" if value else "false", value)
    if isinstance(value, (Decimal, Fraction)):
        return ExactCell(format_number(value), Fraction(value))
    return ExactCell(str(value), value)


class Row(NamedTuple):
    """One input record: its line (CSV), row number (Excel) or 1-based record number (YAML/JSON), and its cells."""

    line: int
    cells: dict[str, str | None]


class Place(NamedTuple):
    """Where one cell is in its file: the span to point at, and how a message names it ("" when the span says it).

    A CSV cell's span is its range of characters in its line; an Excel cell's span is its row and
    sheet column, and its name the sheet cell (`Sheet1!M3`); a YAML or JSON cell's span is its value's
    line and column, and its name the record and field.
    """

    span: Span
    name: str


class Cells(Protocol):
    """Finds cells in the file a table was read from, only when a message needs one (errors are rare)."""

    def place(self, line: int, column: str) -> Place | None: ...


@attrs.frozen
class Table:
    """An input file read as text cells; every row has a cell (maybe None) for every column.

    `warnings` are what reading found worth saying without stopping (such as the encoding a CSV
    file was read in); `cells` finds a cell's place in the file for messages. Neither takes part
    in equality, and a table made by hand has neither.
    """

    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False, kw_only=True)
    cells: Cells | None = attrs.field(default=None, eq=False, kw_only=True)
    header_line: int = attrs.field(default=1, eq=False, kw_only=True)  # line (or sheet row) naming the columns
    # Columns no input may read, with their type (a Parquet DOUBLE: attain never reads a float; attain.io.parquet).
    refused: dict = attrs.field(factory=dict, eq=False, kw_only=True)

    def place(self, line: int, column: str) -> Place | None:
        """Where the cell of `column` in the row at `line` is, if the reader can tell."""
        return self.cells.place(line, column) if self.cells is not None else None

    def cell(self, line: int, column: str, number: int) -> Place:
        """The place of a cell to point at: the reader's (`Sheet1!M3`, a CSV field's characters), or else
        the row's line and the column's number (`number`, from 1) in a table made by hand."""
        place = self.place(line, column)
        return place if place is not None else Place(Span(self.file, line, number, line, number + 1), "")


def cell_text(value: Any) -> str | None:
    """The text of one cell loaded from YAML, JSON or Excel; TypeError for lists, mappings and other non-scalars."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip() or None
    raise TypeError(type(value).__name__)
