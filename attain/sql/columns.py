"""Compiling, the ground floor: exact values as SQL columns, and the integer arithmetic on them.

Every intermediate value of a compiled policy is a column of its own (`_t12`),
computed in the first projection after the columns it reads; the query is a
chain of projections, one per level. So each SQL expression stays small (it
names columns, never repeats a subexpression) and a window function simply
reads columns of an earlier level.

A number is a `Num`: a HUGEINT numerator column over a denominator that is
either a Python int known when the SQL is written (a fixed scale) or a column
(a general pair, after division by a row value); the denominator is always
positive. Every column holding a numerator or denominator stays below LIMIT in
magnitude: a product is guarded by its DOUBLE estimate and a sum by an exact
test, and where the guard fails the value is NULL. NULL always means "SQL does
not know this value": the row is then computed by the reference evaluator,
which either finds the value (an overflow, a division the policy guards) or
names the error. A non-NULL value is always the exact value.
"""

from __future__ import annotations

import re
from fractions import Fraction
from math import gcd

import attrs

LIMIT = 4 * 10**37  # |every numerator and denominator| < LIMIT < 2^127 / 4
PRODUCT_GUARD = "3e37"  # a DOUBLE product below it is exact below LIMIT (relative error < 1e-15)
LIMIT_SQL = f"CAST({LIMIT} AS HUGEINT)"
BIGINT = 9223372036854775807


@attrs.frozen
class Num:
    """An exact number: n / d, d > 0; `d` an int (fixed) or a column; `const` its value when it is a literal."""

    n: str
    d: int | str
    const: Fraction | None = None

    @property
    def fixed(self) -> bool:
        return isinstance(self.d, int)


@attrs.frozen
class Scalar:
    """A yes/no, text or date value: one SQL expression (a column or a literal)."""

    sql: str
    kind: str  # "bool", "text" or "date"


@attrs.frozen
class TierVal:
    """A tier: its name's column, and each result it carries."""

    name: str
    fields: dict


Value = Num | Scalar | TierVal

NULL_NUM = Num("CAST(NULL AS HUGEINT)", 1)


def lit(k: int) -> str:
    """An integer literal typed HUGEINT (a bare literal may be typed BIGNUM or DOUBLE)."""
    if abs(k) >= LIMIT:
        return "CAST(NULL AS HUGEINT)"  # beyond what a column may hold: unknown, the reference evaluator's
    return f"CAST({k} AS HUGEINT)"


def text_literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def constant(v: Fraction) -> Num:
    return Num(lit(v.numerator), v.denominator, v)


_ORG = "__ORG_SOURCE__"  # compile_org.ORG_SOURCE: a subquery reading the level's rows, which stays in place
_TEMP = re.compile(r"\b_t(\d+)\b")
_QUOTED = re.compile(r"'(?:[^']|'')*'")


class Columns:
    """The intermediate columns of one query, by level: a column's level is one past those it reads."""

    def __init__(self) -> None:
        self.levels: list[list[tuple[str, str]]] = []
        self.level_of: dict[str, int] = {}
        self._seen: dict[str, str] = {}
        # column -> a bound on the magnitude of its every value that is not NULL, where one is proved (from the
        # data's own largest values, `InputRelation.bounds`): arithmetic that provably fits needs no guard
        self.bounds: dict[str, int] = {}

    def level(self, sql: str) -> int:
        found = [self.level_of[f"_t{m}"] for m in _TEMP.findall(_QUOTED.sub("''", sql))]
        return max(found, default=-1) + 1

    def add(self, sql: str, at_least: int = 0) -> str:
        """A column computing `sql`; the same SQL twice is one column."""
        if sql in self._seen:
            return self._seen[sql]
        name = f"_t{len(self.level_of)}"
        lv = max(self.level(sql), at_least)
        while len(self.levels) <= lv:
            self.levels.append([])
        self.levels[lv].append((name, sql))
        self.level_of[name] = lv
        self._seen[sql] = name
        return name

    def scheduled(self, used: str) -> list[list[tuple[str, str]]]:
        """The levels to compute, each column as late as its readers allow (`used`: the SQL that reads the last
        level), except windows and what they read, which stay as early as possible.

        A window operator holds every column that passes through it; computing the rest after the windows
        keeps those rows narrow (no column moves before what it reads, nor after what reads it)."""
        deps = {name: self._reads(sql) for level in self.levels for name, sql in level}
        early: set[str] = set()
        todo = [name for level in self.levels for name, sql in level if " OVER (" in sql or _ORG in sql]
        while todo:
            name = todo.pop()
            if name not in early:
                early.add(name)
                todo += deps[name]
        last = len(self.levels)
        at = {name: last for name in self._reads(used)}
        placed: dict[str, int] = {}
        for lv in range(last - 1, -1, -1):
            for name, _sql in self.levels[lv]:
                placed[name] = lv if name in early else max(lv, at.get(name, last) - 1)
                for dep in deps[name]:
                    at[dep] = min(at.get(dep, last), placed[name])
        levels: list[list[tuple[str, str]]] = [[] for _ in range(last)]
        for level in self.levels:
            for name, sql in level:
                levels[placed[name]].append((name, sql))
        return levels

    def _reads(self, sql: str) -> list[str]:
        return [f"_t{m}" for m in _TEMP.findall(_QUOTED.sub("''", sql)) if f"_t{m}" in self.level_of]


class Arithmetic:
    """Exact integer arithmetic on `Num`s, each step a guarded column."""

    cols: Columns

    def col(self, sql: str) -> str:
        if _simple(sql):
            return sql
        return self.cols.add(sql)

    def bound(self, sql: str | int) -> int | None:
        """A proved bound on |value| of the column (or literal) `sql` wherever it is not NULL; None: unknown."""
        if isinstance(sql, int):
            return abs(sql)
        found = _LITERAL.fullmatch(sql)
        return abs(int(found.group(1))) if found else self.cols.bounds.get(sql)

    def bounded(self, sql: str, bound: int | None) -> str:
        """The column computing `sql` (a bound on its magnitude proved by the caller, None: unknown)."""
        name = self.col(sql)
        if bound is not None and bound < LIMIT and not _LITERAL.fullmatch(name):
            self.cols.bounds.setdefault(name, bound)
        return name

    def _fits(self, *bounds: int | None) -> int | None:
        """The product of the bounds, when every one is known and the product stays below LIMIT."""
        total = 1
        for b in bounds:
            if b is None:
                return None
            total *= b
        return total if total < LIMIT else None

    # ------------------------------------------------------------ integers
    def imul(self, a: str, b: str | int) -> str:
        """a * b, NULL beyond LIMIT; b may be an int known now."""
        if isinstance(b, int):
            if b == 1:
                return a
            if b == 0:
                return self.bounded(f"CASE WHEN {a} IS NOT NULL THEN {lit(0)} END", 0)
            if b == -1:
                return self.bounded(f"(-{a})", self.bound(a))
            if abs(b) >= LIMIT:
                return NULL_NUM.n
            b = lit(b)
        proved = self._fits(self.bound(a), self.bound(b))
        if proved is not None:  # the data's bounds prove the product fits: no guard
            return self.bounded(f"({a} * {b})", proved)
        return self.col(f"CASE WHEN abs(CAST({a} AS DOUBLE) * CAST({b} AS DOUBLE)) < {PRODUCT_GUARD} "
                        f"THEN {a} * {b} END")

    def iadd(self, a: str, b: str, op: str = "+") -> str:
        """a + b (or a - b): both below LIMIT, so the sum fits; NULL when it reaches LIMIT."""
        ba, bb = self.bound(a), self.bound(b)
        if ba is not None and bb is not None and ba + bb < LIMIT:
            return self.bounded(f"({a} {op} {b})", ba + bb)
        return self.col(f"CASE WHEN abs({a} {op} {b}) < {LIMIT_SQL} THEN {a} {op} {b} END")

    def tdiv(self, a: str, b: str) -> str:
        """a // b truncated toward zero (b > 0), through BIGINT when both fit (15x faster)."""
        ba, bb = self.bound(a), self.bound(b)
        if ba is not None and bb is not None and ba <= BIGINT and bb <= BIGINT:  # |a // b| <= |a|
            return self.bounded(f"CAST(CAST({a} AS BIGINT) // CAST({b} AS BIGINT) AS HUGEINT)", ba)
        return self.col(f"CASE WHEN {a} BETWEEN -{BIGINT} AND {BIGINT} AND {b} <= {BIGINT} "
                        f"THEN CAST(CAST({a} AS BIGINT) // CAST({b} AS BIGINT) AS HUGEINT) ELSE {a} // {b} END")

    def den_sql(self, x: Num) -> str:
        return lit(x.d) if isinstance(x.d, int) else x.d

    # ------------------------------------------------------------ numbers
    def neg(self, x: Num) -> Num:
        return Num(self.bounded(f"(-{x.n})", self.bound(x.n)), x.d, -x.const if x.const is not None else None)

    def add(self, x: Num, y: Num, op: str = "+") -> Num:
        if x.const is not None and y.const is not None:
            return constant(x.const + y.const if op == "+" else x.const - y.const)
        if isinstance(x.d, int) and isinstance(y.d, int):
            lcm = x.d * y.d // gcd(x.d, y.d)
            return Num(self.iadd(self.imul(x.n, lcm // x.d), self.imul(y.n, lcm // y.d), op), lcm)
        if x.d == y.d:
            return Num(self.iadd(x.n, y.n, op), x.d)
        d = self.imul(self.den_sql(y), x.d) if isinstance(x.d, int) else self.imul(x.d, y.d)
        return Num(self.iadd(self.imul(x.n, y.d), self.imul(y.n, x.d), op), d)

    def mul(self, x: Num, y: Num) -> Num:
        if x.const is not None and y.const is not None:
            return constant(x.const * y.const)
        if x.const is not None:
            x, y = y, x
        if y.const is not None:
            p, q = y.const.numerator, y.const.denominator
            if isinstance(x.d, int):
                g = gcd(p, x.d)
                return Num(self.imul(x.n, p // g), x.d // g * q)
            return Num(self.imul(x.n, p), self.imul(x.d, q))
        if isinstance(x.d, int) and isinstance(y.d, int):
            return Num(self.imul(x.n, y.n), x.d * y.d)
        d = self.imul(self.den_sql(y), x.d) if isinstance(x.d, int) else self.imul(x.d, y.d)
        return Num(self.imul(x.n, y.n), d)

    def div(self, x: Num, y: Num) -> Num:
        """x / y; NULL where y is 0 (the reference evaluator names the division, or the policy guards it)."""
        if y.const is not None:
            if y.const == 0:
                return NULL_NUM
            return self.mul(x, constant(1 / y.const))
        # x / y = (xn * yd) / (xd * yn), the sign moved into the numerator.
        if isinstance(x.d, int) and isinstance(y.d, int):
            g = gcd(x.d, y.d)
            top = self.imul(x.n, y.d // g)
            bottom: str = self.imul(self.bounded(f"abs({y.n})", self.bound(y.n)), x.d // g)
        else:
            top = self.imul(x.n, y.d)
            bottom = self.imul(self.bounded(f"abs({y.n})", self.bound(y.n)), x.d)
        n = self.bounded(f"CASE WHEN {y.n} > 0 THEN {top} WHEN {y.n} < 0 THEN -{top} END", self.bound(top))
        d = self.bounded(f"CASE WHEN {y.n} <> 0 THEN {bottom} END", self.bound(bottom))
        return Num(n, d)

    def compare(self, x: Num, y: Num, op: str) -> str:
        """A yes/no column: x op y, by cross-multiplication (NULL where a product overflows)."""
        sql_op = {"=": "=", "!=": "<>"}.get(op, op)
        if x.const is not None and y.const is not None:
            return {True: "TRUE", False: "FALSE"}[_compare(x.const, y.const, op)]
        if x.d == y.d:
            a, b = x.n, y.n
        elif isinstance(x.d, int) and isinstance(y.d, int):
            lcm = x.d * y.d // gcd(x.d, y.d)
            a, b = self.imul(x.n, lcm // x.d), self.imul(y.n, lcm // y.d)
        else:
            a, b = self.imul(x.n, y.d), self.imul(y.n, x.d)
        return self.col(f"({a} {sql_op} {b})")

    def round_to(self, x: Num, step: Fraction, mode: str) -> Num:
        """x rounded to a multiple of `step` under `mode`: integer division, then the mode's correction."""
        a, b = step.numerator, step.denominator
        big_n = self.imul(x.n, b)
        big_d: str = lit(x.d * a) if isinstance(x.d, int) else self.imul(x.d, a)
        t = self.tdiv(big_n, big_d)
        # |t * D| <= |N|: no overflow; r has N's sign, |r| < D
        r = self.bounded(f"({big_n} - {t} * {big_d})", self.bound(big_d))
        sign = f"(CASE WHEN {r} > 0 THEN 1 WHEN {r} < 0 THEN -1 ELSE 0 END)"
        half = f"abs({r}) >= {big_d} - abs({r})"
        more = f"abs({r}) > {big_d} - abs({r})"
        step_sql = {
            "down": "0",
            "up": sign,
            "floor": f"(CASE WHEN {r} < 0 THEN -1 ELSE 0 END)",
            "ceiling": f"(CASE WHEN {r} > 0 THEN 1 ELSE 0 END)",
            "half_up": f"(CASE WHEN {half} THEN {sign} ELSE 0 END)",
            "half_down": f"(CASE WHEN {more} THEN {sign} ELSE 0 END)",
            "half_even": f"(CASE WHEN {more} OR ({half} AND {t} % 2 <> 0) THEN {sign} ELSE 0 END)",
        }[mode]
        bt = self.bound(t)
        k = self.bounded(f"({t} + {step_sql})", bt + 1 if bt is not None else None)
        return Num(self.imul(k, a), b)

    def is_null(self, v: Value) -> list[str]:
        """SQL tests that are true where `v` is unknown."""
        if isinstance(v, Num):
            return [f"{v.n} IS NULL"] + ([] if isinstance(v.d, int) else [f"{v.d} IS NULL"])
        if isinstance(v, Scalar):
            return [f"{v.sql} IS NULL"]
        out = [f"{v.name} IS NULL"]
        for f in v.fields.values():
            out += self.is_null(f)
        return out


def _simple(sql: str) -> bool:
    """A column name or a literal: no column of its own needed."""
    return bool(_SIMPLE.fullmatch(sql))


_LITERAL = re.compile(r"CAST\((-?\d+) AS HUGEINT\)")
_SIMPLE = re.compile(r"_t\d+|in_\d+|__\w+|h\d+_\w+|CAST\(-?\d+ AS HUGEINT\)|CAST\(NULL AS HUGEINT\)|TRUE|FALSE|NULL")


def _compare(a: Fraction, b: Fraction, op: str) -> bool:
    return {">=": a >= b, ">": a > b, "<=": a <= b, "<": a < b, "=": a == b, "!=": a != b}[op]
