"""Deep and long formulas: every pass takes them up to `limits.MAX_NESTING` levels, and refuses deeper with P117.

Each shape goes through every command (check, run on both engines, explain, fmt, diff);
the values are worked by hand in the comments. The passes recurse; `limits.deep` gives
them the stack, and the compiled plan's generated Python stays within Python's own
nesting limits (or, past them, hands the rows to the reference evaluator).
"""

from decimal import Decimal

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.dsl.formatter import format_policy
from attain.dsl.parser import parse
from attain.limits import MAX_NESTING, call_deep

H = 'policy "deep"\ninput a : number\n'
B = 'policy "deep"\ninput a : bool\n'

SHAPES = {
    # 600 times a, with a = 3: 1,800.
    "sum of 600 terms": (H + "b = " + " + ".join(["a"] * 600) + "\noutput b\n", "3", "1800"),
    # The first condition that holds is a > 2 (a = 3): 2 * 10 = 20.
    "600 chained if/else": (H + "b = " + "".join(f"{i * 10} if a > {i} else " for i in range(600, 1, -1))
                            + "0\noutput b\n", "3", "20"),
    # 1 + (1 + (... (1 + a))): 500 ones and a = 3: 503.
    "500 nested parentheses": (H + "b = " + "(1 + " * 500 + "a" + ")" * 500 + "\noutput b\n", "3", "503"),
    # Parentheses around one name add no level: a.
    "500 redundant parentheses": (H + "b = " + "(" * 500 + "a" + ")" * 500 + "\noutput b\n", "3", "3"),
    # An even number of nots: a itself.
    "200 nots": (B + "b = " + "not " * 200 + "a\noutput b\n", "true", "true"),
    # 300 conditions nested inside conditions, then-side: each is 1 when a > 0, and 1 > 0 holds: 1.
    "300 conditionals in conditions": (H + "b = " + "(1 if " * 300 + "a > 0" + " else 2) > 0" * 300
                                       + "\nc = 1 if b else 0\noutput c\n", "3", "1"),
    # a > 0 and (a > 0 and (...)): true; 150 levels of `and` nested to the right.
    "150 nested ands": (H + "b = " + "(a > 0 and " * 150 + "true" + ")" * 150 + "\noutput b\n", "3", "true"),
    # 120 tiers (more than Python's 100 levels of blocks, had they nested): a = 3 matches r3 first
    # (rows count down): coefficient 3.
    "a table of 120 tiers": (H + "t = first match\n" + "".join(f"    r{i} : a >= {i} -> coefficient {i}\n"
                                                              for i in range(120, 0, -1))
                             + "    none : otherwise -> coefficient 0\nc = t.coefficient\noutput c\n", "3", "3"),
}


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert "internal error" not in result.stderr
    return result


@pytest.fixture(params=list(SHAPES), ids=list(SHAPES))
def shape(request, tmp_path):
    text, cell, value = SHAPES[request.param]
    policy = tmp_path / "deep.policy"
    policy.write_text(text, encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(f"id,a\nx,{cell}\n", encoding="utf-8")
    return str(policy), str(data), value


def test_check_and_run_on_both_engines(shape):
    policy, data, value = shape
    assert invoke("check", policy).exit_code == 0
    for engine in ("python", "reference"):
        r = invoke("run", policy, "--data", data, "--format", "csv", "--engine", engine)
        assert r.exit_code == 0, r.stderr
        assert r.stdout.splitlines()[1].split(",")[-1] == value


def test_explain(shape):
    policy, data, value = shape
    r = invoke("explain", policy, "--data", data, "--who", "x")
    assert r.exit_code == 0, r.stderr
    assert f" = {value}" in r.stdout or f" = {'yes' if value == 'true' else value}" in r.stdout


def test_fmt_keeps_the_meaning(shape):
    policy, data, _ = shape
    text = open(policy, encoding="utf-8").read()
    formatted = format_policy(text, policy)
    # Comparing two trees this deep recurses as deep as they are: on the deep stack, as the passes do.
    assert call_deep(lambda: parse(formatted) == parse(text))
    assert format_policy(formatted) == formatted
    assert invoke("fmt", policy).exit_code == 0


def test_diff(shape, tmp_path):
    policy, data, _ = shape
    text = open(policy, encoding="utf-8").read()
    new = tmp_path / "new.policy"
    new.write_text(text.replace("input a", "input z : number default 0\ninput a", 1), encoding="utf-8")
    r = invoke("diff", policy, str(new), "--data", data)
    assert r.exit_code == 0, r.stderr
    assert "0 of 1 employee" in r.stdout


def test_chains_stay_in_the_compiled_plan():
    # Long chains compile to flat code: no row of these goes to the reference evaluator for its depth.
    for name in ("sum of 600 terms", "600 chained if/else", "500 nested parentheses", "200 nots",
                 "a table of 120 tiers", "300 conditionals in conditions"):
        policy = attain.loads(SHAPES[name][0])
        assert "nested too deeply" not in policy.plan.source, name
        compile(policy.plan.source, name, "exec")


def test_nesting_past_pythons_limits_runs_on_the_reference_evaluator(tmp_path):
    # 150 `and`s nested to the right need 150 levels of blocks, more than Python compiles: every row is
    # computed by the reference evaluator, with the same value.
    text, cell, value = SHAPES["150 nested ands"]
    policy = attain.loads(text)
    assert "nested too deeply" in policy.plan.source
    data = tmp_path / "d.csv"
    data.write_text(f"id,a\nx,{cell}\ny,-1\n", encoding="utf-8")
    rows = policy.run(str(data)).rows
    assert [r["b"] for r in rows] == [True, False]


def test_the_deepest_formula_allowed_runs():
    # Exactly MAX_NESTING levels: 999 additions around `a` (each a level) and `a` itself.
    text = H + "b = " + "(1 + " * (MAX_NESTING - 1) + "a" + ")" * (MAX_NESTING - 1) + "\noutput b\n"
    policy = attain.loads(text)
    from attain.io import Row, Table

    table = Table("<t>", ("id", "a"), (Row(2, {"id": "x", "a": "1"}),))
    assert policy.run(table).rows[0]["b"] == Decimal(MAX_NESTING)  # 999 ones + 1
    assert policy.run(table, engine="reference").rows[0]["b"] == Decimal(MAX_NESTING)


@pytest.mark.parametrize("formula,line,col", [
    # One level too many: the innermost `(1 + a)` is level 1,000, and its `1` level 1,001.
    ("(1 + " * MAX_NESTING + "a" + ")" * MAX_NESTING, 3, 5 + 5 * (MAX_NESTING - 1) + 1),
    # A sum of 1,001 terms nests 1,000 additions: its first term is level 1,001.
    (" + ".join(["a"] * (MAX_NESTING + 1)), 3, 5),
], ids=["nested", "long sum"])
def test_deeper_than_the_limit_is_refused_where_it_passes_it(formula, line, col):
    with pytest.raises(AttainError) as e:
        attain.loads(H + "b = " + formula + "\noutput b\n", "d.policy")
    (d,) = e.value.diagnostics
    assert d.code == "P117"
    assert "1,000 levels" in d.message
    assert (d.span.line, d.span.col) == (line, col)
    assert d.label == "level 1,001"


def test_deep_calls_put_the_recursion_limit_back():
    import sys

    before = sys.getrecursionlimit()
    call_deep(attain.loads, SHAPES["sum of 600 terms"][0])
    assert sys.getrecursionlimit() == before
    with pytest.raises(AttainError):
        attain.loads(H + "b = " + "(1 + " * (MAX_NESTING + 5) + "a" + ")" * (MAX_NESTING + 5) + "\n")
    assert sys.getrecursionlimit() == before


def chain(n: int) -> str:
    """v0 = a, v1 = v0 + 1, ...: each value two steps (its `+` and the name it uses)."""
    return H + "v0 = a\n" + "".join(f"v{i} = v{i - 1} + 1\n" for i in range(1, n)) + f"output v{n - 1}\n"


def test_a_chain_of_3000_values_runs_and_explains(tmp_path):
    policy = tmp_path / "chain.policy"
    policy.write_text(chain(3000), encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,a\nx,1\n", encoding="utf-8")
    assert invoke("check", str(policy)).exit_code == 0
    for engine in ("python", "reference"):
        r = invoke("run", str(policy), "--data", str(data), "--format", "csv", "--engine", engine)
        assert r.stdout.splitlines()[1] == "x,3000"  # a = 1, plus 2,999 ones
    for fmt in ("text", "json"):
        r = invoke("explain", str(policy), "--data", str(data), "--who", "x", "--format", fmt)
        assert r.exit_code == 0 and "v0" in r.stdout
    assert invoke("fmt", str(policy)).exit_code == 0
    assert invoke("fmt", "--check", str(policy)).exit_code == 0


def test_a_longer_chain_is_refused_where_it_passes_the_limit():
    from attain.limits import MAX_CHAIN

    with pytest.raises(AttainError) as e:
        attain.loads(chain(MAX_CHAIN // 2 + 10), "c.policy")
    (d,) = e.value.diagnostics
    # v0 is one step (the name a), each later value two more: v4000 is the first past 8,000.
    assert (d.code, d.span.line) == ("C264", 3 + MAX_CHAIN // 2)
    assert d.label == f"{MAX_CHAIN + 1:,} steps"
