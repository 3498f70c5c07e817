"""Revisions: a policy spec (a file path, or `path@gitrev`) -> the policy text and the name to show for it.

A revision is read with `git show`; nothing is checked out, and git runs from
the policy's own directory, so any working directory works.
"""

# Codes used here (usage errors; plain files use the parser's U501-U503):
#   U520 git is not available       U521 not inside a git repository
#   U522 unknown revision           U523 file not in that revision
#   U524 malformed `path@rev`       U525 git took too long
#   U526 not UTF-8 in the revision  U527 git failed otherwise

from __future__ import annotations

import os
import subprocess

from attain.diagnostics import AttainError, Diagnostic
from attain.files import read_text
from attain.i18n.messages import say

__all__ = ["read_folder_sources", "read_policy_source"]

GIT_TIMEOUT = 30  # seconds for one git command


def read_policy_source(spec: str) -> tuple[str, str]:
    """The text of a policy and the name to show for it.

    `spec` is a file path, or `path@rev` for the file as it is in git revision
    `rev` (`policies/x.policy@HEAD~1`, `x.policy@v2023.3`, `x.policy@main@{1}`).
    A path that exists on disk is always a plain file, even if it contains `@`.
    The display name is `spec` itself. Raises `AttainError` (U501-U503 for
    plain files, U520-U527 for git).
    """
    spec = os.fspath(spec)
    if os.path.exists(spec) or "@" not in spec:
        return _read_plain(spec), spec
    # Revisions may hold '/' and '@' (origin/main, HEAD@{1}): split after the first '.policy@',
    # else at the first '@'.
    at = next((i for i in range(len(spec)) if spec[i] == "@" and spec[:i].endswith(".policy")), spec.index("@"))
    path, rev = spec[:at], spec[at + 1:]
    return _read_git(spec, path, rev), spec


def read_folder_sources(spec: str) -> list[tuple[str, str]] | None:
    """The `.policy` files of a folder of versions as (text, name), or None when `spec` names no folder.

    `spec` is a folder, or `folder@rev` for the folder as it is in git revision `rev`
    (`policies/plan@HEAD~1`); files named *-as-written are left out, as `attain run FOLDER` does.
    """
    spec = os.fspath(spec)
    if os.path.isdir(spec):
        names = sorted(f for f in os.listdir(spec) if f.endswith(".policy") and "as-written" not in f)
        return [(_read_plain(os.path.join(spec, f)), os.path.join(spec, f)) for f in names]
    if os.path.exists(spec) or "@" not in spec or ".policy@" in spec:
        return None
    path, rev = spec.split("@", 1)
    directory = os.path.abspath(path)
    if not path or not rev or not os.path.isdir(directory):
        return None  # a folder that no longer exists on disk is read as a file spec, which names the problem
    result = _git(["rev-parse", "--show-prefix"], directory, spec)
    if result.returncode != 0:
        return None
    prefix = result.stdout.decode("utf-8", "replace").strip()
    result = _git(["ls-tree", "--full-tree", "--name-only", f"{rev}:{prefix}"], directory, spec)
    if result.returncode != 0:
        return None
    names = sorted(f for f in result.stdout.decode("utf-8", "replace").splitlines()
                   if f.endswith(".policy") and "as-written" not in f)
    file = os.path.join(path, "{}")
    return [(_read_git(f"{file.format(f)}@{rev}", file.format(f), rev), f"{file.format(f)}@{rev}") for f in names]


def _read_plain(path: str) -> str:
    return read_text(path, say("what.policy_file"))


def _usage(code: str, message: str, hint: str = "") -> AttainError:
    return AttainError([Diagnostic(code, message, hint=hint)])


def _read_git(spec: str, path: str, rev: str) -> str:
    if not path or path.endswith(("/", os.sep)):
        raise _usage("U524", say("U524.no_file", spec=spec), hint=say("U524.no_file_hint"))
    if not rev:
        raise _usage("U524", say("U524.no_rev", spec=spec), hint=say("U524.no_rev_hint"))
    if rev.startswith("-") or ":" in rev or any(ch.isspace() or ord(ch) < 32 for ch in rev):
        raise _usage("U524", say("U524.bad_rev", rev=rev, spec=spec), hint=say("U524.bad_rev_hint"))

    # Run git from the nearest directory that exists on disk (the file's own
    # directory unless the working tree no longer has it), so that any cwd works.
    directory = os.path.dirname(os.path.abspath(path))
    rest = [os.path.basename(path)]
    while not os.path.isdir(directory):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        rest.insert(0, os.path.basename(directory))
        directory = parent

    result = _git(["rev-parse", "--show-prefix"], directory, spec)
    if result.returncode != 0:
        raise _usage("U521", say("U521", spec=spec, directory=_shown(directory)),
                     hint=_git_message(result) or say("U521.hint"))
    prefix = result.stdout.decode("utf-8", "replace").strip()
    relpath = prefix + "/".join(rest)

    result = _git(["rev-parse", "--verify", "--quiet", rev + "^{commit}"], directory, spec)
    if result.returncode != 0:
        raise _usage("U522", say("U522", spec=spec, rev=rev), hint=say("U522.hint"))

    result = _git(["cat-file", "-t", f"{rev}:{relpath}"], directory, spec)
    kind = result.stdout.decode("utf-8", "replace").strip()
    if result.returncode != 0 or kind != "blob":
        raise _usage("U523", say("U523.folder" if kind == "tree" else "U523", spec=spec, path=relpath, rev=rev),
                     hint=say("U523.hint", rev=rev))

    result = _git(["show", "--no-textconv", f"{rev}:{relpath}"], directory, spec)
    if result.returncode != 0:
        raise _usage("U527", say("U527", spec=spec), hint=_git_message(result))
    try:
        return result.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _usage("U526", say("U526", spec=spec, rev=rev), hint=say("U526.hint")) from None


def _shown(directory: str) -> str:
    try:
        rel = os.path.relpath(directory)
    except ValueError:  # another drive on Windows
        return directory
    return directory if rel.startswith("..") else (say("U521.here") if rel == "." else rel)


def _git(args: list[str], cwd: str, spec: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # the file's own directory decides the repository
        env.pop(name, None)
    try:
        return subprocess.run(["git", "--no-pager", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise _usage("U520", say("U520", spec=spec), hint=say("U520.hint")) from None
    except subprocess.TimeoutExpired:
        raise _usage("U525", say("U525", spec=spec, seconds=GIT_TIMEOUT), hint=say("U525.hint")) from None
    except OSError as e:
        raise _usage("U527", say("U527.run", spec=spec, reason=e.strerror)) from None
    except ValueError:  # a NUL in the path or revision, which no command line can carry
        raise _usage("U524", say("U524.nul", spec=spec)) from None


def _git_message(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    lines = [line.removeprefix("fatal: ").strip() for line in text.splitlines() if line.strip()]
    return say("git_says", text=lines[0]) if lines else ""
