"""Explaining at scale, group values: a group's aggregate computed in SQL over its members' rows only.

For `percentile(attainment within region)` the explanation of one employee needs the
value of their region in their period, nothing else of the other rows. The members'
rows (those whose group cell is the employee's, in the same periods; with history, every
row of every employee ever in one of the employee's groups, for their earlier values) are
read by DuckDB from the file, validated cell by cell with the columnar reader's own checks
(`attain.sql.read`), and the policy compiled to exact SQL over them (`attain.sql.compile`):
one aggregate query counts what bears on the employee (`attain.sql.slice_counts`: the
members above and below them, the group's size and sum), else a run's windows give every
member's group values and the employee's are read, each with its group's key and size.
`SlicedRunner` is the Python runner that takes these facts in place of the
groups it would compute from every row, so the reference evaluator explains the row with
the group values of a whole run, in the same words.

`facts` returns None, and the caller reads the whole file, wherever it cannot vouch for
that: a group by a column that is not a text input or has a default, a group value of a
value that itself reads a group value (or an earlier period's value that does), a value
SQL leaves to the reference evaluator, a member's cell the
checks refuse, a member twice in a period or with a gap in the history the policy reads.
An evaluation error in a member's other values does not reach the explanation. A policy
that carries values from period to period runs period by period, as the duckdb engine does.
"""

from __future__ import annotations

import csv
from typing import Any

import attrs

from attain.dsl import nodes as n
from attain.engine.bind import PERIOD_COLUMNS, Record
from attain.engine.plan import Plan
from attain.engine.runner import Runner
from attain.engine.runtime import MISSING
from attain.io.parquet import is_duckdb_error
from attain.sql.columns import Num, lit
from attain.sql.compile import PERIOD, PolicyCompiler
from attain.sql.compile_exprs import Carried, NotCompiled
from attain.sql.read import _SPACE_CLASS, _SPACES, _id_checks, _inputs, _one, _periods, _Refused, quote
from attain.sql.read import trimmed as trimmed_cell
from attain.sql.relation import InputRelation, input_column
from attain.sql.slice import Rows
from attain.sql.slice_counts import Checks, NotPointed, Refused, Risky, group_rows
from attain.sql.slice_parquet import native_inputs

Facts = dict  # (period index or None, aggregate number) -> (group key, group size, (num, den) or None)


class _Recording(PolicyCompiler):
    """The policy compiler, keeping each group value's SQL and its key column; in carried mode (values carried
    from period to period) each period's query also selects the group values."""

    def __init__(self, plan: Plan, relation: InputRelation, carried: bool = False):
        super().__init__(plan, relation, carried)
        self.recorded: dict = {}

    def group_value(self, e: n.Aggregate):
        keys = len(self.group_keys)
        value = super().group_value(e)
        self.recorded[e] = (value, self.group_keys[keys] if len(self.group_keys) > keys else None)
        return value

    def group_columns(self) -> list[str] | None:
        """Each group value's numerator, denominator and group size, as columns g{i}_n, g{i}_d, g{i}_size."""
        selected = []
        for i, spec in enumerate(self.plan.aggregates):
            got = self.recorded.get(spec.node)
            if got is None:
                return None
            value, key = got
            assert isinstance(value, Num)
            den = value.d if isinstance(value.d, str) else lit(value.d)
            partition = "PARTITION BY __period" + (f", {key}" if key is not None else "")
            selected += [f"{value.n} AS g{i}_n", f"{den} AS g{i}_d", f"count(*) OVER ({partition}) AS g{i}_size"]
        return selected

    def _stages(self, source: str, selected: list[str]) -> str:
        if self.carried:
            selected = [*selected, *(self.group_columns() or [])]
        return super()._stages(source, selected)


def applies(plan: Plan, found: Rows) -> bool:
    """Whether group values can be read from the members' rows alone: each group is a text input read from
    a column, without a default, and no group value is of a value that reads a group value (the members'
    own groups)."""
    if plan.history and any(plan.stage_of.get(name, 0) != 0 for name in plan.model.history_refs):
        return False  # an earlier value that reads a group value: the members' earlier groups would be needed
    for spec in plan.aggregates:
        if spec.name is not None and plan.stage_of.get(spec.name, 0) != 0:
            return False
        if spec.group is not None:
            name = plan.inputs[spec.group]
            if plan.model.types[name].kind != "text" or name not in found.columns:
                return False
            if plan.model.inputs[name].default is not None:
                return False  # an empty cell is in the default's group: no cell to find its rows by
    return True


def read_inputs(plan: Plan) -> set[str]:
    """The inputs the group values read: their keys, and every input their values are computed from (with
    history, those of every value read from an earlier period too). The members' other cells play no part."""
    model = plan.model
    todo = [spec.name for spec in plan.aggregates if spec.name is not None]
    if plan.history:
        todo += list(model.history_refs)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += model.deps.get(name, ())
    seen |= {plan.inputs[spec.group] for spec in plan.aggregates if spec.group is not None}
    return {name for name in seen if name in model.inputs}


def needed(plan: Plan, records, record: Record) -> list[Record]:
    """The employee's records an explanation of `record` computes: those up to its period with history, else it."""
    if record.period is None:
        return [record]
    if plan.history:
        return [r for r in records if r.period is not None and r.period.index <= record.period.index]
    return [record]


def facts(plan: Plan, found: Rows, record: Record, con: Any) -> Facts | None:
    """The group values of the employee's rows up to `record` (their period only without history), from SQL."""
    if not applies(plan, found):
        return None
    history = bool(plan.history) and record.period is not None
    mine = needed(plan, found.bound.records, record)
    keys: dict[str, set[str]] = {}
    everyone = False
    for spec in plan.aggregates:
        if spec.group is None:
            everyone = True
            continue
        for r in mine:
            if r.fast[spec.group] is MISSING:
                return None  # the row's own error (E302): the whole read says it, with the others
            keys.setdefault(found.columns[plan.inputs[spec.group]], set()).add(r.fast[spec.group])
    # The counting query also checks the members' cells (`checked`): a Parquet file is read where it lies, once,
    # by that query; a CSV file is parsed once into a table, which it reads. With a history, every member's
    # earlier rows are read into tables, checked, then counted.
    # From Parquet, the members' ids are first read as stored: where one may need trimming or read like a
    # total (`_quick`), they are read again, trimmed and checked one by one.
    tries = (True, False) if found.source is not None and not history else (False,)
    try:
        for quick in tries:
            relation = _members(con, plan, found, keys, everyone, history, record, not history, quick)
            if relation is None:
                return None
            checked = (_quick(found.allow_ids) if quick else Checks()) if not history else None
            try:
                return _group_values(con, plan, relation, found.bound.records[0].who, mine, checked)
            except Risky:
                continue
        return None
    except (_Refused, Carried, NotCompiled, Refused):
        return None
    except Exception as e:  # a DuckDB error: what DuckDB cannot read, the whole read reads or reports
        if not is_duckdb_error(e):
            raise
        return None


# long: one read, its checks and its relation, each step in order
def _members(con: Any, plan: Plan, found: Rows, keys: dict[str, set[str]], everyone: bool, history: bool,
             record: Record, checked: bool = False, quick: bool = False) -> InputRelation | None:
    """The members' rows as the input relation `__attain_input`, validated; None where a check fails.
    `quick`: the ids as stored (`_quick`).

    `checked`: the input is a view, each row with __bad (a cell the checks refuse) and __in (a row of the
    explained period), which `slice_counts.group_rows` checks as it counts; the raw cells a view of the Parquet
    file (read once, by that query) or a table of the CSV file's (parsed once)."""
    head = found.head
    read = read_inputs(plan)
    columns = {name: column for name, column in found.columns.items() if name in read}
    kind = plan.model.policy.header.period
    period_column = next((c for c in PERIOD_COLUMNS if c in head.columns), None) if kind else None
    if kind and period_column is None:
        return None  # dates, or no period column: binding decides
    # Only the cells the group values read: the id, the period, the keys and the values' inputs.
    used = {found.id_column, *columns.values(), *([period_column] if period_column else [])}
    cell = {c: f"c{i}" for i, c in enumerate(head.columns) if c in used}
    who = cell[found.id_column]
    source, trimmed, fits = _scan(found, cell, keys, who if quick else None)
    # A trimmed cell holds its raw text's characters: rows whose raw key cell does not contain a key are
    # dropped before the (costly) trimming; the exact test follows on the trimmed cells.
    near = " OR ".join(f"contains({cell[column]}, {quote(k)})" for column, ks in sorted(keys.items()) for k in ks)
    wanted = " OR ".join(f"{cell[column]} IN ({', '.join(quote(k) for k in sorted(ks))})"
                         for column, ks in sorted(keys.items()))
    near, where = ("TRUE", "TRUE") if everyone or not wanted else (near, wanted)
    if history and where != "TRUE":
        # Every row of every employee in one of the groups: their earlier periods give their values.
        con.execute(f"CREATE OR REPLACE TEMP TABLE __attain_who AS SELECT DISTINCT {who} AS w FROM "
                    f"(SELECT {trimmed} FROM {source} WHERE {near}) WHERE {where}")
        near, where = "TRUE", f"{who} IN (SELECT w FROM __attain_who)"
    scan = f"(SELECT {trimmed}, {fits} AS __fits FROM {source} WHERE {near})"
    made = "VIEW" if checked and found.source is not None else "TABLE"  # a CSV file is parsed once, into a table
    con.execute(f"CREATE OR REPLACE TEMP {made} __attain_raw AS SELECT * FROM {scan} WHERE {where}")
    checks = ["__fits", f"NOT ({' AND '.join(f'{c} IS NULL' for c in cell.values())})"]
    checks += _id_checks(who, found.allow_ids)[:1] if quick else _id_checks(who, found.allow_ids)
    values, scales, more = _values(con, plan, found, columns, cell)
    checks += more
    # As a filter, so that a cell's cheap test spares it the costly ones (DuckDB stops an OR at its first true).
    if not checked and _one(con, f"SELECT count(*) FROM __attain_raw WHERE NOT ({' AND '.join(checks)})"):
        return None  # a member's cell the checks refuse: the whole read names it
    periods: tuple = ()
    period_sql, join, only = "NULL", "", ""
    if kind and period_column and record.period is not None:
        periods, period_sql = _periods(con, kind, cell[period_column])
        join = f" LEFT JOIN __attain_labels l ON l.label = r.{cell[period_column]}"
        at = record.period.index
        only = f" WHERE l.idx {'<=' if history else '='} {at}"
        periods = tuple(p for p in periods if (p.index <= at if history else p.index == at))
    select = ", ".join(["CAST(row_number() OVER () - 1 AS BIGINT) AS __seq", "CAST(0 AS BIGINT) AS __line",
                        f"r.{who} AS __who", f"CAST({period_sql} AS INTEGER) AS __period",
                        *(f"{v} AS {input_column(k)}" for k, v in enumerate(values))])
    if checked:
        return _checked_view(con, plan, found, select, join, only, checks, periods, scales, columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE __attain_input AS SELECT {select} FROM __attain_raw r{join}{only}")
    con.execute("DROP TABLE __attain_raw")  # the cells' texts: the query reads the values alone
    rows = _one(con, "SELECT count(*) FROM __attain_input")
    if _one(con, "SELECT count(*) - count(DISTINCT (__who, __period)) FROM __attain_input"):
        return None  # a member twice in a period: D414, or rows to combine
    if history and plan.model.policy.header.gaps != "restart" and _one(
            con, "SELECT count(*) FROM (SELECT __period - lag(__period) OVER (PARTITION BY __who ORDER BY __period)"
            " AS step FROM __attain_input) WHERE step > 1"):
        return None  # a gap in a member's history: E310
    return InputRelation("__attain_input", found.path, found.id_column, tuple(plan.inputs), scales, periods, rows,
                         columns, {c: i + 1 for i, c in enumerate(head.columns)}, found.warnings)


def _checked_view(con: Any, plan: Plan, found: Rows, select: str, join: str, only: str, checks: list[str],
                  periods: tuple, scales: dict[str, int], columns: dict[str, str]) -> InputRelation:
    """`__attain_input` as a view of every member's row (of every period: each is checked), with __bad and __in."""
    # A CASE tries each check only on the rows every check before it passed (or left unknown), as the filter
    # does: bad is a check that is false, never one that is unknown.
    bad = "CASE " + " ".join(f"WHEN ({c}) IS FALSE THEN true" for c in checks) + " ELSE false END"
    within = f"coalesce({only.removeprefix(' WHERE ')}, false)" if only else "true"
    con.execute(f"CREATE OR REPLACE TEMP VIEW __attain_input AS SELECT {select}, {bad} AS __bad, {within} AS __in "
                f"FROM __attain_raw r{join}")
    # The file's rows, at least the members': it bounds a sum's terms (`slice_counts`) as their number would.
    # Only a sum or a mean (any function but these) reads it.
    sums = any(spec.node.func not in ("count", "rank", "percentile", "min", "max") for spec in plan.aggregates)
    rows = _one(con, f"SELECT count(*) FROM {found.source or '__attain_raw'}") if sums else 0
    head = found.head
    return InputRelation("__attain_input", found.path, found.id_column, tuple(plan.inputs), scales, periods, rows,
                         columns, {c: i + 1 for i, c in enumerate(head.columns)}, found.warnings)


def _quick(allowed: frozenset) -> Checks:
    """The checks of ids read as stored (empty as none): none may start or end with a space, nor read like a
    total. Both are tested once, on every member's id joined by chr(1) (`slice_counts.IDS`): a space at an id's
    edge is one beside a chr(1) or at an end; the total test is the columnar reader's, whose expression finds
    in the joined ids whatever it finds in one of them (and perhaps more: then the ids are read again)."""
    total = _id_checks("st.ids", allowed)[1]
    assert total.startswith("NOT "), total  # attain.sql.read's test, negated: that it may be a total
    edge = f"(?:^|\x01){_SPACE_CLASS}|{_SPACE_CLASS}(?:\x01|$)"
    # First, without a regular expression (a tenth of their time): ids of ASCII only, without an s or a t (no
    # total's word, in any case) nor any ASCII space, have none to trim and none that reads like a total.
    plain = " OR ".join(f"contains(st.ids, chr({ord(c)}))" for c in ("s", "S", "t", "T", *_SPACES) if ord(c) < 0x80)
    return Checks(f"CASE WHEN strlen(st.ids) = length(st.ids) AND NOT ({plain}) THEN false "
                  f"ELSE regexp_matches(st.ids, {quote(edge)}) OR NOT ({total}) END")


def _verified(con: Any, checked: Checks) -> bool:
    """Whether the checked view's members pass their checks, none twice in a period (`slice_counts.STATS`);
    `Risky` where its ids must be read again."""
    bad, twice, risky = con.execute(f"SELECT bad, twice, coalesce({checked.risky}, false) FROM "
                                    f"(SELECT {checked.stats()} FROM __attain_input) st").fetchall()[0]
    if risky:
        raise Risky
    return not bad and not twice


def _values(con: Any, plan: Plan, found: Rows, columns: dict[str, str], cell: dict[str, str]
            ) -> tuple[list[str], dict[str, int], list[str]]:
    """The members' values, their scales and the checks: text cells as the columnar reader reads them, a
    Parquet file's numbers, yes/no and dates as stored (attain.sql.slice_parquet)."""
    texts = {name: column for name, column in columns.items() if column not in found.stored}
    values, scales, checks = _inputs(con, plan, texts, cell)
    values, checks = _plain_numbers(plan, texts, cell, values, scales, checks)
    if found.stored:
        native_inputs(plan, columns, cell, found.stored, values, scales, checks)
    return values, scales, checks


def _plain_numbers(plan: Plan, columns: dict[str, str], cell: dict[str, str], values: list[str],
                   scales: dict[str, int], checks: list[str]) -> tuple[list[str], list[str]]:
    """The columnar reader's values and checks, with a plain decimal (digits, maybe a point and digits, for a
    percent maybe a %) read by string functions: the same value, without its regular expressions' cost.

    Any other cell (a sign, thousands groups, a percent typed as points, too many digits) is read and
    checked by the reader's own expressions, which also keep every range and points check.
    """
    values, checks = list(values), list(checks)
    for k, name in enumerate(plan.inputs):
        inp = plan.model.inputs[name]
        if name not in columns or not plan.model.types[name].numeric or inp.type == "count":
            continue
        t = cell[columns[name]]
        percent = inp.type == "percent"
        points = "true" if percent and inp.written == "points" else "false"
        form = "^[0-9]+(\\.[0-9]+)?%?$" if percent else "^[0-9]+(\\.[0-9]+)?$"
        pct = f"ends_with({t}, '%')" if percent else "false"
        digits = f"replace(replace({t}, '.', ''), '%', '')"
        places = (f"(CASE WHEN contains({t}, '.') THEN length({t}) - strpos({t}, '.') - CASE WHEN {pct} THEN 1 "
                  f"ELSE 0 END ELSE 0 END + CASE WHEN {pct} OR {points} THEN 2 ELSE 0 END)")
        scale = scales[name]
        plain = f"(regexp_matches({t}, '{form}') AND length({digits}) + {scale} - {places} <= 38)"
        values[k] = (f"CASE WHEN {plain} THEN CAST({digits} || repeat('0', CAST({scale} - {places} AS INTEGER)) "
                     f"AS HUGEINT) ELSE {values[k]} END")
        shape = f"({t} IS NULL OR (regexp_matches({t}, "
        # CASE, not OR: DuckDB evaluates a CASE's branches only for the rows that reach them.
        checks = [f"(CASE WHEN {plain} THEN true ELSE {c} END)" if c.startswith(shape) else c for c in checks]
    return values, checks


def _scan(found: Rows, cell: dict[str, str], keys: dict[str, set[str]], stored: str | None = None
          ) -> tuple[str, str, str]:
    """The file as DuckDB reads it (every cell a text), the used cells trimmed, and the test that each fits;
    the cell `stored` (the ids, `_quick`) as it is stored, empty as none."""
    head = found.head
    fields = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(head.columns)))
    # Trimmed as the columnar reader trims (attain.sql.read, as the csv reader's strip() does). A group's key is
    # a trimmed cell, so a key cell that is exactly a key is its own trimming: its test spares the members that.
    texts = [c for column, c in cell.items() if column not in found.stored]
    exact = {cell[column]: ", ".join(quote(k) for k in sorted(ks)) for column, ks in keys.items()}
    trimmed = ", ".join((f"CASE WHEN {c} IN ({exact[c]}) THEN {c} ELSE {trimmed_cell(c)} END AS {c}" if c in exact
                         else f"nullif({c}, '') AS {c}" if c == stored else f"{trimmed_cell(c)} AS {c}")
                        if c in texts else c for c in cell.values())
    fits = " AND ".join(f"coalesce(length({c}), 0) <= {csv.field_size_limit()}" for c in texts) or "true"
    if found.source is not None:  # a Parquet file, its cells as text (attain.sql.slice_parquet)
        return found.source, trimmed, fits
    source = (f"read_csv({quote(found.path)}, header = false, skip = {head.header_line}, columns = {{{fields}}}, "
              "delim = ',', quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, "
              "null_padding = false, allow_quoted_nulls = false)")
    return source, trimmed, fits


def _group_values(con: Any, plan: Plan, relation: InputRelation, who: str, mine: list[Record],
                  checked: Checks | None = None) -> Facts | None:
    """Each of the employee's rows' group values, keys and sizes, from the policy compiled over the members:
    counted for the employee alone (`slice_counts`), else by the windows a run computes for every member."""
    try:
        return _facts_of(plan, group_rows(con, plan, relation, who, checked), mine)
    except (NotPointed, Carried):
        pass
    if checked:
        if not _verified(con, checked):
            return None  # a member's cell the checks refuse, or a member twice: the whole read names it
        # The windows read the explained period's rows only, as the table of an unchecked read holds them.
        con.execute("CREATE OR REPLACE TEMP VIEW __attain_in AS SELECT * EXCLUDE (__bad, __in) FROM __attain_input "
                    "WHERE __in")
        relation = attrs.evolve(relation, table="__attain_in")
    compiler = _Recording(plan, relation)
    wanted = {spec.node for spec in plan.aggregates}
    try:
        for name in plan.model.order:  # the definitions up to those holding the group values, and what they read
            if wanted <= compiler.recorded.keys():
                break
            compiler.named(name)
    except Carried:
        return _carried_values(con, plan, relation, who, mine)
    selected = compiler.group_columns()
    if selected is None:
        return None
    query = compiler._stages(relation.table, ["__who", "__period", *selected])
    found = con.execute(f"SELECT * FROM ({query}) WHERE __who = ?", [who]).fetchall()
    return _facts_of(plan, found, mine)


def _carried_values(con: Any, plan: Plan, relation: InputRelation, who: str, mine: list[Record]) -> Facts | None:
    """`_group_values` for a policy that carries values from period to period: run period by period, as the
    duckdb engine runs it (attain.sql.engine.execute), each period's group values read for the employee."""
    compiler = _Recording(plan, relation, carried=True)
    compiled = compiler.query()
    columns = compiler.group_columns()
    if columns is None:
        return None
    picked = ", ".join(["__who", "__period", *(c.rsplit(" AS ", 1)[1] for c in columns)])
    for statement in compiled.prelude:
        con.execute(statement).fetchall()
    found: list = []
    for period in relation.periods:
        con.execute("CREATE OR REPLACE TEMP TABLE attain_result AS "
                    + compiled.sql.replace(PERIOD, str(period.index))).fetchall()
        found += con.execute(f"SELECT {picked} FROM attain_result WHERE __who = ?", [who]).fetchall()
        con.execute(compiled.keep).fetchall()
    return _facts_of(plan, found, mine)


def _facts_of(plan: Plan, found: list, mine: list[Record]) -> Facts | None:
    """The facts of the employee's result rows (who, period, then each group value's n, d and size)."""
    by_period = {r.period.index if r.period is not None else None: r for r in mine}
    out: Facts = {}
    for row in found:
        record = by_period.get(row[1])
        if record is None:
            continue
        for i, spec in enumerate(plan.aggregates):
            num, den, size = row[2 + 3 * i: 5 + 3 * i]
            if num is None and not (spec.except_self and size == 1 and spec.func != "count"):
                return None  # unknown to SQL (a member's value missing or beyond it): the whole run decides
            key = record.fast[spec.group] if spec.group is not None else None
            out[(row[1], i)] = (key, int(size), None if num is None else (int(num), int(den)))
    if len(out) != len(by_period) * len(plan.aggregates):
        return None
    return out


class SlicedRunner(Runner):
    """The Python runner over one employee's rows, with each group value given (`facts`) instead of computed."""

    def __init__(self, plan: Plan, bound, facts: Facts, *args, **kwargs):
        super().__init__(plan, bound, *args, **kwargs)
        self.facts = facts

    def _groups(self, states, specs):
        super()._groups(states, specs)  # places each row in its groups, and says where a key or value is missing
        for spec in specs:
            i = self.plan.aggregates.index(spec)
            for state in states:
                if state.failed or i >= len(state.groups):
                    continue
                period = state.record.period.index if state.record.period is not None else None
                key, size, value = self.facts[(period, i)]
                state.groups[i] = value
                state.group_facts[i] = (spec, key, size, value)
