"""Synthetic employees for the document-002 policy (policies/doc002/incentive.policy).

    python3 bench/generate.py N OUT.csv [--seed S] [--headers zh|en]

Writes N rows with the columns of policies/doc002/sample.csv (Chinese headers,
as in the sample, or the policy's English input names with an `id` and a
`name` column), ids E000001, E000002, ...

Every number is written as text built from integers (never by formatting a
float), in the forms people actually type: "575,123.45" or "575123.45" for
money, "88%", "92.5%" or "0.8765" for a rate. The output depends only on N and
the seed (random.Random(seed)).

A few rows are placed exactly on the policy's thresholds (attainment 60%, 80%,
100%, 120%; collection 90%, 95%; satisfaction 4.0, 4.5; collaboration 7, 9;
an improvement of exactly 15 points) and some have no new customers last
period, so that every band edge and the growth guard are exercised.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys

ZH_HEADER = ["编号", "姓名", "所属区域", "销售额目标", "销售额实际", "新客户数", "上期新客户数", "回款率",
             "客户满意度", "计划延迟次数", "团队协作评分", "上期完成率", "奖金基数"]
EN_HEADER = ["id", "name", "region", "sales_target", "sales", "new_customers", "last_new_customers",
             "collection_rate", "satisfaction", "late_plans", "collaboration", "last_attainment", "base_bonus"]

REGIONS = ["华东", "华北", "华南", "华中", "西南", "西北", "东北"]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"

# Attainments (in basis points of target) on the policy's band and tier edges.
EDGE_ATTAINMENT_BP = [6000, 8000, 10000, 12000]


def grouped(n: int) -> str:
    """An integer with thousands commas: 1234567 -> "1,234,567"."""
    return f"{n:,}"


def money_text(cents: int, rng: random.Random, show_cents: bool) -> str:
    """Money from integer cents, with or without thousands commas, with or without the cents."""
    yuan, c = divmod(cents, 100)
    whole = grouped(yuan) if rng.random() < 0.6 else str(yuan)
    if show_cents:
        return f"{whole}.{c:02d}"
    assert c == 0
    return whole


def decimal_text(units: int, places: int) -> str:
    """An integer count of 10**-places as a decimal: (875, 1) -> "87.5", (8765, 4) -> "0.8765"."""
    if places == 0:
        return str(units)
    whole, frac = divmod(units, 10**places)
    return f"{whole}.{frac:0{places}d}"


def percent_text(bp: int, rng: random.Random) -> str:
    """A rate given in basis points (1/10000), as "88%", "92.5%" or "0.8765" (bare fraction of one)."""
    if rng.random() < 0.6 and bp % 10 == 0:
        tenths = bp // 10  # tenths of a percent
        if tenths % 10 == 0:
            return f"{tenths // 10}%"
        return decimal_text(tenths, 1) + "%"
    return decimal_text(bp, 4)


def employee(i: int, rng: random.Random) -> list[str]:
    edge = rng.random() < 0.04  # put this employee on some threshold

    # Target: whole yuan, often a round number.
    if rng.random() < 0.5:
        target = rng.randrange(10, 101) * 10_000
    else:
        target = rng.randint(100_000, 1_000_000)
    target_cents = target * 100

    # Sales: 30%..160% of target.
    if edge and rng.random() < 0.6:
        bp = rng.choice(EDGE_ATTAINMENT_BP)
        sales_cents = target_cents * bp // 10_000  # exact: bp is a multiple of 1,000
    else:
        bp = rng.randint(3000, 16000)
        sales_cents = target_cents * bp // 10_000
        r = rng.random()
        if r < 0.4:
            sales_cents += rng.randrange(0, 100)  # some cents
        elif r < 0.7:
            sales_cents -= sales_cents % 100  # whole yuan
        else:
            sales_cents -= sales_cents % 100_000  # a round thousand
            sales_cents = max(sales_cents, 100_000)
    show_cents = sales_cents % 100 != 0 or rng.random() < 0.15
    sales = money_text(sales_cents, rng, show_cents)

    # Customers: 0..30; last period sometimes 0 (growth counts as 100% then).
    new_customers = rng.randint(0, 30)
    last_new_customers = 0 if rng.random() < 0.06 else rng.randint(1, 30)

    # Collection rate: mostly 75%..100%, sometimes exactly on 90% or 95%.
    if edge and rng.random() < 0.5:
        collection_bp = rng.choice([9000, 9500])
    elif rng.random() < 0.5:
        collection_bp = rng.randint(750, 1000) * 10  # whole tenths of a percent
    else:
        collection_bp = rng.randint(7500, 10000)
    collection = percent_text(collection_bp, rng)

    # Satisfaction 0..5, collaboration 0..10, one decimal; mostly in the upper half.
    if edge and rng.random() < 0.5:
        satisfaction_tenths = rng.choice([40, 45])
        collaboration_tenths = rng.choice([70, 90])
    else:
        wide = rng.random() < 0.1  # a few from the whole scale, most between fair and excellent
        satisfaction_tenths = rng.randint(0, 50) if wide else rng.randint(30, 50)
        collaboration_tenths = rng.randint(0, 100) if wide else rng.randint(55, 100)
    satisfaction = decimal_text(satisfaction_tenths, 1)
    collaboration = decimal_text(collaboration_tenths, 1)

    late_plans = rng.choice([0, 0, 0, 1, 1, 2, 3, 4])

    # Last period's attainment, as a percent: sometimes exactly 15 points below this period's.
    attainment_bp_now = sales_cents * 10_000 // target_cents
    if edge and rng.random() < 0.5 and sales_cents * 10_000 % target_cents == 0 and attainment_bp_now >= 1500:
        last_bp = attainment_bp_now - 1500
    else:
        last_bp = rng.randint(300, 1600) * 10 if rng.random() < 0.9 else rng.randint(3000, 16000)
    if last_bp % 100 == 0:
        last_attainment = f"{last_bp // 100}%"
    elif last_bp % 10 == 0:
        last_attainment = decimal_text(last_bp // 10, 1) + "%"
    else:
        last_attainment = decimal_text(last_bp, 2) + "%"

    # Base bonus: 5,000..20,000 whole yuan, usually a multiple of 500.
    base = rng.randrange(10, 41) * 500 if rng.random() < 0.8 else rng.randint(5000, 20000)
    base_bonus = grouped(base) if rng.random() < 0.3 else str(base)

    name = rng.choice(SURNAMES) + "*"
    return [f"E{i:06d}", name, rng.choice(REGIONS), money_text(target_cents, rng, False), sales,
            str(new_customers), str(last_new_customers), collection, satisfaction, str(late_plans),
            collaboration, last_attainment, base_bonus]


def generate(n: int, out: str | os.PathLike, seed: int = 2023, headers: str = "zh") -> None:
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(ZH_HEADER if headers == "zh" else EN_HEADER)
        for i in range(1, n + 1):
            w.writerow(employee(i, rng))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of employees")
    ap.add_argument("out", help="CSV file to write")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--headers", choices=["zh", "en"], default="zh",
                    help="Chinese column labels as in sample.csv (default) or English input names")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be 0 or more")
    generate(args.n, args.out, args.seed, args.headers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
