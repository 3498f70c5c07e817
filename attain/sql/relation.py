"""The input relation: the one shape in which the columnar engine receives an employee table.

However the data arrives (bound by the Python reader and copied in, or read and
validated by DuckDB itself), the compiled SQL reads one table of this shape:

    __seq     BIGINT    the record's position, 0-based, in the order `attain.engine.bind` gives
                        records (data order; for data with periods, the order of first appearance);
                        results come back in this order
    __line    BIGINT    the data line the record came from (its first line when rows were combined)
    __who     VARCHAR   the employee id
    __period  INTEGER   `Period.index` of the record's period; NULL when the data has no periods
    in_<k>    one column per plan input, k its position in `Plan.inputs`:
              money, percent, number, count  HUGEINT, the exact value times 10^scales[name]
                                             (a percent as a fraction: 88.5% is 885 at scale 3);
              text                           VARCHAR
              bool                           BOOLEAN
              date                           DATE
              NULL where the cell was empty: a default is the compiled SQL's to apply.

Cells are validated before they reach this table (type, bounds, `one of` choices), with
the same diagnostics as the Python reader: the SQL never meets a malformed value.
"""

from __future__ import annotations

from typing import Any

import attrs

from attain.engine.periods import Period
from attain.engine.plan import Plan

SYSTEM_COLUMNS = ("__seq", "__line", "__who", "__period")


def input_column(k: int) -> str:
    """The column of the k-th plan input."""
    return f"in_{k}"


@attrs.frozen
class InputRelation:
    """A DuckDB table of the shape above, and what SQL cannot tell from it alone."""

    table: str  # the table's (or view's) name in the connection
    file: str  # the data file, as messages name it
    id_column: str  # the data's column of employee ids
    inputs: tuple[str, ...]  # `Plan.inputs`, in column order
    scales: dict[str, int]  # numeric input -> its scale s (values are stored times 10^s)
    periods: tuple[Period, ...] = ()  # every period present, in time order; () without periods
    rows: int = 0  # the number of records
    columns: dict[str, str] = attrs.Factory(dict)  # input -> the data column that fed it (absent: default)
    positions: dict[str, int] = attrs.Factory(dict)  # data column -> 1-based column number
    warnings: tuple = ()  # what reading said but does not stop the run (a near column name)
    # numeric input column -> the largest magnitude of its values in the table (`with_bounds`); none known: {}
    bounds: dict[str, int] = attrs.Factory(dict)

    @property
    def periodic(self) -> bool:
        return bool(self.periods)


def with_bounds(con: Any, relation: InputRelation, plan: Plan) -> InputRelation:
    """The relation with the largest magnitude of each of `plan`'s numeric inputs' values, read from its table.

    The compiler proves with them that arithmetic fits HUGEINT where it would otherwise guard each step;
    the bounds are facts about this table, so the query compiled with them is for this table alone."""
    columns = [input_column(k) for k, name in enumerate(relation.inputs) if plan.model.types[name].numeric]
    if not columns:
        return relation
    found = con.execute("SELECT " + ", ".join(f"max(abs({c}))" for c in columns)
                        + f" FROM {relation.table}").fetchall()[0]
    bounds = {c: int(b) for c, b in zip(columns, found, strict=True) if b is not None}
    return attrs.evolve(relation, bounds=bounds)
