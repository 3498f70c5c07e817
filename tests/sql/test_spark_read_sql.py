"""The columnar reader's checks written for Spark (`attain.sql.spark_read.spark_sql`): the same meaning in Java's
regular expressions and Spark's functions as in DuckDB's. Needs no Spark: the text is checked here, and
tests/sql/test_spark_table.py runs it."""

import re

import sqlglot

from attain.sql.spark_read import spark_sql


def spark(duckdb_sql: str) -> str:
    return spark_sql(sqlglot.parse_one(duckdb_sql, read="duckdb"))


def test_a_full_match_is_a_find_anchored_at_the_very_end():
    # Java's `$` also matches before a final line break; `\z` only at the end, as RE2's full match
    assert spark("SELECT regexp_full_match(c0, '[0-9]+') FROM t") == "SELECT c0 RLIKE '^(?:[0-9]+)\\\\z' FROM t"
    assert re.fullmatch("[0-9]+", "12\n") is None


def test_text_functions_keep_duckdbs_meaning():
    # left(x, -1) drops the last character in DuckDB, and gives '' in Spark
    assert spark("SELECT left(c0, -1) FROM t") == "SELECT SUBSTRING(c0, 1, LENGTH(c0) - 1) FROM t"
    assert spark("SELECT strlen(c0) FROM t") == "SELECT OCTET_LENGTH(c0) FROM t"  # bytes, not characters
    # a replacement's groups: DuckDB \1, Java $1; a literal $ escaped for Java
    assert spark("SELECT regexp_replace(c0, '^(-?)[$](.*)$', '\\1\\2$') FROM t") == \
        "SELECT REGEXP_REPLACE(c0, '^(-?)[$](.*)$', '$1$2\\\\$') FROM t"


def test_case_folding_is_unicodes_as_in_re2():
    # RE2 folds ſ (long s) to s; Java only with the u flag
    assert spark("SELECT regexp_matches(c0, '(?i:sum|total)') FROM t") == "SELECT c0 RLIKE '(?iu:sum|total)' FROM t"
    # only in a pattern: a choice's text is compared as it is
    assert spark("SELECT c0 IN ('(?i:x)') FROM t") == "SELECT c0 IN ('(?i:x)') FROM t"


def test_an_exact_integer_cast_raises_rather_than_gives_null():
    # DuckDB's HUGEINT holds 39 digits, DECIMAL(38,0) 38: a CAST raises in ANSI mode, and the Python reader decides
    assert spark("SELECT TRY_CAST(c0 AS HUGEINT) FROM t") == "SELECT CAST(c0 AS DECIMAL(38, 0)) FROM t"
    assert spark("SELECT TRY_CAST(c0 AS DECIMAL(18, 2)) FROM t") == "SELECT TRY_CAST(c0 AS DECIMAL(18, 2)) FROM t"
