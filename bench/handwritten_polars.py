"""bench/doc002p.policy written by hand as one exact Polars pipeline: the second baseline attain's engines meet.

    python3 bench/handwritten_polars.py DATA.csv OUT.csv

What a careful engineer writes in Polars for this policy and this data
(bench/generate_doc002p.py: money with at most two places, rates with one, targets
whole thousands below 10^7 yuan). Polars' Decimal keeps a fixed scale and cuts the
digits a division would need, silently, so nothing here is a Decimal or a float:
every amount is an Int64 number of cents (parsed from the text, never through a
float), comparisons are cross-multiplied, the expense adjustment has its division
cancelled by hand and the roundings are half away from zero in integers, as in
bench/handwritten_duckdb.py. Two parts need more care than SQL's HUGEINT gives them:

- the region percentile ranks attainments sales / target exactly by three Int64 keys,
  the whole part and two 9-digit chunks of the fraction (two different fractions with
  denominators below 10^9 differ by at least 10^-18, so their 18-digit floors differ);
- the attainment's text is long division in 5-digit chunks (r * 10^5 fits while
  targets stay below 10^13 cents): the exact digits when the remainder reaches zero
  within 20 places (every finite value here has at most 18: a target of k thousand
  yuan is k * 10^5 cents, k < 10^4), else 20 places rounded half-even, as attain prints.

Output: the same CSV as `attain run`, byte for byte (bench/run_columnar.py checks it).
"""

from __future__ import annotations

import sys

import polars as pl

CHUNK = 10**5  # long division: five digits at a time
NINE = 10**9  # order keys: nine digits of the fraction at a time


def cents(name: str, places: int = 2) -> pl.Expr:
    """A decimal text with at most `places` places as an exact Int64 count of 10^-places units."""
    parts = pl.col(name).str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64)
    frac = parts.struct.field("field_1").fill_null("").str.pad_end(places, "0").cast(pl.Int64, strict=False)
    return whole * 10**places + frac.fill_null(0)


def fixed(name: str) -> pl.Expr:
    """Cents as text with two places: -12.34, 0.00 (never -0.00)."""
    c = pl.col(name)
    sign = pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, (c.abs() // 100).cast(pl.Utf8), pl.lit("."),
                          (c.abs() % 100).cast(pl.Utf8).str.zfill(2)])


def ratio_text(s: str, t: str) -> pl.Expr:
    """The text of s / t (s >= 0, t > 0, Int64): exact digits, or 20 places half-even when it has no end."""
    num, den = pl.col(s), pl.col(t)
    whole = num // den
    rest = num % den
    digits = []
    for _ in range(4):  # 4 chunks of 5: 20 places
        digits.append(rest * CHUNK // den)
        rest = rest * CHUNK % den
    finite = rest == 0
    # Half-even at the 20th place: up when the remainder is over half, or half and the last digit odd.
    up = (2 * rest > den) | ((2 * rest == den) & (digits[3] % 2 == 1))
    rounded = []
    carry = up.cast(pl.Int64)
    for d in reversed(digits):
        total = d + carry
        rounded.append(total % CHUNK)
        carry = total // CHUNK
    rounded.reverse()
    text = [d.cast(pl.Utf8).str.zfill(5) for d in digits]
    exact_frac = pl.concat_str(text).str.strip_chars_end("0")
    exact = pl.when(exact_frac == "").then(whole.cast(pl.Utf8)).otherwise(
        pl.concat_str([whole.cast(pl.Utf8), pl.lit("."), exact_frac]))
    long_ = pl.concat_str([(whole + carry).cast(pl.Utf8), pl.lit("."),
                           *(d.cast(pl.Utf8).str.zfill(5) for d in rounded)])
    return pl.when(finite).then(exact).otherwise(long_)


def pipeline(data: str) -> pl.DataFrame:
    frame = pl.scan_csv(data, infer_schema=False)  # every cell a text, read as written
    rate = pl.col("collection_rate").str.strip_suffix("%")
    base = frame.with_columns(rate.alias("__rate")).select(
        pl.col("id"), pl.col("region"),
        cents("sales").alias("s"), cents("sales_target").alias("t"), cents("expenses").alias("e"),
        cents("base_bonus").alias("bb"), cents("__rate", 1).alias("rt"),  # tenths of a percent
    )
    # Exact order keys of s / t: the whole part, then two 9-digit chunks of the fraction.
    r0 = pl.col("s") % pl.col("t")
    k1 = r0 * NINE // pl.col("t")
    k2 = (r0 * NINE % pl.col("t")) * NINE // pl.col("t")
    keyed = base.with_columns((pl.col("s") // pl.col("t")).alias("k0"), k1.alias("k1"), k2.alias("k2"),
                              pl.int_range(pl.len()).alias("__row"))
    # Colleagues strictly below: the position, in the region sorted by the keys, of the first equal one.
    ordered = keyed.sort(["region", "k0", "k1", "k2"]).with_columns(
        pl.int_range(pl.len()).over("region").alias("__pos"), pl.len().over("region").alias("n"))
    same = ((pl.col("k0") == pl.col("k0").shift(1)) & (pl.col("k1") == pl.col("k1").shift(1))
            & (pl.col("k2") == pl.col("k2").shift(1)) & (pl.col("region") == pl.col("region").shift(1)))
    ranked = ordered.with_columns(
        pl.when(same.fill_null(False)).then(None).otherwise(pl.col("__pos")).forward_fill().alias("below"))
    s, t, rt = pl.col("s"), pl.col("t"), pl.col("rt")
    score_a = (pl.when(s * 100 >= 120 * t).then(100).when(s >= t).then(80).when(s * 100 >= 80 * t).then(60)
               .otherwise(40))
    score_c = pl.when(rt >= 950).then(100).when(rt >= 900).then(80).otherwise(50)
    excellent = (s * 100 >= 120 * t) | (pl.col("n") == 1) | (pl.col("below") * 100 >= 95 * (pl.col("n") - 1))
    tier = (pl.when(excellent).then(pl.lit("excellent")).when(s >= t).then(pl.lit("on_target"))
            .when(s * 100 >= 60 * t).then(pl.lit("floor")).otherwise(pl.lit("none")))
    scored = ranked.with_columns((score_a * 70 // 100 + score_c * 30 // 100).alias("total"), tier.alias("tier"))
    coefficient = (pl.when(pl.col("tier") == "excellent").then(20).when(pl.col("tier") == "on_target").then(12)
                   .when(pl.col("tier") == "floor").then(8).otherwise(0))
    commission = (2 * pl.max_horizontal(pl.min_horizontal(10 * s, 12 * t) - 10 * t, 0)
                  + 3 * pl.max_horizontal(10 * s - 12 * t, 0) + 500) // 1000
    e = pl.col("e")
    deduction = pl.when((s > 0) & (100 * e > 8 * s)).then((100 * e - 8 * s) * 50).otherwise(0)
    x = pl.col("bb") * coefficient * pl.col("total") * pl.when(rt < 900).then(8).otherwise(10) - deduction
    bonus = pl.when(x < 0).then(-((-x + 5000) // 10000)).otherwise((x + 5000) // 10000)
    paid = scored.with_columns(commission.alias("commission_c"), bonus.alias("bonus_c"))
    return paid.sort("__row").select(
        pl.col("id"), pl.col("region"), ratio_text("s", "t").alias("attainment"),
        pl.col("total").cast(pl.Utf8).alias("total_score"), pl.col("tier"),
        fixed("commission_c").alias("commission_paid"), fixed("bonus_c").alias("bonus_total"),
    ).collect()


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    pipeline(data).write_csv(out)


if __name__ == "__main__":
    main()
