"""attain run against hand-written exact baselines on bench/doc002p.policy, end to end, with peak memory.

    python3 bench/run_columnar.py [--rows 100000 1000000] [--rounds 3] [--keep DIR]

For each size: generate the data (bench/generate_doc002p.py), then, round-robin, run
each variant as a child process from start to finish (process start, read CSV, compute,
write CSV): `attain run --engine E` for every engine attain has (attain.api.ENGINES), the
hand-written exact DuckDB query (bench/handwritten_duckdb.py) and the hand-written exact
Polars pipeline (bench/handwritten_polars.py). Each child's wall time
(perf_counter), CPU time (user + sys) and peak RSS (ru_maxrss, from os.wait4) are
recorded; the report gives the best of the rounds and the ratios to the hand-written
query (> 1: slower). Every variant's CSV must be byte-identical to attain's reference
engine output (exit 1 otherwise). Data stays in a temp folder (or DIR), never in git.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import generate_doc002p  # noqa: E402

from attain.api import ENGINES  # noqa: E402

POLICY = HERE / "doc002p.policy"


def variants(data: Path, out: Path, engines: list[str]) -> dict[str, list[str]]:
    found = {f"attain --engine {e}": [sys.executable, "-m", "attain.cli", "run", str(POLICY), "--data", str(data),
                                      "--engine", e, "--out", str(out / f"attain-{e}.csv")] for e in engines}
    found["hand-written DuckDB"] = [sys.executable, str(HERE / "handwritten_duckdb.py"), str(data),
                                    str(out / "duckdb.csv")]
    found["hand-written Polars"] = [sys.executable, str(HERE / "handwritten_polars.py"), str(data),
                                    str(out / "polars.csv")]
    return found


def measure(command: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one child process."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    t0 = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    error = child.stderr.read().decode() if child.stderr else ""
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{error}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run(rows: int, rounds: int, folder: Path, engines: list[str]) -> bool:
    data = folder / f"doc002p-{rows}.csv"
    if not data.exists():
        generate_doc002p.generate(rows, str(data))
    found = variants(data, folder, engines)
    best: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, command in found.items():
            figures = measure(command)
            best[name] = [min(a, b) for a, b in zip(best.get(name, figures), figures, strict=True)]
    base = best["hand-written DuckDB"]
    print(f"\n{rows:,} rows ({data.stat().st_size / 2**20:.0f} MiB of CSV), best of {rounds}:")
    print(f"{'variant':<28}{'wall s':>9}{'CPU s':>9}{'peak MiB':>10}{'wall/hw':>9}{'CPU/hw':>8}")
    for name, (wall, cpu, peak) in best.items():
        print(f"{name:<28}{wall:>9.2f}{cpu:>9.2f}{peak:>10.0f}{wall / base[0]:>9.2f}{cpu / base[1]:>8.2f}")
    reference = folder / (f"attain-{engines[-1]}.csv" if engines else "duckdb.csv")
    outputs = [folder / f"attain-{e}.csv" for e in engines] + [folder / "duckdb.csv", folder / "polars.csv"]
    same = all(filecmp.cmp(reference, o, shallow=False) for o in outputs)
    print("outputs byte-identical:", "yes" if same else "NO")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--engines", nargs="*", choices=ENGINES, default=list(ENGINES),
                        help="attain's engines to time (the last one's output is the reference); none: only "
                             "the hand-written baselines, compared with each other (10M rows)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="attain-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        ok = all([run(rows, args.rounds, folder, args.engines) for rows in args.rows])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
