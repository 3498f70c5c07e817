"""Policy diff (`attain diff`): two versions of a policy and one data file -> what changed and whom it affects.

Use:

    report = diff("policies/x.policy@HEAD~1", "policies/x.policy", "data.csv")
    print(report.text())        # or report.json(), report.csv()

A policy is a path, or `path@gitrev` for the version in a git revision (read
with `git show`, nothing is checked out). Definition changes compare the two
syntax trees statement by statement, so moving or reformatting a statement is
no change. The impact runs both versions on the same data and compares every
output of every employee (and period).

The steps, one module each:

    revisions  a path or `path@gitrev` -> the policy text and its display name
    changes    two policy trees -> the changed definitions, in policy terms
    wording    policy nodes -> the one-line policy text those changes quote
    impact     both versions on the same data -> every employee's old and new outputs, totals
    render     the report -> text, JSON or CSV
"""

from __future__ import annotations

from attain import api
from attain.diagnostics import AttainError, Diagnostic
from attain.diff.changes import policy_changes

# Aliased so that `attain.diff.impact` stays the submodule, not the function.
from attain.diff.impact import impact as compute_impact
from attain.diff.render import DiffReport
from attain.diff.revisions import read_folder_sources, read_policy_source
from attain.diff.table_changes import loaded as with_tables
from attain.engine.periods import parse_period
from attain.i18n.messages import say
from attain.io import Table, read_table
from attain.versions import Versions, loads_versions

__all__ = ["DiffReport", "diff"]


@api.boundary
def diff(old_spec: str, new_spec: str, data, id_column: str | None = None,
         progress: api.ProgressCallback | None = None, engine: str = "python") -> DiffReport:
    """Compare two policy versions (paths or `path@gitrev`) on one data file (a path or a `Table`).

    Either may be a folder of versions (or `folder@gitrev`): each period is then computed by the
    version in force in it, and the changed definitions are listed for each pair of versions in
    force together.

    Raises `AttainError` for unreadable sources, policies with errors or bad
    data. The exception carries `sources`, the text of every file it points
    into, a version read from git (`x.policy@HEAD~1`) included, so that a
    caller can show the caret excerpts of a version that is not on disk.
    `progress` is called as each version runs (see `api.Policy.run`), which `engine` computes.
    """
    policies: list[tuple[str, api.Policy | Versions]] = []
    for spec in (old_spec, new_spec):
        folder = read_folder_sources(spec)
        if folder is not None:
            # A folder of versions: each period by the version in force (see attain.versions).
            if not folder:
                raise AttainError([Diagnostic("U530", say("U530", folder=spec))])
            policies.append((spec, loads_versions(spec, folder)))
            continue
        text, name = read_policy_source(spec)
        # A version read from git carries its text in the error: there is no file to show carets from.
        policies.append((name, api.loads(text, name)))
    (old_name, old), (new_name, new) = policies
    if progress is not None:
        progress(api.Progress("reading the data", 0, 0))
    table = data if isinstance(data, Table) else read_table(data)
    result = compute_impact(old, new, table, id_column, progress, engine)
    if isinstance(old, api.Policy) and isinstance(new, api.Policy):
        return DiffReport(old_name, new_name, table.file, old, new, _changes(old, new), result)
    return DiffReport(old_name, new_name, table.file, old, new, (), result, _paired_changes(old, new, result))


def _paired_changes(old, new, result) -> tuple:
    """For each pair of versions in force together over the data's periods: the periods, the two versions'
    names and their changed definitions (a period prorated between versions is listed under each pair of
    versions in force on the same days of it)."""
    def versions_for(loaded, period):
        """The versions computing `period`, each with its first and last day in force (None: every day)."""
        if isinstance(loaded, api.Policy):
            return [(loaded, None)]
        days = dict(zip(map(id, loaded.policies), loaded.days_in_force(), strict=True))
        return [(p, days[id(p)]) for p, _ in loaded.shares(period)]

    def together(a_days, b_days) -> bool:
        return a_days is None or b_days is None or (a_days[0] <= b_days[1] and b_days[0] <= a_days[1])

    kind = (old.policies[0] if isinstance(old, Versions) else old).tree.header.period
    labels = sorted({r.period for r in result.rows if r.period is not None})
    pairs: dict[tuple[int, int], tuple[list[str], api.Policy, api.Policy]] = {}
    for label in labels or [None]:
        period = parse_period(kind, label) if (kind and label) else None
        for a, a_days in versions_for(old, period):
            for b, b_days in versions_for(new, period):
                if together(a_days, b_days):
                    pairs.setdefault((id(a), id(b)), ([], a, b))[0].append(label or "every row")
    return tuple((periods, a, b, _changes(a, b)) for periods, a, b in pairs.values())


def _changes(old: api.Policy, new: api.Policy) -> tuple:
    """The changed definitions, tables kept in files compared by what the files hold."""
    return tuple(policy_changes(with_tables(old.tree, old.model.tables), with_tables(new.tree, new.model.tables)))
