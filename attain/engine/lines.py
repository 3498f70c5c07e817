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
from attain.engine.bind import ID_COLUMNS, _row_period, _time_columns, bind, find_id_column, reference_inputs
from attain.engine.emit import compile_model
from attain.engine.plan import Plan
from attain.engine.runner import Runner, _fraction
from attain.engine.runtime import MISSING
from attain.i18n.messages import say
from attain.io.datasets import DataSet, resolve
from attain.io.numtext import format_number
from attain.io.tables import Row, Table, exact_cell

LINE_ID = "\x00line"  # the column a line table is keyed by while its lines are computed: the line's number
MAX_REPORTED = 50


@attrs.frozen
class Line:
    """One line as computed: where it is, whose and which period it is, and its values (Fractions, texts, bools)."""

    file: str
    line: int
    where: str  # how a person finds it: `deals.csv:4` or `Book.xlsx!Deals!A4`
    who: str
    period: object
    values: dict


@attrs.frozen
class Used:
    """One line as a measure read it: the line, the value it gave (None for count) and whether `where` kept it."""

    line: Line
    value: object
    kept: bool


@attrs.frozen
class Stage:
    """What the line stage computed: per (who, period), per measure, its value and the lines that made it."""

    measures: dict  # (who, period label) -> {measure name: value or None}
    used: dict  # (who, period label) -> {measure name: [Used, ...]}


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
    for row, key in zip(data.rows, _row_keys(model, data, key_column), strict=True):
        cells = dict(row.cells)
        values = stage.measures.get(key, {})
        for m in names:
            v = values.get(m)
            cells[m] = exact_cell(v) if v is not None else None
        rows.append(Row(row.line, cells))
    return attrs.evolve(data, columns=(*data.columns, *names), rows=tuple(rows)), stage


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
    keyed = attrs.evolve(table, columns=(LINE_ID, *table.columns),
                         rows=tuple(Row(r.line, {LINE_ID: str(r.line), **r.cells}) for r in table.rows))
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
        values = reference_inputs(plan, state.record)
        values.update((name, _fraction(state.slots[slot])) for name, slot in plan.slots.items()
                      if name in spec.model.definitions)
        out.append(Line(table.file, line, _where(table, line), who, _label(state.record.period), values))
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
        share = ln.values.get(split.share)
        if not isinstance(share, Fraction):
            continue
        if share < 0 or share > 1:
            where = say("D442.above") if share > 1 else say("D442.below")
            diags.append(Diagnostic("D442", say("D442", share=_percent(share), where=where),
                                    at(ln.line), hint=say("D442.hint")))
            continue
        if spec.overlay is not None and ln.values.get(spec.overlay) is True:
            continue
        deals.setdefault(ln.values.get(split.per), []).append(ln)
    for deal, rows in deals.items():
        total = sum((r.values[split.share] for r in rows), Fraction(0))
        if total != 1:
            listed = ", ".join(f"{r.where} {r.who} {_percent(r.values[split.share])}" for r in rows)
            diags.append(Diagnostic("D441", say("D441", key=split.per, deal=deal, total=_percent(total),
                                                rows=listed), at(rows[0].line),
                                    hint=say("D441.hint")))


def _percent(x: Fraction) -> str:
    return format_number(x * 100) + "%"


def _aggregate(lines: Lines, computed: dict[str, list[Line]], keys: set, diags: list) -> Stage:
    measures: dict = {k: {} for k in keys}
    used: dict = {k: {} for k in keys}
    by_key: dict = {}
    for name, found in computed.items():
        for ln in found:
            by_key.setdefault((name, ln.who, ln.period), []).append(ln)
    for key in sorted(keys, key=lambda k: (str(k[0]), str(k[1]))):
        for m in lines.measures:
            mine = by_key.get((m.table, *key), [])
            taken = [_use(m, ln) for ln in mine]
            used[key][m.name] = taken
            values = [u.value for u in taken if u.kept]
            measures[key][m.name] = _combine(m, values, key, diags)
    return Stage(measures, used)


def _use(m: Measure, ln: Line) -> Used:
    kept = True if m.where is None else ln.values.get(m.where) is True
    return Used(ln, ln.values.get(m.value) if m.value is not None else None, kept)


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


def is_missing(value) -> bool:
    return value is MISSING
