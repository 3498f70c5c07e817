"""The document-002 policy written by hand in plain Python with `decimal.Decimal`, without attain.

This is the baseline the benchmark compares attain with: what a careful
engineer would write for policies/doc002/incentive.policy, one row at a time,
in the default decimal context (28 significant digits, which is what makes
`sales / sales_target` inexact when the ratio has no finite decimal).

It parses each cell the way the data is written ("575,123.45", "88%" or
"0.8765"), checks what a careful engineer would check (numbers are numbers,
counts are whole and not negative, the two scores are inside their scales),
and returns the same values attain's Results give for a row.

    from bench.handwritten import run_file
    rows = run_file("employees.csv")
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal

# Column labels as in policies/doc002/sample.csv, and the policy's English input names.
ZH = {
    "id": "编号", "region": "所属区域", "sales_target": "销售额目标", "sales": "销售额实际",
    "new_customers": "新客户数", "last_new_customers": "上期新客户数", "collection_rate": "回款率",
    "satisfaction": "客户满意度", "late_plans": "计划延迟次数", "collaboration": "团队协作评分",
    "last_attainment": "上期完成率", "base_bonus": "奖金基数",
}
EN = {name: name for name in ZH}

OUTPUTS = ("improvement_plan", "region", "attainment", "total_score", "tier", "commission_paid", "bonus_total")

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

# Scorecard thresholds (table 2).
A120, A100, A80, A60 = Decimal("1.20"), Decimal("1.00"), Decimal("0.80"), Decimal("0.60")
G30, G10 = Decimal("0.30"), Decimal("0.10")
C95, C90 = Decimal("0.95"), Decimal("0.90")
S45, S40 = Decimal("4.5"), Decimal("4.0")
K9, K7 = Decimal(9), Decimal(7)
PROGRESS = Decimal("0.15")

# Weights (table 2), as Decimals so that score * weight is exact.
W_ATTAIN, W_GROWTH, W_COLLECT = Decimal("0.40"), Decimal("0.20"), Decimal("0.15")
W_SATISF, W_PLAN, W_COLLAB = Decimal("0.10"), Decimal("0.10"), Decimal("0.05")

# Tiers (table 3): coefficient per tier.
COEF_EXCELLENT, COEF_ON_TARGET = Decimal("2.0"), Decimal("1.2")
COEF_PROGRESS, COEF_FLOOR = Decimal("1.0"), Decimal("0.8")
COMMISSION_RATE = Decimal("0.03")
LOW_COLLECTION_FACTOR = Decimal("0.8")


def parse_money(text: str) -> Decimal:
    """ "575,123.45", "575123.45", "¥500,000" -> Decimal; anything else is an error."""
    t = text.strip().lstrip("¥￥").replace(",", "")
    v = Decimal(t)
    if not v.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    return v


def parse_number(text: str, low: Decimal, high: Decimal) -> Decimal:
    v = Decimal(text.strip())
    if not (low <= v <= high):  # also rejects NaN (comparisons with NaN raise)
        raise ValueError(f"{text!r} is outside {low} .. {high}")
    return v


def parse_percent(text: str) -> Decimal:
    """ "88%" -> 0.88, "0.8765" -> 0.8765 (a bare rate is a fraction of one)."""
    t = text.strip()
    if t.endswith("%"):
        v = Decimal(t[:-1]) / HUNDRED  # exact: dividing a short decimal by 100
    else:
        v = Decimal(t)
    if not v.is_finite():
        raise ValueError(f"not a percent: {text!r}")
    return v


def parse_count(text: str) -> int:
    v = int(text.strip())
    if v < 0:
        raise ValueError(f"a count cannot be negative: {text!r}")
    return v


def make_evaluate(columns: dict[str, str] = ZH):
    """The per-row function for a file with these column names (ZH or EN)."""
    c_id, c_region = columns["id"], columns["region"]
    c_target, c_sales = columns["sales_target"], columns["sales"]
    c_new, c_last_new = columns["new_customers"], columns["last_new_customers"]
    c_collect, c_satisf = columns["collection_rate"], columns["satisfaction"]
    c_late, c_collab = columns["late_plans"], columns["collaboration"]
    c_last_att, c_base = columns["last_attainment"], columns["base_bonus"]

    def evaluate(row: dict) -> dict:
        # --- inputs
        region = row[c_region].strip()
        target = parse_money(row[c_target])
        sales = parse_money(row[c_sales])
        new_customers = parse_count(row[c_new])
        last_new = parse_count(row[c_last_new])
        collection = parse_percent(row[c_collect])
        satisfaction = parse_number(row[c_satisf], ZERO, Decimal(5))
        late_plans = parse_count(row[c_late])
        collaboration = parse_number(row[c_collab], ZERO, Decimal(10))
        last_attainment = parse_percent(row[c_last_att])
        base_bonus = parse_money(row[c_base])

        # --- 销售额完成率 and 新客户增长率
        attainment = sales / target  # 28 significant digits: rounded when the ratio is not a finite decimal
        if last_new > 0:
            growth = Decimal(new_customers - last_new) / last_new
        else:
            growth = ONE  # no customers last period: full marks

        # --- scorecard (table 2); "a to b" includes a and excludes b
        if attainment >= A120:
            s_att = 100
        elif attainment >= A100:
            s_att = 80
        elif attainment >= A80:
            s_att = 60
        else:
            s_att = 40
        s_growth = 100 if growth >= G30 else 70 if growth >= G10 else 40
        s_collect = 100 if collection >= C95 else 80 if collection >= C90 else 50
        s_satisf = 100 if satisfaction >= S45 else 80 if satisfaction >= S40 else 50
        s_plan = 100 if late_plans == 0 else 80 if late_plans == 1 else 50
        s_collab = 100 if collaboration >= K9 else 80 if collaboration >= K7 else 50

        total_score = (s_att * W_ATTAIN + s_growth * W_GROWTH + s_collect * W_COLLECT
                       + s_satisf * W_SATISF + s_plan * W_PLAN + s_collab * W_COLLAB)

        # --- tier (table 3): the first that matches
        if attainment >= A120:
            tier, coef = "excellent", COEF_EXCELLENT
        elif attainment >= A100:
            tier, coef = "on_target", COEF_ON_TARGET
        elif attainment - last_attainment >= PROGRESS and attainment >= A80:
            tier, coef = "progress", COEF_PROGRESS
        elif attainment >= A60:
            tier, coef = "floor", COEF_FLOOR
        else:
            tier, coef = "none", ZERO

        # --- 超额完成部分按3%提成
        commission = (sales - target) * COMMISSION_RATE if sales > target else ZERO

        # --- bonus; 回款率<90%时奖金按80%发放
        bonus = base_bonus * coef * total_score / HUNDRED
        if collection < C90:
            bonus = bonus * LOW_COLLECTION_FACTOR

        return {
            c_id: row[c_id].strip(),
            "improvement_plan": tier == "floor",
            "region": region,
            "attainment": attainment,
            "total_score": total_score,
            "tier": tier,
            "commission_paid": commission.quantize(CENT, rounding=ROUND_HALF_UP),
            "bonus_total": bonus.quantize(CENT, rounding=ROUND_HALF_UP),
        }

    return evaluate


def columns_for(header) -> dict[str, str]:
    """ZH or EN, whichever the header has."""
    return ZH if ZH["id"] in header else EN


def run_file(path) -> list[dict]:
    """Read a CSV and evaluate every row (utf-8-sig, like a spreadsheet export)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        evaluate = make_evaluate(columns_for(reader.fieldnames))
        return [evaluate(row) for row in reader]


def run_rows(rows: list[dict], columns: dict[str, str] = ZH) -> list[dict]:
    evaluate = make_evaluate(columns)
    return [evaluate(row) for row in rows]


if __name__ == "__main__":
    import sys

    for r in run_file(sys.argv[1] if len(sys.argv) > 1 else "policies/doc002/sample.csv"):
        print(r)
