"""Benchmark attain against a hand-written Decimal version of the same policy, and check they agree.

    python3 bench/run_bench.py [--rows 100000] [--repeat 3] [--seed 2023] [--headers zh|en]
                               [--keep DIR] [--profile]

Generates --rows synthetic employees for the document-002 policy into a temp
directory (or DIR with --keep), then in this one process times, best of
--repeat (time.perf_counter):

  a. attain end to end:       policy.run(path)  (read the CSV, validate every cell, compute)
  b. hand-written end to end: csv.DictReader + bench/handwritten.py's per-row function
  c. the same from rows already in memory:
       attain:       read_table(path) once, then policy.run(table)  (validate + compute),
                     and policy.bind(table) alone (validate only)
       hand-written: list(csv.DictReader(...)) once, then the per-row loop (parse + compute)
  d. explain: policy.explain(table, who=..., value="bonus_total") for one employee, median of
     20 calls with the table pre-read; and one `attain explain` command line, process start included.

Then it compares attain's outputs with the hand-written ones on every row.
Nothing is written outside the temp directory (or --keep DIR).
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py)
import handwritten  # noqa: E402  (bench/handwritten.py)

import attain  # noqa: E402
from attain.io import Table, read_table  # noqa: E402

POLICY = REPO / "policies" / "doc002" / "incentive.policy"
EXPLAIN_CALLS = 20


# ---------------------------------------------------------------- timing


def best_of(repeat: int, fn):
    """(best seconds, result of the last call)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # let the previous result go before timing the next call
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f} rows/s" if seconds > 0 else "           - rows/s"


def line(label: str, rows: int, seconds: float) -> None:
    print(f"  {label:<52} {seconds:9.3f} s  {rate(rows, seconds)}")


# ---------------------------------------------------------------- verification


def terminating(f: Fraction) -> bool:
    d = f.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def close_enough(exact: Fraction, approx: Fraction) -> bool:
    """Whether `approx` is `exact` rounded to Decimal's default 28 significant digits."""
    if exact == 0:
        return approx == 0
    return abs(approx - exact) <= abs(exact) * Fraction(1, 10**27)


def compare(attain_rows, hand_rows, id_column: str):
    """Per-field comparison; returns a summary dict with counts and a few example rows."""
    out = {"rows": len(attain_rows), "differing": 0, "hand_inexact": 0, "inexact_cent": 0,
           "by_field": {}, "examples": [], "inexact_example": None, "inexact_cent_example": None,
           "count_mismatch": len(attain_rows) != len(hand_rows)}
    for a, h in zip(attain_rows, hand_rows):
        bad = []
        if a[id_column] != h[id_column]:
            bad.append("id")
        for field in ("improvement_plan", "region", "tier"):
            if a[field] != h[field]:
                bad.append(field)
        for field in ("commission_paid", "bonus_total"):  # payouts: as Decimals
            av, hv = a[field], h[field]
            if not (isinstance(av, Decimal) and av == hv):
                bad.append(field)
        if Fraction(a["total_score"]) != Fraction(h["total_score"]):  # exactly
            bad.append("total_score")
        inexact = False
        exact_att, hand_att = Fraction(a["attainment"]), Fraction(h["attainment"])
        if exact_att != hand_att:
            if not terminating(exact_att) and close_enough(exact_att, hand_att):
                inexact = True  # Decimal rounded a non-terminating ratio: expected, counted apart
            else:
                bad.append("attainment")
        if inexact:
            out["hand_inexact"] += 1
            if out["inexact_example"] is None:
                out["inexact_example"] = (a, h)
        if bad:
            out["differing"] += 1
            for field in bad:
                out["by_field"][field] = out["by_field"].get(field, 0) + 1
            if inexact and {"commission_paid", "bonus_total"} & set(bad):
                out["inexact_cent"] += 1
                if out["inexact_cent_example"] is None:
                    out["inexact_cent_example"] = (a, h)
            if len(out["examples"]) < 3:
                out["examples"].append((bad, a, h))
    return out


def show_row(prefix: str, row: dict) -> None:
    print(f"{prefix}" + ", ".join(f"{k}={v!s}" for k, v in row.items()))


# A row far outside the generated (realistic) range, to show where 28 digits stop being enough:
# sales is one cent under 120% of a 10^26 yuan target, so the exact attainment is 1.2 - 10^-28
# (on_target), while sales / target rounded to 28 significant digits is exactly 1.2 (excellent).
# (With realistic money, up to ~10^10 yuan in cents, a ratio is at least ~10^-12 away from any
# threshold it misses, far more than the 10^-27 that 28-digit division can be off by.)
CRAFTED = {
    "sales_target": "100,000,000,000,000,000,000,000,000",
    "sales": "119,999,999,999,999,999,999,999,999.99",
}


def crafted_demo(policy, tmp: Path) -> None:
    row = dict(zip(generate.ZH_HEADER, ["X000001", "张*", "华东", CRAFTED["sales_target"], CRAFTED["sales"],
                                        "12", "10", "95%", "4.5", "0", "9", "100%", "10000"]))
    path = tmp / "crafted.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=generate.ZH_HEADER, lineterminator="\n")
        w.writeheader()
        w.writerow(row)
    a = policy.run(path).rows[0]
    h = handwritten.make_evaluate(handwritten.ZH)(row)
    target = Fraction(CRAFTED["sales_target"].replace(",", ""))
    sales = Fraction(CRAFTED["sales"].replace(",", ""))
    exact = sales / target
    print("  crafted row (NOT from the generated data; a 10^26 yuan target):")
    print(f"    sales_target={CRAFTED['sales_target']}, sales={CRAFTED['sales']}")
    print(f"    Fraction check: attainment = {exact} (< 6/5: {exact < Fraction(6, 5)})")
    print(f"    attain:       attainment<1.2={a['attainment'] < Fraction(6, 5)}, tier={a['tier']}, "
          f"commission_paid={a['commission_paid']}, bonus_total={a['bonus_total']}")
    print(f"    hand-written: attainment={h['attainment']}, tier={h['tier']}, "
          f"commission_paid={h['commission_paid']}, bonus_total={h['bonus_total']}")


# ---------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--headers", choices=["zh", "en"], default="zh")
    ap.add_argument("--keep", metavar="DIR", help="write the data into DIR (e.g. bench/out) and keep it")
    ap.add_argument("--profile", action="store_true",
                    help="also profile one policy.run(path) with cProfile (top 15 by cumulative time)")
    ap.add_argument("--no-cli", action="store_true", help="skip the `attain explain` subprocess timing")
    args = ap.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        ap.error("--rows and --repeat must be at least 1")

    tmp_ctx = None
    if args.keep:
        tmp = Path(args.keep)
        tmp.mkdir(parents=True, exist_ok=True)
    else:
        tmp_ctx = tempfile.TemporaryDirectory(prefix="attain-bench-")
        tmp = Path(tmp_ctx.name)
    try:
        return _run(args, tmp)
    finally:
        if tmp_ctx is not None:
            tmp_ctx.cleanup()


def _run(args, tmp: Path) -> int:
    n = args.rows
    path = tmp / f"employees-{n}.csv"
    t0 = time.perf_counter()
    generate.generate(n, path, args.seed, args.headers)
    gen_s = time.perf_counter() - t0
    size = path.stat().st_size
    print(f"attain benchmark: {n:,} employees, seed {args.seed}, {args.headers} headers, "
          f"{size / 1e6:.1f} MB, best of {args.repeat}")
    print(f"  python {sys.version.split()[0]}, {os.cpu_count()} CPUs; data generated in {gen_s:.2f} s at {path}")
    print()

    load_s, policy = best_of(args.repeat, lambda: attain.load(POLICY))
    print(f"  attain.load(policy) (parse, check, compile): {load_s * 1000:.1f} ms (once per process, not per row)")
    print()

    # a/b: end to end
    print("end to end (from the CSV file):")
    a_s, a_res = best_of(args.repeat, lambda: policy.run(path))
    line("a. attain   policy.run(path)", n, a_s)
    b_s, b_rows = best_of(args.repeat, lambda: handwritten.run_file(path))
    line("b. hand     DictReader + per-row Decimal function", n, b_s)
    print(f"  ratio attain / hand-written (end to end): {a_s / b_s:.2f}x  (> 1: attain is slower)")
    print()

    # c: from rows already in memory
    print("reading, and computing from rows already read:")
    ra_s, table = best_of(args.repeat, lambda: read_table(path))
    line("attain   read_table(path)", n, ra_s)

    def read_dicts():
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    rh_s, dict_rows = best_of(args.repeat, read_dicts)
    line("hand     list(csv.DictReader(f))", n, rh_s)
    bind_s, _ = best_of(args.repeat, lambda: policy.bind(table))
    line("attain   policy.bind(table)  (validate only)", n, bind_s)
    ca_s, ca_res = best_of(args.repeat, lambda: policy.run(table))
    line("c. attain policy.run(table)  (validate + compute)", n, ca_s)
    columns = handwritten.columns_for(dict_rows[0].keys())
    ch_s, ch_rows = best_of(args.repeat, lambda: handwritten.run_rows(dict_rows, columns))
    line("c. hand    per-row function over the list (parse + compute)", n, ch_s)
    compute_only = ca_s - bind_s
    print(f"  attain compute only (run(table) - bind(table)) ~ {compute_only:.3f} s  {rate(n, compute_only)}")
    print(f"  ratio attain / hand-written, rows in memory: {ca_s / ch_s:.2f}x")
    print(f"  ratio attain / hand-written, reading only:   {ra_s / rh_s:.2f}x")
    print()

    # d: explain
    print("explain one employee's bonus_total:")
    id_column = a_res.columns[0]
    who = a_res.rows[n // 2][id_column]
    times = []
    for _ in range(EXPLAIN_CALLS):
        t0 = time.perf_counter()
        ex = policy.explain(table, who=who, value="bonus_total")
        times.append(time.perf_counter() - t0)
    exp_ms = statistics.median(times) * 1000
    t0 = time.perf_counter()
    text = ex.text()
    render_ms = (time.perf_counter() - t0) * 1000
    print(f"  d. policy.explain(table, who={who!r}, value='bonus_total'): median {exp_ms:.1f} ms "
          f"of {EXPLAIN_CALLS} (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); "
          f".text() {render_ms:.2f} ms, {text.count(chr(10))} lines")
    k = next(i for i, r in enumerate(table.rows) if r.cells.get(id_column) == who)
    one = Table(table.file, table.columns, (table.rows[k],))
    times1 = []
    for _ in range(EXPLAIN_CALLS):
        t0 = time.perf_counter()
        policy.explain(one, who=who, value="bonus_total")
        times1.append(time.perf_counter() - t0)
    print(f"     for comparison, the same with a table of only that row: median "
          f"{statistics.median(times1) * 1000:.2f} ms (so the rest is binding all {n:,} rows)")
    if not args.no_cli:
        exe = shutil.which("attain")
        cmd = ([exe] if exe else [sys.executable, "-m", "attain.cli"]) + [
            "explain", str(POLICY), "--data", str(path), "--who", who, "--value", "bonus_total"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        cli_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        py_s = time.perf_counter() - t0
        status = "ok" if proc.returncode == 0 and proc.stdout == text else f"exit {proc.returncode}"
        print(f"  d. `attain explain ... --who {who} --value bonus_total` (one call, process start included): "
              f"{cli_s * 1000:.0f} ms [{status}]; a bare `python -c pass` takes {py_s * 1000:.0f} ms")
        if proc.returncode != 0:
            print("     " + proc.stderr.strip().replace("\n", "\n     "))
    print()

    # verification
    print("verification (attain vs hand-written, every row):")
    ok = True
    for label, ares, hrows in (("end to end", a_res.rows, b_rows), ("rows in memory", ca_res.rows, ch_rows)):
        s = compare(ares, hrows, id_column)
        ok = ok and s["differing"] == 0 and not s["count_mismatch"]
        print(f"  {label}: {s['rows']:,} rows; differing rows: {s['differing']}"
              + (f" {s['by_field']}" if s["by_field"] else "")
              + ("; ROW COUNTS DIFFER" if s["count_mismatch"] else ""))
        print(f"    hand-written inexact (attainment rounded by 28-digit Decimal division, not a difference): "
              f"{s['hand_inexact']:,} rows ({100 * s['hand_inexact'] / max(1, s['rows']):.1f}%)")
        print(f"    of those, rows where the rounding changed a paid cent: {s['inexact_cent']}")
        if label == "end to end":
            if s["inexact_example"]:
                a, h = s["inexact_example"]
                print(f"    example inexact row {a[id_column]}: attain attainment = {a['attainment']} "
                      f"(exact), hand-written = {h['attainment']}; payouts agree "
                      f"({a['commission_paid']}, {a['bonus_total']})")
            if s["inexact_cent_example"]:
                a, h = s["inexact_cent_example"]
                show_row("    cent changed, attain: ", a)
                show_row("    cent changed, hand:   ", h)
            for bad, a, h in s["examples"]:
                print(f"    differs in {bad}:")
                show_row("      attain: ", a)
                show_row("      hand:   ", h)
    crafted_demo(policy, tmp)
    print()
    print("summary:")
    print(f"  a. attain end to end      {rate(n, a_s)}")
    print(f"  b. hand-written end to end{rate(n, b_s)}   ratio a/b {a_s / b_s:.2f}x")
    print(f"  c. attain from table      {rate(n, ca_s)}")
    print(f"  c. hand-written from rows {rate(n, ch_s)}   ratio {ca_s / ch_s:.2f}x")
    print(f"  d. explain (API, table pre-read) {exp_ms:.1f} ms median"
          + ("" if args.no_cli else f"; CLI {cli_s * 1000:.0f} ms"))
    print(f"  outputs {'AGREE' if ok else 'DIFFER'} on every row")

    if args.profile:
        import cProfile
        import pstats

        print()
        print("profile of one policy.run(path) (top 15 by cumulative time):")
        gc.collect()
        prof = cProfile.Profile()
        prof.runcall(policy.run, path)
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(15)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
