"""Run manifests: what produced a set of results, so that a payout can be traced and reproduced.

A manifest records the engine version, each policy file's SHA-256 and git
state, the data file's SHA-256, the command line and the time:

    {
      "engine": {"name": "attain", "version": "0.1.0"},
      "policies": [{"path": "q3.policy", "sha256": "...", "git": {"commit": "...", "modified": false}}],
      "data": {"path": "sales.xlsx", "sha256": "..."},
      "command": ["attain", "run", "q3.policy", "--data", "sales.xlsx"],
      "created": "2024-07-01T09:30:00Z"
    }

Paths are kept exactly as given (relative stays relative), keys keep this
order, and nothing is a float, so two runs over the same inputs give the
same manifest apart from `created`. The JSON output format and the xlsx
"manifest" sheet carry it inside the results; for other formats it is
written beside them by `write_sidecar`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import subprocess
from typing import Any

from attain.io import format_number, write_atomically
from attain.version import __version__

__all__ = ["build_manifest", "manifest_json", "sidecar_path", "write_sidecar"]

GIT_TIMEOUT = 5.0  # seconds per git command; a slow or hung git gives "git": null, never a failed run
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# Variables that would point git at some other repository than the one holding the file
# (git sets them while running hooks, for instance).
_GIT_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")


def build_manifest(
    policy_paths: list[str],
    data_path: str | tuple[tuple[str, str], ...] | None,
    argv: list[str],
    now: datetime.datetime | None = None,
) -> dict:
    """The manifest of one run, as a dict in a fixed key order.

    `policy_paths` and `data_path` are recorded as given (several tables as (path, role) pairs, the
    role "employees" or "lines NAME", under "tables"); `data_path` "-"
    (standard input) has `"sha256": null`, and None gives `"data": null`.
    A file that cannot be read has `"sha256": null`. `git` is
    {"commit": HEAD's hash, "modified": whether the file differs from HEAD
    (untracked and ignored files count as modified)}, or null outside a git
    repository, without git, or when git fails. `created` is `now` (default:
    the current time; a naive datetime is taken as UTC) in UTC, to the
    second: "2024-07-01T09:30:00Z". Never raises for missing files or git.
    """
    policies = [
        {"path": os.fspath(p), "sha256": _sha256(os.fspath(p)), "git": _git_state(os.fspath(p))} for p in policy_paths
    ]
    data: dict[str, Any] | None
    tables = None
    if isinstance(data_path, tuple):  # several tables (`--data people.csv --data deals=q1.csv`): every one
        tables = [{"path": path, "role": role, "sha256": _sha256(path) if path != "-" else None}
                  for path, role in data_path]
        data_path = next((t["path"] for t in tables if t["role"] == "employees"), None)
    if data_path is None:
        data = None
    elif os.fspath(data_path) == "-":
        data = {"path": "-", "sha256": None}
    else:
        data = {"path": os.fspath(data_path), "sha256": _sha256(os.fspath(data_path))}
    out: dict[str, Any] = {
        "engine": {"name": "attain", "version": __version__},
        "policies": policies,
        "data": data,
        "command": [str(a) for a in argv],
        "created": _utc_text(now),
    }
    if tables is not None:
        out = {**{k: v for k, v in out.items() if k != "command" and k != "created"}, "tables": tables,
               "command": out["command"], "created": out["created"]}
    return out


def sidecar_path(out: str | os.PathLike) -> str:
    """Where the manifest of results written to `out` goes: its extension replaced by `.manifest.json`.

    "results.csv" -> "results.manifest.json", "out/q3" -> "out/q3.manifest.json".
    (So "q3.csv" and "q3.json" share one sidecar name: give them different stems.)
    """
    out = os.fspath(out)
    head, tail = os.path.split(out)
    stem, ext = os.path.splitext(tail)
    return os.path.join(head, (stem if ext else tail) + ".manifest.json")


def manifest_json(manifest: dict) -> str:
    """The manifest as JSON text: UTF-8 characters kept, keys in their order, two-space indent, final newline."""
    return json.dumps(manifest, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def write_sidecar(out: str | os.PathLike, manifest: dict) -> str:
    """Write `manifest` as JSON to `sidecar_path(out)`, atomically; return that path.

    Raises AttainError U505 when the file cannot be written.
    """
    path = sidecar_path(out)
    write_atomically(path, manifest_json(manifest))
    return path


# ---------------------------------------------------------------- helpers


def _json_default(value: Any) -> Any:
    try:
        return format_number(value)  # Decimal/Fraction as exact text, never a float
    except (TypeError, ValueError):
        raise TypeError(f"cannot write a {type(value).__name__} value in the manifest") from None


def _utc_text(now: datetime.datetime | None) -> str:
    if now is None:
        now = datetime.datetime.now(datetime.UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=datetime.UTC)
    now = now.astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None)
    return now.isoformat() + "Z"


def _sha256(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def _git(directory: str, *args: str) -> str | None:
    """The stdout of one git command run in `directory`, or None when it fails in any way."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARIABLES}
    env["LC_ALL"] = "C"
    try:
        # --no-optional-locks: `git status` must not take the index lock of someone's working tree.
        done = subprocess.run(
            ["git", "--no-optional-locks", "-C", directory, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if done.returncode != 0:
        return None
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _git_state(path: str) -> dict | None:
    """{"commit", "modified"} for a file in a git working tree, else None."""
    absolute = os.path.abspath(path)
    directory, name = os.path.split(absolute)
    if not os.path.isfile(absolute):
        return None
    head = _git(directory, "rev-parse", "--verify", "--quiet", "HEAD")
    commit = head.strip() if head else ""
    if not _COMMIT.fullmatch(commit):
        return None
    # Any line at all means the file is not as committed: changed, staged, untracked or ignored.
    status = _git(
        directory, "status", "--porcelain", "--ignored", "--untracked-files=all", "--", ":(literal)" + name
    )
    if status is None:
        return None
    return {"commit": commit, "modified": bool(status.strip())}
