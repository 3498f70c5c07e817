"""Periods, history, populations and role variants, with values worked out by hand."""

from decimal import Decimal

import pytest
from engine_choice import LOCAL_ENGINES

import attain
from attain.diagnostics import AttainError
from attain.dsl.checker import check
from attain.dsl.parser import parse
from attain.engine.periods import coarsen, parse_period, period_of_date
from attain.io import Row, Table


def table(columns, *rows):
    return Table("data.csv", tuple(columns), tuple(Row(i + 2, dict(zip(columns, r))) for i, r in enumerate(rows)))


def by_key(results):
    return {(r["id"], r.get("period")): r for r in results.rows}


# ---------------------------------------------------------------- period labels

@pytest.mark.parametrize("kind, text, label", [
    ("month", "2023-07", "2023-07"), ("month", "2023-7", "2023-07"), ("quarter", "2023Q3", "2023Q3"),
    ("quarter", "2023-Q3", "2023Q3"), ("half", "2023H2", "2023H2"), ("year", "2023", "2023"),
    ("week", "2023-W32", "2023-W32"), ("week", "2020-W53", "2020-W53"),
])
def test_period_labels(kind, text, label):
    assert parse_period(kind, text).label == label


def test_period_order_and_bad_labels():
    assert parse_period("month", "2023-12").shift(1) == parse_period("month", "2024-01")
    assert parse_period("week", "2023-W52").shift(1).label == "2024-W01"
    assert parse_period("month", "2023-13") is None
    assert parse_period("quarter", "2023Q5") is None
    assert parse_period("week", "2023-W53") is None  # 2023 has 52 ISO weeks


def test_custom_month_window_and_coarsening():
    import datetime

    # "26th of last month to 25th of this month": the 26th of July is in August's window.
    assert period_of_date("month", datetime.date(2023, 7, 25), 25).label == "2023-07"
    assert period_of_date("month", datetime.date(2023, 7, 26), 25).label == "2023-08"
    assert period_of_date("month", datetime.date(2023, 12, 31), 25).label == "2024-01"
    assert coarsen(parse_period("month", "2023-08"), "quarter").label == "2023Q3"
    assert coarsen(parse_period("month", "2023-08"), "half").label == "2023H2"


# ---------------------------------------------------------------- history

HISTORY = """policy "history"
period month
input plan_input : money
input actual     : money
input late       : count
plan      = previous(next_plan, else plan_input)
next_plan = (plan + actual) / 2
on_time   = streak(late = 0)
points    = 2 if on_time >= 4 else (1 if late = 0 else -late)
growth    = actual - previous(actual, else actual)
two_back  = previous(actual, 2, else 0)
sum3      = rolling_sum(actual, 3)
mean3     = rolling_mean(actual, 3)
output plan, next_plan, on_time, points, growth, two_back, sum3, mean3
"""
COLS = ["id", "period", "plan_input", "actual", "late"]


def test_history_carried_plan_streak_and_rolling():
    rows = by_key(attain.loads(HISTORY).run(table(
        COLS,
        ["A", "2023-01", "100", "120", "0"], ["A", "2023-02", "100", "100", "0"],
        ["A", "2023-03", "100", "130", "0"], ["A", "2023-04", "100", "110", "0"],
        ["A", "2023-05", "100", "90", "1"],
    )))
    # plan carried forward: 100 -> (100+120)/2 = 110 -> (110+100)/2 = 105 -> (105+130)/2 = 117.5 -> 113.75
    assert [rows[("A", f"2023-0{m}")]["plan"] for m in range(1, 6)] == [
        Decimal("100"), Decimal("110"), Decimal("105"), Decimal("117.5"), Decimal("113.75")]
    # no late task for 4 months in a row: +1, +1, +1, then +2 from the 4th month; a late month breaks it
    assert [rows[("A", f"2023-0{m}")]["on_time"] for m in range(1, 6)] == [1, 2, 3, 4, 0]
    assert [rows[("A", f"2023-0{m}")]["points"] for m in range(1, 6)] == [1, 1, 1, 2, -1]
    # first period: previous(actual, else actual) is the month itself, so growth 0; then 100 - 120 = -20
    assert rows[("A", "2023-01")]["growth"] == 0 and rows[("A", "2023-02")]["growth"] == -20
    # two periods back: none for January and February (else 0); March sees January's 120
    assert [rows[("A", f"2023-0{m}")]["two_back"] for m in (1, 2, 3)] == [0, 0, 120]
    # rolling over what exists: 120; 220; 350 (120+100+130); 340 (100+130+110); mean of the last: 330/3 = 110
    assert [rows[("A", f"2023-0{m}")]["sum3"] for m in range(1, 6)] == [120, 220, 350, 340, 330]
    assert rows[("A", "2023-05")]["mean3"] == 110
    assert rows[("A", "2023-02")]["mean3"] == 110  # (120 + 100) / 2


def test_a_gap_is_an_error_naming_employee_and_period():
    with pytest.raises(AttainError) as e:
        attain.loads(HISTORY).run(table(COLS, ["A", "2023-01", "100", "120", "0"],
                                        ["A", "2023-03", "100", "130", "0"]))
    (d,) = e.value.diagnostics
    assert d.code == "E310"
    assert d.message.startswith("A has no data for 2023-02, between 2023-01 and 2023-03")
    # The row after the gap (line 3), its period cell (the second column); and the line that looks back.
    assert (d.span.file, d.span.line, d.span.col) == ("data.csv", 3, 2)
    assert [(n.span.line, n.text) for n in d.notes] == [(6, "looks at an earlier period")]


def test_explain_refuses_a_history_with_a_gap_as_run_does():
    data = table(COLS, ["A", "2023-01", "100", "120", "0"], ["A", "2023-03", "100", "130", "0"],
                 ["B", "2023-01", "100", "120", "0"], ["B", "2023-02", "100", "130", "0"])
    policy = attain.loads(HISTORY)
    for period in ("2023-03", "2023-01", None):  # after the gap, before it, the latest
        with pytest.raises(AttainError) as e:
            policy.explain(data, who="A", period=period)
        assert [d.code for d in e.value.diagnostics] == ["E310"]
    # B's history has no gap: explained as run computes it, plan (100 + 120) / 2 = 110 in February.
    assert policy.explain(data, who="B", value="plan").roots[0].value == 110


def test_gaps_restart_starts_history_again():
    text = HISTORY.replace('period month\n', 'period month\ngaps restart\n')
    rows = by_key(attain.loads(text).run(table(COLS, ["A", "2023-01", "100", "120", "0"],
                                               ["A", "2023-03", "100", "130", "0"])))
    # March starts a new history: plan is the input again, the streak starts at 1
    assert rows[("A", "2023-03")]["plan"] == 100
    assert rows[("A", "2023-03")]["on_time"] == 1


def test_history_needs_periods_in_policy_and_data():
    _, found = check(parse('policy "x"\ninput a : money\nb = previous(a, else 0)\noutput b\n'))
    assert [d.code for d in found] == ["C244"]
    _, found = check(parse('policy "x"\nperiod month\ninput a : money\nb = previous(a)\noutput b\n'))
    assert [d.code for d in found] == ["C240"]
    with pytest.raises(AttainError) as e:
        attain.loads(HISTORY).run(table(["id", "plan_input", "actual", "late"], ["A", "1", "1", "0"]))
    assert e.value.diagnostics[0].code == "D415"


def test_dated_rows_are_bucketed_by_a_custom_window_and_added_up():
    text = ('policy "window"\nperiod month ending day 25\ninput sales : money\n'
            "total = rolling_sum(sales, 2)\noutput sales, total\n")
    rows = by_key(attain.loads(text).run(table(
        ["id", "date", "sales"],
        ["A", "2023-07-10", "100"], ["A", "2023-07-25", "50"],   # July window: 26 Jun - 25 Jul
        ["A", "2023-07-26", "30"], ["A", "2023-08-20", "20"],   # August window: 26 Jul - 25 Aug
    )))
    assert rows[("A", "2023-07")]["sales"] == 150
    assert rows[("A", "2023-08")]["sales"] == 50
    assert rows[("A", "2023-08")]["total"] == 200


# ---------------------------------------------------------------- populations

TEAM = """policy "team"
period month
input level  : text
input region : text
input sales  : money
peers      = count(within level except self)
peer_mean  = mean(sales within level except self) if peers > 0 else sales
ratio      = sales / peer_mean
rk         = rank(sales within region)
pct        = percentile(sales within region)
top        = pct >= 95%
region_sum = sum(sales within everyone)
output peers, peer_mean, ratio, rk, pct, top, region_sum
"""


def test_group_values_ties_and_single_member_groups():
    rows = by_key(attain.loads(TEAM).run(table(
        ["id", "period", "level", "region", "sales"],
        ["A", "2023-01", "L1", "华东", "300"], ["B", "2023-01", "L1", "华东", "100"],
        ["C", "2023-01", "L1", "华东", "300"], ["D", "2023-01", "L2", "华北", "50"],
    )))
    a, b, c, d = (rows[(x, "2023-01")] for x in "ABCD")
    # peers of A at L1: B and C, mean (100 + 300) / 2 = 200, ratio 300 / 200 = 1.5
    assert (a["peers"], a["peer_mean"], a["ratio"]) == (2, Decimal("200"), Decimal("1.5"))
    # D is alone at L2: no peers, the guard uses its own sales, ratio 1
    assert (d["peers"], d["peer_mean"], d["ratio"]) == (0, Decimal("50"), Decimal("1"))
    # ties share the best rank: A and C are both 1st, B is 3rd
    assert (a["rk"], b["rk"], c["rk"]) == (1, 3, 1)
    # percentile: share of the others below: A 1 of 2 below = 50%; B none = 0%; D alone = 100%
    assert (a["pct"], b["pct"], d["pct"]) == (Decimal("0.5"), Decimal("0"), Decimal("1"))
    assert (a["top"], d["top"]) == (False, True)
    assert a["region_sum"] == 750


def test_groups_are_per_period():
    rows = by_key(attain.loads(TEAM).run(table(
        ["id", "period", "level", "region", "sales"],
        ["A", "2023-01", "L1", "x", "300"], ["B", "2023-01", "L1", "x", "100"],
        ["A", "2023-02", "L1", "x", "10"],
    )))
    assert rows[("A", "2023-02")]["peers"] == 0
    assert rows[("A", "2023-02")]["region_sum"] == 10


def test_unguarded_peer_mean_without_peers_is_an_error():
    text = 'policy "t"\ninput level : text\ninput sales : money\nm = mean(sales within level except self)\noutput m\n'
    with pytest.raises(AttainError) as e:
        attain.loads(text).run(table(["id", "level", "sales"], ["A", "L1", "1"]))
    (d,) = e.value.diagnostics
    assert d.code == "E306"
    assert d.message.startswith("for A, mean(sales within level except self) has no value")


def test_group_by_a_non_text_input_is_a_check_error():
    _, found = check(parse('policy "t"\ninput n : number\ninput s : money\nm = mean(s within n)\noutput m\n'))
    assert [d.code for d in found] == ["C246"]


# ---------------------------------------------------------------- variants

VARIANTS = """policy "roles"
input role   : text one of "regional", "area", "rep"
input base   : money
input a      : percent
input c      : percent
input m      : number in 0 .. 10
variants by role
    "regional":
        factor = weighted
            a_score 35%
            c_score 35%
            m_score 30%
    "area", "rep":
        factor = weighted
            a_score 30%
            c_score 30%
            m_score 40%
a_score = a * 100
c_score = c * 100
m_score = m * 10
payout pay = round(base * factor / 100, 0.01)
"""


def test_variants_choose_weights_by_role():
    rows = {r["id"]: r for r in attain.loads(VARIANTS).run(table(
        ["id", "role", "base", "a", "c", "m"],
        ["R", "regional", "10000", "90%", "80%", "7"], ["A", "area", "10000", "90%", "80%", "7"],
    )).rows}
    # regional: 90*35% + 80*35% + 70*30% = 31.5 + 28 + 21 = 80.5 -> 8,050.00
    # area:     90*30% + 80*30% + 70*40% = 27 + 24 + 28 = 79 -> 7,900.00
    assert (str(rows["R"]["pay"]), str(rows["A"]["pay"])) == ("8050.00", "7900.00")


def test_each_variant_is_checked_on_its_own():
    broken = VARIANTS.replace("m_score 30%", "m_score 20%")
    _, found = check(parse(broken))
    assert [(d.code, d.message) for d in found] == [("C226", "weights add up to 90%, not 100%")]
    missing = VARIANTS.replace('    "area", "rep":\n        factor = weighted\n            a_score 30%\n'
                               '            c_score 30%\n            m_score 40%\n',
                               '    "area", "rep":\n        other = 1\n')
    _, found = check(parse(missing))
    assert {d.code for d in found} == {"C241"}
    uncovered = VARIANTS.replace('"area", "rep":', '"area":')
    _, found = check(parse(uncovered))
    assert [(d.code, d.message) for d in found] == [("C243", 'no variant defines \'factor\' for "rep"')]


@pytest.mark.parametrize("engine", ["python", "reference"])
def test_no_role_reaches_a_variant_or_lookup_without_a_row(engine):
    # A value with no variant (or lookup row) is refused before anything is computed: a value outside
    # `one of` is a bad cell (D413), an empty one a missing value (E302); the checker sees to the rest
    # (C243, C225). So evaluation never meets a role it has no row for.
    policy = attain.loads(VARIANTS + 'bonus = lookup role\n    "regional" -> 2\n    "area" -> 1\n    "rep" -> 1\n'
                          "output bonus\n")
    columns = ["id", "role", "base", "a", "c", "m"]
    for role, code in (("manager", "D413"), (None, "E302")):
        for name in ("pay", "bonus"):
            with pytest.raises(AttainError) as e:
                policy.run(table(columns, ["R", role, "10000", "90%", "80%", "7"]), engine=engine)
            assert [d.code for d in e.value.diagnostics] == [code]
            with pytest.raises(AttainError) as e:
                policy.explain(table(columns, ["R", role, "10000", "90%", "80%", "7"]), "R", name, engine=engine)
            assert [d.code for d in e.value.diagnostics] == [code]
    rows = policy.run(table(columns, ["R", "regional", "10000", "90%", "80%", "7"]), engine=engine).rows
    assert (str(rows[0]["pay"]), rows[0]["bonus"]) == ("8050.00", 2)


def test_explain_shows_history_and_group():
    policy = attain.loads(HISTORY)
    data = table(COLS, ["A", "2023-01", "100", "120", "0"], ["A", "2023-02", "100", "100", "0"])
    e = policy.explain(data, "A", "plan", period="2023-02")
    text = e.text()
    assert text.startswith("A · 2023-02\n")
    assert "previous(next_plan, else plan_input) = 110 (from 2023-01)" in text
    e = attain.loads(TEAM).explain(table(["id", "period", "level", "region", "sales"],
                                         ["A", "2023-01", "L1", "x", "300"], ["B", "2023-01", "L1", "x", "100"]),
                                   "A", "peer_mean", period="2023-01")
    assert 'mean(sales within level "L1" except self) = 100 (2 employees in the group)' in e.text()


# ---------------------------------------------------------------- roll-ups

MONTHLY = """policy "monthly"
period month
input sales  : money
input target : money
score = min(sales / target * 100, 120)
output score
"""

QUARTERLY = """policy "quarterly"
period quarter
uses "monthly.policy"
input score          : number combine mean
input standard_pay   : money
input override_score : number combine last
input target         : money combine sum
quarter_score = override_score if given(override_score) else score
payout pay = round(standard_pay * quarter_score / 100, 0.01)
output quarter_score, target
"""


def test_quarter_is_the_mean_of_its_months_with_a_written_override(tmp_path):
    (tmp_path / "monthly.policy").write_text(MONTHLY, encoding="utf-8")
    (tmp_path / "quarterly.policy").write_text(QUARTERLY, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,period,sales,target,standard_pay,override_score\n"
                    "A,2023-07,90,100,3000,\nA,2023-08,110,100,3000,\nA,2023-09,130,100,3000,\n"
                    "B,2023-07,50,100,2000,\nB,2023-08,50,100,2000,95\nB,2023-09,50,100,2000,\n", encoding="utf-8")
    rows = by_key(attain.load(tmp_path / "quarterly.policy").run(data))
    a, b = rows[("A", "2023Q3")], rows[("B", "2023Q3")]
    # A: monthly scores 90, 110 and 120 (130 capped) -> mean 320/3; pay 3,000 * 320/3 / 100 = 3,200.00
    assert a["pay"] == Decimal("3200.00")
    assert a["target"] == 300  # combine sum
    # B: the evaluator wrote 95 in August; it replaces the mean of 50, 50, 50
    assert (b["quarter_score"], b["pay"]) == (Decimal("95"), Decimal("1900.00"))


def test_months_that_disagree_without_a_rule_are_an_error(tmp_path):
    (tmp_path / "monthly.policy").write_text(MONTHLY, encoding="utf-8")
    (tmp_path / "quarterly.policy").write_text(QUARTERLY, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,period,sales,target,standard_pay,override_score\n"
                    "A,2023-07,90,100,3000,\nA,2023-08,110,100,3100,\n", encoding="utf-8")
    with pytest.raises(AttainError) as e:
        attain.load(tmp_path / "quarterly.policy").run(data)
    (d,) = e.value.diagnostics
    assert d.code == "D416"
    assert "standard_pay" in d.message
    # Each rule's value for lines 2 and 3 (3,000 and 3,100), none of them offered as the fix.
    assert "sum 6100, mean 3050, min 3000, max 3100, first 3000, last 3100" in d.hint
    assert "`input standard_pay : money combine RULE`" in d.hint


def test_the_split_deal_hint_shows_that_no_rule_pays_the_split(tmp_path):
    """Issue 9: two deals of one rep in one month with different split shares.

    The plan pays 10% of each deal's amount times its share: 100,000 x 50% + 60,000 x 100% = 110,000
    credited, 11,000.00 paid. Combining the inputs one at a time cannot give that (mean share 75% x
    sum 160,000 x 10% = 12,000.00, the wrong number the old hint's `combine mean` led to). The hint shows
    what each rule gives and says a per-row value cannot come from combined inputs.
    """
    policy = tmp_path / "p.policy"
    policy.write_text('policy "split"\nperiod month\ninput amount : money combine sum\ninput share : percent\n'
                      'payout pay = round(amount * share * 10%, 0.01)\n', encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,date,amount,share\nA,2023-07-03,100000,50%\nA,2023-07-20,60000,100%\n", encoding="utf-8")
    with pytest.raises(AttainError) as e:
        attain.load(policy).run(data)
    (d,) = e.value.diagnostics
    assert d.code == "D416" and "'share'" in d.message and "(lines 2, 3)" in d.message
    assert "sum 1.5, mean 0.75, min 0.5, max 1, first 0.5, last 1" in d.hint
    assert "an amount times its share" in d.hint and "cannot come from combined inputs" in d.hint
    # Following the old hint: `combine mean` runs and pays 12,000.00, not the plan's 11,000.00.
    policy.write_text(policy.read_text(encoding="utf-8").replace("share : percent", "share : percent combine mean"),
                      encoding="utf-8")
    assert attain.load(policy).run(data).rows[0]["pay"] == Decimal("12000.00")


def test_given_needs_an_input_without_default():
    _, found = check(parse('policy "x"\ninput a : number default 1\nb = given(a)\noutput b\n'))
    assert [d.code for d in found] == ["C248"]


def test_combined_values_are_checked_against_the_range_and_explained_by_their_lines():
    text = ('policy "w"\nperiod month ending day 25\ninput score : number in 0 .. 10 combine sum\n'
            'input role : text\ninput sales : money\noutput score, sales, role\n')
    data = table(["id", "date", "score", "role", "sales"],
                 ["A", "2023-07-01", "8", "rep", "100"], ["A", "2023-07-02", "8", None, "50"])
    with pytest.raises(AttainError) as e:
        attain.loads(text).run(data)
    (d,) = e.value.diagnostics
    assert d.code == "D418"
    assert d.message == "the sum of 'score' for A in 2023-07 is 16, outside its range 0 .. 10"
    ok = text.replace("combine sum", "combine max")
    e = attain.loads(ok).explain(data, "A", period="2023-07").text()
    assert "role = \"rep\"   (from data.csv:2:4, column role)" in e
    assert "sales = 150   (from data.csv: lines 2, 3 (sum), column sales)" in e


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
def test_a_plan_carried_forward_from_a_bare_zero(tmp_path, engine):
    # Case 6's rule, next plan = (plan + actual) / 2, starting from 0 rather than a plan column.
    policy = attain.loads('policy "x"\nperiod month\ninput s : money\nplan = previous(next_plan, else 0)\n'
                          'gap = s - plan\nnext_plan = (plan + s) / 2\npayout pay = gap * 10%\noutput plan\n')
    data = tmp_path / "d.csv"
    data.write_text("id,period,s\nA,2023-01,100\nA,2023-02,300\nA,2023-03,100\n", encoding="utf-8")
    rows = policy.run(data, engine=engine).rows
    # Jan: plan 0, gap 100, next 50. Feb: plan 50, gap 250, next 175. Mar: plan 175, gap -75, next 137.5.
    assert [(r["plan"], r["pay"]) for r in rows] == [(0, 10), (50, 25), (175, Decimal("-7.5"))]
    assert policy.model.types["plan"].is_money
