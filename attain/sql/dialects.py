"""Dialects: the compiled DuckDB query as Spark, PostgreSQL or Snowflake SQL, every value still exact.

The compiler (`attain.sql.compile`) writes DuckDB SQL. Its DuckDB-only pieces are few and
are replaced here on sqlglot's syntax tree (parsed as DuckDB, written in the target dialect),
so any query the compiler writes, for any construct, translates without new code here:

- `HUGEINT` (every integer) becomes `DECIMAL(38,0)` (Snowflake `NUMBER(38,0)`, PostgreSQL
  `NUMERIC(38,0)`). The compiler keeps every numerator and denominator below 4 * 10^37
  (`attain.sql.columns.LIMIT`), and a sum of two such values below 8 * 10^37: both fit in 38
  digits, so the narrower type holds every value the DuckDB query holds.
- `a // b` (DuckDB truncates toward zero) becomes an exact truncating division. Spark's `DIV`
  on decimals returns a BIGINT that wraps silently, and `/` rounds to a scale (Spark keeps
  `DECIMAL(38,18)` with `spark.sql.decimalOperations.allowPrecisionLoss=false`, Snowflake a
  scale of 6). Here the quotient of |a| and |b| is computed as `(A - A % B) / B`: the dividend
  is a multiple of B, so the quotient is an integer and `/` is exact as long as it has at most
  20 digits, which holds when A < 10^20 or B >= 10^18 (A < 10^38). Otherwise A is split at
  10^18: A = A1 * 10^18 + A0, Q1 = A1 // B (A1 < 10^20), R1 = A1 % B < B < 10^18, and
  A // B = Q1 * 10^18 + (R1 * 10^18 + A0) // B, whose second quotient is below 10^18. The sign
  is the product of the operands' signs (truncation toward zero, as DuckDB's). Where both
  operands are BIGINT casts (the compiler's fast path) Spark's `DIV` on BIGINT is exact and kept.
  On Spark each value the division names several times (|a|, |b|, the sign, the quotient, and an
  operand that is more than a column) is computed once and bound to a lambda variable
  (`AGGREGATE(SEQUENCE(1, 1), value, (v, i) -> v, v -> ...)`): written out, one division was
  8,000 characters and a quotient of gcds 20,000, which Spark's analyser went through in every
  level of the query; bound, the whole query is a third of its size, its values the same.
  PostgreSQL has `div(a, b)`, exact on NUMERIC.
- `gcd(a, b)`: PostgreSQL has it; Spark has none, so Euclid's algorithm runs as a higher-order
  `aggregate` over 186 steps (two numbers below 2^127 need at most 185: consecutive Fibonacci
  numbers are the worst case). Snowflake has neither: a query that needs gcd (values carried
  from period to period, a group sum of per-row fractions) is refused for it (`Untranslatable`).

PostgreSQL: each of the compiler's levels (`WITH _l0 AS (...)`) is `MATERIALIZED`, so its planner
does not substitute them into each other (an expression that grows exponentially with the levels).

Spark 4.3's unary minus and `abs` on a DECIMAL(38,0) of more than 34 significant digits round it to
34 digits (found here: -41152263004115226300411522630041152 came back as ...150), while `+`, `-`, `*`,
`%`, comparisons, casts, `sum`, `min`, `max` and windows are exact: for Spark, `-x` is written
`0 - x` and `abs(x)` as `CASE WHEN x < 0 THEN 0 - x ELSE x END`.

`%` keeps the dividend's sign in every dialect here, as in DuckDB; `greatest` ignores NULLs in
each (sqlglot writes Snowflake's `GREATEST_IGNORE_NULLS`). On Spark, the session must run with
`spark.sql.ansi.enabled=true` (an overflow raises instead of giving NULL or wrapping) and
`spark.sql.decimalOperations.allowPrecisionLoss=false` (a product is never rounded to fit):
`attain.sql.spark_engine` sets both, and `attain sql --dialect spark` names them in its header.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlglot is imported where it is used: `attain --help` need not load it
    from sqlglot import exp

DIALECTS = ("duckdb", "spark", "postgres", "snowflake")
INTEGER = {"spark": "DECIMAL(38, 0)", "postgres": "NUMERIC(38, 0)", "snowflake": "NUMBER(38, 0)"}
_I64 = 2**63 - 1
_SPLIT = 10**18
_EUCLID_STEPS = 186


class Untranslatable(Exception):
    """The query uses something the dialect cannot express exactly; `what` names it."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def translate(sql: str, dialect: str) -> str:
    """One statement of the compiler's DuckDB SQL, written for `dialect`, exactly."""
    if dialect == "duckdb":
        return sql
    import sqlglot

    return rewrite(sqlglot.parse_one(sql, read="duckdb"), dialect).sql(dialect=dialect)


def rewrite(tree: exp.Expr, dialect: str) -> exp.Expr:
    """A DuckDB syntax tree, its DuckDB-only pieces replaced for `dialect` (in place; the new root)."""
    if dialect not in INTEGER:
        raise ValueError(f"unknown dialect {dialect!r}")
    for node in reversed(list(tree.walk(bfs=False))):  # children before their parents
        new = _rewrite(node, dialect)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def _rewrite(node: exp.Expr, dialect: str) -> exp.Expr:
    from sqlglot import exp

    if isinstance(node, exp.CTE) and dialect == "postgres":
        # PostgreSQL inlines a CTE used once: the compiler's levels, each reading the one before several
        # times, would be substituted into each other, an expression growing exponentially (its planner took
        # 20 GB on a library policy). Each level is computed once, as the compiler means it.
        node.set("materialized", True)
        return node
    if dialect == "postgres" and isinstance(node, exp.Subquery) and not node.alias and isinstance(
            node.parent, (exp.From, exp.Join)):
        node.set("alias", exp.TableAlias(this=exp.to_identifier("_q")))  # PostgreSQL 15 wants one
        return node
    if dialect == "spark" and isinstance(node, (exp.Neg, exp.Abs)):
        return _spark_sign(node)
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
        return exp.DataType.build(INTEGER[dialect], dialect=dialect)
    if isinstance(node, exp.IntDiv):
        return _int_div(node.this, node.expression, dialect)
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "gcd":
        return _gcd(node.expressions[0], node.expressions[1], dialect)
    return node


def _spark_sign(node: exp.Expr) -> exp.Expr:
    """-x as 0 - x, abs(x) as CASE WHEN x < 0 THEN 0 - x ELSE x END: Spark 4.3's unary minus and abs round a
    DECIMAL(38,0) of more than 34 digits to 34 (a 128-bit decimal context), where subtraction is exact."""
    from sqlglot import exp

    x = node.this
    negated = exp.Paren(this=exp.Sub(this=exp.Literal.number(0), expression=exp.Paren(this=x.copy())))
    if isinstance(node, exp.Neg):
        return negated
    return exp.Case(ifs=[exp.If(this=exp.LT(this=exp.Paren(this=x.copy()), expression=exp.Literal.number(0)),
                                true=negated)], default=exp.Paren(this=x.copy()))


def _is_bigint(e: exp.Expr) -> bool:
    from sqlglot import exp

    return isinstance(e, exp.Cast) and e.to.this == exp.DataType.Type.BIGINT


def _int_div(a: exp.Expr, b: exp.Expr, dialect: str) -> exp.Expr:
    """a // b truncated toward zero, exact (see the module's docstring)."""
    from sqlglot import exp

    if dialect == "postgres":
        return exp.Anonymous(this="DIV", expressions=[a, b])
    if dialect == "spark" and _is_bigint(a) and _is_bigint(b):
        return exp.IntDiv(this=a, expression=b)  # BIGINT DIV BIGINT: exact, raises on overflow under ANSI
    return _filled(_template("div", dialect), a, b, dialect)


def _gcd(a: exp.Expr, b: exp.Expr, dialect: str) -> exp.Expr:
    from sqlglot import exp

    if dialect == "postgres":
        return exp.Anonymous(this="GCD", expressions=[a, b])
    if dialect == "snowflake":
        raise Untranslatable("gcd")
    return _filled(_template("gcd", dialect), a, b, dialect)


_A, _B = "__attain_a", "__attain_b"
_BOUND = "__attain_p"  # on Spark, the lambda variable binding the operands of a division or gcd once


def _filled(template: exp.Expr, a: exp.Expr, b: exp.Expr, dialect: str) -> exp.Expr:
    """A copy of `template` with its placeholder columns replaced by (copies of) a and b.

    The template names each operand several times. On Spark, an operand that is more than a
    column or a literal (a gcd under a division, a division of sums) is computed once and bound
    to a lambda variable, `AGGREGATE(SEQUENCE(1, 1), NAMED_STRUCT('a', a, 'b', b), (p, i) -> p,
    p -> template(p.a, p.b))`: copied, a quotient of gcds grew to 20,000 characters that Spark
    analysed for seconds. The values are the same: the struct holds a and b as they are."""
    from sqlglot import exp

    tree = template.copy()
    bind = _BOUND if dialect == "spark" and not (_simple(a) and _simple(b)) else None
    for column in list(tree.find_all(exp.Column)):
        if column.name in (_A, _B) and not column.table:
            if bind:
                column.replace(exp.column("a" if column.name == _A else "b", table=bind))
            else:
                column.replace(exp.Paren(this=(a if column.name == _A else b).copy()))
    if not bind:
        return tree
    wrapper = _binding().copy()
    for column in list(wrapper.find_all(exp.Column)):
        if column.name in (_A, _B) and not column.table:
            column.replace((a if column.name == _A else b).copy())
        elif column.name == "__attain_body":
            column.replace(tree)
    return wrapper


def _simple(e: exp.Expr) -> bool:
    """A column, a literal, or a cast or parenthesis of one: cheap to name several times."""
    from sqlglot import exp

    while isinstance(e, (exp.Paren, exp.Cast)):
        e = e.this
    return isinstance(e, (exp.Column, exp.Literal))


@functools.cache
def _binding() -> exp.Expr:
    """The Spark expression binding _A and _B to the lambda variable _BOUND, around the column __attain_body."""
    import sqlglot

    return sqlglot.parse_one(f"AGGREGATE(SEQUENCE(1, 1), NAMED_STRUCT('a', {_A}, 'b', {_B}), ({_BOUND}, "
                             f"__attain_i) -> {_BOUND}, {_BOUND} -> __attain_body)", read="spark")


@functools.cache
def _template(kind: str, dialect: str) -> exp.Expr:
    """The exact truncating division (`div`) or Euclid's gcd (`gcd`) of the columns _A and _B, parsed once."""
    import sqlglot

    t = INTEGER[dialect]
    if kind == "gcd":
        tree = sqlglot.parse_one(
            f"AGGREGATE(SEQUENCE(1, {_EUCLID_STEPS}), NAMED_STRUCT('a', CAST(ABS({_A}) AS {t}), 'b', "
            f"CAST(ABS({_B}) AS {t})), (acc, i) -> CASE WHEN acc.b = 0 THEN acc ELSE NAMED_STRUCT('a', acc.b, "
            f"'b', acc.a % acc.b) END, acc -> acc.a)", read=dialect)
        return _signs(tree, dialect)
    big, split = f"CAST({10**20} AS {t})", f"CAST({_SPLIT} AS {t})"
    if dialect == "spark":
        return _spark_div(big, split, t)
    quotient = _quotient(f"ABS(CAST({_A} AS {t}))", f"ABS(CAST({_B} AS {t}))", big, split, t)
    tree = sqlglot.parse_one(f"CASE WHEN ({_A} < 0) = ({_B} < 0) THEN {quotient} ELSE 0 - ({quotient}) END",
                             read=dialect)
    return _signs(tree, dialect)


def _quotient(aa: str, bb: str, big: str, split: str, t: str) -> str:
    """|a| // |b| exactly, from the magnitudes `aa` and `bb`: in one step where it fits, else in two halves."""
    a1 = _exact(aa, split, t)
    rest = f"({a1} % {bb}) * {split} + {aa} % {split}"
    return (f"CASE WHEN {aa} < {big} OR {bb} >= {split} THEN {_exact(aa, bb, t)} "
            f"ELSE {_exact(a1, bb, t)} * {split} + {_exact(rest, bb, t)} END")


def _spark_div(big: str, split: str, t: str) -> exp.Expr:
    """The exact truncating division for Spark, each value named once: |a|, |b| and the sign bound to the
    lambda variable m, the quotient of the magnitudes to q (written out, the template was 8,000 characters
    per division, which Spark analysed in every level of the query). The same arithmetic as the others'."""
    import sqlglot

    m, q = "__attain_m", "__attain_q"
    quotient = _quotient(f"{m}.x", f"{m}.y", big, split, t)

    def magnitude(v: str) -> str:
        return f"CASE WHEN CAST({v} AS {t}) < 0 THEN 0 - CAST({v} AS {t}) ELSE CAST({v} AS {t}) END"

    return sqlglot.parse_one(
        f"AGGREGATE(SEQUENCE(1, 1), NAMED_STRUCT('x', {magnitude(_A)}, 'y', {magnitude(_B)}, 's', "
        f"({_A} < 0) = ({_B} < 0)), ({m}, __attain_i) -> {m}, {m} -> AGGREGATE(SEQUENCE(1, 1), {quotient}, "
        f"({q}, __attain_i) -> {q}, {q} -> CASE WHEN {m}.s THEN {q} ELSE 0 - {q} END))", read="spark")


def _signs(tree: exp.Expr, dialect: str) -> exp.Expr:
    """A template's abs() rewritten for Spark as the compiler's are (`_spark_sign`)."""
    from sqlglot import exp

    if dialect != "spark":
        return tree
    for node in reversed(list(tree.walk(bfs=False))):
        if isinstance(node, (exp.Neg, exp.Abs)):
            node.replace(_spark_sign(node))
    return tree


def _exact(num: str, den: str, t: str) -> str:
    """num // den for num >= 0, den > 0 whose quotient has at most 20 digits, in `/` that is exact there."""
    return f"CAST((({num}) - ({num}) % ({den})) / ({den}) AS {t})"


__all__ = ["DIALECTS", "INTEGER", "Untranslatable", "rewrite", "translate"]
