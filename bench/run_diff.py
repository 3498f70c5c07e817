"""Time `attain diff` against a plain `attain run` of the same data, at several sizes (run by hand).

    python3 bench/run_diff.py [--rows 20000 200000] [--repeat 1] [--formats text] [--keep DIR]

For each size, generates that many document-002 employees (bench/generate.py) and a new
version of policies/doc002/incentive.policy whose attainment band row 80% to 100% gives 70
instead of 60 (about a sixth of the employees change), then times, each as its own process
(`attain` of this checkout, start-up included, best of --repeat, the two kinds interleaved):

  run    attain run incentive.policy --data DATA --out run.csv   (results and sidecar written)
  diff   attain diff incentive.policy new.policy --data DATA --format F   (stdout to a file)

and reports seconds, peak memory (/usr/bin/time, see bench/measure.py) and the ratios
diff / run and diff / (2 x run): a diff runs both versions on the data, read once, then
compares every output of every employee. The goal is a diff within about 3x of two runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py)
from measure import REPO, Measured, attain_command, best, mb  # noqa: E402  (bench/measure.py)

OLD = REPO / "policies" / "doc002" / "incentive.policy"
BAND_ROW = "80% to 100%  -> 60"


def new_version(out: Path) -> Path:
    text = OLD.read_text(encoding="utf-8")
    assert text.count(BAND_ROW) == 1, "incentive.policy changed: update BAND_ROW"
    out.write_text(text.replace(BAND_ROW, "80% to 100%  -> 70"), encoding="utf-8")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[20_000, 200_000])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--formats", default="text", help="comma-separated diff formats to time: text,json,csv")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--keep", metavar="DIR", help="write the data into DIR (e.g. bench/out) and keep it")
    ap.add_argument("--code", metavar="DIR", type=Path, default=REPO,
                    help="time the attain package in DIR instead (e.g. an older commit from git archive)")
    args = ap.parse_args(argv)
    formats = args.formats.split(",")
    if any(f not in ("text", "json", "csv") for f in formats):
        ap.error("--formats: text, json or csv")
    with tempfile.TemporaryDirectory(prefix="attain-diff-") as tmp_name:
        tmp = Path(args.keep or tmp_name).resolve()
        tmp.mkdir(parents=True, exist_ok=True)
        new = new_version(tmp / "new.policy")
        print(f"attain diff vs attain run: document 002, {OLD.name} -> band row 80%-100% 60 -> 70, "
              f"best of {args.repeat}, Python {sys.version.split()[0]}")
        print(f"{'rows':>9} {'MB':>6} {'command':<12} {'seconds':>8} {'peak MB':>8} "
              f"{'/ run':>6} {'/ 2 runs':>8}")
        for n in args.rows:
            data = tmp / f"employees-{n}.csv"
            if not data.exists():
                generate.generate(n, data, args.seed)
            runs: list[Measured] = []
            diffs: dict[str, list[Measured]] = {f: [] for f in formats}
            for _ in range(args.repeat):
                runs.append(attain_command("run", OLD, "--data", data, "--out", tmp / "run.csv",
                                           code=args.code))
                for f in formats:
                    diffs[f].append(attain_command("diff", OLD, new, "--data", data, "--format", f,
                                                   stdout=tmp / f"diff.{f}", code=args.code))
            run = best(runs)
            print(f"{n:>9,} {mb(data):>6.1f} {'run':<12} {run.seconds:>8.2f} {run.peak_mb:>8.0f}")
            for f in formats:
                d = best(diffs[f])
                print(f"{'':>9} {'':>6} {'diff ' + f:<12} {d.seconds:>8.2f} {d.peak_mb:>8.0f} "
                      f"{d.seconds / run.seconds:>5.2f}x {d.seconds / (2 * run.seconds):>7.2f}x"
                      f"   ({mb(tmp / f'diff.{f}'):.1f} MB of output)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
