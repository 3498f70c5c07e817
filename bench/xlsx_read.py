"""Reading a large Excel sheet: python-calamine (attain's fast path) against openpyxl alone.

    python3 bench/xlsx_read.py [--rows 200000] [--keep DIR] [--repeat 1]

Writes a workbook of N employees (id, name, region, target, sales with cents, a
collection rate shown as a percent, a start date stored as a date, an active flag),
then reads it with `attain.io.read_table` twice, each read in a fresh process: once
as attain reads it (python-calamine for the values, the sheet's XML for the percent
cells), once with openpyxl alone (what attain did before). For each it reports the
best wall time and CPU time (`time.process_time`, less disturbed when the machine is
shared), the process's peak resident memory, and checks that both read exactly the
same table (a SHA-256 over every row).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADER = ["工号", "姓名", "所属区域", "销售额目标", "销售额实际", "回款率", "入职日期", "在职"]
REGIONS = ["华东", "华北", "华南", "华中", "西南", "西北", "东北"]

# One read in a fresh process: its time, peak memory, and a digest of the table it read.
READ = """
import hashlib, json, resource, sys, time
sys.path.insert(0, {root!r})
from attain.io import xlsx
from attain.io.readers import read_table
if {mode!r} == "openpyxl":
    xlsx.fast_sheet = lambda file, data, sheet: None
start, cpu = time.perf_counter(), time.process_time()
table = read_table({path!r})
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
digest = hashlib.sha256()
digest.update(json.dumps(table.columns, ensure_ascii=False).encode())
for row in table.rows:
    digest.update(json.dumps([row.line, row.cells], ensure_ascii=False).encode())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({{"seconds": seconds, "cpu": cpu, "peak_mib": peak / 1024, "rows": len(table.rows),
                  "sha": digest.hexdigest()}}))
"""


def generate(rows: int, path: str, seed: int = 2023) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(HEADER)
    for i in range(rows):
        rate = WriteOnlyCell(ws, value=rng.randint(5000, 10000) / 10000)  # 0.8765 shown as 87.65%
        rate.number_format = "0.00%"
        start = WriteOnlyCell(ws, value=datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randint(0, 3000)))
        start.number_format = "yyyy-mm-dd"
        target = rng.randint(10, 100) * 10_000
        sales = rng.randint(target * 30, target * 160) / 100  # cents, from integers
        name = "".join(rng.choice("张王李赵刘陈杨黄周吴") for _ in range(2))
        ws.append([f"E{i + 1:06d}", name, rng.choice(REGIONS), target, sales, rate, start, rng.random() < 0.9])
    wb.save(path)


def read(path: str, mode: str) -> dict:
    code = READ.format(root=ROOT, path=path, mode=mode)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", default=None, help="write (and keep) the workbook in this folder")
    args = parser.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix="attain-xlsx-")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"employees-{args.rows}.xlsx")
    if not os.path.exists(path):
        start = time.perf_counter()
        generate(args.rows, path)
        print(f"wrote {path} ({os.path.getsize(path) / 2**20:.1f} MiB) in {time.perf_counter() - start:.1f} s")
    results = {}
    for mode in ("calamine", "openpyxl"):
        runs = [read(path, mode) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        best["cpu"] = min(r["cpu"] for r in runs)
        best["peak_mib"] = max(r["peak_mib"] for r in runs)
        results[mode] = best
        print(f"{mode:9}  wall {best['seconds']:6.2f} s  CPU {best['cpu']:6.2f} s  "
              f"{best['rows'] / best['cpu']:>9,.0f} rows/CPU s  peak {best['peak_mib']:5.0f} MiB  "
              f"{best['rows']:,} rows")
    fast, slow = results["calamine"], results["openpyxl"]
    print(f"openpyxl / calamine: {slow['seconds'] / fast['seconds']:.1f}x the wall time, "
          f"{slow['cpu'] / fast['cpu']:.1f}x the CPU time, {slow['peak_mib'] / fast['peak_mib']:.2f}x the peak memory")
    same = fast["sha"] == slow["sha"]
    print("the same table from both: " + ("yes" if same else "NO"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
