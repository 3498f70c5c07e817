"""`--data table:NAME`: a Spark table read, checked and computed on Spark (`attain.sql.spark_read`, `spark_run`).

Runs where pyspark and Java are installed; under ATTAIN_REQUIRE_SPARK=1 (CI) it must run. The
tables are temporary views of the process's one Spark session, which the command line (run
in this process) finds in the session's catalog as it would a Hive or Delta table.
"""

from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_choice import SPARK_ENGINES

from attain.cli import main
from attain.sql import spark_engine, spark_read

pytestmark = pytest.mark.skipif("spark" not in SPARK_ENGINES, reason="pyspark or Java is not installed")

ROOT = Path(__file__).resolve().parents[2]
DOC002 = str(ROOT / "policies" / "doc002" / "incentive.policy")
CASE1 = str(ROOT / "policies" / "case1-2023" / "pay-2023-01.policy")
# Document 002's three employees (policies/doc002/incentive.test.yaml works them out by hand), in typed columns:
# money as DECIMAL with its places, counts as INT, scores as DECIMAL(3,1), rates as text with a percent sign.
DOC002_SCHEMA = ("编号 STRING, 姓名 STRING, 所属区域 STRING, 销售额目标 DECIMAL(12,2), 销售额实际 {sales}, "
                 "新客户数 INT, 上期新客户数 INT, 回款率 STRING, 客户满意度 DECIMAL(3,1), 计划延迟次数 INT, "
                 "团队协作评分 DECIMAL(3,1), 上期完成率 STRING, 奖金基数 BIGINT")
DOC002_ROWS = """
    ('S003', '王*', '华南', 520000.00, 624000.00, 15, 11, '98%', 4.8, 0, 9.2, '110%', 10000),
    ('S001', '张*', '华东', 500000.00, 575000.00, 12, 10, '95%', 4.5, 0, 8.0, '100%', 10000),
    ('S002', '李*', '华北', 480000.00, {s002}, 8, 9, '88%', 4.2, 1, 7.5, '68%', 10000)"""
# S001: 575,000 / 500,000 = 115%, total 85, on target: commission 3% of 75,000 = 2,250; bonus 10,000 x 1.2 x 85%
# S002: 85%, total 59.5, progress, collection 88% pays 80%: 10,000 x 59.5% x 80% = 4,760, no commission
# S003: 624,000 / 520,000 = 120%, total 100, excellent (2.0): bonus 20,000; commission 3% of 104,000 = 3,120
DOC002_OUT = ["编号,improvement_plan,region,attainment,total_score,tier,commission_paid,bonus_total",
              "S001,false,华东,1.15,85,on_target,2250.00,10200.00",
              "S002,false,华北,0.85,59.5,progress,0.00,4760.00",
              "S003,false,华南,1.2,100,excellent,3120.00,20000.00"]


@pytest.fixture(scope="module")
def spark():
    return spark_engine.session()


def view(spark, name: str, schema: str, rows: str) -> None:
    columns = ", ".join(f"col{i + 1} AS `{c.split()[0]}`" for i, c in enumerate(schema.split(", ")))
    spark.sql(f"SELECT {columns} FROM VALUES {rows}").createOrReplaceTempView(name)
    typed = ", ".join(f"CAST(`{c.split()[0]}` AS {c.split(maxsplit=1)[1]}) AS `{c.split()[0]}`"
                      for c in schema.split(", "))
    spark.sql(f"SELECT {typed} FROM {name}").createOrReplaceTempView(name)


def run(*args: str):
    return CliRunner().invoke(main, ["run", *args])


@pytest.fixture
def on_spark_only(monkeypatch):
    """The run must be decided on Spark: the Python reader of a table is not to be called."""

    def refused(spec):
        raise AssertionError(f"{spec} was read by the Python reader")

    monkeypatch.setattr(spark_read, "read_on_spark", refused)


def test_a_typed_table_is_checked_and_computed_on_spark(spark, on_spark_only, tmp_path):
    view(spark, "doc002_sales", DOC002_SCHEMA.format(sales="DECIMAL(12,2)"), DOC002_ROWS.format(s002="408000.00"))
    out = tmp_path / "r.csv"
    r = run(DOC002, "--data", "table:doc002_sales", "--engine", "spark", "--out", str(out))
    assert r.exit_code == 0, r.output
    # the rows come in the order of their cells, the id first (a table has no order of its own), whatever
    # order Spark holds them in
    assert out.read_text(encoding="utf-8").splitlines() == DOC002_OUT
    manifest = (tmp_path / "r.manifest.json").read_text(encoding="utf-8")
    assert '"path": "table:doc002_sales"' in manifest


def test_periods_come_in_order_and_currency_signs_are_read(spark, on_spark_only):
    # policies/case1-2023/pay.test.yaml: E001 109 points x 50 + 1,000 = 6,450; E002 90 x 50 + 1,000 = 5,500.
    # The fixed part is "¥1,000" and "1,000 ￥" (CNY either way), read as the CSV file's cells are.
    schema = ("id STRING, period STRING, 计划销量 INT, 实际销量 INT, 渠道管理 INT, 价格体系管理 INT, "
              "客户关系管理 INT, 信息反馈 INT, 工作态度 INT, 固定部分 STRING")
    rows = ", ".join(f"('{who}', '{p}', {plan}, {got}, {soft}, '{fixed}')" for p in ("2023-08", "2023-06", "2023-07")
                     for who, plan, got, soft, fixed in (("E002", 150, 135, "4, 4, 3, 3, 4", "1,000 ￥"),
                                                         ("E001", 100, 120, "3, 4, 2, 1, 3", "¥1,000")))
    view(spark, "case1_sales", schema, rows)
    r = run(CASE1, "--data", "table:case1_sales", "--engine", "spark", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["id,period,a,b,points,pay",
                                     *(f"{who},2023-0{m},{a},{b},{points},{pay}" for m in (6, 7, 8)
                                       for who, a, b, points, pay in (("E001", "1.2", 13, 109, "6450.00"),
                                                                      ("E002", "0.9", 18, 90, "5500.00")))]


def test_a_bad_cell_is_named_at_its_row_and_column_as_in_a_file(spark):
    view(spark, "doc002_bad", DOC002_SCHEMA.format(sales="STRING"), DOC002_ROWS.format(s002="'408,000 yuan'")
         .replace("624000.00", "'624,000'").replace("575000.00", "'575,000'"))
    r = run(DOC002, "--data", "table:doc002_bad", "--engine", "spark", "--format", "csv")
    assert r.exit_code == 1, r.output
    # rows numbered in the order of their cells, the id's first: S001 is row 1, S002 row 2
    assert "table:doc002_bad" in r.output and "row 2, column '销售额实际'" in r.output, r.output
    assert "408,000 yuan" in r.output and r.stdout == ""


def test_a_float_column_read_by_an_input_is_refused(spark):
    view(spark, "doc002_float", DOC002_SCHEMA.format(sales="DOUBLE"), DOC002_ROWS.format(s002="408000.00"))
    r = run(DOC002, "--data", "table:doc002_float", "--engine", "spark", "--format", "csv")
    assert r.exit_code == 1 and "error[D460]" in r.output and "销售额实际" in r.output, r.output


def test_other_engines_read_the_table_through_the_python_reader(spark):
    view(spark, "doc002_any", DOC002_SCHEMA.format(sales="DECIMAL(12,2)"), DOC002_ROWS.format(s002="408000.00"))
    for engine in ("duckdb", "python"):
        r = run(DOC002, "--data", "table:doc002_any", "--engine", engine, "--format", "csv")
        assert r.exit_code == 0 and r.stdout.splitlines() == DOC002_OUT, (engine, r.output)


def test_a_table_the_session_does_not_have(spark):
    r = run(DOC002, "--data", "table:no_such_table", "--engine", "spark")
    assert r.exit_code == 2 and "error[U584]" in r.output and "no_such_table" in r.output, r.output


def test_explain_reads_the_table_too(spark):
    view(spark, "doc002_explain", DOC002_SCHEMA.format(sales="DECIMAL(12,2)"), DOC002_ROWS.format(s002="408000.00"))
    r = CliRunner().invoke(main, ["explain", DOC002, "--data", "table:doc002_explain", "--who", "S001",
                                  "--value", "commission_paid"])
    assert r.exit_code == 0, r.output
    # 3% of the 75,000 above the target (575,000 - 500,000), each cell named at its row (S001 is the first)
    assert "commission_paid = 2,250.00" in r.stdout and "above 500,000: 75,000 at 3% = 2,250" in r.stdout
    assert "sales = 575,000   (from table:doc002_explain:1:5, column 销售额实际)" in r.stdout, r.stdout


def test_a_parquet_folder_spark_wrote_is_read_on_spark_in_its_files_order(spark, tmp_path):
    view(spark, "doc002_folder", DOC002_SCHEMA.format(sales="DECIMAL(12,2)"), DOC002_ROWS.format(s002="408000.00"))
    folder = tmp_path / "sales.parquet"
    spark.table("doc002_folder").coalesce(1).write.parquet(str(folder))  # a folder of part files, as Spark writes
    assert folder.is_dir()
    # the rows as the file holds them: S003, S001, S002 (every engine reads a Parquet file in its own order)
    want = [DOC002_OUT[0], DOC002_OUT[3], DOC002_OUT[1], DOC002_OUT[2]]
    for engine in ("spark", "duckdb"):  # duckdb: the folder read through Spark, computed here
        r = run(DOC002, "--data", str(folder), "--engine", engine, "--format", "csv")
        assert r.exit_code == 0 and r.stdout.splitlines() == want, (engine, r.output)


def test_parquet_spark_cannot_read_is_named(spark, tmp_path):
    (tmp_path / "broken.parquet").mkdir()
    (tmp_path / "broken.parquet" / "part-0.parquet").write_bytes(b"not parquet at all")
    r = run(DOC002, "--data", str(tmp_path / "broken.parquet"), "--engine", "spark", "--format", "csv")
    assert r.exit_code == 1 and "error[D462]" in r.output and "broken.parquet" in r.output, r.output


def test_a_pyarrow_older_than_pyspark_asks_takes_the_ordinary_way(spark, monkeypatch, tmp_path):
    """pyspark 4's toArrow asks for pyarrow 18 or later: with an older one (installed beside pyspark, not through
    `attain[spark]`) the results are not brought in columns, and the run goes the ordinary way, to the same
    results, instead of stopping with pyspark's import error."""
    import pyarrow

    from attain.sql import spark_run

    monkeypatch.setattr(pyarrow, "__version__", "17.0.0")
    decided = []
    original = spark_run.run_table_to_file
    monkeypatch.setattr(spark_run, "run_table_to_file", lambda *a, **k: decided.append(original(*a, **k)))
    view(spark, "doc002_old_arrow", DOC002_SCHEMA.format(sales="DECIMAL(12,2)"), DOC002_ROWS.format(s002="408000.00"))
    out = tmp_path / "r.csv"
    r = run(DOC002, "--data", "table:doc002_old_arrow", "--engine", "spark", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").splitlines() == DOC002_OUT
    assert decided == [None]  # not written by the run over the table: the ordinary way wrote it
