"""Properties: the compiled plan equals exact Fraction evaluation; nothing crashes on any input."""

from decimal import Decimal
from fractions import Fraction

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

import attain
from attain.diagnostics import AttainError
from attain.dsl.checker import check
from attain.dsl.parser import parse
from attain.engine.bind import bind
from attain.engine.evaluate import EvaluationError, Reference
from attain.engine.runtime import Fallback
from attain.io import Row, Table

NAMES = ("a", "b", "c")
MODES = ("half_up", "half_even", "half_down", "down", "up", "floor", "ceiling")

literals = st.one_of(
    st.integers(-50, 50).map(str),
    st.tuples(st.integers(0, 999), st.integers(1, 999)).map(lambda t: f"{t[0]}.{t[1]:03d}"),
    st.integers(0, 200).map(lambda v: f"{v}%"),
)


def expressions(depth=3):
    leaf = st.one_of(st.sampled_from(NAMES), literals)
    if depth == 0:
        return leaf
    sub = expressions(depth - 1)
    cond = st.tuples(sub, st.sampled_from([">=", ">", "<=", "<", "=", "!="]), sub).map(lambda t: " ".join(t))
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["min", "max"]), sub, sub).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        sub.map(lambda e: f"abs({e})"),
        st.tuples(sub, st.sampled_from(["0.01", "1", "0.5", "5"]), st.sampled_from(MODES)).map(
            lambda t: f"round({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(sub, cond, sub).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(sub, cond, cond).map(lambda t: f"({t[0]} if {t[1]} and not {t[2]} else 0)"),
    )


cells = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.tuples(st.integers(-999, 999), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}"),
    st.just("0"),
)

BAND = "    >= 100 -> 3\n    0 to 100 -> 2\n    below 0 -> 1\n"


def policy_text(e1, e2):
    return ('policy "generated"\ninput a : number\ninput b : number\ninput c : number\n'
            f"x = {e1}\ny = {e2}\nz = band x + y\n{BAND}"
            "w = x * 2 + y unless z = 1\noutput x, y, z, w\n")


def reference_values(model, inputs, who):
    ref = Reference(model, inputs, who)
    return [ref.value(name) for name in model.outputs]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), expressions(), st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=4))
def test_compiled_plan_equals_fraction_evaluation(e1, e2, rows):
    text = policy_text(e1, e2)
    tree = parse(text)
    model, diags = check(tree)
    if any(d.is_error for d in diags):
        return  # e.g. a literal division by zero: the checker's business, not the engine's
    policy = attain.loads(text)
    for i, (a, b, c) in enumerate(rows):
        table = Table("t.csv", ("id", "a", "b", "c"), (Row(2, {"id": f"E{i}", "a": a, "b": b, "c": c}),))
        inputs = {"a": Fraction(a), "b": Fraction(b), "c": Fraction(c)}
        try:
            expected = reference_values(model, inputs, f"E{i}")
        except EvaluationError as err:
            try:
                policy.run(table)
            except AttainError as got:
                assert [d.code for d in got.diagnostics] == [d.code for d in err.diagnostics]
            else:
                raise AssertionError("the plan computed a row the reference could not")
            continue
        (got,) = policy.run(table).rows
        # The plan itself, not a fallback, must give the same values whenever it finishes.
        slots = policy.plan.new_slots()
        try:
            for stage in policy.plan.stages:
                stage(bind(policy.plan, table).records[0].fast, (), slots, [], None)  # no period: no days
            fast = policy.plan.convert(slots)
        except Fallback:
            fast = None  # an eagerly computed value the reference (lazily) never needed
        for k, (name, want) in enumerate(zip(model.outputs, expected)):
            value = got[name]
            assert isinstance(value, (Decimal, Fraction)), value
            assert Fraction(value) == want, (name, text, a, b, c)
            if fast is not None:
                assert Fraction(fast[k]) == want, (name, text, a, b, c)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('policy"xinput:money=ab+-*/%()\n    bandlookup->120%0.5 #华东,')),
               max_size=120))
def test_no_internal_error_on_any_policy_text(text):
    try:
        tree = parse('policy "x"\n' + text)
    except AttainError as e:
        assert all(d.code.startswith("P") for d in e.diagnostics)
        return
    check(tree)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=3, max_size=3))
def test_no_internal_error_on_any_data_cell(values):
    policy = attain.loads('policy "x"\ninput a : money\ninput n : count\ninput r : percent\n'
                          "payout p = round(a * n * r, 0.01)\n")
    table = Table("t.csv", ("id", "a", "n", "r"), (Row(2, {"id": "E1", "a": values[0], "n": values[1],
                                                           "r": values[2]}),))
    try:
        (row,) = policy.run(table).rows
    except AttainError as e:
        # D431: a lone plain whole number of 2 or more in a percent column may be points (2 for 2%).
        assert {d.code for d in e.diagnostics} <= {"D413", "D431", "E302"}
        return
    assert isinstance(row["p"], Decimal)


TIME_AND_TEAMS = """policy "generated over time"
period month
input level  : text
input plan0  : money
input actual : money
input late   : count
plan      = previous(next_plan, else plan0)
next_plan = (plan + actual) / 2
ratio     = actual / plan if plan != 0 else 0
streaky   = streak(late = 0)
peers     = mean(actual within level except self) if count(within level except self) > 0 else actual
share     = actual / peers if peers != 0 else 1
rk        = rank(ratio within level)
pct       = percentile(ratio within everyone)
avg3      = rolling_mean(ratio, 3)
payout pay = round(plan * share * (1 + streaky / 10) * (1 + avg3), 0.01, half_even)
output ratio, streaky, peers, share, rk, pct, avg3
"""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["L1", "L2"]), cells, cells, st.integers(0, 2).map(str)),
                min_size=3, max_size=9))
def test_explanation_root_equals_run_result_over_periods_and_groups(rows):
    policy = attain.loads(TIME_AND_TEAMS)
    cols = ("id", "period", "level", "plan0", "actual", "late")
    data = []
    for i, (level, plan0, actual, late) in enumerate(rows):
        who, month = f"E{i % 3}", f"2023-0{1 + i // 3}"
        data.append(Row(i + 2, dict(zip(cols, (who, month, level, plan0, actual, late)))))
    table = Table("t.csv", cols, tuple(data))
    try:
        results = policy.run(table)
    except AttainError as e:
        assert {d.code for d in e.diagnostics} <= {"E301", "E306"}
        return
    for row in results.rows:
        explanation = policy.explain(table, row["id"], period=row["period"])
        for root in explanation.roots:
            want = row[root.name]
            got = root.value
            assert (Fraction(want) if isinstance(want, (Decimal, Fraction)) else want) == got, (root.name, row)
