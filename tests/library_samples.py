"""Test helpers, the policy library: its policy files and the sample data each one runs over.

A folder may hold several data files (say, monthly and weekly data, or rows by period and by
date): a policy names its own in a comment line `# Sample data: FILE` (a file in the policy's
folder); otherwise it uses the folder's `sample.csv`, or else the folder's first CSV file. A policy
with line tables names their files too, `# Sample lines: deals=deals.csv`: `data_args` gives every
`--data` of a command line, `sample_data` what `Policy.run` takes.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICIES = sorted((ROOT / "policies").rglob("*.policy"))
FIXED = [p for p in POLICIES if "as-written" not in p.name]
AS_WRITTEN = [p for p in POLICIES if "as-written" in p.name]

SAMPLE_LINE = re.compile(r"^#\s*Sample data:\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)
LINES_LINE = re.compile(r"^#\s*Sample lines:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)


def ident(path: Path) -> str:
    return str(path.relative_to(ROOT / "policies"))


def sample_of(policy: Path) -> Path:
    named = SAMPLE_LINE.search(policy.read_text(encoding="utf-8"))
    if named:
        data = policy.parent / named.group(1)
        assert data.is_file(), f"{ident(policy)} names sample data {named.group(1)}, which does not exist"
        return data
    if (policy.parent / "sample.csv").is_file():
        return policy.parent / "sample.csv"
    found = sorted(policy.parent.glob("*.csv"))
    assert found, f"{policy.parent} has no sample data"
    return found[0]


def lines_of(policy: Path) -> list[tuple[str, Path]]:
    """The line tables' sample files a policy names (`# Sample lines: deals=deals.csv orders=orders.csv`)."""
    named = LINES_LINE.search(policy.read_text(encoding="utf-8"))
    out = []
    for spec in named.group(1).split() if named else []:
        name, _, file = spec.partition("=")
        assert (policy.parent / file).is_file(), f"{ident(policy)} names sample lines {file}, which do not exist"
        out.append((name, policy.parent / file))
    return out


def data_args(policy: Path) -> list[str]:
    """`--data SAMPLE` and a `--data NAME=FILE` per line table, for a command line."""
    args = ["--data", str(sample_of(policy))]
    for name, file in lines_of(policy):
        args += ["--data", f"{name}={file}"]
    return args


def sample_data(policy: Path):
    """What `Policy.run` takes: the sample's path, or with line tables the tables together."""
    from attain.io.datasets import tables_of

    lines = lines_of(policy)
    return tables_of(sample_of(policy), tuple(lines)) if lines else sample_of(policy)
