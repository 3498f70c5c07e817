"""Compiling, the org chart: values over an employee's reports as exact subqueries, and the pairs table they read.

`sum(sales within direct reports)` is, per row, a subquery over the rows of the same
period whose manager column holds the row's id; `... within all reports` joins the
table ORG_TABLE of (manager input, period, manager, report) pairs that the engine loads
from the checked hierarchy (`attain.engine.org.pairs`; binding has refused cycles and
managers who are not employees). The subquery reads the projection the value's column
is computed in (ORG_SOURCE, replaced by `compile.PolicyCompiler._stages`), the row
itself being `ORG_ROW`. Sums add values bounded so that no sum overflows, as group
values do; values whose denominator is a column (after a division by a row's value) are
summed over the reports' largest denominator when it is a multiple of every other, and are
otherwise NULL (as are their min and max), so the Python engine computes those rows exactly.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable

from attain.dsl import nodes as n
from attain.dsl.model import Model
from attain.dsl.org import manager_input
from attain.engine.org import pairs
from attain.sql.columns import LIMIT_SQL, PRODUCT_GUARD, Columns, Num, Value
from attain.sql.relation import InputRelation, input_column

ORG_SOURCE = "__ORG_SOURCE__"  # the projection a subquery over reports reads
ORG_ROW = "__o"  # that projection's name for the row computed
ORG_TABLE = "attain_org"
_COLUMN = re.compile(r"_t\d+|in_\d+")


class OrgCompiler:
    """Values over reports (`within direct reports`, `within all reports`), each a subquery column."""

    # provided by compile.PolicyCompiler (a base listed before the others, so these are annotations only)
    cols: Columns
    model: Model
    relation: InputRelation
    named: Callable[[str], Value]
    col: Callable[[str], str]

    def reports_value(self, e: n.Aggregate) -> Value:
        k = self.relation.inputs.index(manager_input(self.model.inputs, e))
        if e.reports == "direct":
            source = (f"FROM {ORG_SOURCE} AS r WHERE r.{input_column(k)} = {ORG_ROW}.__who "
                      f"AND r.__period IS NOT DISTINCT FROM {ORG_ROW}.__period")
        else:
            source = (f"FROM {ORG_TABLE} AS g JOIN {ORG_SOURCE} AS r ON r.__who = g.report "
                      f"AND r.__period IS NOT DISTINCT FROM g.period WHERE g.k = {k} AND g.manager = {ORG_ROW}.__who "
                      f"AND g.period IS NOT DISTINCT FROM {ORG_ROW}.__period")
        count = self._column(f"(SELECT CAST(count(*) AS HUGEINT) {source})")
        if e.func == "count":
            return Num(count, 1)
        assert isinstance(e.value, n.Name), "the checker allows a value over reports of a name only"
        v = self.named(e.value.id)
        assert isinstance(v, Num)
        x = "r." + (v.n if _COLUMN.fullmatch(v.n) else self._column(v.n))
        if not isinstance(v.d, int):
            return self._pairs(e, x, "r." + (v.d if _COLUMN.fullmatch(v.d) else self._column(v.d)), count, source)
        known = f"count({x}) = count(*)"
        if e.func in ("min", "max"):
            return Num(self._column(f"(SELECT CASE WHEN count(*) > 0 AND {known} THEN {e.func}({x}) END {source})"),
                       v.d)
        total = self._column(f"(SELECT CASE WHEN count(*) = 0 THEN CAST(0 AS HUGEINT) WHEN {known} AND "
                             f"max(abs({x})) < {LIMIT_SQL} // count(*) THEN {_summed(x)} END {source})")
        if e.func == "sum":
            return Num(total, v.d)
        assert e.func == "mean", "the checker refuses rank and percentile over reports (C298)"
        return Num(self.col(f"CASE WHEN {count} > 0 THEN {total} END"),
                   self.col(f"CASE WHEN {count} > 0 THEN {count} * {v.d} END"))

    def _pairs(self, e: n.Aggregate, x: str, d: str, count: str, source: str) -> Value:
        """A sum or mean of per-row pairs n/d over reports: over the reports' largest denominator D when it is a
        multiple of every other, each term n * (D / d) bounded so that the sum cannot overflow; else NULL (the
        Python engine's rows). min and max of pairs are the Python engine's too."""
        if e.func not in ("sum", "mean"):
            return Num(self._column("CAST(NULL AS HUGEINT)"), 1)
        big = self._column(f"(SELECT max({d}) {source})")  # NULL without reports
        own = f"{ORG_ROW}.{big}"
        estimate = f"abs(CAST({x} AS DOUBLE) * CAST({own} // {d} AS DOUBLE))"  # of each product, |x * (D / d)|
        # each product computed only where its estimate shows it fits: an aggregate's argument is computed for
        # every report, whatever the CASE around the aggregate decides
        term = f"CASE WHEN {estimate} < {PRODUCT_GUARD} THEN {x} * ({own} // {d}) END"
        total = self._column(
            f"(SELECT CASE WHEN count(*) = 0 THEN CAST(0 AS HUGEINT) WHEN {own} IS NOT NULL AND count({x}) = count(*) "
            f"AND count({d}) = count(*) AND bool_and({own} % {d} = 0) AND max({estimate}) < {PRODUCT_GUARD} / count(*) "
            f"THEN {_summed(term)} END {source})")
        den = self.col(f"coalesce({big}, CAST(1 AS HUGEINT))")
        if e.func == "sum":
            return Num(total, den)
        return Num(self.col(f"CASE WHEN {count} > 0 THEN {total} END"),
                   self.col(f"CASE WHEN {count} > 0 THEN {count} * {den} END"))

    def _column(self, sql: str) -> str:
        return self.cols.add(sql)


_HALF = f"CAST({2**64} AS HUGEINT)"


def _summed(term: str) -> str:
    """The sum of `term` over the reports, for a CASE branch taken only where it is below LIMIT: summed as its
    high and low halves (term = high * 2^64 + low, both truncated toward zero), neither of whose sums can leave
    128 bits, then put together. A plain sum(term) overflows while it adds, before the CASE around it can look at
    the result, and DuckDB then stops the whole query."""
    return (f"(CAST(sum(CAST(({term}) // {_HALF} AS HUGEINT)) AS HUGEINT) * {_HALF} "
            f"+ CAST(sum(({term}) % {_HALF}) AS HUGEINT))")


def load_org(con, plan, bound) -> bool:
    """ORG_TABLE in `con`: every (manager input, period, manager, report) under `within all reports`; whether
    the policy has such a value (else no table is made)."""
    wanted = {spec.group for spec in plan.aggregates if spec.reports == "all"}
    if not wanted:
        return False
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="attain-org-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["k", "period", "manager", "report"])
            for k in sorted(wanted):
                w.writerows((k, period, manager, report) for period, manager, report, _level
                            in pairs(bound.records, k, "all"))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {ORG_TABLE} AS SELECT * FROM read_csv('{path}', header = true, "
                    "columns = {'k': 'INTEGER', 'period': 'INTEGER', 'manager': 'VARCHAR', 'report': 'VARCHAR'}, "
                    "quote = '\"', escape = '\"', allow_quoted_nulls = false, auto_detect = false, delim = ',', "
                    "new_line = '\\n')").fetchall()
    finally:
        os.unlink(path)
    return True
