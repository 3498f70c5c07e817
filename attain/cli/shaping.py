"""How `run` shapes results for people: headers in the policy's labels, tier labels, the workbook's layout.

Machine formats (CSV, JSON) keep identifiers unless `--headers labels` asks for labels; a
workbook is for people and takes labels unless `--headers names` asks for identifiers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from attain import api
from attain.i18n import language
from attain.i18n.excel import EXCEL
from attain.io.workbook import Layout

HEADERS = click.option(
    "--headers", type=click.Choice(["labels", "names"]), default=None,
    help="Column headers and tier values in the policy's labels (销售额实际, 达标奖) or its identifiers "
         "(sales, on_target) [default: labels in xlsx, names in csv, json and table].")
KEEP = click.option(
    "--keep", "keep", multiple=True, metavar="COLUMN",
    help="A data column to copy into the results after the id (姓名, 部门); repeat for several "
         "[default in xlsx: every column the policy does not read].")
NO_KEEP = click.option("--no-keep", is_flag=True, help="Copy no data column into the results, in xlsx too.")
BOM = click.option(
    "--bom", is_flag=True,
    help="Start CSV output with a UTF-8 byte-order mark, so that Excel (a Chinese one above all) reads it as "
         "UTF-8 instead of showing mojibake.")
LANG = click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
                    help="The language of the words attain adds (Total / 合计) and of its messages "
                         "[default: from the locale].")


def format_of(fmt: str | None, out: str | None) -> str:
    """The results' format: as asked, else by the output's suffix, else a table on a terminal and CSV elsewhere."""
    if fmt is not None:
        return fmt
    suffix = Path(out).suffix.lower().lstrip(".") if out else ""
    if suffix in ("csv", "json", "xlsx", "parquet"):
        return suffix
    return "table" if out is None and sys.stdout.isatty() else "csv"


def carry_of(fmt: str, keep: tuple[str, ...], no_keep: bool) -> tuple[str, ...] | str:
    """What `run(carry=...)` copies from the data: the columns named, none, or in a workbook the unread ones."""
    if no_keep:
        if keep:
            raise click.UsageError("--keep and --no-keep do not go together")
        return ()
    if keep:
        return keep
    return api.UNREAD if fmt == "xlsx" else ()


def headers_of(results: api.Results, lang: str) -> dict[str, str]:
    """Column -> its header in the policy's labels (and attain's own words for the period and version)."""
    headers = dict(results.labels)
    for column, key in (("period", "period"), ("version", "version")):
        if column in results.columns and column not in results.carried:
            headers[column] = EXCEL(key, lang)
    return headers


def layout_of(results: api.Results, policies, headers: str | None, lang: str | None) -> Layout:
    """How a workbook shows these results: formats from the outputs' types, labels unless `headers` is names."""
    chosen = language(lang)
    kinds = {**{c: "data" for c in results.carried}, **results.kinds}
    currency = next((p.tree.header.currency for p in reversed(policies) if p.tree.header.currency), None)
    if headers == "names":
        return Layout(kinds, {}, {}, currency, chosen)
    return Layout(kinds, headers_of(results, chosen), dict(results.value_labels), currency, chosen)


def relabelled(results: api.Results, lang: str | None) -> tuple[list[str], list[dict]]:
    """The columns and rows with headers and tier values in the policy's labels, for csv, json and table.

    A label that another column already goes by leaves that column its identifier.
    """
    headers = headers_of(results, language(lang))
    names: dict[str, str] = {}
    for column in results.columns:
        label = headers.get(column, column)
        names[column] = label if label not in names.values() and label not in results.columns else column
    values = results.value_labels
    rows = [{names[c]: (values[c].get(v, v) if c in values and isinstance(v, str) else v) for c, v in row.items()}
            for row in results.rows]
    return [names[c] for c in results.columns], rows
