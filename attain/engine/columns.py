"""Columns, as binding starts: a data table's headers -> the column each input reads.

An input reads the column with its name or its label. When no column has either,
a header that says the same once spaces and line breaks, full-width forms, case
and a unit in brackets are set aside (`回款率（%）`, `销售额\\n目标`, `Sales Target`)
is read, with a warning that names both; when two such headers fit, attain asks
which. A unit that scales the values (万元, 千元, k) is never set aside: 50 in a
column of 万元 is 500,000 yuan, and attain does not rescale data.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.engine.plan import Plan
from attain.i18n.messages import joined, say
from attain.io import Table
from attain.io.parquet import refuse_reads

# A unit in brackets at the end of a header: (%) (元) (万元) [k] 【人】, after NFKC.
_UNIT = re.compile(r"(.+?)[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]")
# A unit that multiplies the values: 万元, 千元, 百万, 亿; k, 000s, thousand, million, m, bn.
_SCALE = re.compile(r"[十百千万萬亿億]|(k|'?000s?|thousands?|millions?|mn|m|bn|billions?)(?![a-z])")


def normal(header: str) -> str:
    """A header as matching sees it: NFKC (full-width to half-width), case folded, no spaces, line breaks or _."""
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", header).casefold())


def split_unit(text: str) -> tuple[str, str | None]:
    """A normalised header's name and the unit in brackets at its end (or None)."""
    m = _UNIT.fullmatch(text)
    return (m[1], m[2]) if m else (text, None)


def is_scale(unit: str | None) -> bool:
    return unit is not None and _SCALE.match(unit) is not None


def shown(column: str) -> str:
    """A column name quoted for a message, its line breaks written as \\n so the message stays on one line."""
    return "'" + column.replace("\r", "\\r").replace("\n", "\\n") + "'"


def input_columns(plan: Plan, table: Table, taken: set[str]) -> tuple[dict[str, str], list[Diagnostic]]:
    """The column each input reads (absent: its default), and the warnings for near names.

    `taken` are the columns that name the employee or the period, which no input reads.
    Raises AttainError for a required input without a column, a header that fits two
    ways, and a unit that would scale the values.
    """
    positions = {c: i + 1 for i, c in enumerate(table.columns)}
    columns: dict[str, str] = {}
    for name in plan.inputs:
        label = plan.model.inputs[name].label
        if name in positions:
            columns[name] = name
        elif label and label in positions:
            columns[name] = label
    free = [c for c in table.columns if c not in taken and c not in columns.values()]
    keyed = {c: split_unit(normal(c)) for c in free}
    near: dict[str, str] = {}  # input -> the column it reads by a near name
    diags: list[Diagnostic] = []
    unmatched = []
    for name in plan.inputs:
        if name in columns:
            continue
        keys = _keys(plan, name)
        fits, scaled = _fits(keys, keyed)
        wanted = _wanted(plan, name)
        if len(fits) > 1:
            diags.append(Diagnostic(
                "D433", say("D433", n=len(fits), wanted=wanted, columns=joined(map(shown, fits))),
                _header_span(table, positions, fits[1]), label=say("D433.label"), hint=say("D433.hint")))
        elif fits:
            near[name] = fits[0]
        elif scaled:
            column, unit = scaled[0]
            diags.append(Diagnostic(
                "D434", say("D434", column=shown(column), wanted=wanted, unit=unit),
                _header_span(table, positions, column), label=say("D434.label", unit=unit),
                hint=say("D434.hint", unit=unit, name=_plain_name(plan, name))))
        else:
            unmatched.append(name)
    diags += _claimed_twice(table, positions, near)
    columns.update(near)
    unused = [c for c in free if c not in near.values()]
    for name in unmatched:
        if plan.model.inputs[name].default is None:
            diags.append(_no_column(plan, table, name, unused))
    if any(d.is_error for d in diags):
        raise AttainError(diags)
    if table.refused:  # a Parquet column of floats (or of another type with no exact text) is read by nothing
        refuse_reads(table, columns, {c for c in taken if c in positions})
    warnings = [_near_warning(plan, table, positions, name, column) for name, column in near.items()]
    return columns, warnings


def _keys(plan: Plan, name: str) -> list[tuple[str, str | None]]:
    label = plan.model.inputs[name].label
    return [split_unit(normal(k)) for k in (name, label) if k]


def _fits(keys, keyed) -> tuple[list[str], list[tuple[str, str]]]:
    """The headers that say an input's name or label (same unit, or a unit that does not scale), and the
    headers that would, but for a unit that scales the values."""
    fits, scaled = [], []
    for column, (base, unit) in keyed.items():
        for key_base, key_unit in keys:
            if base != key_base:
                continue
            if unit != key_unit and (is_scale(unit) or is_scale(key_unit)):
                scaled.append((column, unit or key_unit))
            else:
                fits.append(column)
            break
    return fits, scaled


def _claimed_twice(table: Table, positions: dict, near: dict[str, str]) -> list[Diagnostic]:
    by_column: dict[str, list[str]] = {}
    for name, column in near.items():
        by_column.setdefault(column, []).append(name)
    return [Diagnostic("D433", say("D433.twice", column=shown(column), names=joined((f"'{n}'" for n in names), "and")),
                       _header_span(table, positions, column), hint=say("D433.twice_hint"))
            for column, names in by_column.items() if len(names) > 1]


def _wanted(plan: Plan, name: str) -> str:
    label = plan.model.inputs[name].label
    return say("D411.or", name=name, label=label) if label else f"'{name}'"


def _plain_name(plan: Plan, name: str) -> str:
    return plan.model.inputs[name].label or name


def _header_span(table: Table, positions: dict, column: str) -> Span:
    col = positions[column]
    return Span(table.file, 1, col, 1, col + 1)


def _no_column(plan: Plan, table: Table, name: str, unused: list[str]) -> Diagnostic:
    """D411, with the nearest unused header (by normalised name) and the headers no input reads."""
    bases = {split_unit(normal(c))[0]: c for c in reversed(unused)}
    close = None
    for key_base, _unit in _keys(plan, name):
        found = difflib.get_close_matches(key_base, list(bases), n=1)
        if found:
            close = bases[found[0]]
            break
    hint = say("D411.mean", close=shown(close)) if close else say("D411.add")
    if unused:
        hint = say("D411.unused", hint=hint, columns=joined(map(shown, unused)))
    return Diagnostic("D411", say("D411", wanted=_wanted(plan, name)), Span(table.file, 1, 1, 1, 2), hint=hint)


def _near_warning(plan: Plan, table: Table, positions: dict, name: str, column: str) -> Diagnostic:
    said = _plain_name(plan, name)
    unit = split_unit(normal(column))[1]
    aside = say("D432.aside_unit", unit=unit) if unit else say("D432.aside")
    return Diagnostic(
        "D432", say("D432", name=name, column=shown(column), said=said, aside=aside),
        _header_span(table, positions, column), severity="warning", label=say("D432.label", said=said),
        hint=say("D432.hint", said=said))
