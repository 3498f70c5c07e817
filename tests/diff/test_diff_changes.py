"""attain diff, definition changes: what changed between two policy trees, in policy terms."""

from attain.diff.changes import Change, policy_changes
from attain.dsl.parser import parse

BASE = """\
policy "Demo"
version "1"
effective 2024-01-01

input sales  : money "实际销售额"
input target : money
input region : text one of "east", "north"
input base   : money default 0

attainment = sales / target

a_score = band attainment
    >= 120%      -> 100
    100% to 120% -> 80
    below 100%   -> 40

b_score = band attainment
    >= 100%    -> 100
    below 100% -> 50

difficulty = lookup region
    "east" -> 1.0
    else   -> 1.1

total = weighted
    a_score 60%
    b_score 40%

tier = first match
    top : attainment >= 120% -> coefficient 2.0, award "star"
    on_target : attainment >= 100% -> coefficient 1.2
    none : otherwise -> coefficient 0

commission = marginal sales relative to target
    up to 100% at 0%
    above at 3%

bonus = base * tier.coefficient * total / 100
output attainment, total
payout pay = round(bonus + commission, 0.01)
"""


def changes(new_text: str, old_text: str = BASE) -> list[Change]:
    return policy_changes(parse(old_text, "old.policy"), parse(new_text, "new.policy"))


def texts(new_text: str, old_text: str = BASE) -> list[str]:
    return [c.text for c in changes(new_text, old_text)]


def test_same_policy_has_no_changes():
    assert changes(BASE) == []


def test_reformatting_moving_and_comments_are_no_change():
    new = BASE.replace("bonus = base * tier.coefficient * total / 100",
                       "# the bonus\nbonus = (base*tier.coefficient) * total/100   # scaled")
    new = new.replace("    top : attainment >= 120% -> coefficient 2.0, award \"star\"",
                      "    top : attainment >= 120%\n        -> coefficient 2.0, award \"star\"")
    new = new.replace('    "east" -> 1.0', '    "east"    ->    1.0')
    # b_score moves above a_score
    b_block = "b_score = band attainment\n    >= 100%    -> 100\n    below 100% -> 50\n\n"
    new = new.replace(b_block, "").replace("a_score = band", b_block + "a_score = band")
    new = new.replace("effective 2024-01-01\n", "effective 2024-01-01\n\n\n")
    assert new != BASE
    assert changes(new) == []


def test_band_row_result_change():
    [c] = changes(BASE.replace("    100% to 120% -> 80\n", "    100% to 120% -> 85\n"))
    assert c == Change("a_score", "changed", "a_score: band row 100% to 120% now gives 85 instead of 80",
                       c.old_span, c.new_span)
    assert (c.old_span.file, c.old_span.line, c.new_span.file, c.new_span.line) == (
        "old.policy", 14, "new.policy", 14)


def test_band_rows_added_and_moved():
    new = BASE.replace("    below 100%   -> 40\n", "    80% to 100%  -> 60\n    below 80%    -> 40\n")
    assert texts(new) == [
        "a_score: band row below 100% -> 40 now covers below 80%",
        "a_score: band row 80% to 100% -> 60 added",
    ]
    assert texts(BASE, new) == [
        "a_score: band row below 80% -> 40 now covers below 100%",
        "a_score: band row 80% to 100% -> 60 removed",
    ]
    [_, added] = changes(new)
    # An added row points at the new row, and at the definition it joins in the old policy.
    assert (added.kind, added.old_span.line, added.new_span.line) == ("changed", 12, 15)


def test_band_subject_change():
    new = BASE.replace("b_score = band attainment", "b_score = band sales / target")
    assert texts(new) == ["b_score: band over attainment -> over sales / target"]


def test_weight_changes():
    new = BASE.replace("    a_score 60%\n    b_score 40%\n", "    a_score 50%\n    difficulty 10%\n    b_score 40%\n")
    assert texts(new) == [
        "total: weight of a_score 60% -> 50%",
        "total: difficulty added at 10%",
    ]
    assert texts(BASE.replace("    b_score 40%\n", "")) == ["total: b_score removed (was 40%)"]


def test_tier_changes():
    assert texts(BASE.replace("coefficient 1.2", "coefficient 1.3")) == [
        "tier: tier on_target: coefficient 1.2 -> 1.3"]
    assert texts(BASE.replace("on_target : attainment >= 100%", "on_target : attainment >= 105%")) == [
        "tier: tier on_target: condition attainment >= 100% -> attainment >= 105%"]
    assert texts(BASE.replace(', award "star"', "").replace("coefficient 0\n", 'coefficient 0, flag "plan"\n')) == [
        'tier: tier top: award "star" removed',
        'tier: tier none: flag "plan" added',
    ]
    new = BASE.replace("    none : otherwise", "    good : attainment >= 90% -> coefficient 1.0\n    none : otherwise")
    assert texts(new) == ["tier: tier good: attainment >= 90% -> coefficient 1.0 added at position 3 of 4"]
    swapped = BASE.replace(
        '    top : attainment >= 120% -> coefficient 2.0, award "star"\n'
        "    on_target : attainment >= 100% -> coefficient 1.2\n",
        "    on_target : attainment >= 100% -> coefficient 1.2\n"
        '    top : attainment >= 120% -> coefficient 2.0, award "star"\n')
    assert texts(swapped) == [
        "tier: tier order top, on_target, none -> on_target, top, none (the first tier that matches counts)"]


def test_formula_change():
    new = BASE.replace("bonus = base * tier.coefficient * total / 100",
                       "bonus = base * tier.coefficient * (total - 10) / 100 * difficulty")
    [c] = changes(new)
    assert (c.name, c.kind) == ("bonus", "changed")
    assert c.text == ("bonus: formula base * tier.coefficient * total / 100 -> "
                      "base * tier.coefficient * (total - 10) / 100 * difficulty")


def test_added_and_removed_definitions():
    new = BASE.replace('difficulty = lookup region\n    "east" -> 1.0\n    else   -> 1.1\n\n', "")
    new = new.replace("bonus = base", "extra = max(sales - target, 0) * 2%\n\nbonus = base")
    got = changes(new)
    assert [(c.name, c.kind, c.text) for c in got] == [
        ("extra", "added", "extra: added: formula max(sales - target, 0) * 2%"),
        ("difficulty", "removed", 'difficulty: removed (was lookup by region: "east" -> 1.0; else -> 1.1)'),
    ]
    assert (got[0].old_span, got[0].new_span.line) == (None, 34)
    assert (got[1].old_span.line, got[1].new_span) == (21, None)


def test_lookup_bracket_input_header_output_and_gate_changes():
    new = (BASE.replace('version "1"', 'version "2"')
           .replace('    else   -> 1.1\n', '    "north" -> 1.2\n    else   -> 1.05\n')
           .replace("    above at 3%\n", "    up to 120% at 3%\n    above at 5%\n")
           .replace("marginal sales", "retroactive sales")
           .replace('input sales  : money "实际销售额"', 'input sales  : money "销售额" in 0 .. 1_000_000')
           .replace('one of "east", "north"', 'one of "east", "north", "south"')
           .replace("default 0", "default 100")
           .replace("output attainment, total", "output total, tier")
           .replace("payout pay = round(bonus + commission, 0.01)",
                    "payout pay = round(bonus + commission, 0.01) unless attainment < 50%"))
    assert texts(new) == [
        'header: version "1" -> "2"',
        'sales: label "实际销售额" -> "销售额"',
        "sales: range 0 .. 1_000_000 added",
        'region: value "south" now allowed',
        "base: default 0 -> 100",
        "difficulty: else now gives 1.05 instead of 1.1",
        'difficulty: "north" -> 1.2 added',
        "commission: now retroactive (the whole amount at the rate of the bracket reached) "
        "instead of marginal (each part of the amount at its own rate)",
        "commission: bracket above now at 5% instead of 3%",
        "commission: bracket up to 120% at 3% added",
        "output: tier is now written",
        "output: attainment is no longer written",
        "pay: condition unless attainment < 50% added",
    ]


def test_changed_kind_of_statement_and_payout():
    new = BASE.replace("attainment = sales / target", "input attainment : percent").replace(
        "payout pay =", "pay =")
    assert texts(new) == [
        "attainment: formula sales / target -> input percent",
        "pay: no longer a payout",
    ]


def test_flag_and_definition_body_kind_change():
    old = BASE + 'flag plan "改进" when tier = "none"\n'
    new = (BASE + 'flag plan "改进计划" when tier = "none" or attainment < 80%\n').replace(
        "b_score = band attainment\n    >= 100%    -> 100\n    below 100% -> 50\n",
        "b_score = 100 if attainment >= 100% else 50\n")
    assert texts(new, old) == [
        "b_score: band over attainment: >= 100% -> 100; below 100% -> 50 -> "
        "formula 100 if attainment >= 100% else 50",
        'plan: label "改进" -> "改进计划"',
        'plan: flag condition tier = "none" -> tier = "none" or attainment < 80%',
    ]


def test_refusal_added_and_its_condition_changed():
    old = BASE + 'refuse "总分满分为100分" when total > 100\n'
    new = BASE + 'refuse "总分满分为100分" when total > 100 or total < 0\n'
    assert texts(old) == ['refuse "总分满分为100分": added: when total > 100']
    assert texts(new, old) == ['refuse "总分满分为100分": when total > 100 -> total > 100 or total < 0']


VARIANTS = """\
policy "v"
input role : text
input sales : money
input region : text
h = mean(sales within region) + rank(sales within everyone except self) - previous(sales, 2, else 0)
variants by role
    "regional", "area":
        bonus = sales * 2%
        extra = 1
    else:
        bonus = sales * 1%
"""


def test_variant_changes_name_the_value_and_the_case():
    new = VARIANTS.replace("sales * 2%", "sales * 3%").replace("        extra = 1\n", "").replace(
        "previous(sales, 2, else 0)", "previous(sales, else 0)")
    assert [(c.name, c.kind, c.text) for c in changes(new, VARIANTS)] == [
        ("h", "changed", "h: formula mean(sales within region) + rank(sales within everyone except self) - "
                         "previous(sales, 2, else 0) -> mean(sales within region) + "
                         "rank(sales within everyone except self) - previous(sales, else 0)"),
        ("bonus", "changed", 'bonus for role "regional", "area": formula sales * 2% -> sales * 3%'),
        ("extra", "removed", 'extra for role "regional", "area": removed (was formula 1)'),
    ]
    new = VARIANTS.replace('    else:\n        bonus = sales * 1%\n', '    "x":\n        bonus = 0\n')
    assert texts(new, VARIANTS) == [
        'variants by role: case "x" added, defining bonus',
        "variants by role: case else removed",
    ]
