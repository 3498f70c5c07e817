"""Diagnostic codes of Parquet data files (D460-D462, U590): declared here, registered by `attain.codes`, with
their Chinese beside them for `attain.codes.zh`.

Imports nothing: `attain.codes` makes each tuple a `Code`.
"""

from __future__ import annotations

# (code, stage, title, meaning)
PARQUET_CODES = (
    ("D460", "data", "floating-point column read by an input",
     "A Parquet column stored as FLOAT or DOUBLE holds binary floating-point numbers, which cannot hold most "
     "decimals exactly (0.1 is stored as 0.1000000000000000055...). attain never reads a float into a policy "
     "value: store the column as DECIMAL (such as DECIMAL(18,2) for money) or as text in the program that "
     "writes the file. A float column that no input, id or period reads is left alone."),
    ("D461", "data", "Parquet column of a type no input reads",
     "Inputs read Parquet strings, integers, DECIMAL, DATE, BOOLEAN and TIMESTAMP without a time zone (a "
     "timestamp at midnight is its date). A timestamp with a time zone (which day it is depends on the zone), "
     "a time, an interval, bytes, lists, structs and maps have no exact text an input reads: store the value "
     "as one of those types, or as text."),
    ("D462", "data", "not a readable Parquet file",
     "The data file's name ends in .parquet but the file is not Parquet, or it is damaged (truncated, still "
     "being written). The message quotes what the reader found. Write the file again."),
    ("U590", "usage", "header row given for a Parquet file",
     "A Parquet file names its own columns, so `--header-row` does not apply to it: leave it out."),
)

PARQUET_ZH = {
    "D460": ("输入读取了浮点数列",
             "存成 FLOAT 或 DOUBLE 的 Parquet 列保存的是二进制浮点数，大多数小数无法精确保存"
             "（0.1 存成 0.1000000000000000055...）。attain 从不把浮点数读成方案里的值：请在写出文件的程序里把这一列"
             "存成 DECIMAL（金额如 DECIMAL(18,2)）或文本。没有任何输入、工号或周期读取的浮点数列不受影响。"),
    "D461": ("输入无法读取的 Parquet 列类型",
             "输入能读取 Parquet 的字符串、整数、DECIMAL、DATE、BOOLEAN 和不带时区的 TIMESTAMP"
             "（零点的时间戳就是它的日期）。"
             "带时区的时间戳（是哪一天取决于时区）、时间、时间间隔、字节、列表、结构和映射没有输入能读取的精确文本："
             "请把值存成上述类型之一，或存成文本。"),
    "D462": ("无法读取的 Parquet 文件",
             "数据文件名以 .parquet 结尾，但文件不是 Parquet，或已损坏（被截断、仍在写入）。"
             "消息引用了读取时发现的问题。"
             "请重新写出这个文件。"),
    "U590": ("为 Parquet 文件给出了表头行", "Parquet 文件自带列名，所以 `--header-row` 不适用于它：请去掉这个选项。"),
}
