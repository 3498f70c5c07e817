"""Reading the user's files: one place that turns a missing, unreadable or non-UTF-8 file into a diagnostic."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.i18n.messages import say


def read_bytes(path: str | Path, what: str, missing: str = "U501", unreadable: str = "U503") -> bytes:
    """The bytes of `path`; an AttainError naming `what` ("policy file", "data file") if it cannot be read."""
    with opened(path, what, missing, unreadable) as f:
        return f.read()


@contextlib.contextmanager
def opened(path: str | Path, what: str, missing: str = "U501", unreadable: str = "U503") -> Iterator[BinaryIO]:
    """`path` open for reading bytes; an AttainError naming `what` if it cannot be opened or read (a reader that
    hands the file to another library opens it here first, so that a missing file is said alike)."""
    name = str(path)
    try:
        with open(path, "rb") as f:
            yield f
    except FileNotFoundError:
        raise AttainError([Diagnostic(missing, say("file.missing", what=what, name=name))]) from None
    except IsADirectoryError:
        raise AttainError([Diagnostic(unreadable, say("file.folder", what=what, name=name))]) from None
    except OSError as e:
        raise AttainError([Diagnostic(unreadable, say("file.unreadable", what=what, name=name,
                                                      reason=e.strerror or e))]) from None
    except ValueError:  # the one name open() refuses outright: a NUL character in it
        raise AttainError([Diagnostic(unreadable, say("file.nul", what=what, name=name))]) from None


def read_text(path: str | Path, what: str, missing: str = "U501", unreadable: str = "U503",
              not_text: str = "U502") -> str:
    """The UTF-8 text of `path` (a byte-order mark is dropped)."""
    return decode_text(read_bytes(path, what, missing, unreadable), str(path), what, not_text)


def decode_text(data: bytes, name: str, what: str, not_text: str = "U502", keep_bom: bool = False) -> str:
    """`data` as UTF-8 text; else an AttainError at the line and column of the first byte that is not UTF-8.

    The error carries the text as best it reads (as GBK when it is GBK, the usual other
    encoding of a Chinese file), so that its excerpt shows the line.
    """
    try:
        return data.decode("utf-8" if keep_bom else "utf-8-sig")
    except UnicodeDecodeError as e:
        bad = e.start
    line_start = data.rfind(b"\n", 0, bad) + 1
    line = data.count(b"\n", 0, bad) + 1
    col = len(data[line_start:bad].decode("utf-8", "replace")) + 1
    try:
        shown, gbk = data.decode("gb18030"), any(b >= 0x80 for b in data)
    except UnicodeDecodeError:
        shown, gbk = data.decode("utf-8", "replace"), False
    diagnostic = Diagnostic(
        not_text, say("file.not_utf8", what=what, name=name, byte=f"{data[bad]:02X}", line=line, col=col),
        Span(name, line, col, line, col + 1), label=say("file.not_utf8_label"),
        hint=say("file.save_utf8_gbk" if gbk else "file.save_utf8"))
    raise AttainError([diagnostic], {name: shown})


def source_texts(diagnostics: Iterable[Diagnostic], known: Mapping[str, str] | None = None) -> dict[str, str]:
    """The text of every file the diagnostics point into, for caret excerpts.

    Texts already `known` (a policy's source, text from git or stdin) are kept; any
    other file is read once. A file that cannot be read gets no excerpt, not an error.
    """
    texts = dict(known or {})
    for d in diagnostics:
        for span in [d.span, *(note.span for note in d.notes)]:
            if span is None or span.file in texts or span.file.startswith("<"):
                continue
            try:
                texts[span.file] = Path(span.file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError, ValueError):
                pass
    return texts
