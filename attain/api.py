"""The Python API: load and check a policy, run it over data, explain one value.

This is what the command line calls, and what a data pipeline imports:

    import attain
    policy = attain.load("policies/doc002/incentive.policy")
    results = policy.run("policies/doc002/sample.csv")
    for row in results.rows:
        print(row["id"], row["bonus_total"])
    print(policy.explain("policies/doc002/sample.csv", who="S001", value="bonus_total").text())
"""

from __future__ import annotations

import difflib
from fractions import Fraction
from pathlib import Path

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.dsl import nodes
from attain.dsl.checker import Model, check as check_tree
from attain.dsl.parser import parse, parse_file
from attain.engine import trace as trace_render
from attain.engine.bind import Bound, bind, reference_inputs
from attain.engine.compile import Fallback, Plan, compile_model
from attain.engine.evaluate import EvaluationError, Reference, TierValue, Trace
from attain.engine.io import Table, read_table
from attain.engine.values import to_decimal

MAX_EVALUATION_ERRORS = 50


def check(path: str | Path) -> list[Diagnostic]:
    """Every diagnostic of a policy file (syntax errors, check errors and warnings), sorted."""
    try:
        tree = parse_file(path)
    except AttainError as e:
        return e.diagnostics
    _, diagnostics = check_tree(tree)
    return diagnostics


def load(path: str | Path) -> "Policy":
    """Parse, check and compile a policy file; raise `AttainError` if it has errors."""
    return _load(parse_file(path))


def loads(text: str, file: str = "<policy>") -> "Policy":
    """Like `load`, from policy text."""
    return _load(parse(text, file))


def _load(tree: nodes.Policy) -> "Policy":
    model, diagnostics = check_tree(tree)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise AttainError(errors)
    return Policy(tree, model, compile_model(model), tuple(diagnostics))


@attrs.frozen
class Results:
    """One row per employee: the id column, then every output, as exact Decimals, texts and flags."""

    columns: tuple[str, ...]
    rows: tuple[dict, ...]


@attrs.frozen
class Explanation:
    """The derivation of one employee's values, renderable as text or JSON."""

    who: str
    policy: str
    roots: tuple[Trace, ...]

    def text(self) -> str:
        return trace_render.render_text(list(self.roots), self.who)

    def json(self) -> str:
        return trace_render.render_json(list(self.roots), self.who, self.policy)


@attrs.frozen
class Policy:
    """A checked, compiled policy, ready to run over data."""

    tree: nodes.Policy
    model: Model
    plan: Plan
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.model.outputs

    def bind(self, data, id_column: str | None = None) -> Bound:
        table = data if isinstance(data, Table) else read_table(data)
        return bind(self.plan, table, id_column)

    def run(self, data, id_column: str | None = None) -> Results:
        """Evaluate every employee of `data` (a path or a `Table`); raise `AttainError` on bad data."""
        bound = self.bind(data, id_column)
        plan = self.plan
        fn, convert = plan.row, plan.convert
        rows, errors = [], []
        key = bound.id_column
        names = self.model.outputs
        for record in bound.records:
            try:
                values = convert(fn(record.fast))
            except Fallback:
                try:
                    values = self._reference_outputs(bound, record)
                except EvaluationError as e:
                    errors.extend(e.diagnostics)
                    if len(errors) >= MAX_EVALUATION_ERRORS:
                        break
                    continue
            row = {key: record.who}
            row.update(zip(names, values))
            rows.append(row)
        if errors:
            raise AttainError(errors)
        return Results((key, *names), tuple(rows))

    def _reference_outputs(self, bound: Bound, record) -> tuple:
        ref = self._reference(bound, record)
        out = []
        for spec in self.plan.outputs:
            v = ref.value(spec.name)
            if isinstance(v, TierValue):
                v = v.name
            elif isinstance(v, Fraction):
                v = to_decimal(v.numerator, v.denominator, spec.places)
            out.append(v)
        return tuple(out)

    def _reference(self, bound: Bound, record) -> Reference:
        sources = {name: bound.source(record, name) for name in self.plan.inputs}
        return Reference(self.model, reference_inputs(self.plan, record), record.who, sources)

    def explain(self, data, who: str, value: str | None = None, id_column: str | None = None) -> Explanation:
        """How one employee's value (or every output) came about, down to the data cells."""
        bound = self.bind(data, id_column)
        record = next((r for r in bound.records if r.who == who), None)
        if record is None:
            ids = [r.who for r in bound.records]
            close = difflib.get_close_matches(who, ids, n=1)
            raise AttainError([Diagnostic("U510", f"no employee '{who}' in {bound.file}",
                                          hint=f"did you mean '{close[0]}'?" if close else
                                          f"the data has {len(ids)} employees, such as " + ", ".join(ids[:3]))])
        names = [value] if value else list(self.model.outputs)
        known = list(self.model.inputs) + list(self.model.definitions)
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                raise AttainError([Diagnostic("U511", f"the policy has no value named '{name}'",
                                              hint=f"did you mean '{close[0]}'?" if close else
                                              "values: " + ", ".join(self.model.outputs))])
        ref = self._reference(bound, record)
        roots = tuple(ref.trace(name) for name in names)
        return Explanation(who, self.tree.file, roots)
