"""`attain sql`: a policy's exact query for a warehouse; and `--spark-master`, where `--engine spark` runs.

`attain sql POLICY --dialect duckdb|spark|postgres|snowflake` prints the query
(`attain.sql.warehouse`): a header naming the policy and what the caller must provide
(the input relation's columns, types and scales), then the statements.
"""

from __future__ import annotations

import os
import re

import attrs
import click

from attain import api
from attain.cli.common import DATA_HELP, PathArg, echo, guard, message_language, read_data
from attain.diagnostics import AttainError, Diagnostic
from attain.i18n.messages import say
from attain.sql.dialects import DIALECTS

SPARK_MASTER = click.option(
    "--spark-master", "spark_master", default=None, metavar="URL", expose_value=True,
    help="With --engine spark: the Spark master (local[2] [the default], spark://HOST:7077, yarn, or a Spark "
         "Connect server sc://HOST:15002); ATTAIN_SPARK_MASTER says the same.")


def use_spark_master(master: str | None) -> None:
    """`--spark-master` given: the spark engine's sessions in this process use it."""
    if master:
        from attain.sql.spark_engine import MASTER_VARIABLE

        os.environ[MASTER_VARIABLE] = master


_SCALE = re.compile(r"(.+)=(\d{1,2})")


def _scales(given: tuple[str, ...], policy: api.Policy) -> dict[str, int]:
    scales = {}
    for item in given:
        m = _SCALE.fullmatch(item)
        name = m.group(1) if m else item
        if m is None or name not in policy.plan.inputs or not policy.model.types[name].numeric:
            numeric = [n for n in policy.plan.inputs if policy.model.types[n].numeric]
            said = say("sql.bad_scale", given=item, form="INPUT=PLACES", inputs=", ".join(numeric) or "-")
            raise click.BadParameter(said.said(message_language()), param_hint="--scale")
        scales[name] = int(m.group(2))
    return scales


@click.command("sql")
@click.argument("policy", type=PathArg())
@click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True,
              help="The SQL dialect to write.")
@click.option("--data", "data", multiple=True,
              help="Data like the warehouse table's: each number's scale is the one this data needs" + DATA_HELP + ".")
@click.option("--scale", "scale", multiple=True, metavar="INPUT=PLACES",
              help="The decimal places a numeric input's integers carry (money 2, percent 4, number 4, count 0 "
                   "unless told); repeat for several.")
@guard
def sql_cmd(policy, dialect, data, scale):
    """Print POLICY's exact query for a warehouse, in --dialect, with a header saying what it needs."""
    from attain.sql.compile_exprs import NotCompiled
    from attain.sql.engine import connect, not_compiled
    from attain.sql.load import load_bound
    from attain.sql.warehouse import TABLE, Untranslatable, relation_for, warehouse_sql

    loaded = api.load(policy)
    if loaded.warnings:
        from attain.cli.common import show_findings

        show_findings(loaded.warnings)
    scales = _scales(scale, loaded)
    if data:
        con = connect()
        try:
            relation = load_bound(con, loaded.plan, loaded.bind(read_data(data)), TABLE).relation
        finally:
            con.close()
        relation = attrs.evolve(relation, scales={**relation.scales, **scales})
    else:
        relation = relation_for(loaded.plan, scales, bool(loaded.tree.header.period))
    try:
        text = warehouse_sql(loaded.plan, relation, dialect, policy, message_language())
    except NotCompiled as e:
        raise AttainError([not_compiled(e)]) from None
    except Untranslatable as e:
        raise AttainError([Diagnostic("U583", say("U583", dialect=dialect, what=say(f"U583.{e.what}")),
                                      hint=say("U583.hint"))]) from None
    echo(text, nl=False)


__all__ = ["SPARK_MASTER", "sql_cmd", "use_spark_master"]
