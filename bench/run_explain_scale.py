"""Explain at scale: `attain explain` of one employee of bench/doc002p.policy (a region percentile), end to end.

    python3 bench/run_explain_scale.py [--rows 100000 1000000] [--rounds 3] [--whole N] [--run N] [--keep DIR]

For each size: generate the data (bench/generate_doc002p.py), then time, each as its own
process with its peak memory (bench/measure.py): the process start (Python importing
attain's command line, API, the slice and DuckDB: what explain imports); `attain explain
doc002p.policy --data F --who ID` of an employee in the middle of the file (it reads the
employee's line and computes their region's percentile in SQL, attain.sql.slice); and
`attain run --engine duckdb` over the same file (up to --run rows). For sizes up to --whole, also the
explanation from the whole file (the path explain took before: every row read, checked
and bound, every colleague of the region computed), which must give the same text.
Best of --rounds; the data in a temp folder (or DIR), never in git.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_doc002p  # noqa: E402
from measure import REPO, TIME, TIME_FORMAT, Measured, attain_command, best, mb, time_report  # noqa: E402

POLICY = HERE / "doc002p.policy"

IMPORTS = "import attain.api, attain.cli, attain.sql.slice_groups, duckdb"

WHOLE = """import sys
from attain import api
from attain.io import read_table
policy = api.load(sys.argv[1])
sys.stdout.write(policy.explain(read_table(sys.argv[2]), sys.argv[3]).text())
"""


def python(code: str, *args: str, out: Path) -> Measured:
    """`python -c CODE ARGS` of this checkout as a child process, stdout to `out`, with its peak memory."""
    peak = out.with_suffix(".peak")
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        done = subprocess.run([TIME, "-f", TIME_FORMAT, "-o", str(peak), sys.executable, "-c", code, *args], cwd=REPO,
                              env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, stdout=f,
                              stderr=subprocess.PIPE, check=False)
        seconds = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(done.stderr.decode("utf-8", "replace"))
    peak_mb, cpu = time_report(peak.read_text())
    return Measured(seconds, peak_mb, 0, cpu)


def run(rows: int, rounds: int, folder: Path, whole_up_to: int, run_up_to: int) -> bool:
    data = folder / f"doc002p-{rows}.csv"
    if not data.exists():
        generate_doc002p.generate(rows, str(data))
    who = f"E{rows // 2 + 1:08d}"
    fast_out = folder / "explain-fast.txt"
    start = best([python(IMPORTS, out=folder / "imports.txt") for _ in range(rounds)])
    fast = best([attain_command("explain", POLICY, "--data", data, "--who", who, stdout=fast_out)
                 for _ in range(rounds)])
    engine = best([attain_command("run", POLICY, "--data", data, "--engine", "duckdb", "--out",
                                  folder / "run.csv") for _ in range(rounds)]) if rows <= run_up_to else None
    print(f"\n{rows:,} rows ({mb(data):.0f} MB of CSV), {who}, best of {rounds}:")
    print(f"{'command':<40}{'wall s':>9}{'peak MiB':>10}{'wall - start':>14}")
    lines = [("process start (python, imports)", start), ("attain explain (one employee)", fast)]
    if engine is not None:
        lines.append(("attain run --engine duckdb (everyone)", engine))
    same = True
    if rows <= whole_up_to:
        whole_out = folder / "explain-whole.txt"
        whole = python(WHOLE, str(POLICY), str(data), who, out=whole_out)
        lines.append(("explain from the whole file (before)", whole))
        same = whole_out.read_bytes() == fast_out.read_bytes()
    for name, m in lines:
        print(f"{name:<40}{m.seconds:>9.2f}{m.peak_mb:>10.0f}{m.seconds - start.seconds:>14.2f}")
    if rows <= whole_up_to:
        print("explanations identical:", "yes" if same else "NO")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--whole", type=int, default=100_000,
                        help="also time the whole-file explanation for sizes up to this many rows")
    parser.add_argument("--run", type=int, default=1_000_000,
                        help="also time `attain run --engine duckdb` for sizes up to this many rows (it reads the "
                             "file with the Python reader: about 3 GB at 1M rows)")
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="attain-explain-scale-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        ok = all([run(rows, args.rounds, folder, args.whole, args.run) for rows in args.rows])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
