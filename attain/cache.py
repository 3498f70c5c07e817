"""The user's cache folder: what attain keeps between runs to save time, never to change an answer.

Under `$XDG_CACHE_HOME/attain/<kind>` (else `~/.cache/attain/<kind>`): the parse trees of
policies (`attain.explain.tree_cache`) and the indexes of large CSV files (`attain.sql.slice_index`).
`ATTAIN_NO_CACHE` (any value but empty) turns every kind off. Each kind keeps a number of
entries, the least recently used beyond it removed when one is written; a use marks an entry
(its modification time). A folder that cannot be written changes nothing but the time.
"""

from __future__ import annotations

import os
from pathlib import Path


def folder(kind: str) -> Path | None:
    """Where entries of `kind` are kept; None when the cache is off."""
    if os.environ.get("ATTAIN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "attain" / kind


def touch(entry: Path) -> None:
    """The entry marked as just used."""
    try:
        os.utime(entry)
    except OSError:
        pass


def prune(where: Path, pattern: str, keep: int, companions: tuple[str, ...] = ()) -> None:
    """Of the entries in `where` matching `pattern`, those beyond the `keep` used last removed, each with its
    files of the same name and the suffixes `companions` (another process may remove them first)."""
    entries = list(where.glob(pattern))
    if len(entries) <= keep:
        return
    for entry in sorted(entries, key=_used)[: len(entries) - keep]:
        remove(entry, companions)


def remove(entry: Path, companions: tuple[str, ...] = ()) -> None:
    """The entry removed, with its files of the same name and the suffixes `companions` (where they are)."""
    for path in (entry, *(entry.with_suffix(s) for s in companions)):
        try:
            path.unlink()
        except OSError:
            pass


def _used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
