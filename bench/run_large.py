"""Run attain on a large CSV file (100 MB by default) and check that the time grows linearly (run by hand).

    python3 bench/run_large.py [--mb 100] [--small 100000] [--keep DIR] [--diff]

Generates document-002 employees (bench/generate.py) until the file holds about --mb
megabytes (7.4 MB per 100,000 employees: 100 MB is about 1.35 million), and a --small
file for scale, then times `attain run policies/doc002/incentive.policy --data F --out
results.csv` on each as its own process (start-up included; peak memory by /usr/bin/time),
and reports seconds, rows/s, peak memory, and the large run's time per row over the
small one's (1.00 = exactly linear). With --diff, also `attain diff` of the large file
(the band-row change of bench/run_diff.py) against its run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py)
from measure import REPO, attain_command, mb  # noqa: E402  (bench/measure.py)
from run_diff import new_version  # noqa: E402  (bench/run_diff.py)

POLICY = REPO / "policies" / "doc002" / "incentive.policy"
BYTES_PER_ROW = 74  # about, for generate.py's rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=100.0, help="size of the large file in MB (10^6 bytes)")
    ap.add_argument("--small", type=int, default=100_000, help="rows of the file to compare with")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--keep", metavar="DIR", help="write the data into DIR (e.g. bench/out) and keep it")
    ap.add_argument("--diff", action="store_true", help="also time attain diff on the large file")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="attain-large-") as tmp_name:
        tmp = Path(args.keep or tmp_name).resolve()
        tmp.mkdir(parents=True, exist_ok=True)
        large_rows = int(args.mb * 1e6 / BYTES_PER_ROW)
        print(f"attain run on a large file, Python {sys.version.split()[0]}")
        print(f"{'rows':>10} {'MB':>6} {'command':<8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8} "
              f"{'s/row vs small':>15}")
        small_per_row = None
        for n in (args.small, large_rows):
            data = tmp / f"employees-{n}.csv"
            if not data.exists():
                generate.generate(n, data, args.seed)
            run = attain_command("run", POLICY, "--data", data, "--out", tmp / "results.csv")
            per_row = run.seconds / n
            small_per_row = small_per_row or per_row
            print(f"{n:>10,} {mb(data):>6.1f} {'run':<8} {run.seconds:>8.1f} {n / run.seconds:>8,.0f} "
                  f"{run.peak_mb:>8.0f} {per_row / small_per_row:>14.2f}x", flush=True)
        if args.diff:
            new = new_version(tmp / "new.policy")
            d = attain_command("diff", POLICY, new, "--data", data, stdout=tmp / "diff.txt")
            print(f"{large_rows:>10,} {mb(data):>6.1f} {'diff':<8} {d.seconds:>8.1f} {large_rows / d.seconds:>8,.0f} "
                  f"{d.peak_mb:>8.0f}   diff / run {d.seconds / run.seconds:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
