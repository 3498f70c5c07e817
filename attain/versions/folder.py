"""Versions, checking: what only a folder of versions can get wrong, found from the versions' headers and outputs.

Each version is checked on its own by the checker; a folder adds what no version can
see alone: a version without `effective` among several (C251), different period kinds
(C252), outputs that days cannot prorate when the folder prorates (C254), different
`version switch` rules (C255), versions whose dates overlap (C256) or leave days that
no version covers (C257), different currencies (C258) and plan years starting in different months (C293).
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
from attain.i18n.messages import joined, say

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
        found += [Diagnostic("C251", say("C251", file=t.file), t.header.span, hint=say("C251.hint"))
                  for t in undated]
    kinds = {v.tree.header.period for v in ordered}
    if len(kinds) > 1:
        kinds_of = joined(say("C252.kind", name=_name(v.tree), kind=v.tree.header.period or say("C252.none"))
                          for v in ordered)
        found.append(Diagnostic("C252", say("C252", folder=folder, kinds=kinds_of), _line(ordered[-1].tree, "period"),
                                hint=say("C252.hint")))
    found += _switch_findings(folder, ordered)
    if not undated:
        found += _date_findings(ordered)
    found += _currency_findings(folder, ordered)
    found += _plan_year_findings(folder, ordered)
    return found


def _switch_findings(folder: str, ordered: Sequence[Version]) -> list[Diagnostic]:
    """C255 for different `version switch` rules; C254 for outputs a prorating folder cannot weight."""
    stated = [v.tree for v in ordered if v.tree.header.switch]
    rules = {(t.header.switch, t.header.switch_rounding[1] if t.header.switch_rounding else None) for t in stated}
    if len(rules) > 1:
        return [Diagnostic(
            "C255", say("C255", folder=folder, rules=joined(
                (say("C255.rule", name=_name(t), switch=t.header.switch,
                     rounded=say("C255.rounded", step=t.header.switch_rounding[1]) if t.header.switch_rounding else "")
                 for t in stated), "; ")),
            _line(stated[-1], "version switch"), hint=say("C255.hint"))]
    if not rules or next(iter(rules))[0] != "prorated by days":
        return []
    found = []
    for v in ordered:
        if v.tree.header.switch:  # its own checker reports its outputs (C254), with the policy alone
            continue
        refused = [say("C254.item", name=name, type=str(t)) for name, t in v.outputs.items()
                   if t.kind not in PRORATED_TYPES]
        if refused:
            found.append(Diagnostic(
                "C254", say("C254.versions", folder=folder, file=_name(v.tree), outputs=joined(refused)),
                v.tree.header.span, hint=say("C254.versions_hint")))
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
                "C256", say("C256.same", before=_name(before.tree), after=_name(after.tree), date=b.effective),
                _line(after.tree, "effective"), hint=say("C256.same_hint")))
        elif until is not None and until >= start:
            found.append(Diagnostic(
                "C256", say("C256", before=_name(before.tree), until=a.until, after=_name(after.tree),
                            effective=b.effective, last=min(until, _date(b.until) or until)),
                _line(before.tree, "until"), hint=say("C256.hint", before=_name(before.tree), end=start - ONE_DAY)))
        elif until is not None and until + ONE_DAY < start:
            found.append(Diagnostic(
                "C257", say("C257", first=until + ONE_DAY, last=start - ONE_DAY, before=_name(before.tree),
                            until=a.until, after=_name(after.tree), effective=b.effective),
                _line(before.tree, "until"), hint=say("C257.hint", before=_name(before.tree), end=start - ONE_DAY)))
    return found


def _currency_findings(folder: str, ordered: Sequence[Version]) -> list[Diagnostic]:
    """C258 when versions declare currencies that are not one currency."""
    declared = [v.tree for v in ordered if getattr(v.tree.header, "currency", None)]
    codes = [currency_codes(t.header.currency) for t in declared]
    common = set.intersection(*map(set, codes)) if codes else set()
    if len(declared) < 2 or common:
        return []
    return [Diagnostic(
        "C258", say("C258", folder=folder, currencies=joined((f'{_name(t)}: "{t.header.currency}"' for t in declared),
                                                             "; ")),
        _line(declared[-1], "currency"), hint=say("C258.hint"))]


def _plan_year_findings(folder: str, ordered: Sequence[Version]) -> list[Diagnostic]:
    """C293 when versions start their plan years in different months."""
    starts = [(v.tree, (v.tree.header.plan_year or "January").title()) for v in ordered]
    if len({start for _tree, start in starts}) < 2:
        return []
    return [Diagnostic("C293", say("C293.folder", folder=folder,
                                   starts=joined((f"{_name(t)}: {start}" for t, start in starts), "; ")),
                       _line(starts[-1][0], "plan year"), hint=say("C293.folder_hint"))]
