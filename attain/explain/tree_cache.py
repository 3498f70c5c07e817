"""Explain's policy load: the parsed policy kept on disk, so that explaining again skips the parser's start.

Building the parser costs about 60 ms of a process's first parse (lark's tables and its
lexer's expressions), more than parsing, checking and compiling a policy together. `attain
explain` is run many times over one policy, so the parse tree (`nodes.Policy`) is kept,
pickled, under the user's cache folder (`$XDG_CACHE_HOME/attain/trees`, else
`~/.cache/attain/trees`); the checker and the compiler run every time, as for any load.

An entry's name is the SHA-256 of everything the tree depends on: the policy's text and the
path it is named by (its positions cite it), attain's version, the code of `attain/dsl`
(the grammar and the node classes, byte for byte) and Python's version. A changed policy, a
changed parser or another Python never finds an old entry; an entry that cannot be read,
or is not the tree of this very text, is parsed again and written anew. Only a tree that
parsed is kept: a policy with a syntax error is parsed (and reported) every time.
`ATTAIN_NO_CACHE` (any value but empty) turns the cache off. A cache that cannot be written
(a read-only home) changes nothing but the time. The folder keeps the MAX_ENTRIES trees used
last: writing one removes the least recently used beyond that.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from attain import cache
from attain.dsl import nodes
from attain.dsl.parser import parse
from attain.files import read_text
from attain.i18n.messages import say
from attain.version import __version__

_DSL = Path(__file__).resolve().parents[1] / "dsl"
MAX_ENTRIES = 500  # trees kept (about 10 KiB each); the least recently used beyond are removed on a write


@functools.lru_cache(maxsize=1)
def _code() -> bytes:
    """The digest of the parser's code: every file of attain/dsl, by name and content."""
    digest = hashlib.sha256()
    for path in sorted(_DSL.iterdir()):
        if path.suffix in (".py", ".lark"):
            digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def folder() -> Path | None:
    """Where the trees are kept; None when the cache is off."""
    return cache.folder("trees")


def key(file: str, text: str) -> str:
    """The entry's name for the policy `text` read from `file`."""
    digest = hashlib.sha256()
    for part in (__version__, sys.version, file):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(_code())
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def parsed(path: str | Path) -> nodes.Policy:
    """The policy file parsed, as `parser.parse_file` gives it: from the cache when it holds this text's tree."""
    file = str(path)
    text = read_text(path, say("what.policy_file"))
    where = folder()
    if where is None:
        return parse(text, file)
    entry = where / f"{key(file, text)}.pickle"
    tree = _read(entry)
    if isinstance(tree, nodes.Policy) and tree.file == file and tree.source == text:
        cache.touch(entry)
        return tree
    tree = parse(text, file)
    _write(entry, tree)
    return tree


def _read(entry: Path):
    try:
        with open(entry, "rb") as f:
            return pickle.load(f)
    except Exception:  # no entry, or one that does not read (cut short, another pickle): parse again
        return None


def _write(entry: Path, tree: nodes.Policy) -> None:
    """The tree written whole or not at all: to a temporary file in the folder, then renamed over the entry."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tree-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(tree, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, entry)
        except BaseException:
            os.unlink(temporary)
            raise
        cache.prune(entry.parent, "*.pickle", MAX_ENTRIES)
    except Exception:  # a folder that cannot be written, a tree pickle refuses: the cache only saves time
        pass
