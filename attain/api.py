"""The Python API: load and check a policy, run it over data, explain one value.

This is what the command line calls, and what a data pipeline imports:

    import attain
    policy = attain.load("policies/doc002/incentive.policy")
    results = policy.run("policies/doc002/sample.csv")
    for row in results.rows:
        print(row["id"], row["bonus_total"])
    print(policy.explain("policies/doc002/sample.csv", who="S001", value="bonus_total").text())
"""

from __future__ import annotations

import datetime
import difflib
import functools
import operator
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.dsl import nodes
from attain.dsl.checker import check as check_tree
from attain.dsl.model import Model
from attain.dsl.parser import parse, parse_file
from attain.engine.bind import PERIOD_COLUMNS, Bound, Record, bind, find_id_column, only
from attain.engine.emit import compile_model
from attain.engine.periods import Period, last_day, parse_period
from attain.engine.plan import Plan
from attain.engine.runner import ENGINES as ENGINES  # the engines a caller may name
from attain.engine.runner import Progress as Progress  # what a progress callback is given
from attain.engine.runner import ProgressCallback, Runner
from attain.engine.trace import Trace
from attain.exact import gc_paused
from attain.explain.json_document import render_json
from attain.explain.recorder import Recorder
from attain.explain.text import render_text
from attain.files import source_texts
from attain.io import Row, Table, exact_cell, read_table
from attain.limits import call_deep, deep
from attain.sql.engine import SqlRunner

MAX_EVALUATION_ERRORS = 50

F = TypeVar("F", bound=Callable[..., Any])


def boundary(fn: F) -> F:
    """The public boundary: an AttainError leaves with the source text of every file it points into.

    Whoever shows the error (the command line, a notebook, a service) draws carets from
    `error.sources` and never reads a file again. The passes run with the stack a formula
    nested `limits.MAX_NESTING` levels deep needs (`limits.deep`).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return call_deep(fn, *args, **kwargs)
        except AttainError as e:
            e.sources = source_texts(e.diagnostics, e.sources)
            raise

    return wrapper  # type: ignore[return-value]


class Findings(list):
    """The diagnostics `check` found, sorted, with `sources`: the text of each file they point into."""

    def __init__(self, diagnostics=(), sources: dict[str, str] | None = None):
        super().__init__(diagnostics)
        self.sources = source_texts(self, sources)


@deep
def check(path: str | Path) -> Findings:
    """Every diagnostic of a policy file (syntax errors, check errors and warnings), sorted."""
    try:
        tree = parse_file(path)
    except AttainError as e:
        return Findings(e.diagnostics, e.sources)
    _, diagnostics = check_tree(tree)
    if tree.header.uses is not None:
        try:
            _used_tree(tree)
        except AttainError as e:
            # Only "cannot be read" belongs to this policy; the used policy's own errors are its checks'.
            diagnostics = sorted([*diagnostics, *(d for d in e.diagnostics if d.code == "C250")],
                                 key=Diagnostic.sort_key)
        else:
            loop = _uses_loop(tree)
            if loop is not None:
                diagnostics = sorted([*diagnostics, loop], key=Diagnostic.sort_key)
    return Findings(diagnostics, {tree.file: tree.source})


def _uses_loop(tree: nodes.Policy) -> Diagnostic | None:
    """C250 at the `uses` line when the policies it uses lead back to one already on the way, as `load` says."""
    seen = {Path(tree.file).resolve()}
    current = tree
    while current.header.uses is not None:
        try:
            used = _used_tree(current)
        except AttainError:
            return None  # a policy further on that cannot be read is its own check's finding
        path = Path(used.file).resolve()
        if path in seen:
            return Diagnostic("C250", f"policies use each other in a loop: {tree.header.uses}", _uses_span(tree))
        seen.add(path)
        current = used
    return None


@boundary
def load(path: str | Path) -> Policy:
    """Parse, check and compile a policy file; raise `AttainError` if it has errors."""
    return _load(parse_file(path), ())


@boundary
def loads(text: str, file: str = "<policy>") -> Policy:
    """Like `load`, from policy text."""
    return _load(parse(text, file), ())


def _load(tree: nodes.Policy, using: tuple) -> Policy:
    model, diagnostics = check_tree(tree)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise AttainError(errors, {tree.file: tree.source})
    parts: tuple[Policy, ...] = ()
    if tree.header.uses:
        part_tree = _used_tree(tree)
        path = Path(part_tree.file)
        if path in using:
            raise AttainError([Diagnostic("C250", f"policies use each other in a loop: {tree.header.uses}",
                                          _uses_span(tree))])
        parts = (_load(part_tree, (*using, path)),)
    return Policy(tree, model, compile_model(model), tuple(diagnostics), parts)


def _uses_span(tree: nodes.Policy):
    """The `uses` line of a policy's header (the last one, which the parser keeps)."""
    return next((span for word, span in reversed(tree.header.lines) if word == "uses"), tree.header.span)


def _used_tree(tree: nodes.Policy) -> nodes.Policy:
    """The parsed policy `tree` uses; C250 at the `uses` line when its path cannot be read.

    The path is relative to the policy's folder. A path no file can have (a NUL byte) is
    the same error as a missing file: the user's text, not a fault of attain.
    """
    name = tree.header.uses or ""
    span = _uses_span(tree)
    hint = "the path is relative to this policy's folder"
    if "\0" in name:
        raise AttainError([Diagnostic("C250", f"the policy it uses, {name!r}, cannot be a file name: it holds "
                                      "a NUL character", span, hint="write the file's name as it is on disk")])
    try:
        path = (Path(tree.file).parent / name).resolve()
        return parse_file(path)
    except ValueError as e:  # what the operating system refuses in a path, beyond NUL
        raise AttainError([Diagnostic("C250", f"the policy it uses, {name!r}, cannot be a file name: {e}",
                                      span, hint=hint)]) from None
    except AttainError as e:
        if e.diagnostics[0].code.startswith("U"):
            raise AttainError([Diagnostic("C250", f"the policy it uses, {name!r}, cannot be read: "
                                          + e.diagnostics[0].message, span, hint=hint)]) from None
        raise


@attrs.frozen
class Results:
    """One row per employee: the id column, then every output, as exact Decimals, texts and flags."""

    columns: tuple[str, ...]
    rows: tuple[dict, ...]
    kinds: dict = attrs.field(factory=dict, eq=False)  # output -> its type ("percent", "money", ...)
    # What the data gave but binding says (a column read by a near name), with `.sources`.
    warnings: Findings = attrs.field(factory=Findings, eq=False)


@attrs.frozen
class Explanation:
    """The derivation of one employee's values, renderable as text or JSON."""

    who: str
    policy: str
    roots: tuple[Trace, ...]
    period: str | None = None

    def text(self) -> str:
        return render_text(list(self.roots), self.who, self.period)

    def json(self) -> str:
        return render_json(list(self.roots), self.who, self.policy, self.period)


@attrs.frozen
class Policy:
    """A checked, compiled policy, ready to run over data."""

    tree: nodes.Policy
    model: Model
    plan: Plan
    warnings: tuple[Diagnostic, ...] = ()
    parts: tuple = ()  # the finer policy this one `uses`, whose outputs it reads

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.model.outputs

    def table(self, data, id_column: str | None = None, engine: str = "python", allow_ids=(),
              progress: ProgressCallback | None = None) -> Table:
        """The data as this policy reads it: with the outputs of a policy it `uses` added to each row."""
        return self._table(data, id_column, engine, allow_ids, progress)[0]

    def _table(self, data, id_column, engine, allow_ids, progress=None) -> tuple[Table, tuple[Diagnostic, ...]]:
        """`table()`, and the warnings the policies it uses had about the data."""
        table = data if isinstance(data, Table) else read_table(data)
        warnings: tuple[Diagnostic, ...] = ()
        for part in self.parts:
            table, said = _with_outputs(table, part, id_column, engine, allow_ids, progress)
            warnings += said
        return table, warnings

    def bind(self, data, id_column: str | None = None, engine: str = "python", allow_ids=(),
             progress: ProgressCallback | None = None) -> Bound:
        """The data bound to this policy; `allow_ids`: ids that read like a total row (合计) but are employees."""
        table, said = self._table(data, id_column, engine, allow_ids, progress)
        bound = bind(self.plan, table, id_column, allow_ids)
        return attrs.evolve(bound, warnings=tuple(dict.fromkeys((*said, *bound.warnings)))) if said else bound

    @boundary
    def run(self, data, id_column: str | None = None, keep=None, engine: str = "python", allow_ids=(),
            progress: ProgressCallback | None = None) -> Results:
        """Evaluate every employee (and period) of `data` (a path or a `Table`); raise `AttainError` on bad data.

        `keep`, a function of a Period, limits the rows returned (earlier periods are still
        computed for the history they give); a kept period outside the policy's `effective`
        and `until` dates is an error that names both. `engine` is "python" (the compiled
        plan, the default), "reference" (every value by the reference evaluator) or "duckdb"
        (the policy compiled to exact SQL, `attain.sql.engine`); all give identical results.
        `allow_ids` names ids that read like a total row (合计, Total) but are employees; any
        other such row is an error. `progress`, when given, is called
        with a `Progress` as the run reads the data and then every few thousand rows it computes.
        """
        with gc_paused():
            if progress is not None:
                progress(Progress("checking the data" if isinstance(data, Table) else "reading the data", 0, 0))
            bound = self.bind(data, id_column, engine, allow_ids, progress)
            outside = self._outside_dates(bound, keep)
            if outside:
                raise AttainError(outside)
            runner: Runner | SqlRunner = (
                SqlRunner(self.plan, bound, MAX_EVALUATION_ERRORS, progress) if engine == "duckdb"
                else Runner(self.plan, bound, MAX_EVALUATION_ERRORS, engine, progress))
            key = bound.id_column
            names = self.model.outputs
            periodic = bound.period_column is not None
            rows = []
            for state in runner.run():
                if keep is not None and not keep(state.record.period):
                    continue
                row = {key: state.record.who}
                if periodic:
                    row["period"] = str(state.record.period)
                row.update(zip(names, state.outputs, strict=True))  # one value per output, in order
                rows.append(row)
        if runner.errors:
            raise AttainError(runner.errors)
        columns = (key, "period", *names) if periodic else (key, *names)
        return Results(columns, tuple(rows), {name: str(self.model.types[name]) for name in names},
                       Findings(bound.warnings))

    def in_force(self, period) -> bool:
        """Whether this version applies to `period`: it starts on or after `effective` and ends by `until`."""
        h = self.tree.header
        if period is None:
            return True
        if h.effective and period.first_day() < datetime.date.fromisoformat(h.effective):
            return False
        if h.until and last_day(period) > datetime.date.fromisoformat(h.until):
            return False
        return True

    def _outside_dates(self, bound: Bound, keep) -> list[Diagnostic]:
        h = self.tree.header
        if not (h.effective or h.until):
            return []
        found: dict[Period, Record] = {}
        for r in bound.records:
            if r.period is not None and (keep is None or keep(r.period)) and not self.in_force(r.period):
                found.setdefault(r.period, r)
        out = []
        for period in sorted(found, key=lambda p: p.index):
            dates = f"from {h.effective}" if h.effective else ""
            dates += (" " if dates else "") + (f"until {h.until}" if h.until else "")
            out.append(Diagnostic(
                "E320", f"{period} is outside the dates of {self.tree.file} ({dates}), "
                f"but {bound.file} has rows for it (line {found[period].line})", h.span,
                hint="run the version in force for that period: `attain run FOLDER` picks it for each period"))
        return out

    @boundary
    def explain(self, data, who: str, value: str | None = None, id_column: str | None = None,
                period: str | None = None, allow_ids=(), engine: str = "python") -> Explanation:
        """How one employee's value (or every output) came about, down to the data cells.

        `engine` computes the rows before it (earlier periods, colleagues) as `run` does.
        """
        with gc_paused():  # reading and checking every cell allocates as much as in a run
            table = self.table(data, id_column, engine, allow_ids=allow_ids)
            if not self.plan.aggregates:
                # Nothing looks at colleagues: the employee's own rows are all there is to compute.
                key = find_id_column(table, id_column)
                mine = only(table, key, who)
                if mine.rows:
                    table = mine
            bound = bind(self.plan, table, id_column, allow_ids)
        record = self._record_of(bound, who, period)
        names = [value] if value is not None else list(self.model.outputs)
        known = list(self.model.inputs) + list(self.model.definitions)
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                raise AttainError([Diagnostic("U511", f"the policy has no value named '{name}'",
                                              hint=f"did you mean '{close[0]}'?" if close else
                                              "values: " + ", ".join(self.model.outputs))])
        if self.plan.aggregates:
            # Colleagues matter, but only those whose values reach this row's group values.
            bound = attrs.evolve(bound, records=needed_records(self.plan, bound.records, record))
        runner = Runner(self.plan, bound, MAX_EVALUATION_ERRORS, engine)
        with gc_paused():
            # The run stops after the row asked for; it is the last state the run yields.
            last = deque(runner.run(until=(record.who, record.period)), maxlen=1)
        state = last[0] if last else None
        if state is None or state.record is not record:
            raise AttainError(runner.errors or [Diagnostic("E300", f"could not compute {who}")])
        # A row the policy refuses has no result to explain: the refusal says why.
        plain = runner.reference(state)
        for name in self.model.refusals:
            plain.value(name)
        # Computed again, with a recorder listening: the run above records nothing.
        recorder = Recorder(runner.sources(state))
        ref = runner.reference(state, recorder)
        for name in names:
            ref.value(name)
        roots = tuple(recorder.traces[name] for name in names)
        label = str(record.period) if record.period is not None else None
        return Explanation(who, self.tree.file, roots, label)

    def _record_of(self, bound: Bound, who: str, period: str | None):
        """The record an explanation is about: the employee's row for `period`, or their latest."""
        records = [r for r in bound.records if r.who == who]
        if not records:
            ids = list(dict.fromkeys(r.who for r in bound.records))
            close = difflib.get_close_matches(who, ids, n=1)
            raise AttainError([Diagnostic("U510", f"no employee '{who}' in {bound.file}",
                                          hint=f"did you mean '{close[0]}'?" if close else
                                          f"the data has {len(ids)} employees, such as " + ", ".join(ids[:3]))])
        # Without --period: the employee's latest period (or their only row).
        record = max(records, key=lambda r: r.period.index if r.period is not None else 0)
        if period is not None:
            kind = self.tree.header.period
            # bind() looks for a period (or date) column only when the policy has a period kind.
            if bound.period_column is None or kind is None:
                raise AttainError([Diagnostic("U512", "this data has no periods, so --period does not apply",
                                              hint="leave out --period")])
            wanted = parse_period(kind, period)
            record = next((r for r in records if r.period == wanted), None)
            if record is None:
                have = ", ".join(str(r.period) for r in records)
                raise AttainError([Diagnostic("U513", f"{who} has no row for period '{period}'",
                                              hint=f"{who}'s periods: {have}")])
        return record


def needed_records(plan: Plan, records: tuple[Record, ...], target: Record) -> tuple[Record, ...]:
    """The records whose values an explanation of `target` reads, in their order: the rest are not computed.

    Within a period, a row needs the members of each of its groups (every group value
    of the policy, whatever the stage), and they need theirs in turn; with history, each
    employee so needed also needs their own earlier periods, with the groups there.
    So, from the target's period back to the first: the employees needed later, and
    the target, are closed over shared groups. A group over everyone takes the whole
    period; without history only the target's period is computed. Everyone needed is
    computed in full, exactly as in a run, so every group is the group of a run.
    """
    groups = tuple(dict.fromkeys(spec.group for spec in plan.aggregates))
    by_period: dict = {}
    for r in records:
        by_period.setdefault(r.period, []).append(r)
    last = target.period
    if last is None or not plan.history:
        periods = [last]
    else:
        periods = sorted([p for p in by_period if p is not None and p.index <= last.index],
                         key=operator.attrgetter("index"), reverse=True)
    whos = {target.who}
    keep: set[int] = set()
    for period in periods:
        rows = by_period[period]
        start = [r for r in rows if r.who in whos]
        if not start:
            continue
        if None in groups:
            chosen = rows
        else:
            members: dict = {}
            for r in rows:
                for g in groups:
                    members.setdefault((g, r.fast[g]), []).append(r)
            chosen, seen, queue = [], set(), list(start)
            taken: set[int] = set()
            while queue:
                r = queue.pop()
                if id(r) in taken:
                    continue
                taken.add(id(r))
                chosen.append(r)
                for g in groups:
                    if (g, r.fast[g]) not in seen:
                        seen.add((g, r.fast[g]))
                        queue.extend(members[(g, r.fast[g])])
        keep.update(id(r) for r in chosen)
        whos.update(r.who for r in chosen)
    return tuple(r for r in records if id(r) in keep)


def _with_outputs(table: Table, part: Policy, id_column: str | None, engine: str = "python",
                  allow_ids=(), progress: ProgressCallback | None = None) -> tuple[Table, tuple[Diagnostic, ...]]:
    """Each row of `table` with the outputs `part` computed for it, as text cells named by output; and
    the part's warnings about the data."""
    results = part.run(table, id_column, engine=engine, allow_ids=allow_ids, progress=progress)
    key = results.columns[0]
    periodic = "period" in results.columns
    by_row = {(r[key], r["period"] if periodic else None): r for r in results.rows}
    names = [c for c in results.columns if c not in (key, "period")]
    clash = [c for c in names if c in table.columns]
    if clash:
        raise AttainError([Diagnostic("D417", f"the data has a column '{clash[0]}', which is also an output of "
                                      f"{part.tree.file}", hint="rename the column, or the output")])
    kind = part.tree.header.period
    period_column = next((c for c in PERIOD_COLUMNS if c in table.columns), None)
    rows = []
    for row in table.rows:
        label = row.cells.get(period_column) if (periodic and period_column) else None
        # The part's results have periods only when it has a period kind, so `kind` is set for any label.
        period = parse_period(kind, label) if (label and kind) else None
        found = by_row.get((row.cells.get(key), str(period) if period is not None else None))
        cells = dict(row.cells)
        for name in names:
            value = found[name] if found is not None else None
            cells[name] = None if value is None else exact_cell(value)
        rows.append(Row(row.line, cells))
    return Table(table.file, (*table.columns, *names), tuple(rows)), tuple(results.warnings)


@attrs.frozen
class Versions:
    """Several versions of one policy in a folder; each period is computed by the version in force."""

    folder: str
    policies: tuple[Policy, ...]  # ordered by effective date

    def version_for(self, period) -> Policy | None:
        candidates = [p for p in self.policies if p.in_force(period)]
        return candidates[-1] if candidates else None

    @boundary
    def run(self, data, id_column: str | None = None, engine: str = "python", allow_ids=(),
            progress: ProgressCallback | None = None) -> Results:
        if progress is not None:
            progress(Progress("reading the data", 0, 0))
        table = data if isinstance(data, Table) else read_table(data)
        results, columns = [], []
        warnings: dict[Diagnostic, None] = {}  # each version binds the same data: say each thing once
        uncovered = set()
        for policy in self.policies:
            def keep(period, policy=policy):
                chosen = self.version_for(period)
                if chosen is None:
                    uncovered.add(period)
                return chosen is policy

            # Each version computes the earlier periods too, for the history they give.
            res = policy.run(table, id_column, keep=keep, engine=engine, allow_ids=allow_ids, progress=progress)
            warnings.update(dict.fromkeys(res.warnings))
            for name in res.columns:
                if name not in columns:
                    columns.append(name)
            for row in res.rows:
                row = dict(row)
                row["version"] = policy.tree.header.version or policy.tree.file
                results.append(row)
        if uncovered:
            first = sorted(uncovered, key=lambda p: p.index)[0]
            raise AttainError([Diagnostic("E321", f"no version in {self.folder} is in force for {first}",
                                          hint="versions: " + ", ".join(_dates(p) for p in self.policies))])
        key = columns[0]
        results.sort(key=lambda r: (r.get("period") or "", str(r[key])))
        columns.insert(2 if "period" in columns else 1, "version")
        kinds = {name: str(p.model.types[name]) for p in self.policies for name in p.model.outputs}
        return Results(tuple(columns), tuple({c: r.get(c) for c in columns} for r in results), kinds,
                       Findings(warnings))


def _dates(policy: Policy) -> str:
    h = policy.tree.header
    return f"{Path(policy.tree.file).name} ({h.effective or 'always'}{' to ' + h.until if h.until else ''})"


@boundary
def load_versions(folder: str | Path) -> Versions:
    """Every `.policy` file of a folder (except *-as-written), as versions ordered by `effective`."""
    paths = sorted(p for p in Path(folder).glob("*.policy") if "as-written" not in p.name)
    if not paths:
        raise AttainError([Diagnostic("U530", f"{folder} holds no .policy files")])
    policies = [load(p) for p in paths]
    undated = [p for p in policies if not p.tree.header.effective]
    if len(policies) > 1 and undated:
        raise AttainError([Diagnostic("C251", f"{undated[0].tree.file} has no `effective` date, so attain cannot "
                                      "tell when it applies among the versions in its folder",
                                      undated[0].tree.header.span, hint="add `effective YYYY-MM-DD`")])
    policies.sort(key=lambda p: p.tree.header.effective or "")
    kinds = {p.tree.header.period for p in policies}
    if len(kinds) > 1:
        raise AttainError([Diagnostic("C252", f"versions in {folder} have different period kinds: "
                                      + ", ".join(sorted(str(k) for k in kinds)))])
    return Versions(str(folder), tuple(policies))
