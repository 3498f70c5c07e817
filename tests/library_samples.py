"""Test helpers, the policy library: its policy files and the sample data each one runs over.

A folder may hold several data files (say, monthly and weekly data, or rows by period and by
date): a policy names its own in a comment line `# Sample data: FILE` (a file in the policy's
folder); otherwise it uses the folder's `sample.csv`, or else the folder's first CSV file.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICIES = sorted((ROOT / "policies").rglob("*.policy"))
FIXED = [p for p in POLICIES if "as-written" not in p.name]
AS_WRITTEN = [p for p in POLICIES if "as-written" in p.name]

SAMPLE_LINE = re.compile(r"^#\s*Sample data:\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)


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
