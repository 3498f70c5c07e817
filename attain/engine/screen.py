"""Screening, while binding: data that would read without an error but mean something else.

A total or subtotal row (合计, 小计, Total) would be paid as an employee; a percent
column typed as points (95 for 95%) would read as 9,500%. Both are refused with the
cell that shows it, and a hint naming what decides: attain does not guess.

Percents: a number with a % sign is a percent (95% is 95%), a plain number is a
fraction (0.95 is 95%, 1 is 100%, 0 is 0%). A column's plain numbers look like
points, and the column is refused, when

- they are all whole numbers and one of them is 2 or more (95, 88, 100), or
- one of them is above 10, that is above 1,000% (95.5).

So a column of 0.95 and 1.2, of 95% and 0.95 mixed, or of 1 and 0 (100% and 0%,
a yes/no rate) reads as before, and a column of 95, 88 and 0 is refused. The rule
only refuses, never reads a cell another way, so a legitimate column is at worst
asked about (fractions that are all whole, 1, 2 and 3 for 100% to 300%); what it
cannot see is small rates written as points (0.5 for 0.5%), which look like
fractions. Declaring the input `written as points` (95 is 95%) or `written as
decimals` (2 is 200%) settles either.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from attain.diagnostics import Diagnostic
from attain.dsl.nodes import Input
from attain.i18n.messages import say
from attain.io import Row, Table, format_grouped, format_number
from attain.limits import MAX_DIGITS

TOTAL_WORDS_CJK = ("合计", "总计", "小计", "总和", "汇总", "合計", "總計", "小計", "總和", "匯總", "彙總")
TOTAL_WORDS = frozenset({"total", "totals", "subtotal", "subtotals", "grandtotal", "sum"})
# A character every total has, checked first so that an ordinary id costs little.
_MAYBE_TOTAL = re.compile("[计計和汇匯彙sStTｓＳｔＴ]")
_WORDS = re.compile(r"[a-z]+")
_PLAIN = re.compile(r"\s*[-+]?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?\s*", re.ASCII)


def is_total(text: str) -> bool:
    """Whether a cell reads like a total or subtotal: 合计, 华东合计, 小计, Total, Sub-total, Grand total, Sum.

    Chinese words anywhere; English ones as the first or last word (case and spaces ignored).
    """
    if text.isascii():
        low = text.lower()
        if "sum" not in low and "total" not in low:
            return False
    elif _MAYBE_TOTAL.search(text) is None:
        return False
    folded = unicodedata.normalize("NFKC", text).casefold()
    if any(w in folded for w in TOTAL_WORDS_CJK):
        return True
    words = _WORDS.findall(folded)
    return bool(words) and (words[0] in TOTAL_WORDS or words[-1] in TOTAL_WORDS)


def total_row(table: Table, row: Row, id_column: str, who: str | None, positions: dict) -> Diagnostic | None:
    """D430 for a row whose id (or, without one, its first text cell) reads like a total; else None."""
    column, text = id_column, who
    if who is None:
        texts = ((c, t) for c in table.columns if (t := row.cells.get(c)) and any(ch.isalpha() for ch in t))
        column, text = next(texts, (id_column, None))
    if text is None or not is_total(text):
        return None
    place = table.cell(row.line, column, positions[column])
    named = say("cell.where", place=place.name) if place.name else ""
    if who is None:
        message = say("D430.no_id", column=column, text=text, named=named)
        hint = say("D430.hint")
    else:
        message = say("D430", who=who, named=named)
        hint = say("D430.hint_id", who=who)
    return Diagnostic("D430", message, place.span, label=column, hint=hint)


def percent_points(table: Table, column: str, inp: Input, col: int) -> Diagnostic | None:
    """D431 when a percent column's plain numbers look like points (see the module's rule); else None."""
    example = None  # the first plain whole number of 2 or more
    fractional = False
    for row in table.rows:
        t = row.cells.get(column)
        if t is None or "%" in t:
            continue
        if t[:2] == "0.":
            fractional = True
            continue
        if "％" in t or type(t) is not str:
            continue  # a percent with its full-width sign, or a value computed by a policy this one uses
        m = _PLAIN.fullmatch(t) if len(t) <= MAX_DIGITS else None
        if m is None:
            continue  # not a number, or one too long to be read: the cell's own check reports it (D413)
        whole = int(m[1].replace(",", ""))
        frac = (m[2] or "").rstrip("0")
        if whole > 10 or (whole == 10 and frac):
            return _points(table, row, column, inp, col, t.strip())
        if frac:
            fractional = True
        elif whole >= 2 and example is None:
            example = (row, t.strip())
    if example is None or fractional:
        return None
    return _points(table, example[0], column, inp, col, example[1])


def _points(table: Table, row: Row, column: str, inp: Input, col: int, text: str) -> Diagnostic:
    value = Fraction(text.replace(",", ""))
    as_read = format_grouped(value * 100)
    as_points = format_number(value / 100)
    label = f' "{inp.label}"' if inp.label else ""
    place = table.cell(row.line, column, col)
    named = say("cell.where", place=place.name) if place.name else ""
    return Diagnostic(
        "D431", say("D431", column=column, text=text, named=named, as_read=as_read), place.span, label=f"{as_read}%",
        hint=say("D431.hint", text=text, as_points=as_points, name=inp.name, label=label, as_read=as_read))
