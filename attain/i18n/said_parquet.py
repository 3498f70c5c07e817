"""Diagnostics' words, Parquet data files (D460-D462, U590): English and Chinese by key.

See `attain.i18n.messages` for how a key becomes a message in either language.
"""

from __future__ import annotations

PARQUET: dict[str, dict[str, str]] = {
    "D460": {"en": "column {column!r} of {file!r} is {type}, a binary floating-point number, and {by} reads it: "
                   "attain never reads a float, which cannot hold most decimals exactly",
             "zh": "{file!r} 的列 {column!r} 是 {type}（二进制浮点数），而{by}读取它：attain 从不读取浮点数，"
                   "浮点数无法精确保存大多数小数"},
    "D460.hint": {"en": "store the column as DECIMAL (such as DECIMAL(18,2) for money) or as text in the program "
                        "that writes the file",
                  "zh": "请在写出文件的程序里把这一列存成 `DECIMAL`（金额如 `DECIMAL(18,2)`）或文本"},
    "D460.input": {"en": "input '{name}'", "zh": "输入 '{name}' "},
    "D460.key": {"en": "the employee's id or the period", "zh": "工号或周期"},
    "D460.rate_table": {"en": "the rate table", "zh": "费率表"},
    "D461": {"en": "column {column!r} of {file!r} is {type}, which has no exact text an input reads, and {by} "
                   "reads it",
             "zh": "{file!r} 的列 {column!r} 是 {type}，没有输入能读取的精确文本，而{by}读取它"},
    "D461.hint": {"en": "store it as a string, an integer, DECIMAL, DATE, BOOLEAN or TIMESTAMP without a time zone",
                  "zh": "请把它存成字符串、整数、`DECIMAL`、`DATE`、`BOOLEAN` 或不带时区的 `TIMESTAMP`"},
    "D462": {"en": "data file {file!r} is not a readable Parquet file: {reason}",
             "zh": "数据文件 {file!r} 不是可以读取的 `Parquet` 文件：{reason}"},
    "D462.hint": {"en": "write the file again (a truncated file, or one still being written, cannot be read); "
                        "a file of another format needs its own extension (.csv, .xlsx, .json)",
                  "zh": "请重新写出这个文件（被截断或仍在写入的文件无法读取）；其他格式的文件请用相应的扩展名"
                        "（.csv、.xlsx、.json）"},
    "U590": {"en": "--header-row {row} does not apply to {path!r}, a Parquet file",
             "zh": "--header-row {row} 不适用于 `Parquet` 文件 {path!r}"},
    "U590.hint": {"en": "a Parquet file names its own columns: leave out --header-row",
                  "zh": "`Parquet` 文件自带列名：请去掉 --header-row"},
    "place.parquet": {"en": "row {line}, column '{column}'", "zh": "第 {line} 行，列 '{column}'"},
}
