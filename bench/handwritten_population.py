"""bench/population.policy written by hand in plain Python with `decimal.Decimal`, without attain.

The baseline for bench/run_population.py: what a careful engineer would write for the
monthly policy with a carried plan, streaks, a 3-month rolling mean, peer means and ranks
within a level, in the default decimal context (28 significant digits, so that divisions
such as actual / plan or a peer mean are rounded when they have no finite decimal).

It reads every row first (a month's peer means need the whole month), parses and checks the
cells the way the data is written ("120,000", "120000.50", empty for a default), groups the
rows by month, and then processes the months in order, keeping a dict of per-employee history
(last month seen, next month's plan, the on-time streak, the last three totals) and, for each
month, per-level sums and counts. An employee missing a month between two months with data is
an error, as it is in attain. Returns, for every row, the values attain's Results give:

    id, period, level, plan, total, level_rank, total3, pay

    from handwritten_population import run_file
    rows = run_file("population.csv")
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

OUTPUTS = ("level", "plan", "total", "level_rank", "total3", "pay")

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)
FIVE = Decimal(5)
HUNDRED = Decimal(100)
ONE_PERCENT = Decimal("0.01")
CENT = Decimal("0.01")
OVERDUE_STEP = Decimal(10_000)
TOP_BONUS = Decimal(500)
TOP_PLACES = 10
ROLLING = 3
STREAK_BONUS_FROM = 4

PERIOD = re.compile(r"\s*(\d{4})-(\d{1,2})\s*\Z")


class DataError(ValueError):
    pass


def parse_money(text: str, line: int, column: str) -> Decimal:
    """ "120,000", "120000.50", "¥120,000" -> Decimal; empty -> 0 (the policy's default)."""
    t = text.strip().lstrip("¥￥$").replace(",", "")
    if not t:
        return ZERO
    try:
        v = Decimal(t)
    except InvalidOperation:
        raise DataError(f"line {line}: {column} is not an amount: {text!r}") from None
    if not v.is_finite():
        raise DataError(f"line {line}: {column} is not an amount: {text!r}")
    return v


def parse_count(text: str, line: int, column: str) -> int:
    t = text.strip()
    if not t:
        return 0
    try:
        v = int(t)
    except ValueError:
        raise DataError(f"line {line}: {column} is not a whole number: {text!r}") from None
    if v < 0:
        raise DataError(f"line {line}: {column} cannot be negative: {text!r}")
    return v


def parse_period(text: str, line: int) -> int:
    """ "2023-07" -> a month number (year * 12 + month - 1), so that consecutive months differ by 1."""
    m = PERIOD.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise DataError(f"line {line}: period is not a month like 2023-07: {text!r}")
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def month_label(month: int) -> str:
    year, m = divmod(month, 12)
    return f"{year}-{m + 1:02d}"


def clamp(x, low, high):
    return low if x < low else high if x > high else x


def run_rows(rows) -> list[dict]:
    """Evaluate an iterable of dict rows (csv.DictReader's); the results month by month."""
    # --- read and check every row, grouped by month
    by_month: dict[int, list[tuple]] = defaultdict(list)
    seen = set()
    for line, row in enumerate(rows, start=2):
        who = row["id"].strip()
        if not who:
            raise DataError(f"line {line}: empty id")
        month = parse_period(row["period"], line)
        if (who, month) in seen:
            raise DataError(f"line {line}: a second row for {who} in {month_label(month)}")
        seen.add((who, month))
        level = row["level"].strip()
        if not level:
            raise DataError(f"line {line}: level is empty")
        by_month[month].append((
            who, level,
            parse_money(row["plan_input"], line, "plan_input"),
            parse_money(row["actual"], line, "actual"),
            parse_count(row["late"], line, "late"),
            parse_count(row["customers_gained"], line, "customers_gained"),
            parse_count(row["customers_lost"], line, "customers_lost"),
            parse_money(row["overdue"], line, "overdue"),
        ))

    # --- per-employee history: who -> [last month, next month's plan, on-time streak, last totals]
    history: dict[str, list] = {}
    out: list[dict] = []
    for month in sorted(by_month):
        label = month_label(month)
        month_rows = by_month[month]
        level_sum: dict[str, Decimal] = defaultdict(Decimal)
        level_count: dict[str, int] = defaultdict(int)
        partial = []

        # pass 1: everything that needs only the employee's own history
        for who, level, plan_input, actual, late, gained, lost, overdue in month_rows:
            h = history.get(who)
            if h is None:
                plan, streak, totals = plan_input, 0, []
            else:
                if h[0] != month - 1:
                    raise DataError(f"{who} has no data for {month_label(h[0] + 1)}, "
                                    f"between {month_label(h[0])} and {label}")
                plan, streak, totals = h[1], h[2], h[3]
            next_plan = (plan + actual) / TWO
            base = actual / plan * HUNDRED if plan > ZERO else ZERO

            customer_points = clamp(gained - lost, -5, 5)

            streak = streak + 1 if late == 0 else 0
            if streak >= STREAK_BONUS_FROM:
                timeliness = 2
            else:
                timeliness = 1 if late == 0 else -late
            timeliness = clamp(timeliness, -10, 10)

            if overdue < OVERDUE_STEP:
                overdue_points = 0
            else:
                overdue_points = -min(int(overdue // OVERDUE_STEP), 10)

            level_sum[level] += actual
            level_count[level] += 1
            own = base + customer_points + timeliness + overdue_points
            partial.append((who, level, actual, plan, next_plan, streak, totals, own))

        # pass 2: peer means (the others at the same level this month) and the total
        totals_by_level: dict[str, list[Decimal]] = defaultdict(list)
        computed = []
        for who, level, actual, plan, next_plan, streak, totals, own in partial:
            peers = level_count[level] - 1
            peer_mean = (level_sum[level] - actual) / peers if peers > 0 else actual
            ratio = actual / peer_mean if peer_mean > ZERO else ONE
            if ratio > ONE:
                contribution = ratio * FIVE
            elif ratio < ONE:
                contribution = ratio * -FIVE
            else:
                contribution = ZERO
            contribution = clamp(contribution, -FIVE, FIVE)
            total = own + contribution
            totals_by_level[level].append(total)
            computed.append((who, level, actual, plan, next_plan, streak, totals, total))

        # rank within the level: 1 + the number of colleagues with a higher total (ties share)
        rank_of: dict[str, dict[Decimal, int]] = {}
        for level, level_totals in totals_by_level.items():
            level_totals.sort(reverse=True)
            ranks: dict[Decimal, int] = {}
            for place, t in enumerate(level_totals, start=1):
                ranks.setdefault(t, place)
            rank_of[level] = ranks

        # pass 3: rolling mean, payout, and the history for next month
        for who, level, actual, plan, next_plan, streak, totals, total in computed:
            last = totals[-(ROLLING - 1):] + [total]
            total3 = sum(last, ZERO) / len(last)
            rank = rank_of[level][total]
            pay = actual * ONE_PERCENT * total3 / HUNDRED + (TOP_BONUS if rank <= TOP_PLACES else ZERO)
            history[who] = [month, next_plan, streak, last]
            out.append({
                "id": who, "period": label, "level": level, "plan": plan, "total": total,
                "level_rank": rank, "total3": total3,
                "pay": pay.quantize(CENT, rounding=ROUND_HALF_UP),
            })
    return out


def run_file(path) -> list[dict]:
    """Read a CSV (utf-8-sig, like a spreadsheet export) and evaluate it."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return run_rows(csv.DictReader(f))


if __name__ == "__main__":
    import sys

    for r in run_file(sys.argv[1]):
        print(r)
