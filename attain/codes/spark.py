"""Diagnostic codes of the spark engine and `attain sql --dialect` (U580-U585), registered in `attain.codes`."""

from __future__ import annotations

from attain.codes import Code

SPARK_CODES = (
    Code("U580", "usage", "pyspark is not installed",
         "`--engine spark` runs the policy's exact SQL on Apache Spark, through pyspark, an optional dependency: "
         "install it with `pip install 'attain[spark]'`. Nothing is computed."),
    Code("U581", "usage", "Java is not found",
         "A local Spark session runs in a Java virtual machine (Java 17 or later), and no `java` is on the PATH "
         "and JAVA_HOME is not set. Install Java, or point attain at a Spark Connect server (`sc://`)."),
    Code("U582", "usage", "Spark could not start",
         "The Spark session for the master given by `--spark-master` or ATTAIN_SPARK_MASTER could not be started "
         "or reached; the message quotes Spark's reason. Nothing is computed."),
    Code("U583", "usage", "dialect cannot express the policy's query",
         "`attain sql --dialect` writes the policy's exact query for a warehouse; this dialect has no exact way to "
         "write a piece the query needs (Snowflake has no greatest common divisor, which values carried from "
         "period to period and group sums of per-row fractions use). Choose another dialect."),
    Code("U584", "usage", "no such Spark table",
         "`--data table:NAME` reads the table or view NAME from the Spark session's catalog (`db.table`, or a "
         "name the session's current database holds), and the session has none by that name. Check the name, or "
         "the master (`--spark-master`): a local session sees only the tables of its own warehouse folder."),
    Code("U585", "usage", "header row given for a Spark table",
         "A Spark table names its own columns, so `--header-row` does not apply to it: leave it out."),
)
