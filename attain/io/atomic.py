"""Files written atomically: to a temporary file beside the target, then renamed; several together, or none."""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable
from typing import Any, TextIO

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.i18n.messages import say

# Codes used here:
#   U505 output not writable


def text_files(files: dict[str, str] | None) -> list:
    """(path, render, binary) entries for `write_together` that write each text to its path."""
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


def unwritable(path: str, e: OSError | ValueError) -> AttainError:
    """U505 for `path`, saying what the system said (a NUL in the name: that)."""
    return _unwritable(path, e)


def _unwritable(path: str, e: OSError | ValueError) -> AttainError:
    # ValueError: a NUL in the name, the one name os.open refuses before asking the system.
    detail = (e.strerror or str(e)) if isinstance(e, OSError) else say("U505.nul")
    return AttainError([Diagnostic("U505", say("U505", path=path, reason=detail))])


def _write_atomically(path: str, render: Callable[[Any], Any], binary: bool = False) -> None:
    temp = _write_temporary(path, render, binary)
    try:
        os.replace(temp, path)
    except BaseException:
        _remove(temp)
        raise


def temporary_beside(path: str | os.PathLike) -> str:
    """A new file name beside `path`, for a file written by someone else (DuckDB) and put in place by
    `write_prepared`. For a device or a pipe (/dev/full, a FIFO), which is written to and never renamed over, a
    name in the system's temporary folder: nothing is created in /dev."""
    path = os.fspath(path)
    if _device(path):
        return os.path.join(tempfile.gettempdir(), f"attain-{secrets.token_hex(8)}.tmp")
    return _temporary_name(path, "tmp")


def write_prepared(prepared: str, path: str, beside: dict[str, str] | None = None) -> None:
    """Put the file written at `prepared` (a `temporary_beside(path)` name) in place at `path`, with `beside`.

    As `write_results` does: `path` and every `beside` file (path -> text) are all replaced or,
    on any error, none is changed (AttainError U505); `prepared` is gone afterwards either way.
    A device or pipe at `path` (/dev/null, a FIFO) is written to instead.
    """
    write_together(text_files(beside), prepared=(prepared, path))


def _copy_from(source: str, f: Any) -> None:
    with open(source, "rb") as src:
        shutil.copyfileobj(src, f)


def _adopt(temp: str, path: str) -> None:
    """Make a file written by another program like one of `_write_temporary`'s: synced, with the target's mode."""
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
    except FileNotFoundError:
        pass


def write_together(files: list[tuple[str, Callable[[Any], Any], bool]],
                    prepared: tuple[str, str] | None = None) -> None:
    """Write (path, render, binary) files so that all are replaced or none is; raise AttainError U505.

    Each is first written to a temporary file beside its target, then the temporary
    files are renamed over the targets in order. If a rename fails, the targets already
    replaced are put back: the old file from a hard link (or copy) kept until the end,
    or removed where there was none. `prepared` is (a temporary file written already, its
    target), put in place first with the others.
    """
    temps: list[tuple[str, str]] = []
    try:
        if prepared is not None:
            temp, path = prepared
            if _device(path):
                _write_direct(path, functools.partial(_copy_from, temp), True)
            else:
                try:
                    _adopt(temp, path)
                except (OSError, ValueError) as e:
                    raise _unwritable(path, e) from None
                temps.append((temp, path))
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
        if prepared is not None:
            _remove(prepared[0])


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
