"""Diagnostic codes of line tables (C285-C292, D440-D447, E340-E343, U570-U573), in English and Chinese.

Plain tuples, (code, stage, title, meaning), so that the registry (`attain.codes`) can take them
without this module importing it; `ZH_LINES` gives each its Chinese title and meaning.
"""

from __future__ import annotations

LINE_CODES: tuple[tuple[str, str, str, str], ...] = (
    ("C285", "check", "line formula reads an employee value",
     "A formula in a `lines` block is computed once per line, before the lines are added up, so it can read "
     "only the line's inputs and values, constants, rate tables and the period. Use the employee value in the "
     "employee formula that adds the lines up (`sum(amount of deals) * rate`)."),
    ("C286", "check", "line formula looks beyond its line",
     "`previous`, `streak`, `rolling_*`, group functions (`within`) and sums over lines read other "
     "periods, colleagues or other lines: they belong in employee formulas, after the lines are added up."),
    ("C287", "check", "unknown line table",
     "`sum(x of T)`, `count(T where ...)`, `mean`, `min` and `max` read a line table declared with `lines T`; "
     "the name is not one, or the function cannot add up lines."),
    ("C288", "check", "line aggregate of the wrong kind",
     "Only numbers (money, percent, number, count) can be added up over lines, and a `where` filter must be "
     "yes or no."),
    ("C289", "check", "line aggregate written wrongly",
     "`count(T where ...)` counts lines and takes no value; `sum` and `count` of no lines are 0 and take no "
     "`else`; `mean`, `min` and `max` need the value they take (`max(amount of deals, else 0)`)."),
    ("C290", "check", "bad split rule",
     "`split SHARE per KEY` names a percent input of the block (each line's credit) and the input whose equal "
     "values make one deal; a block has one such line, and its `overlay when` condition is yes or no."),
    ("C291", "check", "line table name taken",
     "A line table's name is used by another line table, an input or a value: give it a name of its own."),
    ("D440", "data", "line of an employee without a row",
     "A line names an employee and period that the employee table has no row for. attain never drops a line "
     "silently: add the row, or correct the line's id, period or date."),
    ("D441", "data", "split shares do not add up to 100%",
     "The split rows of one deal (rows with the same key, overlay rows aside) must credit exactly 100% in "
     "all; the message lists the deal's rows and shares."),
    ("D442", "data", "share out of range", "A line's share is below 0% or above 100%."),
    ("D443", "data", "line table without an employee column",
     "Every line names its employee in the id column the employee table uses (and its period, or a date)."),
    ("E340", "evaluation", "mean, min or max of no lines",
     "An employee has no (kept) lines in a period, and `mean`, `min` or `max` of no lines is not a number. "
     "Say what it is then: `max(amount of deals, else 0)`; attain does not take 0 silently."),
    ("U570", "usage", "which table is this file?",
     "Several --data files are given and one cannot be told apart: name a line table's file as "
     "`--data NAME=FILE`; the one file matching no line table is the employee table."),
    ("U571", "usage", "line table not given",
     "The policy reads a line table that no --data gives: add `--data NAME=FILE`, or a file or sheet named "
     "as the table."),
    ("U572", "usage", "not a line table",
     "`--data NAME=FILE` names a table that the policy does not declare with `lines NAME`."),
    ("U573", "usage", "no employee table",
     "Every --data file is a line table; give the employee table (one row per employee and period) too."),
)

ZH_LINES: dict[str, tuple[str, str]] = {
    "C285": ("逐行公式读取了员工层面的值", "`lines` 块里的公式在行汇总之前逐行计算，只能读该行的输入和值、常数、"
             "费率表和周期。请在汇总这些行的员工公式里使用员工层面的值（`sum(amount of deals) * rate`）。"),
    "C286": ("逐行公式超出了本行", "`previous`、`streak`、`rolling_*`、组函数（`within`）和对行的汇总"
             "要读其他周期、同事或其他行：它们应写在员工层面的公式里，在行汇总之后。"),
    "C287": ("未知的行表", "`sum(x of T)`、`count(T where ...)`、`mean`、`min`、`max` 读取用 `lines T` "
             "声明的行表；这个名字不是行表，或这个函数不能汇总行。"),
    "C288": ("行汇总的类型不对", "只有数（金额、百分比、数、个数）能对行汇总，`where` 筛选条件必须是是或否。"),
    "C289": ("行汇总的写法不对", "`count(T where ...)` 数行数，不接受值；没有行时 `sum` 和 `count` 为 0，"
             "不接受 `else`；`mean`、`min`、`max` 需要指明取的值（`max(amount of deals, else 0)`）。"),
    "C290": ("分成规则有误", "`split 分成 per 键` 指明块中的一个百分比输入（每行的分成）和值相同即为同一笔交易的"
             "输入；一个块只有一行这样的规则，其 `overlay when` 条件是是或否。"),
    "C291": ("行表的名字已被占用", "行表的名字被另一张行表、一个输入或一个值使用了：请给它起一个独有的名字。"),
    "D440": ("行所属的员工没有数据行", "某一行指明的员工和周期在员工表里没有对应的行。attain 不会悄悄丢弃行："
             "请补上这一行，或改正该行的工号、周期或日期。"),
    "D441": ("分成合计不是 100%", "同一笔交易的分成行（键相同的行，叠加行除外）合计必须正好是 100%；"
             "消息列出了这笔交易的各行和分成。"),
    "D442": ("分成超出范围", "某一行的分成低于 0% 或超过 100%。"),
    "D443": ("行表没有员工列", "每一行都要在员工表所用的工号列里指明员工（以及周期或日期）。"),
    "E340": ("没有行时的 mean、min 或 max", "某位员工在某个周期没有（符合条件的）行，而没有行时 `mean`、`min`、"
             "`max` 不是一个数。请写明这时取什么值：`max(amount of deals, else 0)`；attain 不会悄悄取 0。"),
    "U570": ("这个文件是哪张表？", "给了多个 --data 文件，其中一个分辨不出来：行表的文件请写 `--data 名字=文件`；"
             "不对应任何行表的那一个文件是员工表。"),
    "U571": ("没有给出行表", "方案读取的行表没有任何 --data 提供：请加上 `--data 名字=文件`，"
             "或与表同名的文件或工作表。"),
    "U572": ("不是行表", "`--data 名字=文件` 中的名字不是方案用 `lines 名字` 声明的表。"),
    "U573": ("没有员工表", "每个 --data 文件都是行表；请也给出员工表（每位员工每个周期一行）。"),
}
