"""Money in one currency: currency signs in cells, a currency code column, and the policy's `currency` line."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from engine_choice import LOCAL_ENGINES as ENGINES

import attain
from attain.diagnostics import AttainError
from attain.dsl.builtins import currency_codes
from attain.dsl.formatter import format_policy
from attain.io.cells import CellError, money_cell, parse_cell


@pytest.mark.parametrize("text, value, sign", [
    ("¥1,200", Fraction(1200), "¥"),
    ("￥3.10", Fraction(31, 10), "￥"),
    ("¥ 1,200.50", Fraction(240100, 200), "¥"),
    ("-¥12", Fraction(-12), "¥"),
    ("¥-12", Fraction(-12), "¥"),
    ("¥ -12", Fraction(-12), "¥"),
    ("+$7", Fraction(7), "$"),
    ("12€", Fraction(12), "€"),
    ("12 €", Fraction(12), "€"),
    ("-12 €", Fraction(-12), "€"),
    ("1,000 ￥", Fraction(1000), "￥"),
    ("£0.05", Fraction(1, 20), "£"),
    ("12", Fraction(12), None),
])
def test_a_sign_goes_before_or_after_the_amount(text, value, sign):
    assert money_cell(text) == (value, sign)
    assert parse_cell("money", text) == value


@pytest.mark.parametrize("text", ["-¥-12", "¥--12", "¥+-12", "12-€", "- ¥12", "¥12¥", "€", "¥ ", "12 € €",
                                  "abc¥", "US$12", "12元", "¥12,3"])
def test_other_forms_are_no_amount(text):
    assert money_cell(text) == (None, None)
    with pytest.raises(CellError):
        parse_cell("money", text)


def test_what_a_currency_stands_for():
    assert currency_codes("¥") == ("CNY", "JPY") == currency_codes("￥")
    assert currency_codes("RMB") == ("CNY",) == currency_codes("元") == currency_codes("cny")
    assert currency_codes("€") == ("EUR",)
    assert "HKD" in currency_codes("$") and "USD" in currency_codes("$")
    assert currency_codes("RNB") == ()


POLICY = """policy "pay"
currency "CNY"
input sales : money
input bonus : money default 0
payout pay = sales * 1% + bonus
"""


def run(tmp_path, data: str, policy: str = POLICY, engine: str = "python"):
    (tmp_path / "d.csv").write_text(data, encoding="utf-8")
    return attain.loads(policy, "p.policy").run(tmp_path / "d.csv", engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_money_in_the_policys_currency_is_read_exactly(tmp_path, engine):
    data = 'id,sales,bonus\nA,"¥1,200",¥-5\nB,"1,000 ￥",\nC,-¥300.50,"¥ 0.10"\nD,400,\n'
    results = run(tmp_path, data, engine=engine)
    # A: 1,200 x 1% - 5 = 7; B: 1,000 x 1% = 10; C: -300.50 x 1% + 0.10 = -3.005 + 0.10 = -2.905; D: 4
    assert [r["pay"] for r in results.rows] == [Decimal("7"), Decimal("10"), Decimal("-2.905"), Decimal("4")]


def test_a_cell_in_another_currency_is_an_error_at_the_cell(tmp_path):
    with pytest.raises(AttainError) as e:
        run(tmp_path, 'id,sales,bonus\nA,"¥1,200",\nB,€100,\nC,5,$1\n')
    found = [(d.code, d.span.line, d.span.col, d.message) for d in e.value.diagnostics]
    assert found == [
        ("D437", 3, 3, 'expected money in the policy\'s currency "CNY", got "€100"'),
        ("D437", 4, 5, 'expected money in the policy\'s currency "CNY", got "$1"'),
    ]


def test_without_a_currency_the_first_sign_fixes_it(tmp_path):
    policy = POLICY.replace('currency "CNY"\n', "")
    with pytest.raises(AttainError) as e:
        run(tmp_path, "id,sales\nA,300\nB,¥1200\nC,$5\n", policy)
    (d,) = e.value.diagnostics
    assert (d.code, d.span.line) == ("D437", 4)
    assert d.message == ('expected money in the currency of the amounts before it (CNY, JPY, from line 3 ("¥1200")), '
                         'got "$5"')
    # one sign throughout is one currency, as before
    assert [r["pay"] for r in run(tmp_path, "id,sales\nA,$300\nB,$1200\n", policy).rows] == [3, 12]


def test_a_currency_column_names_each_rows_currency(tmp_path):
    # "RMB" is CNY; "USD" is not
    with pytest.raises(AttainError) as e:
        run(tmp_path, "id,sales,currency\nA,100,RMB\nB,200,CNY\nC,300,USD\nD,400,yuan\n")
    assert [(d.code, d.span.line, d.span.col, d.message) for d in e.value.diagnostics] == [
        ("D437", 4, 7, 'expected money in the policy\'s currency "CNY", got "USD"'),
        ("D437", 5, 7, 'expected an ISO 4217 currency code, such as CNY or USD, got "yuan"'),
    ]
    # a sign standing for several currencies is narrowed by the rows: $ and USD, then HKD, are two currencies
    with pytest.raises(AttainError) as e:
        run(tmp_path, "id,sales,币种\nA,$100,USD\nB,$200,HKD\n", POLICY.replace('"CNY"', '"$"'))
    assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("D437", 3)]


def test_the_currency_line_is_checked_and_kept_by_fmt():
    with pytest.raises(AttainError) as e:
        attain.loads(POLICY.replace('"CNY"', '"RNB"'))
    (d,) = e.value.diagnostics
    assert d.code == "C265" and d.message == "'RNB' is not a currency attain knows" and "did you mean 'RMB'" in d.hint
    formatted = format_policy(POLICY.replace('currency "CNY"', 'currency   "CNY"  '), "p.policy")
    assert formatted == format_policy(POLICY, "p.policy") and formatted.startswith('policy "pay"\ncurrency "CNY"\n')
    # the header's order puts it after the period
    moved = 'policy "pay"\ncurrency "CNY"\nperiod month\ninput sales : money\npayout pay = sales\n'
    assert format_policy(moved, "p.policy").startswith('policy "pay"\nperiod month\ncurrency "CNY"\n')
