"""Changes: two policy trees -> what changed, as sentences in policy terms (`Change`).

The two syntax trees are compared statement by statement, matched by name, so
moving or reformatting a statement is no change. Tables (bands, lookups,
weights, tiers, brackets) are compared row by row.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from attain.diagnostics import Span
from attain.diff.table_changes import curve_changes, table_changes
from attain.diff.wording import (
    describe_band_row,
    describe_body,
    describe_bracket_bound,
    describe_bracket_row,
    describe_case,
    describe_definition,
    describe_lookup_key,
    describe_lookup_row,
    describe_number,
    describe_split,
    describe_statement,
    describe_tier_row,
    expr_text,
)
from attain.dsl import nodes as n
from attain.dsl.formatter import band_range
from attain.dsl.line_nodes import LineTable

__all__ = ["Change", "policy_changes"]


@attrs.frozen
class Change:
    """One change between two policy versions, as a sentence in policy terms.

    `name` is the statement's name (`attainment_score`, `header`, `output`),
    `kind` is added, removed or changed (of that statement), `text` the
    sentence, spans point at the old and new source (None where absent).
    """

    name: str
    kind: str
    text: str
    old_span: Span | None = None
    new_span: Span | None = None

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "text": self.text,
            "old_span": self.old_span.to_json() if self.old_span else None,
            "new_span": self.new_span.to_json() if self.new_span else None,
        }


def policy_changes(old: n.Policy, new: n.Policy) -> list[Change]:
    """Every definition change from `old` to `new`, header first, then in the new policy's order.

    Statements are matched by name; equal statements (spans and layout aside)
    are not listed. Removed statements come last, in the old policy's order.
    """
    out: list[Change] = []
    _header_changes(old.header, new.header, out)
    old_map, new_map = _statements(old), _statements(new)
    for key, new_stmt in new_map.items():
        if key == "output":
            _output_changes(old_map.get(key, ()), new_stmt, out)
        elif key not in old_map:
            out.append(_added(key, new_stmt))
        elif old_map[key] != new_stmt:
            _statement_changes(key, old_map[key], new_stmt, out)
    for key, old_stmt in old_map.items():
        if key == "output":
            if key not in new_map:
                _output_changes(old_stmt, (), out)
        elif key not in new_map:
            out.append(_removed(key, old_stmt))
    return out


def _statements(policy: n.Policy) -> dict:
    """Statements by name, in order; every `output` line is merged under the key "output"."""
    out: dict = {}
    for s in policy.statements:
        if isinstance(s, n.OutputDecl):
            out.setdefault("output", [])
            out["output"].extend(s.names)
            continue
        key = _key(s)
        base, k = key, 2
        while key in out:  # a duplicate (the checker rejects it): keep both
            key, k = f"{base}#{k}", k + 1
        out[key] = s
    if "output" in out:
        out["output"] = tuple(out["output"])
    return out


# Output lines are merged into one list and compared as such (`_output_changes`): every other
# statement class has a key and a comparison, and a class without one is an error, never a default.
_NAMED = (*(cls for cls in n.STATEMENTS if cls is not n.OutputDecl), LineTable)
_KEY = n.Dispatch("the diff's statement names", _NAMED)
_CHANGES = n.Dispatch("the diff's statement changes", _NAMED)


def _key(s) -> str:
    return _KEY(None, s)


@_KEY.on(n.Input, n.Definition, n.FlagDecl, n.Refusal, n.Table)
def _key_of_named(_, s: n.Input | n.Definition | n.FlagDecl | n.Refusal | n.Table) -> str:
    return s.name  # a refusal's name is its key, `refuse "message"`


@_KEY.on(LineTable)
def _key_of_lines(_, s: LineTable) -> str:
    return f"lines {s.name}"


@_KEY.on(n.Variants)
def _key_of_variants(_, s: n.Variants) -> str:
    return f"variants by {s.subject.id}"


def _span(node) -> Span | None:
    return getattr(node, "span", None)


# ---------------------------------------------------------------- header and outputs


_HEADER_FIELDS = (("name", "policy name"), ("version", "version"), ("effective", "effective date"),
                  ("until", "end date"), ("switch", "version switch"), ("period", "period"),
                  ("plan_year", "plan year starts"), ("gaps", "gaps"),
                  ("currency", "currency"))


def _header_changes(old: n.Header, new: n.Header, out: list) -> None:
    if old == new:
        return
    for field, words in _HEADER_FIELDS:
        a, b = _header_value(old, field), _header_value(new, field)
        if a == b:
            continue
        if a is None:
            text = f"header: {words} {b} added"
        elif b is None:
            text = f"header: {words} {a} removed"
        else:
            text = f"header: {words} {a} -> {b}"
        # the line's first words, as `lines` keeps them
        word = {"switch": "version switch", "plan_year": "plan year"}.get(field, field)
        out.append(Change("header", "changed", text, dict(old.lines).get(word, old.span),
                          dict(new.lines).get(word, new.span)))


def _header_value(h: n.Header, field: str) -> str | None:
    if field == "period":
        if h.period is None:
            return None
        return h.period + (f" ending day {h.month_ends_on}" if h.month_ends_on is not None else "")
    if field == "switch":
        if h.switch is None:
            return None
        return h.switch + (f", {h.switch_rounding[0]} {h.switch_rounding[1]}" if h.switch_rounding else "")
    value = getattr(h, field)
    if value is None:
        return None
    return f'"{value}"' if field in ("name", "version", "currency") else str(value)


def _output_changes(old: tuple, new: tuple, out: list) -> None:
    old_ids = [x.id for x in old]
    new_ids = [x.id for x in new]
    for x in new:
        if x.id not in old_ids:
            out.append(Change("output", "changed", f"output: {x.id} is now written", None, x.span))
    for x in old:
        if x.id not in new_ids:
            out.append(Change("output", "changed", f"output: {x.id} is no longer written", x.span, None))
    common_old = [i for i in old_ids if i in new_ids]
    common_new = [i for i in new_ids if i in old_ids]
    if common_old != common_new:
        out.append(Change("output", "changed",
                          f"output: order {', '.join(common_old)} -> {', '.join(common_new)}",
                          old[0].span if old else None, new[0].span if new else None))


# ---------------------------------------------------------------- whole statements


def _added(key: str, s) -> Change:
    return Change(key, "added", f"{key}: added: {describe_statement(s)}", None, _span(s))


def _removed(key: str, s) -> Change:
    return Change(key, "removed", f"{key}: removed (was {describe_statement(s)})", _span(s), None)


def _statement_changes(key: str, old, new, out: list) -> None:
    before = len(out)
    if type(old) is not type(new):
        out.append(Change(key, "changed",
                          f"{key}: {describe_statement(old)} -> {describe_statement(new)}", _span(old), _span(new)))
        return
    _CHANGES(None, old, key, new, out)
    if len(out) == before:  # unequal, but no detail found: say so rather than stay silent
        out.append(Change(key, "changed",
                          f"{key}: {describe_statement(old)} -> {describe_statement(new)}", _span(old), _span(new)))


@_CHANGES.on(n.Table)
def _table_changes(_, old: n.Table, key: str, new: n.Table, out: list) -> None:
    table_changes(key, old, new, out, lambda text, a, b: Change(key, "changed", text, a, b))


@_CHANGES.on(LineTable)
def _line_table_changes(_, old: LineTable, key: str, new: LineTable, out: list) -> None:
    """A line block's label, split rule, and each of its inputs and per-line values, as `deals.credited: ...`."""
    if old.label != new.label:
        _optional(lambda text: out.append(Change(key, "changed", f"{key}: {text}", old.span, new.span)), "label",
                  _quoted(old.label), _quoted(new.label))
    if old.split != new.split:
        out.append(Change(key, "changed", f"{key}: {describe_split(old.split)} -> {describe_split(new.split)}",
                          old.split.span if old.split else old.span, new.split.span if new.split else new.span))
    before: dict[str, n.Input | n.Definition] = {**{s.name: s for s in old.inputs}, **{s.name: s for s in old.values}}
    after: dict[str, n.Input | n.Definition] = {**{s.name: s for s in new.inputs}, **{s.name: s for s in new.values}}
    for name, s in after.items():
        inner = f"{new.name}.{name}"
        if name not in before:
            out.append(_added(inner, s))
        elif before[name] != s:
            _statement_changes(inner, before[name], s, out)
    for name, s in before.items():
        if name not in after:
            out.append(_removed(f"{old.name}.{name}", s))


@_CHANGES.on(n.Input)
def _input_changes(_, old: n.Input, key: str, new: n.Input, out: list) -> None:
    def add(text):
        out.append(Change(key, "changed", f"{key}: {text}", old.span, new.span))

    if old.type != new.type:
        add(f"type {old.type} -> {new.type}")
    _optional(add, "label", _quoted(old.label), _quoted(new.label))
    _optional(add, "written as", old.written, new.written)  # how the data's plain percents read
    old_range = f"{describe_number(old.low)} .. {describe_number(old.high)}" if old.low is not None else None
    new_range = f"{describe_number(new.low)} .. {describe_number(new.high)}" if new.low is not None else None
    if (old.low, old.high) != (new.low, new.high):
        _optional(add, "range", old_range, new_range, force=True)
    if old.choices != new.choices:
        gained = [c for c in new.choices if c not in old.choices]
        lost = [c for c in old.choices if c not in new.choices]
        if not old.choices or not new.choices or (not gained and not lost):
            _optional(add, "allowed values", _choices(old.choices), _choices(new.choices), force=True)
        else:
            for c in gained:
                add(f'value "{c}" now allowed')
            for c in lost:
                add(f'value "{c}" no longer allowed')
    if old.default != new.default:
        _optional(add, "default", expr_text(old.default) if old.default is not None else None,
                  expr_text(new.default) if new.default is not None else None, force=True)


def _optional(add, words: str, a, b, force: bool = False) -> None:
    """Report a change of an optional part: added, removed, or old -> new."""
    if a == b and not force:
        return
    if a is None:
        add(f"{words} {b} added")
    elif b is None:
        add(f"{words} {a} removed")
    else:
        add(f"{words} {a} -> {b}")


def _quoted(s: str | None) -> str | None:
    return None if s is None else f'"{s}"'


def _choices(choices: tuple) -> str | None:
    return ("one of " + ", ".join(f'"{c}"' for c in choices)) if choices else None


@_CHANGES.on(n.Definition)
def _whole_definition_changes(_, old: n.Definition, key: str, new: n.Definition, out: list) -> None:
    _definition_changes(key, key, old, new, out)


@_CHANGES.on(n.Refusal)
def _refusal_changes(_, old: n.Refusal, key: str, new: n.Refusal, out: list) -> None:
    if old.condition != new.condition:
        out.append(Change(key, "changed", f"{key}: when {expr_text(old.condition)} -> {expr_text(new.condition)}",
                          old.span, new.span))


@_CHANGES.on(n.FlagDecl)
def _flag_changes(_, old: n.FlagDecl, key: str, new: n.FlagDecl, out: list) -> None:
    def add(text):
        out.append(Change(key, "changed", f"{key}: {text}", old.span, new.span))

    _optional(add, "label", _quoted(old.label), _quoted(new.label))
    if old.condition != new.condition:
        add(f"flag condition {expr_text(old.condition)} -> {expr_text(new.condition)}")


@_CHANGES.on(n.Variants)
def _variants_changes(_, old: n.Variants, key: str, new: n.Variants, out: list) -> None:
    subject = new.subject.id
    old_cases = {c.keys: c for c in old.cases}
    new_cases = {c.keys: c for c in new.cases}
    for keys, case in new_cases.items():
        if keys not in old_cases:
            out.append(Change(key, "changed", f"{key}: case {describe_case(case)} added, defining "
                              + ", ".join(d.name for d in case.definitions), None, case.span))
            continue
        before = old_cases[keys]
        if before == case:
            continue
        where = f"for {subject} {describe_case(case)}"
        old_defs = {d.name: d for d in before.definitions}
        new_defs = {d.name: d for d in case.definitions}
        for name, d in new_defs.items():
            if name not in old_defs:
                out.append(Change(name, "added", f"{name} {where}: added: {describe_definition(d)}",
                                  before.span, d.span))
            elif old_defs[name] != d:
                _definition_changes(name, f"{name} {where}", old_defs[name], d, out)
        for name, d in old_defs.items():
            if name not in new_defs:
                out.append(Change(name, "removed", f"{name} {where}: removed (was {describe_definition(d)})",
                                  d.span, case.span))
    for keys, case in old_cases.items():
        if keys not in new_cases:
            out.append(Change(key, "changed", f"{key}: case {describe_case(case)} removed", case.span, None))


# ---------------------------------------------------------------- definitions


def _definition_changes(key: str, label: str, old: n.Definition, new: n.Definition, out: list) -> None:
    def add(text, old_span=None, new_span=None):
        out.append(Change(key, "changed", f"{label}: {text}", old_span or old.span, new_span or new.span))

    if old.payout != new.payout:
        add("now a payout" if new.payout else "no longer a payout")
    a, b = old.body, new.body
    if a != b:
        if type(a) is not type(b) or not isinstance(a, _ROWED):
            if isinstance(a, _ROWED) or isinstance(b, _ROWED):
                add(f"{describe_body(a)} -> {describe_body(b)}")
            else:
                add(f"formula {expr_text(a)} -> {expr_text(b)}")
        else:
            before = len(out)
            _TABLE_CHANGES[type(a)](a, b, add)
            if len(out) == before:
                add(f"{describe_body(a)} -> {describe_body(b)}")
    if old.gate != new.gate:
        _optional(add, "condition unless", expr_text(old.gate) if old.gate is not None else None,
                  expr_text(new.gate) if new.gate is not None else None, force=True)


_ROWED = (n.Band, n.Lookup, n.Weighted, n.Tiers, n.Brackets, n.Curve)  # blocks compared row by row


def _pair_rows(old_rows, new_rows, key):
    """Match rows by key: (pairs, only_old, only_new), each list in source order."""
    unmatched = list(new_rows)
    pairs, only_old = [], []
    for r in old_rows:
        k = key(r)
        match = next((x for x in unmatched if key(x) == k), None)
        if match is None:
            only_old.append(r)
        else:
            unmatched.remove(match)
            pairs.append((r, match))
    return pairs, only_old, unmatched


def _order_changed(old_rows, new_rows, key) -> tuple[list, list] | None:
    """The shared keys in old and new order, when they differ."""
    new_keys = [key(r) for r in new_rows]
    old_keys = [key(r) for r in old_rows]
    a = [k for k in old_keys if k in new_keys]
    b = [k for k in new_keys if k in old_keys]
    return (a, b) if a != b else None


# -- bands and brackets


def _row_changes(old_rows, new_rows, key, result, where, row_text, what: str, gives: str, moved: str, add) -> None:
    """Row-level changes of a band or a bracket table: results changed, rows moved, added, removed.

    Rows pair by `key` (their range); a row whose range moved but whose result stayed is one
    change, not a removal and an addition.
    """
    pairs, gone, came = _pair_rows(old_rows, new_rows, key)
    for a, b in pairs:
        if result(a) != result(b):
            add(f"{what} {where(b)} now {gives} {expr_text(result(b))} instead of {expr_text(result(a))}",
                a.span, b.span)
    for a in list(gone):
        b = next((x for x in came if result(x) == result(a)), None)
        if b is not None:
            gone.remove(a)
            came.remove(b)
            add(f"{what} {row_text(a)} now {moved}{where(b)}", a.span, b.span)
    for b in came:
        add(f"{what} {row_text(b)} added", None, b.span)
    for a in gone:
        add(f"{what} {row_text(a)} removed", a.span, None)


def _band_changes(old: n.Band, new: n.Band, add) -> None:
    if old.subject != new.subject:
        add(f"band over {expr_text(old.subject)} -> over {expr_text(new.subject)}")
    _row_changes(old.rows, new.rows, lambda r: r.interval(), lambda r: r.result, band_range, describe_band_row,
                 "band row", "gives", "covers ", add)


# -- lookups


def _lookup_changes(old: n.Lookup, new: n.Lookup, add) -> None:
    if old.subject != new.subject:
        add(f"lookup by {expr_text(old.subject)} -> by {expr_text(new.subject)}")
    pairs, gone, came = _pair_rows(old.rows, new.rows, lambda r: r.key)
    for a, b in pairs:
        if a.result != b.result:
            add(f"{describe_lookup_key(b)} now gives {expr_text(b.result)} instead of {expr_text(a.result)}",
                a.span, b.span)
    for b in came:
        add(f"{describe_lookup_row(b)} added", None, b.span)
    for a in gone:
        add(f"{describe_lookup_row(a)} removed", a.span, None)


# -- weighted scorecards


def _weighted_changes(old: n.Weighted, new: n.Weighted, add) -> None:
    pairs, gone, came = _pair_rows(old.rows, new.rows, lambda r: r.name.id)
    for a, b in pairs:
        if a.weight != b.weight:
            add(f"weight of {b.name.id} {describe_number(a.weight)} -> {describe_number(b.weight)}", a.span, b.span)
    for b in came:
        add(f"{b.name.id} added at {describe_number(b.weight)}", None, b.span)
    for a in gone:
        add(f"{a.name.id} removed (was {describe_number(a.weight)})", a.span, None)


# -- tiers


def _prefixed(add: Callable[..., None], prefix: str, old_span: Span | None,
              new_span: Span | None) -> Callable[[str], None]:
    """`add` for one row: each sentence starts with `prefix` and points at that row."""
    return lambda text: add(prefix + text, old_span, new_span)


def _tier_changes(old: n.Tiers, new: n.Tiers, add) -> None:
    order = _order_changed(old.rows, new.rows, lambda r: r.name)
    if order:
        add(f"tier order {', '.join(order[0])} -> {', '.join(order[1])} (the first tier that matches counts)",
            old.span, new.span)
    pairs, gone, came = _pair_rows(old.rows, new.rows, lambda r: r.name)
    for a, b in pairs:
        where = f"tier {b.name}"
        if a.label != b.label:
            _optional(_prefixed(add, f"{where}: ", a.span, b.span), "label", _quoted(a.label), _quoted(b.label))
        if a.condition != b.condition:
            ca = "otherwise" if a.condition is None else expr_text(a.condition)
            cb = "otherwise" if b.condition is None else expr_text(b.condition)
            add(f"{where}: condition {ca} -> {cb}", a.span, b.span)
        rpairs, rgone, rcame = _pair_rows(a.results, b.results, lambda r: r.name)
        for ra, rb in rpairs:
            if ra.value != rb.value:
                add(f"{where}: {rb.name} {expr_text(ra.value)} -> {expr_text(rb.value)}", ra.span, rb.span)
        for rb in rcame:
            add(f"{where}: {rb.name} {expr_text(rb.value)} added", a.span, rb.span)
        for ra in rgone:
            add(f"{where}: {ra.name} {expr_text(ra.value)} removed", ra.span, b.span)
    for b in came:
        position = new.rows.index(b) + 1
        add(f"tier {describe_tier_row(b)} added at position {position} of {len(new.rows)}", None, b.span)
    for a in gone:
        add(f"tier {describe_tier_row(a)} removed", a.span, None)


# -- brackets

_BRACKET_KINDS = {
    "marginal": "marginal (each part of the amount at its own rate)",
    "retroactive": "retroactive (the whole amount at the rate of the bracket reached)",
}


def _bracket_changes(old: n.Brackets, new: n.Brackets, add) -> None:
    if old.kind != new.kind:
        add(f"now {_BRACKET_KINDS.get(new.kind, new.kind)} instead of {_BRACKET_KINDS.get(old.kind, old.kind)}")
    if old.amount != new.amount:
        add(f"amount {expr_text(old.amount)} -> {expr_text(new.amount)}")
    if old.base != new.base:
        if old.base is None:
            add(f"bounds now relative to {expr_text(new.base)} (were amounts)")
        elif new.base is None:
            add(f"bounds no longer relative to {expr_text(old.base)} (now amounts)")
        else:
            add(f"bounds relative to {expr_text(old.base)} -> {expr_text(new.base)}")
    _row_changes(old.rows, new.rows, lambda r: None if r.upto is None else (r.upto.value, r.including),
                 lambda r: r.rate,
                 describe_bracket_bound, describe_bracket_row, "bracket", "at", "", add)


# Row-level comparers by kind of table; each takes (old, new, add) of that kind.
_TABLE_CHANGES: dict[type, Callable[..., None]] = {
    n.Band: _band_changes, n.Lookup: _lookup_changes, n.Weighted: _weighted_changes,
    n.Tiers: _tier_changes, n.Brackets: _bracket_changes, n.Curve: curve_changes,
}
