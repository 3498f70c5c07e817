"""The Python API, employees' rows computed again: what statements, curves and explanations ask of a run.

A `Subject` is one employee's row of a run, which the reference evaluator computes again,
as it is or with other input values (what-if); `subjects` gives many from one binding and
one run. `record_of` finds the row an explanation or a statement is about.
"""

from __future__ import annotations

import difflib
from collections import deque
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.bind import Bound, Record
from attain.engine.periods import parse_period
from attain.engine.runner import Runner
from attain.exact import gc_paused
from attain.i18n.messages import joined, number, say
from attain.io.parquet import connect
from attain.sql import slice as slice_
from attain.sql import slice_groups, slice_parquet

if TYPE_CHECKING:
    from attain.api import Policy

MAX_EVALUATION_ERRORS = 50


@attrs.frozen
class Subject:
    """One employee's row of a run, which the reference evaluator can compute again (what-if)."""

    policy: Policy
    who: str
    period: str | None  # the period's label; None for data without periods
    runner: Runner = attrs.field(repr=False)
    state: Any = attrs.field(repr=False)  # the runner's RowState for the row

    def evaluator(self, overrides: dict | None = None, observer=None):
        """A reference evaluator of the row; `overrides` (input -> value) replaces inputs' values.

        Earlier periods stay those of the run (an input of an earlier period does not vary). Where a
        group value of the period reads an overridden input (`percentile(attainment within region)`
        over `sales`), the whole period is computed anew with the row's new values, so that each group
        value is the one a run with them would give: that costs a run of the period (`regroups`).
        """
        if overrides and self.regroups(overrides):
            state = self.again(overrides)
            return self.runner.reference(state, observer)
        return self.runner.reference(self.state, observer, overrides)

    def regroups(self, names) -> bool:
        """Whether changing these inputs changes a group value of the period, or the group the row is in."""
        plan = self.policy.plan
        moving = self.policy.model.depending_on(*names)
        return any(spec.name in moving or (spec.group is not None and plan.inputs[spec.group] in moving)
                   for spec in plan.aggregates)

    def group_size(self) -> int:
        """The rows `again` computes: everyone in the period whose values reach this row's group values."""
        return len(self.runner.retained.get(self.state.record.period, ()))

    def again(self, overrides: dict):
        """The row's state in its period computed anew (with its group values) with `overrides`."""
        record = self.state.record
        fast, missing = list(record.fast), set(record.missing)
        for name, value in overrides.items():
            if name in self.policy.plan.inputs:
                i = self.policy.plan.inputs.index(name)
                fast[i] = (value.numerator, value.denominator) if isinstance(value, Fraction) else value
                missing.discard(i)
        changed = record._replace(fast=tuple(fast), missing=frozenset(missing))
        return next(s for s in self.runner.again(changed) if s.record is changed)

    def sources(self) -> dict[str, str]:
        """Input name -> the data cell it came from (`file:line:column, column NAME`, or "default")."""
        return self.runner.sources(self.state)


def subjects(policy: Policy, data, whos=None, id_column: str | None = None, period: str | None = None,
             allow_ids=(), engine: str = "python", skip_missing: bool = False) -> tuple[list[Subject], list[str]]:
    """Several employees' rows (`whos`, else everyone) for `period` (else each one's latest), from one
    binding and one run: what `Policy.subject` gives for each, at the cost of one run in all.

    With `skip_missing`, an employee who has no row for `period` is left out and named in the second
    list, instead of being an error.
    """
    with gc_paused():
        bound = policy.bind(data, id_column, engine, allow_ids)
    mine: dict[str, list] = {}
    for r in bound.records:
        mine.setdefault(r.who, []).append(r)
    wanted: dict = {}
    skipped: list[str] = []
    for who in (whos if whos is not None else list(mine)):
        try:
            record = record_of(policy, bound, who, period, mine.get(who, []))
        except AttainError as e:
            if skip_missing and e.diagnostics[0].code == "U513":
                skipped.append(who)
                continue
            raise
        wanted[(record.who, record.period)] = record
    # What-if over a group value computes a period again from its rows: keep those of the periods asked for.
    retain = frozenset(p for _, p in wanted) if policy.plan.aggregates else frozenset()
    runner = Runner(policy.plan, bound, MAX_EVALUATION_ERRORS, engine, retain=retain)
    states = {}
    with gc_paused():
        for state in runner.run():
            if (state.record.who, state.record.period) in wanted:
                states[(state.record.who, state.record.period)] = state
    if runner.errors:
        raise AttainError(runner.errors)
    out = []
    for key, record in wanted.items():
        state = states[key]
        plain = runner.reference(state)
        for name in policy.model.refusals:  # a row the policy refuses has no result to show: this says why
            plain.value(name)
        out.append(Subject(policy, record.who, str(record.period) if record.period is not None else None,
                           runner, state))
    return out, skipped


def record_of(policy: Policy, bound: Bound, who: str, period: str | None, records: list | None = None) -> Record:
    """The record an explanation is about: the employee's row for `period`, or their latest; `records`:
    the employee's, when the caller has them."""
    if records is None:
        records = [r for r in bound.records if r.who == who]
    if not records:
        ids = list(dict.fromkeys(r.who for r in bound.records))
        close = difflib.get_close_matches(who, ids, n=1)
        raise AttainError([Diagnostic("U510", say("U510", who=who, file=bound.file),
                                      hint=say("did_you_mean", close=f"'{close[0]}'") if close else
                                      say("U510.such_as", n=number(len(ids)), ids=joined(ids[:3])))])
    # Without --period: the employee's latest period (or their only row).
    record = max(records, key=lambda r: r.period.index if r.period is not None else 0)
    if period is not None:
        kind = policy.tree.header.period
        # bind() looks for a period (or date) column only when the policy has a period kind.
        if bound.period_column is None or kind is None:
            raise AttainError([Diagnostic("U512", say("U512"), hint=say("U512.hint"))])
        wanted = parse_period(kind, period)
        found = next((r for r in records if r.period == wanted), None)
        if found is None:
            have = joined(str(r.period) for r in records)
            raise AttainError([Diagnostic("U513", say("U513", who=who, period=period),
                                          hint=say("U513.hint", who=who, have=have))])
        record = found
    return record


def sliced_subject(policy: Policy, data, who: str, id_column: str | None = None, period: str | None = None,
                   allow_ids=(), engine: str = "python", header_row: int | None = None) -> Subject | None:
    """One employee's row as `Policy.subject` gives it, from their rows of a large CSV or Parquet file alone
    (explain at scale, `attain.sql.slice`, `attain.sql.slice_parquet`): each group value is computed in SQL
    over the group's rows only. None where this does not apply (not a plain CSV or Parquet file, a policy that
    `uses` another, a group it cannot vouch for): the caller reads the whole file instead.

    The rows read are validated as a whole read validates them; the employee's own errors are raised,
    an error in another row that no value of theirs reads is not.
    """
    if isinstance(data, (tuple, list)) and len(data) == 1:  # `attain explain --data F` (the option repeats)
        data = data[0]
    csv, parquet = slice_.plain_csv(data), slice_parquet.parquet_file(data)
    path = csv or parquet
    if path is None or policy.parts or policy.model.lines is not None:  # line tables: read them all
        return None
    plan = policy.plan
    # One DuckDB connection for the employee's rows and the group's: each new one costs 30 to 100 ms.
    con = connect() if parquet is not None or plan.aggregates else None
    if con is not None and parquet is not None:
        # One thread: a Parquet file's reads here are small (the row groups of one id, one region's cells), and
        # a second thread costs more CPU in handing work over than it saves (140 ms against 185 at 1M rows).
        con.execute("SET threads = 1").fetchall()
    try:
        with gc_paused():
            if csv:
                found = slice_.rows(plan, path, who, id_column, header_row, allow_ids, con)
            else:
                found = slice_parquet.rows(plan, path, who, id_column, header_row, allow_ids, con)
            if found is None:
                return None
            record = record_of(policy, found.bound, who, period)
            facts: dict = {}
            if plan.aggregates:
                got = slice_groups.facts(plan, found, record, con)
                if got is None:
                    return None
                facts = got
    finally:
        if con is not None:
            con.close()
    with gc_paused():
        bound = attrs.evolve(found.bound, records=tuple(slice_groups.needed(plan, found.bound.records, record)))
        runner = slice_groups.SlicedRunner(plan, bound, facts, MAX_EVALUATION_ERRORS, engine)
        last = deque(runner.run(until=(record.who, record.period)), maxlen=1)
    if runner.errors:
        raise AttainError(runner.errors)  # the employee's own rows: what run would refuse, explain refuses
    state = last[0]
    plain = runner.reference(state)
    for name in policy.model.refusals:  # a row the policy refuses has no result to explain: the refusal says why
        plain.value(name)
    return Subject(policy, who, str(record.period) if record.period is not None else None, runner, state)
