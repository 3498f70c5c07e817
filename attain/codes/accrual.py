"""Diagnostic codes of accumulation over the plan year (C293-C296), in English and Chinese.

Kept beside the registry, which reads them (`attain.codes.CODES`, `attain.codes.zh.ZH`): like the
registry, this module imports nothing from attain.
"""

from __future__ import annotations

# (code, stage, title, meaning), as `attain.codes.Code` takes them
ACCRUAL_CODES = (
    ("C293", "check", "bad plan year start",
     "`plan year starts April` names the month a plan year starts in, by its English name (January without "
     "the line). It needs a `period` line, and the month must start one of the policy's periods: with "
     "`period quarter` January, April, July or October; with `period half` January or July; with `period "
     "year` January. A period that straddled two plan years could be given to neither."),
    ("C294", "check", "year to date read by what it sums",
     "`year_to_date(x)` (and `quarter_to_date(x)`) includes this period's x, so x cannot read it: the value "
     "would be needed to compute itself. What has been paid before in the plan year is `earlier_this_year(x)` "
     "(`earlier_this_quarter(x)`), which reads only earlier periods and may be read by x."),
    ("C295", "check", "sum of something that is not a number",
     "`year_to_date`, `earlier_this_year`, `quarter_to_date` and `earlier_this_quarter` add up amounts, "
     "rates or counts over periods; a text, a yes/no, a date or a tier cannot be added up. Sum a number "
     "instead: for how many periods a condition held, a count that is 1 in those periods and 0 in the others."),
    ("C296", "check", "plan quarter of a longer period",
     "`quarter_to_date`, `earlier_this_quarter` and `last_period_of_quarter` need periods of a quarter or "
     "shorter: a half or a year holds more than one plan quarter. Use the year's functions, or compute "
     "by month or quarter."),
)

ACCRUAL_ZH = {
    "C293": ("计划年度的起始月份有误", "`plan year starts April` 用英文月份名说明计划年度从哪个月开始（不写这一行即为"
             "一月）。它需要 `period` 行，且这个月必须是方案周期的开头：`period quarter` 时为一月、四月、七月或十月；"
             "`period half` 时为一月或七月；`period year` 时为一月。跨两个计划年度的周期无法归入任何一个。"),
    "C294": ("年初至今的累计被它所累计的值读取", "`year_to_date(x)`（以及 `quarter_to_date(x)`）包含本周期的 x，所以 x "
             "不能读取它：这个值会需要它自己才能算出。计划年度里以前已付的是 `earlier_this_year(x)`"
             "（`earlier_this_quarter(x)`），它只读以前的周期，可以被 x 读取。"),
    "C295": ("累计的不是数值", "`year_to_date`、`earlier_this_year`、`quarter_to_date` 和 `earlier_this_quarter` "
             "把各周期的金额、比率或计数加起来；文字、是否、日期或等级无法相加。请改为累计一个数值："
             "要数条件成立的周期数，就累计一个在这些周期为 1、在其他周期为 0 的计数。"),
    "C296": ("更长周期里的计划季度", "`quarter_to_date`、`earlier_this_quarter` 和 `last_period_of_quarter` "
             "需要季度或更短的周期：半年或一年包含不止一个计划季度。请用年度的函数，或按月、按季度计算。"),
}
