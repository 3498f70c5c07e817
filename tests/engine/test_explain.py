"""Explanations as an observer: the evaluator records and words nothing unless an observer listens."""

import ast
import typing
from fractions import Fraction
from pathlib import Path

import attrs
from hypothesis import given
from hypothesis import strategies as st
from library_samples import sample_data

import attain
from attain.engine import evaluate, trace
from attain.engine import trace as t
from attain.engine.evaluate import Reference
from attain.engine.periods import Period
from attain.engine.runner import Runner
from attain.engine.runtime import Fallback
from attain.engine.wording import display
from attain.exact import to_decimal
from attain.explain.recorder import Recorder
from attain.io import Row, Table, approximate, format_grouped, format_number

ROOT = Path(__file__).resolve().parents[2]


def table(columns, *rows):
    return Table("data.csv", tuple(columns), tuple(Row(i + 2, dict(zip(columns, r))) for i, r in enumerate(rows)))


def library():
    """(policy, its sample data) for every policy of the library, as the snapshot runs them (with its line tables)."""
    for path in sorted((ROOT / "policies").rglob("*.policy")):
        if "as-written" in path.name:
            continue
        yield attain.load(path), sample_data(path)


def _refuse(*args, **kwargs):
    raise AssertionError("recorded or worded without an observer")


def _outputs(plan, bound):
    runner = Runner(plan, bound)
    rows = [(s.record.who, s.record.period, s.outputs) for s in runner.run()]
    return rows, runner.errors


def test_without_an_observer_the_evaluator_records_and_words_nothing(monkeypatch):
    # Every event, note, fact and trace class of trace.py, and every wording the evaluator
    # reaches, refuses to be made. Each library policy then runs with every row computed by
    # the reference evaluator (the plan's stages always fall back), and gives the plan's results.
    runs = []
    for policy, data in library():
        bound = policy.bind(data if isinstance(data, Table) else str(data))

        def fall_back(*args):
            raise Fallback("every row by the reference evaluator")

        everything_falls_back = attrs.evolve(policy.plan, stages=tuple(fall_back for _ in policy.plan.stages))
        runs.append((policy.tree.file, _outputs(policy.plan, bound), everything_falls_back, bound))
    made = [*typing.get_args(t.Event), *typing.get_args(t.HistoryFact), t.Trace]
    assert t.BandRow in made and t.GroupFact in made and t.NoPeriod in made
    for cls in made:
        monkeypatch.setattr(trace, cls.__name__, _refuse)
    monkeypatch.setattr(evaluate, "display", _refuse)
    monkeypatch.setattr(evaluate, "describe", _refuse)
    for file, (want, errors), plan, bound in runs:
        assert not errors, file
        assert _outputs(plan, bound) == (want, []), file


def test_an_evaluation_without_an_observer_keeps_values_only():
    p = attain.loads('policy "s"\ninput a : money\nr = a * 2\noutput r\n')
    ref = Reference(p.model, {"a": Fraction(3)})
    assert ref.value("r") == 6
    assert ref.values == {"r": 6, "a": 3}
    assert not hasattr(ref, "traces")


SPIED = """policy "s"
input a : money
input b : money
r = a / b if b > 0 else 0
s = band r
    >= 1 -> 10
    otherwise -> 0
output s
"""


class Spy:
    def __init__(self):
        self.events = []

    def notice(self, event):
        self.events.append(event)


def test_an_observer_hears_every_value_entered_read_and_computed_in_order():
    p = attain.loads(SPIED, "s.policy")
    spy = Spy()
    assert Reference(p.model, {"a": Fraction(3), "b": Fraction(2)}, observer=spy).value("s") == 10
    a_span, b_span = p.model.inputs["a"].span, p.model.inputs["b"].span
    r_span, s_span = p.model.definitions["r"].span, p.model.definitions["s"].span
    assert spy.events == [
        t.Read("s"), t.Enter("s"),
        t.Read("r"), t.Enter("r"),
        t.Read("b"), t.InputUsed("b", "input", "money", 2, b_span),
        t.Read("a"), t.InputUsed("a", "input", "money", 3, a_span),
        t.Read("b"),
        t.Computed("r", "percent", Fraction(3, 2), "a / b if b > 0 else 0", r_span, None),
        t.BandRow("r", Fraction(3, 2), "percent", ">= 1", True),
        t.Computed("s", "number", 10, "band r", s_span, None),
    ]


def test_the_recorder_builds_the_tree_an_explanation_shows():
    p = attain.loads(SPIED, "s.policy")
    recorder = Recorder({"a": "d.csv:2:2, column a"})
    Reference(p.model, {"a": Fraction(3), "b": Fraction(2)}, observer=recorder).value("s")
    s = recorder.traces["s"]
    assert [c.name for c in s.children] == ["r"]
    assert [c.name for c in s.children[0].children] == ["b", "a"]  # in the order first read, each once
    assert s.children[0].children[1].source == "d.csv:2:2, column a"
    assert s.notes == (t.BandRow("r", Fraction(3, 2), "percent", ">= 1", True),)


def test_history_and_group_notes_are_facts_worded_by_the_renderer():
    text = ('policy "h"\nperiod month\ninput level : text\ninput sales : money\n'
            "p = previous(sales, else 0)\nm = mean(sales within level except self)\noutput p, m\n")
    data = table(["id", "period", "level", "sales"], ["A", "2023-01", "L1", "300"], ["B", "2023-01", "L1", "70"],
                 ["A", "2023-02", "L1", "100"], ["B", "2023-02", "L1", "50"])
    e = attain.loads(text).explain(data, "A", period="2023-02")
    p, m = e.roots
    assert p.notes == (t.Previous("previous(sales, else 0)", Fraction(300), "money",
                                  t.FromPeriod(Period("month", 2023 * 12))),)
    assert m.notes == (t.GroupFact("mean", "sales", "level", "L1", True, "money", 2, Fraction(50)),)
    assert "· previous(sales, else 0) = 300 (from 2023-01)" in e.text()
    assert '· mean(sales within level "L1" except self) = 50 (2 employees in the group)' in e.text()


def _imports(module: str) -> set[str]:
    """The attain modules `module` imports, directly or through other attain modules (not packages' __init__)."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = ROOT / (name.replace(".", "/") + ".py")
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("attain"):
                todo.append(node.module)
                todo.extend(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                todo.extend(alias.name for alias in node.names if alias.name.startswith("attain"))
    return seen - {module}


def test_the_evaluator_imports_no_io_and_the_renderers_no_evaluator():
    below = _imports("attain.engine.evaluate")
    assert "attain.engine.trace" in below and "attain.engine.wording" in below
    assert not {m for m in below if m == "attain.engine.io" or m.startswith("attain.io")}
    assert "attain.engine.evaluate" not in _imports("attain.engine.trace") | _imports("attain.engine.wording")
    for renderer in ("attain.explain.recorder", "attain.explain.text", "attain.explain.json_document"):
        assert not {"attain.engine.evaluate", "attain.engine.runner"} & _imports(renderer), renderer


fractions = st.builds(Fraction, st.integers(-10**12, 10**12), st.integers(1, 10**6))


@given(fractions, st.sampled_from([None, 0, 1, 2, 4]))
def test_explanations_show_numbers_as_the_io_module_writes_them(f, places):
    # wording.py formats numbers itself so that the evaluator needs no I/O; it must agree with io.
    def io_text(value, grouped, places=None):
        v = to_decimal(value.numerator, value.denominator, places)
        if isinstance(v, Fraction):
            return approximate(v, grouped)
        return format_grouped(v) if grouped else format_number(v)

    assert display(f, "money", places) == io_text(f, True, places)
    assert display(f, "number", places) == io_text(f, False, places)
    assert display(f, "percent") == io_text(f * 100, False) + "%"
