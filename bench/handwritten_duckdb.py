"""bench/doc002p.policy written by hand as one exact DuckDB query: the baseline attain's columnar engine must meet.

    python3 bench/handwritten_duckdb.py DATA.csv OUT.csv

What a careful engineer writes for this policy and this data (bench/generate_doc002p.py:
money with at most two places, rates with one): every amount an integer number of cents
(HUGEINT), comparisons cross-multiplied, the percentile from `rank()` over an exact
integer key (sales * 10^20 // target: exact while targets stay below 10^10 cents), the
expense adjustment with its division cancelled by hand, rounding half away from zero in
integers. The attainment's text (an unbounded decimal, 20 places when it has no finite
one) uses attain's exact text builder (attain.sql.text.pair_text), the one part nobody
writes by hand, told what this data guarantees (sales below 2^63 cents, targets below 10^10
cents), so it takes the BIGINT path attain's engine takes where the data's bounds prove it.
Output: the same CSV as `attain run`.
"""

from __future__ import annotations

import sys

import duckdb

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from attain.sql.text import fixed_text, pair_text, staged_select  # noqa: E402


def query(data: str) -> str:
    cents = "CAST(CAST({} AS DECIMAL(18, 2)) * 100 AS HUGEINT)"
    base = f"""
        SELECT id, region, {cents.format('sales')} AS s, {cents.format('sales_target')} AS t,
               {cents.format('expenses')} AS e, {cents.format('base_bonus')} AS bb,
               CAST(CAST(replace(collection_rate, '%', '') AS DECIMAL(6, 1)) * 10 AS HUGEINT) AS rt
        FROM read_csv('{data}', header = true, all_varchar = true)"""
    ranked = f"""
        SELECT *, rank() OVER (PARTITION BY region ORDER BY s * CAST(100000000000000000000 AS HUGEINT) // t) - 1
                  AS below, count(*) OVER (PARTITION BY region) AS n
        FROM ({base})"""
    scored = f"""
        SELECT *, CASE WHEN s * 100 >= 120 * t THEN 100 WHEN s >= t THEN 80 WHEN s * 100 >= 80 * t THEN 60 ELSE 40 END
                  * 70 // 100 + CASE WHEN rt >= 950 THEN 100 WHEN rt >= 900 THEN 80 ELSE 50 END * 30 // 100 AS total,
               CASE WHEN s * 100 >= 120 * t OR n = 1 OR below * 100 >= 95 * (n - 1) THEN 'excellent'
                    WHEN s >= t THEN 'on_target' WHEN s * 100 >= 60 * t THEN 'floor' ELSE 'none' END AS tier
        FROM ({ranked})"""
    paid = f"""
        SELECT *, (2 * greatest(least(10 * s, 12 * t) - 10 * t, 0) + 3 * greatest(10 * s - 12 * t, 0) + 500) // 1000
                  AS commission_c,
               bb * CASE tier WHEN 'excellent' THEN 20 WHEN 'on_target' THEN 12 WHEN 'floor' THEN 8 ELSE 0 END
                  * total * CASE WHEN rt < 900 THEN 8 ELSE 10 END
               - CASE WHEN s > 0 AND 100 * e > 8 * s THEN (100 * e - 8 * s) * 50 ELSE 0 END AS x
        FROM ({scored})"""
    rounded = f"""
        SELECT *, CASE WHEN x < 0 THEN -((-x + 5000) // 10000) ELSE (x + 5000) // 10000 END AS bonus_c
        FROM ({paid})"""
    texts = {"attainment": pair_text("s", "t", None, "a", (2**63 - 1, 10**10)),
             "commission_paid": fixed_text("commission_c", 100, 2, "c"),
             "bonus_total": fixed_text("bonus_c", 100, 2, "b")}
    keep = ["id", "region", "attainment", "CAST(total AS VARCHAR) AS total_score", "tier", "commission_paid",
            "bonus_total"]
    inner = staged_select(rounded, ["*"], texts)
    return f"SELECT {', '.join(keep)} FROM ({inner}) ORDER BY id"


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    con.execute(f"COPY ({query(data)}) TO '{out}' (FORMAT csv, HEADER true)")


if __name__ == "__main__":
    main()
