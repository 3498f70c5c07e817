"""Checker: every finding, with its code, its line and words a policy author can act on."""

from pathlib import Path

import pytest

from attain.diagnostics import render_all
from attain.dsl.checker import check
from attain.dsl.parser import parse

GOLDEN = Path(__file__).parent / "golden"


def diags(text):
    _, found = check(parse('policy "t"\n' + text, "t.policy"))
    return found


def codes(text):
    return [(d.code, d.span.line if d.span else None) for d in diags(text)]


def only(text, code):
    found = [d for d in diags(text) if d.code == code]
    assert found, f"no {code} in {[(d.code, d.message) for d in diags(text)]}"
    return found[0]


def test_clean_policy_has_no_findings():
    assert diags("input a : money\ninput b : money\nr = a / b\noutput r\n") == []


def test_unknown_name_suggests_the_close_one():
    d = only("input sales : money\nx = salse * 2\noutput x\n", "C203")
    assert d.message == "unknown name 'salse'"
    assert d.hint == "did you mean 'sales'?"
    assert (d.span.line, d.span.col) == (3, 5)


def test_duplicate_definition_points_at_both():
    d = only("input a : money\nx = a\nx = a * 2\noutput x\n", "C201")
    assert d.span.line == 4
    assert d.notes[0].span.line == 3


def test_cycle_names_the_loop():
    d = only("input a : number\nx = y + a\ny = x * 2\noutput x\n", "C204")
    assert d.message == "these values depend on each other in a loop: x -> y -> x"


@pytest.mark.parametrize(
    "formula, message",
    [
        ("sales + rate", "cannot add a percent and money"),
        ("sales * sales", "money times money has no meaning in a policy"),
        ("region > 5", "cannot compare text with a number"),
        ("sales > score", "cannot compare money with a number"),
        ("score / sales", "dividing a number by money has no meaning in a policy"),
    ],
)
def test_unit_errors(formula, message):
    text = ("input sales : money\ninput rate : percent\ninput region : text\ninput score : number\n"
            f"x = {formula}\noutput x, sales, rate, region, score\n")
    d = only(text, "C206")
    assert d.message == message
    assert d.span.line == 6


def test_money_over_money_is_a_percent_and_money_times_percent_is_money():
    _, found = check(parse('policy "t"\ninput s : money\ninput t : money\nr = s / t\nc = s * r\noutput c\n'))
    model, _ = check(parse('policy "t"\ninput s : money\ninput t : money\nr = s / t\nc = s * r\noutput c\n'))
    assert (str(model.types["r"]), str(model.types["c"])) == ("percent", "money")
    assert found == []


def test_band_gap_is_named():
    d = only("input a : percent\ns = band a\n    >= 120% -> 100\n    100% to 120% -> 80\n    below 80% -> 40\n"
             "output s\n", "C216")
    assert d.message == "band leaves 80% to 100% uncovered"
    assert d.span.line == 3


def test_band_overlap_is_named():
    d = only("input a : percent\ns = band a\n    >= 100% -> 100\n    90% to 110% -> 80\n    below 90% -> 40\n"
             "output s\n", "C217")
    assert d.message == "band rows overlap: both hold for 100% to 110%"
    assert d.span.line == 5


def test_band_row_that_can_never_match():
    d = only("input a : number in 0 .. 5\ns = band a\n    >= 0 -> 1\n    above 6 -> 2\noutput s\n", "C218")
    assert d.span.line == 5


def test_band_over_counts_sees_whole_numbers_only():
    # = 0, = 1, >= 2 cover every count; a gap at 2 is named as exactly 2.
    assert codes("input n : count\ns = band n\n    = 0 -> 1\n    = 1 -> 2\n    >= 2 -> 3\noutput s\n") == []
    d = only("input n : count\ns = band n\n    = 0 -> 1\n    = 1 -> 2\n    >= 3 -> 3\noutput s\n", "C216")
    assert d.message == "band leaves exactly 2 uncovered"


def test_band_within_a_declared_range_is_covered():
    text = ("input s : number in 0 .. 5\nx = band s\n    >= 4.5 -> 100\n    4.0 to 4.5 -> 80\n    below 4.0 -> 50\n"
            "output x\n")
    assert codes(text) == []


def test_lookup_over_open_text_needs_else():
    d = only('input r : text\nk = lookup r\n    "华东" -> 1\noutput k\n', "C225")
    assert d.message == "lookup over open text has no `else` row"


def test_lookup_over_choices_must_cover_them():
    d = only('input r : text one of "华东", "华北"\nk = lookup r\n    "华东" -> 1\noutput k\n', "C225")
    assert d.message == 'lookup has no row for "华北"'
    d = only('input r : text one of "华东", "华北"\nk = lookup r\n    "华东" -> 1\n    "华西" -> 2\n    else -> 0\n'
             'output k\n', "C224")
    assert d.span.line == 5


def test_weights_must_add_up_to_100_percent():
    d = only("input a : number\ninput b : number\nw = weighted\n    a 40%\n    b 50%\noutput w\n", "C226")
    assert d.message == "weights add up to 90%, not 100%"
    assert d.hint == "add 10% so they add up to 100%"


def test_tier_shadowed_by_an_earlier_one():
    text = ("input a : percent\nt = first match\n    on : a >= 100% -> c 1\n    top : a >= 120% -> c 2\n"
            "    none : otherwise -> c 0\noutput t\n")
    d = only(text, "C228")
    assert d.message == "tier 'top' can never be reached: the tiers above it always match first"
    assert d.span.line == 5


def test_tiers_leaving_a_range_uncovered_name_the_partial_tier():
    text = ("input a : percent\ninput last : percent\nt = first match\n    on : a >= 100% -> c 1\n"
            "    progress : a - last >= 15% and a >= 80% -> c 1\n    floor : a >= 60% and a < 80% -> c 0.8\n"
            "    none : a < 60% -> c 0\noutput t\n")
    d = only(text, "C229")
    assert d.message == "no tier covers a 80% to 100% unless 'progress' applies"


def test_tier_results_must_be_given_by_every_tier():
    d = only("input a : number\nt = first match\n    x : a > 1 -> c 1\n    y : otherwise\noutput t\n", "C227")
    assert d.message == "tier 'y' gives no 'c'"


def test_unknown_tier_result_and_tier_name():
    text = ('input a : number\nt = first match\n    x : a > 1 -> coefficient 1\n    y : otherwise -> coefficient 0\n'
            'b = t.coeficient\nf = t = "z"\noutput b, f\n')
    assert only(text, "C207").hint == "did you mean 'coefficient'?"
    assert only(text, "C209").message == "there is no tier named 'z'"


def test_payout_must_be_money():
    d = only("input a : percent\npayout p = a * 2\n", "C221")
    assert d.message == "payout 'p' must be money, but its formula gives percent"


def test_unused_input_is_a_warning():
    (d,) = diags("input a : money\ninput b : money\noutput a\n")
    assert (d.code, d.severity, d.span.line) == ("C220", "warning", 3)


def test_a_refusal_needs_a_condition_and_uses_its_names():
    d = only('input a : number\nrefuse "too much" when a * 2\noutput a\n', "C205")
    assert d.message == "a refusal's condition must be true or false, but this is number"
    assert only('input a : number\nrefuse "too much" when b > 2\noutput a\n', "C203").message == (
        "unknown name 'b'")
    # an input read only by a refusal is used
    assert diags('input a : number\ninput b : number\nrefuse "b too big" when b > a\noutput a\n') == []


def test_a_refusal_is_never_an_output():
    model, found = check(parse('policy "t"\ninput a : number\nb = a * 2\nrefuse "too much" when b > 20\n'))
    assert found == []
    assert model.outputs == ("b",)
    assert model.refusals == ('refuse "too much"',)


def test_brackets_must_rise_and_end_with_above():
    text = ("input s : money\ninput t : money\nc = marginal s relative to t\n"
            "    up to 120% at 1%\n    up to 100% at 2%\noutput c\n")
    found = codes(text)
    assert ("C214", 6) in found
    assert ("C215", 6) in found


def test_round_needs_a_positive_step_and_a_known_mode():
    assert only("input a : money\nx = round(a, 0)\noutput x\n", "C212").span.line == 3
    assert only("input a : money\nx = round(a, 0.01, bankers)\noutput x\n", "C212").message == "unknown rounding mode"


def test_unknown_function_and_type():
    assert only("input a : money\nx = mean(a)\noutput x\n", "C210").message == "unknown function 'mean'"
    d = only("input a : mony\noutput a\n", "C202")
    assert "did you mean 'money'?" in d.hint


def test_all_diagnostics_sorted_by_place():
    found = diags("input a : money\nx = b\ny = a + 5%\nz = c\noutput x, y, z\n")
    assert [d.span.line for d in found] == sorted(d.span.line for d in found)
    assert len(found) == 3


def test_rendering_matches_golden(golden):
    text = (GOLDEN / "mistakes.policy").read_text(encoding="utf-8")
    _, found = check(parse(text, "tests/dsl/golden/mistakes.policy"))
    golden(GOLDEN / "mistakes.expected", render_all(found, {"tests/dsl/golden/mistakes.policy": text}) + "\n")


def test_a_percent_times_100_is_points():
    model, found = check(parse('policy "t"\ninput s : money\ninput t : money\nr = s / t * 100\n'
                               "d = s / t * 2\noutput r, d\n"))
    assert found == []
    assert (str(model.types["r"]), str(model.types["d"])) == ("number", "percent")


@pytest.mark.parametrize("unit, amount", [("money", "s"), ("percent", "r")])
def test_a_bare_zero_for_a_value_carried_forward_takes_its_unit(unit, amount):
    # `next_plan` is typed after `plan`: its 0 was a plain number, and C206 fell on the lines below.
    text = (f'policy "x"\nperiod month\ninput s : money\ninput r : percent\n'
            f'plan = previous(next_plan, else 0)\ngap = {amount} - plan\nnext_plan = (plan + {amount}) / 2\n'
            f'output gap, plan\n')
    model, found = check(parse(text))
    assert [d.code for d in found if d.is_error] == []
    assert (str(model.types["plan"]), str(model.types["next_plan"])) == (unit, unit)


def test_a_bare_zero_does_not_hide_a_real_unit_mismatch():
    text = ('policy "x"\nperiod month\ninput s : money\ninput r : percent\nplan = previous(next_plan, else 0)\n'
            'gap = r - plan\nnext_plan = (plan + s) / 2\noutput gap\n')
    _, found = check(parse(text))
    assert [(d.code, d.span.line) for d in found if d.is_error] == [("C206", 6)]
