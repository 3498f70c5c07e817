"""The org chart: values over direct and all reports, the hierarchy's data errors, checks and explanations.

Every value is worked out by hand in the test; every engine must give it.
"""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import hypothesis.strategies as st
import pytest
from engine_choice import LOCAL_ENGINES
from hypothesis import given, settings

import attain
from attain.diagnostics import AttainError
from attain.dsl.checker import check
from attain.dsl.formatter import format_policy
from attain.dsl.parser import parse
from attain.io import Row, Table


def table(columns, *rows):
    return Table("data.csv", tuple(columns), tuple(Row(i + 2, dict(zip(columns, r))) for i, r in enumerate(rows)))


def by_key(results):
    return {(r["id"], r.get("period")): r for r in results.rows}


TEAM = """policy "team"
input boss  : employee "上级"
input sales : money
direct  = sum(sales within direct reports)
below   = sum(sales within all reports)
size    = count(within direct reports)
everyone_below = count(within all reports)
best    = max(sales within all reports) if everyone_below > 0 else ¥0
least   = min(sales within direct reports) if size > 0 else ¥0
average = mean(sales within all reports) if everyone_below > 0 else ¥0
level_2 = sum(direct within direct reports)
siblings = count(within boss)
output direct, below, size, everyone_below, best, least, average, level_2, siblings
"""
# V <- A, B; A <- A1, A2; A2 <- A21; B has no reports; W is a second top, alone.
COLUMNS = ("id", "上级", "sales")
ROWS = (["V", "", "0"], ["A", "V", "10"], ["B", "V", "20"], ["A1", "A", "100"], ["A2", "A", "200"],
        ["A21", "A2", "1000"], ["W", "", "5"])


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
def test_values_over_direct_and_all_reports(engine):
    got = by_key(attain.loads(TEAM).run(table(COLUMNS, *ROWS), engine=engine))
    m = Decimal
    # V: direct A 10 + B 20 = 30; all: 10 + 20 + 100 + 200 + 1000 = 1330 over 5, mean 266, max 1000;
    #    least of A, B = 10; level_2 = direct(A) 300 + direct(B) 0 = 300; V and W are the tops: 2 siblings
    assert [got[("V", None)][k] for k in ("direct", "below", "size", "everyone_below", "best", "least", "average",
                                          "level_2", "siblings")] == \
        [m(30), m(1330), 2, 5, m(1000), m(10), m(266), m(300), 2]
    # A: direct 100 + 200 = 300; all 300 + 1000 = 1300 over 3: mean 1300/3 (≈433.33), max 1000;
    #    level_2 = direct(A1) 0 + direct(A2) 1000
    a = got[("A", None)]
    assert (a["direct"], a["below"], a["size"], a["everyone_below"], a["best"], a["least"], a["level_2"]) == \
        (m(300), m(1300), 2, 3, m(1000), m(100), m(1000))
    assert a["average"].as_integer_ratio() == (1300, 3)
    # A2: one report A21 (1000); B and W: no reports, sums 0, counts 0, the guards' ¥0
    assert (got[("A2", None)]["direct"], got[("A2", None)]["least"], got[("A2", None)]["siblings"]) == \
        (m(1000), m(1000), 2)
    for who in ("B", "W", "A21"):
        r = got[(who, None)]
        assert (r["direct"], r["below"], r["size"], r["everyone_below"], r["best"], r["average"]) == \
            (m(0), m(0), 0, 0, m(0), m(0))


MONTHLY = """policy "monthly team"
period month
input boss  : employee
input sales : money
team = sum(sales within direct reports)
output team
"""


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
def test_the_hierarchy_is_each_periods(engine):
    # R reports to M1 in January and to M2 in February.
    data = table(("id", "period", "boss", "sales"),
                 ["M1", "2024-01", "", "0"], ["M2", "2024-01", "", "0"], ["R", "2024-01", "M1", "70"],
                 ["M1", "2024-02", "", "0"], ["M2", "2024-02", "", "0"], ["R", "2024-02", "M2", "90"])
    got = {(r["id"], r["period"]): r["team"] for r in attain.loads(MONTHLY).run(data, engine=engine).rows}
    assert got[("M1", "2024-01")] == 70 and got[("M2", "2024-01")] == 0
    assert got[("M1", "2024-02")] == 0 and got[("M2", "2024-02")] == 90


@pytest.mark.parametrize("engine", LOCAL_ENGINES)
def test_a_mean_over_no_reports_names_the_employee(engine):
    policy = attain.loads('policy "t"\ninput boss : employee\ninput sales : money\n'
                          "m = mean(sales within direct reports)\noutput m\n")
    with pytest.raises(AttainError) as e:
        policy.run(table(("id", "boss", "sales"), ["M", "", "1"], ["R", "M", "2"]), engine=engine)
    [d] = e.value.diagnostics
    assert d.code == "E348"
    assert d.message == "for R, mean(sales within direct reports) has no value: R has no direct reports"


def test_bad_managers_are_refused_at_their_cells():
    policy = attain.loads(MONTHLY)
    data = table(("id", "period", "boss", "sales"),
                 ["A", "2024-01", "C", "1"], ["B", "2024-01", "A", "1"], ["C", "2024-01", "B", "1"],
                 ["D", "2024-01", "D", "1"], ["E", "2024-02", "A", "1"])
    with pytest.raises(AttainError) as e:
        policy.run(data)
    found = [(d.code, d.message, d.span.line, d.span.col) for d in e.value.diagnostics]
    assert found == [
        ("D451", "D is their own manager (column 'boss')", 5, 3),
        # A is not an employee of February: its row is January's
        ("D450", "E's manager 'A' (column 'boss') is not an employee of the data in 2024-02", 6, 3),
    ]
    data = table(("id", "period", "boss", "sales"),
                 ["X", "2024-01", "", "1"], ["B", "2024-01", "A", "1"], ["A", "2024-01", "C", "1"],
                 ["C", "2024-01", "B", "1"], ["Y", "2024-01", "B", "1"])
    with pytest.raises(AttainError) as e:
        policy.run(data)
    [d] = e.value.diagnostics
    # from the first row of the circle (B, line 3), up the managers: B's is A, A's is C, C's is B
    assert (d.code, d.message, d.span.line) == \
        ("D452", "the managers in column 'boss' go round in a circle in 2024-01: B → A → C → B", 3)


@pytest.mark.parametrize("text, code, message", [
    ("input sales : money\nt = sum(sales within direct reports)\n", "C297",
     "`within direct reports` needs a manager column, and the policy has no input of type `employee`"),
    ("input boss : employee\ninput mentor : employee\ninput sales : money\nt = sum(sales within all reports)\n",
     "C297", "`within all reports` could follow any of the employee inputs boss, mentor"),
    ("input region : text\ninput sales : money\nt = sum(sales within direct reports of region)\n", "C297",
     "'region' is not an input of type `employee`, so it has no reports"),
    ("input boss : employee\ninput sales : money\nt = percentile(sales within direct reports)\n", "C298",
     "`percentile` over `direct reports` compares an employee with people who are not their peers"),
    ("input boss : employee\ninput sales : money\nt = mean(sales within all reports except self)\n", "C298",
     "`all reports` never include the employee, so `except self` says nothing here"),
    ("input boss : employee\ninput sales : money\nt = sales + sum(t within direct reports)\n", "C299",
     "'t' is computed from its own value over `direct reports`: each level would need the level below "
     "computed first"),
])
def test_checks_of_the_reports_words(text, code, message):
    _model, found = check(parse('policy "t"\n' + text + "output t\n"))
    errors = [(d.code, d.message) for d in found if d.is_error]
    assert errors == [(code, message)]


def test_two_employee_inputs_say_which_and_siblings_group_by_either():
    policy = attain.loads('policy "t"\ninput boss : employee\ninput mentor : employee\ninput sales : money\n'
                          "a = sum(sales within direct reports of boss)\n"
                          "b = sum(sales within direct reports of mentor)\n"
                          "c = count(within mentor)\noutput a, b, c\n")
    data = table(("id", "boss", "mentor", "sales"), ["M", "", "R2", "1"], ["R1", "M", "M", "10"],
                 ["R2", "M", "", "20"])
    got = by_key(policy.run(data))
    # boss: M <- R1, R2; mentor: M <- R1; R2 <- M. Mentor groups: "R2" {M}, "M" {R1}, top {R2}
    assert [(got[(w, None)]["a"], got[(w, None)]["b"], got[(w, None)]["c"]) for w in ("M", "R1", "R2")] == \
        [(30, 10, 1), (0, 0, 1), (0, 1, 1)]


def test_the_reports_words_format_and_parse_back():
    text = ('policy "t"\ninput boss : employee\ninput sales : money\n'
            "t = sum( sales  within   all reports  of boss)\nu = count(within direct  reports)\noutput t, u\n")
    printed = format_policy(text)
    assert "t = sum(sales within all reports of boss)\n" in printed
    assert "u = count(within direct reports)\n" in printed
    assert parse(printed) == parse(text)


def test_explain_lists_the_reports_and_the_levels():
    policy = attain.loads(TEAM)
    data = table(COLUMNS, *ROWS, *([f"A1{i}", "A1", "1"] for i in range(10)))
    notes = policy.explain(data, "V", "below").roots[0].notes
    [note] = [str(x) for x in map(attain.engine.wording.sentence, notes)]
    # 15 reports: A, B; A1, A2; ten under A1 and A21 under A2 (each level in the order of the managers above
    # it), of which eight are listed
    assert note == ("sum(sales within all reports) = 1,340, over 15 reports below V: level 1 (2): A 10, B 20; "
                    "level 2 (2): A1 100, A2 200; level 3 (11): A10 1, A11 1, A12 1, A13 1, A14 1, A15 1, "
                    "A16 1, A17 1 and 3 more")
    [note] = [str(attain.engine.wording.sentence(x)) for x in policy.explain(data, "B", "direct").roots[0].notes]
    assert note == "sum(sales within direct reports) = 0 (B has no reports)"


def _below(bosses: dict, who: str, reach: str) -> list[str]:
    """The reports of `who`, found the slow way: those whose chain of managers reaches `who`."""
    found = []
    for other in bosses:
        up, depth = bosses[other], 1
        while up is not None:
            if up == who and (reach == "all" or depth == 1):
                found.append(other)
                break
            up, depth = bosses[up], depth + 1
    return found


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(st.data())
def test_random_forests_give_the_slow_sums_on_every_engine(data):
    people = data.draw(st.integers(1, 9))
    # each employee's manager is one listed before them, or no one: a forest, in any row order
    bosses = {f"E{i}": (None if i == 0 or data.draw(st.booleans()) else f"E{data.draw(st.integers(0, i - 1))}")
              for i in range(people)}
    sales = {who: Fraction(data.draw(st.integers(-5000, 5000)), data.draw(st.sampled_from([1, 10, 100])))
             for who in bosses}
    order = data.draw(st.permutations(list(bosses)))
    rows = [[who, bosses[who] or "", str(Decimal(sales[who].numerator) / sales[who].denominator)] for who in order]
    results = [by_key(attain.loads(TEAM).run(table(COLUMNS, *rows), engine=engine))
               for engine in LOCAL_ENGINES]
    for who in bosses:
        direct, below = _below(bosses, who, "direct"), _below(bosses, who, "all")
        want = {"direct": sum((sales[w] for w in direct), Fraction(0)),
                "below": sum((sales[w] for w in below), Fraction(0)),
                "size": len(direct), "everyone_below": len(below),
                "best": max((sales[w] for w in below), default=Fraction(0)),
                "average": sum((sales[w] for w in below), Fraction(0)) / len(below) if below else Fraction(0),
                "siblings": sum(1 for w in bosses if bosses[w] == bosses[who])}
        for got in results:
            row = got[(who, None)]
            assert {k: Fraction(row[k]) for k in want} == want, (who, rows)


LIBRARY = Path(__file__).resolve().parents[2] / "policies"


@pytest.mark.parametrize("form", ["text", "json"])
def test_the_manager_override_explanation_golden(golden, form):
    # V1's total: 8,400 of override (1,200 of the second level, 7,200 of the third) and the 2,000 team bonus
    policy = attain.load(LIBRARY / "manager-override" / "override.policy")
    found = policy.explain(str(LIBRARY / "manager-override" / "sample.csv"), who="V1", value="total")
    text = found.text() if form == "text" else found.json()
    text = text.replace(str(LIBRARY), "policies")
    golden(Path(__file__).parent / "golden" / f"explain-manager-override-V1.{'txt' if form == 'text' else 'json'}",
           text)


def test_diff_says_which_reports_a_value_is_over_now():
    from attain.diff.changes import policy_changes

    old = 'policy "t"\ninput boss : text\ninput sales : money\nt = sum(sales within boss)\noutput t\n'
    new = ('policy "t"\ninput boss : employee\ninput sales : money\nt = sum(sales within direct reports)\n'
           "u = count(within all reports of boss)\noutput t, u\n")
    found = [c.text for c in policy_changes(parse(old, "old.policy"), parse(new, "new.policy"))]
    assert found == ["boss: type text -> employee",
                     "t: formula sum(sales within boss) -> sum(sales within direct reports)",
                     "u: added: formula count(within all reports of boss)", "output: u is now written"]


PER = """policy "per"
input boss  : employee
input sales : money
input k     : count
per = sales / k
t = sum(per within all reports)
d = sum(per within direct reports)
m = mean(per within direct reports) if count(within direct reports) > 0 else ¥0
output t, d, m
"""


@settings(max_examples=15, deadline=None, derandomize=True, database=None)
@given(st.data())
def test_sums_of_per_row_fractions_over_reports_on_every_engine(data):
    # per-row denominators: duckdb sums them over the largest when it is a multiple of the others (k in 1, 2, 4),
    # and leaves the rows to the Python engine when it is not (k = 3 beside 2): the same exact values either way
    people = data.draw(st.integers(1, 8))
    bosses = {f"E{i}": (None if i == 0 or data.draw(st.booleans()) else f"E{data.draw(st.integers(0, i - 1))}")
              for i in range(people)}
    ks = data.draw(st.sampled_from([(1, 2, 4), (1, 2, 3)]))
    tenths = {who: data.draw(st.integers(-999, 999)) for who in bosses}
    sales = {who: Fraction(tenths[who], 10) for who in bosses}
    k = {who: data.draw(st.sampled_from(ks)) for who in bosses}
    rows = [[who, bosses[who] or "", str(Decimal(tenths[who]) / 10), str(k[who])] for who in bosses]
    per = {who: sales[who] / k[who] for who in bosses}
    for engine in LOCAL_ENGINES:
        got = by_key(attain.loads(PER).run(table(("id", "boss", "sales", "k"), *rows), engine=engine))
        for who in bosses:
            direct, below = _below(bosses, who, "direct"), _below(bosses, who, "all")
            want = (sum((per[w] for w in below), Fraction(0)), sum((per[w] for w in direct), Fraction(0)),
                    sum((per[w] for w in direct), Fraction(0)) / len(direct) if direct else Fraction(0))
            row = got[(who, None)]
            assert (Fraction(row["t"]), Fraction(row["d"]), Fraction(row["m"])) == want, (engine, who, rows)


def test_duckdb_sums_per_row_fractions_over_reports_itself():
    from attain.engine.bind import bind
    from attain.sql.engine import SqlRunner

    policy = attain.loads(PER)
    # (an empty cell as a reader gives it: None; an empty text "" is the Python engine's, as for any text)
    rows = [["A", None, "10", "1"], ["B", "A", "10", "4"], ["C", "A", "7", "2"], ["D", "B", "5", "4"]]
    runner = SqlRunner(policy.plan, bind(policy.plan, table(("id", "boss", "sales", "k"), *rows)))
    got = {row.record.who: row.outputs for row in runner.run()}
    # A: all 10/4 + 7/2 + 5/4 = 7.25, direct 2.5 + 3.5 = 6, their mean 3; B: 5/4 = 1.25
    assert got["A"] == (Decimal("7.25"), Decimal("6"), Decimal("3"))
    assert got["B"] == (Decimal("1.25"), Decimal("1.25"), Decimal("1.25"))
    assert runner.fallback_rows == 0  # every row computed in SQL
