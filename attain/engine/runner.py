"""Running: bound records -> every employee's values, period by period and stage by stage.

Periods are computed in order, so a formula can read an employee's earlier
periods (previous, streak, rolling). Within a period, each stage runs for
every employee before the group values (mean, rank, percentile ... within a
group) that the next stage needs are computed. A row the compiled stages
cannot finish is handed to the reference evaluator, which either computes it
(a value the policy guards) or names the error exactly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from attain.diagnostics import Diagnostic
from attain.dsl.builtins import ACCRUAL_FUNCTIONS
from attain.engine import accrual, dates, org
from attain.engine import trace as t
from attain.engine.bind import Bound, Record, reference_inputs
from attain.engine.evaluate import ABSENT, EvaluationError, Reference
from attain.engine.periods import Period
from attain.engine.plan import AggregateSpec, HistorySpec, Plan
from attain.engine.runtime import MISSING, Fallback
from attain.engine.trace import Observer, TierValue
from attain.exact import sum_pairs, to_decimal
from attain.i18n.messages import say


class RowState:
    """One employee in one period while it is computed."""

    __slots__ = ("failed", "group_facts", "groups", "history", "history_facts", "outputs", "record", "reference",
                 "slots")

    def __init__(self, record: Record, slots: list):
        self.record = record
        self.slots = slots
        self.history: tuple = ()
        self.history_facts: tuple = ()  # per history spec: (function, *args) making its fact when asked; None
        self.groups: list = []  # per aggregate: the value, or None
        self.group_facts: list = []  # per aggregate: (spec, key, group size, value)
        self.reference: Reference | None = None
        self.failed = False
        self.outputs: tuple = ()


class RowContext:
    """What the reference evaluator needs beyond the row: earlier periods and group values, as Fractions.

    The facts behind them (which period, which group) are made only when asked for: for an
    explanation's notes, or for the message of an error.
    """

    def __init__(self, plan: Plan, state: RowState):
        self.plan = plan
        self.state = state
        self._history = {spec.node: i for i, spec in enumerate(plan.history)}
        self._groups = {spec.node: i for i, spec in enumerate(plan.aggregates)}

    def history(self, node):
        """previous -> the value or None; streak -> the last count; rolling -> the earlier values."""
        i = self._history[node]
        spec = self.plan.history[i]
        raw = self.state.history[i]
        if spec.kind == "previous":
            return _fraction(raw)
        if spec.kind == "streak":
            return raw
        return [_fraction(pair) for pair in raw]

    def history_fact(self, node) -> t.HistoryFact | None:
        """Where `history(node)` came from; None for data without periods."""
        found = self.state.history_facts[self._history[node]]
        return None if found is None else found[0](*found[1:])

    def group(self, node):
        """The group value, or None where it has none."""
        i = self._groups[node]
        raw = self.state.groups[i] if i < len(self.state.groups) else None
        return _fraction(raw)

    def period(self) -> Period | None:
        """The period the row is computed for (None for data without periods)."""
        return self.state.record.period

    def group_fact(self, node) -> t.GroupFact | t.ReportsFact | None:
        """The group behind `group(node)`; None where the row was never placed in one."""
        i = self._groups[node]
        return _group_fact(self.plan, *self.state.group_facts[i]) if i < len(self.state.group_facts) else None


def _fraction(raw):
    if type(raw) is tuple:
        if raw[0] is MISSING:
            return ABSENT
        return Fraction(raw[0], raw[1])
    if raw is MISSING:
        return ABSENT
    return raw


ENGINES = ("python", "reference", "duckdb", "spark")  # duckdb: attain.sql.engine; spark: attain.sql.spark_engine

# Rows between two progress reports: often enough for a line a person watches, rare enough to cost nothing.
PROGRESS_EVERY = 2048


class Progress(NamedTuple):
    """How far a run is, for whoever shows it (the engine itself never prints).

    `step` says what is being done, for a person: the runner reports "computing";
    before it, `api.Policy.run` reports "reading the data" (or "checking the data"),
    with nothing counted (`total` 0), and `diff` adds which version. `done` of `total`
    rows are computed; within a period of several stages, a row counts as done in
    proportion to the passes over it (its history, each stage, its outputs) that are
    finished. `period` is the one being computed, number `number` of `periods`
    (None, 1 of 1 without periods).
    """

    step: str
    done: int
    total: int
    period: Period | None = None
    number: int = 0
    periods: int = 0


ProgressCallback = Callable[[Progress], None]


class Runner:
    """Computes every record of a bound data file; collects evaluation errors instead of stopping.

    With the engine "python" each row runs the compiled plan and falls back to the
    reference evaluator only where the plan cannot finish; with "reference" every
    value of every row is computed by the reference evaluator (an auditor's slow,
    obvious recomputation). Periods, history and group values are gathered the same
    way for both.
    """

    def __init__(self, plan: Plan, bound: Bound, max_errors: int = 50, engine: str = "python",
                 progress: ProgressCallback | None = None, retain: frozenset = frozenset()):
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}")
        self.progress = progress
        self._passes = 0  # passes over a row finished so far, over all rows: a row takes len(stages) + 2
        self._where = Progress("computing", 0, len(bound.records))
        self.plan = plan
        self.bound = bound
        self.max_errors = max_errors
        self.reference_only = engine == "reference"
        self.errors: list[Diagnostic] = []
        self.gaps = plan.model.policy.header.gaps or "error"
        self.plan_year = accrual.start_month(plan.model.policy.header)
        self._kept: dict = {}  # who -> {period index: slots}
        self._start: dict = {}  # who -> index where the employee's unbroken history starts
        self._last: dict = {}  # who -> last period index seen
        # The periods whose rows `again` may compute anew: every state of each is kept here.
        self.retain = retain
        self.retained: dict = {}  # period -> its RowStates
        # Manager columns: `within manager` groups employees by their manager, the tops together.
        self._employee_inputs = {plan.inputs[k] for k in org.employee_columns(plan)}

    def periods(self) -> list:
        """The records grouped by period, in time order (one group when the data has no periods)."""
        groups: dict = {}
        for r in self.bound.records:
            groups.setdefault(r.period, []).append(r)
        if list(groups) == [None]:
            return [(None, groups[None])]
        return sorted(groups.items(), key=lambda item: item[0].index)

    def run(self, until: tuple | None = None):
        """Yield (record, slots) for every computed row; stop after the row `until` = (who, period) is done,
        yielding its RowState last."""
        periods = self.periods()
        for number, (period, records) in enumerate(periods, 1):
            self._where = self._where._replace(period=period, number=number, periods=len(periods))
            states = self._period(period, records)
            if period in self.retain:
                self.retained[period] = states
            for state in states:
                if until is not None and (state.record.who, state.record.period) == until:
                    yield state
                    return
                if not state.failed:
                    yield state
            if len(self.errors) >= self.max_errors:
                return

    def again(self, record: Record) -> list[RowState]:
        """The period of `record` computed anew with `record` in place of the row of the same employee: its
        group values are those of a run where that row had these values (what-if over an input that a
        group value reads). Earlier periods, and so every row's history, are the run's; the run is left
        as it was. The period must be one of `retain`, and the run must have had no error.
        """
        originals = self.retained[record.period]
        failed = next((s for s in originals if s.failed), None)
        if failed is not None:  # subjects() refuses a run with errors before any what-if is asked
            raise AssertionError(f"{failed.record.who} failed in the run, so its period cannot be computed anew")
        states = []
        for old in originals:
            state = RowState(record if old.record.who == record.who else old.record, self.plan.new_slots())
            state.history, state.history_facts = old.history, old.history_facts
            if self.reference_only:
                state.reference = self.reference(state)
            states.append(state)
        saved = self.errors, self.progress
        self.errors, self.progress = [], None
        try:
            self._stages(states)
            errors = self.errors
        finally:
            self.errors, self.progress = saved
        mine = next(s for s in states if s.record is record)
        if mine.failed:
            raise EvaluationError(errors)
        return states

    # ------------------------------------------------------------ one period
    def _period(self, period: Period | None, records: list) -> list[RowState]:
        plan = self.plan
        states = []
        for chunk in self._chunks(records):
            for record in chunk:
                state = RowState(record, plan.new_slots())
                if plan.history:
                    self._history(state, period)
                if self.reference_only:
                    state.reference = self.reference(state)
                states.append(state)
        self._stages(states)
        if plan.history and period is not None:
            for state in states:
                if not state.failed:
                    self._kept.setdefault(state.record.who, {})[period.index] = state.slots
        return states

    def _stages(self, states: list[RowState]) -> None:
        """Every stage of the plan over the states of one period, its group values before each, then the
        outputs."""
        plan = self.plan
        period = states[0].record.period if states else None
        # The period's days, for a policy that reads them (period_start, days_employed, ...).
        days = dates.period_days(period, plan.model.policy.header.month_ends_on) \
            if plan.model.reads_period and period is not None else None
        for k, stage in enumerate(plan.stages):
            aggregates = plan.aggregates_at(k)
            if aggregates:
                self._groups(states, aggregates)
            for chunk in self._chunks(states):
                for state in chunk:
                    if state.failed:
                        continue
                    if state.reference is not None:
                        self._fill_from_reference(state, state.reference, k)
                        continue
                    try:
                        stage(state.record.fast, state.history, state.slots, state.groups, days)
                    except Fallback:
                        state.reference = self.reference(state)
                        self._fill_from_reference(state, state.reference, k)
        convert = plan.convert
        for chunk in self._chunks(states):
            for state in chunk:
                if state.failed:
                    continue
                if self.reference_only and state.reference is not None:  # every row got one before its stages
                    self._outputs_from_reference(state, state.reference)
                    continue
                try:
                    state.outputs = convert(state.slots)
                except Fallback:
                    # An output copies an empty cell: the reference evaluator says which and where.
                    ref = state.reference = state.reference or self.reference(state)
                    for k in range(len(plan.stages)):
                        self._fill_from_reference(state, ref, k)
                    if not state.failed:
                        try:
                            state.outputs = convert(state.slots)
                        except Fallback:
                            self._outputs_from_reference(state, ref)  # the output is an input left empty

    def _chunks(self, items: list):
        """`items` whole, or in slices with a progress report after each when someone listens."""
        if self.progress is None:
            yield items
            return
        for start in range(0, len(items), PROGRESS_EVERY):
            yield items[start:start + PROGRESS_EVERY]
            self._passes += min(PROGRESS_EVERY, len(items) - start)
            self.progress(self._where._replace(done=self._passes // (len(self.plan.stages) + 2)))

    def reference(self, state: RowState, observer: Observer | None = None,
                  overrides: dict | None = None) -> Reference:
        """The reference evaluator for one row; an explanation passes the observer that records it.

        `overrides` replaces inputs' values (what-if: a curve, the way to the next tier); the
        row's earlier periods and group values stay those of the run.
        """
        period = state.record.period
        who = state.record.who + (f" in {period}" if period is not None else "")
        inputs = reference_inputs(self.plan, state.record)
        if overrides:
            inputs.update(overrides)
        return Reference(self.plan.model, inputs, who, context=RowContext(self.plan, state), observer=observer)

    def sources(self, state: RowState) -> dict[str, str]:
        """Input name -> the data cell it came from, as an explanation shows it."""
        return {name: self.bound.source(state.record, name) for name in self.plan.inputs}

    def _fill_from_reference(self, state: RowState, ref: Reference, stage: int):
        """Compute this stage's kept values with the reference evaluator and store them as the plan would."""
        plan = self.plan
        try:
            for name, slot in plan.slots.items():
                if _stage_of(plan, name) != stage:
                    continue
                if name in plan.model.inputs:
                    # Kept as the plan keeps it, the cell as bound (MISSING when empty): the group
                    # or the later period that needs it says so, as it does after the plan.
                    state.slots[slot] = state.record.fast[plan.inputs.index(name)]
                    continue
                value = ref.value(name)
                if isinstance(value, TierValue):
                    state.slots[slot] = value.name
                    fields = plan.model.types[name].fields
                    for offset, (field, _t) in enumerate(fields, 1):
                        state.slots[slot + offset] = _raw(value.results.get(field, ""))
                else:
                    state.slots[slot] = _raw(value)
            for spec in plan.history:
                if spec.kind == "streak" and _stage_of_node(plan, spec.node) == stage:
                    state.slots[spec.slot] = ref.streaks.get(spec.node, 0)
        except EvaluationError as e:
            state.failed = True
            self.errors.extend(e.diagnostics)

    def _outputs_from_reference(self, state: RowState, ref: Reference):
        try:
            state.outputs = tuple(to_output(self.plan, ref.value(out.name), out.places) for out in self.plan.outputs)
        except EvaluationError as e:
            state.failed = True
            self.errors.extend(e.diagnostics)

    # ------------------------------------------------------------ history
    def _history(self, state: RowState, period: Period | None):
        who = state.record.who
        if period is None:
            state.history = tuple(None for _ in self.plan.history)
            state.history_facts = tuple(None for _ in self.plan.history)
            return
        last = self._last.get(who)
        if last is None:
            self._start[who] = period.index
        elif last != period.index - 1:
            # A gap: binding refuses it (E310) unless the policy says `gaps restart`.
            assert self.gaps == "restart", f"a gap in {who}'s periods reached the runner"
            self._start[who] = period.index
        self._last[who] = period.index
        kept = self._kept.get(who, {})
        start = self._start[who]
        values, facts = [], []
        for spec in self.plan.history:
            raw, fact = self._history_value(spec, kept, start, period)
            values.append(raw)
            facts.append(fact)
        state.history = tuple(values)
        state.history_facts = tuple(facts)

    def _history_value(self, spec: HistorySpec, kept: dict, start: int, period: Period):
        """(raw value, fact) where the fact is (function, *args), made only if asked for."""
        if spec.kind in ACCRUAL_FUNCTIONS:
            return accrual.earlier_values(spec.kind, spec.slot, kept, start, period, self.plan_year)
        if spec.kind == "previous":
            at = period.index - spec.back
            if at < start or at not in kept:
                return None, (_no_period, period.kind, at)
            return kept[at][spec.slot], (_from_period, period.kind, at)
        if spec.kind == "streak":
            at = period.index - 1
            if at < start or at not in kept:
                return 0, (t.NoEarlierPeriod,)
            count = kept[at][spec.slot]
            return count, (_streak_up_to, count, period.kind, at)
        earlier = []
        for back in range(1, spec.back):
            at = period.index - back
            if at < start or at not in kept:
                break
            earlier.append(kept[at][spec.slot])
        earlier.reverse()
        return earlier, (_rolling_over, period, len(earlier))

    # ------------------------------------------------------------ groups
    def _missing_in_group(self, state: RowState, spec: AggregateSpec, name: str):
        state.failed = True
        self.errors.append(_missing_message(state, spec, name))

    def _groups(self, states: list[RowState], specs: tuple[AggregateSpec, ...]):
        plan = self.plan
        for spec in specs:
            index = plan.aggregates.index(spec)
            if spec.reports is not None:  # over the org chart, not a partition
                org.fill_reports(self, spec, index, states, _aggregate)
                continue
            tops = spec.group is not None and plan.inputs[spec.group] in self._employee_inputs
            members: dict = {}
            for state in states:
                if state.failed:
                    continue
                key = state.record.fast[spec.group] if spec.group is not None else None
                value = state.slots[spec.slot] if spec.slot is not None else None
                missing = (plan.inputs[spec.group] if spec.group is not None and key is MISSING and not tops else
                           spec.name if value is not None and value[0] is MISSING else None)
                if missing is not None:
                    self._missing_in_group(state, spec, missing)
                    continue
                members.setdefault("" if tops and key is MISSING else key, []).append((state, value))
            for key, group in members.items():
                results = _aggregate(spec, [v for _, v in group])
                size = len(group)
                for (state, _own), value in zip(group, results, strict=True):  # one result per member
                    while len(state.groups) <= index:
                        state.groups.append(None)
                        state.group_facts.append((spec, None, 0, None))
                    state.groups[index] = value
                    state.group_facts[index] = (spec, key, size, value)


def _missing_message(state: RowState, spec: AggregateSpec, name: str) -> Diagnostic:
    record = state.record
    who = say("who.in", who=record.who, period=record.period) if record.period is not None else record.who
    return Diagnostic("E302", say("E302.group", who=who, name=name, func=spec.func), spec.node.span,
                      hint=say("E302.group_hint", name=name))


def _order_keys(pairs: list) -> list[int]:
    """Integers that order exact fractions as the fractions do, equal exactly when they are equal.

    Two different fractions with denominators at most D differ by at least 1/D^2, so
    scaling by more than D^2 keeps every difference at least 1 apart after flooring:
    sorting ints is fast where comparing Fractions is not.
    """
    biggest = max(d for _, d in pairs)
    scale = 10 ** (2 * len(str(biggest)) + 1)
    return [n * scale // d for n, d in pairs]


def _aggregate(spec: AggregateSpec, pairs: list) -> list:
    """Each member's group value as (num, den), or None where it does not exist (no peers)."""
    func = spec.func
    size = len(pairs)
    if func == "count":
        return [(size - 1 if spec.except_self else size, 1)] * size
    if func in ("sum", "mean"):
        total_n, total_d = sum_pairs(pairs)
        if not spec.except_self:
            return [(total_n, total_d if func == "sum" else total_d * size)] * size
        if size == 1:
            return [None]
        per = size - 1 if func == "mean" else 1
        # The others' total: the group's total less the employee's own value.
        return [(total_n * d - n * total_d, total_d * d * per) for n, d in pairs]
    keys = _order_keys(pairs)
    ordered = sorted(keys)
    if func in ("rank", "percentile"):
        out = []
        for k in keys:
            if func == "rank":
                out.append((1 + size - bisect_right(ordered, k), 1))
            else:
                out.append((1, 1) if size == 1 else (bisect_left(ordered, k), size - 1))
        return out
    # min and max, of the whole group or of the others
    by_key = dict(zip(keys, pairs, strict=True))
    low, high = ordered[0], ordered[-1]
    if not spec.except_self:
        return [by_key[low if func == "min" else high]] * size
    if size == 1:
        return [None]
    out = []
    for k in keys:
        if func == "min":
            # The smallest of the others: the second smallest when this one is the only smallest.
            out.append(by_key[ordered[1] if k == low and ordered[1] != k else low])
        else:
            out.append(by_key[ordered[-2] if k == high and ordered[-2] != k else high])
    return out


def _group_fact(plan: Plan, spec: AggregateSpec, key, size: int, value) -> t.GroupFact | t.ReportsFact:
    if spec.reports is not None and key is not None:  # None: a place kept for a value not computed yet
        return org.reports_fact(plan, spec, key, value)
    kind = str(plan.model.types[spec.name]) if spec.name else "count"
    if spec.func in ("rank", "count"):
        kind = "count"
    if spec.func == "percentile":
        kind = "percent"
    column = plan.inputs[spec.group] if spec.group is not None else None
    return t.GroupFact(spec.func, spec.name, column, key, spec.except_self, kind, size,
                       Fraction(*value) if value is not None else None)


# The facts behind history values, made from what `_history_value` kept, only when asked for.
def _no_period(kind: str, at: int) -> t.NoPeriod:
    return t.NoPeriod(Period(kind, at))


def _from_period(kind: str, at: int) -> t.FromPeriod:
    return t.FromPeriod(Period(kind, at))


def _streak_up_to(count: int, kind: str, at: int) -> t.StreakUpTo:
    return t.StreakUpTo(count, Period(kind, at))


def _rolling_over(period: Period, earlier: int) -> t.RollingOver:
    return t.RollingOver(period.shift(-earlier), period, earlier + 1)


def _raw(value):
    if isinstance(value, Fraction):
        return value.numerator, value.denominator
    return value


def _stage_of(plan: Plan, name: str) -> int:
    return plan.stage_of.get(name, 0)


def _stage_of_node(plan: Plan, node) -> int:
    return plan.node_stage.get(node, 0)


def to_output(plan: Plan, value, places):
    if isinstance(value, TierValue):
        return value.name
    if isinstance(value, Fraction):
        return to_decimal(value.numerator, value.denominator, places)
    return value
