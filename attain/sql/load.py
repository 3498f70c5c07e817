"""Loading: a `Bound` (the Python reader's validated records) -> the input relation in a DuckDB connection.

The records are written once as canonical text (integers at each numeric
column's scale, ISO dates, true/false) to a temporary CSV file that DuckDB reads
with every column's type given: one pass in Python, one parallel scan in
DuckDB (measured faster than inserting rows from Python by an order of
magnitude). A numeric cell that no scale holds exactly (a value with no finite
decimal, such as 1/3 from a policy this one `uses`) or that is too large for a
column is left empty and its record is named in `forced`: the engine computes
that record with the reference evaluator.
"""

from __future__ import annotations

import csv
import os
import tempfile
from fractions import Fraction
from functools import partial
from operator import is_not
from typing import cast

import attrs

from attain.engine.bind import Bound
from attain.engine.plan import Plan
from attain.engine.runtime import MISSING
from attain.exact import decimal_places
from attain.io.atomic import unwritable
from attain.sql.columns import LIMIT
from attain.sql.relation import InputRelation, input_column

MAX_SCALE = 30
_SQL_TYPES = {"text": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}


@attrs.frozen
class Loaded:
    """The relation, and the records SQL cannot be given exactly (their cells left empty)."""

    relation: InputRelation
    forced: frozenset[int]


def _places(num: int, den: int) -> int | None:
    """The decimal places num/den needs, or None when it has no finite decimal."""
    return decimal_places(Fraction(num, den))


def load_bound(con, plan: Plan, bound: Bound, table: str = "attain_input") -> Loaded:
    """Create `table` in `con` from the bound records; the relation describing it."""
    records = bound.records
    kinds = [plan.model.types[name] for name in plan.inputs]
    forced: set[int] = set()
    columns: list[list] = [list(range(len(records))), [r.line for r in records], [r.who for r in records],
                           [None if r.period is None else r.period.index for r in records]]
    scales: dict[int, int] = {}
    # One transposition in C; then the (rare) empty cells, which binding filled with defaults, emptied.
    cells_of = [list(c) for c in zip(*(r.fast for r in records), strict=True)] if records else [[] for _ in kinds]
    for seq, r in enumerate(records):
        for i in r.missing:
            cells_of[i][seq] = None
    for i, t in enumerate(kinds):
        cells = cells_of[i]
        # an empty cell without a default (binding names it in `missing`; this keeps it so regardless)
        cells = ([None if v is None or v[0] is MISSING else v for v in cells] if t.numeric
                 else [None if v is MISSING else v for v in cells])
        if t.numeric:
            scales[i], column = _numbers(cells, forced)
        elif t.kind == "bool":
            column = [None if v is None else ("true" if v else "false") for v in cells]
        elif t.kind == "date":
            column = [None if v is None else v.isoformat() for v in cells]
        else:
            column = cells
            # CSV cannot tell an empty text from an empty cell: such a record is Python's to compute
            forced.update(seq for seq, v in enumerate(cells) if v == "")
        columns.append(column)
    _copy(con, table, columns, kinds, forced)
    relation = InputRelation(
        table=table, file=bound.file, id_column=bound.id_column, inputs=tuple(plan.inputs),
        scales={plan.inputs[i]: s for i, s in scales.items()},
        periods=tuple(sorted({r.period for r in records if r.period is not None}, key=lambda p: p.index)),
        rows=len(records), columns=dict(bound.columns), positions=dict(bound.positions), warnings=bound.warnings)
    return Loaded(relation, frozenset(forced))


def _numbers(cells: list, forced: set[int]) -> tuple[int, list]:
    """A numeric column's scale (the most places any exact value needs) and its cells at that scale."""
    dens = {v[1] for v in cells if v is not None}
    places = {den: _places(1, den) for den in dens}
    if any(p is None or p > MAX_SCALE for p in places.values()):
        return _numbers_slowly(cells, forced)
    scale = max((p for p in places.values() if p is not None), default=0)
    times = {den: 10**scale // den for den in dens}
    out = [None if v is None else v[0] * times[v[1]] for v in cells]
    known = cast(list[int], list(filter(partial(is_not, None), out)))  # the cells that are not empty, in C
    if known and (max(known) >= LIMIT or min(known) <= -LIMIT):
        for seq, x in enumerate(out):
            if x is not None and not -LIMIT < x < LIMIT:
                forced.add(seq)
                out[seq] = None
    return scale, out


def _numbers_slowly(cells: list, forced: set[int]) -> tuple[int, list]:
    """`_numbers` where some value has no finite decimal, or needs reducing to have one."""
    scale = 0
    for seq, v in enumerate(cells):
        if v is None:
            continue
        p = _places(v[0], v[1])
        if p is None or p > MAX_SCALE:
            forced.add(seq)
            cells[seq] = None
        elif p > scale:
            scale = p
    mult = 10**scale
    out: list = []
    for seq, v in enumerate(cells):
        if v is None:
            out.append(None)
            continue
        scaled, rest = divmod(v[0] * mult, v[1])
        if rest or abs(scaled) >= LIMIT:
            forced.add(seq)
            out.append(None)
        else:
            out.append(scaled)
    return scale, out


def _copy(con, table: str, columns: list[list], kinds: list, forced: set[int]) -> None:
    """Write the columns as CSV and have DuckDB read it with every column's type; forced records' cells empty."""
    if forced:
        for column in columns[4:]:
            for seq in forced:
                column[seq] = None
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="attain-")
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["__seq", "__line", "__who", "__period", *(input_column(i) for i in range(len(kinds)))])
                w.writerows(zip(*columns, strict=True))
        except OSError as e:  # a full disk where the records are handed to DuckDB: the user's to fix
            raise unwritable(path, e) from None
        types = {"__seq": "BIGINT", "__line": "BIGINT", "__who": "VARCHAR", "__period": "INTEGER"}
        for i, t in enumerate(kinds):
            types[input_column(i)] = "HUGEINT" if t.numeric else _SQL_TYPES[t.kind]
        spec = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, "
                    f"columns = {{{spec}}}, quote = '\"', escape = '\"', allow_quoted_nulls = false, "
                    "auto_detect = false, delim = ',', new_line = '\\n')").fetchall()
    finally:
        os.unlink(path)
