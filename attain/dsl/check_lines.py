"""Checking, the line tables' part: a policy with `lines` blocks -> the employee model and one model per line table.

Each line table is checked as a small policy of its own: its inputs, its per-line values,
the policy's rate tables, and one value per aggregate that reads it (what is added up, and
the `where` filter). Each aggregate in an employee formula then becomes a *measure*, an
input of the employee model whose value the line stage computes per employee and period
(attain.engine.lines), so every engine reads it as it reads any input. `sum(x of T,
else v)`-style fallbacks become `m if given(m) else v`: a measure with no lines is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import attrs

from attain.diagnostics import Diagnostic, Span
from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.builtins import suggestion
from attain.dsl.line_nodes import LINE_FUNCTIONS, LineAggregate, LineTable
from attain.dsl.model import Model
from attain.i18n.messages import joined, say

# What a per-line formula cannot use: they look at other periods, at colleagues, or at other lines.
_EMPLOYEE_ONLY = ("streak", "rolling_sum", "rolling_mean", "rolling_min", "rolling_max")


@attrs.frozen
class Measure:
    """One aggregate over a line table, as the employee model reads it: the input `name`."""

    name: str
    func: str
    table: str
    value: str | None  # the line model's value holding what is aggregated (None for count)
    where: str | None  # the line model's value holding the filter
    fallback: bool  # whether the formula gives `else V` for no lines
    kind: str  # the unit of the measure: money, percent, number or count
    text: str  # as written in the policy
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class LineSpec:
    """A checked line table: its syntax, its own model, and the values its crediting rule reads."""

    table: LineTable
    model: Model
    overlay: str | None  # the line model's value holding the overlay condition


@attrs.frozen
class Lines:
    """The line tables of a policy and the measures its employee formulas read."""

    tables: dict[str, LineSpec]
    measures: tuple[Measure, ...]

    def measure(self, name: str) -> Measure | None:
        return next((m for m in self.measures if m.name == name), None)


Check = Callable[[n.Policy], tuple[Model, list[Diagnostic]]]


def check_lines(policy: n.Policy, check: Check) -> tuple[Model, list[Diagnostic]]:  # long: one pass, closures
    # over the measures found so far, then each table, then the employee model with the measures as inputs
    """The employee model (with `lines` set) and every diagnostic; `check` is the checker of one policy."""
    tables = [s for s in policy.statements if isinstance(s, LineTable)]
    rest = [s for s in policy.statements if not isinstance(s, LineTable)]
    diags: list[Diagnostic] = []
    employee_names = _names(rest)
    by_name: dict[str, LineTable] = {}
    for t in tables:
        if t.name in by_name or t.name in employee_names:
            diags.append(Diagnostic("C291", say("C291", name=t.name), t.span, hint=say("C291.hint")))
            continue
        by_name[t.name] = t
    source = policy.source
    measures: list[Measure] = []
    found: dict[tuple, Measure] = {}
    per_table: dict[str, list[n.Definition]] = {name: [] for name in by_name}
    refused_inputs: list[n.Input] = []

    def measure_of(agg: LineAggregate) -> n.Expr:
        key = (agg.func, agg.value, agg.table, agg.where)
        m = found.get(key)
        if m is None:
            m = _new_measure(agg, len(measures) + 1, by_name, per_table, diags, source)
            if m is None:
                # Reported: it stands in as a value without a unit, so the rest of the check says nothing more.
                stand_in = n.Input(f"_refused_{len(refused_inputs) + 1}", "error", span=agg.span, type_span=agg.span)
                refused_inputs.append(stand_in)
                return n.Name(stand_in.name, span=agg.span)
            found[key] = m
            measures.append(m)
        read = n.Name(m.name, span=agg.span)
        if agg.otherwise is None:
            return read
        return n.Conditional(read, n.Call("given", (n.Name(m.name, span=agg.span),), span=agg.span),
                             agg.otherwise, span=agg.span)

    def replace(node):
        if isinstance(node, LineAggregate):
            return measure_of(node)
        if (isinstance(node, n.TableLookup) and node.table == "count" and len(node.args) == 1
                and isinstance(node.args[0], n.Name) and node.args[0].id in by_name):
            arg = node.args[0]
            return measure_of(LineAggregate("count", None, arg.id, span=node.span, table_span=arg.span))
        return None

    statements = [_rewrite(s, replace) for s in rest]
    specs: dict[str, LineSpec] = {}
    kinds: dict[str, str] = {}
    for name, table in by_name.items():
        spec, found_kinds = _check_table(policy, table, per_table[name], employee_names, check, diags)
        specs[name] = spec
        kinds.update(found_kinds)
    typed = []
    for m in measures:
        # A value the line check refused has no unit: "error" keeps the employee check from repeating it.
        kind = kinds.get(m.value or "", "error") if m.func != "count" else "count"
        if m.func == "mean" and kind == "count":
            kind = "number"  # the mean of whole numbers need not be whole
        typed.append(attrs.evolve(m, kind=kind))
    inputs = [n.Input(m.name, m.kind, span=m.span, type_span=m.span) for m in typed] + refused_inputs
    employee = attrs.evolve(policy, statements=(*inputs, *statements))
    model, found_diags = check(employee)
    refused = {m.span for m in typed if m.kind == "error"} | {i.span for i in refused_inputs}
    found_diags = [d for d in found_diags if not (d.code == "C202" and d.span in refused)]
    model = attrs.evolve(model, lines=Lines(specs, tuple(typed)))
    everything = {(d.code, d.span, d.message): d for d in (*diags, *found_diags)}
    return model, sorted(everything.values(), key=Diagnostic.sort_key)


def _names(statements) -> set[str]:
    out: set[str] = set()
    for s in statements:
        if isinstance(s, n.Variants):
            out.update(d.name for case in s.cases for d in case.definitions)
        elif hasattr(s, "name") and isinstance(s.name, str):
            out.add(s.name)
    return out


def _new_measure(agg: LineAggregate, number: int, tables: dict[str, LineTable], per_table: dict,
                 diags: list[Diagnostic], source: str) -> Measure | None:
    if agg.table not in tables:
        diags.append(Diagnostic("C287", say("C287", table=agg.table), agg.table_span or agg.span,
                                hint=suggestion(agg.table, tables) or say("C287.hint",
                                                                          tables=joined(tables) or "-")))
        return None
    if agg.func not in LINE_FUNCTIONS:
        diags.append(Diagnostic("C287", say("C287.func", func=agg.func), agg.span,
                                hint=say("C287.func_hint", functions=joined(LINE_FUNCTIONS))))
        return None
    if agg.func == "count" and agg.value is not None:
        diags.append(Diagnostic("C289", say("C289.count"), agg.span, hint=say("C289.count_hint", table=agg.table)))
        return None
    if agg.func in ("sum", "count") and agg.otherwise is not None:
        diags.append(Diagnostic("C289", say("C289.else", func=agg.func), agg.otherwise.span or agg.span,
                                hint=say("C289.else_hint", func=agg.func)))
        return None
    if agg.func != "count" and agg.value is None:
        diags.append(Diagnostic("C289", say("C289.value", func=agg.func), agg.span,
                                hint=say("C289.value_hint", func=agg.func, table=agg.table)))
        return None
    defs = per_table[agg.table]
    value = where = None
    if agg.value is not None:
        value = f"_{agg.table}_{number}_value"
        defs.append(n.Definition(value, agg.value, span=agg.value.span or agg.span))
    if agg.where is not None:
        where = f"_{agg.table}_{number}_where"
        defs.append(n.Definition(where, agg.where, span=agg.where.span or agg.span))
    text = _text(source, agg.span) or f"{agg.func}({agg.table})"
    return Measure(text, agg.func, agg.table, value, where, agg.otherwise is not None, "number", text, agg.span)


def _text(source: str, span: Span | None) -> str:
    """The aggregate as written, on one line."""
    if span is None or not source:
        return ""
    lines = source.splitlines()
    if span.line > len(lines):
        return ""
    if span.line == span.end_line:
        return lines[span.line - 1][span.col - 1:span.end_col - 1]
    parts = [lines[span.line - 1][span.col - 1:]]
    parts += [x.strip() for x in lines[span.line:span.end_line - 1]]
    parts.append(lines[span.end_line - 1][:span.end_col - 1].strip())
    return " ".join(p.strip() for p in parts if p.strip())


def _check_table(policy: n.Policy, t: LineTable, measured: list[n.Definition], employee_names: set[str],
                 check: Check, diags: list[Diagnostic]) -> tuple[LineSpec, dict[str, str]]:
    """The model of one line table (its inputs, values, and the values its aggregates and split read)."""
    extra: list[n.Definition] = list(measured)
    overlay = None
    split = t.split
    for s in t.extra_splits:
        diags.append(Diagnostic("C290", say("C290.twice", table=t.name), s.span, hint=say("C290.twice_hint")))
    if split is not None and split.overlay is not None:
        overlay = f"_{t.name}_overlay"
        extra.append(n.Definition(overlay, split.overlay, span=split.overlay.span or split.span))
    bodies = [*t.values, *extra]
    for d in bodies:
        for root in n.formulas(d):
            for x in n.walk(root):
                if isinstance(x, (n.Previous, n.Aggregate, LineAggregate)) or (
                        isinstance(x, n.Call) and x.func in _EMPLOYEE_ONLY):
                    diags.append(Diagnostic("C286", say("C286", table=t.name), x.span, hint=say("C286.hint")))
    bodies = [_rewrite(d, lambda x: n.Number(Fraction(0), span=x.span) if isinstance(x, LineAggregate) else None)
              for d in bodies]
    names = [d.name for d in t.values] + [d.name for d in extra]
    outputs = n.OutputDecl(tuple(n.Name(x, span=t.span) for x in names), span=t.span)
    header = attrs.evolve(policy.header, version=None, effective=None, until=None, uses=None, switch=None,
                          switch_rounding=None, gaps=None)
    shared = [s for s in policy.statements if isinstance(s, n.Table)]
    sub = attrs.evolve(policy, header=header, statements=(*shared, *t.inputs, *bodies, outputs))
    model, found = check(sub)
    own = {i.name for i in t.inputs} | {d.name for d in t.values}
    for found_diag in found:
        read = _name_at(found_diag, employee_names - own) if found_diag.code == "C203" else None
        if read is not None:
            diags.append(Diagnostic("C285", say("C285", name=read, table=t.name), found_diag.span,
                                    label=say("C285.label"), hint=say("C285.hint", table=t.name)))
        elif found_diag.code == "C220" and any(i.span == found_diag.span for i in t.inputs):
            continue  # a line's column is shown with the line in explanations (the deal number), so it is used
        else:
            diags.append(found_diag)
    if split is not None:
        _check_split(t, model, diags)
    kinds: dict[str, str] = {}
    for d in measured:
        found_type = model.types.get(d.name)
        if found_type is None:
            continue
        concrete = str(ty.concrete(found_type))
        if d.name.endswith("_where"):
            if concrete not in ("bool", "error"):
                diags.append(Diagnostic("C288", say("C288.where", kind=concrete), d.span, hint=say("C288.where_hint")))
        elif concrete in ("money", "percent", "number", "count", "literal"):
            kinds[d.name] = "number" if concrete == "literal" else concrete
        elif concrete != "error":
            diags.append(Diagnostic("C288", say("C288", kind=concrete), d.span, hint=say("C288.hint")))
    if overlay is not None:
        found_type = model.types.get(overlay)
        if found_type is not None and str(ty.concrete(found_type)) not in ("bool", "error"):
            diags.append(Diagnostic("C290", say("C290.overlay"), split.overlay.span if split and split.overlay
                                    else t.span, hint=say("C290.overlay_hint")))
    return LineSpec(t, model, overlay), kinds


def _name_at(d: Diagnostic, names: set[str]) -> str | None:
    return next((x for x in names if f"'{x}'" in d.message or f"`{x}`" in d.message), None)


def _check_split(t: LineTable, model: Model, diags: list[Diagnostic]) -> None:
    split = t.split
    assert split is not None
    inputs = {i.name: i for i in t.inputs}
    share = inputs.get(split.share)
    if share is None or share.type != "percent":
        diags.append(Diagnostic("C290", say("C290.share", share=split.share, table=t.name), split.span,
                                hint=say("C290.share_hint", share=split.share)))
    if split.per not in inputs:
        diags.append(Diagnostic("C290", say("C290.per", per=split.per, table=t.name), split.span,
                                hint=say("C290.per_hint")))


def _rewrite(x, replace):
    """`x` with every node for which `replace` gives a node replaced by it; untouched parts stay the same objects."""
    found = replace(x) if attrs.has(type(x)) else None
    if found is not None:
        return found
    if isinstance(x, tuple):
        items = tuple(_rewrite(i, replace) for i in x)
        return items if any(a is not b for a, b in zip(items, x, strict=True)) else x
    if attrs.has(type(x)) and not isinstance(x, Span):
        changes = {}
        for f in attrs.fields(type(x)):
            if not f.init:
                continue
            v = getattr(x, f.name)
            new = _rewrite(v, replace)
            if new is not v:
                changes[f.alias or f.name] = new
        return attrs.evolve(x, **changes) if changes else x
    return x
