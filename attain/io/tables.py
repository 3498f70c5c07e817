"""Tables: what every reader produces, a data file as rows of text cells with a position for each row."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

import attrs

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


@attrs.frozen
class Table:
    """An input file read as text cells; every row has a cell (maybe None) for every column."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def cell_text(value: Any) -> str | None:
    """The text of one cell loaded from YAML, JSON or Excel; TypeError for lists, mappings and other non-scalars."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip() or None
    raise TypeError(type(value).__name__)
