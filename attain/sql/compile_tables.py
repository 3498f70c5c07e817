"""Compiling, rate tables: `rates(attainment)` and `rates(level, attainment)` as a choice over key intervals.

The meaning is `attain.engine.tables.look_up`: the first row whose key holds the first
value, then (a grid) the first column whose key holds the second; a range holds a value
as its interval says, a text key its own text, `else` and `otherwise` every known value.
Each key is an exact comparison of the value with the key's bounds (cross-multiplied as
every comparison is), each cell an exact constant. No key holding the values, or a value
unknown, leaves the cell unknown, so the reference evaluator reports the row as the
other engines do. A table whose rows are a curve's points is not compiled yet.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.sql.columns import Num, Scalar, Value, constant, text_literal
from attain.sql.compile_exprs import ExprCompiler, NotCompiled


class TableCompiler(ExprCompiler):
    """The cells of rate tables."""

    def table_lookup(self, e: n.TableLookup) -> Value:
        table = self.model.tables[e.table]
        if any(r.key.op == "point" for r in table.rows):
            raise NotCompiled(f"the rate table lookup `{e.table}(...)` over a curve's points", e.span)
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
