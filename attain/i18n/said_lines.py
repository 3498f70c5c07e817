"""Diagnostics' words, line tables (C285-C292, D440-D447, E340-E343, U570-U573): English and Chinese by key.

See `attain.i18n.messages` for how a key becomes a message in either language.
"""

from __future__ import annotations

LINES: dict[str, dict[str, str]] = {
    # ---------------------------------------- checking (attain.dsl.check_lines)
    "C285": {"en": "a per-line formula of '{table}' reads the employee value '{name}'",
             "zh": "'{table}' 的逐行公式读取了员工层面的值 '{name}'"},
    "C285.label": {"en": "an employee value", "zh": "员工层面的值"},
    "C285.hint": {"en": "a line's formula reads only the line's inputs and values, constants, rate tables and the "
                        "period; use the employee value in the formula that adds up '{table}' (such as "
                        "`sum(x of {table}) * rate`)",
                  "zh": "逐行公式只能读该行的输入和值、常数、费率表和周期；请在汇总 '{table}' 的公式里使用员工层面的值"
                        "（如 `sum(x of {table}) * rate`）"},
    "C286": {"en": "a per-line formula of '{table}' cannot look at other periods, colleagues or other lines",
             "zh": "'{table}' 的逐行公式不能看其他周期、同事或其他行"},
    "C286.hint": {"en": "previous, streak, rolling, group functions (within) and sums over lines belong in the "
                        "employee's formulas, after the lines are added up",
                  "zh": "`previous`、`streak`、`rolling_*`、组函数（`within`）和对行的汇总应写在员工层面的公式里，"
                        "在行汇总之后"},
    "C287": {"en": "there is no line table '{table}'", "zh": "没有名为 '{table}' 的行表"},
    "C287.hint": {"en": "the policy's line tables are: {tables}", "zh": "方案的行表有：{tables}"},
    "C287.func": {"en": "'{func}' cannot add up lines", "zh": "'{func}' 不能汇总行"},
    "C287.func_hint": {"en": "over a line table use {functions}", "zh": "对行表请用 {functions}"},
    "C288": {"en": "only numbers can be added up over lines, and this is {kind}",
             "zh": "只有数才能对行汇总，而这是 {kind}"},
    "C288.hint": {"en": "add up an amount, a count or a rate; to count lines, write `count(T where CONDITION)`",
                  "zh": "请汇总金额、个数或比率；要数行数，请写 `count(T where 条件)`"},
    "C288.where": {"en": "a `where` filter must be yes or no, and this is {kind}",
                   "zh": "`where` 筛选条件必须是是或否，而这是 {kind}"},
    "C288.where_hint": {"en": "compare, as in `where status = \"won\"`", "zh": "请写比较，如 `where status = \"won\"`"},
    "C289.count": {"en": "count counts lines: it takes no value", "zh": "`count` 数的是行数：它不接受值"},
    "C289.count_hint": {"en": "write `count({table})` or `count({table} where CONDITION)`",
                        "zh": "请写 `count({table})` 或 `count({table} where 条件)`"},
    "C289.else": {"en": "{func} has a value when no line is kept ({func} of no lines is 0), so it takes no `else`",
                  "zh": "没有行时 {func} 也有值（为 0），所以不接受 `else`"},
    "C289.else_hint": {"en": "remove `, else ...`; to pay something else for no lines, write "
                             "`x if count(T) > 0 else v`",
                       "zh": "请删除 `, else ...`；没有行时要给别的值，请写 `x if count(T) > 0 else v`"},
    "C289.value": {"en": "{func} needs the value it takes over the lines", "zh": "{func} 需要指明对行取什么值"},
    "C289.value_hint": {"en": "write `{func}(amount of {table})`", "zh": "请写 `{func}(amount of {table})`"},
    "C290.twice": {"en": "the line table '{table}' has two split rules", "zh": "行表 '{table}' 有两条分成规则"},
    "C290.twice_hint": {"en": "keep one `split SHARE per KEY` line", "zh": "请只保留一行 `split SHARE per KEY`"},
    "C290.share": {"en": "'{share}' is not a percent input of the line table '{table}'",
                   "zh": "'{share}' 不是行表 '{table}' 中的百分比输入"},
    "C290.share_hint": {"en": "declare it in the block, as `input {share} : percent`",
                        "zh": "请在块中声明它，如 `input {share} : percent`"},
    "C290.per": {"en": "'{per}' is not an input of the line table '{table}'",
                 "zh": "'{per}' 不是行表 '{table}' 的输入"},
    "C290.per_hint": {"en": "name the input whose equal values make one deal, as `input deal : text`",
                      "zh": "请指明值相同即为同一笔交易的输入，如 `input deal : text`"},
    "C290.overlay": {"en": "the overlay condition must be yes or no", "zh": "叠加条件必须是是或否"},
    "C290.overlay_hint": {"en": "compare, as in `overlay when role = \"overlay\"`",
                          "zh": "请写比较，如 `overlay when role = \"overlay\"`"},
    "C291": {"en": "the name '{name}' is given to a line table and to something else",
             "zh": "名字 '{name}' 既是行表又是别的东西"},
    "C291.hint": {"en": "give the line table a name of its own", "zh": "请给行表起一个独有的名字"},
    # ---------------------------------------- data (attain.engine.lines)
    "D440": {"en": "this line of '{table}' is for {who} in {period}, who has no row in the employee table {file}",
             "zh": "'{table}' 的这一行属于 {who}（{period}），但员工表 {file} 里没有这一行"},
    "D440.hint": {"en": "add the employee's row for the period, or correct the line's id or date: a line is never "
                        "dropped silently",
                  "zh": "请为该员工添加这个周期的行，或改正这一行的工号或日期：行不会被悄悄丢弃"},
    "D441": {"en": "the shares of {key} '{deal}' add up to {total}, not 100%: {rows}",
             "zh": "{key} '{deal}' 的分成合计为 {total}，不是 100%：{rows}"},
    "D441.hint": {"en": "correct the shares so that the split rows of one deal add up to exactly 100% "
                        "(overlay rows are not counted)",
                  "zh": "请改正分成，使同一笔交易的分成行合计正好为 100%（叠加行不计入）"},
    "D442": {"en": "the share {share} of this line is {where}", "zh": "这一行的分成 {share} {where}"},
    "D442.above": {"en": "above 100%", "zh": "超过了 100%"},
    "D442.below": {"en": "below 0%", "zh": "低于 0%"},
    "D442.hint": {"en": "a share is between 0% and 100%", "zh": "分成在 0% 到 100% 之间"},
    "D443": {"en": "the line table {file} has no column naming the employee", "zh": "行表 {file} 没有指明员工的列"},
    "D443.hint": {"en": "name the employee in the column the employee table uses, '{column}'",
                  "zh": "请用员工表所用的列 '{column}' 指明员工"},
    "D443.period": {"en": "the line table {file} has no column saying each line's period",
                    "zh": "行表 {file} 没有指明每一行所属周期的列"},
    "D443.period_hint": {"en": "add a `period` column (2023-07, 2023Q3) or a `date` column, which is placed in the "
                               "policy's periods",
                         "zh": "请加上 `period` 列（2023-07、2023Q3）或 `date` 列（按方案的周期归入）"},
    # ---------------------------------------- evaluation
    "E340": {"en": "{text} has no lines for {who}: the {func} of no lines is not a number",
             "zh": "{who} 没有可用于 {text} 的行：没有行时 {func} 不是一个数"},
    "E340.hint": {"en": "say what it is then: `{func}(... , else VALUE)`",
                  "zh": "请写明这时取什么值：`{func}(... , else 值)`"},
    # ---------------------------------------- usage (attain.io.datasets, the command line)
    "U570": {"en": "cannot tell which table {file} is: {why}", "zh": "无法判断 {file} 是哪张表：{why}"},
    "U570.hint": {"en": "name it: `--data {example}={file}` for a line table; the one file left is the employee "
                        "table",
                  "zh": "请指明：行表写 `--data {example}={file}`；剩下的一个文件是员工表"},
    "U570.two_employee": {"en": "it and {other} both match no line table, and only one can be the employee table",
                          "zh": "它和 {other} 都不对应任何行表，而员工表只能有一个"},
    "U570.twice": {"en": "it and {other} are both the line table '{table}'",
                   "zh": "它和 {other} 都是行表 '{table}'"},
    "U571": {"en": "the policy reads the line table '{table}', and no --data gives it",
             "zh": "方案读取行表 '{table}'，但没有 --data 提供它"},
    "U571.hint": {"en": "add `--data {table}=FILE` (or a file or sheet named '{table}')",
                  "zh": "请加上 `--data {table}=文件`（或名为 '{table}' 的文件或工作表）"},
    "U572": {"en": "'{name}' in --data {name}=... is not a line table of the policy",
             "zh": "--data {name}=... 中的 '{name}' 不是方案的行表"},
    "U572.hint": {"en": "the policy's line tables are: {tables}", "zh": "方案的行表有：{tables}"},
    "U572.none": {"en": "the policy has no line tables: give its data as one --data FILE",
                  "zh": "方案没有行表：请只用一个 --data 文件给出数据"},
    "U573": {"en": "no employee table among the --data files", "zh": "--data 文件中没有员工表"},
    "U573.hint": {"en": "give the employee table (one row per employee and period) as a further --data",
                  "zh": "请再用一个 --data 给出员工表（每位员工每个周期一行）"},
}
