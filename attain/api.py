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
import os
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.dsl import nodes
from attain.dsl.check_lines import Lines
from attain.dsl.checker import check as check_tree
from attain.dsl.labels import header_labels, tier_labels
from attain.dsl.model import Model
from attain.dsl.parser import parse, parse_file
from attain.engine import carry as carry_
from attain.engine.bind import PERIOD_COLUMNS, Bound, Record, bind, find_id_column, only
from attain.engine.carry import UNREAD as UNREAD  # `run(carry=UNREAD)`: the columns a policy does not read
from attain.engine.emit import compile_model
from attain.engine.lines import line_tables, with_measures
from attain.engine.periods import Period, last_day, parse_period
from attain.engine.plan import Plan
from attain.engine.runner import ENGINES as ENGINES  # the engines a caller may name
from attain.engine.runner import Progress as Progress  # what a progress callback is given
from attain.engine.runner import ProgressCallback, Runner
from attain.engine.trace import Trace
from attain.exact import gc_paused
from attain.explain import tree_cache
from attain.explain.json_document import render_json
from attain.explain.lines import with_lines
from attain.explain.recorder import Recorder
from attain.explain.text import render_text
from attain.files import source_texts
from attain.i18n.messages import joined, say
from attain.io import Row, Table, exact_cell
from attain.io.datasets import DataSet, read_tables, resolve
from attain.io.rate_tables import read_rate_table
from attain.limits import call_deep, deep
from attain.sql.engine import SqlRunner
from attain.sql.spark_engine import SparkRunner
from attain.subjects import MAX_EVALUATION_ERRORS, Subject, record_of, sliced_subject, subjects

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
    with gc_paused():  # a syntax tree has no cycles: the collector would only rescan it (half of 2 MB check)
        return _check(path)


def _check(path: str | Path) -> Findings:
    try:
        tree = parse_file(path)
    except AttainError as e:
        return Findings(e.diagnostics, e.sources)
    _, diagnostics = check_tree(tree, read_rate_table)
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
            return Diagnostic("C250", say("C250.loop", uses=tree.header.uses), _uses_span(tree))
        seen.add(path)
        current = used
    return None


@boundary
def load(path: str | Path) -> Policy:
    """Parse, check and compile a policy file; raise `AttainError` if it has errors."""
    with gc_paused():
        return _load(parse_file(path), ())


@boundary
def load_cached(path: str | Path) -> Policy:
    """`load`, the parse tree kept on disk between calls (`attain.explain.tree_cache`): `attain explain` loads so."""
    with gc_paused():
        return _load(tree_cache.parsed(path), ())


@boundary
def loads(text: str, file: str = "<policy>") -> Policy:
    """Like `load`, from policy text."""
    with gc_paused():
        return _load(parse(text, file), ())


def _load(tree: nodes.Policy, using: tuple) -> Policy:
    model, diagnostics = check_tree(tree, read_rate_table)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise AttainError(errors, {tree.file: tree.source})
    parts: tuple[Policy, ...] = ()
    if tree.header.uses:
        part_tree = _used_tree(tree)
        path = Path(part_tree.file)
        if path in using:
            raise AttainError([Diagnostic("C250", say("C250.loop", uses=tree.header.uses), _uses_span(tree))])
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
    hint = say("C250.hint")
    if "\0" in name:
        raise AttainError([Diagnostic("C250", say("C250.nul", name=name), span, hint=say("C250.nul_hint"))])
    try:
        path = (Path(tree.file).parent / name).resolve()
        return parse_file(path)
    except ValueError as e:  # what the operating system refuses in a path, beyond NUL
        raise AttainError([Diagnostic("C250", say("C250.name", name=name, reason=e), span, hint=hint)]) from None
    except AttainError as e:
        if e.diagnostics[0].code.startswith("U"):
            raise AttainError([Diagnostic("C250", say("C250.read", name=name, reason=e.diagnostics[0].message),
                                          span, hint=hint)]) from None
        raise


@attrs.frozen
class Results:
    """One row per employee: the id column, then every output, as exact Decimals, texts and flags."""

    columns: tuple[str, ...]
    rows: tuple[dict, ...]
    kinds: dict = attrs.field(factory=dict, eq=False)  # output -> its type ("percent", "money", ...)
    # What the data gave but binding says (a column read by a near name), with `.sources`.
    warnings: Findings = attrs.field(factory=Findings, eq=False)
    # For people's outputs: output -> the label the policy gives it (inputs, flags), and a tier-valued
    # output -> {tier name: its label}.
    labels: dict = attrs.field(factory=dict, eq=False)
    value_labels: dict = attrs.field(factory=dict, eq=False)
    read: frozenset = attrs.field(default=frozenset(), eq=False)  # the data columns the run read
    carried: tuple = attrs.field(default=(), eq=False)  # the data columns copied in (`run(carry=...)`)


@attrs.frozen
class Explanation:
    """The derivation of one employee's values, renderable as text or JSON."""

    who: str
    policy: str
    roots: tuple[Trace, ...]
    period: str | None = None

    def text(self, lang: str = "en") -> str:
        """The explanation as indented text, its words in `lang` ("en" or "zh")."""
        return render_text(list(self.roots), self.who, self.period, lang)

    def json(self, lang: str = "en") -> str:
        """The explanation as JSON: English keys; shown values and notes in `lang` ("en" or "zh")."""
        return render_json(list(self.roots), self.who, self.policy, self.period, lang)


@attrs.frozen
class Policy:
    """A checked, compiled policy, ready to run over data."""

    tree: nodes.Policy
    model: Model
    plan: Plan
    warnings: tuple[Diagnostic, ...] = ()
    parts: tuple = ()  # the finer policy this one `uses`, whose outputs it reads

    def table_files(self) -> list[str]:
        """The files its rate tables are kept in (`table rates from "rates.csv"`), as paths beside the policy."""
        folder = os.path.dirname(self.tree.file)
        return [os.path.join(folder, t.source) for t in self.model.tables.values() if t.source is not None]

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.model.outputs

    def table(self, data, id_column: str | None = None, engine: str = "python", allow_ids=(),
              progress: ProgressCallback | None = None) -> Table:
        """The data as this policy reads it: with the outputs of a policy it `uses` added to each row."""
        return self._table(data, id_column, engine, allow_ids, progress)[0]

    def _table(self, data, id_column, engine, allow_ids, progress=None) -> tuple[Table, tuple[Diagnostic, ...]]:
        """`table()`, and the warnings the policies it uses had about the data."""
        return self._prepared(data, id_column, engine, allow_ids, progress)[1:3]

    def _prepared(self, data, id_column, engine, allow_ids, progress=None):
        """(the data as read, the data with the used policies' outputs, their warnings, the columns they read,
        the line stage that made the measures or None)."""
        table = original = read_tables(data)
        stage = None
        if self.model.lines is not None or isinstance(table, DataSet):  # line tables: measures added as columns
            original = resolve(table, line_tables(self.model))
            table, stage = with_measures(self.model, original, id_column, engine)
        warnings: tuple[Diagnostic, ...] = ()
        read: frozenset[str] = frozenset()
        for part in self.parts:
            table, said, part_read = _with_outputs(table, part, id_column, engine, allow_ids, progress)
            warnings += said
            read |= part_read
        return original, table, warnings, read, stage

    def bind(self, data, id_column: str | None = None, engine: str = "python", allow_ids=(),
             progress: ProgressCallback | None = None) -> Bound:
        """The data bound to this policy; `allow_ids`: ids that read like a total row (合计) but are employees."""
        table, said = self._table(data, id_column, engine, allow_ids, progress)
        return _bound(self.plan, table, id_column, allow_ids, said)

    @boundary
    def run(self, data, id_column: str | None = None, keep=None, engine: str = "python", allow_ids=(),
            progress: ProgressCallback | None = None, check_dates: bool = True,
            carry: Sequence[str] | str = ()) -> Results:
        """Evaluate every employee (and period) of `data` (a path, a `Table`, or a list of paths and `NAME=FILE` for
        a policy with line tables); raise `AttainError` on bad data.

        `keep`, a function of a Period, limits the rows returned (earlier periods are still
        computed for the history they give); a kept period outside the policy's `effective`
        and `until` dates is an error that names both. `engine` is "python" (the compiled
        plan, the default), "reference" (every value by the reference evaluator) or "duckdb"
        (the policy compiled to exact SQL, `attain.sql.engine`) or "spark" (that SQL on Apache Spark,
        `attain.sql.spark_engine`); all give identical results.
        `allow_ids` names ids that read like a total row (合计, Total) but are employees; any
        other such row is an error. `progress`, when given, is called
        with a `Progress` as the run reads the data and then every few thousand rows it computes.
        `check_dates=False`: the caller (a folder of versions) has decided which periods this one computes.
        `carry` names data columns to copy into each row after the id and period (姓名, 部门), or is
        `UNREAD`: every column the policy does not read whose rows agree within each employee and period.
        """
        with gc_paused():
            if progress is not None:
                progress(Progress("checking the data" if isinstance(data, Table) else "reading the data", 0, 0))
            original, table, said, part_read, _ = self._prepared(data, id_column, engine, allow_ids, progress)
            bound = _bound(self.plan, table, id_column, allow_ids, said)
            outside = self._outside_dates(bound, keep) if check_dates else []
            if outside:
                raise AttainError(outside)
            runner: Runner | SqlRunner | SparkRunner = (
                SqlRunner(self.plan, bound, MAX_EVALUATION_ERRORS, progress) if engine == "duckdb"
                else SparkRunner(self.plan, bound, MAX_EVALUATION_ERRORS, progress) if engine == "spark"
                else Runner(self.plan, bound, MAX_EVALUATION_ERRORS, engine, progress))
            key = bound.id_column
            names = self.model.outputs
            periodic = bound.period_column is not None
            read = carry_.read_columns(bound, part_read)
            added = table.columns[len(original.columns):]
            present = (key, "period") if periodic else (key,)
            wanted, named = carry_.choose(carry, original, read, added, names, present) if carry else ([], False)
            rows, records = [], []
            for state in runner.run():
                if keep is not None and not keep(state.record.period):
                    continue
                row = {key: state.record.who}
                if periodic:
                    row["period"] = str(state.record.period)
                row.update(zip(names, state.outputs, strict=True))  # one value per output, in order
                rows.append(row)
                records.append(state.record)
        if runner.errors:
            raise AttainError(runner.errors)
        kept: list[str] = []
        if wanted:
            values, kept = carry_.carried(table, records, wanted, named)
            rows = [{**dict(zip(present, (row[c] for c in present), strict=True)), **copied, **row}
                    for row, copied in zip(rows, values, strict=True)]
        columns = (*present, *kept, *names)
        return Results(columns, tuple(rows), {name: str(self.model.types[name]) for name in names},
                       Findings(bound.warnings), header_labels(self.model), tier_labels(self.model), read,
                       tuple(kept))

    def in_force(self, period) -> bool:
        """Whether this version applies to `period`: it starts on or after `effective` and ends by `until`
        (with `version switch on last day`: its last day is within them)."""
        h = self.tree.header
        if period is None:
            return True
        if h.switch == "on last day":  # in force for a period it is in force on the last day of
            end = last_day(period)
            return ((not h.effective or datetime.date.fromisoformat(h.effective) <= end)
                    and (not h.until or end <= datetime.date.fromisoformat(h.until)))
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
            dates = [say("dates.from", date=h.effective)] if h.effective else []
            dates += [say("dates.until", date=h.until)] if h.until else []
            out.append(Diagnostic(
                "E320", say("E320", period=period, policy=self.tree.file, dates=joined(dates, " "),
                            data=bound.file, line=found[period].line), h.span,
                hint=say("E320.hint")))
        return out

    @boundary
    def explain(self, data, who: str, value: str | None = None, id_column: str | None = None,
                period: str | None = None, allow_ids=(), engine: str = "python") -> Explanation:
        """How one employee's value (or every output) came about, down to the data cells.

        `engine` computes the rows before it (earlier periods, colleagues) as `run` does. A CSV
        file is read as `explain_slice` reads it where it can: the employee's rows alone.
        """
        found = self._explain_slice(data, who, value, id_column, period, allow_ids, engine)
        if found is not None:
            return found
        names = [value] if value is not None else list(self.model.outputs)
        if self.model.lines is None:
            return self._explained(self._subject(data, who, id_column, period, allow_ids, engine, names), names)
        # the line stage runs once: its measures are the subject's inputs, its lines the measures' explanation
        _, table, _, _, stage = self._prepared(data, id_column, engine, allow_ids)
        subject = self._subject(data, who, id_column, period, allow_ids, engine, names, table)
        found = self._explained(subject, names)
        roots = self._with_lines(stage, found.roots, subject.who, subject.period)
        return attrs.evolve(found, roots=roots)

    @boundary
    def explain_slice(self, path, who: str, value: str | None = None, id_column: str | None = None,
                      period: str | None = None, allow_ids=(), engine: str = "python",
                      header_row: int | None = None) -> Explanation | None:
        """`explain` of a large CSV file from the employee's rows alone, and their groups' rows in SQL (explain
        at scale, `subjects.sliced_subject`); None where that does not apply: then read the file and `explain`."""
        return self._explain_slice(path, who, value, id_column, period, allow_ids, engine, header_row)

    def _explain_slice(self, path, who, value, id_column, period, allow_ids, engine, header_row=None):
        subject = sliced_subject(self, path, who, id_column, period, allow_ids, engine, header_row)
        if subject is None:
            return None
        names = [value] if value is not None else list(self.model.outputs)
        self._known(names)
        return self._explained(subject, names)

    def _explained(self, subject: Subject, names: list[str]) -> Explanation:
        # Computed again, with a recorder listening: the run above records nothing.
        recorder = Recorder(subject.sources())
        ref = subject.evaluator(observer=recorder)
        for name in names:
            ref.value(name)
        roots = tuple(recorder.traces[name] for name in names)
        return Explanation(subject.who, self.tree.file, roots, subject.period)

    def _with_lines(self, stage, roots, who, period):
        lines = self.model.lines
        assert isinstance(lines, Lines) and stage is not None  # the policy has line tables
        types = {name: {k: str(v) for k, v in spec.model.types.items()} for name, spec in lines.tables.items()}
        return with_lines(roots, lines, stage, (who, period if period is not None else "-"), types)

    @boundary
    def subjects(self, data, whos=None, id_column: str | None = None, period: str | None = None,
                 allow_ids=(), engine: str = "python", skip_missing: bool = False) -> tuple[list[Subject], list[str]]:
        """Several employees' rows (`whos`, else everyone) for `period` (else each one's latest), from one
        binding and one run (subjects.subjects); with `skip_missing`, those without a row for `period`
        are named in the second list instead of being an error."""
        return subjects(self, data, whos, id_column, period, allow_ids, engine, skip_missing)

    @boundary
    def subject(self, data, who: str, id_column: str | None = None, period: str | None = None,
                allow_ids=(), engine: str = "python") -> Subject:
        """One employee's row (for `period`, else their latest), computed as a run computes it, ready to be
        evaluated again by the reference evaluator, as it is or with other input values."""
        return self._subject(data, who, id_column, period, allow_ids, engine, [])

    def _subject(self, data, who, id_column, period, allow_ids, engine, names, table=None) -> Subject:
        """`table`: the data as this policy reads it, where the caller has it already (else read from `data`)."""
        with gc_paused():  # reading and checking every cell allocates as much as in a run
            if table is None:
                table = self.table(data, id_column, engine, allow_ids=allow_ids)
            if not self.plan.aggregates:
                # Nothing looks at colleagues: the employee's own rows are all there is to compute.
                key = find_id_column(table, id_column)
                mine = only(table, key, who)
                if mine.rows:
                    table = mine
            bound = bind(self.plan, table, id_column, allow_ids)
        record = record_of(self, bound, who, period)
        self._known(names)
        if self.plan.aggregates:
            # Colleagues matter, but only those whose values reach this row's group values.
            bound = attrs.evolve(bound, records=needed_records(self.plan, bound.records, record))
        runner = Runner(self.plan, bound, MAX_EVALUATION_ERRORS, engine, retain=frozenset({record.period}))
        with gc_paused():
            # The run stops after the row asked for; it is the last state the run yields.
            last = deque(runner.run(until=(record.who, record.period)), maxlen=1)
        if runner.errors:
            # What run would refuse, explain refuses: this row's errors, or those of a row it reads.
            raise AttainError(runner.errors)
        # Without errors the run stops only at the row asked for, which `bound` holds.
        state = last[0]
        # A row the policy refuses has no result to explain: the refusal says why.
        plain = runner.reference(state)
        for name in self.model.refusals:
            plain.value(name)
        label = str(record.period) if record.period is not None else None
        return Subject(self, who, label, runner, state)

    def _known(self, names) -> None:
        """U511 for a name asked to be explained that the policy does not have."""
        known = list(self.model.inputs) + list(self.model.definitions)
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                raise AttainError([Diagnostic("U511", say("U511", name=name),
                                              hint=say("did_you_mean", close=f"'{close[0]}'") if close else
                                              say("U511.values", names=joined(self.model.outputs)))])


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
    # Reports are not a partition: a value over them takes the whole period, as `everyone` does.
    groups = tuple(dict.fromkeys(None if spec.reports else spec.group for spec in plan.aggregates))
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


def _bound(plan: Plan, table: Table, id_column: str | None, allow_ids, said: tuple[Diagnostic, ...]) -> Bound:
    bound = bind(plan, table, id_column, allow_ids)
    return attrs.evolve(bound, warnings=tuple(dict.fromkeys((*said, *bound.warnings)))) if said else bound


def _with_outputs(table: Table, part: Policy, id_column: str | None, engine: str = "python", allow_ids=(),
                  progress: ProgressCallback | None = None) -> tuple[Table, tuple[Diagnostic, ...], frozenset]:
    """Each row of `table` with the outputs `part` computed for it, as text cells named by output; the
    part's warnings about the data; and the data columns it read."""
    results = part.run(table, id_column, engine=engine, allow_ids=allow_ids, progress=progress)
    key = results.columns[0]
    periodic = "period" in results.columns
    by_row = {(r[key], r["period"] if periodic else None): r for r in results.rows}
    names = [c for c in results.columns if c not in (key, "period")]
    clash = [c for c in names if c in table.columns]
    if clash:
        raise AttainError([Diagnostic("D417", say("D417", column=clash[0], policy=part.tree.file),
                                      hint=say("D417.hint"))])
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
    # The reader's cell places and warnings stay: a bad cell is named as in the data file.
    return (attrs.evolve(table, columns=(*table.columns, *names), rows=tuple(rows)), tuple(results.warnings),
            results.read)
