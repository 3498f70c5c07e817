"""Which engines a test runs: every engine of `attain.engine.runner.ENGINES`, the spark engine where it can run.

The spark engine needs pyspark and Java (`attain.sql.spark_engine.available`); where either is
missing its runs are left out, unless ATTAIN_REQUIRE_SPARK=1 (CI, `.ci/run`), where they must run
and a missing pyspark or Java fails them. The SQL engines (duckdb, spark) compile the policy
with one compiler, so they refuse the same constructs (U569).
"""

import os

from attain.engine.runner import ENGINES
from attain.sql.spark_engine import available

SQL_ENGINES = ("duckdb", "spark")
SPARK_REQUIRED = os.environ.get("ATTAIN_REQUIRE_SPARK") == "1"
SPARK_USABLE = available() is None
# Every engine, spark where it can run (or must): the whole differential corpus (every policy test case, every
# library policy over its sample, the folders of versions, `attain test`, the generated policies, the rows that
# overflow) and the Spark tests.
SPARK_ENGINES = tuple(e for e in ENGINES if e != "spark" or SPARK_USABLE or SPARK_REQUIRED)
CORPUS_ENGINES = SPARK_ENGINES
# Tests outside the corpus that compare engines: the in-process ones (a Spark run costs seconds).
LOCAL_ENGINES = tuple(e for e in ENGINES if e != "spark")
