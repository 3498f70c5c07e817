"""Excel text: a value as a workbook stores it (a double, a date, a percent format) -> the text a person typed.

Every Excel reader in attain turns values into text with these functions, so a
workbook reads the same whichever of them reads it.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Context, Decimal
from typing import Any

from attain.io.tables import cell_text

# Wide enough that scaling or normalising a number read from Excel never rounds it.
_WIDE = Context(prec=100)
# Number formats Excel builds in that show a percent (ids 9 and 10); every other one shows none.
BUILTIN_PERCENT_FORMATS = {9: "0%", 10: "0.00%"}


@functools.lru_cache(maxsize=256)
def is_percent_format(number_format: str | None) -> bool:
    if not number_format or "%" not in number_format:
        return False
    # A % inside quotes or after a backslash is literal text; only a bare % scales the number by 100.
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def float_text(value: float, percent: bool) -> str:
    """The decimal text of a number Excel stored as a double, rounded to 15 significant digits.

    A typed number has at most 15 (Excel keeps no more), and for those this
    is exactly the shortest text that reads back as the same double, what
    Python's repr gives: 0.1 -> "0.1", never 0.1000000000000000055...; and
    575000.0 -> "575000". A formula's result can carry binary noise beyond
    15 digits (0.1+0.2 = 0.30000000000000004), and Excel shows it rounded to
    15 digits too: "0.3". (inf and nan read "inf" and "nan", which no cell kind accepts.)
    """
    text = format(value, ".15g")
    if percent:
        if "e" not in text:
            return _times_100(text) + "%"
        return plain(Decimal(text).scaleb(2, _WIDE)) + "%"
    if "e" in text:  # 1e-07, 1.5e+16: exponents are not data syntax
        return plain(Decimal(text))
    return "0" if text == "-0" else text


def _times_100(text: str) -> str:
    """Plain decimal text times 100, by moving the point: "0.8765" -> "87.65", as `plain` of it scaled would give.

    A large sheet has a percent column in every row; this is several times faster than Decimal.
    """
    negative = text.startswith("-")
    whole, _, frac = text.removeprefix("-").partition(".")
    frac += "00"
    whole = (whole + frac[:2]).lstrip("0") or "0"
    frac = frac[2:].rstrip("0")
    out = whole + "." + frac if frac else whole
    return "-" + out if negative and out != "0" else out


def excel_text(value: Any, number_format: str | None) -> str | None:
    """The text of one cell value as an Excel reader gives it; None for an empty cell."""
    if value is None or isinstance(value, (bool, str)):
        return cell_text(value)
    if isinstance(value, float):
        return float_text(value, is_percent_format(number_format))
    if isinstance(value, int):
        if is_percent_format(number_format):
            return plain(Decimal(value).scaleb(2, _WIDE)) + "%"
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):  # a [h]:mm:ss duration
        micros = value // datetime.timedelta(microseconds=1)
        sign, micros = ("-" if micros < 0 else ""), abs(micros)
        seconds, micros = divmod(micros, 1_000_000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}" + (f".{micros:06d}".rstrip("0") if micros else "")
    return str(value).strip() or None


def plain(number: Decimal) -> str:
    """A Decimal as plain text with no exponent and no trailing zeros: 5.75E+5 -> "575000"."""
    if number.is_zero():
        return "0"
    return format(number.normalize(_WIDE), "f")


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def sheet_prefix(title: str) -> str:
    """`Sheet1!`, `数据!`, or `'Q3 sales'!` when Excel would quote the name (spaces, punctuation, a leading digit)."""
    if re.fullmatch(r"[^\W\d]\w*", title) and not re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", title):
        return f"{title}!"
    return "'" + title.replace("'", "''") + "'!"


def cell_name(title: str, row: int, col: int) -> str:
    """A sheet cell as Excel names it: Sheet1!M3."""
    return f"{sheet_prefix(title)}{column_letter(col)}{row}"
