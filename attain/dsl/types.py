"""Value types and the unit algebra the checker applies to formulas.

Money is the one physical unit: money + percent, money * money and money
compared to a score are mistakes. Percent, number and count are all plain
numbers that differ only in how they read and print. A bare numeric literal
(`0`, `1_000`) takes the type the formula around it needs.

Days and months (durations, from dates: see `durations`) are units of their own:
they add to, subtract from and compare with the same unit only; a date plus or
minus days is a date, and a date minus a date is days.
"""

from __future__ import annotations

import attrs

from attain.i18n.messages import say

NUMERIC = ("money", "percent", "number", "count", "literal", "days", "months")
DURATIONS = ("days", "months")


@attrs.frozen
class Type:
    """The type of a value: a kind, and for tiers the type of each result they carry."""

    kind: str
    fields: tuple = ()  # for kind "tier": ((name, Type), ...)
    tiers: tuple = ()  # for kind "tier": the tier names

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def is_money(self) -> bool:
        return self.kind == "money"

    @property
    def is_duration(self) -> bool:
        return self.kind in DURATIONS

    def field(self, name: str) -> Type | None:
        return dict(self.fields).get(name)

    def __str__(self) -> str:
        return {"literal": "number", "tier": "tier"}.get(self.kind, self.kind)


MONEY = Type("money")
PERCENT = Type("percent")
NUMBER = Type("number")
COUNT = Type("count")
LITERAL = Type("literal")
BOOL = Type("bool")
TEXT = Type("text")
DATE = Type("date")
DAYS = Type("days")
MONTHS = Type("months")
ERROR = Type("error")  # already reported; silences follow-on errors

BY_NAME = {"money": MONEY, "percent": PERCENT, "number": NUMBER, "count": COUNT, "bool": BOOL, "text": TEXT,
           "date": DATE, "employee": TEXT}  # employee: another employee's id (a manager; dsl/org.py)


class UnitError(Exception):
    """A formula combines values whose units do not fit; the message says how."""


def textlike(t: Type) -> bool:
    return t.kind in ("text", "tier")


def concrete(t: Type) -> Type:
    """A literal standing alone reads as a number."""
    return NUMBER if t.kind == "literal" else t


def arithmetic(op: str, a: Type, b: Type) -> Type:
    if a is ERROR or b is ERROR:
        return ERROR
    if DATE in (a, b):
        return _date_arithmetic(op, a, b)
    if a.is_duration or b.is_duration:
        return _durations(op, a, b)
    for side in (a, b):
        if not side.numeric:
            raise UnitError(say("C206.numbers", op=op, side=_article(side)))
    if op in "+-":
        if a.is_money or b.is_money:
            if (a.is_money or a.kind == "literal") and (b.is_money or b.kind == "literal"):
                return MONEY
            other = b if a.is_money else a
            return _fail(say("C206.add" if op == "+" else "C206.subtract", other=_article(other)))
        return _dimensionless(a, b)
    if op == "*":
        if a.is_money and b.is_money:
            return _fail(say("C206.times"))
        if a.is_money or b.is_money:
            return MONEY
        return _dimensionless(a, b)
    if op == "/":
        if a.is_money and b.is_money:
            return PERCENT
        if b.is_money:
            return _fail(say("C206.divide", other=_article(a)))
        if a.is_money:
            return MONEY
        if a.kind == "count" and b.kind == "count":
            return PERCENT
        if b.kind == "literal":
            return NUMBER if a.kind == "count" else a
        if a.kind == "percent" and b.kind == "percent":
            return NUMBER
        if a.kind == "literal":
            return NUMBER
        return _dimensionless(a, b) if a.kind == b.kind and a.kind != "count" else NUMBER
    raise AssertionError(op)


def _dimensionless(a: Type, b: Type) -> Type:
    # A count with a literal may leave the whole numbers (visits / 2, visits * 1.5): a number.
    if a.kind == "literal":
        return NUMBER if b.kind == "count" else b
    if b.kind == "literal":
        return NUMBER if a.kind == "count" else a
    if a.kind == b.kind:
        return a
    return NUMBER


# ---------------------------------------------------------------- dates and durations


def _date_arithmetic(op: str, a: Type, b: Type) -> Type:
    """A date moves by days: date ± days is a date, days + date a date, date - date the days between."""
    if a is DATE and b is DATE:
        if op == "-":
            return DAYS
        return _fail("two dates cannot be " + ("added" if op == "+" else "multiplied or divided") +
                     "; their difference (later - earlier) is a number of days")
    other = b if a is DATE else a
    if op in "+-" and (other is DAYS or other.kind == "literal") and (a is DATE or op == "+"):
        return DATE
    if op in "+-" and other is MONTHS:
        return _fail("a date moves by days, not months, since months differ in length")
    if op == "-" and b is DATE:
        return _fail("days minus a date has no meaning; subtract the days from the date")
    if op in "+-":
        return _fail(f"a date moves by days, but this is {_article(other)}")
    return _fail("a date cannot be multiplied or divided")


def _durations(op: str, a: Type, b: Type) -> Type:
    """Days and months: like money, a unit that mixes only with itself and with bare numbers when added."""
    for side in (a, b):
        if not side.numeric:
            raise UnitError(f"'{op}' needs numbers, but one side is {_article(side)}")
    unit = a if a.is_duration else b
    other = b if a.is_duration else a
    if a.is_duration and b.is_duration and a != b:
        return _fail("days and months do not mix: a month has no fixed number of days")
    if op in "+-":
        if other == unit or other.kind == "literal":
            return unit
        verb = "add" if op == "+" else "subtract"
        return _fail(f"cannot {verb} {_article(other)} and {unit}")
    if op == "*":
        if other == unit:
            return _fail(f"{unit} times {unit} has no meaning in a policy")
        return MONEY if other.is_money else unit  # 22 days x ¥100 a day is money; 22 days x 50% is days
    # division
    if other == unit:
        return PERCENT  # the share of one stretch in another: 22 days / 31 days
    if b.is_duration:
        return MONEY if a.is_money else NUMBER  # per day: money / days is money a day, 2 / days a rate
    if b.is_money:
        return _fail(f"dividing {unit} by money has no meaning in a policy")
    return unit  # 22 days / 2 is 11 days


def comparable(a: Type, b: Type) -> None:
    """Raise UnitError unless `a` and `b` can be compared."""
    if a is ERROR or b is ERROR:
        return
    if textlike(a) and textlike(b):
        return
    if a.kind == b.kind and a.kind in ("bool", "date"):
        return
    if (a.is_duration or b.is_duration) and a.numeric and b.numeric:
        if a != b and "literal" not in (a.kind, b.kind):
            raise UnitError(f"cannot compare {_article(a)} with {_article(b)}")
        return
    if a.numeric and b.numeric:
        if a.is_money != b.is_money and "literal" not in (a.kind, b.kind):
            other = b if a.is_money else a
            raise UnitError(say("C206.compare", a=_article(MONEY), b=_article(other)))
        return
    raise UnitError(say("C206.compare", a=_article(a), b=_article(b)))


def unify(a: Type, b: Type, what: str) -> Type:
    """The type of a value that is either `a` or `b` (branches, band results, min/max)."""
    if a is ERROR or b is ERROR:
        return ERROR
    if a == b:
        return a
    if a.numeric and b.numeric and (a.is_duration or b.is_duration):
        if "literal" in (a.kind, b.kind):
            return a if a.is_duration else b
        return _fail(f"{what} mix {_article(a)} with {_article(b)}")
    if a.numeric and b.numeric:
        if a.is_money or b.is_money:
            if "literal" in (a.kind, b.kind):
                return MONEY
            return _fail(say("C206.mix", what=what, a=_article(MONEY), b=_article(b if a.is_money else a)))
        return _dimensionless(a, b)
    if textlike(a) and textlike(b):
        return TEXT
    return _fail(say("C206.mix", what=what, a=_article(a), b=_article(b)))


def _fail(message: str) -> Type:
    raise UnitError(message)


def _article(t: Type) -> str:
    """The type as a message names it: "money", "text", "a percent", "an error" (said in each language)."""
    return say(f"art.{t}")


def said(t: Type) -> str:
    """The type's name in a message: "percent" in English, 百分比 in Chinese."""
    return say(f"ty.{t}")
