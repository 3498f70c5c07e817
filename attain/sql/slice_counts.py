"""Explaining at scale, a group value as it bears on one employee: counts and sums over the group, no window.

A run computes `percentile(attainment within region)` for every member, ordering the
region's values (`attain.sql.compile_windows`); an explanation of one employee needs only
theirs. The policy compiler writes each member's exact value (`n / d`, d > 0) and group key,
as it does for a run; one aggregate query then reads, for each of the employee's periods,
the members of their group in that period (the same partition a run's window reads) and
counts what bears on the employee: the group's size, how many members' values are known,
for rank and percentile the members strictly above and strictly below the employee's value
(compared exactly, `n1 * d2 < n2 * d1` in HUGEINT, where every term is below 10^19 so that
no product overflows), for sum and mean the total of terms each below LIMIT / rows.

`group_rows` gives, per period, the rows `slice_groups._facts_of` reads (who, period, then
each group value's numerator, denominator and size), the same pairs a run's windows give:
rank is 1 + the members above (ties share the best rank), percentile the members below
over the others (1 for a group of one), as docs/language.md says. Where this way does not
apply (a group over reports or by manager, a value carried from period to period, a sum of
values whose denominators differ, min or max except self, a term too large to bound) it
raises `NotPointed`, and the windows are used as before.
"""

from __future__ import annotations

from typing import Any

import attrs

from attain.dsl import nodes as n
from attain.dsl.org import EMPLOYEE
from attain.engine.plan import Plan
from attain.sql.columns import LIMIT, Num, TierVal, lit
from attain.sql.compile import PolicyCompiler
from attain.sql.relation import InputRelation

TERM = 10**19  # |n| and d below it: a product of two stays below 10^38 < 2^127


class NotPointed(Exception):
    """This group value is left to the windows of a run (`slice_groups`)."""


class Refused(Exception):
    """A member's cell the checks refuse, or a member twice in a period: the whole read names it."""


class Risky(Exception):
    """An id the quick reading (ids as stored, `Checks.risky`) cannot vouch for: read them again, trimmed."""


# The members' checks in the counting query itself: the relation's rows carry __bad (a cell the checks
# refuse) and __in (a row of a period the explanation reads; the others are there to be checked).
STATS = ("count(*) FILTER (WHERE __bad) AS bad, "
         "count(*) FILTER (WHERE __in) - count(DISTINCT (__who, __period)) FILTER (WHERE __in) AS twice")
IDS = "string_agg(__who, chr(1)) AS ids"  # every member's id, joined: what `Checks.risky` reads


@attrs.frozen
class Checks:
    """What the counting query checks of the members, as it counts (`slice_groups`)."""

    risky: str = "false"  # SQL over `st` (STATS, IDS): true when an id (of `st.ids`) may need trimming

    def stats(self) -> str:
        return STATS if self.risky == "false" else f"{STATS}, {IDS}"


def group_rows(con: Any, plan: Plan, relation: InputRelation, who: str, checked: Checks | None = None
               ) -> list[tuple]:
    """The employee's rows as (who, period, then n, d, size of each group value), from one aggregate query.

    `checked`: the query also counts the members' refused cells and repeated (id, period) pairs, over the
    rows it reads once, and raises `Refused` for any (`Risky` first, when its ids need another reading)
    before a value is read."""
    compiler = PolicyCompiler(plan, relation)
    selected = ["__who", "__period", *(["__bad", "__in"] if checked else [])]
    parts: list[list[str]] = []
    for i, spec in enumerate(plan.aggregates):
        e = spec.node
        member = _member(compiler, e, i, selected)
        value: Num | None = None
        if e.func != "count":
            assert isinstance(e.value, n.Name), "the checker allows a group value of a name only"
            named = compiler.named(e.value.id)
            assert isinstance(named, Num)
            value = named
            den = value.d if isinstance(value.d, str) else lit(value.d)
            selected += [f"{value.n} AS v{i}_n", f"{den} AS v{i}_d"]
        parts.append(_aggregates(e, i, member, value, relation.rows))
    rows = compiler._stages(relation.table, selected)
    columns = ", ".join(c for part in parts for c in part)
    mine = "__who = $who AND __in" if checked else "__who = $who"
    # The verdict computed once, from the stats of every member (not for each row the aggregate reads).
    stats = (f", st AS MATERIALIZED (SELECT bad, twice, coalesce({checked.risky}, false) AS risky FROM "
             f"(SELECT {checked.stats()} FROM s) st)" if checked else "")
    verdict = ", any_value(st.bad), any_value(st.twice), any_value(st.risky)" if checked else ""
    query = (f"WITH s AS MATERIALIZED ({rows}), me AS (SELECT * FROM s WHERE {mine}){stats} "
             f"SELECT me.__period, {columns}{verdict} "
             f"FROM me JOIN s ON coalesce(s.__period, -1) = coalesce(me.__period, -1)"
             f"{' CROSS JOIN st' if checked else ''} GROUP BY me.__period ORDER BY me.__period")
    found = con.execute(query, {"who": who}).fetchall()
    if checked:
        if checked.risky != "false" and (not found or found[0][-1]):
            raise Risky  # (no row: the employee's own id may be one to trim)
        if found and (found[0][-3] or found[0][-2]):
            raise Refused
        found = [row[:-3] for row in found]
    return [(who, row[0], *_values(plan, row[1:])) for row in found]


def _member(compiler: PolicyCompiler, e: n.Aggregate, i: int, selected: list[str]) -> str:
    """The test that a row `s` is in the employee's (`me`) group of the aggregate; its key column selected."""
    if e.reports is not None:
        raise NotPointed("a value over reports")
    if e.group is None:
        return "TRUE"
    inp = compiler.model.inputs.get(e.group)
    if inp is None or inp.type == EMPLOYEE:
        raise NotPointed("a group by manager (an empty manager: the tops are one group)")
    g = compiler.named(e.group)
    selected.append(f"{g.name if isinstance(g, TierVal) else g.sql} AS k{i}")  # type: ignore[union-attr]
    return f"s.k{i} = me.k{i}"


def _aggregates(e: n.Aggregate, i: int, member: str, value: Num | None, rows: int) -> list[str]:
    """The aggregate columns of group value i: its size first, then what its function needs."""
    size = [f"count(*) FILTER (WHERE {member})"]
    if value is None:
        return size
    sn, sd, mn, md = f"s.v{i}_n", f"s.v{i}_d", f"me.v{i}_n", f"me.v{i}_d"
    known = f"count({sn}) FILTER (WHERE {member})"
    if e.func in ("rank", "percentile"):
        if value.fixed:
            above, below = f"{sn} > {mn}", f"{sn} < {mn}"
            fits = "true"
        else:
            small = f"abs({sn}) < {lit(TERM)} AND {sd} < {lit(TERM)} AND abs({mn}) < {lit(TERM)} AND {md} < {lit(TERM)}"
            fits = f"bool_and({small}) FILTER (WHERE {member})"
            # CASE: a product is computed only where every factor is small (no HUGEINT overflow).
            above = f"CASE WHEN {small} THEN {sn} * {md} > {mn} * {sd} END"
            below = f"CASE WHEN {small} THEN {sn} * {md} < {mn} * {sd} END"
        return [*size, known, fits, f"count(*) FILTER (WHERE {member} AND {above})",
                f"count(*) FILTER (WHERE {member} AND {below})"]
    if not value.fixed:
        raise NotPointed("a value whose denominator differs from row to row")
    if e.func in ("min", "max"):
        if e.except_self:
            raise NotPointed("min or max except self")
        return [*size, known, f"{e.func}({sn}) FILTER (WHERE {member})", f"any_value({md})"]
    # Below LIMIT / rows, so below LIMIT / size for every group: no sum overflows (`lit` refuses LIMIT itself).
    bound = f"abs({sn}) < CAST({LIMIT // max(rows, 1)} AS HUGEINT)"
    return [*size, known, f"count(*) FILTER (WHERE {member} AND {bound})",
            f"CAST(sum(CASE WHEN {bound} THEN {sn} END) FILTER (WHERE {member}) AS HUGEINT)",
            f"any_value({mn})", f"any_value({md})"]


def _values(plan: Plan, row: tuple) -> list:
    """Each group value's (n, d, size) from its aggregate columns, as the run's windows give them."""
    out: list = []
    at = 0
    for spec in plan.aggregates:
        e = spec.node
        size = row[at]
        if e.func == "count":
            out += [size - 1 if e.except_self else size, 1, size]
            at += 1
            continue
        if e.func in ("rank", "percentile"):
            known, fits, above, below = row[at + 1: at + 5]
            at += 5
            ok = known == size and fits is not False
            if not ok:
                out += [None, None, size]
            elif e.func == "rank":
                out += [above + 1, 1, size]
            else:
                out += [1, 1, size] if size == 1 else [below, size - 1, size]
            continue
        if e.func in ("min", "max"):
            known, best, d = row[at + 1: at + 4]
            at += 4
            out += [best if known == size else None, d, size]
            continue
        known, bounded, total, own, d = row[at + 1: at + 6]
        at += 6
        out += _sum_or_mean(e, size, known, bounded, total, own, d)
    return out


def _sum_or_mean(e: n.Aggregate, size: int, known: int, bounded: int, total, own, d) -> list:
    """sum or mean (except self or not) as `WindowCompiler._sum_or_mean` gives it: (n, d, size)."""
    if known < size:
        return [None, d, size]  # a member's value unknown: the run's window is unknown too
    if bounded < size:
        raise NotPointed("a term beyond the bound of the group's rows")
    if not e.except_self:
        value = (total, d) if e.func == "sum" else (total, size * d)
    elif size == 1:
        value = (None, d)
    else:
        others = total - own
        value = (others, d) if e.func == "sum" else (others, (size - 1) * d)
    if value[0] is not None and (abs(value[0]) >= LIMIT or value[1] >= LIMIT):
        raise NotPointed("a sum beyond LIMIT")
    return [*value, size]
