"""Engines, comparing: one run by every engine of `attain.engine.runner.ENGINES`, alike to the type of each value.

A run's outcome is its results (columns, kinds, and every value with its type, so a Decimal
1.50 differs from 1.5 and from the Fraction 3/2) or, when it stops, the diagnostics it stops
with, every field of each (code, message, span, label, notes, hint). Every engine's outcome
must be the first engine's.

The duckdb engine does not compile every construct yet (docs/engines.md): a run of a policy that
uses one (found here in the policy's formulas, and in those of the policies it uses or the versions
it is one of) must stop with exactly one U569 at such a construct, where the other engines compute.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs
from engine_choice import CORPUS_ENGINES as ENGINES
from engine_choice import SQL_ENGINES

from attain.api import Results
from attain.diagnostics import AttainError, Diagnostic
from attain.dsl import nodes

REFUSED = "U569"  # the SQL engines' refusal of a construct they do not compile yet


def not_compiled(*policies) -> set[tuple[str, int, int]]:
    """The places (file, line, column) of the constructs the duckdb engine does not compile yet in these
    policies (a `Policy`, or a `Versions` of several), and in the policies they use."""
    places = set()
    todo = list(policies)
    while todo:
        policy = todo.pop()
        if hasattr(policy, "policies"):  # versions
            todo += policy.policies
            continue
        todo += policy.parts
        model = policy.model
        for d in model.definitions.values():
            roots = [d.condition] if isinstance(d, (nodes.FlagDecl, nodes.Refusal)) else [d.body, d.gate]
            for root in roots:
                if root is None:
                    continue
                for e in nodes.walk(root):
                    if _refused(model, e):
                        assert e.span is not None
                        places.add((e.span.file, e.span.line, e.span.col))
    return places


def _refused(model, e) -> bool:
    if isinstance(e, nodes.PeriodValue):
        return True
    if isinstance(e, nodes.Call):
        return e.func in nodes.DATE_FUNCTIONS
    return (isinstance(e, nodes.Binary) and e.op in ("+", "-")
            and "date" in (model.kind_of(e.left), model.kind_of(e.right)))


@attrs.frozen
class Outcome:
    """What one engine made of one run: rows, or the diagnostics it stopped with."""

    columns: tuple[str, ...] = ()
    kinds: tuple[tuple[str, str], ...] = ()
    rows: tuple[tuple[tuple[str, str], ...], ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    def describe(self) -> str:
        if self.diagnostics:
            return "stopped with " + "; ".join(f"{d.code} at {d.span} ({d.message})" for d in self.diagnostics)
        lines = [", ".join(self.columns)]
        lines += [", ".join(f"{kind} {value}" for kind, value in row) for row in self.rows]
        return "\n".join(lines)


def typed(value: object) -> tuple[str, str]:
    """A value as (its type, its repr): equal only for the same type, value and scale."""
    return type(value).__name__, repr(value)


def outcome(run: Callable[[], Results]) -> Outcome:
    try:
        results = run()
    except AttainError as e:
        return Outcome(diagnostics=tuple(e.diagnostics))
    assert all(tuple(row) == results.columns for row in results.rows), "a row's columns are not the results'"
    rows = tuple(tuple(typed(row[column]) for column in results.columns) for row in results.rows)
    return Outcome(results.columns, tuple(sorted(results.kinds.items())), rows)


def outcomes(run: Callable[[str], Results], engines=ENGINES) -> dict[str, Outcome]:
    """Each engine's outcome of `run(engine)`."""
    return {engine: outcome(functools.partial(run, engine)) for engine in engines}


def assert_engines_agree(run: Callable[[str], Results], what: str = "", policies=(), engines=ENGINES) -> Outcome:
    """Run `run(engine)` with every engine; fail, showing both, where one differs from the first. The outcome.

    `policies` are the policies `run` runs: where they use a construct the duckdb engine does not compile
    yet, its outcome must be that refusal wherever the others get as far as computing. `engines`: all
    of them unless told (the generated corpus gives Spark a share of its examples, a run costing seconds)."""
    found = outcomes(run, engines)
    first, *others = engines
    places = not_compiled(*policies)
    for sql in SQL_ENGINES:
        if places and sql in others:
            others.remove(sql)
            assert_refused(found[sql], found[first], places, what)
    for engine in others:
        if found[engine] != found[first]:
            raise AssertionError(f"{what}\nthe engines disagree:\n--- {first}:\n{found[first].describe()}\n"
                                 f"--- {engine}:\n{found[engine].describe()}\n--- difference: "
                                 + _difference(found[first], found[engine]))
    return found[first]


def assert_refused(duckdb: Outcome, first: Outcome, places: set, what: str) -> None:
    """duckdb stopped with one U569 at one of `places`; where the others stopped too, it may instead have
    stopped as they did, before compiling (data refused while reading and binding it)."""
    if first.diagnostics and duckdb == first:
        return
    assert [d.code for d in duckdb.diagnostics] == [REFUSED], f"{what}\nduckdb did not refuse:\n{duckdb.describe()}"
    (d,) = duckdb.diagnostics
    assert d.span is not None and (d.span.file, d.span.line, d.span.col) in places, (what, d, places)
    assert d.message.startswith("the duckdb engine does not compile ") and "--engine python" in d.hint


def _difference(a: Outcome, b: Outcome) -> str:
    if a.columns != b.columns:
        return f"columns {a.columns} != {b.columns}"
    if a.kinds != b.kinds:
        return f"kinds {a.kinds} != {b.kinds}"
    if a.diagnostics != b.diagnostics:
        for d, e in zip(a.diagnostics, b.diagnostics, strict=False):
            if d != e:
                return f"{d!r} != {e!r}"
        return f"{len(a.diagnostics)} diagnostics != {len(b.diagnostics)}"
    for n, (x, y) in enumerate(zip(a.rows, b.rows, strict=False)):
        if x != y:
            cells = [f"{column}: {p} != {q}" for column, p, q in zip(a.columns, x, y, strict=True) if p != q]
            return f"row {n + 1}: " + "; ".join(cells)
    return f"{len(a.rows)} rows != {len(b.rows)}"
