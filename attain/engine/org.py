"""The org chart at run time: each period's hierarchy from its rows, checked, and values over reports.

An `employee` input (a manager column) names, in each row, the id of another employee
of the same period, or is empty at the top of a tree. Binding refuses a period whose
managers are not its employees (D450), an employee who is their own manager (D451) and
a cycle (D452, naming every employee of it in order). The runner then computes a group
value over reports (`sum(sales within direct reports)`, `... within all reports`) for
every employee of the period: over the rows whose manager is the employee, or the whole
tree below (level by level, the employee left out). Both the compiled plan and the
reference evaluator read these values, as they read group values; duckdb loads the
pairs `pairs` gives (attain/sql/compile_org.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from attain.diagnostics import AttainError, Diagnostic
from attain.dsl.org import EMPLOYEE
from attain.engine import trace as t
from attain.engine.runtime import MISSING
from attain.i18n.messages import say
from attain.io.tables import Table

MAX_REPORTED = 50  # as binding: the first errors are enough to act on


def employee_columns(plan) -> list[int]:
    """The positions, in a record's inputs, of the policy's employee inputs."""
    return [i for i, name in enumerate(plan.inputs) if plan.model.inputs[name].type == EMPLOYEE]


def manager_of(record, k: int) -> str | None:
    """The manager id in input `k` of a record; None at the top (an empty cell)."""
    boss = record.fast[k]
    return None if boss is MISSING or boss is None or boss == "" else boss


def refuse_bad_managers(plan, table: Table, records, columns: dict, positions: dict) -> None:
    """D450, D451, D452 for every employee input: each period's managers must be its employees, with no cycle."""
    diags: list[Diagnostic] = []
    for k in employee_columns(plan):
        name = plan.inputs[k]
        column = columns.get(name)
        if column is None:
            continue
        by_period: dict = {}
        for r in records:
            by_period.setdefault(r.period, {})[r.who] = r
        for period, rows in by_period.items():
            diags += _period_errors(table, rows, k, column, positions, period)
    if diags:
        raise AttainError(diags[:MAX_REPORTED])


def _period_errors(table: Table, rows: dict, k: int, column: str, positions: dict, period) -> list[Diagnostic]:
    def at(r, code: str, message, hint):
        place = table.cell(r.line, column, positions[column])
        return Diagnostic(code, message, place.span, label=column, hint=hint)

    when = say("org.in_period", period=period) if period is not None else ""
    diags = []
    boss = {}
    for name, r in rows.items():
        m = manager_of(r, k)
        if m is None:
            continue
        if m == name:
            diags.append(at(r, "D451", say("D451", who=name, column=column), say("D451.hint")))
        elif m not in rows:
            diags.append(at(r, "D450", say("D450", who=name, manager=m, column=column, when=when),
                            say("D450.hint", manager=m, who=name)))
        else:
            boss[name] = m
    if diags:
        return diags
    state: dict[str, int] = {}  # 1 while its managers are followed, 2 once they reach a top
    for start in rows:
        path: list[str] = []
        who: str | None = start
        while who is not None and state.get(who) is None:
            state[who] = 1
            path.append(who)
            who = boss.get(who)
        if who is not None and state[who] == 1:  # came back to an employee of this path: a cycle
            loop = path[path.index(who):]
            first = min(loop, key=lambda w: rows[w].line)
            i = loop.index(first)
            loop = loop[i:] + loop[:i]
            diags.append(at(rows[first], "D452", say("D452", cycle=" → ".join([*loop, first]), column=column,
                                                     when=when), say("D452.hint")))
        for w in path:
            state[w] = 2
    return diags


def pairs(records, k: int, reach: str) -> Iterator[tuple]:
    """(period index or None, manager, report, level) for every report of every manager, checked data only:
    level 1 for direct reports; with reach "all", every employee below, at their depth."""
    by_period: dict = {}
    for r in records:
        by_period.setdefault(r.period, []).append(r)
    for period, rows in by_period.items():
        index = period.index if period is not None else None
        children = _children(rows, k)
        for r in rows:
            for who, level in _below(children, r.who, reach):
                yield index, r.who, who, level


def _children(rows, k: int) -> dict:
    children: dict = {}
    for r in rows:
        m = manager_of(r, k)
        if m is not None:
            children.setdefault(m, []).append(r.who)
    return children


def _below(children: dict, who: str, reach: str) -> list[tuple[str, int]]:
    """(report, level) under `who`, level by level; a level in the order of the managers above it, then data order."""
    out, level, current = [], 1, children.get(who, [])
    while current:
        out += [(w, level) for w in current]
        if reach == "direct":
            break
        level += 1
        current = [c for w in current for c in children.get(w, [])]
    return out


# ---------------------------------------------------------------- the runner's part
def fill_reports(runner, spec, index: int, states: list, aggregate) -> None:
    """Every state's value over its reports for `spec`, as `Runner._groups` fills a group value.

    A report whose value is missing is that report's error, as in a group; `aggregate` is the
    runner's function over a group (each member's value, all alike without `except self`).
    """
    for state in states:
        if not state.failed and spec.slot is not None and state.slots[spec.slot][0] is MISSING:
            runner._missing_in_group(state, spec, spec.name)
    live = [s for s in states if not s.failed]
    children: dict = {}
    k = spec.group
    for s in live:
        m = s.record.fast[k]
        if m is not MISSING and m is not None and m != "":
            children.setdefault(m, []).append(s)
    slot, direct = spec.slot, spec.reports == "direct"
    alone = (0, 1) if spec.func in ("sum", "count") else None  # the value over no reports
    nobody: list = []
    for s in live:
        groups = s.groups
        if len(groups) <= index:
            groups.extend([None] * (index + 1 - len(groups)))
            s.group_facts.extend([(spec, None, 0, None)] * (index + 1 - len(s.group_facts)))
        current = children.get(s.record.who)
        if current is None:  # most employees: no reports
            groups[index] = alone
            s.group_facts[index] = (spec, (s.record.who, nobody, nobody), 0, alone)
            continue
        members: list[tuple] = []  # (state, level)
        level = 1
        while current:
            members += [(c, level) for c in current]
            if direct:
                break
            level += 1
            current = [c for w in current for c in children.get(w.record.who, nobody)]
        raws = [c.slots[slot] for c, _ in members] if slot is not None else [None] * len(members)
        value = aggregate(spec, raws)[0]
        groups[index] = value
        # the members as they are: their fact is made only when an explanation or an error asks for it
        s.group_facts[index] = (spec, (s.record.who, members, raws), len(members), value)


def reports_fact(plan, spec, key, value) -> t.ReportsFact:
    """The fact behind a value over reports: the manager, and each report with its level and value."""
    manager, members, raws = key
    kind = "count" if spec.func == "count" else str(plan.model.types[spec.name])
    if spec.func == "mean" and kind == "count":
        kind = "number"
    return t.ReportsFact(spec.func, spec.name, spec.reports, manager, kind,
                         tuple((c.record.who, level, _fraction(raw)) for (c, level), raw in zip(members, raws,
                                                                                                 strict=True)),
                         Fraction(*value) if value is not None else None)


def _fraction(raw):
    return Fraction(*raw) if type(raw) is tuple else None
