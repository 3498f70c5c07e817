"""Which `--data` Spark reads itself: told from the text alone, without importing Spark.

A table of the Spark session's catalog is named `table:NAME`. A Parquet dataset this machine's
reader cannot open (a folder of part files, as Spark writes one, or a path on the cluster's
storage such as `s3a://` or `hdfs://`) is read through Spark whatever the engine; with
`--engine spark`, any Parquet data is. The reading itself is `attain.sql.spark_read`; the
command line decides here, so that `attain --help` and runs over files import no Spark reader.
"""

from __future__ import annotations

import os

from attain.io.parquet import is_parquet

PREFIX = "table:"


def is_table(spec: str) -> bool:
    """Whether a `--data` names a Spark table (`table:NAME`) rather than a file."""
    return spec.startswith(PREFIX)


def table_name(spec: str) -> str:
    return spec[len(PREFIX):].strip()


def through_spark(spec: str) -> bool:
    """Whether a `--data` is read through Spark whatever the engine: a table, or a Parquet dataset this machine's
    reader cannot open (a folder of part files, or a path on the cluster's storage)."""
    return is_table(spec) or (is_parquet(spec.rstrip("/")) and ("://" in spec or os.path.isdir(spec)))


def run_on_spark(spec: str, engine: str) -> bool:
    """Whether a run with `engine` reads `spec` on Spark: what `through_spark` says, and with the spark engine any
    Parquet data (a file included: Spark then reads it where the cluster can, in its stored order)."""
    return through_spark(spec) or (engine == "spark" and is_parquet(spec.rstrip("/")))
