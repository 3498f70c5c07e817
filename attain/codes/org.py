"""Diagnostic codes of the org chart (`within direct reports`, manager columns): declared here, registered by
`attain.codes`, with their Chinese beside them for `attain.codes.zh`.

Imports nothing: `attain.codes` makes each tuple a `Code`.
"""

from __future__ import annotations

# (code, stage, title, meaning)
ORG_CODES = (
    ("C297", "check", "reports without one manager column",
     "`within direct reports` and `within all reports` follow a column of managers: an input of type "
     "`employee`. Declare one (`input manager : employee`); when the policy has two, say which with "
     "`within direct reports of manager`."),
    ("C298", "check", "group function that does not fit reports",
     "An employee's reports are not their peers: `rank` and `percentile` over them compare people who do not "
     "share a group, and `except self` is needless (reports never include the employee). To compare an "
     "employee with those who share their manager, write `rank(x within manager)`."),
    ("C299", "check", "value computed from itself over reports",
     "A value that reads its own value over reports (`team = sales + sum(team within direct reports)`) would "
     "need each level computed before the one above. Take the whole tree below at once: "
     "`team = sales + sum(sales within all reports)`."),
    ("D450", "data", "manager not in the data",
     "A manager column names an id that has no row in the same period. Add the manager's row, or empty the "
     "cell if the employee is at the top of the tree (several tops are fine)."),
    ("D451", "data", "employee is their own manager",
     "An employee's manager column holds their own id. Write their manager's id, or empty the cell at the top."),
    ("D452", "data", "managers go round in a circle",
     "Following managers up from an employee comes back to the same employee: the message names every "
     "employee of the circle in order. One of them needs another manager (or an empty cell at the top)."),
    ("E348", "evaluation", "value over no reports",
     "A mean, smallest or largest value over an employee's reports is taken for an employee who has none. "
     "Say what the plan gives such an employee, as in `mean(x within direct reports) if count(within direct "
     "reports) > 0 else VALUE` (a sum over no reports is 0, a count 0)."),
)

ORG_ZH = {
    "C297": ("下属没有唯一的上级列", "`within direct reports` 和 `within all reports` 按一列上级来算：一个 `employee` "
             "类型的输入。请声明一个（`input manager : employee`）；方案有两个时，请用 "
             "`within direct reports of manager` 写明是哪一个。"),
    "C298": ("组函数不适用于下属", "员工的下属不是其同级：对下属求 `rank` 和 `percentile` 是在比较不同组的人，"
             "`except self` 也多余（下属从不包括员工本人）。要和同一上级的员工相比，请写 `rank(x within manager)`。"),
    "C299": ("值由它自己在下属上的值算出", "读取自己在下属上的值的值（`team = sales + sum(team within direct "
             "reports)`）要先算出下面的每一层。请一次取下面的整棵树：`team = sales + sum(sales within all reports)`。"),
    "D450": ("上级不在数据中", "上级列写的工号在同一周期没有行。请补上上级的行；如果员工是树的最上级，请清空单元格"
             "（可以有多个最上级）。"),
    "D451": ("员工是自己的上级", "员工的上级列写的是自己的工号。请写上其上级的工号；最上级请清空单元格。"),
    "D452": ("上级关系绕成了圈", "从某位员工沿上级往上走，又回到了这位员工：消息按顺序列出圈里的每一位员工。"
             "其中一人需要改成别的上级（最上级则清空单元格）。"),
    "E348": ("下属为空时的值", "对没有下属的员工求下属的平均值、最小值或最大值。请写明这样的员工得到什么，"
             "如 `mean(x within direct reports) if count(within direct reports) > 0 else 值`"
             "（对空的下属求和为 0，计数为 0）。"),
}
