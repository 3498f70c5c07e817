"""Compiling, rate tables: `rates(attainment)` and `rates(level, attainment)` as a choice over key intervals.

The meaning is `attain.engine.tables.look_up`: the first row whose key holds the first
value, then (a grid) the first column whose key holds the second; a range holds a value
as its interval says, a text key its own text, `else` and `otherwise` every known value.
Each key is an exact comparison of the value with the key's bounds (cross-multiplied as
every comparison is), each cell an exact constant. No key holding the values, or a value
unknown, leaves the cell unknown, so the reference evaluator reports the row as the
other engines do.

A curve (a `curve` block, or a table whose rows are points) is `tables.curve_at`: the
first two neighbouring points x0 <= x <= x1 give y0 + (x - x0) * s, where the slope
s = (y1 - y0) / (x1 - x0) is an exact constant, so the value is exact integer
arithmetic on x; outside the points, the first end row (`below 70% -> 0%`) holding x.
"""

from __future__ import annotations

import itertools

from attain.dsl import nodes as n
from attain.engine.tables import point_x
from attain.sql.columns import Num, Scalar, Value, constant, text_literal
from attain.sql.compile_exprs import ExprCompiler


class TableCompiler(ExprCompiler):
    """The cells of rate tables."""

    def table_lookup(self, e: n.TableLookup) -> Value:
        table = self.model.tables[e.table]
        if any(r.key.op == "point" for r in table.rows):
            return self.curve_at(table.rows, self.num(e.args[0]))
        values = [self.expr(a) for a in e.args]
        row_holds = [self.key_holds(r.key, values[0]) for r in table.rows]
        cases: list[tuple[str, Value]] = []
        if not table.columns:
            cases = [(held, constant(r.cells[0].value)) for held, r in zip(row_holds, table.rows, strict=True)]
        else:
            column_holds = [self.key_holds(k, values[1]) for k in table.columns]
            for held, r in zip(row_holds, table.rows, strict=True):
                for j, column in enumerate(column_holds):
                    # The same columns for every row: where the first row holding x has no column holding y,
                    # no later row has one either, so the first (row, column) pair is look_up's cell.
                    cases.append((self.col(f"({held} AND {column})"), constant(r.cells[j].value)))
        return self.choose(cases, None)

    def key_holds(self, key: n.TableKey, x: Value) -> str:
        """Whether `key` holds x: TRUE, FALSE, or NULL when x is unknown."""
        if key.op in ("else", "otherwise"):
            sql = x.n if isinstance(x, Num) else x.sql  # type: ignore[union-attr]
            return self.col(f"(CASE WHEN {sql} IS NULL THEN NULL ELSE TRUE END)")
        if key.op == "text":
            if not isinstance(x, Scalar):
                return "FALSE"  # a text key never holds a number
            return self.col(f"({x.sql} = {text_literal(key.text or '')})")
        if not isinstance(x, Num):
            return f"(CASE WHEN {x.sql} IS NULL THEN NULL ELSE FALSE END)"  # type: ignore[union-attr]
        lo, lo_closed, hi, hi_closed = key.interval()
        parts = []
        if lo is not None:
            parts.append(self.compare(x, constant(lo), ">=" if lo_closed else ">"))
        if hi is not None:
            parts.append(self.compare(x, constant(hi), "<=" if hi_closed else "<"))
        if not parts:
            return self.col(f"(CASE WHEN {x.n} IS NULL THEN NULL ELSE TRUE END)")
        return self.col("(" + " AND ".join(parts) + ")")

    def curve_at(self, rows: tuple[n.TableRow, ...], x: Num) -> Value:
        """A curve's value at x: on the line between the two points around it, else the end row holding it."""
        points = [r for r in rows if r.key.op == "point"]
        cases: list[tuple[str, Value]] = []
        for a, b in itertools.pairwise(points):
            x0, x1 = point_x(a), point_x(b)
            y0, y1 = a.cells[0].value, b.cells[0].value
            assert x1 != x0, "the checker refuses a curve's point given twice"
            held = self.col(f"({self.compare(x, constant(x0), '>=')} AND {self.compare(x, constant(x1), '<=')})")
            along = self.mul(self.add(x, constant(x0), "-"), constant((y1 - y0) / (x1 - x0)))
            cases.append((held, self.add(constant(y0), along)))
        ends = [r for r in rows if r.key.op != "point"]
        cases += [(self.key_holds(r.key, x), constant(r.cells[0].value)) for r in ends]
        return self.choose(cases, None)
