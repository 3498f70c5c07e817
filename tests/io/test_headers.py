"""Tests for attain.io.headers: which of the first rows names the columns."""

from __future__ import annotations

from attain.io.headers import MAX_TITLE_ROWS, Shape, find_header


def row(line: int, *filled: int) -> Shape:
    return Shape(line, frozenset(filled), tuple(f"c{c}" for c in filled))


def test_the_first_row_of_several_cells_is_the_header_titles_above_it_are_skipped():
    rows = [row(1, 1), row(2, 1), row(4, 1, 2, 3), row(5, 1, 2, 3), row(6, 1, 3)]
    assert find_header(rows) == rows[2]


def test_without_a_row_after_it_nothing_shows_the_rows_above_were_titles():
    rows = [row(1, 1), row(2, 1), row(3, 1, 2)]
    assert find_header(rows) == rows[0]


def test_a_one_column_table():
    rows = [row(1, 1), row(2, 1), row(3, 1)]
    assert find_header(rows) == rows[0]


def test_two_rows_with_values_the_candidate_does_not_name_make_a_question():
    # A title with a unit beside it (2 cells), then the real header and data (3 cells).
    rows = [row(1, 1, 2), row(2, 1, 2, 3), row(3, 1, 2, 3)]
    assert find_header(rows) == [rows[0], rows[1]]
    # Group names over merged cells (A and D), the header below them.
    rows = [row(1, 1, 4), row(2, 1, 2, 3, 4, 5), row(3, 1, 2, 3, 4, 5)]
    assert find_header(rows) == [rows[0], rows[1]]


def test_one_wide_row_under_the_header_is_not_a_question():
    rows = [row(1, 1, 2), row(2, 1, 2, 3), row(3, 1, 2)]
    assert find_header(rows) == rows[0]


def test_titles_are_looked_for_only_near_the_top():
    rows = [row(n, 1) for n in range(1, MAX_TITLE_ROWS + 3)] + [row(50, 1, 2), row(51, 1, 2)]
    assert find_header(rows) == rows[0]
