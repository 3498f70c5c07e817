"""Header rows: which row of a CSV file or worksheet names the columns (title rows above it skipped), or a question.

Spreadsheets arrive as people make them: a title such as "2023年第三季度销售业绩" in the
first row, a blank row, then the header. Rows with one filled cell above the first
row with several are titles, skipped. When the two rows after that candidate header
both have values in columns it does not name, attain cannot tell which row names the
columns, and asks for `--header-row N` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.i18n.messages import joined, say

# Title rows looked through before the header; a table whose first wide row comes later reads as it is.
MAX_TITLE_ROWS = 10
# How many non-blank rows `find_header` needs to see to decide.
LOOKAHEAD = MAX_TITLE_ROWS + 3
_PREVIEW_CELLS = 3
_PREVIEW_CHARS = 20


class Shape(NamedTuple):
    """A non-blank row as header detection sees it: where it is, which columns hold something, the first texts."""

    line: int
    filled: frozenset[int]
    texts: tuple[str, ...]

    def fits_under(self, header: Shape) -> bool:
        """Whether every value of this row is in a column that `header` names."""
        return self.filled <= header.filled


def find_header(rows: Sequence[Shape]) -> Shape | list[Shape]:
    """The header among the first non-blank rows (up to LOOKAHEAD of them), or the two rows it may be.

    The candidate is the first row of two or more cells; the rows of one cell above it are
    titles. When the next two rows both hold values in columns the candidate leaves
    unnamed, the candidate may itself be a title (or a row of group names above the
    header): attain asks. One such row alone is a row wider than its header (D405). Without
    a row of two or more cells (a one-column table) the header is the first row, as it is
    when no row after the candidate shows that the rows above it were titles.
    """
    first = rows[0]
    wide = next((i for i, row in enumerate(rows[: MAX_TITLE_ROWS + 1]) if len(row.filled) > 1), None)
    if wide is None:
        return first
    header = rows[wide]
    after = rows[wide + 1 : wide + 3]
    if len(after) == 2 and not any(row.fits_under(header) for row in after):
        return [header, after[0]]
    if not after and wide > 0:
        return first
    return header


def ambiguous(file: str, rows: list[Shape], unit: str, where: str = "") -> AttainError:
    """The question when two rows may each be the header; `unit` is "line" (CSV) or "row" (a sheet)."""
    one, two = rows
    word = say(f"unit.{unit}")
    message = say("D435", unit=word, where=where or repr(file), one=one.line, first=_preview(one), two=two.line,
                  second=_preview(two))
    hint = say("D435.hint", unit=word, one=one.line, two=two.line)
    return AttainError([Diagnostic("D435", message, span=Span(file, one.line, 1, one.line, 2), hint=hint)])


def no_header_at(file: str, header_row: int, unit: str, last: int | None, where: str = "") -> AttainError:
    """--header-row names a blank row, or one past the end of the data."""
    word = say(f"unit.{unit}")
    if last is not None and header_row > last:
        message = say("U541.past", row=header_row, where=where or repr(file), unit=word, last=last)
    else:
        message = say("U541.blank", row=header_row, unit=word, where=where or repr(file))
    return AttainError([Diagnostic("U541", message, hint=say("U541.hint", unit=word))])


def _preview(row: Shape) -> str:  # a Text or a Joined
    shown = [_short(t) for t in row.texts[:_PREVIEW_CELLS]]
    more = len(row.filled) - len(shown)
    cells = joined(f'"{t}"' for t in shown)
    return say("D435.more", cells=cells, more=more) if more > 0 else cells


def _short(text: str) -> str:
    return text if len(text) <= _PREVIEW_CHARS else text[: _PREVIEW_CHARS - 1] + "…"
