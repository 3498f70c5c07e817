"""Synthetic employees for bench/doc002p.policy (document 002 with a region percentile), any number of rows.

    python3 bench/generate_doc002p.py N OUT.csv [--seed S]

Columns id, region (6 regions), sales_target (whole yuan), sales (two places, up to
10^7), collection_rate (`88.5%`), base_bonus, expenses. Every number is written from
integers. About 4% of the rows sit exactly on an attainment threshold (60/80/100/120%),
some rates are exactly 90% or 95% and some expenses exactly 8% of sales; in two regions
sales stay below 115% of target, so their tier 2.0 comes from the percentile alone.
Written in blocks, so memory stays small at 10M rows.
"""

from __future__ import annotations

import argparse
import random

REGIONS = ["华东", "华北", "华南", "华中", "西南", "西北"]
CAPPED = {"西南", "西北"}  # no attainment of 115% or more: only the top 5% reach tier 2.0
EDGES = [60, 80, 100, 120]


def row(i: int, rng: random.Random) -> str:
    region = REGIONS[rng.randrange(len(REGIONS))]
    target = rng.randrange(100, 10_000) * 1_000  # whole yuan
    if rng.random() < 0.04 and region not in CAPPED:
        sales_cents = target * EDGES[rng.randrange(4)]  # exactly on a threshold: target * pct / 100 * 100 cents
    else:
        top = 115 if region in CAPPED else 160
        sales_cents = target * rng.randrange(30 * 100, top * 100) // 100
    rate_tenths = rng.choice([900, 950]) if rng.random() < 0.05 else rng.randrange(700, 1000)
    rate = f"{rate_tenths // 10}.{rate_tenths % 10}%" if rate_tenths % 10 else f"{rate_tenths // 10}%"
    base = rng.randrange(5, 21) * 1_000
    if rng.random() < 0.03:
        expense_cents = sales_cents * 8 // 100 if sales_cents * 8 % 100 == 0 else sales_cents // 10
    else:
        expense_cents = sales_cents * rng.randrange(2, 15) // 100
    return (f"E{i:08d},{region},{target},{sales_cents // 100}.{sales_cents % 100:02d},{rate},{base},"
            f"{expense_cents // 100}.{expense_cents % 100:02d}\n")


def generate(n: int, out: str, seed: int = 2026) -> None:
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("id,region,sales_target,sales,collection_rate,base_bonus,expenses\n")
        for start in range(0, n, 100_000):
            f.write("".join(row(i, rng) for i in range(start + 1, min(n, start + 100_000) + 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    generate(args.rows, args.out, args.seed)


if __name__ == "__main__":
    main()
