"""Rounding and exact output values."""

from decimal import Decimal
from fractions import Fraction

import pytest

from attain.exact import decimal_places, round_ratio, round_to_step, to_decimal


@pytest.mark.parametrize(
    "value, mode, expected",
    [
        # ties
        ("2.5", "half_up", 3), ("-2.5", "half_up", -3), ("2.5", "half_even", 2), ("3.5", "half_even", 4),
        ("2.5", "half_down", 2), ("-2.5", "half_down", -2), ("-2.5", "half_even", -2),
        # not ties
        ("2.4", "half_up", 2), ("2.6", "half_down", 3), ("-2.6", "half_up", -3),
        # directed
        ("2.1", "down", 2), ("-2.1", "down", -2), ("2.1", "up", 3), ("-2.1", "up", -3),
        ("-2.1", "floor", -3), ("2.1", "floor", 2), ("-2.9", "ceiling", -2), ("2.1", "ceiling", 3),
        # exact values are never moved
        ("7", "up", 7), ("-7", "half_even", -7),
    ],
)
def test_round_ratio(value, mode, expected):
    f = Fraction(value)
    assert round_ratio(f.numerator, f.denominator, mode) == expected


def test_round_to_step_works_on_steps_other_than_powers_of_ten():
    # 4,760.4 to the nearest 5: 4,760 (remainder 0.4 < 2.5); 1/3 to cents half-up: 0.33
    assert round_to_step(Fraction("4760.4"), Fraction(5)) == 4760
    assert round_to_step(Fraction(1, 3), Fraction(1, 100)) == Fraction(33, 100)
    assert round_to_step(Fraction(657657, 200), Fraction(1, 100)) == Fraction("3288.29")


def test_decimal_places():
    assert decimal_places(Fraction(1, 100)) == 2
    assert decimal_places(Fraction(5)) == 0
    assert decimal_places(Fraction(1, 8)) == 3
    assert decimal_places(Fraction(1, 3)) is None


def test_to_decimal_is_exact_and_keeps_places():
    assert to_decimal(23, 20) == Decimal("1.15") and str(to_decimal(23, 20)) == "1.15"
    assert str(to_decimal(175000, 100, 2)) == "1750.00"
    assert str(to_decimal(6450, 1)) == "6450"
    assert to_decimal(1, 3) == Fraction(1, 3)
    # a 40-digit value stays exact: no 28-digit context is involved
    big = 10**40 + 1
    assert str(to_decimal(big, 100)) == "100000000000000000000000000000000000000.01"
