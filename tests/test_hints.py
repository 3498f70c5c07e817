"""Hints never lead to a silently wrong result: where fixes give different numbers, none is offered as the fix."""

import pytest

import attain
from attain.codes import CODES
from attain.diagnostics import AttainError


def test_no_code_meaning_offers_one_combine_rule_or_a_zero_guard():
    # Issue 9: D416's help named `combine mean`, which ran and paid 12,000.00 instead of 11,000.00.
    for code in CODES.values():
        assert "for example `combine" not in code.meaning, code.code
        assert "else 0`" not in code.meaning, code.code


def test_division_by_zero_leaves_the_value_to_the_plan(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("id,a,b\nA,10,0\n", encoding="utf-8")
    policy = attain.loads('policy "x"\ninput a : money\ninput b : money\nr = a / b\noutput r\n')
    with pytest.raises(AttainError) as e:
        policy.run(data)
    (d,) = e.value.diagnostics
    assert d.code == "E301"
    assert d.hint == "say what the plan pays when b is 0: `... if b > 0 else VALUE`"


def test_a_missing_column_does_not_suggest_a_default_without_saying_what_it_does(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("id,a\nA,10\n", encoding="utf-8")
    policy = attain.loads('policy "x"\ninput a : money\ninput bonus_base : money\npayout p = a + bonus_base\n')
    with pytest.raises(AttainError) as e:
        policy.run(data)
    (d,) = e.value.diagnostics
    assert d.code == "D411"
    assert "every employee then gets that value" in d.hint
