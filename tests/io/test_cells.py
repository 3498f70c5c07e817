"""Tests for attain.io.cells: converting a cell's text to an exact value."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest

from attain.io.cells import CellError, parse_cell


@pytest.mark.parametrize(
    "kind, text, value",
    [
        ("money", "500000", Fraction(500000)),
        ("money", "500,000.50", Fraction(1000001, 2)),
        ("money", "-12.5", Fraction(-25, 2)),
        ("money", "¥1,200", Fraction(1200)),
        ("money", "￥3.10", Fraction(31, 10)),
        ("money", "$7", Fraction(7)),
        ("money", "-¥12", Fraction(-12)),
        ("number", "0.1", Fraction(1, 10)),
        ("number", "1,234,567.125", Fraction(1234567125, 1000)),
        ("count", "12", Fraction(12)),
        ("count", "12.0", Fraction(12)),
        ("count", "0", Fraction(0)),
        ("percent", "95%", Fraction(95, 100)),
        ("percent", "95 %", Fraction(95, 100)),
        ("percent", "0.95", Fraction(95, 100)),
        ("percent", "12.5%", Fraction(1, 8)),
        ("bool", "TRUE", True),
        ("bool", "no", False),
        ("bool", "1", True),
        ("bool", "0", False),
        ("bool", "是", True),
        ("bool", "否", False),
        ("text", " 华东 ", " 华东 "),
        ("date", "2023-07-01", datetime.date(2023, 7, 1)),
    ],
)
def test_parse_cell(kind, text, value):
    result = parse_cell(kind, text)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        ("money", "12,3x", "money"),
        ("money", "12,34", "money"),
        ("money", "1,2345", "money"),
        ("money", "500_000", "money"),
        ("money", "1e3", "money"),
        ("money", "", "money"),
        ("money", "-¥-1", "money"),
        ("number", "¥5", "number"),
        ("number", "abc", "number"),
        ("number", "1" * 5000, "a number of at most 300 digits"),  # the limit is named (issue 11)
        ("count", "1.5", "count (a whole number, 0 or more)"),
        ("count", "-1", "count (a whole number, 0 or more)"),
        ("percent", "95%%", "percent (such as 95% or 0.95)"),
        ("bool", "maybe", "true or false (true/false, yes/no, 1/0, 是/否)"),
        ("date", "2023-02-30", "date (year first: 2023-07-01, 2023/7/1, 2023.7.1 or 2023年7月1日)"),
        ("date", "20230701", "date (year first: 2023-07-01, 2023/7/1, 2023.7.1 or 2023年7月1日)"),
    ],
)
def test_parse_cell_rejects(kind, text, expected):
    with pytest.raises(CellError) as excinfo:
        parse_cell(kind, text)
    assert excinfo.value.expected == expected


def test_parse_cell_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_cell("float", "1")
