"""The command line, pages for people: `attain statement`, `attain curve` and `attain report`."""

from __future__ import annotations

import re
import tempfile
from fractions import Fraction
from pathlib import Path

import click

from attain import api, i18n
from attain.cli.common import (
    DATA_HELP,
    HEADER_ROW,
    PathArg,
    command_line,
    data_paths,
    engine_option,
    guard,
    read_data,
)
from attain.cli.sql import SPARK_MASTER, use_spark_master
from attain.diagnostics import AttainError, Diagnostic
from attain.i18n.messages import say
from attain.i18n.pages import PAGES
from attain.io import Row, Table, write_atomically
from attain.manifest import build_manifest

LANG = click.option("--lang", default=None, metavar="en|zh",
                    help="The language of the page and of the messages [default: from the locale (LANG), "
                         "else English].")
CURRENCY = click.option("--currency", default="", metavar="TEXT", help="Put before money amounts, such as ¥.")


def _lang(option: str | None) -> str:
    try:
        return i18n.language(option)
    except ValueError:
        raise AttainError([Diagnostic("U562", say("U562.lang", lang=option), hint=say("U562.lang_hint"))]) from None


def _file_name(who: str, period: str | None) -> str:
    """A file name for an employee's page: their id (and period), without characters a file system refuses."""
    base = who + (f"-{period}" if period else "")
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", base) + ".html"


@click.command("statement")
@click.argument("policy", type=PathArg(dir_okay=False))
@click.option("--data", required=True, multiple=True,
              help="The data file (CSV, Excel, YAML, JSON or Parquet)" + DATA_HELP + ".")
@click.option("--who", "whos", multiple=True, metavar="ID", help="An employee's id; repeat for several.")
@click.option("--all", "everyone", is_flag=True, help="A statement for every employee.")
@click.option("--period", default=None, help="The period [default: each employee's latest].")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="The folder to write the pages to.")
@click.option("--pdf", is_flag=True, help="Also print each page to PDF through headless Chromium.")
@LANG
@CURRENCY
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@HEADER_ROW
@engine_option("the results")
@SPARK_MASTER
@guard
def statement_cmd(policy, data, whos, everyone, period, out, pdf, lang, currency, id_column, header_row, engine,
                  spark_master):
    """One self-contained HTML page per employee: payout first, every number explained and cited."""
    from attain.present import browser, statement

    language = _lang(lang)
    loaded = api.load(policy)
    table = read_data(data, header_row=header_row)
    if not whos and not everyone:
        raise AttainError([Diagnostic("U563", say("U563.who"))])
    use_spark_master(spark_master)
    results = loaded.run(table, id_column=id_column, engine=engine)
    # One binding and one run for every page; with --all, whoever has no row in --period is left out.
    subjects, skipped = loaded.subjects(table, None if everyone else list(dict.fromkeys(whos)), id_column,
                                        period, skip_missing=everyone)
    run = statement.Run.of(table, results, build_manifest([policy, *loaded.table_files()],
                                                            data_paths(data, table, loaded), command_line()))
    pages = {subject.who: statement.render(subject, run, language, currency) for subject in subjects}
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for who, text in pages.items():
        path = folder / _file_name(who, period)
        write_atomically(path, text)
        if pdf:
            browser.pdf(path, path.with_suffix(".pdf"))
        click.echo(str(path), err=True)
    if skipped:
        shown = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        click.echo(f"note: {len(skipped)} employee{'s' if len(skipped) > 1 else ''} without a row for {period} "
                   f"had no statement: {shown}", err=True)


@click.command("curve")
@click.argument("policies", nargs=-1, required=True, type=PathArg(dir_okay=False))
@click.option("--vary", required=True, metavar="INPUT", help="The input that varies along the x axis.")
@click.option("--from", "low", required=True, help="Its lowest value.")
@click.option("--to", "high", required=True, help="Its highest value.")
@click.option("--who", default=None, help="Hold the other inputs at this employee's (with --data).")
@click.option("--data", multiple=True, help="The data file the employee is in" + DATA_HELP + ".")
@click.option("--period", default=None, help="The employee's period [default: the latest].")
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help="Hold an input at a value (instead of --who).")
@click.option("--value", default=None, help="The value drawn [default: the policy's last payout].")
@click.option("--out", default=None, help="Write here: .svg, .png (through headless Chromium) or .html "
                                          "[default: SVG to stdout].")
@LANG
@CURRENCY
@guard
def curve_cmd(policies, vary, low, high, who, data, period, at, value, out, lang, currency):
    """Draw one value against one input (the others fixed), with cliffs and edges; two policies overlaid."""
    from attain.present import curve, statement

    language = _lang(lang)
    if len(policies) > 2:
        raise AttainError([Diagnostic("U562", say("U562.two"))])
    loaded = [api.load(p) for p in policies]
    if who is not None and data:
        table = read_data(data)
        fixed = PAGES("curve_fixed", language, who=who)
    elif at:
        table = _table_at(at)
        who = "-"
        fixed = PAGES("curve_fixed_at", language, values=", ".join(at))
    else:
        raise AttainError([Diagnostic("U562", say("U562.others"))])
    first = loaded[0]
    name = value or ([*statement.payouts(first.model)] or [first.model.outputs[-1]])[-1]
    kind = str(first.model.types.get(vary, "number"))
    lo, hi = _number(low, kind, "--from"), _number(high, kind, "--to")
    if lo >= hi:
        raise AttainError([Diagnostic("U562", say("U562.order", low=low, high=high))])
    all_series = []
    for path, policy in zip(policies, loaded, strict=True):
        subject = policy.subject(table, who, period=period)
        label = policy.tree.header.version or Path(path).name
        all_series.append(curve.series(f"{Path(path).name} {label}", subject, vary, name, lo, hi))
    if len(all_series) == 2 and all_series[0].name == all_series[1].name:
        all_series = [attr_renamed(s, PAGES(k, language)) for s, k in zip(all_series, ("old", "new"), strict=True)]
    label_of = _label(first)
    value_kind = str(first.model.types[name])
    picture = curve.svg(all_series, label_of(vary), kind, label_of(name), value_kind, language, currency)
    suffix = Path(out).suffix.lower() if out else ".svg"
    title = PAGES("curve_title", language, value=label_of(name), input=label_of(vary))
    if suffix == ".html":
        write_atomically(out, curve.page(all_series, picture, title, fixed, kind, value_kind, language, currency))
    elif suffix == ".png":
        from attain.present import browser, page

        with tempfile.TemporaryDirectory(prefix="attain-curve-") as tmp:
            shell = Path(tmp) / "curve.html"
            shell.write_text(page.picture_document(title, picture), encoding="utf-8")
            made = Path(tmp) / "curve.png"
            browser.png(shell, made, 720, 360)
            write_atomically(out, made.read_bytes())
    elif out is None:
        click.echo(picture)
    else:
        write_atomically(out, picture + "\n")


def attr_renamed(s, name):
    import attrs

    return attrs.evolve(s, name=f"{name}: {s.name}")


def _label(policy: api.Policy):
    def label(name: str) -> str:
        found = policy.model.inputs.get(name) or policy.model.definitions.get(name)
        text = getattr(found, "label", None)
        return f"{text} ({name})" if text else name
    return label


def _number(text: str, kind: str, option: str) -> Fraction:
    """A bound or a value from the command line: 480000, 480_000, 480,000, 1.2 or 120% (a percent)."""
    t = text.strip().replace(",", "").replace("_", "")
    percent = t.endswith("%")
    try:
        v = Fraction(t[:-1] if percent else t)
    except (ValueError, ZeroDivisionError):
        raise AttainError([Diagnostic("U562", say("U562.number", option=option, text=text),
                                      hint=say("U562.number_hint"))]) from None
    return v / 100 if percent else v


def _table_at(at: tuple[str, ...]) -> Table:
    cells: dict[str, str | None] = {"id": "-"}
    for item in at:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise AttainError([Diagnostic("U562", say("U562.at", item=item))])
        cells[name.strip()] = value.strip()
    return Table("--at", tuple(cells), (Row(1, cells),))


@click.command("report")
@click.argument("policy", type=PathArg(dir_okay=False))
@click.option("--data", required=True, multiple=True,
              help="The data file (CSV, Excel, YAML, JSON or Parquet)" + DATA_HELP + ".")
@click.option("--period", default=None, help="The period [default: the latest].")
@click.option("--out", required=True, help="The HTML file to write.")
@click.option("--pdf", is_flag=True, help="Also print it to PDF through headless Chromium.")
@LANG
@CURRENCY
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@HEADER_ROW
@engine_option("the results")
@SPARK_MASTER
@guard
def report_cmd(policy, data, period, out, pdf, lang, currency, id_column, header_row, engine, spark_master):
    """A team report: distributions, payouts by tier and by text columns, the total cost, outliers."""
    from attain.present import browser, report

    language = _lang(lang)
    loaded = api.load(policy)
    table = read_data(data, header_row=header_row)
    use_spark_master(spark_master)
    results = loaded.run(table, id_column=id_column, engine=engine)
    manifest = build_manifest([policy, *loaded.table_files()], data_paths(data, table, loaded), command_line())
    write_atomically(out, report.render(loaded, table, results, language, manifest, currency, period))
    if pdf:
        browser.pdf(Path(out), Path(out).with_suffix(".pdf"))
