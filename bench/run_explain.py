"""Time explaining one employee against a plain run, for policies with group values (run by hand).

    python3 bench/run_explain.py [--rows 10000 100000] [--repeat 2] [--keep DIR] [--no-cli]

Two policies whose values depend on colleagues:

  top5        policies/doc002/incentive-top5.policy (percentile and count within the region, and
              previous(attainment)), on bench/generate.py's employees with a `period` column,
              all in 2023Q2: --rows employees, 7 regions of about a seventh each;
  population  bench/population.policy (peer mean, count and rank within the level, previous,
              streak, rolling mean), on bench/generate_population.py's months: --rows / 12
              employees x 12 months, about --rows rows.

For each, in this one process (best of --repeat, time.perf_counter(), a gc.collect() before
each call): `policy.run(path)` and `policy.explain(path, who, value)` of one employee in the
middle of the file (and of its last month), both from the file (reading and checking every
cell included). Explain computes only the colleagues whose values reach the employee's group
values ("computed": their share of the rows); it still reads and checks the whole file, as a
run does. Then, unless --no-cli, each as its own process: `attain run ... --out` and `attain
explain ...`, with peak memory. --code DIR times another version (e.g. from `git archive`).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py)
import generate_population  # noqa: E402  (bench/generate_population.py)
from measure import REPO, attain_command, best, mb, with_period  # noqa: E402  (bench/measure.py)

TOP5 = REPO / "policies" / "doc002" / "incentive-top5.policy"
POPULATION = HERE / "population.policy"


def best_of(repeat: int, fn):
    """(best seconds, result of the last call)."""
    best_s, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best_s = min(best_s, time.perf_counter() - t0)
    return best_s, result


def case_data(kind: str, rows: int, tmp: Path, seed: int) -> tuple[Path, Path, str, str, str | None]:
    """(policy, data, who, value, period) for one case."""
    if kind == "top5":
        plain, data = tmp / f"employees-{rows}.csv", tmp / f"top5-{rows}.csv"
        if not data.exists():
            generate.generate(rows, plain, seed)
            with_period(plain, data, "2023Q2")
        return TOP5, data, f"E{rows // 2 + 1:06d}", "bonus_total", None
    employees = max(1, rows // 12)
    data = tmp / f"population-{employees}x12.csv"
    if not data.exists():
        generate_population.generate(data, employees, 12, seed)
    return POPULATION, data, f"E{employees // 2:06d}", "pay", "2023-12"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--keep", metavar="DIR", help="write the data into DIR (e.g. bench/out) and keep it")
    ap.add_argument("--no-cli", action="store_true", help="skip the command-line timings")
    ap.add_argument("--code", metavar="DIR", type=Path, default=REPO,
                    help="time the attain package in DIR instead (e.g. an older commit from git archive)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve()))  # this checkout's attain (or DIR's), before any installed one
    with tempfile.TemporaryDirectory(prefix="attain-explain-") as tmp_name:
        tmp = Path(args.keep or tmp_name).resolve()
        tmp.mkdir(parents=True, exist_ok=True)
        print(f"explain one employee vs a plain run, best of {args.repeat}, Python {sys.version.split()[0]}")
        print(f"{'case':<11} {'rows':>8} {'MB':>5} {'run s':>7} {'explain s':>9} {'ratio':>6} "
              f"{'computed':>9}   command line: run s / MB, explain s / MB")
        for kind in ("top5", "population"):
            for rows in args.rows:
                report(kind, rows, tmp, args)
    return 0


def report(kind: str, rows: int, tmp: Path, args) -> None:
    import attain
    from attain import api

    policy_path, data, who, value, period = case_data(kind, rows, tmp, args.seed)
    policy = attain.load(policy_path)
    run_s, results = best_of(args.repeat, lambda: policy.run(data))
    explain_s, _ = best_of(args.repeat, lambda: policy.explain(data, who, value, period=period))
    # How many rows the explanation computed, of how many
    bound = policy.bind(data)
    target = next(r for r in bound.records if r.who == who and (period is None or str(r.period) == period))
    needed = getattr(api, "needed_records", lambda plan, records, target: records)  # older code: everyone
    computed = len(needed(policy.plan, bound.records, target))
    line = (f"{kind:<11} {len(results.rows):>8,} {mb(data):>5.1f} {run_s:>7.2f} {explain_s:>9.2f} "
            f"{explain_s / run_s:>5.2f}x {computed / len(bound.records):>8.0%}")
    if not args.no_cli:
        extra = ["--period", period] if period else []
        cli_run = best([attain_command("run", policy_path, "--data", data, "--out", tmp / "run.csv",
                                       code=args.code) for _ in range(args.repeat)])
        cli_explain = best([attain_command("explain", policy_path, "--data", data, "--who", who, "--value", value,
                                           *extra, code=args.code) for _ in range(args.repeat)])
        line += (f"   {cli_run.seconds:.2f} / {cli_run.peak_mb:.0f}, "
                 f"{cli_explain.seconds:.2f} / {cli_explain.peak_mb:.0f}")
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
