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
from attain.diff.changes import policy_changes

# Aliased so that `attain.diff.impact` stays the submodule, not the function.
from attain.diff.impact import impact as compute_impact
from attain.diff.render import DiffReport
from attain.diff.revisions import read_policy_source
from attain.io import Table, read_table

__all__ = ["DiffReport", "diff"]


@api.boundary
def diff(old_spec: str, new_spec: str, data, id_column: str | None = None,
         progress: api.ProgressCallback | None = None) -> DiffReport:
    """Compare two policy versions (paths or `path@gitrev`) on one data file (a path or a `Table`).

    Raises `AttainError` for unreadable sources, policies with errors or bad
    data. The exception carries `sources`, the text of every file it points
    into, a version read from git (`x.policy@HEAD~1`) included, so that a
    caller can show the caret excerpts of a version that is not on disk.
    `progress` is called as each version runs (see `api.Policy.run`).
    """
    policies = []
    for spec in (old_spec, new_spec):
        text, name = read_policy_source(spec)
        # A version read from git carries its text in the error: there is no file to show carets from.
        policies.append((name, api.loads(text, name)))
    (old_name, old), (new_name, new) = policies
    if progress is not None:
        progress(api.Progress("reading the data", 0, 0))
    table = data if isinstance(data, Table) else read_table(data)
    changes = tuple(policy_changes(old.tree, new.tree))
    return DiffReport(old_name, new_name, table.file, old, new, changes,
                      compute_impact(old, new, table, id_column, progress))
