"""Wording: policy nodes -> one line of policy text each, the phrases that change sentences quote.

Expressions print as `attain fmt` prints them; blocks (bands, lookups, weights,
tiers, brackets) print as a one-line summary of their rows.
"""

from __future__ import annotations

from attain.diff.table_changes import describe_curve, describe_table
from attain.dsl import nodes as n
from attain.dsl.formatter import band_range
from attain.dsl.formatter import expr as format_expr
from attain.dsl.line_nodes import LineTable, SplitRule
from attain.io import format_number

__all__ = [
    "describe_band_row",
    "describe_body",
    "describe_bracket_bound",
    "describe_bracket_row",
    "describe_case",
    "describe_definition",
    "describe_lookup_key",
    "describe_lookup_row",
    "describe_number",
    "describe_statement",
    "describe_tier_row",
    "expr_text",
]


def expr_text(node) -> str:
    """An expression as one line of policy text, printed as `attain fmt` prints it; a block as a summary."""
    match node:
        case None:
            return ""
        case n.Choice(subject=s, branches=branches):
            return f"by {s.id}: " + "; ".join(
                ("else" if keys is None else ", ".join(f'"{k}"' for k in keys)) + " -> " + describe_definition(d)
                for keys, d in branches)
        case n.Band() | n.Lookup() | n.Weighted() | n.Tiers() | n.Brackets() | n.Curve():
            return describe_body(node)
    return format_expr(node)


def describe_number(x: n.Number | None) -> str:
    if x is None:
        return ""
    if x.text:
        return x.text
    if x.percent:
        return format_number(x.value * 100) + "%"
    return format_number(x.value)


# Every statement but the output lines, which diff compares as one list of names.
_DESCRIBE = n.Dispatch("the diff's statement wording",
                       (*(cls for cls in n.STATEMENTS if cls is not n.OutputDecl), LineTable))


def describe_statement(s) -> str:
    return _DESCRIBE(None, s)


@_DESCRIBE.on(n.Input)
def _describe_input_statement(_, s: n.Input) -> str:
    return "input " + _describe_input(s)


@_DESCRIBE.on(n.Definition)
def _describe_definition_statement(_, s: n.Definition) -> str:
    return ("payout " if s.payout else "") + describe_definition(s)


@_DESCRIBE.on(n.FlagDecl)
def _describe_flag(_, s: n.FlagDecl) -> str:
    return "flag" + (f' "{s.label}"' if s.label else "") + f" when {expr_text(s.condition)}"


@_DESCRIBE.on(n.Refusal)
def _describe_refusal(_, s: n.Refusal) -> str:
    return f"when {expr_text(s.condition)}"  # its key already reads `refuse "message"`


@_DESCRIBE.on(n.Variants)
def _describe_variants(_, s: n.Variants) -> str:
    return f"variants by {s.subject.id}: " + "; ".join(
        f"{describe_case(c)} defines {', '.join(d.name for d in c.definitions)}" for c in s.cases)


@_DESCRIBE.on(LineTable)
def _describe_line_table(_, s: LineTable) -> str:
    parts = [f"{len(s.inputs)} inputs", "values " + ", ".join(d.name for d in s.values) if s.values else "no values"]
    return (f'"{s.label}" ' if s.label else "") + "line table: " + ", ".join(parts) + (
        f", {describe_split(s.split)}" if s.split is not None else "")


def describe_split(split: SplitRule | None) -> str:
    if split is None:
        return "no split rule"
    return f"split {split.share} per {split.per}" + (
        f", overlay when {expr_text(split.overlay)}" if split.overlay is not None else "")


@_DESCRIBE.on(n.Table)
def _describe_table_statement(_, s: n.Table) -> str:
    return describe_table(s)


def _describe_input(s: n.Input) -> str:
    parts = [s.type]
    if s.label:
        parts.append(f'"{s.label}"')
    if s.low is not None:
        parts.append(f"in {describe_number(s.low)} .. {describe_number(s.high)}")
    if s.choices:
        parts.append("one of " + ", ".join(f'"{c}"' for c in s.choices))
    if s.default is not None:
        parts.append(f"default {expr_text(s.default)}")
    return " ".join(parts)


def describe_definition(d: n.Definition) -> str:
    text = describe_body(d.body)
    return text + (f" unless {expr_text(d.gate)}" if d.gate is not None else "")


def describe_body(body) -> str:
    if isinstance(body, n.Band):
        return f"band over {expr_text(body.subject)}: " + "; ".join(describe_band_row(r) for r in body.rows)
    if isinstance(body, n.Lookup):
        return f"lookup by {expr_text(body.subject)}: " + "; ".join(describe_lookup_row(r) for r in body.rows)
    if isinstance(body, n.Weighted):
        return "weighted: " + ", ".join(f"{r.name.id} {describe_number(r.weight)}" for r in body.rows)
    if isinstance(body, n.Tiers):
        return "first match: " + "; ".join(describe_tier_row(r) for r in body.rows)
    if isinstance(body, n.Brackets):
        return _describe_brackets_head(body) + ": " + "; ".join(describe_bracket_row(r) for r in body.rows)
    if isinstance(body, n.Curve):
        return describe_curve(body)
    return "formula " + expr_text(body)


def describe_case(case: n.VariantCase) -> str:
    return "else" if case.keys is None else ", ".join(f'"{k}"' for k in case.keys)


def describe_band_row(row: n.BandRow) -> str:
    return f"{band_range(row)} -> {expr_text(row.result)}"


def describe_lookup_key(row: n.LookupRow) -> str:
    return "else" if row.key is None else f'"{row.key}"'


def describe_lookup_row(row: n.LookupRow) -> str:
    return f"{describe_lookup_key(row)} -> {expr_text(row.result)}"


def _describe_tier_results(results) -> str:
    return ", ".join(f"{r.name} {expr_text(r.value)}" for r in results)


def describe_tier_row(row: n.TierRow) -> str:
    head = row.name + (f' "{row.label}"' if row.label else "")
    cond = "otherwise" if row.condition is None else expr_text(row.condition)
    results = _describe_tier_results(row.results)
    return f"{head}: {cond}" + (f" -> {results}" if results else "")


def _describe_brackets_head(b: n.Brackets) -> str:
    return f"{b.kind} {expr_text(b.amount)}" + (f" relative to {expr_text(b.base)}" if b.base is not None else "")


def describe_bracket_bound(row: n.BracketRow) -> str:
    return "above" if row.upto is None else f"{row.words} {describe_number(row.upto)}"


def describe_bracket_row(row: n.BracketRow) -> str:
    return f"{describe_bracket_bound(row)} at {expr_text(row.rate)}"
