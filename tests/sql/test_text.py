"""Exact decimal text in SQL against the CSV writer's, on 100k+ values through DuckDB; NULL where SQL cannot print."""

from __future__ import annotations

import os
import random
import tempfile

import duckdb
import pytest
from printable import printable

from attain.exact import to_decimal
from attain.io.numtext import format_number
from attain.sql.text import HUGE_MAX, fixed_text, lit, pair_text, staged_select

PLACES = (None, 0, 2, 5)


def _table(con, rows: list[tuple[int, int]]) -> None:
    # Through text, which DuckDB reads into HUGEINT exactly (and far faster than one INSERT per row).
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "v.csv")
        with open(path, "w") as f:
            f.writelines(f"{i},{n},{d}\n" for i, (n, d) in enumerate(rows))
        con.execute(f"CREATE TABLE v AS SELECT * FROM read_csv('{path}', header = false, "
                    "columns = {'i': 'BIGINT', 'n': 'HUGEINT', 'd': 'HUGEINT'})")


def _pairs(rng: random.Random, count: int) -> list[tuple[int, int]]:
    dens = [1, 2, 3, 7, 9, 10, 100, 1000, 8, 16, 25, 125, 2**20, 5**20, 2**38, 5**38, 2**39, 5**39, 2**40,
            10**6 + 3, 3 * 10**7, 7 * 2**30, 10**18, 3 * 10**20, 10**27 + 7, 2 * 10**28, 10**38]
    rows = []
    for _ in range(count):
        kind = rng.randrange(7)
        if kind == 0:  # thirds and halves, unreduced too
            m = rng.choice([1, 1, 3, 10, 10**9])
            rows.append((rng.randint(-10**6, 10**6) * m, rng.choice([2, 3, 6]) * m))
        elif kind == 1:  # exact halves of a cent
            rows.append((rng.randint(-10**8, 10**8) * 2 + 1, 200))
        elif kind == 2:  # near a rounding tie at the 20th place, or carrying into the whole part
            d = rng.choice([3, 7, 9, 10**6 + 3])
            rows.append((rng.choice([-1, 1]) * (rng.randint(0, 10**6) * d + d - 1), d))
        elif kind == 3:  # huge numerators
            rows.append((rng.randint(-10**37, 10**37), rng.choice(dens)))
        elif kind == 4:  # the extremes of HUGEINT
            rows.append((rng.choice([-(2**127), -HUGE_MAX, HUGE_MAX, 0, 1, -1]), rng.choice(dens)))
        else:  # ordinary ratios, sometimes unreduced
            n, d = rng.randint(-10**12, 10**12), rng.choice(dens)
            m = rng.choice([1, 1, 1, 2, 5, 10, 10**10])
            if abs(n * m) <= HUGE_MAX and d * m <= HUGE_MAX:
                n, d = n * m, d * m
            rows.append((n, d))
    return rows


def _check(con, texts: dict, expected, fixed: bool = False) -> tuple[int, int]:
    """(rows checked, NULLs) over every text column; every text is the writer's, every NULL expected."""
    query = staged_select("SELECT * FROM v", ["i", "n", "d"], texts) + " ORDER BY i"
    checked = nulls = 0
    for i, n, d, *got in con.execute(query).fetchall():
        for (_alias, places), text in zip(expected, got, strict=True):
            n_, d_ = int(n), int(d)
            if text is None:
                nulls += 1
                assert not printable(n_, d_, fixed), (i, n_, d_, places)
            else:
                assert text == format_number(to_decimal(n_, d_, places)), (i, n_, d_, places, text)
            checked += 1
    return checked, nulls


def test_pair_text_equals_the_csv_writer_on_100k_values():
    rng = random.Random(8)
    rows = _pairs(rng, 26_000)
    con = duckdb.connect()
    _table(con, rows)
    texts = {f"t{k}": pair_text("n", "d", places, f"p{k}") for k, places in enumerate(PLACES)}
    checked, nulls = _check(con, texts, [(f"t{k}", places) for k, places in enumerate(PLACES)])
    assert checked == 4 * len(rows) >= 100_000
    expected_nulls = 4 * sum(not printable(n, d) for n, d in rows)
    assert nulls == expected_nulls > 0  # the 39-place, the 1.7e28 and the -2^127 rows are there


def _bounded_pairs(rng: random.Random, count: int) -> list[tuple[int, int]]:
    """Pairs within the BIGINT path's bounds (|n| < 2^63, 0 < d <= 9.2 * 10^10): finite fractions of up to 36
    places (2^36, 5^15), thirds and sevenths, carries into the whole part, and the extremes."""
    dens = [1, 3, 7, 8, 100, 2**18, 2**19, 2**36, 5**15, 2**20 * 5**3, 10**9, 999_900_000, 10**8 + 7,
            3 * 2**30, 92_233_720_368, 2 * 5**15]
    rows = []
    for _ in range(count):
        kind = rng.randrange(4)
        d = rng.choice(dens)
        if kind == 0:  # ordinary ratios
            n = rng.randint(-10**12, 10**12)
        elif kind == 1:  # just under a whole number: the rounding carries into the whole part
            n = rng.choice([-1, 1]) * (rng.randint(0, 10**6) * d + d - 1)
        elif kind == 2:  # the extremes of BIGINT
            n = rng.choice([2**63 - 1, -(2**63 - 1), 0, 1, -1, d, -d])
        else:
            n = rng.randint(-(2**63 - 1), 2**63 - 1)
        rows.append((n, d))
    return rows


def test_bounded_pair_text_is_bigint_and_equals_the_csv_writer():
    # Bounds the data proves (|n| < 2^63, d <= 9.2e10) take every step in BIGINT; the text is the writer's.
    rows = _bounded_pairs(random.Random(11), 20_000)
    con = duckdb.connect()
    _table(con, rows)
    bounds = (2**63 - 1, 92_233_720_368)
    texts = {f"t{k}": pair_text("n", "d", places, f"b{k}", bounds) for k, places in enumerate(PLACES)}
    # No HUGEINT division but for the digits of a finite fraction of more than 18 places.
    assert all("HUGEINT) // " not in e for t in texts.values() for stage in t.stages for a, e in stage
               if not a.endswith("_frac"))
    checked, nulls = _check(con, texts, [(f"t{k}", places) for k, places in enumerate(PLACES)])
    assert (checked, nulls) == (4 * len(rows), 0)
    assert pair_text("n", "d", None, "x", (2**63 - 1, 92_233_720_369)) == pair_text("n", "d", None, "x")


@pytest.mark.parametrize("den", [1, 2, 4, 8, 10, 25, 100, 10**4, 2**10, 10**20, 3, 12, 7 * 10**5])
def test_fixed_text_equals_the_csv_writer(den):
    rng = random.Random(den)
    rows = [(rng.randint(-10**rng.randrange(1, 37), 10**rng.randrange(1, 37)), den) for _ in range(2_000)]
    rows += [(0, den), (-1, den), (1, den), (-den, den), (den // 2, den), (-(den * 3 // 2), den), (HUGE_MAX, den),
             (-(2**127), den), (-HUGE_MAX, den)]
    con = duckdb.connect()
    _table(con, rows)
    texts = {f"t{k}": fixed_text("n", den, places, f"f{k}") for k, places in enumerate(PLACES)}
    checked, _nulls = _check(con, texts, [(f"t{k}", places) for k, places in enumerate(PLACES)], fixed=True)
    assert checked == 4 * len(rows)


def test_fixed_text_of_cents_is_division_free_and_exact():
    # The common case, a payout rounded to 0.01 held as cents: digits cut by position.
    con = duckdb.connect()
    _table(con, [(-123450, 100), (5, 100), (-5, 100), (0, 100), (100, 100), (12345678901234567890, 100)])
    staged = fixed_text("n", 100, 2, "c")
    assert "//" not in staged.text and all("//" not in e for stage in staged.stages for _a, e in stage)
    got = [t for (_i, _n, _d, t) in con.execute(staged_select("SELECT * FROM v", ["i", "n", "d"], {"t": staged})
                                                 + " ORDER BY i").fetchall()]
    assert got == ["-1234.50", "0.05", "-0.05", "0.00", "1.00", "123456789012345678.90"]


def test_literals_beyond_int32_are_hugeint():
    assert lit(5) == "5"
    assert lit(10**38) == "CAST(100000000000000000000000000000000000000 AS HUGEINT)"
    con = duckdb.connect()
    assert con.execute(f"SELECT typeof({lit(10**38)} * 3)").fetchall() == [("HUGEINT",)]
