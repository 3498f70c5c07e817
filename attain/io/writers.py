"""Writers: result rows -> CSV, JSON, a terminal table or an Excel workbook, written atomically."""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import os
import secrets
import shutil
import stat
import sys
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.exact import decimal_places
from attain.io.numtext import approximate, format_grouped, format_number
from attain.io.workbook import FORMULA_START, Layout, render_workbook

if TYPE_CHECKING:
    pass

# Codes used here:
#   U504 unknown output format   U505 output not writable   U506 xlsx output needs a file


def _is_number(value: Any) -> bool:
    return isinstance(value, (Decimal, Fraction, int)) and not isinstance(value, bool)


def _check_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)) or _is_number(value):
        return value
    if type(value) is datetime.date:
        # A date output (an input of type date, or a formula choosing one) is written as YYYY-MM-DD;
        # Excel gets a real date (see _render_xlsx).
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} value; use Decimal, Fraction, str, bool, date or None")


# ---------------------------------------------------------------- CSV, JSON and the terminal table


# Cells starting with these run as formulas when the CSV is opened in a spreadsheet.
_FORMULA_START = FORMULA_START


def _csv_cell(value: Any) -> str:
    value = _check_value(value)
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return format_number(value)


def _write_csv(columns: list[str], rows: list[dict], manifest: dict | None, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])


def _json_cell(value: Any) -> Any:
    value = _check_value(value)
    # Numbers go out as strings of their exact decimal text: JSON readers parse numbers as floats.
    return format_number(value) if _is_number(value) else value


def _json_default(value: Any) -> Any:
    if _is_number(value):
        return format_number(value)
    raise TypeError(f"cannot write a {type(value).__name__} value in the manifest")


def _write_json(columns: list[str], rows: list[dict], manifest: dict | None, out: TextIO) -> None:
    document: dict[str, Any] = {"schema": 1}
    if manifest is not None:
        document["manifest"] = manifest
    document["columns"] = list(columns)
    document["rows"] = [{c: _json_cell(row.get(c)) for c in columns} for row in rows]
    json.dump(document, out, ensure_ascii=False, indent=2, default=_json_default)
    out.write("\n")


def _display_width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        for ch in text
    )


def _table_text(value: Any) -> str:
    value = _check_value(value)
    text = format_grouped(value)
    # Control characters from data must not reach the terminal (escape sequences, broken lines).
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch for ch in text
    )


def _table_cell(value: Any, kind: str | None) -> str:
    """A value as a person reads it in a terminal: percents as 115%, a value with no finite
    decimal to 6 places after "≈" (the CSV, JSON and Excel outputs keep every digit)."""
    if isinstance(value, bool) or not _is_number(value):
        return _table_text(value)
    exact = Fraction(value)
    if kind == "percent":
        exact *= 100
    if isinstance(value, Fraction) and decimal_places(exact) is None:
        text = approximate(exact)
    else:
        text = format_grouped(Decimal(value) * 100 if kind == "percent" else value)
        if kind == "percent" and "." in text:
            text = text.rstrip("0").rstrip(".")
    return text + ("%" if kind == "percent" else "")


def _write_table(columns: list[str], rows: list[dict], manifest: dict | None, out: TextIO,
                 kinds: dict | None = None) -> None:
    kinds = kinds or {}
    header = [_table_text(c) for c in columns]
    body = [[_table_cell(row.get(c), kinds.get(c)) for c in columns] for row in rows]
    widths = [max([_display_width(h)] + [_display_width(r[i]) for r in body]) for i, h in enumerate(header)]
    # A column is right-aligned when everything in it is a number (empty cells aside).
    numeric = []
    for c in columns:
        values = [row.get(c) for row in rows if row.get(c) is not None]
        numeric.append(bool(values) and all(_is_number(v) for v in values))

    def line(cells: list[str]) -> str:
        parts = []
        for text, width, right in zip(cells, widths, numeric, strict=True):
            pad = " " * (width - _display_width(text))
            parts.append(pad + text if right else text + pad)
        return "  ".join(parts).rstrip() + "\n"

    out.write(line(header))
    out.write("  ".join("-" * w for w in widths) + "\n")
    for cells in body:
        out.write(line(cells))


# ---------------------------------------------------------------- to a file or standard output


_WRITERS: dict[str, Callable[[list[str], list[dict], dict | None, TextIO], None]] = {
    "csv": _write_csv,
    "json": _write_json,
    "table": _write_table,
}


def write_results(
    columns: list[str],
    rows: list[dict],
    fmt: str,
    out: str | None,
    manifest: dict | None = None,
    kinds: dict | None = None,
    beside: dict[str, str] | None = None,
    layout: Layout | None = None,
    bom: bool = False,
) -> None:
    """Write result rows as csv, json, table or xlsx to `out` (None or "-" for stdout).

    `kinds` (column -> "percent", "money", ...) only changes how the terminal table
    shows numbers (115% for a percent); the other formats write exact values.

    Files are written atomically: to a temporary file beside the target, then
    renamed over it, so on any error no partial file is left and an existing
    file is untouched. Row values must be Decimal, Fraction, int, str, bool,
    datetime.date or None (TypeError otherwise); a date is written as
    YYYY-MM-DD, and as an Excel date in xlsx. An unwritable path raises
    AttainError U505.

    xlsx needs a file (U506 for stdout); `layout` says how its columns show (see
    `attain.io.workbook`: one number format per column, notes giving exact values,
    a totals row, headers and tier labels); without one, numbers are formatted
    from their values. The `manifest`, when given, goes on a "manifest" sheet;
    csv and table output do not carry it. Equal inputs give equal bytes.

    `bom` starts CSV text with a UTF-8 byte-order mark, by which Excel knows
    the file is UTF-8 (without one, Chinese Excel reads it as GBK: mojibake).

    `beside` (path -> text) names files written together with `out`, such as the
    manifest sidecar of a CSV file: either every file is replaced or, on any error,
    none is changed (a file renamed before the error gets its old contents back).
    """
    if fmt == "xlsx":
        if out is None or out == "-":
            raise AttainError([Diagnostic("U506", "an Excel workbook cannot be written to standard output",
                                          hint="name an output file ending in .xlsx, or choose csv, json or table")])
        data = render_workbook(columns, rows, manifest, layout)
        _write_together([(out, lambda f: f.write(data), True), *_texts(beside)])
        return
    writer = _WRITERS.get(fmt)
    if fmt == "table" and kinds:
        writer = functools.partial(_write_table, kinds=kinds)
    if writer is None:
        raise AttainError([Diagnostic("U504", f"unknown output format {fmt!r}", hint="use csv, json, table or xlsx")])
    if fmt == "csv" and bom:
        writer = functools.partial(_with_bom, writer)
    if out is None or out == "-":
        # Render fully first so that an error cannot leave half a document on stdout.
        buffer = io.StringIO()
        writer(columns, rows, manifest, buffer)
        _write_stdout(buffer.getvalue(), utf8_bytes=fmt != "table")
        return
    _write_together([(out, lambda f: writer(columns, rows, manifest, f), False), *_texts(beside)])


def _with_bom(writer: Callable[[list[str], list[dict], dict | None, TextIO], None], columns: list[str],
              rows: list[dict], manifest: dict | None, out: TextIO) -> None:
    out.write("\ufeff")
    writer(columns, rows, manifest, out)


def _texts(files: dict[str, str] | None) -> list:
    return [(path, functools.partial(_write_text, text), False) for path, text in (files or {}).items()]


def _write_text(text: str, f: TextIO) -> None:
    f.write(text)


def write_atomically(path: str | os.PathLike, data: str | bytes) -> None:
    """Write `data` (text as UTF-8 with newlines unchanged, or bytes) to `path` atomically.

    As `write_results` does: a temporary file beside the target, renamed over
    it; an existing file keeps its permissions. Raises AttainError U505.
    """
    path = os.fspath(path)
    try:
        if isinstance(data, bytes):
            _write_atomically(path, lambda f: f.write(data), binary=True)
        else:
            _write_atomically(path, lambda f: f.write(data))
    except (OSError, ValueError) as e:
        raise _unwritable(path, e) from None


def _unwritable(path: str, e: OSError | ValueError) -> AttainError:
    # ValueError: a NUL in the name, the one name os.open refuses before asking the system.
    detail = (e.strerror or str(e)) if isinstance(e, OSError) else "a file name cannot contain a NUL character"
    return AttainError([Diagnostic("U505", f"cannot write output file {path!r}: {detail}")])


def stdout_failed(e: OSError) -> AttainError:
    """U508 for standard output that cannot take the results (a full disk, a device error)."""
    return AttainError([Diagnostic("U508", f"cannot write the results to standard output: {e.strerror or e}",
                                   hint="free some space, or write to a file with --out")])


def _write_stdout(text: str, utf8_bytes: bool) -> None:
    """Write the whole rendered text; OSError becomes U508. A closed pipe (BrokenPipeError) is left to the
    caller, for whom it means the reader wants no more."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None) if utf8_bytes else None
    try:
        if buffer is None:
            stream.write(text)
            stream.flush()
            return
        # Data formats are UTF-8 with "\n" whatever the console's encoding or newline convention.
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        raise stdout_failed(e) from None


def _write_atomically(path: str, render: Callable[[Any], Any], binary: bool = False) -> None:
    temp = _write_temporary(path, render, binary)
    try:
        os.replace(temp, path)
    except BaseException:
        _remove(temp)
        raise


def _write_together(files: list[tuple[str, Callable[[Any], Any], bool]]) -> None:
    """Write (path, render, binary) files so that all are replaced or none is; raise AttainError U505.

    Each is first written to a temporary file beside its target, then the temporary
    files are renamed over the targets in order. If a rename fails, the targets already
    replaced are put back: the old file from a hard link (or copy) kept until the end,
    or removed where there was none.
    """
    temps: list[tuple[str, str]] = []
    try:
        for path, render, binary in files:
            if _device(path):
                # A device or pipe (/dev/null, /dev/full, a FIFO) is written to, never renamed over.
                _write_direct(path, render, binary)
                continue
            try:
                temps.append((_write_temporary(path, render, binary), path))
            except (OSError, ValueError) as e:  # ValueError: a name no file can have (a NUL in it)
                raise _unwritable(path, e) from None
        _replace_all(temps)
    finally:
        for temp, _path in temps:
            _remove(temp)  # gone already when renamed


def _replace_all(temps: list[tuple[str, str]]) -> None:
    """Rename each temporary file over its target; on an error, undo the renames done so far."""
    done: list[tuple[str, str | None]] = []  # (target, its old file kept aside, or None)
    try:
        for temp, path in temps:
            try:
                old = _keep_aside(path)
            except OSError as e:
                raise _unwritable(path, e) from None
            try:
                os.replace(temp, path)
            except OSError as e:
                _remove(old)
                raise _unwritable(path, e) from None
            done.append((path, old))
    except BaseException as error:
        lost = _put_back(done)
        if lost and isinstance(error, AttainError):
            first = error.diagnostics[0]
            error.diagnostics[0] = attrs.evolve(first, message=first.message + "; and the files written before "
                                                "it could not all be put back: " + "; ".join(lost))
        raise
    for _path, old in done:
        _remove(old)


def _keep_aside(path: str) -> str | None:
    """A second name for the file at `path` (a hard link, else a copy), or None when there is no file."""
    if not (os.path.islink(path) or os.path.isfile(path)):
        return None  # nothing there (a folder there makes the rename fail, changing nothing)
    aside = _temporary_name(path, "old")
    try:
        os.link(path, aside, follow_symlinks=False)  # a symbolic link is kept as the link it is
    except OSError:
        shutil.copy2(path, aside, follow_symlinks=False)  # a file system without hard links
    return aside


def _put_back(done: list[tuple[str, str | None]]) -> list[str]:
    """Undo renames: each target gets its old file back, or is removed if it is new. Returns what failed."""
    lost = []
    for path, old in reversed(done):
        try:
            if old is None:
                os.unlink(path)
            else:
                os.replace(old, path)
        except OSError as e:
            lost.append(f"{path!r}: {e.strerror or e}" + (f" (its old contents are in {old!r})" if old else ""))
    return lost


def _remove(path: str | None) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass


def _temporary_name(path: str, kind: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    return os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(8)}.{kind}")


def _device(path: str) -> bool:
    """Whether `path` exists and is neither a regular file nor a folder: a device or a pipe."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_direct(path: str, render: Callable[[Any], Any], binary: bool) -> None:
    try:
        with open(path, "wb") if binary else open(path, "w", encoding="utf-8", newline="") as f:
            render(f)
    except OSError as e:
        raise _unwritable(path, e) from None


def _write_temporary(path: str, render: Callable[[Any], Any], binary: bool) -> str:
    """Render into a new temporary file beside `path` (synced, with the target's permissions); return its name."""
    temp = _temporary_name(path, "tmp")
    # os.open with 0o666 lets the umask set the new file's mode, as a plain open() would.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as f:
            render(f)
            f.flush()
            os.fsync(f.fileno())
        try:
            # Replacing a file keeps its permissions, as overwriting it in place would.
            os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
        except FileNotFoundError:
            pass
    except BaseException:
        _remove(temp)
        raise
    return temp
