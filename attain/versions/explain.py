"""Versions, explaining: one employee's period in a folder of versions, by the version (or versions) that computed it.

A period within one version's days is that version's explanation, titled with the version.
A period prorated between versions (`version switch prorated by days`) shows first each
value as the folder gives it, the day-weighted mean written out with each version's value
and days, then every version's own explanation of the period, with its days.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from attain.api import Explanation, Policy
from attain.diagnostics import AttainError
from attain.engine.trace import Trace
from attain.engine.wording import display
from attain.exact import decimal_places
from attain.explain.json_document import SCHEMA, to_dict
from attain.explain.text import render_text
from attain.i18n.messages import localize, say
from attain.io import Table, read_table
from attain.subjects import record_of
from attain.versions.folder import version_name
from attain.versions.prorate import prorate

if TYPE_CHECKING:
    from attain.versions import Versions


UNPRORATED = say("x.unprorated")


@attrs.frozen
class Part:
    """One version's explanation of the period, and the days of the period it was in force."""

    version: Policy
    days: int
    explanation: Explanation


@attrs.frozen
class VersionsExplanation:
    """The derivation of one employee's values in a folder of versions: the folder's values, then each
    version's explanation (one part, or one per version a prorated period is weighted over)."""

    who: str
    folder: str
    period: str | None
    roots: tuple[Trace, ...]  # the values as the folder's results give them
    parts: tuple[Part, ...]

    @property
    def prorated(self) -> bool:
        return len(self.parts) > 1

    def _title(self, part: Part, lang: str) -> str:
        name = version_name(part.version.tree)
        total = sum(p.days for p in self.parts)
        days = say("x.version_days", days=part.days, total=total) if self.prorated else ""
        title = localize(say("x.version_title", name=name, file=part.version.tree.file, days=days), lang)
        return (f"{self.period} · " if self.period else "") + title

    def text(self, lang: str = "en") -> str:
        out = []
        if self.prorated:
            # A value that is not an output has no prorated value: each version's own is below.
            text = render_text([r for r in self.roots if r.formula != UNPRORATED], self.who, self.period, lang)
            text += "".join(f"{r.name}: {localize(UNPRORATED, lang)}\n" for r in self.roots if r.formula == UNPRORATED)
            out.append(text)
        for part in self.parts:
            out.append(render_text(list(part.explanation.roots), self.who, self._title(part, lang), lang))
        return "\n".join(out)

    def json(self, lang: str = "en") -> str:
        doc = {
            "schema": SCHEMA,
            "policy": self.folder,
            "employee": self.who,
            "period": self.period,
            "values": [to_dict(r, lang) for r in self.roots],
            "versions": [{"version": version_name(p.version.tree), "policy": p.version.tree.file, "days": p.days,
                          "values": [to_dict(r, lang) for r in p.explanation.roots]} for p in self.parts],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def explain_versions(versions: Versions, data, who: str, value: str | None = None, id_column: str | None = None,
                     period: str | None = None, allow_ids=(), engine: str = "python") -> VersionsExplanation:
    """How one employee's values (or one value) came about in `period` (else their latest), by the version or
    versions in force; raise `AttainError` where `Policy.explain` would, and E321 for a period no version computes."""
    table = data if isinstance(data, Table) else read_table(data)
    latest = versions.policies[-1]
    record = record_of(latest, latest.bind(table, id_column, engine, allow_ids), who, period)
    shares = versions.shares(record.period)
    if not shares and record.period is not None:  # without periods the latest version computes the row
        raise AttainError([versions._uncovered(record.period, table, id_column, allow_ids)])
    label = str(record.period) if record.period is not None else None
    if value is not None and not any(_knows(p, value) for p, _ in shares):
        # No version in force knows it: U511 from the one in force, with its "did you mean".
        shares[-1][0].explain(table, who, value, id_column, label, allow_ids, engine)
    parts = []
    for policy, days in shares:
        if value is not None and not _knows(policy, value):
            continue
        parts.append(Part(policy, days, policy.explain(table, who, value, id_column, label, allow_ids, engine)))
    if len(shares) == 1:
        return VersionsExplanation(who, versions.folder, label, parts[0].explanation.roots, tuple(parts))
    names = [value] if value is not None else list(dict.fromkeys(
        name for p, _ in shares for name in p.model.outputs))
    roots = tuple(_prorated_root(versions, name, shares, parts) for name in names)
    return VersionsExplanation(who, versions.folder, label, roots, tuple(parts))


def _knows(policy: Policy, name: str) -> bool:
    return name in policy.model.inputs or name in policy.model.definitions


def _prorated_root(versions: Versions, name: str, shares: list, parts: list[Part]) -> Trace:
    """A value of a prorated period: an output as the day-weighted mean of the versions' values (as `run` gives
    it); any other value is each version's own, shown as one value only where they agree."""
    traces = {id(p.version): next((t for t in p.explanation.roots if t.name == name), None) for p in parts}
    found = [(policy, days, traces.get(id(policy))) for policy, days in shares]
    first = next(t for _, _, t in found if t is not None)
    is_output = any(name in policy.model.outputs for policy, _ in shares)
    stated = next(p for p in reversed(versions.policies) if p.tree.header.switch)
    span = dict(stated.tree.header.lines).get("version switch", stated.tree.header.span)
    if not is_output:
        if len({repr(t.value) for _, _, t in found if t is not None}) == 1:
            return attrs.evolve(first, children=())
        return Trace(name, "value", first.type, None, UNPRORATED, span)
    kind = first.type
    values = [(Fraction(t.value) if t is not None and isinstance(t.value, (int, Fraction)) else None, days)
              for _, days, t in found]
    result = prorate(kind, values, versions.step)
    # As `prorate` weighs them: money over every day (a version without it pays nothing), others over the
    # days of the versions that have a value.
    terms = " + ".join(f"{display(v, kind, t.places if t is not None else None) if v is not None else '0'} × {days}"
                       for (v, days), (_, _, t) in zip(values, found, strict=True) if v is not None or kind == "money")
    weighed = sum(days for v, days in values if v is not None or kind == "money")
    rounded = say("x.rounded", rounding=versions.rounding) if kind == "money" and versions.step is not None else ""
    places = decimal_places(versions.step) if kind == "money" and versions.step is not None else None
    formula = say("x.prorated", terms=terms, weighed=weighed, rounded=rounded) if result is not None else (
        say("x.no_version_value"))
    return Trace(name, "value", kind, result, formula, span, places=places)
