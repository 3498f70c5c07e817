"""The language's vocabulary is declared once, and every pass handles every node class and function."""

import importlib
import pkgutil
import re
from fractions import Fraction
from pathlib import Path

import pytest

import attain
import attain.io
from attain.dsl import builtins, nodes
from attain.dsl.checker import check
from attain.dsl.parser import parse
from attain.engine import evaluate
from attain.engine.evaluate import Reference
from attain.engine.runner import ENGINES

ROOT = Path(__file__).resolve().parents[2]


def _import_every_module():
    """Every pass registers its dispatch tables when its module is imported."""
    for info in pkgutil.walk_packages(attain.__path__, "attain."):
        if not info.name.endswith(("pytest_plugin", "__main__")):  # __main__ runs a command line
            importlib.import_module(info.name)


def test_every_dispatch_table_handles_every_node_class_it_covers():
    _import_every_module()
    names = {d.name for d in nodes.Dispatch.every}
    # The passes the architecture promises: the checker, each evaluator, the formatter.
    assert {"the checker", "the checker's blocks", "the reference evaluator",
            "the reference evaluator's blocks", "the formatter", "the diff's statement names",
            "the diff's statement changes", "the diff's statement wording"} <= names
    for table in nodes.Dispatch.every:
        assert table.missing() == [], f"{table.name} has no case for {table.missing()}"


def test_children_walks_every_expression_and_block_and_refuses_anything_else():
    for cls in (*nodes.EXPRESSIONS, *nodes.BLOCKS):
        assert cls in nodes._CHILDREN, cls.__name__
    with pytest.raises(TypeError, match="no case for Header"):
        nodes.children(nodes.Header("x"))


def test_a_dispatch_table_refuses_a_class_it_has_no_case_for():
    table = nodes.Dispatch("a test pass", (nodes.Number,))
    try:
        with pytest.raises(TypeError, match="a test pass has no case for Text"):
            table(None, nodes.Text("x"))
        assert table.missing() == ["Number"]
    finally:
        nodes.Dispatch.every.remove(table)


def test_the_reference_evaluator_implements_exactly_the_declared_value_functions():
    assert set(evaluate._FUNCTIONS) == set(builtins.VALUE_FUNCTIONS)


def test_the_checker_knows_every_declared_function_and_no_other():
    for name, f in builtins.FUNCTIONS.items():
        args = ", ".join(["a"] * f.min_args) if f.args[0] == "number" else None
        if args is None:
            continue
        text = f'policy "x"\ninput a : number\nv = {name}({args})\noutput v\n'
        if name == "round":
            text = 'policy "x"\ninput a : number\nv = round(a, 0.01)\noutput v\n'
        _model, diags = check(parse(text))
        assert [d.code for d in diags if d.is_error] == [], name
    _model, diags = check(parse('policy "x"\ninput a : number\nv = signum(a)\noutput v\n'))
    (d,) = [d for d in diags if d.is_error]
    assert d.code == "C210" and "did you mean 'sign'?" in d.hint


# Each value function at the arities it takes, over values that reach every branch:
# below zero, zero, above zero, and a fraction with no finite decimal.
CALLS = {
    "min": ["min(a, b)", "min(a, b, c)"],
    "max": ["max(a, b)", "max(a, b, c)"],
    "clamp": ["clamp(a, b, c)"],
    "abs": ["abs(a)", "abs(a / 3)"],
    "sign": ["sign(a)", "sign(a - b)", "sign(a / 3) * b"],
}
ROWS = [("-2.5", "0", "7"), ("0", "-1", "1"), ("3", "3", "-4"), ("1", "2", "3")]


def test_every_value_function_has_a_case_here():
    assert set(CALLS) == set(builtins.VALUE_FUNCTIONS)


@pytest.mark.parametrize("call", [c for calls in CALLS.values() for c in calls])
def test_every_engine_computes_every_value_function_alike(call):
    text = f'policy "x"\ninput a : number\ninput b : number\ninput c : number\nv = {call}\noutput v\n'
    policy = attain.loads(text)
    model, _ = check(parse(text))
    for i, (a, b, c) in enumerate(ROWS):
        data = attain.io.Table("t.csv", ("id", "a", "b", "c"),
                                      (attain.io.Row(2, {"id": f"E{i}", "a": a, "b": b, "c": c}),))
        (row,) = policy.run(data).rows
        want = Reference(model, {"a": Fraction(a), "b": Fraction(b), "c": Fraction(c)}).value("v")
        assert Fraction(row["v"]) == want, (call, a, b, c)


def test_sign_gives_minus_one_zero_or_one_as_a_plain_number():
    text = ('policy "x"\ninput sales : money\ninput target : money\n'
            "direction = sign(sales - target)\n"
            "payout adjustment = direction * ¥100\noutput direction\n")
    policy = attain.loads(text)
    data = attain.io.Table("t.csv", ("id", "sales", "target"), (
        attain.io.Row(2, {"id": "over", "sales": "120", "target": "100"}),
        attain.io.Row(3, {"id": "equal", "sales": "100", "target": "100"}),
        attain.io.Row(4, {"id": "under", "sales": "99.99", "target": "100"}),
    ))
    got = {r["id"]: (r["direction"], r["adjustment"]) for r in policy.run(data).rows}
    # sign(20) = 1 -> 1 x 100; sign(0) = 0 -> 0; sign(-0.01) = -1 -> -100.
    assert got == {"over": (1, 100), "equal": (0, 0), "under": (-1, -100)}
    model, _ = check(parse(text))
    assert str(model.types["direction"]) == "number"


def test_sign_of_text_is_a_unit_error():
    _model, diags = check(parse('policy "x"\ninput r : text\nv = sign(r)\noutput v\n'))
    assert [(d.code, d.message) for d in diags if d.is_error] == [("C206", "sign needs a number, but this is text")]


def test_the_checker_records_every_expressions_type_for_the_engines():
    text = ('policy "x"\ninput sales : money\ninput target : money\n'
            "attainment = sales / target\nbonus = round(sales * 3%, 0.01) if attainment >= 100% else ¥0\n"
            "output attainment, bonus\n")
    model, _ = check(parse(text))
    body = model.definitions["bonus"].body
    assert model.kind_of(body) == "money"
    assert model.kind_of(body.condition) == "bool"
    assert model.kind_of(body.then.value) == "money"  # sales * 3%
    assert model.kind_of(model.definitions["attainment"].body) == "percent"
    for expr in nodes.walk(body):
        model.type_of(expr)  # every node of a checked formula has a type


def test_a_rounding_mode_is_a_parsed_field_not_a_name():
    tree = parse('policy "x"\ninput a : number\nv = round(a, 5, floor)\noutput v\n')
    body = tree.definitions[0].body
    assert isinstance(body, nodes.Round) and body.mode == "floor"
    assert not any(isinstance(x, nodes.Name) and x.id == "floor" for x in nodes.walk(body))


def test_the_language_reference_shows_the_declared_vocabulary():
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- vocabulary: [^\n]*-->\n(.*?)<!-- end of vocabulary -->", text, re.DOTALL)
    assert found, "docs/language.md lost its generated vocabulary section"
    assert found.group(1) == builtins.reference_markdown(), (
        "docs/language.md is out of step with attain/dsl/builtins.py: paste reference_markdown()'s output")


# Each date function at the arities it takes, and the period's words, over dates before, inside and after
# the period, leave dates empty and given: every engine must compute each alike.
DATE_CALLS = {
    "days_between": ["days_between(a, b)", "days_between(b, a)"],
    "months_between": ["months_between(a, b)", "months_between(b, period_end)"],
    "in_period": ["in_period(a)", "in_period(b + 1)"],
    "days_employed": ["days_employed(a)", "days_employed(a, b)"],
    "months_employed": ["months_employed(a)", "months_employed(a, b)"],
}
PERIOD_WORDS = ["period_start", "period_end", "period_days"]
DATE_ROWS = [("2023-06-30", "2023-07-31"), ("2023-07-10", None), ("2023-07-31", "2023-08-01"),
             ("2022-01-31", "2023-07-30"), ("2023-08-01", "2023-09-01")]


def test_every_date_function_has_a_case_here():
    assert set(DATE_CALLS) == set(builtins.DATE_FUNCTIONS)
    # The plan year's yes/no words compile on duckdb too: tests/engine/test_accrual.py runs them on every engine.
    assert set(PERIOD_WORDS) == {w for w, (kind, _) in builtins.PERIOD_VALUES.items() if kind != "bool"}


@pytest.mark.parametrize("call", [c for calls in DATE_CALLS.values() for c in calls] + PERIOD_WORDS)
def test_every_engine_computes_every_date_function_alike(call):
    text = f'policy "x"\nperiod quarter\ninput a : date\ninput b : date\nv = {call}\noutput v\n'
    policy = attain.loads(text)
    leave = call.endswith("_employed(a, b)")  # b is a leave date: it may be empty
    rows = tuple(attain.io.Row(i + 2, {"id": f"E{i}", "period": "2023Q3", "a": a, "b": b})
                 for i, (a, b) in enumerate(DATE_ROWS) if b is not None or leave)
    data = attain.io.Table("t.csv", ("id", "period", "a", "b"), rows)
    got = {engine: [r["v"] for r in policy.run(data, engine=engine).rows] for engine in ENGINES if engine != "spark"}
    assert len({str(v) for v in got.values()}) == 1, (call, got)
