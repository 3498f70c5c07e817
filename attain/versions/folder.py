"""Versions, checking: what only a folder of versions can get wrong, found from the versions' headers and outputs.

Each version is checked on its own by the checker; a folder adds what no version can
see alone: a version without `effective` among several (C251), different period kinds
(C252), outputs that days cannot prorate when the folder prorates (C254), different
`version switch` rules (C255), versions whose dates overlap (C256) or leave days that
no version covers (C257), and different currencies (C258).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from pathlib import Path

import attrs

from attain.diagnostics import Diagnostic, Span
from attain.dsl import nodes
from attain.dsl.builtins import PRORATED_TYPES, currency_codes
from attain.dsl.types import Type

ONE_DAY = datetime.timedelta(days=1)


@attrs.frozen
class Version:
    """One version as a folder sees it: its syntax tree, and the types of its outputs (when it checks)."""

    tree: nodes.Policy
    outputs: dict[str, Type] = attrs.field(factory=dict)  # output name -> type


def _name(tree: nodes.Policy) -> str:
    return Path(tree.file).name


def version_name(tree: nodes.Policy) -> str:
    """A version as results and explanations name it: its `version`, else its file."""
    return tree.header.version or tree.file


def _line(tree: nodes.Policy, word: str) -> Span | None:
    """The span of a header line (its last one), else the header's."""
    return next((span for w, span in reversed(tree.header.lines) if w == word), tree.header.span)


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def folder_findings(folder: str, versions: Sequence[Version]) -> list[Diagnostic]:
    """Every problem of a folder of versions (not of one version alone), in the order of their dates."""
    found: list[Diagnostic] = []
    ordered = sorted(versions, key=lambda v: v.tree.header.effective or "")
    undated = [v.tree for v in ordered if not v.tree.header.effective]
    if len(ordered) > 1:
        found += [Diagnostic("C251", f"{t.file} has no `effective` date, so attain cannot tell when it applies "
                             "among the versions in its folder", t.header.span, hint="add `effective YYYY-MM-DD`")
                  for t in undated]
    kinds = {v.tree.header.period for v in ordered}
    if len(kinds) > 1:
        found.append(Diagnostic("C252", f"versions in {folder} have different period kinds: "
                                + ", ".join(f"{_name(v.tree)}: {v.tree.header.period or 'none'}" for v in ordered),
                                _line(ordered[-1].tree, "period"),
                                hint="a folder computes one kind of period; give every version the same `period`"))
    found += _switch_findings(folder, ordered)
    if not undated:
        found += _date_findings(ordered)
    found += _currency_findings(folder, ordered)
    return found


def _switch_findings(folder: str, ordered: Sequence[Version]) -> list[Diagnostic]:
    """C255 for different `version switch` rules; C254 for outputs a prorating folder cannot weight."""
    stated = [v.tree for v in ordered if v.tree.header.switch]
    rules = {(t.header.switch, t.header.switch_rounding[1] if t.header.switch_rounding else None) for t in stated}
    if len(rules) > 1:
        return [Diagnostic(
            "C255", f"the versions in {folder} state different `version switch` rules: "
            + "; ".join(f"{_name(t)}: {t.header.switch}" + (f", rounded to {t.header.switch_rounding[1]}"
                                                             if t.header.switch_rounding else "") for t in stated),
            _line(stated[-1], "version switch"), hint="state one rule, the same in each version that states it")]
    if not rules or next(iter(rules))[0] != "prorated by days":
        return []
    found = []
    for v in ordered:
        if v.tree.header.switch:  # its own checker reports its outputs (C254), with the policy alone
            continue
        refused = [f"'{name}' ({t})" for name, t in v.outputs.items() if t.kind not in PRORATED_TYPES]
        if refused:
            found.append(Diagnostic(
                "C254", f"the versions in {folder} are prorated by days, but {_name(v.tree)} outputs "
                + ", ".join(refused) + ", which days cannot prorate", v.tree.header.span,
                hint="keep those values out of the outputs of every version, or compute such periods by one "
                "version (`version switch on last day`)"))
    return found


def _date_findings(ordered: Sequence[Version]) -> list[Diagnostic]:
    """C256 where two versions are in force on the same day, C257 where no version is between two of them."""
    found = []
    for before, after in itertools.pairwise(ordered):
        a, b = before.tree.header, after.tree.header
        start = _date(b.effective)
        until = _date(a.until)
        assert start is not None  # only dated versions reach here
        if a.effective == b.effective:
            found.append(Diagnostic(
                "C256", f"{_name(before.tree)} and {_name(after.tree)} both take effect on {b.effective}",
                _line(after.tree, "effective"),
                hint="give each version its own `effective` date: attain does not choose between them"))
        elif until is not None and until >= start:
            found.append(Diagnostic(
                "C256", f"{_name(before.tree)} is in force until {a.until}, but {_name(after.tree)} takes effect "
                f"on {b.effective}: from {b.effective} to {min(until, _date(b.until) or until)} both are",
                _line(before.tree, "until"),
                hint=f"end {_name(before.tree)} on {start - ONE_DAY} (or leave out its `until`: a version ends the "
                "day before the next one starts), or move the next one's `effective`"))
        elif until is not None and until + ONE_DAY < start:
            found.append(Diagnostic(
                "C257", f"no version is in force from {until + ONE_DAY} to {start - ONE_DAY}: "
                f"{_name(before.tree)} ends on {a.until} and {_name(after.tree)} takes effect on {b.effective}",
                _line(before.tree, "until"),
                hint=f"end {_name(before.tree)} on {start - ONE_DAY} (or leave out its `until`), or add a version "
                "for those days"))
    return found


def _currency_findings(folder: str, ordered: Sequence[Version]) -> list[Diagnostic]:
    """C258 when versions declare currencies that are not one currency."""
    declared = [v.tree for v in ordered if getattr(v.tree.header, "currency", None)]
    codes = [currency_codes(t.header.currency) for t in declared]
    common = set.intersection(*map(set, codes)) if codes else set()
    if len(declared) < 2 or common:
        return []
    return [Diagnostic(
        "C258", f"the versions in {folder} declare different currencies: "
        + "; ".join(f'{_name(t)}: "{t.header.currency}"' for t in declared), _line(declared[-1], "currency"),
        hint="a policy pays in one currency: declare the same one in each version")]
