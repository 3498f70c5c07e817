"""Helpers for the scale benchmarks (run by hand): time an `attain` command and its peak memory.

Each command runs as its own child process (the attain of this checkout, whatever is
installed), started by `/usr/bin/time -f %M`, which reports the command's peak resident
memory in KiB. Not `os.wait4` from here: on Linux a child's ru_maxrss starts from its
parent's resident size at fork, so a benchmark holding a large table in memory would
add it to every command it times. Wall time is `time.perf_counter()` around the whole
process, start-up included.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

TIME = "/usr/bin/time"  # GNU time: -f %M is the peak resident memory in KiB (%U %S: user and system CPU seconds)
TIME_FORMAT = "%M %U %S"

# The command line of this checkout: `attain ...` without depending on what is installed.
# `code` (a folder holding an `attain` package, e.g. an older version from `git archive`) times another.
ATTAIN = [sys.executable, "-c", "import sys; from attain.cli import main; sys.argv[0] = 'attain'; main()"]


class Measured(NamedTuple):
    seconds: float
    peak_mb: float  # peak resident memory of the process, MiB
    status: int  # exit status
    cpu: float = 0.0  # user + system CPU seconds of the process and its threads


def time_report(text: str) -> tuple[float, float]:
    """(peak MiB, CPU seconds) from what `/usr/bin/time -f TIME_FORMAT` wrote (its last line)."""
    peak_kib, user, system = text.split()[-3:]
    return int(peak_kib) / 1024, float(user) + float(system)


def attain_command(*args: str | os.PathLike, stdout=None, code: Path = REPO) -> Measured:
    """Run `attain ARGS` in a child process; stdout goes to `stdout` (a path) or nowhere."""
    env = dict(os.environ, PYTHONPATH=str(code))
    with tempfile.TemporaryDirectory(prefix="attain-time-") as tmp:
        peak_file = Path(tmp) / "peak"
        out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # closed below
        try:
            t0 = time.perf_counter()
            done = subprocess.run([TIME, "-f", TIME_FORMAT, "-o", str(peak_file), *ATTAIN, *map(str, args)], cwd=code,
                                  env=env, stdout=out, stderr=subprocess.PIPE, check=False)
            seconds = time.perf_counter() - t0
        finally:
            if stdout:
                out.close()
        peak, cpu = time_report(peak_file.read_text())
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"attain {' '.join(map(str, args))} failed with exit code {done.returncode}")
    return Measured(seconds, peak, done.returncode, cpu)


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
