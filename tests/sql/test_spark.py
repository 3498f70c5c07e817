"""The spark engine's primitives on a real local Spark: exact division and gcd, overflow that raises, not wraps.

Runs where pyspark and Java are installed; under ATTAIN_REQUIRE_SPARK=1 (CI) it must run. The
whole engine is held to the others' results by the differential corpus (tests/engines/).
"""

import math
from fractions import Fraction

import pytest
from engine_choice import SPARK_ENGINES

import attain
from attain.api import MAX_EVALUATION_ERRORS
from attain.sql import spark_engine
from attain.sql.dialects import translate

pytestmark = pytest.mark.skipif("spark" not in SPARK_ENGINES, reason="pyspark or Java is not installed")

BIG = 4 * 10**37 - 1  # the largest value the compiler lets a column hold
NUMERATORS = [0, 1, 7, -7, 10**18 - 1, 10**19 + 3, 10**20 - 1, 10**20, 10**20 + 1, 123456789012345678901234567890123456,
              -98765432109876543210987654321, BIG, -BIG]
DIVISORS = [1, 2, 3, -3, 7, 10**18 - 1, 10**18, 10**18 + 1, 10**19 + 7, 3 * 10**36, BIG]


def truncated(a: int, b: int) -> int:
    """a // b toward zero, as DuckDB's `//`."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


@pytest.fixture(scope="module")
def spark():
    return spark_engine.session()


def values(pairs) -> str:
    rows = ", ".join(f"(CAST({a} AS HUGEINT), CAST({b} AS HUGEINT))" for a, b in pairs)
    return f"(VALUES {rows}) AS t(a, b)"


def test_the_session_is_set_for_exact_decimals(spark):
    assert spark.conf.get("spark.sql.ansi.enabled") == "true"
    assert spark.conf.get("spark.sql.decimalOperations.allowPrecisionLoss") == "false"


def test_integer_division_truncates_exactly_over_the_whole_range(spark):
    pairs = [(a, b) for a in NUMERATORS for b in DIVISORS]
    query = translate(f"SELECT a // b AS q FROM {values(pairs)}", "spark")
    assert "DIV" not in query  # Spark's DIV on decimals is a BIGINT that wraps
    got = [int(r.q) for r in spark.sql(query).collect()]
    assert got == [truncated(a, b) for a, b in pairs]
    # e.g. 4e37-1 // 3 = 13333333333333333333333333333333333333 exactly; a DOUBLE would be off in the 17th digit
    assert truncated(BIG, 3) == 13333333333333333333333333333333333333


def test_the_bigint_fast_path_stays_bigint_division(spark):
    pairs = [(a, b) for a in (-7, 7, 10**18 - 1, 9223372036854775807) for b in (2, 3, 10**9 + 7)]
    query = translate(f"SELECT CAST(CAST(a AS BIGINT) // CAST(b AS BIGINT) AS HUGEINT) AS q FROM {values(pairs)}",
                      "spark")
    assert [int(r.q) for r in spark.sql(query).collect()] == [truncated(a, b) for a, b in pairs]


def test_negation_and_abs_stay_exact_beyond_34_digits(spark):
    # Spark 4.3's own `-x` and abs() round a 35-digit DECIMAL(38,0) to 34 digits: -(...152) gave ...150.
    column = [41152263004115226300411522630041152, -12345678901234567890123456789012345, BIG, -BIG, 0, 5]
    pairs = [(a, 1) for a in column]
    query = translate(f"SELECT -a AS n, abs(a) AS m FROM {values(pairs)}", "spark")
    assert [(int(r.n), int(r.m)) for r in spark.sql(query).collect()] == [(-a, abs(a)) for a in column]
    assert int(spark.sql("SELECT -CAST(41152263004115226300411522630041152 AS DECIMAL(38, 0)) AS n").collect()[0].n
               ) != -41152263004115226300411522630041152  # Spark's own: why the rewrite exists; fixed, drop this


def fibonacci(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_gcd_by_euclid_is_exact_even_for_its_worst_case(spark):
    # Consecutive Fibonacci numbers take the most steps: F(181) < 4e37 < F(182), 179 steps.
    assert fibonacci(181) < BIG < fibonacci(182)
    pairs = [(fibonacci(181), fibonacci(180)), (12, -18), (0, 5), (5, 0), (BIG, 3 * 10**36), (2**100, 6**40)]
    query = translate(f"SELECT gcd(a, b) AS g FROM {values(pairs)}", "spark")
    assert [int(r.g) for r in spark.sql(query).collect()] == [math.gcd(a, b) for a, b in pairs]


def test_a_division_of_computed_operands_binds_them_once_and_stays_exact(spark):
    # Operands beyond a column (a sum, a gcd) are bound to a lambda variable once: the query stays small.
    pairs = [(a, b) for a in NUMERATORS[:9] for b in DIVISORS[:7]]
    query = translate(f"SELECT (a + CAST(1 AS HUGEINT)) // (b * CAST(1 AS HUGEINT)) AS q, "
                      f"a // gcd(a, b) AS r, gcd(a + CAST(0 AS HUGEINT), b) AS g FROM {values(pairs)}", "spark")
    assert query.count("__attain_p") > 0
    copied = len(translate(f"SELECT a // b AS q FROM {values(pairs)}", "spark"))
    assert len(translate(f"SELECT a // gcd(a, b) AS r FROM {values(pairs)}", "spark")) < 2 * copied
    got = [(int(r.q), int(r.r), int(r.g)) for r in spark.sql(query).collect()]
    assert got == [(truncated(a + 1, b), truncated(a, math.gcd(a, b)), math.gcd(a, b)) for a, b in pairs]
    # e.g. (10^20 + 1) // 7 = 14285714285714285714 and 10^20 // gcd(10^20, 10^18) = 100
    assert truncated(10**20 + 1, 7) == 14285714285714285714 and truncated(10**20, math.gcd(10**20, 10**18)) == 100


def test_an_overflow_raises_instead_of_wrapping_or_rounding(spark):
    from pyspark.errors import ArithmeticException

    with pytest.raises(ArithmeticException, match="NUMERIC_VALUE_OUT_OF_RANGE"):
        spark.sql("SELECT a * CAST(3 AS DECIMAL(38, 0)) FROM VALUES (CAST(4e37 AS DECIMAL(38, 0))) AS t(a)").collect()


def test_a_query_stopped_by_an_overflow_is_computed_by_the_reference_evaluator(tmp_path, monkeypatch):
    """If Spark stops on an overflow the compiled bounds did not foresee, no row is given from SQL."""
    policy = attain.loads('policy "p"\ninput sales : money\npaid = round(sales * 3 / 7, 0.01)\noutput paid\n')
    data = tmp_path / "d.csv"
    data.write_text("id,sales\nA,100\nB,250.50\n", encoding="utf-8")

    def overflowing(spark, compiled, relation, made=None):
        return spark.sql("SELECT a * CAST(3 AS DECIMAL(38, 0)) FROM VALUES (CAST(4e37 AS DECIMAL(38, 0))) AS t(a)"
                         ).collect()

    monkeypatch.setattr(spark_engine, "execute", overflowing)
    runner = spark_engine.SparkRunner(policy.plan, policy.bind(data), MAX_EVALUATION_ERRORS)
    rows = [r.outputs for r in runner.run()]
    assert runner.overflowed and runner.fallback_rows == 2
    # 100 * 3 / 7 = 42.857... -> 42.86; 250.50 * 3 / 7 = 107.357... -> 107.36 (half_up)
    assert [str(r[0]) for r in rows] == ["42.86", "107.36"]


def test_a_run_on_spark_says_nothing_on_stderr_but_attains_own(tmp_path):
    """The JVM's notices at start ("Using incubator modules", "Setting default log level") stay off stderr."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "-m", "attain.cli", "run", str(root / "policies/doc002/incentive.policy"),
                        "--data", str(root / "policies/doc002/sample.csv"), "--engine", "spark", "--format", "csv"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "S001,false,华东,1.15,85,on_target,2250.00,10200.00" in r.stdout  # document 002's worked example
    assert r.stderr == ""


REPORTS_OF_FRACTIONS = """policy "reports"
period month
input manager : employee "manager"
input sales : money "sales"
input quota : money "quota"
share = sales / quota
team_share = sum(share within direct reports)
output team_share
"""


def test_a_query_spark_cannot_plan_is_the_python_engines_in_the_runs_order_and_quiet(tmp_path, capfd):
    """A sum over direct reports of per-row fractions is a correlated subquery Spark refuses to plan: every row is
    computed by the Python engine, in the order of every engine (by period, then data order: here the March rows
    come first in the file and after February's in the results), and nothing reaches stderr."""
    policy = attain.loads(REPORTS_OF_FRACTIONS)
    data = tmp_path / "d.csv"
    data.write_text("id,period,manager,sales,quota\n"
                    "M,2024-03,,0,1\nA,2024-03,M,50,200\n"
                    "M,2024-02,,0,1\nA,2024-02,M,100,300\nB,2024-02,M,30,40\n", encoding="utf-8")
    runner = spark_engine.SparkRunner(policy.plan, policy.bind(data), MAX_EVALUATION_ERRORS)
    rows = [(r.record.who, str(r.record.period), r.outputs[0]) for r in runner.run()]
    assert runner.unplanned
    # February: M's reports A 100/300 = 1/3 and B 30/40 = 3/4, 1/3 + 3/4 = 13/12; March: A 50/200 = 1/4
    assert rows == [("M", "2024-02", Fraction(13, 12)), ("A", "2024-02", 0), ("B", "2024-02", 0),
                    ("M", "2024-03", Fraction(1, 4)), ("A", "2024-03", 0)]
    assert policy.run(data, engine="spark").rows == policy.run(data, engine="python").rows
    assert capfd.readouterr().err == ""
