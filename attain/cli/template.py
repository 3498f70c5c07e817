"""`attain template`: the workbook of data a policy needs, for HR to fill in, with one row the policy accepts."""

from __future__ import annotations

import datetime
import tempfile
from fractions import Fraction
from pathlib import Path

import attrs
import click

from attain import api
from attain.cli.common import PathArg, guard
from attain.diagnostics import AttainError, Diagnostic
from attain.engine.periods import period_of_date
from attain.i18n import language
from attain.i18n.excel import EXCEL
from attain.i18n.messages import say
from attain.io import read_table, write_atomically
from attain.io.template import WAYS, example, line_columns, render_template, template_columns

# The period kinds from the finest: a policy that `uses` a monthly one reads monthly rows.
_FINEST = ("week", "month", "quarter", "half", "year")


@click.command("template")
@click.argument("policy", type=PathArg(dir_okay=False))
@click.option("--out", required=True, help="The workbook to write (.xlsx), such as 模板.xlsx.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="The language of the guide, the id and period headers and the messages [default: from the locale].")
@click.option("--headers", type=click.Choice(["labels", "names"]), default="labels", show_default=True,
              help="Head each column with its input's label (销售额实际) or its name in the policy (sales).")
@guard
def template_cmd(policy, out, lang, headers):
    """Write the data template POLICY needs: its columns, with labels, types and ranges as Excel data
    validation (numbers within bounds, `one of` lists as drop-downs, dates), one example row the
    policy accepts, and a guide sheet."""
    if Path(out).suffix.lower() != ".xlsx":
        raise AttainError([Diagnostic("U504", say("U504.template", out=out), hint=say("U504.template_hint"))])
    chosen = language(lang)
    loaded = api.load(policy)
    chain = list(_finest_first(loaded))
    kinds = [p.tree.header.period for p in chain if p.tree.header.period]
    periodic = bool(kinds)
    columns = template_columns([p.model for p in chain], periodic, chosen, labels=headers == "labels")
    header = loaded.tree.header
    day = datetime.date.fromisoformat(header.effective) if header.effective else datetime.date.today()
    finest = min(kinds, key=_FINEST.index) if kinds else None
    ends_on = next((p.tree.header.month_ends_on for p in chain if p.tree.header.period == finest), None)
    period = None
    if finest:
        # The first period wholly in force: a policy effective on 15 July refuses July itself (E320).
        found = period_of_date(finest, day, ends_on)
        if not loaded.in_force(found):
            found = attrs.evolve(found, index=found.index + 1)
        period = str(found)
    title = EXCEL("guide title", chosen, policy=header.name,
                  per_period=EXCEL("per period", chosen) if periodic else "")
    refused: AttainError | None = None
    for way in WAYS:
        data = render_template(columns, example(columns, way, period, day, chosen), title, chosen,
                               _line_sheets(loaded, periodic, way, period, day, chosen, headers == "labels"))
        refused = _refusal(loaded, data)
        if refused is None:
            break
    write_atomically(out, data)
    if refused is not None:
        first = refused.diagnostics[0]
        click.echo(f"attain: warning: {policy} refuses every example row tried ({first.code}: {first.message}); "
                   "the template's example row needs changing before it runs", err=True)


def _line_sheets(policy: api.Policy, periodic: bool, way: str, period, day, lang: str, labels: bool) -> list:
    """A sheet per line table, named as the table, with one example line: the whole deal credited (100%)."""
    sheets = []
    lines = policy.model.lines
    for name, columns in line_columns(policy.model, periodic, lang, labels):
        row = example(columns, way, period, day, lang)
        split = lines.tables[name].table.split  # type: ignore[attr-defined]
        share = next((c.header for c in columns if split is not None and c.name == split.share), None)
        if share is not None:
            row[share] = Fraction(1)
        sheets.append((name, columns, row))
    return sheets


def _finest_first(policy: api.Policy):
    for part in policy.parts:
        yield from _finest_first(part)
    yield policy


def _refusal(policy: api.Policy, data: bytes) -> AttainError | None:
    """None when the policy runs on the template as written; else why not. The template is read back as
    a user's data file would be."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        path.write_bytes(data)
        try:
            policy.run(read_table(path))
        except AttainError as e:
            return e
    return None
