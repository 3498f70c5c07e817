"""Diagnostics' and explanations' words, the org chart (C297-C299, D450-D452, E348): English and Chinese by key.

See `attain.i18n.messages` for how a key becomes a message in either language.
"""

from __future__ import annotations

ORG: dict[str, dict[str, str]] = {
    # ---------------------------------------- checking (attain.dsl.org)
    "C297.none": {"en": "`within {words}` needs a manager column, and the policy has no input of type `employee`",
                  "zh": "`within {words}` 需要一列上级，但方案没有 `employee` 类型的输入"},
    "C297.none_hint": {"en": "declare the column of each employee's manager, as in `input manager : employee`",
                       "zh": "请声明每位员工的上级所在的列，如 `input manager : employee`"},
    "C297.which": {"en": "`within {words}` could follow any of the employee inputs {names}",
                   "zh": "`within {words}` 可以按员工类型的输入 {names} 中的任何一个来算"},
    "C297.which_hint": {"en": "say which, as in `within {words} of {name}`",
                        "zh": "请写明是哪一个，如 `within {words} of {name}`"},
    "C297.of": {"en": "'{name}' is not an input of type `employee`, so it has no reports",
                "zh": "'{name}' 不是 `employee` 类型的输入，所以没有下属"},
    "C297.of_hint": {"en": "the employee inputs of this policy: {names}", "zh": "本方案员工类型的输入：{names}"},
    "C298.rank": {"en": "`{func}` over `{words}` compares an employee with people who are not their peers",
                  "zh": "对 `{words}` 求 `{func}`，是把员工和并非其同级的人相比"},
    "C298.rank_hint": {"en": "to rank an employee among those who share their manager, write "
                             "`{func}({value} within {column})`",
                       "zh": "要在同一上级的员工之中排名，请写 `{func}({value} within {column})`"},
    "C298.except": {"en": "`{words}` never include the employee, so `except self` says nothing here",
                    "zh": "`{words}` 从不包括员工本人，所以这里的 `except self` 没有意义"},
    "C298.except_hint": {"en": "remove `except self`", "zh": "请去掉 `except self`"},
    "C299": {"en": "'{name}' is computed from its own value over `{words}`: each level would need the level below "
                   "computed first",
             "zh": "'{name}' 由它自己在 `{words}` 上的值算出：每一层都要先算出下一层"},
    "C299.hint": {"en": "take the values of the whole tree below at once, as in `sum(sales within all reports)`",
                  "zh": "请一次取下面整棵树的值，如 `sum(sales within all reports)`"},
    # ---------------------------------------- data (attain.engine.org)
    "org.in_period": {"en": " in {period}", "zh": "（{period}）"},
    "D450": {"en": "{who}'s manager '{manager}' (column '{column}') is not an employee of the data{when}",
             "zh": "{who} 的上级 '{manager}'（列 '{column}'）不是数据{when}中的员工"},
    "D450.hint": {"en": "add a row for '{manager}' in the same period, or empty the cell if {who} is at the top",
                  "zh": "请在同一周期为 '{manager}' 加一行；如果 {who} 是最上级，请清空这个单元格"},
    "D451": {"en": "{who} is their own manager (column '{column}')",
             "zh": "{who} 是自己的上级（列 '{column}'）"},
    "D451.hint": {"en": "write the id of their manager, or empty the cell if they are at the top",
                  "zh": "请写上其上级的工号；如果是最上级，请清空这个单元格"},
    "D452": {"en": "the managers in column '{column}' go round in a circle{when}: {cycle}",
             "zh": "列 '{column}' 中的上级关系绕成了一个圈{when}：{cycle}"},
    "D452.hint": {"en": "one of them needs another manager, or an empty cell if they are at the top",
                  "zh": "其中一人需要改成别的上级；如果是最上级，请清空单元格"},
    # ---------------------------------------- evaluation and explanations (attain.engine.org, wording)
    "E348": {"en": "{whom}{formula} has no value: {fact}", "zh": "{whom}{formula} 没有值：{fact}"},
    "E348.hint": {"en": "say what the plan gives an employee without reports: "
                        "`... if count(within direct reports) > 0 else VALUE`",
                  "zh": "请写明方案给没有下属的员工什么：`... if count(within direct reports) > 0 else 值`"},
    "org.none": {"en": "{manager} has no {words}", "zh": "{manager} 没有下属（`{words}`）"},
    "org.fact_none": {"en": "{formula} = {value} ({manager} has no reports)",
                      "zh": "{formula} = {value}（{manager} 没有下属）"},
    "org.fact": {"en": "{formula} = {value}, over {n} direct reports of {manager}: {list}",
                 "zh": "{formula} = {value}，{manager} 的 {n} 名直属下属：{list}"},
    "org.fact_all": {"en": "{formula} = {value}, over {n} reports below {manager}: {list}",
                     "zh": "{formula} = {value}，{manager} 下面的 {n} 名下属：{list}"},
    "org.level": {"en": "level {level} ({n}): {items}", "zh": "第 {level} 层（{n} 人）：{items}"},
    "org.more": {"en": " and {n} more", "zh": " 等另外 {n} 人"},
}
