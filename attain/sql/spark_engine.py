"""The spark engine: the compiled query, translated to Spark SQL (`attain.sql.dialects`), run by Apache Spark.

`SparkRunner` has the surface of `attain.sql.engine.SqlRunner` (and so of the Python
runner): `run()` yields every record with its outputs, in the same order; `errors`.

The data is read and validated by attain's reader as for the other engines, loaded into
the input relation (`attain.sql.relation`, through `attain.sql.load`), and handed to Spark
with every number a `DECIMAL(38,0)`. The query runs in a session with ANSI mode on (an
overflow raises, never wraps, never becomes a silent NULL) and no precision loss in decimal
arithmetic (a product is never rounded to fit). Rows the query marks `__fallback` are
computed by the reference evaluator, exactly as the duckdb engine does; if Spark stops on an
arithmetic overflow the compiled bounds did not foresee, every row is computed that way: a
value is exact or it is not given, never approximated.

One session serves the whole process (starting one costs seconds): `local[2]` by default, or
the master named by `ATTAIN_SPARK_MASTER` or `--spark-master` (`spark://host:7077`,
`yarn`, or a Spark Connect server `sc://host:15002`).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.bind import Bound
from attain.engine.plan import Plan
from attain.engine.runner import ProgressCallback
from attain.i18n.messages import say
from attain.sql.compile import PERIOD, Compiled, compile_policy
from attain.sql.compile_exprs import NotCompiled
from attain.sql.compile_org import ORG_TABLE, load_org
from attain.sql.engine import connect, not_compiled, with_fallback
from attain.sql.load import load_bound
from attain.sql.relation import InputRelation

MASTER_VARIABLE = "ATTAIN_SPARK_MASTER"
DEFAULT_MASTER = "local[2]"
EXACT_SETTINGS = {"spark.sql.ansi.enabled": "true", "spark.sql.decimalOperations.allowPrecisionLoss": "false"}
# Below this many input rows the query is interpreted, not compiled to Java (`interpreted_if`).
INTERPRETED_ROWS = 20_000
INTERPRETED = {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}
LOG_CONFIG = os.path.join(os.path.dirname(__file__), "spark-log4j2.properties")  # errors only on stderr
_SESSIONS: dict[str, object] = {}
_names = itertools.count()


def _cannot_run(code: str) -> AttainError:
    """U580 (no pyspark) or U581 (no Java): the code is its message's key, and its hint's."""
    return AttainError([Diagnostic(code, say(code), hint=say(f"{code}.hint"))])


def available() -> str | None:
    """Why the spark engine cannot run here (the catalogue key of the reason), or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "U580"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "U581"
    return None


def session(master: str | None = None):
    """The process's Spark session for `master` (else $ATTAIN_SPARK_MASTER, else local[2]), set for exactness."""
    master = master or os.environ.get(MASTER_VARIABLE) or DEFAULT_MASTER
    found = _SESSIONS.get(master)
    if found is not None and not _stopped(found):
        return found
    missing = available()
    if missing == "U580":
        raise _cannot_run("U580")
    remote = master.startswith("sc://")
    if missing == "U581" and not remote:
        raise _cannot_run("U581")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("attain")
    builder = builder.remote(master) if remote else builder.master(master)
    if not remote:
        builder = (builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "2g")
                   .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{LOG_CONFIG}")
                   # Collapsing the compiler's levels into each other substitutes each column's expression
                   # into every use: on case6 the plan outgrew a 2 GB heap. Each level stays a projection.
                   .config("spark.sql.optimizer.excludedRules",
                           "org.apache.spark.sql.catalyst.optimizer.CollapseProject"))
    for key, value in EXACT_SETTINGS.items():
        builder = builder.config(key, value)
    try:
        with _jvm_messages_aside():
            spark = builder.getOrCreate()
            if not remote and spark.sparkContext.master != master:
                # The JVM kept a session for another master (getOrCreate hands that one back, whatever is
                # asked): this process now asks for a different one, so that one stops and this one starts.
                spark.stop()
                spark = builder.getOrCreate()
        for key, value in EXACT_SETTINGS.items():
            spark.conf.set(key, value)
        if not remote:
            spark.sparkContext.setLogLevel("OFF")
        _quiet_python_loggers()
    except Exception as e:  # a master that cannot be reached, a JVM that does not start
        raise AttainError([Diagnostic("U582", say("U582", master=master, reason=_first_line(e)),
                                      hint=say("U582.hint"))]) from None
    _SESSIONS[master] = spark
    return spark


def _quiet_python_loggers() -> None:
    """PySpark 4 logs every error Spark raises, as JSON on stderr, before raising it: a query Spark cannot plan,
    which this engine hands to the Python engine, would print one there. attain says what goes wrong itself."""
    import logging

    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # a PySpark before 4 has no such loggers
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 1)


@contextlib.contextmanager
def _jvm_messages_aside():
    """While Spark starts, standard error (file descriptor 2) is a file that the JVM started now keeps as its own:
    the notices it prints at start ("Using incubator modules", "Setting default log level") stay off attain's
    stderr, where only attain's own messages go. What goes wrong reaches attain as an exception either way.
    The file is removed when the process ends."""
    sys.stderr.flush()
    fd, path = tempfile.mkstemp(prefix="attain-spark-", suffix=".log")
    atexit.register(_remove, path)
    saved = os.dup(2)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


def _stopped(spark) -> bool:
    """Whether a session's context has stopped (after an out-of-memory error, say): a new one is started."""
    try:
        return bool(spark.sparkContext._jsc.sc().isStopped())
    except Exception:  # Spark Connect has no context here; its server keeps its own
        return False


def _first_line(e: Exception) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:300]


class SparkRunner:
    """Computes every record of a bound data file on Spark; the reference evaluator for the rows SQL marks."""

    def __init__(self, plan: Plan, bound: Bound, max_errors: int = 50, progress: ProgressCallback | None = None,
                 master: str | None = None):
        self.plan = plan
        self.bound = bound
        self.max_errors = max_errors
        self.progress = progress
        self.master = master
        self.errors: list[Diagnostic] = []
        self.fallback_rows = 0
        self.overflowed = False  # Spark stopped on an overflow: every row was computed by the reference evaluator
        # Spark cannot plan the query (a correlated subquery it does not support, as a value over reports of
        # per-row fractions is): every row was computed by the Python engine, exactly, as for an overflow
        self.unplanned = False
        self.sql = ""

    def run(self) -> Iterator:
        plan, bound = self.plan, self.bound
        spark = session(self.master)
        table = f"attain_input_{next(_names)}"
        local = spark.conf.get("spark.master", "").startswith("local")
        with tempfile.TemporaryDirectory(prefix="attain-spark-") as folder:
            con = connect()
            try:
                loaded = load_bound(con, plan, bound, table)
                org = load_org(con, plan, bound)  # the (manager, report) pairs `within all reports` joins
                try:
                    compiled = compile_policy(plan, loaded.relation)
                except NotCompiled as e:
                    raise AttainError([not_compiled(e)]) from None
                self.sql = compiled.sql  # DuckDB's form: `frame` translates it level by level
                _to_spark(spark, con, loaded.relation.table, folder if local else None)
                if org:
                    _to_spark(spark, con, ORG_TABLE, folder if local else None)
            finally:
                con.close()
            if self.progress is not None:
                from attain.engine.runner import Progress

                self.progress(Progress("computing", 0, len(bound.records)))
            result = self._execute(spark, compiled, loaded.relation, len(bound.records), [ORG_TABLE] if org else [])
        yield from with_fallback(self, result, loaded.forced, compiled.shapes)

    def _execute(self, spark, compiled: Compiled, relation: InputRelation, rows: int, tables: list) -> list[tuple]:
        made: list = list(tables)
        try:
            with interpreted_if(spark, rows <= INTERPRETED_ROWS):
                return execute(spark, compiled, relation, made)
        except Exception as e:
            if refused_to_plan(e):
                self.unplanned = True
            elif stopped_by_overflow(e):
                self.overflowed = True
            else:
                raise
            # every row to the reference evaluator, in the order the query gives rows: by period, then data order
            records = self.bound.records
            return [(seq, True) for seq in sorted(range(rows), key=lambda seq: _period_order(records[seq], seq))]
        finally:
            forget_views(spark, [relation.table, *made])


@contextlib.contextmanager
def interpreted_if(spark, small: bool):
    """For a small input, Spark evaluates the query's expressions as they are instead of generating and compiling
    Java for each stage: the compiler's projections are wide and deep, and compiling them took seconds per
    statement where a few thousand rows take milliseconds to interpret. The same results either way (both
    evaluate the same expressions, ANSI overflow checks included); the session's own settings come back after."""
    if not small:
        yield
        return
    saved = {key: spark.conf.get(key, None) for key in INTERPRETED}
    try:
        for key, value in INTERPRETED.items():
            spark.conf.set(key, value)
    except Exception:  # a server that does not let a client change them (Spark Connect may not): compiled, then
        saved = {}
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _period_order(record, seq: int) -> tuple[int, int, int]:
    """Where a record comes in the query's order (`ORDER BY __period NULLS FIRST, __seq`)."""
    period = record.period
    return (0, 0, seq) if period is None else (1, period.index, seq)


def forget_views(spark, made: list) -> None:
    """Drop the views a run made and free what it materialised: one session serves every run of the process."""
    for item in made:
        if isinstance(item, str):
            spark.catalog.dropTempView(item)
        else:
            item.unpersist()


def stopped_by_overflow(e: Exception) -> bool:
    """Spark stopped because a value left DECIMAL(38,0) (ANSI mode): the whole data goes to the reference."""
    text = str(e)
    return any(k in text for k in ("NUMERIC_VALUE_OUT_OF_RANGE", "ARITHMETIC_OVERFLOW", "DIVIDE_BY_ZERO"))


def refused_to_plan(e: Exception) -> bool:
    """Spark refused to plan a correlated subquery the duckdb query has (Spark supports fewer forms of them)."""
    return "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY" in str(e)


def _to_spark(spark, con, table: str, folder: str | None) -> None:
    """A DuckDB table (the input relation, the org chart's pairs) as a Spark temporary view of the same name,
    numbers as DECIMAL(38,0).

    With a `folder` Spark can read (a local master), DuckDB writes the relation there as Parquet and
    Spark reads it in the JVM; otherwise the rows go through the driver (`createDataFrame`)."""
    described = con.execute(f"DESCRIBE {table}").fetchall()
    order = " ORDER BY __seq" if any(name == "__seq" for name, *_ in described) else ""  # the relation's row order
    if folder is not None:
        path = os.path.join(folder, f"{table}.parquet")
        columns = ", ".join(f"CAST({name} AS DECIMAL(38,0)) AS {name}" if kind == "HUGEINT" else name
                            for name, kind, *_ in described)
        con.execute(f"COPY (SELECT {columns} FROM {table}{order}) TO '{path}' "
                    "(FORMAT parquet)").fetchall()
        spark.read.parquet(path).createOrReplaceTempView(table)
        return
    from pyspark.sql import types as st

    kinds = {"BIGINT": st.LongType(), "INTEGER": st.IntegerType(), "VARCHAR": st.StringType(),
             "HUGEINT": st.DecimalType(38, 0), "BOOLEAN": st.BooleanType(), "DATE": st.DateType()}
    fields = [st.StructField(name, kinds[kind]) for name, kind, *_ in described]
    numeric = [i for i, (_, kind, *_) in enumerate(described) if kind == "HUGEINT"]
    rows = con.execute(f"SELECT * FROM {table}{order}").fetchall()
    if numeric:
        rows = [_decimals(r, numeric) for r in rows]
    spark.createDataFrame(rows, st.StructType(fields), verifySchema=False).createOrReplaceTempView(table)


def _decimals(row: tuple, numeric: list[int]) -> list:
    out = list(row)
    for i in numeric:
        if out[i] is not None:
            out[i] = Decimal(out[i])
    return out


def execute(spark, compiled: Compiled, relation: InputRelation, made: list | None = None) -> list[tuple]:
    """The query's `__seq`, `__fallback` and output columns (each integer as the duckdb engine's
    `execute` gives it: a value and an empty column), in the order the runner computes rows. The views
    and materialised frames made are added to `made`, for the caller to drop."""
    made = [] if made is None else made
    columns = [c for c in compiled.columns if c not in ("__who", "__period")]
    width = [2 if c.startswith("out_") and (c.endswith("_n") or c.endswith("_d")) else 1 for c in columns]
    found = result_frame(spark, compiled, relation, made).orderBy("__period", "__seq").select(*columns).collect()
    return _rows(found, width)


def result_frame(spark, compiled: Compiled, relation: InputRelation, made: list):
    """The compiled query's result on Spark, every column (`Compiled.columns`), unordered: a query run
    period by period (values carried from one to the next) is each period's rows, kept as computed."""
    if not compiled.prelude:
        return frame(spark, compiled.sql, made)
    for statement in compiled.prelude:
        run_statement(spark, statement, made)
    parts = []
    for period in relation.periods:
        # translated once, the period's index put in each level's Spark SQL (sqlglot took seconds per period)
        run_statement(spark, "CREATE OR REPLACE TEMP TABLE attain_result AS " + compiled.sql, made, period.index)
        parts.append(spark.table("attain_result").localCheckpoint())
        made.append(parts[-1])
        run_statement(spark, compiled.keep, made)
    if not parts:  # no period at all: no row
        return frame(spark, compiled.sql, made, 0).limit(0)
    result = parts[0]
    for part in parts[1:]:
        result = result.unionByName(part)
    return result


def _rows(found: list, width: list[int]) -> list[tuple]:
    """Spark rows with each output integer as (int, None), the layout `attain.sql.engine.converter` reads."""
    out = []
    for r in found:
        row: list = []
        for value, w in zip(r, width, strict=True):
            row += [value] if w == 1 else [None if value is None else int(value), None]
        out.append(tuple(row))
    return out


def frame(spark, sql: str, made: list, period: int | None = None):
    """A Spark DataFrame of one of the compiler's DuckDB queries (its PERIOD, if any, the period `period`).

    Each common table expression (`WITH _l0 AS (...), _l1 AS (...)`: the compiler's levels) is
    analysed on its own, over a temporary view of the one before: Spark's analyser resolves a
    deep WITH chain in one plan by repeated passes over the whole tree, which took seconds per
    query; level by level it is linear."""
    levels, final = _spark_levels(sql)
    for alias, text in levels:
        spark.sql(_in_period(text, period)).createOrReplaceTempView(alias)
        made.append(alias)
    return spark.sql(_in_period(final, period))


def _in_period(sql: str, period: int | None) -> str:
    return sql if period is None else sql.replace(PERIOD, str(period))


@functools.lru_cache(maxsize=16)
def _spark_levels(sql: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """A DuckDB query of the compiler in Spark SQL: its levels (name, query) and its final query. PERIOD, a name
    to sqlglot, is written as it was, for `_in_period` to replace in the Spark text."""
    import sqlglot

    from attain.sql.dialects import rewrite

    tree = rewrite(sqlglot.parse_one(sql, read="duckdb"), "spark")
    with_ = tree.args.get("with_")
    levels: tuple[tuple[str, str], ...] = ()
    if with_ is not None:
        levels = tuple((cte.alias, cte.this.sql(dialect="spark")) for cte in with_.expressions)
        tree.set("with_", None)
    return levels, tree.sql(dialect="spark")


def run_statement(spark, sql: str, made: list, period: int | None = None) -> None:
    """One of the compiler's DuckDB statements on Spark, whose temporary views stand for DuckDB's temp tables:
    CREATE TABLE ... AS SELECT (materialised), CREATE TABLE (columns) (empty), INSERT INTO ... SELECT (appended)."""
    kind, name, text = _statement(sql)
    if kind == "select":
        result = frame(spark, text, made, period)
    elif kind == "empty":
        result = spark.sql(text)
    else:
        result = spark.table(name).union(spark.sql(text))
    kept = result.localCheckpoint()
    kept.createOrReplaceTempView(name)
    made += [name, kept]


@functools.lru_cache(maxsize=64)
def _statement(sql: str) -> tuple[str, str, str]:
    """A statement's kind ("select": CREATE ... AS SELECT, "empty": CREATE (columns), "insert"), the table it
    makes and its query: DuckDB SQL for "select" (`frame` translates it), Spark SQL for the others."""
    import sqlglot
    from sqlglot import exp

    from attain.sql.dialects import translate

    tree = sqlglot.parse_one(sql, read="duckdb")
    if isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Select):
        return "select", tree.this.name, tree.expression.sql(dialect="duckdb")
    if isinstance(tree, exp.Create):
        defs = [d for d in tree.this.expressions if isinstance(d, exp.ColumnDef)]
        typed = ", ".join(f"CAST(NULL AS {d.args['kind'].sql(dialect='duckdb')}) AS {d.name}" for d in defs)
        return "empty", tree.this.this.name, translate(f"SELECT {typed} WHERE FALSE", "spark")
    if isinstance(tree, exp.Insert):
        return "insert", tree.this.name, translate(tree.expression.sql(dialect="duckdb"), "spark")
    raise ValueError(f"not a statement the spark engine runs: {sql[:80]}")


__all__ = ["SparkRunner", "available", "execute", "session"]
