"""Helpers for the scale benchmarks (run by hand): time an `attain` command and its peak memory.

Each command runs as its own child process (the attain of this checkout, whatever is
installed), so its peak resident memory is its own: `os.wait4` gives the child's
rusage, where `ru_maxrss` is in KiB on Linux. Wall time is `time.perf_counter()`
around the whole process, start-up included.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# The command line of this checkout: `attain ...` without depending on what is installed.
# `code` (a folder holding an `attain` package, e.g. an older version from `git archive`) times another.
ATTAIN = [sys.executable, "-c", "import sys; from attain.cli import main; sys.argv[0] = 'attain'; main()"]


class Measured(NamedTuple):
    seconds: float
    peak_mb: float  # peak resident memory of the process, MiB
    status: int  # exit status


def attain_command(*args: str | os.PathLike, stdout=None, code: Path = REPO) -> Measured:
    """Run `attain ARGS` in a child process; stdout goes to `stdout` (a path) or nowhere."""
    env = dict(os.environ, PYTHONPATH=str(code))
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # closed below
    try:
        t0 = time.perf_counter()
        child = subprocess.Popen([*ATTAIN, *map(str, args)], cwd=code, env=env, stdout=out,
                                 stderr=subprocess.PIPE)
        assert child.stderr is not None
        err = child.stderr.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stderr.close()
    finally:
        if stdout:
            out.close()
    if child.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace"))
        raise SystemExit(f"attain {' '.join(map(str, args))} failed with exit code {child.returncode}")
    return Measured(seconds, usage.ru_maxrss / 1024, child.returncode)


def best(measures: list[Measured]) -> Measured:
    """The fastest of several runs of one command (with its own peak memory)."""
    return min(measures, key=lambda m: m.seconds)


def with_period(source: Path, out: Path, period: str) -> None:
    """A copy of a generated CSV with a `period` column after the id (for policies with a period kind)."""
    with open(source, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8", newline="") as g:
        reader, writer = csv.reader(f), csv.writer(g, lineterminator="\n")
        header = next(reader)
        writer.writerow([header[0], "period", *header[1:]])
        for row in reader:
            writer.writerow([row[0], period, *row[1:]])


def mb(path: Path) -> float:
    return path.stat().st_size / 1e6
