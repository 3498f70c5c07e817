"""A policy's exact query for a warehouse: the compiled SQL in a dialect, with a header saying what it needs.

`attain sql POLICY --dialect D` prints what this module writes: comment lines naming the
policy (file, name, version), attain's version and the policy's SHA-256, the input relation
the caller must provide (`attain.sql.relation`: its table name, every column with its type
and, for a number, the scale its integers are at), the result's columns and how each output
is read from them, the session settings the dialect needs, and then the statements.

Scales: with `--data`, each numeric input's scale is the one its data needs (as the duckdb
engine finds it); without, `DEFAULT_SCALES` by type, or `--scale NAME=K`. A value with more
places than its column's scale cannot be given exactly: scale it up.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from attain.engine.periods import Period
from attain.engine.plan import Plan
from attain.i18n.messages import say
from attain.sql.compile import PERIOD, Compiled, compile_policy
from attain.sql.dialects import INTEGER, Untranslatable, translate
from attain.sql.relation import InputRelation, input_column
from attain.version import __version__

TABLE = "attain_input"
DEFAULT_SCALES = {"money": 2, "percent": 4, "number": 4, "count": 0}
_SQL_TYPES = {"text": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}


def relation_for(plan: Plan, scales: dict[str, int], periodic: bool) -> InputRelation:
    """The input relation a warehouse table stands for: numbers at `scales` (else by type, DEFAULT_SCALES)."""
    numeric = [name for name in plan.inputs if plan.model.types[name].numeric]
    chosen = {name: scales.get(name, DEFAULT_SCALES.get(plan.model.types[name].kind, 4)) for name in numeric}
    kind = plan.model.policy.header.period or "month"
    return InputRelation(table=TABLE, file=TABLE, id_column="id", inputs=tuple(plan.inputs), scales=chosen,
                         periods=(Period(kind, 0),) if periodic else ())


def warehouse_sql(plan: Plan, relation: InputRelation, dialect: str, policy_file: str, lang: str = "en") -> str:
    """The header and the statements of `plan`'s query over `relation` in `dialect`.

    Raises `Untranslatable` where the dialect cannot express a piece exactly, and
    `attain.sql.compile_exprs.NotCompiled` for a construct the compiler does not compile yet."""
    compiled = compile_policy(plan, relation)
    statements = _statements(compiled, dialect)
    header = [_comment(line.said(lang)) for line in _header(plan, relation, compiled, dialect, policy_file)]
    return "\n".join(header) + "\n\n" + "\n\n".join(statements) + "\n"


def _statements(compiled: Compiled, dialect: str) -> list[str]:
    if not compiled.prelude:
        return [translate(compiled.sql, dialect) + ";"]
    steps = [_statement(s, dialect) for s in compiled.prelude]
    each = _statement(f"CREATE OR REPLACE TEMP TABLE attain_result AS {compiled.sql}", dialect)
    steps.append(f"{_comment(say('sql.each_period', period=PERIOD))}\n{each}")
    steps.append(_statement(compiled.keep, dialect))
    return steps


def _statement(sql: str, dialect: str) -> str:
    """One statement of the period-by-period script in `dialect`: DuckDB's CREATE OR REPLACE TEMP TABLE is
    DROP and CREATE TEMPORARY TABLE in PostgreSQL, and a table (Spark has no temporary tables) in Spark."""
    if dialect == "duckdb":
        return sql + ";"
    import sqlglot
    from sqlglot import exp

    from attain.sql.dialects import rewrite

    tree = rewrite(sqlglot.parse_one(sql, read="duckdb"), dialect)
    if not isinstance(tree, exp.Create):
        return tree.sql(dialect=dialect) + ";"
    target = tree.this
    name = target.this.name if isinstance(target, exp.Schema) else target.name
    body = (f"AS {tree.expression.sql(dialect=dialect)}" if tree.expression is not None
            else f"({', '.join(d.sql(dialect=dialect) for d in target.expressions)})")
    if dialect == "postgres":
        return f"DROP TABLE IF EXISTS {name};\nCREATE TEMPORARY TABLE {name} {body};"
    if dialect == "spark":
        using = "USING PARQUET AS" if tree.expression is not None else "USING PARQUET"
        if tree.expression is not None:
            return f"CREATE OR REPLACE TABLE {name} {using} {tree.expression.sql(dialect=dialect)};"
        return f"CREATE OR REPLACE TABLE {name} {body} {using};"
    return tree.sql(dialect=dialect) + ";"


def _comment(text: str) -> str:
    return "\n".join(f"-- {line}" for line in text.splitlines())


def _header(plan: Plan, relation: InputRelation, compiled: Compiled, dialect: str, policy_file: str) -> list:
    header = plan.model.policy.header
    sha = hashlib.sha256(Path(policy_file).read_bytes()).hexdigest() if Path(policy_file).is_file() else "-"
    integer = INTEGER.get(dialect, "HUGEINT")
    lines = [say("sql.header", command="attain sql", policy=policy_file, name=header.name or "-",
                 version=header.version or "-", attain=__version__, digest=f"sha256 {sha}", dialect=dialect),
             say("sql.input", table=relation.table)]
    lines.append(say("sql.system_columns", seq="__seq BIGINT", line="__line BIGINT", who="__who VARCHAR",
                     period="__period INTEGER", null="NULL"))
    for k, name in enumerate(relation.inputs):
        t = plan.model.types[name]
        if t.numeric:
            key = "sql.percent_column" if t.kind == "percent" else "sql.number_column"
            lines.append(say(key, column=input_column(k), name=name, type=str(t), integer=integer,
                             scale=relation.scales[name]))
        else:
            kind = "VARCHAR" if t.kind == "tier" else _SQL_TYPES.get(t.kind, "VARCHAR")
            lines.append(say("sql.other_column", column=input_column(k), name=name, type=str(t), sql=kind))
    lines.append(say("sql.empty_cells", null="NULL"))
    lines.append(say("sql.result", columns="__seq, __who, __period, __fallback"))
    for k, shape in enumerate(compiled.shapes):
        value = (f"out_{k}_n / {shape.den}" if shape.kind == "fixed" else f"out_{k}_n / out_{k}_d"
                 if shape.kind == "pair" else f"out_{k} ({shape.kind})")
        lines.append(say("sql.output", name=shape.name, value=value))
    lines.append(say("sql.fallback", flag="__fallback"))
    if compiled.prelude:
        lines.append(say("sql.periods", period=PERIOD))
    if dialect == "spark":
        lines.append(say("sql.spark"))
    return lines


__all__ = ["DEFAULT_SCALES", "TABLE", "Untranslatable", "relation_for", "warehouse_sql"]
