"""What every command shares: reading data, reporting diagnostics, exit codes, the progress line.

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

import click

from attain import api, i18n
from attain.diagnostics import AttainError, Diagnostic, render_all, to_json
from attain.engine.lines import line_tables
from attain.i18n.messages import say
from attain.io import read_table, stdout_failed
from attain.io.datasets import DataSet, data_set, part_of, resolve, split_spec
from attain.io.spark_data import through_spark

# Codes of user errors that mean "could not read what you gave me" rather than "found a problem".
_USAGE_PREFIXES = ("U",)


class Exit(Exception):
    def __init__(self, code: int):
        self.code = code


class PathArg(click.Path):
    """click.Path that leaves a name with a NUL character to attain's readers, which refuse it as U503
    (click's own checks would stop at Python's ValueError)."""

    def convert(self, value, param, ctx):
        if "\0" in str(value):
            return value
        return super().convert(value, param, ctx)


def echo(text: str | bytes, nl: bool = True) -> None:
    """Results to stdout: an OSError (a full disk) is U508; a closed pipe goes up to `guard`."""
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


def language_option(ctx, param, value: str | None) -> str | None:
    """`attain --lang`: checked when given, so that a misspelt language stops with a usage error (exit 2)."""
    if value:
        try:
            i18n.language(value)
        except ValueError as e:
            raise click.BadParameter(str(e)) from None
    return value


def message_language() -> str:
    """"en" or "zh" for messages: the command's --lang, else `attain --lang`, else the locale, else English.

    A --lang that names no language attain has is left to the command to refuse; messages then follow the locale.
    """
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        chosen = ctx.params.get("lang")
        if chosen:
            try:
                return i18n.language(chosen)
            except ValueError:
                break
        ctx = ctx.parent
    return i18n.language()


def show_findings(diagnostics, fmt: str = "text", sources: dict[str, str] | None = None):
    """Diagnostics to stderr with caret excerpts from `sources` (the texts the API attached), or JSON to stdout.

    Their words are in `message_language()`; JSON keeps its English keys and says the texts in that language.
    """
    lang = message_language()
    if fmt == "json":
        echo(to_json(diagnostics, lang))
    else:
        click.echo(render_all(diagnostics, sources if sources is not None else getattr(diagnostics, "sources", {}),
                              lang), err=True)


def exit_code_of(diagnostics) -> int:
    errors = [d for d in diagnostics if d.is_error]
    if errors and all(d.code.startswith(_USAGE_PREFIXES) for d in errors):
        return 2
    return 1 if errors else 0


def command_line() -> list[str]:
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
        elif param.name and ctx.get_parameter_source(param.name) == click.core.ParameterSource.DEFAULT:
            continue  # an option left to its default was not given
        elif isinstance(param, click.Option) and param.is_flag and isinstance(value, bool):
            if value or param.secondary_opts:  # `--pdf`; `--no-keep`, the off switch of a pair
                argv.append(param.opts[0] if value else param.secondary_opts[0])
        elif isinstance(value, tuple):  # an option given several times: each as given
            for item in value:
                argv.extend([param.opts[0], str(item)])
        else:
            argv.extend([param.opts[0], str(value)])
    return argv


HEADER_ROW = click.option(
    "--header-row", type=click.IntRange(min=1), default=None,
    help="The line of a CSV file (the row of a sheet) that names the columns [default: the first, past title rows].")


DEFAULT_ENGINE = "duckdb"  # of run, test, diff, statement and report: exact SQL in DuckDB (docs/engines.md)


def engine_option(computes: str):
    """`--engine` of a command that computes `computes` (its help says what), duckdb by default."""
    return click.option(
        "--engine", type=click.Choice(api.ENGINES), default=DEFAULT_ENGINE, show_default=True,
        help=f"The engine that computes {computes}: duckdb, the policy as exact SQL; python, the compiled plan; "
             "reference, every value by the reference evaluator; spark, that SQL on Apache Spark (with "
             "--spark-master). All give identical results.")


DATA_HELP = ("; repeat for line tables (deals, orders): NAME=FILE, or a file or sheet named as the table, the one "
             "file left being the employee table")


def read_data(data: str | tuple[str, ...], sheet: str | None = None, header_row: int | None = None):
    """The data as a table; what reading it found worth a warning (such as its encoding) goes to stderr.

    Several `--data` (or one `NAME=FILE`) give a `DataSet`: the employee table and line tables, bound
    to their roles when the policy is known (`attain.io.datasets`).
    """
    specs = (data,) if isinstance(data, str) else tuple(data)
    if len(specs) == 1 and split_spec(specs[0])[0] is None:
        table = _read_one(specs[0], sheet=sheet, header_row=header_row)
        if table.warnings:
            show_findings(table.warnings)
        return table
    parts = []
    for spec in specs:
        path = split_spec(spec)[1]
        table = _read_one(path, sheet=sheet, header_row=header_row)
        if table.warnings:
            show_findings(table.warnings)
        parts.append(part_of(spec, table, sheet))
    return data_set(parts)


def _read_one(path: str, sheet: str | None, header_row: int | None):
    """A data file, or data read through the Spark session (`attain.io.spark_data.through_spark`: a table
    `table:NAME`, a Parquet folder or a Parquet path on the cluster's storage)."""
    if not through_spark(path):
        return read_table(path, sheet=sheet, header_row=header_row)
    from attain.sql.spark_read import read_on_spark

    if header_row is not None:
        raise AttainError([Diagnostic("U585", say("U585"), hint=say("U585.hint"))])
    return read_on_spark(path)


def data_paths(data: str | tuple[str, ...], table=None, policy=None):
    """What the manifest records of `--data`: the one path as before, or each table's path and role."""
    specs = (data,) if isinstance(data, str) else tuple(data)
    if len(specs) == 1 and split_spec(specs[0])[0] is None:
        return specs[0]
    if isinstance(table, DataSet) and policy is not None:
        return tuple(resolve(table, line_tables(policy.model)).roles())  # type: ignore[attr-defined]
    return tuple((split_spec(spec)[1], "") for spec in specs)


class ProgressLine:
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
        self.stream.write("\r" + fit(self.pending, width) + "\x1b[K")
        self.stream.flush()
        self.drawn = now

    def __enter__(self) -> ProgressLine:
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


def fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns (a wide character takes two), so the line never wraps."""
    out, used = [], 0
    for ch in text:
        used += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used > width:
            break
        out.append(ch)
    return "".join(out)


def guard(fn):
    """Run a command body: user errors become diagnostics and an exit code, never a traceback."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AttainError as e:
            show_findings(e.diagnostics, sources=e.sources)
            sys.exit(exit_code_of(e.diagnostics))
        except Exit as e:
            sys.exit(e.code)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt:
            click.echo(say("cli.interrupted").said(message_language()), err=True)
            sys.exit(130)
        except click.ClickException:
            raise  # a usage error found past click's own parsing (options that do not go together): exit 2
        except Exception:  # an attain bug, not a user error: say so plainly
            if os.environ.get("ATTAIN_DEBUG"):
                raise
            click.echo(say("cli.internal", error=traceback.format_exc().strip().splitlines()[-1])
                       .said(message_language()), err=True)
            sys.exit(3)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper
