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
import datetime
import os
import tempfile
from math import gcd

import attrs

from attain.engine.bind import Bound
from attain.engine.plan import Plan
from attain.engine.runtime import MISSING
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
    g = gcd(num, den)
    d = den // g
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return max(twos, fives) if d == 1 else None


def load_bound(con, plan: Plan, bound: Bound, table: str = "attain_input") -> Loaded:  # long: one pass per column kind
    """Create `table` in `con` from the bound records; the relation describing it."""
    records = bound.records
    kinds = [plan.model.types[name] for name in plan.inputs]
    numeric = [i for i, t in enumerate(kinds) if t.numeric]
    forced: set[int] = set()
    scales: dict[int, int] = {}
    for i in numeric:
        scale = 0
        for seq, r in enumerate(records):
            if i in r.missing:
                continue
            v = r.fast[i]
            if v[0] is MISSING:
                continue
            num, den = v
            if den == 1 or (den % 10 == 0 and 10 ** len(str(den)) // 10 == den):
                # a power of ten: the places it shows (88.50% is 8850 / 10000) without a gcd
                p = len(str(den)) - 1
            else:
                found = _places(num, den)
                if found is None:
                    forced.add(seq)
                    continue
                p = found
            if p > MAX_SCALE:
                forced.add(seq)
                continue
            scale = max(scale, p)
        scales[i] = scale
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="attain-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["__seq", "__line", "__who", "__period", *(input_column(i) for i in range(len(kinds)))])
            for seq, r in enumerate(records):
                row: list = [seq, r.line, r.who, "" if r.period is None else r.period.index]
                missing = r.missing
                for i, t in enumerate(kinds):
                    v = r.fast[i]
                    if i in missing or v is MISSING or (t.numeric and v[0] is MISSING) or seq in forced:
                        row.append(None)
                    elif t.numeric:
                        num, den = v
                        scaled, rest = divmod(num * 10 ** scales[i], den)
                        if rest or abs(scaled) >= LIMIT:
                            forced.add(seq)
                            row.append(None)
                        else:
                            row.append(scaled)
                    elif t.kind == "bool":
                        row.append("true" if v else "false")
                    elif t.kind == "date":
                        row.append(v.isoformat() if isinstance(v, datetime.date) else v)
                    elif v == "":
                        forced.add(seq)  # CSV cannot tell an empty text from an empty cell: Python computes it
                        row.append(None)
                    else:
                        row.append(v)
                w.writerow(row)
        types = {"__seq": "BIGINT", "__line": "BIGINT", "__who": "VARCHAR", "__period": "INTEGER"}
        for i, t in enumerate(kinds):
            types[input_column(i)] = "HUGEINT" if t.numeric else _SQL_TYPES[t.kind]
        spec = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, "
                    f"columns = {{{spec}}}, quote = '\"', escape = '\"', allow_quoted_nulls = false, "
                    "auto_detect = false, delim = ',', new_line = '\\n')").fetchall()
    finally:
        os.unlink(path)
    relation = InputRelation(
        table=table, file=bound.file, id_column=bound.id_column, inputs=tuple(plan.inputs),
        scales={plan.inputs[i]: scales[i] for i in numeric},
        periods=tuple(sorted({r.period for r in records if r.period is not None}, key=lambda p: p.index)),
        rows=len(records), columns=dict(bound.columns), positions=dict(bound.positions), warnings=bound.warnings)
    return Loaded(relation, frozenset(forced))
