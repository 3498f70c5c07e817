"""The spark engine reading its data itself against reading it on this machine, on bench/doc002p.policy.

    python3 bench/run_spark.py [--rows 100000 1000000] [--rounds 1] [--keep DIR]

For each size: generate the data (bench/generate_doc002p.py) as CSV, and as Parquet (every
column as text, as the CSV holds it, written by DuckDB). Then, round-robin, each variant runs as
a child process from start to finish under GNU time (bench/measure.py): `attain run --engine
spark` over the CSV (attain's reader on this machine, the rows handed to Spark through the
driver), over the Parquet file (read, checked and computed on Spark: attain.sql.spark_run),
and the hand-written exact DuckDB query (bench/handwritten_duckdb.py) as the yardstick. Each
figure is wall time, and CPU and peak RSS as GNU time reports them for the command (the JVM
that pyspark starts is not waited for, so its CPU and memory are not counted); the ratios are
wall times to the hand-written query's. The CSVs
must be byte-identical (exit 1 otherwise). Local Spark, `local[2]`.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate_doc002p  # noqa: E402
from measure import TIME, TIME_FORMAT, Measured, attain_command, time_report  # noqa: E402

POLICY = HERE / "doc002p.policy"


def as_parquet(csv_path: Path, parquet_path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar = true, header = true)) "
                    f"TO '{parquet_path}' (FORMAT parquet)")
    finally:
        con.close()


def handwritten(data: Path, out: Path) -> Measured:
    """The hand-written exact DuckDB query under GNU time, as `measure.attain_command` runs attain."""
    with tempfile.TemporaryDirectory(prefix="attain-time-") as tmp:
        report = Path(tmp) / "peak"
        t0 = time.perf_counter()
        done = subprocess.run([TIME, "-f", TIME_FORMAT, "-o", str(report), sys.executable,
                               str(HERE / "handwritten_duckdb.py"), str(data), str(out)], check=False,
                              stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        peak, cpu = time_report(report.read_text())
    return Measured(seconds, peak, done.returncode, cpu)


def run(rows: int, rounds: int, folder: Path) -> bool:
    data = folder / f"doc002p-{rows}.csv"
    if not data.exists():
        generate_doc002p.generate(rows, str(data))
    parquet = folder / f"doc002p-{rows}.parquet"
    if not parquet.exists():
        as_parquet(data, parquet)
    variants = {
        "spark, CSV read here": lambda: attain_command("run", POLICY, "--data", data, "--engine", "spark",
                                                       "--out", folder / "spark-csv.csv"),
        "spark, Parquet on Spark": lambda: attain_command("run", POLICY, "--data", parquet, "--engine", "spark",
                                                          "--out", folder / "spark-parquet.csv"),
        "hand-written DuckDB": lambda: handwritten(data, folder / "duckdb.csv"),
    }
    best: dict[str, tuple[float, ...]] = {}
    for _ in range(rounds):
        for name, command in variants.items():
            m = command()
            if m.status != 0:
                raise SystemExit(f"{name} failed with exit code {m.status}")
            figures = (m.seconds, m.cpu, m.peak_mb)
            best[name] = tuple(min(a, b) for a, b in zip(best.get(name, figures), figures, strict=True))
    base = best["hand-written DuckDB"]
    print(f"\n{rows:,} rows, best of {rounds}:")
    print(f"{'variant':<26}{'wall s':>9}{'CPU s':>9}{'peak MiB':>10}{'wall/hw':>9}")
    for name, (wall, cpu, peak) in best.items():
        print(f"{name:<26}{wall:>9.2f}{cpu:>9.2f}{peak:>10.0f}{wall / base[0]:>9.2f}")
    outputs = [folder / "spark-csv.csv", folder / "spark-parquet.csv", folder / "duckdb.csv"]
    same = all(filecmp.cmp(outputs[0], o, shallow=False) for o in outputs[1:])
    print("outputs byte-identical:", "yes" if same else "NO")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="attain-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        ok = all([run(rows, args.rounds, folder) for rows in args.rows])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
