"""Diagnostics' and explanations' words, accumulation over the plan year (C293-C296): English and Chinese by key.

See `attain.i18n.messages` for how a key becomes a message in either language.
"""

from __future__ import annotations

ACCRUAL: dict[str, dict[str, str]] = {
    # ---------------------------------------- checking (attain.dsl.check_accrual)
    "C293": {"en": "a plan year cannot start in {month!r}: it starts in a month named in English",
             "zh": "计划年度不能从 {month!r} 开始：请用英文月份名"},
    "C293.hint": {"en": "write one of {months}{more}", "zh": "请写 {months} 之一{more}"},
    "C293.period": {"en": "a plan year needs periods: the header has no `period` line",
                    "zh": "计划年度需要周期：方案开头没有 `period` 行"},
    "C293.period_hint": {"en": "add one, such as `period month`", "zh": "请加一行，如 `period month`"},
    "C293.quarter": {"en": "a plan year starting in {month} would split a calendar quarter between two plan years",
                     "zh": "从 {month} 开始的计划年度会把一个日历季度分到两个计划年度"},
    "C293.half": {"en": "a plan year starting in {month} would split a half year between two plan years",
                  "zh": "从 {month} 开始的计划年度会把一个半年分到两个计划年度"},
    "C293.year": {"en": "a plan year starting in {month} would split a calendar year between two plan years",
                  "zh": "从 {month} 开始的计划年度会把一个日历年分到两个计划年度"},
    "C293.starts_hint": {"en": "with these periods a plan year starts in {months}; or compute by month",
                         "zh": "以这种周期，计划年度从 {months} 开始；或者按月计算"},
    "C293.folder": {"en": "the versions in {folder} start their plan years in different months: {starts}",
                    "zh": "{folder} 中的版本的计划年度从不同的月份开始：{starts}"},
    "C293.folder_hint": {"en": "write the same `plan year starts` in each version: a plan year whose months change "
                               "between versions would sum some months twice or not at all",
                         "zh": "请在每个版本写相同的 `plan year starts`：月份在版本之间改变的计划年度，"
                               "会把有些月份加两次或完全不加"},
    "C294": {"en": "{call}({name}) includes this period's {name}, which itself needs {owner}",
             "zh": "{call}({name}) 包含本周期的 {name}，而 {name} 本身需要 {owner}"},
    "C294.hint": {"en": "what was paid before in the plan year is {earlier}({name}): it reads only earlier periods",
                  "zh": "计划年度里以前已付的是 {earlier}({name})：它只读以前的周期"},
    "C295": {"en": "{func} adds up numbers, but this is {type}", "zh": "{func} 累加数值，而这是{type}"},
    "C295.hint": {"en": "sum a number: to count the periods a condition held, a count that is 1 in those periods",
                  "zh": "请累计一个数值：要数条件成立的周期数，就累计一个在这些周期为 1 的计数"},
    "C296": {"en": "{what} needs periods of a quarter or shorter, but the policy's period is a {period}",
             "zh": "{what} 需要季度或更短的周期，而方案的周期是 {period}"},
    "C296.hint": {"en": "use the plan year's functions ({functions})", "zh": "请用计划年度的函数（{functions}）"},
    # ---------------------------------------- explanations (attain.engine.wording)
    "acc.terms": {"en": "{call}: {terms} = {value}", "zh": "{call}：{terms} = {value}"},
    "acc.none_year": {"en": "{call} = {value}: no earlier period of this plan year",
                      "zh": "{call} = {value}：本计划年度没有更早的周期"},
    "acc.none_quarter": {"en": "{call} = {value}: no earlier period of this plan quarter",
                         "zh": "{call} = {value}：本计划季度没有更早的周期"},
    "acc.over_year": {"en": "over the plan year's periods {first} to {last}",
                      "zh": "计划年度的 {first} 至 {last}"},
    "acc.over_quarter": {"en": "over the plan quarter's periods {first} to {last}",
                         "zh": "计划季度的 {first} 至 {last}"},
    "acc.word_yes": {"en": "{word} = yes: {period} is {edge} (the plan year starts in {start})",
                     "zh": "{word} = 是：{period} 是{edge}（计划年度从{start}开始）"},
    "acc.word_no": {"en": "{word} = no: {period} is not {edge} (the plan year starts in {start})",
                    "zh": "{word} = 否：{period} 不是{edge}（计划年度从{start}开始）"},
    "acc.first_year": {"en": "the first period of its plan year", "zh": "计划年度的第一个周期"},
    "acc.last_year": {"en": "the last period of its plan year", "zh": "计划年度的最后一个周期"},
    "acc.first_quarter": {"en": "the first period of its plan quarter", "zh": "计划季度的第一个周期"},
    "acc.last_quarter": {"en": "the last period of its plan quarter", "zh": "计划季度的最后一个周期"},
    **{f"acc.month.{en}": {"en": en, "zh": zh} for en, zh in (
        ("January", "一月"), ("February", "二月"), ("March", "三月"), ("April", "四月"), ("May", "五月"),
        ("June", "六月"), ("July", "七月"), ("August", "八月"), ("September", "九月"), ("October", "十月"),
        ("November", "十一月"), ("December", "十二月"))},
    "acc.over_none_year": {"en": "no earlier period of this plan year", "zh": "本计划年度没有更早的周期"},
    "acc.over_none_quarter": {"en": "no earlier period of this plan quarter", "zh": "本计划季度没有更早的周期"},
}
