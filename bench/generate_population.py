"""Generate synthetic monthly data for bench/population.policy (periods and populations).

    python3 bench/generate_population.py OUT.csv [--employees 10000] [--periods 12] [--seed 2023]

Writes one row per employee and month, months 2023-01, 2023-02, ... (--periods of them,
continuing into 2024 past 12), month by month and by id within a month, like monthly exports
appended to one file. Columns:

    id, period, level, plan_input, actual, late, customers_gained, customers_lost, overdue

- ids E000001, E000002, ...; five levels of unequal size (30/25/20/15/10%), each with its
  own scale of monthly sales (about 60,000 to 400,000 yuan);
- about 4% of employees join after the first month and 3% leave before the last one (no one
  has a gap: the policy's history would reject it); about 4% are promoted one level up in
  some month, so the levels' populations change from month to month;
- plan_input is given in an employee's first month only (later months leave it empty: the
  policy carries the plan forward);
- actual is 50%..150% of the employee's scale, about 0.5% of months are 0; late tasks mostly 0
  (so that 4-month streaks happen), sometimes 12 (the -10 clamp); customers gained and lost
  0..6 each (the ±5 clamp), empty in about 3% of cells; overdue 0 or empty in most months,
  up to 150,000 yuan, about 5% exactly on a multiple of 10,000 (the band edges).

Every number is written as text built from integers (never by formatting a float): money as
"120,000", "120000" or "120000.50". The output depends only on the arguments and the seed
(random.Random(seed)).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys

HEADER = ["id", "period", "level", "plan_input", "actual", "late", "customers_gained", "customers_lost",
          "overdue"]
LEVELS = ["初级", "中级", "高级", "资深", "主管"]
LEVEL_WEIGHTS = [30, 25, 20, 15, 10]
LEVEL_SCALE = [60_000, 100_000, 160_000, 250_000, 400_000]  # yuan a month, typical
LATE_CHOICES = [0] * 75 + [1] * 12 + [2] * 6 + [3] * 4 + [5] * 2 + [12] * 1


def period_label(k: int, first_year: int = 2023) -> str:
    """Month k (0-based) from January of first_year: 0 -> "2023-01", 12 -> "2024-01"."""
    year, month = divmod(k, 12)
    return f"{first_year + year}-{month + 1:02d}"


def money_text(cents: int, rng: random.Random) -> str:
    """Integer cents as "120,000", "120000", "120,000.50" or "120000.50" (cents shown when not whole)."""
    yuan, c = divmod(cents, 100)
    whole = f"{yuan:,}" if rng.random() < 0.4 else str(yuan)
    if c or rng.random() < 0.1:
        return f"{whole}.{c:02d}"
    return whole


def count_text(n: int, rng: random.Random) -> str:
    return "" if rng.random() < 0.03 else str(n)  # an empty cell is the policy's default, 0


class Employee:
    __slots__ = ("id", "level", "scale", "start", "end", "promoted_at")

    def __init__(self, i: int, periods: int, rng: random.Random):
        self.id = f"E{i:06d}"
        self.level = rng.choices(range(len(LEVELS)), LEVEL_WEIGHTS)[0]
        self.scale = LEVEL_SCALE[self.level] * rng.randint(70, 130) // 100  # whole yuan
        self.start = rng.randint(1, periods - 1) if periods > 1 and rng.random() < 0.04 else 0
        self.end = rng.randint(self.start, periods - 1) if rng.random() < 0.03 else periods - 1
        self.promoted_at = None
        if self.level < len(LEVELS) - 1 and self.end > self.start and rng.random() < 0.04:
            self.promoted_at = rng.randint(self.start + 1, self.end)


def month_row(e: Employee, k: int, rng: random.Random) -> list[str]:
    level, scale = e.level, e.scale
    if e.promoted_at is not None and k >= e.promoted_at:
        level, scale = level + 1, scale * 6 // 5

    plan = ""
    if k == e.start:
        plan_yuan = max(1_000, scale * rng.randint(90, 110) // 100 // 1_000 * 1_000)  # a round thousand
        plan = money_text(plan_yuan * 100, rng)

    r = rng.random()
    if r < 0.005:
        actual_cents = 0
    else:
        actual_cents = scale * 100 * rng.randint(5_000, 15_000) // 10_000
        r = rng.random()
        if r < 0.3:
            actual_cents -= actual_cents % 100  # whole yuan
        elif r < 0.6:
            actual_cents -= actual_cents % 10_000  # a round hundred
    actual = money_text(actual_cents, rng)

    late = str(rng.choice(LATE_CHOICES))
    gained = count_text(rng.randint(0, 6), rng)
    lost = count_text(rng.randint(0, 6), rng)

    r = rng.random()
    if r < 0.60:
        overdue = "0"
    elif r < 0.65:
        overdue = ""
    elif r < 0.70:
        overdue = money_text(rng.randint(1, 12) * 1_000_000, rng)  # exactly k × 10,000 yuan
    else:
        overdue = money_text(rng.randint(1, 15_000_000), rng)  # up to 150,000.00
    return [e.id, period_label(k), LEVELS[level], plan, actual, late, gained, lost, overdue]


def generate(out: str | os.PathLike, employees: int = 10_000, periods: int = 12, seed: int = 2023) -> int:
    """Write the CSV; returns the number of data rows."""
    if periods < 1:
        raise ValueError("periods must be at least 1")
    rng = random.Random(seed)
    staff = [Employee(i, periods, rng) for i in range(1, employees + 1)]
    rows = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for k in range(periods):
            for e in staff:
                if e.start <= k <= e.end:
                    w.writerow(month_row(e, k, rng))
                    rows += 1
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="CSV file to write")
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--periods", type=int, default=12)
    ap.add_argument("--seed", type=int, default=2023)
    args = ap.parse_args(argv)
    if args.employees < 0 or args.periods < 1:
        ap.error("--employees must be 0 or more and --periods at least 1")
    rows = generate(args.out, args.employees, args.periods, args.seed)
    print(f"{rows:,} rows written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
