"""Engines, generated: whole policies with every construct, over generated data, run alike by every engine.

Each policy runs over data with several employees and months by every engine of
`attain.engine.runner.ENGINES`, which must give the same typed rows or the same diagnostics.

The examples are derandomized and no database is kept, so every run tries the same ones; the
budget keeps the folder within about a minute on two cores. A failure is not shrunk (a whole
policy shrinks for minutes): its message holds the policy and data as files to run again with
`attain run --engine ...`; add Phase.shrink to CORPUS's phases for a smaller example. A
policy the checker refuses is skipped, which the generator makes rare by writing only valid
ones.
"""

import csv
import functools
import io
import zlib
from collections.abc import Callable
from pathlib import Path

import hypothesis.strategies as st
import pytest
from differential import assert_engines_agree
from engine_choice import CORPUS_ENGINES, LOCAL_ENGINES
from hypothesis import HealthCheck, Phase, assume, given, settings
from line_generator import line_cases
from policy_generator import Generated, accruals, policies, rollups, tables

import attain
from attain.api import Policy, Results
from attain.diagnostics import AttainError
from attain.io import Table
from attain.io.datasets import tables_of

CORPUS = settings(deadline=None, derandomize=True, database=None, print_blob=False, phases=[Phase.generate],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a roll-up's monthly policy is written, beside the quarterly one that `uses` it."""
    return tmp_path_factory.mktemp("rollups")


def load(generated: Generated, folder: Path | None) -> Policy:
    """The policy, its monthly part written where its `uses` finds it; a policy the checker refuses is skipped."""
    file = "<policy>"
    if generated.monthly is not None:
        assert folder is not None, "a roll-up needs a folder for its monthly policy"
        (folder / "monthly.policy").write_text(generated.monthly, encoding="utf-8")
        file = str(folder / "quarterly.policy")
    try:
        return attain.loads(generated.text, file)
    except AttainError:
        assume(False)
        raise  # unreachable: assume(False) stops the example


def show(generated: Generated, table: Table) -> str:
    """The policy and data of a failing example, as files to run them again with `attain run`."""
    data = io.StringIO()
    writer = csv.writer(data, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([cell or "" for cell in row.cells.values()] for row in table.rows)
    monthly = f"--- monthly.policy:\n{generated.monthly}" if generated.monthly else ""
    return f"{monthly}--- policy:\n{generated.text}--- {table.file}:\n{data.getvalue()}"


def run(policy: Policy, table: Table, engine: str) -> Results:
    return policy.run(table, engine=engine)


# Spark runs one example in SPARK_EVERY on average, chosen by its policy's text (a Spark run costs seconds of
# planning, the others milliseconds), every construct among them (tests/engines/test_corpus_coverage.py). Chosen by
# the text, not by a count, an example Hypothesis runs again to show a failure runs on the same engines.
SPARK_EVERY = 10
BOUNDARY_EVERY = 3


def engines_for(text: str, engines: tuple[str, ...] = CORPUS_ENGINES) -> tuple[str, ...]:
    """Of `engines`, those an example with this policy text runs on: every one, Spark for one text in SPARK_EVERY."""
    spark = zlib.crc32(text.encode("utf-8")) % SPARK_EVERY == 0
    return tuple(e for e in engines if e != "spark" or spark)


def run_alike(generated: Generated, draw: Callable, folder: Path | None = None, months: int = 4) -> None:
    """Every engine over a table without hazards and another drawn with or without them (Spark, where it runs
    the example, over the second table alone: its runs cost seconds)."""
    policy = load(generated, folder)
    engines = engines_for(generated.text)
    for second, hazards in enumerate((False, draw(st.booleans()))):
        # one second table in BOUNDARY_EVERY holds huge and tiny values (issue 8: overflow is never silent)
        boundary = bool(second) and draw(st.integers(0, BOUNDARY_EVERY - 1)) == 0
        table = draw(tables(generated, hazards, months, boundary))
        on = engines if second else LOCAL_ENGINES
        assert_engines_agree(functools.partial(run, policy, table), show(generated, table), engines=on)


@settings(CORPUS, max_examples=150)
@given(data=st.data())
def test_generated_policies_run_alike_with_every_engine(data):
    run_alike(data.draw(policies()), data.draw)


@settings(CORPUS, max_examples=50)
@given(data=st.data())
def test_generated_rollups_run_alike_with_every_engine(folder, data):
    run_alike(data.draw(rollups()), data.draw, folder, months=6)


@settings(CORPUS, max_examples=40)
@given(data=st.data())
def test_generated_plan_year_sums_run_alike_with_every_engine_duckdb_included(data):
    run_alike(data.draw(accruals()), data.draw, months=9)


@settings(CORPUS, max_examples=40)
@given(data=st.data())
def test_generated_line_tables_run_alike_with_every_engine(data):
    case = data.draw(line_cases())
    try:
        policy = attain.loads(case.text)
    except AttainError:
        assume(False)
        raise
    tables = tables_of(case.people, (("deals", case.deals),))
    shown = f"{case.text}--- people.csv, deals.csv:\n{case.people.rows}\n{case.deals.rows}"
    engines = engines_for(case.text)
    assert_engines_agree(functools.partial(run, policy, tables), shown, engines=engines)
