"""Engines, comparing: one run by every engine of `attain.engine.runner.ENGINES`, alike to the type of each value.

A run's outcome is its results (columns, kinds, and every value with its type, so a Decimal
1.50 differs from 1.5 and from the Fraction 3/2) or, when it stops, the diagnostics it stops
with, every field of each (code, message, span, label, notes, hint). Every engine's outcome
must be the first engine's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs
from engine_choice import CORPUS_ENGINES as ENGINES

from attain.api import Results
from attain.diagnostics import AttainError, Diagnostic


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


def assert_engines_agree(run: Callable[[str], Results], what: str = "", engines=ENGINES) -> Outcome:
    """Run `run(engine)` with every engine; fail, showing both, where one differs from the first. The outcome.

    `engines`: all of them unless told (the generated corpus gives Spark a share of its examples, a run
    costing seconds)."""
    found = outcomes(run, engines)
    first, *others = engines
    for engine in others:
        if found[engine] != found[first]:
            raise AssertionError(f"{what}\nthe engines disagree:\n--- {first}:\n{found[first].describe()}\n"
                                 f"--- {engine}:\n{found[engine].describe()}\n--- difference: "
                                 + _difference(found[first], found[engine]))
    return found[first]


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


def agreed_over_file(text: str, path, what: str = ""):
    """The policy `text` over the data file `path`: every engine's results alike and stopping on nothing, then
    computed again by the SQL engines' runners, whose `fallback_rows` say which rows SQL left to the reference
    evaluator: (the duckdb engine's rows, its runner, the Spark runner where Spark runs, else None)."""
    import attain
    from attain.api import MAX_EVALUATION_ERRORS
    from attain.sql.engine import SqlRunner
    from attain.sql.spark_engine import SparkRunner

    policy = attain.loads(text)
    found = assert_engines_agree(lambda engine: policy.run(path, engine=engine), what)
    assert found.rows and not found.diagnostics
    runner = SqlRunner(policy.plan, policy.bind(path), MAX_EVALUATION_ERRORS)
    rows = list(runner.run())
    assert len(rows) == len(found.rows)
    spark = None
    if "spark" in ENGINES:
        spark = SparkRunner(policy.plan, policy.bind(path), MAX_EVALUATION_ERRORS)
        assert [r.outputs for r in spark.run()] == [r.outputs for r in rows]
    return rows, runner, spark
