"""Tests for attain.io.numtext: the text of output numbers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from attain.io.numtext import format_grouped, format_number


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("1750.00"), "1750.00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.5E-7"), "0.00000015"),
        (Decimal("-0.00"), "0.00"),
        (Fraction(23, 20), "1.15"),
        (Fraction(6450), "6450"),
        (Fraction(-1, 1024), "-0.0009765625"),
        (Fraction(1, 3), "0.33333333333333333333"),
        (Fraction(2, 3), "0.66666666666666666667"),
        (Fraction(-1, 3 * 10**25), "0.00000000000000000000"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        ("华东", "华东"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("1750.00"), "1,750.00"),
        (Decimal("-1234567.5"), "-1,234,567.5"),
        (Fraction(6450), "6,450"),
        (Fraction(100), "100"),
        (Fraction(1000001, 3), "333,333.66666666666666666667"),
    ],
)
def test_format_grouped(value, text):
    assert format_grouped(value) == text


def test_format_number_refuses_float():
    with pytest.raises(TypeError):
        format_number(0.1)
