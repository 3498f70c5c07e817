"""Diagnostics' words, the spark engine and `attain sql --dialect` (U580-U585): English and Chinese by key.

See `attain.i18n.messages` for how a key becomes a message in either language.
"""

from __future__ import annotations

SPARK: dict[str, dict[str, str]] = {
    "U580": {"en": "`--engine spark` needs pyspark, which is not installed",
             "zh": "`--engine spark` 需要 `pyspark`，但它没有安装"},
    "U580.hint": {"en": "install it with `pip install 'attain[spark]'` (Spark also needs Java 17 or later)",
                  "zh": "请用 `pip install 'attain[spark]'` 安装（Spark 还需要 `Java 17` 或更高版本）"},
    "U581": {"en": "`--engine spark` needs Java, and no `java` was found (nor JAVA_HOME)",
             "zh": "`--engine spark` 需要 Java，但找不到 `java`（也没有设置 `JAVA_HOME`）"},
    "U581.hint": {"en": "install Java 17 or later (Debian: `apt-get install openjdk-17-jre-headless`), or set "
                        "JAVA_HOME; or point attain at a Spark Connect server with ATTAIN_SPARK_MASTER=sc://HOST:15002",
                  "zh": "请安装 `Java 17` 或更高版本（Debian：`apt-get install openjdk-17-jre-headless`），或设置 "
                        "`JAVA_HOME`；也可以用 `ATTAIN_SPARK_MASTER=sc://HOST:15002` 指向一个 `Spark Connect` 服务"},
    "U582": {"en": "Spark could not start with master {master}: {reason}",
             "zh": "Spark 无法以 `master` {master} 启动：{reason}"},
    "U582.hint": {"en": "check `--spark-master` or ATTAIN_SPARK_MASTER (local[2], spark://HOST:7077, yarn, "
                        "sc://HOST:15002); README.md says how to point attain at a cluster",
                  "zh": "请检查 `--spark-master` 或 `ATTAIN_SPARK_MASTER`（`local[2]`、`spark://HOST:7077`、`yarn`、"
                        "`sc://HOST:15002`）；README.md 说明了如何让 attain 连接集群"},
    "U583": {"en": "{dialect} SQL cannot express this policy exactly: its query needs {what}",
             "zh": "{dialect} SQL 无法精确表达这个方案：它的查询需要 {what}"},
    "U583.hint": {"en": "print it for another dialect (`--dialect spark`, `postgres` or `duckdb`), or run it with "
                        "`attain run --engine spark`",
                  "zh": "请换一种方言输出（`--dialect spark`、`postgres` 或 `duckdb`），或用 "
                        "`attain run --engine spark` 运行"},
    "U583.gcd": {"en": "a greatest common divisor (values carried from period to period, or a group sum of "
                       "per-row fractions), which Snowflake has no function for",
                 "zh": "最大公约数（逐期结转的值，或按行分数的组内求和），而 Snowflake 没有这个函数"},
    "sql.header": {"en": "{command}: policy {policy} ({name}, version {version}), attain {attain}, "
                         "policy {digest}, dialect {dialect}",
                   "zh": "{command}：方案 {policy}（{name}，版本 {version}），attain {attain}，"
                         "方案 {digest}，方言 {dialect}"},
}
SPARK.update({
    "U584": {"en": "the Spark session has no table or view named {table}",
             "zh": "Spark 会话里没有名为 {table} 的表或视图"},
    "U584.hint": {"en": "name it as the catalog does (`--data table:db.table`); `spark.catalog.listTables()` lists "
                        "them, and `--spark-master` chooses the session",
                  "zh": "请按目录里的名字写（`--data table:db.table`）；`spark.catalog.listTables()` 可以列出它们，"
                        "`--spark-master` 选择会话"},
    "U585": {"en": "`--header-row` does not apply to a Spark table, which names its own columns",
             "zh": "`--header-row` 不适用于 Spark 表：表自带列名"},
    "U585.hint": {"en": "leave `--header-row` out", "zh": "请去掉 `--header-row`"},
    "sql.input": {"en": "input: a table or view named {table}, one row per employee (and period), with these columns:",
                  "zh": "输入：名为 {table} 的表或视图，每位员工（每个周期）一行，包含这些列："},
    "sql.system_columns": {
        "en": "  {seq} (the row's position, from 0), {line} (its line in the data), {who} (the employee id), "
              "{period} (the period's index, months or quarters from year 0; {null} without periods)",
        "zh": "  {seq}（行的序号，从 0 起）、{line}（在数据中的行号）、{who}（员工编号）、"
              "{period}（周期序号，从公元 0 年起的月数或季数；没有周期时为 {null}）"},
    "sql.number_column": {"en": "  {column} {integer}: '{name}' ({type}), the exact value times 10^{scale}",
                          "zh": "  {column} {integer}：'{name}'（{type}），精确值乘以 10^{scale}"},
    "sql.percent_column": {"en": "  {column} {integer}: '{name}' ({type}), the exact value as a fraction (88.5% is "
                                 "0.885) times 10^{scale}",
                           "zh": "  {column} {integer}：'{name}'（{type}），精确值按小数计（88.5% 即 0.885）"
                                 "乘以 10^{scale}"},
    "sql.other_column": {"en": "  {column} {sql}: '{name}' ({type})", "zh": "  {column} {sql}：'{name}'（{type}）"},
    "sql.empty_cells": {"en": "an empty cell is {null} (the policy's default applies); a value needing more places "
                              "than its column's scale cannot be given: choose the scale with --scale or --data",
                        "zh": "空单元格为 {null}（适用方案的默认值）；小数位多于该列精度的值无法给出："
                              "请用 --scale 或 --data 选择精度"},
    "sql.result": {"en": "result: {columns}, then each output's columns:",
                   "zh": "结果：{columns}，然后是每项输出的列："},
    "sql.output": {"en": "  '{name}' = {value}", "zh": "  '{name}' = {value}"},
    "sql.fallback": {"en": "where {flag} is true, SQL could not compute the row exactly (a value beyond 38 digits, "
                           "an error, a refusal): compute those rows with `attain run`; every other value is exact",
                     "zh": "{flag} 为真的行，SQL 无法精确计算（超过 38 位的值、错误、拒绝）：请用 `attain run` "
                           "计算这些行；其余每个值都是精确的"},
    "sql.periods": {"en": "the policy carries values from period to period: run the first statements once, then, for "
                          "each period in time order, the last two with {period} replaced by the period's index",
                    "zh": "方案逐期结转数值：先运行一次前面的语句，再按时间顺序对每个周期运行最后两条语句，"
                          "把 {period} 换成该周期的序号"},
    "sql.each_period": {"en": "for each period, in time order, {period} replaced by its index:",
                        "zh": "按时间顺序对每个周期，把 {period} 换成它的序号："},
    "sql.spark": {"en": "Spark: run with spark.sql.ansi.enabled=true and "
                        "spark.sql.decimalOperations.allowPrecisionLoss=false, or values may be rounded or wrap",
                  "zh": "Spark：请在 spark.sql.ansi.enabled=true 和 "
                        "spark.sql.decimalOperations.allowPrecisionLoss=false 下运行，否则数值可能被舍入或溢出回绕"},
})
SPARK["sql.bad_scale"] = {"en": "'{given}' is not {form} for a numeric input of the policy ({inputs})",
                          "zh": "'{given}' 不是方案中数值输入的 {form} 形式（{inputs}）"}
