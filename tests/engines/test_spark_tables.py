"""Engines, the policy library read by Spark itself: every sample as a Parquet file, and as a table of the Spark
session's catalog (`--data table:NAME`), gives the duckdb engine's results on the spark engine.

Each sample's cells (as attain's reader reads the CSV file: header found, cells trimmed) become a
table of strings; the run checks and computes it on Spark (`attain.sql.spark_run`), or, where
Spark's checks leave it to the Python reader, the ordinary way. A table has no order of its own,
so its results come in the order of its cells: compared here as the same lines under the same
header. Runs where pyspark and Java are installed; under ATTAIN_REQUIRE_SPARK=1 (CI) it must run.
"""

import itertools

import duckdb
import pytest
from click.testing import CliRunner
from engine_choice import SPARK_ENGINES
from library_samples import FIXED, ident, lines_of, sample_of

from attain.cli import main
from attain.io import read_table
from attain.sql import spark_engine

pytestmark = pytest.mark.skipif("spark" not in SPARK_ENGINES, reason="pyspark or Java is not installed")
SAMPLES = [p for p in FIXED if not lines_of(p)]  # line tables are joined on this machine: files only
# Every sample runs from Parquet, byte for byte; one in three also as a table of the catalog, whose rows are
# ordered by their cells (typed columns and that order: tests/sql/test_spark_table.py). CI's time allows no more.
AS_TABLES = SAMPLES[::3]
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
def test_every_sample_as_parquet_gives_the_same_bytes_read_by_spark_or_by_duckdb(path, tmp_path):
    # Parquet rows are numbered as the file stores them on Spark too: the CSV is byte for byte the duckdb engine's
    table = read_table(str(sample_of(path)))
    data = tmp_path / "sample.parquet"
    quoted = ['"' + c.replace('"', '""') + '"' for c in table.columns]
    columns = ", ".join(f"CAST(NULL AS VARCHAR) AS {c}" for c in quoted)
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE t AS SELECT {columns} WHERE false")
        con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(table.columns))})",
                        [tuple(row.cells.get(c) for c in table.columns) for row in table.rows])
        con.execute(f"COPY t TO '{data}' (FORMAT parquet)")
    finally:
        con.close()
    written = {}
    for engine in ("spark", "duckdb"):
        result = CliRunner().invoke(main, ["run", str(path), "--data", str(data), "--format", "csv",
                                           "--engine", engine])
        assert result.exit_code == 0, result.output
        written[engine] = result.stdout_bytes
    assert written["spark"] == written["duckdb"], ident(path)


@pytest.mark.parametrize("path", AS_TABLES, ids=ident)
def test_samples_as_spark_tables_gives_the_files_results(path):
    name = as_table(spark_engine.session(), sample_of(path))
    on_spark = CliRunner().invoke(main, ["run", str(path), "--data", f"table:{name}", "--format", "csv",
                                         "--engine", "spark"])
    from_file = CliRunner().invoke(main, ["run", str(path), "--data", str(sample_of(path)), "--format", "csv"])
    assert on_spark.exit_code == 0 and from_file.exit_code == 0, (on_spark.output, from_file.output)
    got, want = on_spark.stdout.splitlines(), from_file.stdout.splitlines()
    assert got[0] == want[0] and sorted(got[1:]) == sorted(want[1:]), f"{ident(path)}: {got} != {want}"
