"""The line stage: line tables -> per-line values -> the measures each employee's formulas read, per period.

Runs before the employee-level policy, on every engine's behalf: each line table is bound
to its own model (a line is a row of its own, keyed by its line number), its per-line values
are computed exactly by the compiled plan (or, for the reference engine, by the reference
evaluator), its crediting rule is checked, and each aggregate is computed per employee and
period. The measures are then added to the employee table as exact cells, which every engine
binds and reads like any input. What made each measure (the lines, their values, whether the
filter kept them) is kept for explanations.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any, NamedTuple

import attrs

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.dsl.check_lines import Lines, LineSpec, Measure
from attain.dsl.model import Model
from attain.engine.bind import (
    DATE_COLUMNS,
    ID_COLUMNS,
    PERIOD_COLUMNS,
    _row_period,
    _time_columns,
    bind,
    find_id_column,
)
from attain.engine.emit import compile_model
from attain.engine.plan import Plan
from attain.engine.runner import ABSENT, Runner, _fraction
from attain.engine.runtime import MISSING
from attain.i18n.messages import say
from attain.io.datasets import DataSet, resolve
from attain.io.numtext import format_number
from attain.io.tables import Row, Table, exact_cell

LINE_ID = "\x00line"  # the column a line table is keyed by while its lines are computed: the line's number
MAX_REPORTED = 50


class Line:
    """One line as computed: where it is, whose and which period it is, and its values.

    A value is read from the plan's slots or the bound record when asked for (`value`), so that
    adding up many lines converts only what the aggregates read; `values` and `where` are for
    messages and explanations.
    """

    __slots__ = ("_plan", "_slots", "fast", "file", "line", "period", "table", "who")

    def __init__(self, table: Table, line: int, who: str, period: str, plan: Plan, fast: tuple, slots: list):
        self.table, self.file, self.line, self.who, self.period = table, table.file, line, who, period
        self._plan, self.fast, self._slots = plan, fast, slots

    def value(self, name: str):
        """A per-line value or input: a Fraction, a text, a bool or a date; None where empty."""
        plan = self._plan
        slot = plan.slots.get(name)
        if slot is not None and name in plan.model.definitions:
            found = _fraction(self._slots[slot])
            return None if found is ABSENT else found
        raw = self.fast[plan.inputs.index(name)]
        if raw is MISSING:
            return None
        return Fraction(*raw) if type(raw) is tuple else raw

    @property
    def values(self) -> dict:
        """Every input and per-line value, in the order the block declares them."""
        model = self._plan.model
        return {name: self.value(name) for name in (*model.inputs, *model.order)}

    @property
    def where(self) -> str:
        """How a person finds the line: `deals.csv:4` or `Book.xlsx!Deals!A4`."""
        return _where(self.table, self.line)


@attrs.frozen
class Used:
    """One line as a measure read it: the line, the value it gave (None for count) and whether `where` kept it."""

    line: Line
    value: object
    kept: bool


@attrs.frozen
class Stage:
    """What the line stage computed: per (who, period), per measure, its value; and the lines of each, by table."""

    measures: dict  # (who, period label) -> {measure name: value or None}
    lines: dict = attrs.field(repr=False)  # (table, who, period label) -> [Line, ...]

    def used(self, measure: Measure, key: tuple) -> list[Used]:
        """The lines of `key` (who, period label) a measure read, with the value each gave and whether it was kept."""
        return [_use(measure, ln) for ln in self.lines.get((measure.table, *key), [])]


_PLANS: dict[int, tuple[Model, Plan]] = {}  # a line model's compiled plan, kept with the model it is of


def plan_of(model: Model) -> Plan:
    """The line model's plan, compiled once per process."""
    found = _PLANS.get(id(model))
    if found is None or found[0] is not model:
        if len(_PLANS) > 64:
            _PLANS.clear()
        found = _PLANS[id(model)] = (model, compile_model(model))
    return found[1]


class _Times(NamedTuple):
    """What reading a row's period needs of a plan: its model (the period kind); no history is asked of it."""

    model: Model
    history: tuple = ()


def line_tables(model: Model) -> dict[str, str | None]:
    """The policy's line tables, name -> label, as `resolve` matches files to them."""
    lines: Lines | None = model.lines  # type: ignore[assignment]
    return {} if lines is None else {name: spec.table.label for name, spec in lines.tables.items()}


def with_measures(model: Model, table: Table, id_column: str | None, engine: str) -> tuple[Table, Stage | None]:
    """The employee table with one exact cell per measure on each row, and what made them; unchanged without lines."""
    lines: Lines | None = model.lines  # type: ignore[assignment]
    if lines is None:
        return resolve(table, {}), None
    data = resolve(table, line_tables(model))
    assert isinstance(data, DataSet)
    key_column = find_id_column(data, id_column)
    keys = _employee_keys(model, data, key_column)
    diags: list[Diagnostic] = []
    computed: dict[str, list[Line]] = {}
    for name, spec in lines.tables.items():
        computed[name], columns = _compute(spec, data.lines[name], key_column, engine, diags)
        if diags:
            raise AttainError(diags[:MAX_REPORTED])
        _check_split(spec, data.lines[name], computed[name], columns, diags)
        for ln in computed[name]:
            if (ln.who, ln.period) not in keys:
                t = data.lines[name]
                diags.append(Diagnostic("D440", say("D440", table=name, who=ln.who, period=_label(ln.period),
                                                    file=data.file), _row_span(t, ln.line),
                                        hint=say("D440.hint")))
    if diags:
        raise AttainError(diags[:MAX_REPORTED])
    stage = _aggregate(lines, computed, keys, diags)
    if diags:
        raise AttainError(diags[:MAX_REPORTED])
    names = tuple(m.name for m in lines.measures)
    rows = []
    notes = {}
    for row, key in zip(data.rows, _row_keys(model, data, key_column), strict=True):
        cells = dict(row.cells)
        values = stage.measures.get(key, {})
        for m in lines.measures:
            v = values.get(m.name)
            cells[m.name] = exact_cell(v) if v is not None else None
            notes[(row.line, m.name)] = _source(m, stage.lines.get((m.table, *key), []), data.lines[m.table])
        rows.append(Row(row.line, cells))
    return attrs.evolve(data, columns=(*data.columns, *names), rows=tuple(rows), notes=notes), stage


def _source(m: Measure, lines: list[Line], table: Table) -> str:
    """Where a measure comes from, as a statement cites it: `deals.csv: 3 lines (2 kept)`."""
    count = say("x.line" if len(lines) == 1 else "x.lines", n=len(lines))
    if m.where is not None:
        kept = sum(1 for ln in lines if ln.value(m.where) is True)
        return say("x.src_measure_kept", file=table.file, lines=count, kept=kept)
    return say("x.src_measure", file=table.file, lines=count)


def _label(period) -> str:
    return str(period) if period is not None else "-"


def _row_keys(model: Model, table: Table, key_column: str) -> Iterator[tuple]:
    plan: Any = _Times(model)
    positions = {c: i + 1 for i, c in enumerate(table.columns)}
    time = _time_columns(plan, table, positions)
    for row in table.rows:
        placed = _row_period(plan, table, row, time, positions, [])
        yield (row.cells.get(key_column), _label(placed[0]) if placed is not None else None)


def _employee_keys(model: Model, table: Table, key_column: str) -> set:
    return {k for k in _row_keys(model, table, key_column) if k[0] is not None}


def _row_span(table: Table, line: int) -> Span:
    first = table.columns[0] if table.columns else ""
    return table.cell(line, first, 1).span


def _where(table: Table, line: int) -> str:
    place = table.place(line, table.columns[0]) if table.columns else None
    if place is not None and place.name:
        book, _, cell = place.name.rpartition("!")
        column = cell.rstrip("0123456789")
        return f"{table.file}!{book}!{column}{line}" if book else f"{table.file}!{cell}"
    return f"{table.file}:{line}"


def _compute(spec: LineSpec, table: Table, key_column: str, engine: str, diags: list) -> tuple[list[Line], dict]:
    """Every line of `table` with its values, computed by the line model's plan; the column of each input."""
    who_column = key_column if key_column in table.columns else next(
        (c for c in ID_COLUMNS if c in table.columns), None)
    if who_column is None:
        diags.append(Diagnostic("D443", say("D443", file=table.file), Span(table.file, table.header_line, 1,
                                                                             table.header_line, 2),
                                hint=say("D443.hint", column=key_column)))
        return [], {}
    if spec.model.policy.header.period and not any(c in table.columns for c in (*PERIOD_COLUMNS, *DATE_COLUMNS)):
        diags.append(Diagnostic("D443", say("D443.period", file=table.file), Span(
            table.file, table.header_line, 1, table.header_line, 2), hint=say("D443.period_hint")))
        return [], {}
    # A line is keyed by its place, which messages about it then name (`deals.csv:4 in 2023-03`).
    keyed = attrs.evolve(table, columns=(LINE_ID, *table.columns),
                         rows=tuple(Row(r.line, {LINE_ID: f"{table.file}:{r.line}", **r.cells}) for r in table.rows))
    plan = plan_of(spec.model)
    try:
        bound = bind(plan, keyed, LINE_ID)
    except AttainError as e:
        diags.extend(e.diagnostics)
        return [], {}
    whos = {r.line: r.cells.get(who_column) for r in table.rows}
    runner = Runner(plan, bound, MAX_REPORTED, "reference" if engine == "reference" else "python")
    out = []
    for state in runner.run():
        line = state.record.line
        who = whos.get(line)
        if who is None:
            diags.append(Diagnostic("D443", say("D443", file=table.file), _row_span(table, line),
                                    hint=say("D443.hint", column=who_column)))
            continue
        out.append(Line(table, line, who, _label(state.record.period), plan, state.record.fast, state.slots))
    diags.extend(runner.errors)
    return out, dict(bound.columns)


def _check_split(spec: LineSpec, table: Table, lines: list[Line], columns: dict, diags: list) -> None:
    """Each share between 0% and 100%; the split (not overlay) shares of one deal add up to exactly 100%."""
    split = spec.table.split
    if split is None:
        return
    column = columns.get(split.share)
    number = table.columns.index(column) + 1 if column in table.columns else 1

    def at(line: int) -> Span:
        return table.cell(line, column, number).span if column is not None else _row_span(table, line)

    deals: dict = {}
    for ln in lines:
        share = ln.value(split.share)
        if not isinstance(share, Fraction):
            continue
        if share < 0 or share > 1:
            where = say("D442.above") if share > 1 else say("D442.below")
            diags.append(Diagnostic("D442", say("D442", share=_percent(share), where=where),
                                    at(ln.line), hint=say("D442.hint")))
            continue
        if spec.overlay is not None and ln.value(spec.overlay) is True:
            continue
        deals.setdefault(ln.value(split.per), []).append(ln)
    for deal, rows in deals.items():
        total = sum((r.value(split.share) for r in rows), Fraction(0))
        if total != 1:
            listed = ", ".join(f"{r.where} {r.who} {_percent(r.value(split.share))}" for r in rows)
            diags.append(Diagnostic("D441", say("D441", key=split.per, deal=deal, total=_percent(total),
                                                rows=listed), at(rows[0].line),
                                    hint=say("D441.hint")))


def _percent(x: Fraction) -> str:
    return format_number(x * 100) + "%"


def _aggregate(lines: Lines, computed: dict[str, list[Line]], keys: set, diags: list) -> Stage:
    by_key: dict = {}
    for name, found in computed.items():
        for ln in found:
            by_key.setdefault((name, ln.who, ln.period), []).append(ln)
    measures: dict = {}
    for key in sorted(keys, key=lambda k: (str(k[0]), str(k[1]))):
        mine = measures[key] = {}
        for m in lines.measures:
            taken = by_key.get((m.table, *key), [])
            if m.where is not None:
                taken = [ln for ln in taken if ln.value(m.where) is True]
            values = [ln.value(m.value) for ln in taken] if m.value is not None else taken
            mine[m.name] = _combine(m, values, key, diags)
    return Stage(measures, by_key)


def _use(m: Measure, ln: Line) -> Used:
    kept = True if m.where is None else ln.value(m.where) is True
    return Used(ln, ln.value(m.value) if m.value is not None else None, kept)


def _combine(m: Measure, values: list, key: tuple, diags: list):
    if m.func == "count":
        return Fraction(len(values))
    numbers = [v for v in values if isinstance(v, Fraction)]
    if m.func == "sum":
        return sum(numbers, Fraction(0))
    if not numbers:
        if not m.fallback:
            who = f"{key[0]} in {key[1]}" if key[1] != "-" else str(key[0])
            diags.append(Diagnostic("E340", say("E340", text=m.text, who=who, func=m.func), m.span,
                                    hint=say("E340.hint", func=m.func)))
        return None
    if m.func == "mean":
        return sum(numbers, Fraction(0)) / len(numbers)
    return min(numbers) if m.func == "min" else max(numbers)


