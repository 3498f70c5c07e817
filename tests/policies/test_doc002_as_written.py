"""Document 002 as written: the checker finds the document's own gaps."""

from pathlib import Path

import pytest

import attain

ROOT = Path(__file__).resolve().parents[2]
AS_WRITTEN = ROOT / "policies" / "doc002" / "incentive-as-written.policy"
FIXED = ROOT / "policies" / "doc002" / "incentive.policy"


def line_of(path, start):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.startswith(start))


def errors():
    return [d for d in attain.check(AS_WRITTEN) if d.is_error]


def test_attainment_band_as_written_leaves_80_to_100_percent_uncovered():
    # Table 2: >= 120%: 100; 100%-120%: 80; < 80%: 40 -- nothing for 80% to 100%.
    c216 = [d for d in errors() if d.code == "C216"]
    assert [d.message for d in c216] == ["band leaves 80% to 100% uncovered"]
    assert c216[0].span.line == line_of(AS_WRITTEN, "attainment_score = band attainment") == 38


def test_tiers_as_written_cover_80_to_100_percent_only_through_progress():
    # Table 3 without a catch-all tier: 达标奖 100%-119%, 底线激励 60%-79%, 无激励 < 60%;
    # 80%-99% gets a tier only when 进步奖 (up 15 points on last period) applies.
    c229 = [d for d in errors() if d.code == "C229"]
    assert [d.message for d in c229] == ["no tier covers attainment 80% to 100% unless 'progress' applies"]
    assert c229[0].span.line == line_of(AS_WRITTEN, "tier = first match") == 77


def test_those_are_the_only_errors():
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
