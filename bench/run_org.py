"""The org chart's benchmark: the library's manager override over a large forest, by every engine and by hand.

    python3 bench/run_org.py --rows 20000 [--seed 7] [--fanout 8]

Generates N employees under a few VPs (each employee's manager drawn among the level above,
so the trees are --fanout wide and about log_fanout(N) deep), runs
`policies/manager-override/override.policy` with each engine in this process (the file is
read once; each engine's run is timed: binding, the hierarchy's checks and the computation),
computes the same outputs by hand (walking the trees with Fractions), and compares every row.
Exit status 1 if any row differs.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import attain  # noqa: E402
from attain.api import ENGINES  # noqa: E402

POLICY = ROOT / "policies" / "manager-override" / "override.policy"


def generate(rows: int, fanout: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    out, level = [], [f"E{i}" for i in range(max(1, rows // fanout ** 4))]  # the VPs
    out += [[who, "", "0", str(rng.randint(1, 9) * 10**6)] for who in level]
    while len(out) < rows:
        below = []
        for _ in range(min(rows - len(out), len(level) * fanout)):
            who = f"E{len(out)}"
            quota = str(rng.randint(0, 2_000_000)) if rng.random() < 0.5 else ""
            out.append([who, rng.choice(level), f"{rng.randint(0, 20_000_000) / 100:.2f}", quota])
            below.append(who)
        level = below
    return out


def by_hand(rows: list[list[str]]) -> dict[str, Decimal]:
    """The policy written out: 3% / 2% / 1% of three levels of direct reports' sales, ¥2,000 at quota."""
    boss = {r[0]: r[1] or None for r in rows}
    sales = {r[0]: Fraction(r[2]) for r in rows}
    quota = {r[0]: Fraction(r[3]) if r[3] else None for r in rows}
    children: dict[str, list[str]] = {}
    for who, m in boss.items():
        if m is not None:
            children.setdefault(m, []).append(who)
    team = {w: sum((sales[c] for c in children.get(w, [])), Fraction(0)) for w in boss}
    level_2 = {w: sum((team[c] for c in children.get(w, [])), Fraction(0)) for w in boss}
    level_3 = {w: sum((level_2[c] for c in children.get(w, [])), Fraction(0)) for w in boss}
    org: dict[str, Fraction] = {}
    for who in reversed(list(boss)):  # every report comes after its manager: sum from the leaves up
        org[who] = sum((sales[c] + org[c] for c in children.get(who, [])), Fraction(0))
    out = {}
    for w in boss:
        pay = team[w] * Fraction(3, 100) + level_2[w] * Fraction(2, 100) + level_3[w] * Fraction(1, 100)
        if quota[w] is not None and org[w] >= quota[w]:
            pay += 2000
        exact = Decimal(pay.numerator) / Decimal(pay.denominator)
        out[w] = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--fanout", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = generate(args.rows, args.fanout, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "org.csv"
        with data.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([["id", "直属上级", "个人销售额", "团队指标"], *rows])
        policy = attain.load(POLICY)
        table = policy.table(str(data))
        want = by_hand(rows)
        failed = 0
        for engine in ENGINES:
            start = time.perf_counter()
            results = policy.run(table, engine=engine)
            seconds = time.perf_counter() - start
            got = {r["id"]: r["total"] for r in results.rows}
            wrong = [w for w in want if got.get(w) != want[w]]
            failed += bool(wrong)
            print(f"{engine:9} {len(got):7} rows {seconds:7.2f} s   {'all equal by hand' if not wrong else wrong[:5]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
