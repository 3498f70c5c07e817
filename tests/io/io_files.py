"""Helpers the reader tests share: a data file written into tmp_path, and the codes an error carries."""

from __future__ import annotations


def write(tmp_path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


def error_of(excinfo) -> tuple[str, ...]:
    return tuple(d.code for d in excinfo.value.diagnostics)
