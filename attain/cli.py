"""The command line: arguments, formats and exit codes over `attain.api`; it computes nothing itself.

Results go to stdout, messages to stderr. Exit codes: 0 ok; 1 findings (check
errors, bad data, evaluation errors); 2 usage, unreadable input or unwritable
output; 141, silently, when the reader of stdout has gone (`| head -1`).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import traceback
import unicodedata
from pathlib import Path

import click

from attain import api
from attain.diagnostics import AttainError, Diagnostic, render_all, to_json
from attain.files import decode_text, read_bytes
from attain.io import read_table, stdout_failed, write_atomically, write_results
from attain.manifest import build_manifest, manifest_json, sidecar_path

# Codes of user errors that mean "could not read what you gave me" rather than "found a problem".
_USAGE_PREFIXES = ("U",)


class _Exit(Exception):
    def __init__(self, code: int):
        self.code = code


class _Path(click.Path):
    """click.Path that leaves a name with a NUL character to attain's readers, which refuse it as U503
    (click's own checks would stop at Python's ValueError)."""

    def convert(self, value, param, ctx):
        if "\0" in str(value):
            return value
        return super().convert(value, param, ctx)


def _echo(text: str | bytes, nl: bool = True) -> None:
    """Results to stdout: an OSError (a full disk) is U508; a closed pipe goes up to `_guard`."""
    try:
        click.echo(text, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as e:
        raise stdout_failed(e) from None


def _quiet_broken_pipe() -> None:
    """The reader of stdout has gone (`attain run ... | head -1`): stop without a word.

    Standard output is pointed at /dev/null, so that Python's last flush at exit has
    nowhere to fail; the exit code is the shell's for a closed pipe (128 + SIGPIPE).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (a test runner's): nothing will flush
        pass
    sys.exit(141)


def _report(diagnostics, fmt: str = "text", sources: dict[str, str] | None = None):
    """Diagnostics to stderr with caret excerpts from `sources` (the texts the API attached), or JSON to stdout."""
    if fmt == "json":
        _echo(to_json(diagnostics))
    else:
        click.echo(render_all(diagnostics, sources if sources is not None else getattr(diagnostics, "sources", {})),
                   err=True)


def _exit_code(diagnostics) -> int:
    errors = [d for d in diagnostics if d.is_error]
    if errors and all(d.code.startswith(_USAGE_PREFIXES) for d in errors):
        return 2
    return 1 if errors else 0


def _command_line() -> list[str]:
    """The command as given, rebuilt from its parsed options (the same however attain was started)."""
    ctx = click.get_current_context()
    # Click names the context of every command it invokes; only a context made by hand has no name.
    argv = ["attain", ctx.info_name or ""]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if value is None or value == () or param.name == "help":
            continue
        if isinstance(param, click.Argument):
            argv.extend(value if isinstance(value, tuple) else [str(value)])
        elif isinstance(value, tuple):  # an option given several times: each as given
            for item in value:
                argv.extend([param.opts[0], str(item)])
        else:
            argv.extend([param.opts[0], str(value)])
    return argv


_HEADER_ROW = click.option(
    "--header-row", type=click.IntRange(min=1), default=None,
    help="The line of a CSV file (the row of a sheet) that names the columns [default: the first, past title rows].")


def _read_data(data: str, sheet: str | None = None, header_row: int | None = None):
    """The data file as a table; what reading it found worth a warning (such as its encoding) goes to stderr."""
    table = read_table(data, sheet=sheet, header_row=header_row)
    if table.warnings:
        _report(table.warnings)
    return table


class _ProgressLine:
    """One line on stderr saying how far a long command is: only on a terminal, and only after DELAY seconds.

    The engine never prints: it calls this with `api.Progress` values, and the command
    with its own steps (`show`). Used as a context manager, so that the line is cleared
    however the command ends, before any result or message is printed. A timer draws
    the latest report when the delay is over, since a long step (reading a large file)
    reports only as it starts.
    """

    DELAY = 2.0  # seconds: a quick command shows nothing at all
    EVERY = 0.1  # seconds between two redraws within one step

    def __init__(self, stream=None, clock=time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.on = self.stream.isatty()
        except (AttributeError, ValueError):  # a closed or unusual stream
            self.on = False
        self.clock = clock
        self.start = clock()
        self.drawn: float | None = None  # when the line was last drawn; None while nothing is shown
        self.step = ""  # the step drawn last: a new step is drawn at once
        self.pending = ""  # the latest text, for the timer
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    def __call__(self, p: api.Progress) -> None:
        if not self.on:
            return
        text = f"attain: {p.step}"
        if p.total:
            text += f" {p.done:,} of {p.total:,} rows"
            if p.periods > 1:
                text += f", {p.period} ({p.number} of {p.periods} periods)"
        self.show(text if p.total else text + "...", p.step)

    def show(self, text: str, step: str | None = None) -> None:
        """Draw `text`, unless it is too early or the same step was drawn less than EVERY seconds ago."""
        if not self.on:
            return
        step = text if step is None else step
        with self.lock:
            self.pending = text
            now = self.clock()
            if now - self.start < self.DELAY:
                return
            if self.drawn is not None and step == self.step and now - self.drawn < self.EVERY:
                return
            self.step = step
            self._draw(now)

    def _late(self) -> None:
        with self.lock:
            if self.pending and self.drawn is None:
                self._draw(self.clock())

    def _draw(self, now: float) -> None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r" + _fit(self.pending, width) + "\x1b[K")
        self.stream.flush()
        self.drawn = now

    def __enter__(self) -> _ProgressLine:
        if self.on:
            self.timer = threading.Timer(self.DELAY, self._late)
            self.timer.daemon = True
            self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.clear()

    def clear(self) -> None:
        """Take the line away (before results or messages are printed); the next report may draw it again."""
        with self.lock:
            self.pending = ""
            if self.drawn is not None:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.drawn = None


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns (a wide character takes two), so the line never wraps."""
    out, used = [], 0
    for ch in text:
        used += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used > width:
            break
        out.append(ch)
    return "".join(out)


def _guard(fn):
    """Run a command body: user errors become diagnostics and an exit code, never a traceback."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AttainError as e:
            _report(e.diagnostics, sources=e.sources)
            sys.exit(_exit_code(e.diagnostics))
        except _Exit as e:
            sys.exit(e.code)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception:  # an attain bug, not a user error: say so plainly
            if os.environ.get("ATTAIN_DEBUG"):
                raise
            click.echo("internal error in attain (a bug, not a problem with your files): "
                       + traceback.format_exc().strip().splitlines()[-1]
                       + "\nrerun with ATTAIN_DEBUG=1 for details, and please report it.", err=True)
            sys.exit(3)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="attain")
def main():
    """attain: policy-as-code for sales performance evaluation and incentive pay."""


@main.command("check")
@click.argument("policies", nargs=-1, required=True, type=_Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guard
def check_cmd(policies, fmt):
    """Parse and check POLICIES; print every error and warning."""
    diagnostics: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for path in policies:
        findings = api.check(path)
        diagnostics.extend(findings)
        sources.update(findings.sources)
    _report(diagnostics, fmt, sources)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if fmt == "text":
        summary = f"{len(policies)} {'policy' if len(policies) == 1 else 'policies'} checked: " \
                  f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        click.echo(summary, err=True)
    raise _Exit(_exit_code(diagnostics))


@main.command("run")
@click.argument("policy", type=_Path())
@click.option("--data", "data", required=True,
              help="CSV, Excel (.xlsx), YAML or JSON file with one row per employee (and period); - for CSV on stdin.")
@click.option("--sheet", default=None, help="The worksheet to read from an Excel file [default: the first].")
@_HEADER_ROW
@click.option("--out", "out", default=None, help="Write here (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx", "table"]), default=None,
              help="Output format [default: from --out's extension, else table on a terminal, else csv].")
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@click.option("--engine", type=click.Choice(api.ENGINES), default=None,
              help="python: the compiled plan [the default]; reference: every value by the reference "
                   "evaluator, the slow, obvious way (an auditor's recomputation). Both give identical results.")
@click.option("--allow-id", "allow_ids", multiple=True, metavar="ID",
              help="An employee whose id reads like a total row (合计, Total, Sum); repeat for several. "
                   "Any other total row is an error.")
@_guard
def run_cmd(policy, data, sheet, header_row, out, fmt, id_column, engine, allow_ids):
    """Evaluate POLICY for every employee in --data.

    POLICY may be a folder of versions of one policy: each period is computed by the
    version in force (by their `effective` and `until` dates). Every run carries a
    manifest (engine version, policy and data SHA-256, git commit, command, time):
    inside JSON and Excel output, beside a CSV file as NAME.manifest.json.
    """
    loaded: api.Policy | api.Versions
    if Path(policy).is_dir():
        loaded = api.load_versions(policy)
        versions = loaded.policies
    else:
        loaded = api.load(policy)
        versions = (loaded,)
    # Every file that shaped the results, the policies a policy `uses` included.
    policy_paths, stack = [], list(versions)
    while stack:
        current = stack.pop(0)
        policy_paths.append(current.tree.file)
        stack.extend(current.parts)
    for version in versions:
        if version.warnings:
            _report(version.warnings)
    with _ProgressLine() as progress:
        results = loaded.run(_read_data(data, sheet, header_row), id_column=id_column,
                             engine=engine or "python", allow_ids=allow_ids, progress=progress)
        if results.warnings:
            progress.clear()
            _report(results.warnings)
        if fmt is None:
            suffix = Path(out).suffix.lower().lstrip(".") if out else ""
            fmt = suffix if suffix in ("csv", "json", "xlsx") else (
                "table" if out is None and sys.stdout.isatty() else "csv")
        progress.show(f"attain: writing {len(results.rows):,} rows...")
        manifest = build_manifest(policy_paths, data, _command_line())
        # A file of results and its manifest sidecar are written together: both replaced, or neither.
        to_file = out not in (None, "-")
        beside = {sidecar_path(out): manifest_json(manifest)} if to_file and fmt in ("csv", "table") else None
        if not to_file:
            progress.clear()  # the results go to stdout, perhaps the same terminal: the line goes first
        write_results(list(results.columns), list(results.rows), fmt, out,
                      manifest=manifest if fmt in ("json", "xlsx") else None, kinds=results.kinds, beside=beside)


@main.command("explain")
@click.argument("policy", type=_Path(dir_okay=False))
@click.option("--data", "data", required=True, help="The data file the employee's row is in.")
@click.option("--who", required=True, help="The employee's id.")
@click.option("--value", "value", default=None, help="The value to explain [default: every output].")
@click.option("--period", default=None, help="The period (for data with several periods).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@click.option("--allow-id", "allow_ids", multiple=True, metavar="ID",
              help="An employee whose id reads like a total row (合计, Total, Sum); repeat for several.")
@_HEADER_ROW
@_guard
def explain_cmd(policy, data, who, value, period, fmt, id_column, allow_ids, header_row):
    """Show how one employee's values came about, down to the data cells and policy lines."""
    loaded = api.load(policy)
    explanation = loaded.explain(_read_data(data, header_row=header_row), who, value, id_column=id_column,
                                 period=period, allow_ids=allow_ids)
    _echo(explanation.json() if fmt == "json" else explanation.text(), nl=False)


@main.command("test")
@click.argument("paths", nargs=-1, type=_Path())
@click.option("--engine", type=click.Choice(api.ENGINES), default=None,
              help="The engine every case runs with: python, the compiled plan [the default]; reference, "
                   "every value by the reference evaluator. Both must meet every expectation.")
@_guard
def test_cmd(paths, engine):
    """Run the policy test files (*.test.yaml) in PATHS (files or folders; default: the current folder)."""
    from attain import testing

    given = list(paths) or ["."]
    files = testing.discover(given)
    if not files:
        testing.run_paths(given, engine=engine or "python")  # raises the error that says no test files were found
    results = []
    with _ProgressLine() as progress:
        for number, file in enumerate(files, 1):
            progress.show(f"attain: test file {number} of {len(files)}, {file}")
            results.extend(testing.run_paths([file], engine=engine or "python"))
    _echo(testing.render_results(results), nl=False)
    raise _Exit(testing.exit_code(results))


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not formatted, exit 1 if any.")
@_guard
def fmt_cmd(paths, check):
    """Rewrite policies in the canonical layout (comments kept, meaning unchanged).

    PATHS are .policy files or folders (searched for .policy files); - formats stdin to stdout.
    """
    from attain.dsl.formatter import format_policy

    if paths == ("-",):
        text = _stdin_text()
        formatted = format_policy(text, "<stdin>")
        if check:
            raise _Exit(0 if formatted == text else 1)
        _echo(formatted.encode("utf-8"), nl=False)  # policy text is UTF-8, whatever the console's encoding
        return
    files = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            files.extend(sorted(p.rglob("*.policy")))
        elif p.exists() or "\0" in path:  # a NUL in the name: reading it says so
            files.append(p)
        else:
            raise AttainError([Diagnostic("U501", f"policy file {path!r} does not exist")])
    changed, errors = [], []
    sources: dict[str, str] = {}
    for f in files:
        try:
            # A byte-order mark is kept here, so that formatting removes it.
            text = decode_text(read_bytes(f, "policy file"), str(f), "policy file", keep_bom=True)
            formatted = format_policy(text, str(f))
        except AttainError as e:
            errors.extend(e.diagnostics)
            sources.update(e.sources)
            continue
        if formatted != text:
            changed.append(f)
            if not check:
                write_atomically(str(f), formatted)
    for f in changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {f}", err=True)
    if errors:
        _report(errors, sources=sources)
    unchanged = len(files) - len(changed) - len({d.span.file for d in errors if d.span})
    click.echo(f"{len(changed)} {'would be ' if check else ''}reformatted, {unchanged} unchanged"
               + (f", {len(errors)} with errors" if errors else ""), err=True)
    raise _Exit(_exit_code(errors) or (1 if check and changed else 0))


def _stdin_text() -> str:
    """The policy text on standard input, read as bytes so that only UTF-8 is taken (U502 at the first bad byte)."""
    try:
        buffer = getattr(sys.stdin, "buffer", None)
        data = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
    except OSError as e:
        raise AttainError([Diagnostic("U503", f"cannot read the policy from standard input: {e.strerror or e}")]
                          ) from None
    return decode_text(data, "<stdin>", "policy text", keep_bom=True)


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--data", "data", required=True, help="The data both versions run on.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--id-column", default=None, help="The column that names the employee [default: id].")
@_HEADER_ROW
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when any output of any employee differs between the versions, 0 when none does.")
@_guard
def diff_cmd(old, new, data, fmt, id_column, header_row, exit_code):
    """What changed between two versions of a policy, and whom it affects by how much.

    OLD and NEW are policy files or PATH@REV (a git revision, read without a checkout).
    """
    from attain.diff import diff

    with _ProgressLine() as progress:
        report = diff(old, new, _read_data(data, header_row=header_row), id_column=id_column, progress=progress)
        progress.show("attain: writing the report...")
        text = {"text": report.text, "json": report.json, "csv": report.csv}[fmt]()
    for loaded in (report.old, report.new):
        if loaded.warnings:
            _report(loaded.warnings)
    _echo(text, nl=False)
    # Like `git diff --exit-code`: changed definitions alone (a reworded formula, the same results) are 0.
    raise _Exit(1 if exit_code and report.impact.affected else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
