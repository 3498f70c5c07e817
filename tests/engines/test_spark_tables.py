"""Engines, the policy library as Spark tables: every sample, held in a table of the Spark session's catalog
(`--data table:NAME`), gives the duckdb engine's results on the spark engine.

Each sample's cells (as attain's reader reads the CSV file: header found, cells trimmed) become a
table of strings; the run checks and computes it on Spark (`attain.sql.spark_run`), or, where
Spark's checks leave it to the Python reader, the ordinary way. A table has no order of its own,
so its results come in the order of its cells: compared here as the same lines under the same
header. Runs where pyspark and Java are installed; under ATTAIN_REQUIRE_SPARK=1 (CI) it must run.
"""

import itertools

import pytest
from click.testing import CliRunner
from engine_choice import SPARK_ENGINES
from library_samples import FIXED, ident, lines_of, sample_of

from attain.cli import main
from attain.io import read_table
from attain.sql import spark_engine

pytestmark = pytest.mark.skipif("spark" not in SPARK_ENGINES, reason="pyspark or Java is not installed")
SAMPLES = [p for p in FIXED if not lines_of(p)]  # line tables are joined on this machine: files only
_names = itertools.count()


def as_table(spark, path) -> str:
    """The sample file as a temporary view of string columns, named for `--data table:NAME`."""
    table = read_table(str(path))
    name = f"sample_{next(_names)}"
    rows = [tuple(row.cells.get(c) for c in table.columns) for row in table.rows]
    schema = ", ".join(f"`{c.replace('`', '``')}` STRING" for c in table.columns)
    spark.createDataFrame(rows, schema).createOrReplaceTempView(name)
    return name


@pytest.mark.parametrize("path", SAMPLES, ids=ident)
def test_every_sample_as_a_spark_table_gives_the_files_results(path):
    name = as_table(spark_engine.session(), sample_of(path))
    on_spark = CliRunner().invoke(main, ["run", str(path), "--data", f"table:{name}", "--format", "csv",
                                         "--engine", "spark"])
    from_file = CliRunner().invoke(main, ["run", str(path), "--data", str(sample_of(path)), "--format", "csv"])
    assert on_spark.exit_code == 0 and from_file.exit_code == 0, (on_spark.output, from_file.output)
    got, want = on_spark.stdout.splitlines(), from_file.stdout.splitlines()
    assert got[0] == want[0] and sorted(got[1:]) == sorted(want[1:]), f"{ident(path)}: {got} != {want}"
