"""Reading on Spark: a table (`--data table:NAME`) or Parquet data, its cells as text, checked by the reader's SQL.

A table in the Spark session's catalog (a Hive, Delta or Iceberg table, a view), or Parquet
data Spark reads (a file, a folder of part files as Spark writes them, a path on the cluster's
storage: `hdfs://`, `s3a://`), is the data of a run that outgrows one machine. Its columns
have types; each value becomes exactly the text a CSV cell of the same value holds, by the rules
a Parquet file's values follow
(`attain.io.parquet`): strings as they are (trimmed, empty is no value), integers in digits,
a DECIMAL(p,s) with its s places, a DATE year first, a BOOLEAN "true"/"false", a
TIMESTAMP_NTZ at midnight as its date. A FLOAT or DOUBLE column read by an input is D460, a
TIMESTAMP with a time zone or a nested type D461: attain never reads a float.

Parquet rows are numbered as the file stores them (by file, then row: `_metadata`), as attain's
own reader numbers a file's, so the results are the other engines' byte for byte.
A table has no row order of its own. Its rows are numbered by their cells' texts, the first
column's first (usually the id), then the next: the results come in that order, and a
diagnostic's "row 5" is the fifth in it, whichever way the run goes. The numbering is computed
on the cluster (a sort, then each partition's offset), not by moving every row through one
partition.

`spark_relation` checks every cell where the data is, with the columnar reader's own
statements (`attain.sql.read.validated`), each translated to Spark SQL (`SparkStatements`):
the input relation is then a Spark view and no row comes to this machine. Whatever those
checks do not decide (a bad cell, a duplicate, a gap) is left to the Python reader:
`read_on_spark` brings the data to this machine as a `Table` of text cells (a Parquet file this
machine can open is read by attain's own reader instead), and binding words every problem at its
row and column, as for a file.
"""

from __future__ import annotations

import re

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.bind import PERIOD_COLUMNS
from attain.engine.plan import Plan
from attain.i18n.messages import say
from attain.io import parquet
from attain.io.spark_data import PREFIX, is_table, table_name
from attain.io.tables import Row, Table
from attain.sql.read import _Refused, _without_periods, trimmed_cells, validated
from attain.sql.relation import InputRelation
from attain.sql.spark_engine import INTERPRETED_ROWS, forget_views, interpreted_if

_PARTITION_BITS = 33  # monotonically_increasing_id(): the partition's index above bit 33, the row's below
_BACKREFERENCE = re.compile(r"\\(\d)")


def found_table(spark, spec: str) -> str:
    """The table's name, checked to be in the session's catalog; U584 if it is not."""
    name = table_name(spec)
    try:
        exists = bool(name) and spark.catalog.tableExists(name)
    except Exception:  # a name Spark cannot parse ("a b", "x.")
        exists = False
    if not exists:
        raise AttainError([Diagnostic("U584", say("U584", table=name or spec), hint=say("U584.hint"))])
    return name


def _duckdb_type(field) -> str:
    """A Spark column's type under the name `attain.io.parquet` decides by (`readable`, FLOAT_TYPES)."""
    kind = field.dataType.typeName()
    if kind in ("string", "varchar", "char"):
        return "VARCHAR"
    if kind in ("byte", "short", "integer", "long"):
        return {"byte": "TINYINT", "short": "SMALLINT", "integer": "INTEGER", "long": "BIGINT"}[kind]
    if kind == "decimal":
        return f"DECIMAL({field.dataType.precision},{field.dataType.scale})"
    if kind in ("float", "double"):
        return kind.upper()
    return {"date": "DATE", "boolean": "BOOLEAN", "timestamp_ntz": "TIMESTAMP",
            "timestamp": "TIMESTAMP WITH TIME ZONE"}.get(kind, field.dataType.simpleString().upper())


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _text_sql(name: str, type_: str) -> str:
    """Spark SQL giving the text a CSV cell of the column's value holds (NULL for null), untrimmed: a
    DECIMAL's text keeps its places and is never in exponent form, a date is year first."""
    c = _ident(name)
    if type_ == "VARCHAR":
        return c
    if type_ == "TIMESTAMP":
        return f"CASE WHEN {c} = CAST(CAST({c} AS DATE) AS TIMESTAMP_NTZ) THEN CAST(CAST({c} AS DATE) AS STRING) " \
               f"ELSE CAST({c} AS STRING) END"
    return f"CAST({c} AS STRING)"


def _spark_error(e: BaseException) -> bool:
    """Whether Spark raised `e` (as `attain.io.parquet.is_duckdb_error` tells DuckDB's)."""
    return type(e).__module__.split(".")[0] in ("pyspark", "py4j")


def _source(spark, spec: str):
    """(the data's name as messages give it, its DataFrame with `__file` and `__index` where rows have a file order
    (a Parquet file's: the file, then the row in it), whether they do)."""
    if is_table(spec):
        name = found_table(spark, spec)
        return PREFIX + name, spark.table(name), False
    try:
        frame = spark.read.parquet(spec)
        frame = frame.select("*", frame["_metadata.file_path"].alias("__file"),
                             frame["_metadata.row_index"].alias("__index"))
    except Exception as e:  # no such path, not Parquet: as the Parquet reader says it
        if not _spark_error(e):
            raise
        raise parquet.unreadable(spec, e) from None
    return spec, frame, True


def header(spark, spec: str):
    """(the data's name as messages give it, its DataFrame, whether it has a file order, each column's name and
    type, the names as a header's are taken, a Table without rows)."""
    label, frame, in_files = _source(spark, spec)
    columns = [(f.name, _duckdb_type(f)) for f in frame.schema.fields if f.name not in ("__file", "__index")]
    names = parquet.column_names(label, columns)
    return label, frame, in_files, columns, names, parquet.parquet_table(label, (), columns, names)


def _numbered(spark, frame, in_files: bool, columns: list[tuple[str, str]], view: str) -> int:
    """The view `view` of the data's text cells c0, c1, ... and `rowid`, the row's place from 0 in the files'
    order (`in_files`), else in the order of the cells' texts, column by column; the number of rows.

    The sort is Spark's (by ranges, over every partition); each row's place is its partition's offset (the rows
    of the partitions before it, counted per partition) plus its place within its partition."""
    texts = ", ".join(f"{_text_sql(raw, type_)} AS c{i}" for i, (raw, type_) in enumerate(columns))
    frame.createOrReplaceTempView("__attain_source")
    keys = ["__file", "__index"] if in_files else [f"c{i} NULLS FIRST" for i in range(len(columns))]
    sorted_ = spark.sql(f"SELECT {texts}{', __file, __index' if in_files else ''} FROM __attain_source "
                        f"ORDER BY {', '.join(keys)}")
    spark.catalog.dropTempView("__attain_source")
    from pyspark.sql import functions as f

    marked = sorted_.withColumn("__m", f.monotonically_increasing_id()).localCheckpoint()
    counts = sorted(marked.groupBy(f.shiftright("__m", _PARTITION_BITS).alias("p")).count().collect())
    offsets, total = [], 0
    for p, n in counts:
        offsets.append((int(p), total))
        total += int(n)
    if not offsets:
        offsets = [(0, 0)]
    starts = spark.createDataFrame(offsets, "p BIGINT, start BIGINT")
    within = f.col("__m").bitwiseAND(f.lit((1 << _PARTITION_BITS) - 1))
    numbered = (marked.join(f.broadcast(starts), f.shiftright("__m", _PARTITION_BITS) == starts.p)
                .select(*(f"c{i}" for i in range(len(columns))), (starts.start + within).alias("rowid")))
    numbered.createOrReplaceTempView(view)
    return total


def spark_relation(spark, plan: Plan, spec: str, table: str, id_column: str | None, allowed: frozenset,
                   made: list) -> InputRelation | None:
    """The Spark table or Parquet data `spec` as the input relation `table` (a Spark view), every cell checked on
    Spark; None: the Python reader decides (`read_on_spark`, or attain's own reader for a Parquet file here).
    Views and materialised frames made are added to `made`."""
    label, frame, in_files, columns, names, head = header(spark, spec)
    if any(type_ == "TIMESTAMP WITH TIME ZONE" for _name, type_ in columns) and in_files:
        return None  # Spark reads a Parquet timestamp as zoned where DuckDB may not: the reader here decides
    positions = {c: i + 1 for i, c in enumerate(names)}
    if plan.model.policy.header.period and not any(c in positions for c in PERIOD_COLUMNS):
        try:
            _without_periods(plan, positions)
        except _Refused:
            return None
    statements = SparkStatements(spark, made)
    rows = _numbered(spark, frame, in_files, columns, "__attain_text")
    made.append("__attain_text")
    if rows == 0:
        return None
    try:
        statements.execute(f"CREATE OR REPLACE TEMP TABLE __attain_raw AS SELECT {trimmed_cells(len(names))}, "
                           "true AS __fits, rowid FROM __attain_text")
        with interpreted_if(spark, rows <= INTERPRETED_ROWS):
            return validated(statements, plan, label, table, head, id_column, allowed, rows)
    except _Refused:
        return None
    except AttainError:
        raise
    except Exception as e:  # Spark refused a cell's conversion (ANSI mode): a cell Python words
        if not _spark_error(e):
            raise
        return None


def read_on_spark(spec: str) -> Table:
    """The Spark table or Parquet data `spec` brought to this machine as a Table of text cells, rows numbered as on
    Spark."""
    from attain.sql.spark_engine import session

    spark = session()
    made: list = []
    try:
        label, frame, in_files, columns, names, _head = header(spark, spec)
        _numbered(spark, frame, in_files, columns, "__attain_text")
        made.append("__attain_text")
        found = spark.sql("SELECT * FROM __attain_text ORDER BY rowid").toLocalIterator()
        rows = []
        for record in found:
            cells = parquet.cells_of(tuple(record), names)
            if any(v is not None for v in cells.values()):  # an empty row is skipped, as a blank CSV line is
                rows.append(Row(int(record[len(names)]) + 1, cells))
    finally:
        forget_views(spark, made)
    return parquet.parquet_table(label, tuple(rows), columns, names)


class SparkStatements:
    """The columnar reader's DuckDB statements run on Spark: each translated (`spark_sql`), a temporary table
    a materialised view, a result's rows as `fetchall()` gives them. The surface `attain.sql.read` uses of a
    DuckDB connection: `execute(sql).fetchall()` and `executemany(INSERT, rows)`."""

    def __init__(self, spark, made: list):
        self.spark = spark
        self.made = made
        self._declared: dict[str, str] = {}  # an empty table declared with its columns (Spark's schema string)

    def execute(self, sql: str) -> _Fetched:
        import sqlglot
        from sqlglot import exp

        tree = sqlglot.parse_one(sql, read="duckdb")
        if isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Select):
            select = tree.expression
            select.set("order", None)  # a view has no order: every query here orders what it reads
            kept = self.spark.sql(spark_sql(select)).localCheckpoint()
            self._view(tree.this.name, kept)
        elif isinstance(tree, exp.Create):
            defs = [d for d in tree.this.expressions if isinstance(d, exp.ColumnDef)]
            self._declared[tree.this.this.name] = ", ".join(
                f"{d.name} {d.args['kind'].sql(dialect='spark')}" for d in defs)
        elif isinstance(tree, exp.Alter):
            name = tree.this.name
            dropped = [c.name for a in tree.args.get("actions", []) if isinstance(a, exp.Drop) for c in _named(a)]
            self._view(name, self.spark.table(name).drop(*dropped))
        elif isinstance(tree, exp.Drop):
            for t in _named(tree):
                self.spark.catalog.dropTempView(t.name)
        else:
            return _Fetched([tuple(r) for r in self.spark.sql(spark_sql(tree)).collect()])
        return _Fetched([])

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        import sqlglot

        name = sqlglot.parse_one(sql, read="duckdb").this.name
        self._view(name, self.spark.createDataFrame(rows, self._declared[name]))

    def _view(self, name: str, frame) -> None:
        frame.createOrReplaceTempView(name)
        self.made += [name, frame]


def _named(drop) -> list:
    """What a DROP names (sqlglot keeps the tables or columns under `tables`, or one under `this`)."""
    return list(drop.args.get("tables") or ([drop.this] if drop.this is not None else []))


class _Fetched:
    def __init__(self, rows: list[tuple]):
        self.rows = rows

    def fetchall(self) -> list[tuple]:
        return self.rows


def spark_sql(tree) -> str:
    """A statement of the columnar reader (DuckDB SQL, parsed) as Spark SQL with the same meaning.

    Beyond the compiler's translation (`attain.sql.dialects.rewrite`), the reader's text functions: a full
    match is a find anchored at both ends (Java's `\\z`: its `$` also matches before a final line break),
    `strlen` counts bytes (`octet_length`), `left(x, -n)` drops the last n characters (Spark's gives ''), a
    replacement names its groups `$1` (Java) where DuckDB writes `\\1`, a case-insensitive group folds
    Unicode case as RE2 does (`(?iu:`), and a TRY_CAST to an exact integer is a CAST, which in ANSI mode raises
    (the Python reader then words the cell) where DuckDB's HUGEINT would hold a value DECIMAL(38,0) cannot."""
    from sqlglot import exp

    from attain.sql.dialects import rewrite

    def fix(node):  # a node replaced is not visited further by `transform`: its children are fixed here
        new = one(node)
        return new if new is node else new.transform(fix)

    def one(node):
        if isinstance(node, exp.RegexpFullMatch):
            pattern = node.expression.this
            return exp.RegexpLike(this=node.this, expression=exp.Literal.string(f"^(?:{pattern})\\z"))
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "strlen":
            return exp.Anonymous(this="octet_length", expressions=node.expressions)
        if isinstance(node, exp.Left) and isinstance(node.expression, exp.Neg):
            kept = exp.Sub(this=exp.Length(this=node.this.copy()), expression=node.expression.this)
            return exp.Substring(this=node.this, start=exp.Literal.number(1), length=kept)
        if isinstance(node, exp.RegexpReplace):
            replacement = node.args["replacement"].this
            node.set("replacement", exp.Literal.string(_BACKREFERENCE.sub(r"$\1", replacement.replace("$", "\\$"))))
        if isinstance(node, exp.RegexpLike) and isinstance(node.expression, exp.Literal):
            node.set("expression", exp.Literal.string(node.expression.this.replace("(?i:", "(?iu:")))
        if isinstance(node, exp.TryCast) and node.to.is_type("int128"):
            return exp.Cast(this=node.this, to=node.to)
        return node

    return rewrite(tree.transform(fix), "spark").sql(dialect="spark")
