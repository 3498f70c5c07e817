"""Regressions found in review: each test names the mistake it keeps fixed."""

from decimal import Decimal

import pytest
from engine_choice import LOCAL_ENGINES as ENGINES

import attain
from attain.diagnostics import AttainError
from attain.dsl.checker import check
from attain.dsl.parser import parse
from attain.io import Row, Table


def table(columns, *rows):
    return Table("data.csv", tuple(columns), tuple(Row(i + 2, dict(zip(columns, r))) for i, r in enumerate(rows)))


def test_marginal_bracket_with_a_zero_bound_pays_the_same_in_run_and_explain():
    p = attain.loads('policy "m"\ninput profit : money\ncommission = marginal profit\n    up to 0 at 0%\n'
                     "    up to 10_000 at 10%\n    above at 20%\npayout pay = round(commission, 0.01)\n")
    data = table(["id", "profit"], ["B", "20000"], ["C", "-500"])
    rows = {r["id"]: r["pay"] for r in p.run(data).rows}
    # 0 to 10,000 at 10% = 1,000; above 10,000: 10,000 at 20% = 2,000; a loss pays nothing
    assert rows == {"B": Decimal("3000.00"), "C": Decimal("0.00")}
    assert p.explain(data, "B", "pay").roots[0].value == 3000


@pytest.mark.parametrize("formula", [
    "flag f when ok", "output region", "output sales",
    'variants by role\n    "a":\n        p = sales\n    else:\n        p = sales * 2\noutput p',
    "s = sum(sales within region)\noutput s",
])
def test_an_empty_cell_is_a_missing_value_error_never_an_internal_one(formula):
    p = attain.loads('policy "m"\ninput ok : bool\ninput region : text\ninput sales : money\n'
                     f"input role : text\n{formula}\n")
    data = table(["id", "ok", "region", "sales", "role"], ["A", "true", "x", "10", "a"], ["B", None, None, None, None])
    with pytest.raises(AttainError) as e:
        p.run(data)
    assert [d.code for d in e.value.diagnostics] == ["E302"]
    assert e.value.diagnostics[0].message.startswith("for B, '")


def test_previous_of_an_empty_cell_is_a_missing_value_error():
    p = attain.loads('policy "h"\nperiod month\ninput plan_in : money\nx = previous(plan_in, else 0)\noutput x\n')
    with pytest.raises(AttainError) as e:
        p.run(table(["id", "period", "plan_in"], ["A", "2023-01", None], ["A", "2023-02", "5"]))
    assert e.value.diagnostics[0].code == "E302"


def test_a_streak_in_a_branch_not_taken_counts_zero():
    p = attain.loads('policy "s"\nperiod month\ninput late : count\ninput active : bool\n'
                     "s = streak(late = 0) if active else 0\noutput s\n")
    rows = p.run(table(["id", "period", "late", "active"], ["A", "2023-01", "0", "false"],
                       ["A", "2023-02", "0", "true"])).rows
    assert [r["s"] for r in rows] == [0, 1]


def test_a_roll_up_stays_exact_and_reads_any_period_column(tmp_path):
    (tmp_path / "monthly.policy").write_text('policy "m"\nperiod month\ninput sales : money\n'
                                             "score = sales / 3 / 1_000\noutput score\n", encoding="utf-8")
    (tmp_path / "q.policy").write_text('policy "q"\nperiod quarter\nuses "monthly.policy"\n'
                                       "input score : number combine sum\ninput pay : money\n"
                                       "payout bonus = pay * score\n", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,期间,sales,pay\nA,2023-07,1000,3000\nA,2023-08,1000,3000\nA,2023-09,1000,3000\n",
                    encoding="utf-8")
    (row,) = attain.load(tmp_path / "q.policy").run(data).rows
    # each month scores 1/3 exactly; 3 x 1/3 = 1, so the bonus is exactly 3,000
    assert row["bonus"] == 3000


def test_a_payout_inside_variants_is_an_output_with_its_rounding():
    p = attain.loads('policy "v"\ninput role : text one of "a", "b"\ninput sales : money\n'
                     'variants by role\n    "a":\n        payout pay = round(sales * 2%, 0.01)\n'
                     '    "b":\n        payout pay = round(sales * 1%, 0.01)\npayout pay2 = round(sales * 2%, 0.01)\n')
    rows = p.run(table(["id", "role", "sales"], ["A", "a", "100"], ["B", "b", "150"])).rows
    assert [(r["pay"], r["pay2"]) for r in rows] == [(Decimal("2.00"), Decimal("2.00")),
                                                     (Decimal("1.50"), Decimal("3.00"))]
    assert str(rows[1]["pay"]) == "1.50"


def test_months_written_differently_agree_and_mixed_labels_combine():
    p = attain.loads('policy "q"\nperiod quarter\ninput sales : money combine sum\ninput standard_pay : money\n'
                     "output sales, standard_pay\n")
    (row,) = p.run(table(["id", "period", "sales", "standard_pay"], ["A", "2023Q3", "10", "5000"],
                         ["A", "2023-07", "5", "5000.00"])).rows
    assert (row["sales"], row["standard_pay"]) == (15, 5000)


def test_checker_catches_counts_that_leave_the_whole_numbers_and_knows_streaks_are_not_negative():
    _, found = check(parse('policy "c"\ninput visits : count\nhalf = visits / 2\npts = band half\n'
                           "    < 0 -> 0\n    = 0 -> 0\n    = 1 -> 1\n    >= 2 -> 3\noutput pts\n"))
    assert [d.code for d in found] == ["C216"]
    _, found = check(parse('policy "s"\nperiod month\ninput late : count\ns = streak(late = 0)\npts = band s\n'
                           "    = 0 -> 0\n    = 1 -> 1\n    >= 2 -> 3\noutput pts\n"))
    assert found == []


def test_checker_messages_show_exact_numbers():
    _, found = check(parse('policy "x"\ninput a : number\ns = band a\n    below 1_000_000.5 -> 1\n'
                           "    1_234_567.5 to 2_000_000 -> 2\n    >= 2_000_000 -> 3\noutput s\n"))
    assert found[0].message == "band leaves 1_000_000.5 to 1_234_567.5 uncovered"


def test_bad_whole_numbers_and_mixed_tier_results_are_diagnostics():
    with pytest.raises(AttainError) as e:
        parse('policy "x"\nperiod month ending day 2.5\n')
    assert e.value.diagnostics[0].code == "P116"
    _, found = check(parse('policy "x"\ninput a : number\nt = first match\n    x : a > 1 -> c 1\n'
                           '    y : otherwise -> c "t"\nd = t.c\noutput d\n'))
    assert "C206" in [d.code for d in found]
    _, found = check(parse('policy "x"\ninput a : number\nt = first match\n    top : a >= 1 -> promote true\n'
                           "    rest : otherwise\noutput t\n"))
    assert [d.code for d in found] == ["C227"]


def test_a_comment_before_a_continuation_line():
    assert parse('policy "x"\ninput a : money\nb = a * 2  # doubled\n    + 1\n').definitions[0].body.op == "+"


def test_years_out_of_range_are_bad_labels():
    p = attain.loads('policy "y"\nperiod month\nuntil 2030-12-31\ninput a : money\noutput a\n')
    with pytest.raises(AttainError) as e:
        p.run(table(["id", "period", "a"], ["A", "9999-12", "1"]))
    assert e.value.diagnostics[0].code == "D413"


@pytest.mark.parametrize("block, value", [
    ("b = retroactive s\n    above at 1%\n", Decimal("0.12")),
    ("b = lookup region\n    else -> 2\n", Decimal("2")),
    ("b = band s\n    otherwise -> 3\n", Decimal("3")),
    ('variants by region\n    else:\n        b = s * 2\n', Decimal("24")),
])
def test_a_block_of_one_catch_all_row_compiles(block, value):
    # The plan wrote a bare `else:` with no `if` before it (a SyntaxError while loading the policy).
    p = attain.loads(f'policy "c"\ninput s : money\ninput region : text\n{block}output b\n')
    data = table(["id", "s", "region"], ["A", "12", "N"])
    for engine in ("python", "reference"):
        assert p.run(data, engine=engine).rows[0]["b"] == value


def outcomes(policy, data):
    """Each engine's rows, or the diagnostics (code, message) it stopped with."""
    found = {}
    for engine in ENGINES:
        try:
            found[engine] = policy.run(data, engine=engine).rows
        except AttainError as e:
            found[engine] = [(d.code, d.message, d.span) for d in e.diagnostics]
    return found


def test_an_empty_input_kept_for_a_group_or_a_later_period_is_kept_as_the_plan_keeps_it():
    # The reference engine computed the input itself where the plan keeps the cell: an empty one
    # failed the row at once ("... and it is an output"), before the group or period needing it.
    later = attain.loads('policy "h"\nperiod month\ninput sales : money\np = previous(sales, else 0)\noutput p\n')
    found = outcomes(later, table(["id", "period", "sales"], ["A", "2023-01", None]))
    assert list(found.values()) == [({"id": "A", "period": "2023-01", "p": Decimal("0")},)] * len(ENGINES)
    group = attain.loads('policy "g"\ninput region : text\ninput extra : number\nm = max(extra within region)\n'
                         "output m\n")
    found = outcomes(group, table(["id", "region", "extra"], ["A", "N", None], ["B", "N", "1"]))
    assert [d[:2] for d in found["reference"]] == [
        ("E302", "for A, 'extra' is missing, and max(... within ...) needs it to place the employee in a group")]
    assert all(f == found["reference"] for f in found.values())
    output = attain.loads('policy "o"\ninput extra : number\ninput sales : money\nr = sales / 2\n'
                          "output extra, r\n")
    found = outcomes(output, table(["id", "extra", "sales"], ["A", None, "4"]))
    assert [d[:2] for d in found["python"]] == [("E302", "for A, 'extra' is missing, and it is an output")]
    assert all(f == found["python"] for f in found.values())


@pytest.mark.parametrize("kind", ["marginal", "retroactive"])
def test_brackets_with_no_bound_still_need_their_base(kind):
    # With only `above at`, no bound reads the base, and the plan paid 10% of sales where the base
    # was empty; the reference evaluator computes the base, and says it is missing.
    p = attain.loads(f'policy "b"\ninput sales : money\ninput target : money\nc = {kind} sales relative to target\n'
                     "    above at 10%\noutput c\n")
    found = outcomes(p, table(["id", "sales", "target"], ["A", "100", None]))
    assert [d[:2] for d in found["python"]] == [("E302", "for A, 'target' is missing, and 'c' needs it")]
    assert all(f == found["python"] for f in found.values())
    assert outcomes(p, table(["id", "sales", "target"], ["A", "100", "0"]))["python"] == (
        {"id": "A", "c": Decimal("10.0")},)


def test_a_text_date_or_flag_that_copies_an_empty_cell_fails_its_row_as_the_reference_says():
    # The plan stored the empty cell and went on: the row gave results (here p = "none") where the
    # reference evaluator fails it, or failed only when written out, after joining its groups.
    p = attain.loads('policy "t"\nperiod month\ninput region : text\ninput sales : money\nr = region\n'
                     'p = previous(r, else "none")\noutput p, sales\n')
    found = outcomes(p, table(["id", "period", "region", "sales"], ["A", "2023-01", None, "5"]))
    assert [d[:2] for d in found["python"]] == [("E302", "for A in 2023-01, 'region' is missing, and 'r' needs it")]
    assert all(f == found["python"] for f in found.values())
    tiers = attain.loads('policy "f"\ninput sales : money\ninput note : text\ninput pick : bool\n'
                         "t = first match\n    top : sales > 0 -> note note, pick pick\n"
                         "    rest : otherwise -> pick false\n"
                         "s = min(sales within everyone except self)\noutput t, s\n")
    found = outcomes(tiers, table(["id", "sales", "note", "pick"], ["A", "5", "x", None], ["B", "7", "y", "true"]))
    # A fails where its tier is computed, before the group: so B has no peer in it
    assert [d[:2] for d in found["python"]] == [
        ("E302", "for A, 'pick' is missing, and 't' needs it"),
        ("E306", "for B, min(sales within everyone except self) has no value: min(sales within everyone "
                 "except self) = no value: no one else is in the group (1 employee in the group)")]
    assert all(f == found["python"] for f in found.values())


@pytest.mark.parametrize("step", ["1", "0.01"])
def test_rounding_an_empty_cell_to_a_whole_step_is_an_error_not_a_crash(step):
    # round(x, 1) handed the empty cell's pair straight to divmod(), a TypeError (internal error).
    p = attain.loads(f'policy "r"\ninput score : number\nv = round(score, {step})\noutput v\n')
    found = outcomes(p, table(["id", "score"], ["A", None]))
    assert [d[:2] for d in found["python"]] == [("E302", "for A, 'score' is missing, and 'v' needs it")]
    assert all(f == found["python"] for f in found.values())


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rounded_payout_with_unless_keeps_its_places_paid_or_not(engine):
    # `unless` makes the value 0, which has no places of its own: the line's round(..., 0.01) fixes them.
    # 48,400 x 10% = 4,840 -> 4840.00; ok = false pays 0 -> 0.00 (it printed 4840 and 0).
    p = attain.loads('policy "u"\ninput sales : money\ninput ok : bool\n'
                     "payout pay = round(sales * 10%, 0.01) unless not ok\n")
    data = table(["id", "sales", "ok"], ["A", "48400", "true"], ["B", "100", "false"])
    rows = {r["id"]: str(r["pay"]) for r in p.run(data, engine=engine).rows}
    assert rows == {"A": "4840.00", "B": "0.00"}
