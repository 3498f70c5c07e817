"""The command line: arguments, formats and exit codes over `attain.api`; it computes nothing itself.

Results go to stdout, messages to stderr. Exit codes: 0 ok; 1 findings (check
errors, bad data, evaluation errors); 2 usage, unreadable input or unwritable
output; 141, silently, when the reader of stdout has gone (`| head -1`).

What commands share lives in `attain.cli.common`; a command of its own concern lives in
its own module of this package and is added to `main` at the end of this file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from attain import api
from attain.cli import columnar, shaping
from attain.cli.common import (
    DATA_HELP,
    DEFAULT_ENGINE,
    HEADER_ROW,
    Exit,
    PathArg,
    ProgressLine,
    command_line,
    data_paths,
    echo,
    engine_option,
    exit_code_of,
    guard,
    language_option,
    message_language,
    read_data,
    show_findings,
)
from attain.cli.sql import SPARK_MASTER, use_spark_master
from attain.diagnostics import AttainError, Diagnostic
from attain.files import decode_text, read_bytes
from attain.i18n.messages import counted, say
from attain.io import write_atomically, write_results
from attain.manifest import build_manifest, manifest_json, sidecar_path
from attain.versions import Versions, check_versions, load_versions, version_paths


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="attain")
@click.option("--lang", default=None, metavar="en|zh", callback=language_option,
              help="The language of messages (errors, warnings, hints) [default: from the locale (LANG), else "
                   "English]. Commands that write pages or workbooks take their own --lang as well.")
def main(lang):
    """attain: policy-as-code for sales performance evaluation and incentive pay."""


@main.command("check")
@click.argument("policies", nargs=-1, required=True, type=PathArg())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@guard
def check_cmd(policies, fmt):
    """Parse and check POLICIES; print every error and warning.

    A folder is a folder of versions of one policy: each version is checked, and so is what
    only a folder can get wrong (dates that overlap or leave a gap, different switch rules).
    """
    diagnostics: list[Diagnostic] = []
    sources: dict[str, str] = {}
    checked = 0
    for path in policies:
        folder = os.path.isdir(path)  # False for a name no file can have
        findings = check_versions(path) if folder else api.check(path)
        checked += len(version_paths(path)) if folder else 1
        diagnostics.extend(findings)
        sources.update(findings.sources)
    show_findings(diagnostics, fmt, sources)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if fmt == "text":
        summary = say("cli.checked", policies=counted(checked, "policy", "policies"),
                      errors=counted(errors, "error"), warnings=counted(warnings, "warning"))
        click.echo(summary.said(message_language()), err=True)
    raise Exit(exit_code_of(diagnostics))


@main.command("run")
@click.argument("policy", type=PathArg())
@click.option("--data", "data", required=True, multiple=True,
              help="CSV, Excel (.xlsx), YAML, JSON or Parquet file with one row per employee (and period); "
                   "- for CSV on stdin; table:NAME for a table of the Spark session's catalog" + DATA_HELP + ".")
@click.option("--sheet", default=None, help="The worksheet to read from an Excel file [default: the first].")
@HEADER_ROW
@click.option("--out", "out", default=None, help="Write here (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx", "table", "parquet"]), default=None,
              help="Output format [default: from --out's extension, else table on a terminal, else csv]; parquet "
                   "holds exact decimals and the manifest in its metadata.")
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@click.option("--engine", type=click.Choice(api.ENGINES), default=None,
              help="duckdb: the policy compiled to exact SQL, run by an embedded DuckDB that reads and writes "
                   "the files itself where it can [the default]; python: the compiled plan; reference: every "
                   "value by the reference evaluator, the slow, obvious way (an auditor's recomputation); spark: the "
                   "SQL on Apache Spark (pip install 'attain[spark]') (docs/engines.md). All give identical results.")
@SPARK_MASTER
@click.option("--allow-id", "allow_ids", multiple=True, metavar="ID",
              help="An employee whose id reads like a total row (合计, Total, Sum); repeat for several. "
                   "Any other total row is an error.")
@shaping.HEADERS
@shaping.KEEP
@shaping.NO_KEEP
@shaping.BOM
@shaping.LANG
@guard
def run_cmd(policy, data, sheet, header_row, out, fmt, id_column, engine, spark_master, allow_ids, headers, keep,
            no_keep, bom, lang):  # long: one command's options, results and manifest, written together
    """Evaluate POLICY for every employee in --data.

    POLICY may be a folder of versions of one policy: each period is computed by the
    version in force (by their `effective` and `until` dates). Every run carries a
    manifest (engine version, policy and data SHA-256, git commit, command, time):
    inside JSON and Excel output, beside a CSV file as NAME.manifest.json.

    Excel output is for people: headers and tiers in the policy's labels, the data's
    other columns (姓名, 部门) after the id, one number format per column, notes with
    exact values, a totals row. CSV and JSON keep identifiers unless asked (--headers).
    """
    use_spark_master(spark_master)
    loaded: api.Policy | Versions
    if Path(policy).is_dir():
        loaded = load_versions(policy)
        versions = loaded.policies
    else:
        loaded = api.load(policy)
        versions = (loaded,)
    # Every file that shaped the results, the policies a policy `uses` included.
    policy_paths, stack = [], list(versions)
    while stack:
        current = stack.pop(0)
        policy_paths.append(current.tree.file)
        policy_paths.extend(current.table_files())  # the rate tables it keeps in files, hashed like it
        stack.extend(current.parts)
    for version in versions:
        if version.warnings:
            show_findings(version.warnings)
    fmt = shaping.format_of(fmt, out)
    carry = shaping.carry_of(fmt, keep, no_keep)
    if columnar.ran_in_duckdb(loaded, data, engine=engine or DEFAULT_ENGINE, fmt=fmt, out=out, sheet=sheet,
                              header_row=header_row, id_column=id_column, allow_ids=allow_ids, carry=carry,
                              headers=headers, bom=bom,
                              manifest=build_manifest(policy_paths, data_paths(data), command_line())):
        return
    with ProgressLine() as progress:
        table = read_data(data, sheet, header_row)
        results = loaded.run(table, id_column=id_column,
                             engine=engine or DEFAULT_ENGINE, allow_ids=allow_ids, progress=progress, carry=carry)
        if results.warnings:
            progress.clear()
            show_findings(results.warnings)
        progress.show(f"attain: writing {len(results.rows):,} rows...")
        manifest = build_manifest(policy_paths, data_paths(data, table, versions[0]), command_line())
        # A file of results and its manifest sidecar are written together: both replaced, or neither.
        to_file = out not in (None, "-")
        beside = {sidecar_path(out): manifest_json(manifest)} if to_file and fmt in ("csv", "table") else None
        if not to_file:
            progress.clear()  # the results go to stdout, perhaps the same terminal: the line goes first
        if fmt == "parquet":
            return columnar.write_parquet(results, loaded, out, manifest)
        columns, rows, kinds = list(results.columns), list(results.rows), results.kinds
        if headers == "labels" and fmt != "xlsx":
            columns, rows = shaping.relabelled(results, lang)
            kinds = {new: kinds[old] for old, new in zip(results.columns, columns, strict=True) if old in kinds}
        write_results(columns, rows, fmt, out, manifest=manifest if fmt in ("json", "xlsx") else None, kinds=kinds,
                      beside=beside, layout=shaping.layout_of(results, versions, headers, lang), bom=bom)


@main.command("explain")
@click.argument("policy", type=PathArg())
@click.option("--data", "data", required=True, multiple=True, help="The data file the employee's row is in"
              + DATA_HELP + ".")
@click.option("--who", required=True, help="The employee's id.")
@click.option("--value", "value", default=None, help="The value to explain [default: every output].")
@click.option("--period", default=None, help="The period (for data with several periods).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@click.option("--allow-id", "allow_ids", multiple=True, metavar="ID",
              help="An employee whose id reads like a total row (合计, Total, Sum); repeat for several.")
@click.option("--lang", default=None, metavar="en|zh", callback=language_option,
              help="The language of the explanation's words and notes (names, formulas and numbers stay as "
                   "written; JSON keys stay English) and of the messages [default: `attain --lang`, else from the "
                   "locale (LANG), else English].")
@HEADER_ROW
@guard
def explain_cmd(policy, data, who, value, period, fmt, id_column, allow_ids, header_row, lang):
    """Show how one employee's values came about, down to the data cells and policy lines.

    POLICY may be a folder of versions: the period is explained by the version in force, or, for
    a period prorated between versions, by each of them with its days.
    """
    loaded = load_versions(policy) if os.path.isdir(policy) else api.load_cached(policy)
    # A CSV file: the employee's rows alone, where that applies (api.Policy.explain_slice); else the whole file.
    sliced = loaded.explain_slice(data, who, value, id_column=id_column, period=period, allow_ids=allow_ids,
                                  header_row=header_row) if isinstance(loaded, api.Policy) else None
    explanation = sliced if sliced is not None else loaded.explain(
        read_data(data, header_row=header_row), who, value, id_column=id_column, period=period, allow_ids=allow_ids)
    lang = message_language()
    echo(explanation.json(lang) if fmt == "json" else explanation.text(lang), nl=False)


@main.command("test")
@click.argument("paths", nargs=-1, type=PathArg())
@click.option("--engine", type=click.Choice(api.ENGINES), default=None,
              help="The engine every case runs with: duckdb, the policy as exact SQL [the default]; python, "
                   "the compiled plan; reference, every value by the reference evaluator; spark, that SQL on "
                   "Apache Spark. Each must meet every expectation.")
@SPARK_MASTER
@guard
def test_cmd(paths, engine, spark_master):
    """Run the policy test files (*.test.yaml) in PATHS (files or folders; default: the current folder)."""
    from attain import testing

    use_spark_master(spark_master)
    given = list(paths) or ["."]
    files = testing.discover(given)
    if not files:
        testing.run_paths(given, engine=engine or DEFAULT_ENGINE)  # raises the error that says no test files were found
    results = []
    with ProgressLine() as progress:
        for number, file in enumerate(files, 1):
            progress.show(f"attain: test file {number} of {len(files)}, {file}")
            results.extend(testing.run_paths([file], engine=engine or DEFAULT_ENGINE, lang=message_language()))
    echo(testing.render_results(results), nl=False)
    raise Exit(testing.exit_code(results))


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not formatted, exit 1 if any.")
@guard
def fmt_cmd(paths, check):
    """Rewrite policies in the canonical layout (comments kept, meaning unchanged).

    PATHS are .policy files or folders (searched for .policy files); - formats stdin to stdout.
    """
    from attain.dsl.formatter import format_policy

    if paths == ("-",):
        text = _stdin_text()
        formatted = format_policy(text, "<stdin>")
        if check:
            raise Exit(0 if formatted == text else 1)
        echo(formatted.encode("utf-8"), nl=False)  # policy text is UTF-8, whatever the console's encoding
        return
    files = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            files.extend(sorted(p.rglob("*.policy")))
        elif p.exists() or "\0" in path:  # a NUL in the name: reading it says so
            files.append(p)
        else:
            raise AttainError([Diagnostic("U501", say("file.missing", what=say("what.policy_file"), name=path))])
    changed, errors = [], []
    sources: dict[str, str] = {}
    for f in files:
        try:
            # A byte-order mark is kept here, so that formatting removes it.
            what = say("what.policy_file")
            text = decode_text(read_bytes(f, what), str(f), what, keep_bom=True)
            formatted = format_policy(text, str(f))
        except AttainError as e:
            errors.extend(e.diagnostics)
            sources.update(e.sources)
            continue
        if formatted != text:
            changed.append(f)
            if not check:
                write_atomically(str(f), formatted)
    lang = message_language()
    for f in changed:
        click.echo(say("fmt.would" if check else "fmt.done", file=f).said(lang), err=True)
    if errors:
        show_findings(errors, sources=sources)
    unchanged = len(files) - len(changed) - len({d.span.file for d in errors if d.span})
    with_errors = say("fmt.errors", n=len(errors)) if errors else ""
    click.echo(say("fmt.summary_check" if check else "fmt.summary", changed=len(changed), unchanged=unchanged,
                   errors=with_errors).said(lang), err=True)
    raise Exit(exit_code_of(errors) or (1 if check and changed else 0))


def _stdin_text() -> str:
    """The policy text on standard input, read as bytes so that only UTF-8 is taken (U502 at the first bad byte)."""
    try:
        buffer = getattr(sys.stdin, "buffer", None)
        data = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
    except OSError as e:
        raise AttainError([Diagnostic("U503", say("U503.stdin_policy", reason=e.strerror or e))]) from None
    return decode_text(data, "<stdin>", say("what.policy_text"), keep_bom=True)


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--data", "data", required=True, multiple=True, help="The data both versions run on" + DATA_HELP + ".")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@HEADER_ROW
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when any output of any employee differs between the versions, 0 when none does.")
@engine_option("both versions' results")
@SPARK_MASTER
@guard
def diff_cmd(old, new, data, fmt, id_column, header_row, exit_code, engine, spark_master):
    """What changed between two versions of a policy, and whom it affects by how much.

    OLD and NEW are policy files or PATH@REV (a git revision, read without a checkout), or folders of
    versions (FOLDER or FOLDER@REV): each period is then computed by the version in force in it.
    """
    from attain.diff import diff

    use_spark_master(spark_master)
    with ProgressLine() as progress:
        report = diff(old, new, read_data(data, header_row=header_row), id_column=id_column, progress=progress,
                      engine=engine)
        progress.show("attain: writing the report...")
        text = {"text": report.text, "json": report.json, "csv": report.csv}[fmt]()
    for loaded in (report.old, report.new):
        for version in loaded.policies if isinstance(loaded, Versions) else (loaded,):
            if version.warnings:
                show_findings(version.warnings)
    echo(text, nl=False)
    # Like `git diff --exit-code`: changed definitions alone (a reworded formula, the same results) are 0.
    raise Exit(1 if exit_code and report.impact.affected else 0)


from attain.cli.pages import curve_cmd, report_cmd, statement_cmd  # noqa: E402  (commands of their own module)

main.add_command(statement_cmd)
main.add_command(curve_cmd)
main.add_command(report_cmd)

from attain.cli.init import init_cmd  # noqa: E402
from attain.cli.template import template_cmd  # noqa: E402

main.add_command(init_cmd)
main.add_command(template_cmd)

from attain.cli.sql import sql_cmd  # noqa: E402

main.add_command(sql_cmd)

if __name__ == "__main__":  # pragma: no cover
    main()
