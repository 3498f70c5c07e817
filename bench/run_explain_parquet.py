"""Explain at scale from Parquet: `attain explain` of one employee of bench/doc002p.policy read from a Parquet file.

    python3 bench/run_explain_parquet.py [--rows 1000000] [--rounds 5] [--keep DIR] [--before CHECKOUT]

For each size: generate the document-002-style data (bench/generate_doc002p.py) as CSV, then
write it as Parquet with DuckDB the way a data pipeline would (money as DECIMAL(18,2), the rate
as text "88.5%", ids and regions as strings). Then time, each as its own process with its peak
memory (bench/measure.py), best of --rounds:
- the process start: Python importing what explain imports (attain's command line, API, the
  slices and DuckDB);
- `attain explain doc002p.policy --data F.parquet --who ID` of an employee in the middle of the
  file: their row read by DuckDB from the Parquet file, their region's percentile computed in SQL
  over the region's rows, the explanation by the reference evaluator;
- the hand-written baselines, each `python -c` with DuckDB imported: (a) selecting the employee's
  row from the Parquet file; (b) that and their region's percentile of attainment, in one
  hand-written query (what explain must do at least);
- `attain explain` of the same employee from the CSV file: without its kept index (as before it
  existed), the first time (the index built: it is removed before each round), and a later time
  (the index read); see attain/sql/slice_index.py. The index is kept in the data folder's cache;
- `attain explain` from the Parquet file with explain's tree cache off (`ATTAIN_NO_CACHE`): what the
  first explanation of a policy costs (the others read its parse tree from the cache, kept in the
  data folder here).
With --before CHECKOUT, the explain of another checkout (say /work/main) from both files too, in the
same run, so that a change is compared under the same load. Wall times as ratios to the baselines
and beyond the process start; CPU times (user + system of every thread, the least of the rounds,
which varies less with the machine's load than the wall time) beyond the process start's; the explanation from Parquet
must be the CSV's, its rows cited one lower (the CSV's header is its line 1).
The data in a temp folder (or DIR), never in git.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_doc002p  # noqa: E402
from measure import REPO, Measured, attain_command, best, mb  # noqa: E402
from run_explain_scale import IMPORTS, POLICY, python  # noqa: E402

TO_PARQUET = """import sys, duckdb
duckdb.sql(f\"\"\"COPY (SELECT id, region, CAST(sales_target AS DECIMAL(18,2)) AS sales_target,
    CAST(sales AS DECIMAL(18,2)) AS sales, collection_rate, CAST(base_bonus AS DECIMAL(18,2)) AS base_bonus,
    CAST(expenses AS DECIMAL(18,2)) AS expenses FROM read_csv('{sys.argv[1]}', all_varchar = true, header = true))
    TO '{sys.argv[2]}' (FORMAT parquet)\"\"\")
"""

ROW = """import sys, duckdb
print(duckdb.execute("SELECT * FROM read_parquet(?) WHERE id = ?", [sys.argv[1], sys.argv[2]]).fetchall())
"""

ROW_AND_GROUP = """import sys, duckdb
print(duckdb.execute(\"\"\"WITH r AS (SELECT id, region, sales / sales_target AS attainment FROM read_parquet(?)
    WHERE region = (SELECT region FROM read_parquet(?) WHERE id = ?))
    SELECT *, (SELECT count(*) FROM r) FROM (SELECT id, region, percent_rank() OVER (ORDER BY attainment) AS pct
    FROM r) WHERE id = ?\"\"\", [sys.argv[1], sys.argv[1], sys.argv[2], sys.argv[2]]).fetchall())
"""


def fastest(runs: list[Measured]) -> Measured:
    """The fastest run's wall time and peak memory, with the least CPU time of all (CPU varies less with load)."""
    return best(runs)._replace(cpu=min(m.cpu for m in runs))


def run(rows: int, rounds: int, folder: Path, before: Path | None = None) -> bool:
    csv = folder / f"doc002p-{rows}.csv"
    pq = folder / f"doc002p-{rows}.parquet"
    if not csv.exists():
        generate_doc002p.generate(rows, str(csv))
    if not pq.exists():
        python(TO_PARQUET, str(csv), str(pq), out=folder / "to-parquet.txt")
    who = f"E{rows // 2 + 1:08d}"
    from_pq, from_csv = folder / "explain-parquet.txt", folder / "explain-csv.txt"
    start = fastest([python(IMPORTS, out=folder / "imports.txt") for _ in range(rounds)])
    row = fastest([python(ROW, str(pq), who, out=folder / "row.txt") for _ in range(rounds)])
    group = fastest([python(ROW_AND_GROUP, str(pq), who, out=folder / "group.txt") for _ in range(rounds)])
    fast = fastest([attain_command("explain", POLICY, "--data", pq, "--who", who, stdout=from_pq)
                    for _ in range(rounds)])
    with environment(ATTAIN_CSV_INDEX_MIN_BYTES=str(1 << 62)):  # no file is indexed: the CSV read as before
        slow = fastest([attain_command("explain", POLICY, "--data", csv, "--who", who, stdout=from_csv)
                        for _ in range(rounds)])
    built, indexed = explain_indexed(csv, who, rounds, folder)
    os.environ["ATTAIN_NO_CACHE"] = "1"  # the policy parsed every time, as on the first explain of a policy
    try:
        parsed = fastest([attain_command("explain", POLICY, "--data", pq, "--who", who) for _ in range(rounds)])
    finally:
        del os.environ["ATTAIN_NO_CACHE"]
    lines = [("process start (python, imports)", start), ("(a) duckdb: the employee's row", row),
             ("(b) duckdb: the row and the region's pct", group), ("attain explain, Parquet", fast),
             ("attain explain, CSV, no index", slow), ("attain explain, CSV, index built (1st)", built),
             ("attain explain, CSV, index used (2nd)", indexed), ("attain explain, Parquet, no tree cache", parsed)]
    if before is not None:  # another checkout's explain, in the same run (the same load)
        lines += [(f"before ({before.name}): explain, Parquet", fastest([attain_command(
                      "explain", POLICY, "--data", pq, "--who", who, code=before) for _ in range(rounds)])),
                  (f"before ({before.name}): explain, CSV", fastest([attain_command(
                      "explain", POLICY, "--data", csv, "--who", who, code=before) for _ in range(rounds)]))]
    print(f"\n{rows:,} rows ({mb(pq):.0f} MB of Parquet, {mb(csv):.0f} MB of CSV), {who}, best of {rounds}:")
    print(f"{'command':<44}{'wall ms':>9}{'peak MiB':>10}{'ms - start':>12}{'x (a)':>8}{'x (b)':>8}"
          f"{'cpu ms':>8}{'cpu - start':>12}")
    for name, m in lines:
        beyond = (m.seconds - start.seconds) * 1000
        print(f"{name:<44}{m.seconds * 1000:>9.0f}{m.peak_mb:>10.0f}{beyond:>12.0f}"
              f"{m.seconds / row.seconds:>8.2f}{m.seconds / group.seconds:>8.2f}"
              f"{m.cpu * 1000:>8.0f}{(m.cpu - start.cpu) * 1000:>12.0f}")
    print(f"peak memory, attain explain from Parquet / (b): {fast.peak_mb / group.peak_mb:.2f}")
    # the same explanation, its cells cited at the Parquet row (the CSV's line less its header line)
    csv_text = from_csv.read_text(encoding="utf-8")
    shifted = re.sub(re.escape(str(csv)) + r":(\d+):", lambda m: f"{pq}:{int(m[1]) - 1}:", csv_text)
    same = shifted == from_pq.read_text(encoding="utf-8")
    print("explanations identical (rows for lines):", "yes" if same else "NO")
    kept = all((folder / name).read_text(encoding="utf-8") == csv_text for name in ("built.txt", "indexed.txt"))
    print("explanations from the CSV's index identical to the CSV's:", "yes" if kept else "NO")
    return same and kept


@contextlib.contextmanager
def environment(**values: str):
    """The variables set for the commands run within (attain_command passes os.environ on)."""
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def explain_indexed(csv: Path, who: str, rounds: int, folder: Path) -> tuple[Measured, Measured]:
    """`attain explain` from the CSV file with its index kept (attain.sql.slice_index): the first explain, which
    builds it (the index removed before each round), and a later one, which reads it."""
    index = Path(os.environ["XDG_CACHE_HOME"]) / "attain" / "csv-index"
    wait = os.stat(csv).st_mtime + slice_index_recent() + 0.5 - time.time()
    if wait > 0:
        time.sleep(wait)  # a file changed in the last seconds is not indexed
    built = []
    for _ in range(rounds):
        shutil.rmtree(index, ignore_errors=True)
        built.append(attain_command("explain", POLICY, "--data", csv, "--who", who, stdout=folder / "built.txt"))
    if not any(index.glob("*.meta")):
        raise SystemExit("the CSV file's index was not kept")
    used = [attain_command("explain", POLICY, "--data", csv, "--who", who, stdout=folder / "indexed.txt")
            for _ in range(rounds)]
    return fastest(built), fastest(used)


def slice_index_recent() -> float:
    sys.path.insert(0, str(REPO))  # this checkout's attain, whose index the commands keep
    from attain.sql import slice_index

    return slice_index.RECENT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout (e.g. /work/main) whose explain is timed too, in the same run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="attain-explain-parquet-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["XDG_CACHE_HOME"] = str(folder / "cache")  # explain's tree cache, here rather than the user's
        ok = all([run(rows, args.rounds, folder, args.before) for rows in args.rows])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
