"""Document 002 as written: the checker finds the document's own gaps, and nothing else.

The gaps themselves (C216 and C229, with their lines and messages) are asserted in
policies/doc002/incentive.test.yaml; here, that they are the only errors.
"""

from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
AS_WRITTEN = ROOT / "policies" / "doc002" / "incentive-as-written.policy"
FIXED = ROOT / "policies" / "doc002" / "incentive.policy"


def errors():
    return [d for d in attain.check(AS_WRITTEN) if d.is_error]


def test_the_gaps_are_the_only_errors():
    assert sorted(d.code for d in errors()) == ["C216", "C229"]
    with pytest.raises(attain.AttainError) as e:
        attain.load(AS_WRITTEN)
    assert sorted(d.code for d in e.value.diagnostics) == ["C216", "C229"]


def test_the_fixed_policy_has_no_findings():
    assert attain.check(FIXED) == []


def test_as_written_differs_from_the_fixed_policy_only_in_the_fixes():
    # Below the header comment, the as-written file is the fixed one minus the 80%-100% row
    # and with table 3's conditions as written (plus comments).
    def body(path):
        text = path.read_text(encoding="utf-8")
        lines = text[text.index('policy "'):].splitlines()
        return [line for line in lines if not line.strip().startswith("#")]

    fixed, written = body(FIXED), body(AS_WRITTEN)
    removed = [line for line in fixed if line not in written]
    added = [line for line in written if line not in fixed]
    assert removed == [
        "    80% to 100%  -> 60",
        '    on_target "达标奖" : attainment >= 100% -> coefficient 1.2, award "内部通报表扬"',
        '    floor "底线激励" : attainment >= 60% -> coefficient 0.8',
        '    none "无激励" : otherwise -> coefficient 0',
    ]
    assert added == [
        '    on_target "达标奖" : attainment >= 100% and attainment < 120%',
        '        -> coefficient 1.2, award "内部通报表扬"',
        '    floor "底线激励" : attainment >= 60% and attainment < 80% -> coefficient 0.8',
        '    none "无激励" : attainment < 60% -> coefficient 0',
    ]
