"""The words attain puts on a workbook: results sheets, data templates and the starter policy's notes."""

from __future__ import annotations

from attain.i18n import Catalogue

EXCEL = Catalogue({
    # ------------------------------------------------------------ results
    "period": {"en": "Period", "zh": "期间"},
    "version": {"en": "Policy version", "zh": "制度版本"},
    "total": {"en": "Total", "zh": "合计"},
    "total note": {
        "en": "Sums of the money and count columns over every row above, computed exactly; a flag's total is "
              "the number of rows flagged. Percents, scores and texts are not added up.",
        "zh": "金额列与计数列为以上各行之和（精确计算）；标记列为被标记的行数。百分比、分数与文本不求和。"},
    "exact": {"en": "Exact value: {value}", "zh": "精确值：{value}"},
    "exact too long": {
        "en": "The exact value has {digits} characters, more than a note holds: see the CSV or JSON output.",
        "zh": "精确值长达 {digits} 个字符，批注放不下：请查看 CSV 或 JSON 输出。"},
    "exact why": {
        "en": "Excel holds about 15 digits, so the cell shows this value rounded.",
        "zh": "Excel 只能保存约 15 位有效数字，单元格显示的是四舍五入后的值。"},
    # ------------------------------------------------------------ data templates
    "template sheet": {"en": "data", "zh": "数据"},
    "guide sheet": {"en": "guide", "zh": "说明"},
    "guide title": {
        "en": "Data for {policy}: one row per employee{per_period}. Delete the example row (row 2) and fill "
              "in your own; keep the header row as it is.",
        "zh": "{policy} 所需数据：每位员工{per_period}一行。请删除第 2 行示例，填入实际数据；第一行表头请勿修改。"},
    "per period": {"en": " and period", "zh": "每个期间"},
    "guide column": {"en": "Column", "zh": "列名"},
    "guide name": {"en": "Name in the policy", "zh": "制度中的名称"},
    "guide type": {"en": "Type", "zh": "类型"},
    "guide allowed": {"en": "Allowed values", "zh": "取值要求"},
    "guide empty": {"en": "If empty", "zh": "留空时"},
    "id column": {"en": "id", "zh": "编号"},
    "id meaning": {"en": "the employee's id, one per employee", "zh": "员工编号，每人唯一"},
    "period meaning": {"en": "the period, such as {example}", "zh": "期间，如 {example}"},
    "period column": {"en": "period", "zh": "期间"},
    "example text": {"en": "example", "zh": "示例"},
    "no default": {"en": "no default", "zh": "无默认值"},
    "any": {"en": "any", "zh": "不限"},
    "between": {"en": "from {low} to {high}", "zh": "{low} 至 {high}"},
    "one of": {"en": "one of: {choices}", "zh": "以下之一：{choices}"},
    "whole": {"en": "a whole number, 0 or more", "zh": "不小于 0 的整数"},
    "yes no": {"en": "TRUE or FALSE", "zh": "TRUE 或 FALSE"},
    "date format": {"en": "a date, such as 2023-07-01", "zh": "日期，如 2023-07-01"},
    "type money": {"en": "money", "zh": "金额"},
    "type percent": {"en": "percent", "zh": "百分比"},
    "type number": {"en": "number", "zh": "数值"},
    "type count": {"en": "count", "zh": "计数"},
    "type bool": {"en": "yes/no", "zh": "是/否"},
    "type text": {"en": "text", "zh": "文本"},
    "type date": {"en": "date", "zh": "日期"},
    "type employee": {"en": "employee id", "zh": "员工编号"},
    "employee meaning": {"en": "the id of the employee's manager, who has a row of the same period; empty at the top",
                         "zh": "员工上级的编号，上级在同一周期有一行；最上级留空"},
    "bad cell title": {"en": "Not allowed", "zh": "输入有误"},
    "bad cell": {"en": "{column}: {allowed}", "zh": "{column}：{allowed}"},
})
