"""Versions: a folder of one policy's versions -> each period computed by the version (or versions) in force.

Each version is in force from its `effective` date to its `until` date or the day before
the next version takes effect, whichever comes first. A period that lies within one
version's days is that version's. A period a version starts or ends within is computed
as the policies' `version switch` line says:

    version switch on last day          the version in force on the period's last day
    version switch prorated by days     every version in force during the period computes it;
                                        each output is the mean of their values weighted by
                                        the days each was in force (money, percents, numbers)

Without the line such a period is an error (E321): attain does not choose a rule.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import attrs

from attain.api import Findings, Policy, Progress, ProgressCallback, Results, boundary, check, load, loads
from attain.diagnostics import AttainError, Diagnostic
from attain.dsl.builtins import PRORATED_TYPES
from attain.dsl.checker import check as check_tree
from attain.dsl.parser import parse_file
from attain.dsl.types import ERROR
from attain.engine.periods import Period
from attain.exact import decimal_places, to_decimal
from attain.i18n.messages import joined, say
from attain.io import Place, Table, read_table
from attain.versions.explain import VersionsExplanation, explain_versions
from attain.versions.folder import Version, folder_findings, version_name
from attain.versions.prorate import ONE_DAY, period_days, prorate

__all__ = ["Versions", "check_versions", "load_versions", "version_paths", "versions_of"]


@attrs.frozen
class Versions:
    """Several versions of one policy in a folder; each period is computed by the version in force.

    `switch` is the folder's `version switch` rule (None, "on last day" or "prorated by days")
    and `rounding` the step prorated money is rounded to, as written ("0.01"), if any.
    """

    folder: str
    policies: tuple[Policy, ...]  # ordered by effective date
    switch: str | None = None
    rounding: str | None = None

    def days_in_force(self) -> list[tuple[datetime.date, datetime.date]]:
        """Each version's first and last day in force: to its `until`, or the day before the next one starts."""
        spans = []
        for i, policy in enumerate(self.policies):
            h = policy.tree.header
            start = datetime.date.fromisoformat(h.effective) if h.effective else datetime.date.min
            end = datetime.date.fromisoformat(h.until) if h.until else datetime.date.max
            later = [p.tree.header.effective for p in self.policies[i + 1:]
                     if p.tree.header.effective and p.tree.header.effective > (h.effective or "")]
            if later:
                end = min(end, datetime.date.fromisoformat(later[0]) - ONE_DAY)
            spans.append((start, end))
        return spans

    def shares(self, period: Period | None) -> list[tuple[Policy, int]]:
        """The versions that compute `period`, each with the days of it they are in force; [] if none may.

        One version: it alone computes the period (its days are the period's). Several: they
        are prorated by their days.
        """
        spans = self.days_in_force()
        if period is None:  # data without periods: the latest version that has begun (as before)
            return [(self.policies[-1], 1)]
        h = self.policies[0].tree.header
        first, last = period_days(period, h.month_ends_on)
        whole = [p for p, (start, end) in zip(self.policies, spans, strict=True) if start <= first and last <= end]
        if whole:
            return [(whole[-1], (last - first).days + 1)]
        if self.switch == "on last day":
            on_last = [p for p, (start, end) in zip(self.policies, spans, strict=True) if start <= last <= end]
            return [(on_last[-1], (last - first).days + 1)] if on_last else []
        if self.switch == "prorated by days":
            found = []
            for p, (start, end) in zip(self.policies, spans, strict=True):
                days = (min(end, last) - max(start, first)).days + 1
                if days > 0:
                    found.append((p, days))
            return found if sum(d for _, d in found) == (last - first).days + 1 else []
        return []

    def version_for(self, period) -> Policy | None:
        """The version that computes `period` alone (None when none does, or when several are prorated)."""
        found = self.shares(period)
        return found[0][0] if len(found) == 1 else None

    @boundary
    def run(self, data, id_column: str | None = None, engine: str = "python", allow_ids=(),
            progress: ProgressCallback | None = None, carry: Sequence[str] | str = ()) -> Results:
        """Every employee and period, each period by its version(s); a `version` column names them.

        `carry`: the data columns copied into each row, as `Policy.run` takes it."""
        if progress is not None:
            progress(Progress("reading the data", 0, 0))
        table = data if isinstance(data, Table) else read_table(data)
        columns: list[str] = []
        warnings: dict[Diagnostic, None] = {}  # each version binds the same data: say each thing once
        shares: dict = {}
        uncovered = set()
        by_row: dict[tuple, list] = {}
        merged = []
        for policy in self.policies:
            def keep(period, policy=policy):
                if period not in shares:
                    shares[period] = self.shares(period)
                    if not shares[period]:
                        uncovered.add(period)
                return any(p is policy for p, _ in shares[period])

            # Each version computes the earlier periods too, for the history they give.
            res = policy.run(table, id_column, keep=keep, engine=engine, allow_ids=allow_ids, progress=progress,
                             check_dates=False, carry=carry)
            merged.append(res)
            warnings.update(dict.fromkeys(res.warnings))
            columns.extend(name for name in res.columns if name not in columns)
            for row in res.rows:
                by_row.setdefault((row[res.columns[0]], row.get("period")), []).append((policy, row))
        if uncovered:
            raise AttainError([self._uncovered(min(uncovered, key=lambda p: p.index), table, id_column, allow_ids)])
        kinds = {name: str(p.model.types[name]) for p in self.policies for name in p.model.outputs}
        results = []
        for rows in by_row.values():
            if len(rows) == 1:
                policy, row = rows[0]
                results.append({**row, "version": _name(policy)})
            else:
                results.append(self._prorated(rows, shares, kinds))
        key = columns[0]
        results.sort(key=lambda r: (r.get("period") or "", str(r[key])))
        columns.insert(2 if "period" in columns else 1, "version")
        # Labels as the newest version words them, for every period (a tier relabelled keeps its name).
        value_labels: dict[str, dict] = {}
        for res in merged:
            for name, labels in res.value_labels.items():
                value_labels[name] = {**value_labels.get(name, {}), **labels}
        return Results(tuple(columns), tuple({c: r.get(c) for c in columns} for r in results), kinds,
                       Findings(warnings), functools.reduce(operator.or_, (r.labels for r in merged), {}),
                       value_labels, frozenset().union(*(r.read for r in merged)),
                       tuple(dict.fromkeys(c for r in merged for c in r.carried)))

    @boundary
    def explain(self, data, who: str, value: str | None = None, id_column: str | None = None,
                period: str | None = None, allow_ids=(), engine: str = "python") -> VersionsExplanation:
        """How one employee's values came about in `period` (else their latest), by the version or versions
        in force: see `attain.versions.explain`."""
        return explain_versions(self, data, who, value, id_column, period, allow_ids, engine)

    def _prorated(self, rows: list, shares: dict, kinds: dict) -> dict:
        """One employee's period computed by several versions: each output weighted by their days.

        A money output a version does not have pays nothing for its days; a percent or number
        output is weighted over the versions that have it.
        """
        first = rows[0][1]
        label = first.get("period")
        period = next(p for p in shares if p is not None and str(p) == label)
        days = {id(p): d for p, d in shares[period]}
        out = {k: v for k, v in first.items() if k not in kinds}
        out["version"] = " + ".join(f"{_name(p)} ({days[id(p)]} days)" for p, _ in rows)
        step = self.step
        for name, kind in kinds.items():
            if kind not in PRORATED_TYPES:  # load_versions refused such a folder
                raise AssertionError(f"{name} is {kind} and cannot be prorated")
            value = prorate(kind, [(None if row.get(name) is None else Fraction(row[name]), days[id(p)])
                                   for p, row in rows], step)
            places = decimal_places(step) if kind == "money" and step is not None else None
            out[name] = None if value is None else to_decimal(value.numerator, value.denominator, places)
        return out

    @property
    def step(self) -> Fraction | None:
        """The step prorated money is rounded to (`, rounded to 0.01`), if the switch line names one."""
        return Fraction(self.rounding.replace("_", "")) if self.rounding else None

    def _uncovered(self, period: Period, table: Table | None = None, id_column: str | None = None,
                   allow_ids=()) -> Diagnostic:
        first, last = period_days(period, self.policies[0].tree.header.month_ends_on)
        spans = self.days_in_force()
        inside = [p for p, (start, end) in zip(self.policies, spans, strict=True) if start <= last and end >= first]
        versions = say("E321.versions", versions=joined(_dates(p, span)
                                                        for p, span in zip(self.policies, spans, strict=True)))
        if len(inside) > 1 or (inside and self.switch is None):
            return Diagnostic(
                "E321", say("E321.whole", folder=self.folder, period=period, first=first, last=last),
                self.policies[0].tree.header.span, hint=say("E321.switch", versions=versions))
        place = self._row_of(table, period, id_column, allow_ids) if table is not None else None
        named = say("cell.where", place=place.name) if place and place.name else ""
        return Diagnostic("E321", say("E321", folder=self.folder, period=period, named=named),
                          place.span if place else None, label=say("E321.label"), hint=versions)

    def _row_of(self, table: Table, period: Period, id_column: str | None, allow_ids) -> Place | None:
        """The period (or date) cell of the first row of `period`, read as the versions read it (an error path:
        the data is bound once more); None if the first version reads no row of it."""
        bound = self.policies[0].bind(table, id_column, allow_ids=allow_ids)
        record = next((r for r in bound.records if r.period == period), None)
        column = bound.period_column
        if record is None or column is None:
            return None
        return table.cell(record.line, column, bound.positions[column])


def _name(policy: Policy) -> str:
    return version_name(policy.tree)


def _dates(policy: Policy, span: tuple[datetime.date, datetime.date]) -> str:
    start, end = span
    shown_start = say("E321.always") if start == datetime.date.min else str(start)
    shown_end = "" if end == datetime.date.max else say("E321.to", date=end)
    return say("E321.dates", name=Path(policy.tree.file).name, start=shown_start, end=shown_end)


def version_paths(folder: str | Path) -> list[Path]:
    """The versions of a folder: its `.policy` files except *-as-written (U530 when there are none)."""
    paths = sorted(p for p in Path(folder).glob("*.policy") if "as-written" not in p.name)
    if not paths:
        raise AttainError([Diagnostic("U530", say("U530", folder=folder))])
    return paths


@boundary
def load_versions(folder: str | Path) -> Versions:
    """Every `.policy` file of a folder (except *-as-written), as versions ordered by `effective`."""
    return versions_of(str(folder), [load(p) for p in version_paths(folder)])


@boundary
def check_versions(folder: str | Path) -> Findings:
    """Every diagnostic of a folder of versions: each version's, as `attain.check` finds them, then what the
    folder gets wrong (`attain.versions.folder`), sorted."""
    found: list[Diagnostic] = []
    sources: dict[str, str] = {}
    versions = []
    for path in version_paths(folder):
        findings = check(path)
        found.extend(findings)
        sources.update(findings.sources)
        if any(d.code.startswith(("P", "U")) for d in findings):
            continue  # it does not read: the folder is checked over the versions that do
        tree = parse_file(path)
        model, _ = check_tree(tree)
        versions.append(Version(tree, {name: t for name in model.outputs
                                       if (t := model.types.get(name, ERROR)) is not ERROR}))
    found.extend(folder_findings(str(folder), versions))
    return Findings(sorted(found, key=Diagnostic.sort_key), sources)


def versions_of(folder: str, policies: list[Policy]) -> Versions:
    """Loaded versions as a folder: dated, one period kind, one `version switch` rule, dates that neither
    overlap nor leave a gap, one currency (`attain.versions.folder`)."""
    errors = [d for d in folder_findings(folder, [Version(p.tree, {name: p.model.types[name]
                                                                    for name in p.model.outputs})
                                                  for p in policies]) if d.is_error]
    if errors:
        raise AttainError(errors)
    policies.sort(key=lambda p: p.tree.header.effective or "")
    stated = next((p.tree.header for p in policies if p.tree.header.switch), None)
    if stated is None:
        return Versions(folder, tuple(policies))
    return Versions(folder, tuple(policies), stated.switch,
                    stated.switch_rounding[1] if stated.switch_rounding else None)


def loads_versions(folder: str, sources: list[tuple[str, str]]) -> Versions:
    """Like `load_versions`, from (text, name) pairs, such as the files of a folder in a git revision."""
    return versions_of(folder, [loads(text, name) for text, name in sources])
