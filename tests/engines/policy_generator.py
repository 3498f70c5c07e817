"""Engines, generating: whole policies that use every construct, and data for them, as Hypothesis strategies.

Every generated policy has every family of the language in it: formulas over every input
type (+ - * /, comparisons, and/or/not, if/else, the value functions, round with a mode or
without, `unless`; numbers, money, texts, dates and flags), a band, lookups over a text
with `else` and over a `one of` input without, a weighted scorecard, first-match tiers
carrying a number, a text and a flag, marginal and retroactive brackets with and without
`relative to`, variants by role, flags, payouts and given(); with `period month`, history
(previous one and two or three periods back, a value carried forward, streak, one or two
rolling functions), dates and the period (period_start, period_end, period_days, every date
function, a date moved by days, days between dates, proration by days employed, with a
leave date often empty) and, with or without periods, group values (two to four of the group
functions, within a text input or everyone, with and without `except self`, one over
another). What varies is the detail: which formula, bound, operator, mode, function or
group. `rollups` makes a quarterly policy that `uses` a generated monthly one and combines
some of its outputs. `test_corpus_coverage` proves a fixed set of examples uses every
construct.

Policies are valid by construction (typed formulas, bands whose bounds cut the line without
gaps or overlaps, tiers whose thresholds fall, rising bracket bounds, weights adding up to
100%), so the checker seldom refuses one. Data has several employees and periods, and, when
`hazards` is drawn, zeros that make divisions fail, empty cells for inputs without defaults
and a missing month; small pools of values make ties for rank and percentile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import hypothesis.strategies as st
from hypothesis import assume

from attain.dsl.builtins import GROUP_FUNCTIONS, ROUND_MODES
from attain.dsl.checker import check
from attain.dsl.parser import parse
from attain.io import Row, Table

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]

REGIONS = ("N", "S", "E")
ROLES = ("rep", "lead")
MODES = tuple(ROUND_MODES)
CMP = (">=", ">", "<=", "<", "=", "!=")

NUMBERS = ("0", "1", "2", "3", "0.5", "1.25", "10", "100", "1_000", "15%", "80%", "120%", "0%", "-2")
NONZERO = ("1", "2", "3", "0.5", "1.25", "10", "100", "15%", "80%", "120%", "-2")
AMOUNTS = ("¥0", "¥100", "$250", "¥1_000", "¥99.50", "￥40", "-¥30")
NONZERO_AMOUNTS = ("¥100", "$250", "¥1_000", "¥99.50", "￥40")
DATES = ("2023-01-01", "2023-02-15", "2023-03-01", "2022-12-31")
ROLLING = ("rolling_sum", "rolling_mean", "rolling_min", "rolling_max")
PLAN_WORDS = ("first_period_of_year", "last_period_of_year", "first_period_of_quarter", "last_period_of_quarter")
ACCRUAL = ("year_to_date", "earlier_this_year", "quarter_to_date", "earlier_this_quarter")
# Plan years that start inside the generated months (January to April), so sums restart within the data.
PLAN_YEARS = ("January", "February", "March", "April")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
ZEROS = ("0", "0%", "¥0")
BOOLS = ("true", "false")
STEPS = ("0.01", "1", "0.5", "5", "0.25", "10")
# Boundary magnitudes (issue 8), drawn into a share of the tables: values whose products, sums over a group, over
# reports or over months, windows, brackets, rate tables and roundings cross 2^63 (9.2 * 10^18) and 2^127 (1.7 *
# 10^38), up to values no 128-bit integer holds; and tiny fractions whose quotients and denominators do.
HUGE = ("5000000000000000000", "9223372036854775807", "10000000000000000000", "-10000000000000000000",
        "123456789012345678901234567890", "10000000000000000000000000000000000000",
        "-99999999999999999999999999999999999999", "170141183460469231731687303715884105728")
TINY = ("0.000000000000000000000000000001", "3.000000000000000000000000000007", "-0.0000000000000000007")
BOUNDARY = {"money": HUGE + TINY, "number": HUGE + TINY, "count": HUGE[:3] + HUGE[4:6],
            "percent": ("5000000000000000000%", "0.000000000000000000000000000001%", "-123456789012345678901234567%")}


@attrs.frozen
class InputSpec:
    """An input of a generated policy: its type, whether an empty cell takes a default, and its cells."""

    name: str
    type: str
    default: bool
    cells: tuple[str, ...]
    nonzero: tuple[str, ...] = ()  # the cells without a zero, for data without hazards


@attrs.frozen
class Generated:
    """A generated policy's text, its inputs, and the monthly policy it `uses` (for a roll-up)."""

    text: str
    inputs: tuple[InputSpec, ...]
    periodic: bool
    monthly: str | None = None


INPUTS = (
    InputSpec("region", "text", False, REGIONS),
    InputSpec("role", "text", False, ROLES),
    InputSpec("sales", "money", False, ("0", "100", "250", "1,200", "99.99", "¥300", "-50", "1000"),
              ("100", "250", "1,200", "99.99", "¥300", "-50", "1000")),
    InputSpec("target", "money", False, ("0", "100", "200", "1000", "250.50"), ("100", "200", "1000", "250.50")),
    InputSpec("plan0", "money", False, ("0", "100", "500"), ("100", "500")),
    InputSpec("rate", "percent", False, ("0%", "5%", "95%", "0.5", "120%", "-10%"),
              ("5%", "95%", "0.5", "120%", "-10%")),
    InputSpec("score", "number", False, ("0", "1", "2.5", "-3", "4", "10"), ("1", "2.5", "-3", "4", "10")),
    InputSpec("visits", "count", True, ("0", "1", "2", "3", "7"), ("1", "2", "3", "7")),
    InputSpec("active", "bool", True, ("true", "false")),
    InputSpec("hired", "date", False, DATES),
    # a leave date, often empty (still employed), now and then before the hire date (E331 by every engine)
    InputSpec("left", "date", False, ("2023-01-31", "2023-02-14", "2023-03-31", "2023-05-01", "2022-12-30")),
    InputSpec("bonus0", "money", True, ("50", "100")),
    InputSpec("extra", "number", False, ("1", "0", "3.5")),
    # the manager column: another employee's id, or empty at the top (its cells are drawn by `tables`)
    InputSpec("boss", "employee", False, ()),
)
DECLARATIONS = {
    "region": "input region : text",
    "role": 'input role   : text one of "rep", "lead"',
    "sales": 'input sales  : money "销售额"',
    "target": "input target : money",
    "plan0": "input plan0  : money",
    "rate": "input rate   : percent",
    "score": "input score  : number",
    "visits": "input visits : count default 0",
    "active": "input active : bool default false",
    "hired": "input hired  : date",
    "left": "input left   : date",
    "bonus0": "input bonus0 : money default 100",
    "extra": "input extra  : number",
    "boss": 'input boss   : employee "直属上级"',
}
GROUPS = {"region": REGIONS, "role": ROLES}
REPORTS_FUNCTIONS = ("sum", "mean", "count", "min", "max")  # the group functions over reports
KIND = {"money": "money", "percent": "num", "number": "num", "count": "num", "bool": "bool", "text": "text",
        "date": "date", "employee": "text"}


class Writer:
    """Writes one policy, drawing each choice; knows the names defined so far by kind."""

    def __init__(self, draw: Draw[Any], periodic: bool, prefix: str = ""):
        self.draw = draw
        self.prefix = prefix  # of every name it makes, apart from those of another policy
        self.periodic = periodic
        self.lines: list[str] = []
        self.names: dict[str, list[str]] = {"money": [], "num": [], "bool": [], "text": [], "date": [],
                                            "days": [], "months": []}
        for spec in INPUTS:
            # `extra` is often empty: it is read only where given(extra) guards it; `left` too, read only
            # where an empty cell means still employed
            # `boss` is empty at the top: read only by the org chart's group values
            if spec.name not in ("extra", "left", "boss") and (spec.name not in ("plan0", "left") or periodic):
                self.names[KIND[spec.type]].append(spec.name)
        self.outputs: list[str] = []
        self.tiers: list[str] = []
        self.count = 0

    def pick(self, options: tuple[T, ...] | list[T]) -> T:
        return self.draw(st.sampled_from(tuple(options)))

    def chance(self, one_in: int) -> bool:
        return self.draw(st.integers(0, one_in - 1)) == 0

    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"{self.prefix}{stem}{self.count}"

    def define(self, kind: str, name: str, body: str) -> None:
        """A value, an output too; later formulas may use it."""
        self.lines.append(f"{name} = {body}")
        self.names[kind].append(name)
        self.outputs.append(name)

    # ------------------------------------------------------------ formulas
    def expr(self, kind: str, depth: int = 2) -> str:
        return {"money": self.money, "num": self.num, "bool": self.cond, "text": self.text, "date": self.date}[kind](
            depth)

    def leaf(self, kind: str, nonzero: bool = False) -> str:
        if kind == "money":
            if self.chance(3):
                return self.pick(NONZERO_AMOUNTS if nonzero else AMOUNTS)
            return self.pick(self.names["money"])
        if self.chance(3):
            return self.pick(NONZERO if nonzero else NUMBERS)
        return self.pick(self.names["num"])

    def money(self, depth: int) -> str:
        if depth <= 0 or self.chance(3):
            return self.leaf("money")
        d = depth - 1
        form = self.draw(st.integers(0, 11))
        if form == 0:
            return f"({self.money(d)} {self.pick(('+', '-'))} {self.money(d)})"
        if form == 1:
            return f"({self.money(d)} {self.pick(('+', '-'))} {self.pick(('1_000', '0', '50'))})"
        if form == 2:
            return f"({self.money(d)} * {self.num(d)})" if self.chance(2) else f"({self.num(d)} * {self.money(d)})"
        if form == 3:
            return f"({self.money(d)} / {self.divisor('num', d)})"
        if form == 4:
            args = ", ".join(self.money(d) for _ in range(self.draw(st.integers(2, 3))))
            return f"{self.pick(('min', 'max'))}({args})"
        if form == 5:
            return f"clamp({self.money(d)}, {self.pick(('0', '-100'))}, {self.pick(('¥500', '2_000'))})"
        if form == 6:
            return f"abs({self.money(d)})"
        if form == 7:
            return self.rounded(self.money(d))
        if form == 8:
            return f"({self.money(d)} if {self.cond(d)} else {self.money(d)})"
        if form == 9:
            return f"-{self.money(d)}"
        if form == 10:
            return f"({self.money(d)} * tier.coefficient)" if self.tiers else self.leaf("money")
        return f"({self.money(d)} / {self.divisor('num', d)} if {self.divisor('num', d)} != 0 else {self.money(d)})"

    def num(self, depth: int) -> str:
        if depth <= 0 or self.chance(3):
            return self.leaf("num")
        d = depth - 1
        form = self.draw(st.integers(0, 10))
        if form == 0:
            return f"({self.num(d)} {self.pick(('+', '-', '*'))} {self.num(d)})"
        if form == 1:
            return f"({self.num(d)} / {self.divisor('num', d)})"
        if form == 2:
            return f"({self.money(d)} / {self.divisor('money', d)})"
        if form == 3:
            args = ", ".join(self.num(d) for _ in range(self.draw(st.integers(2, 3))))
            return f"{self.pick(('min', 'max'))}({args})"
        if form == 4:
            return f"clamp({self.num(d)}, {self.pick(('0', '-1', '50%'))}, {self.pick(('1', '2', '150%'))})"
        if form == 5:
            return f"abs({self.num(d)})" if self.chance(2) else f"sign({self.expr(self.pick(('num', 'money')), d)})"
        if form == 6:
            return self.rounded(self.num(d))
        if form == 7:
            return f"({self.num(d)} if {self.cond(d)} else {self.num(d)})"
        if form == 8:
            return f"-{self.num(d)}"
        if form == 9:
            return f"({self.num(d)} * 100)"
        return f"({self.num(d)} / {self.divisor('num', d)} if {self.divisor('num', d)} != 0 else {self.leaf('num')})"

    def text(self, depth: int) -> str:
        """A text: a text input or value (not a tier, which compares only with its tiers' names), or a literal."""
        if depth <= 0 or self.chance(2):
            if self.chance(3):
                return f"\"{self.pick(REGIONS)}\""
            return self.pick([name for name in self.names["text"] if name != "tier"])
        return f"({self.text(depth - 1)} if {self.cond(depth - 1)} else {self.text(depth - 1)})"

    def date(self, depth: int) -> str:
        if depth <= 0 or self.chance(2):
            return self.pick(DATES) if self.chance(3) else self.pick(self.names["date"])
        return f"({self.date(depth - 1)} if {self.cond(depth - 1)} else {self.date(depth - 1)})"

    def divisor(self, kind: str, depth: int) -> str:
        """A divisor: never the literal 0 (the checker's C208), often a name that may hold 0."""
        if depth <= 0 or not self.chance(3):
            return self.leaf(kind, nonzero=True)
        found = self.expr(kind, depth - 1)
        return self.leaf(kind, nonzero=True) if found in ZEROS else found

    def rounded(self, value: str) -> str:
        mode = self.pick((None, *MODES))
        return f"round({value}, {self.pick(STEPS)}" + (f", {mode})" if mode else ")")

    def cond(self, depth: int) -> str:
        if depth <= 0:
            return self.simple_cond()
        d = depth - 1
        form = self.draw(st.integers(0, 4))
        if form == 0:
            return f"({self.cond(d)} {self.pick(('and', 'or'))} {self.cond(d)})"
        if form == 1:
            return f"not {self.cond(d)}"
        return self.simple_cond(d)

    def simple_cond(self, depth: int = 0) -> str:
        form = self.draw(st.integers(0, 8))
        if form <= 1:
            return f"{self.money(depth)} {self.pick(CMP)} {self.money(depth)}"
        if form <= 3:
            return f"{self.num(depth)} {self.pick(CMP)} {self.num(depth)}"
        if form == 4:
            return f"{self.text(depth)} {self.pick(('=', '!='))} \"{self.pick(REGIONS)}\""
        if form == 5:
            return f"{self.date(depth)} {self.pick(CMP)} {self.pick(DATES)}"
        if form == 6:
            return self.pick([*self.names["bool"], "true", "false", "given(extra)"])
        if form == 7 and self.tiers:
            return f"tier {self.pick(('=', '!='))} \"{self.pick(self.tiers)}\""
        return f"role = \"{self.pick(ROLES)}\""

    # ------------------------------------------------------------ the families
    def formulas(self, most: int) -> None:
        for _ in range(self.draw(st.integers(1, most))):
            kind = self.pick(("money", "num", "num", "bool", "text", "date"))
            body = self.expr(kind)
            if kind in ("money", "num") and self.chance(3):
                body += f" unless {self.cond(1)}"
            self.define(kind, self.fresh("v"), body)
        self.define("num", self.fresh("gx"), f"extra if given(extra) else {self.leaf('num')}")

    def band(self) -> None:
        kind = self.pick(("money", "num"))
        subject = self.pick(self.subjects(kind)) if self.chance(2) else self.expr(kind, 1)
        percent = kind == "num" and self.chance(2)
        # Bounds of numbers above 0, so a band over a count still matches in every row (else C218).
        low = -4 if kind == "money" else 1
        points = sorted(self.draw(st.sets(st.integers(low, 12), min_size=1, max_size=3)))
        bounds = [f"{p * 10}%" if percent else str(p * 50 if kind == "money" else p) for p in points]
        rows = self.band_rows(bounds)
        results = self.pick(("money", "num"))
        otherwise = self.chance(3)
        if otherwise and len(rows) > 1:
            rows = self.draw(st.lists(st.sampled_from(rows), min_size=1, max_size=len(rows), unique=True))
        rows = self.draw(st.permutations(rows))
        lines = [f"    {row} -> {self.expr(results, 1)}" for row in rows]
        if otherwise:
            lines.append(f"    otherwise -> {self.expr(results, 1)}")
        self.define(results, self.fresh("band"), f"band {subject}{self.gate()}\n" + "\n".join(lines))

    def band_rows(self, bounds: list[str]) -> list[str]:
        """Rows that cut the number line at `bounds` into pieces, every value in exactly one."""
        first, last = bounds[0], bounds[-1]
        if len(bounds) == 1 and self.chance(3):
            return [f"<= {first}", f"{self.pick(('>', 'above'))} {first}"]
        # below the first bound; from each bound to the next (`a to b` holds a, not b); from the last
        rows = [f"{self.pick(('<', 'below'))} {first}"]
        rows += [f"{a} to {b}" for a, b in zip(bounds, bounds[1:], strict=False)]
        if self.chance(2):
            rows += [f"= {last}", f"{self.pick(('>', 'above'))} {last}"]
        else:
            rows.append(f">= {last}")
        return rows

    def subjects(self, kind: str) -> list[str]:
        """Names a band or tier may look at: not a rank, which is never below 1 (bounds there never match)."""
        return [name for name in self.names[kind] if not name.startswith("rank")]

    def gate(self) -> str:
        """Now and then, `unless` a condition, which makes the value 0."""
        return f" unless {self.cond(0)}" if self.chance(5) else ""

    def lookups(self) -> None:
        kind = self.pick(("money", "num"))
        keys = self.draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True))
        lines = [f"    \"{k}\" -> {self.expr(kind, 1)}" for k in keys]
        subject = self.text(1)
        subject = "region" if subject == "role" else subject  # role's `one of` has no "N" (C224)
        self.define(kind, self.fresh("lk"), f"lookup {subject}{self.gate()}\n" + "\n".join(lines)
                    + f"\n    else -> {self.expr(kind, 1)}")
        # over `one of` input, every value given: no `else` needed
        lines = [f"    \"{k}\" -> {self.leaf('num')}" for k in self.draw(st.permutations(ROLES))]
        self.define("num", self.fresh("lk"), "lookup role\n" + "\n".join(lines))

    def weighted(self) -> None:
        scores = self.draw(st.lists(st.sampled_from(self.names["num"]), min_size=1, max_size=4, unique=True))
        cuts = sorted(self.draw(st.sets(st.integers(1, 99), min_size=len(scores) - 1, max_size=len(scores) - 1)))
        weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        rows = "\n".join(f"    {s} {w}%" for s, w in zip(scores, weights, strict=True))
        self.define("num", self.fresh("card"), f"weighted{self.gate()}\n" + rows)

    def tiers_block(self) -> None:
        subject = self.pick(self.subjects("num") + self.subjects("money"))
        count = self.draw(st.integers(1, 3))
        # falling thresholds above 0: each tier holds somewhere the ones above it do not (else C228)
        steps = sorted(self.draw(st.sets(st.integers(1, 12), min_size=count, max_size=count)), reverse=True)
        money = subject in self.names["money"]
        rows = []
        for i, step in enumerate(steps):
            bound = str(step * 100) if money else str(step)
            condition = f"{subject} {self.pick(('>=', '>'))} {bound}"
            if self.chance(3):
                other = self.cond(0)
                other = 'role = "rep"' if other in BOOLS else other  # a constant would decide the row (C228)
                condition = f"{condition} {self.pick(('and', 'or'))} {other}"
            award = f", award \"{self.pick(('精英', 'star', ''))}\"" if i == 0 or self.chance(2) else ""
            rows.append(f"    t{i} \"第{i}档\" : {condition}\n        -> coefficient {self.leaf('num')}{award}, "
                        f"flag {self.pick(('true', 'false'))}")
        rows.append(f"    rest : otherwise -> coefficient {self.pick(('0', '0.5'))}, flag false")
        self.lines.append("tier = first match\n" + "\n".join(rows))
        self.tiers = [f"t{i}" for i in range(count)] + ["rest"]  # from here on, conditions may name them
        self.outputs.append("tier")
        self.names["text"].append("tier")
        if not self.chance(3):
            self.define("num", self.fresh("tc"), f"tier.coefficient * {self.leaf('num')}")
        self.define("text", self.fresh("ta"), "tier.award")
        self.define("bool", self.fresh("tf"), "tier.flag")
        lines = [f"    \"{t}\" -> {self.leaf('num')}" for t in self.tiers[: self.draw(st.integers(1, count + 1))]]
        self.define("num", self.fresh("lk"), "lookup tier\n" + "\n".join(lines) + f"\n    else -> {self.leaf('num')}")

    def brackets(self) -> None:
        for kind in ("marginal", "retroactive"):
            relative = self.chance(2)
            amount = self.pick(("sales", "target")) if self.chance(2) else self.money(1)
            head = f"{kind} {amount}" + (f" relative to {self.pick(('target', 'plan0' if self.periodic else 'bonus0'))}"
                                          if relative else "")
            if self.chance(4):
                head += f" unless {self.cond(0)}"
            bounds = sorted(self.draw(st.sets(st.integers(-1, 15), min_size=0, max_size=3)))
            # `up to B` and `up to and including B` hold an amount of B, `below B` does not
            words = [self.pick(("up to", "up to", "up to and including", "below")) for _ in bounds]
            rows = [f"    {w} {b * 10}% at {self.rate()}" if relative else f"    {w} {b * 100} at {self.rate()}"
                    for w, b in zip(words, bounds, strict=True)]
            rows.append(f"    above at {self.rate()}")
            self.define("money", self.fresh("br"), head + "\n" + "\n".join(rows))

    # ------------------------------------------------------------ rate tables and curves
    def explicit_rows(self, bounds: list[str]) -> list[str]:
        """Rows that say which side of each bound they hold, cutting the line at `bounds`: each bound goes to
        the row above it (`from b`) or below it (`up to and including b`)."""
        above = [self.chance(2) for _ in bounds]
        rows = [f"below {bounds[0]}" if above[0] else f"up to and including {bounds[0]}"]
        for i in range(len(bounds) - 1):
            lower = "from" if above[i] else "above"
            upper = "below" if above[i + 1] else "up to and including"
            rows.append(f"{lower} {bounds[i]} {upper} {bounds[i + 1]}")
        rows.append(f"from {bounds[-1]}" if above[-1] else f"above {bounds[-1]}")
        return rows

    def cut(self, kind: str) -> tuple[list[str], list[int]]:
        """Bounds over a value of `kind`, as written, and the whole numbers they stand for."""
        percent = kind == "num" and self.chance(2)
        points = sorted(self.draw(st.sets(st.integers(-4 if kind == "money" else 1, 12), min_size=1, max_size=3)))
        return [f"{p * 10}%" if percent else str(p * 50 if kind == "money" else p) for p in points], points

    def cells(self, unit: str, count: int) -> str:
        pool = {"money": ("¥0", "¥100", "¥12.50", "-¥30"), "percent": ("0%", "2.5%", "10%", "-1%", "150%"),
                "number": ("0", "1", "1.5", "-2", "1_000")}[unit]
        return " | ".join(self.pick(pool) for _ in range(count))

    def rate_tables(self) -> None:
        """A named table of ranges used twice, a grid of regions by ranges, a named curve and a `curve` block."""
        kind = self.pick(("money", "num"))
        unit = self.pick(("money", "percent", "number"))
        result = "money" if unit == "money" else "num"
        bounds, _ = self.cut(kind)
        rows = self.explicit_rows(bounds) if self.chance(2) else self.band_rows(bounds)
        name = self.fresh("tbl")
        self.lines.append(f"table {name}\n" + "\n".join(f"    {r} -> {self.cells(unit, 1)}"
                                                        for r in self.draw(st.permutations(rows))))
        for _ in range(2):
            subject = self.pick(self.subjects(kind)) if self.chance(2) else self.expr(kind, 1)
            self.define(result, self.fresh("tv"), f"{name}({subject})")
        # a grid: region (rows, with `else`) by a number (columns)
        kind = self.pick(("money", "num"))
        bounds, _ = self.cut(kind)
        columns = self.explicit_rows(bounds) if self.chance(2) else self.band_rows(bounds)
        keys = [f'"{k}"' for k in self.draw(st.lists(st.sampled_from(REGIONS), max_size=2, unique=True))] + ["else"]
        grid = self.fresh("grid")
        self.lines.append(f"table {grid}\n    columns {' | '.join(columns)}\n" + "\n".join(
            f"    {k} -> {self.cells('percent', len(columns))}" for k in keys))
        subject = self.pick(self.subjects(kind)) if self.chance(2) else self.expr(kind, 1)
        self.define("num", self.fresh("gv"), f"{grid}(region, {subject})")
        # curves: points in rising order, and what holds below and above them
        for named in (True, False):
            kind = self.pick(("money", "num"))
            bounds, _ = self.cut(kind)
            extra = str(int(bounds[-1].rstrip("%")) + 7) + ("%" if bounds[-1].endswith("%") else "")
            points = [*bounds, extra]
            lines = [f"{self.pick(('below', '<'))} {points[0]} -> {self.cells('percent', 1)}"]
            lines += [f"{p} -> {self.cells('percent', 1)}" for p in points]
            lines.append(f"{self.pick(('above', '>'))} {points[-1]} -> {self.cells('percent', 1)}")
            subject = self.pick(self.subjects(kind)) if self.chance(2) else self.expr(kind, 1)
            body = "\n".join(f"    {x}" for x in lines)
            if named:
                curve = self.fresh("crv")
                self.lines.append(f"table {curve}\n{body}")
                self.define("num", self.fresh("cv"), f"{curve}({subject})")
            else:
                self.define("num", self.fresh("cb"), f"curve {subject}{self.gate()}\n{body}")

    def rate(self) -> str:
        return self.pick(("1%", "2.5%", "0%", "10%", "rate", "(rate * 2)", "-1%"))

    def variants(self) -> None:
        kind = self.pick(("money", "num"))
        name = self.fresh("var")
        cases = [("\"rep\"", "\"lead\""), ("\"rep\"", "else"), ("\"lead\"", "else"), ("\"rep\", \"lead\"",)]
        lines = ["variants by role"]
        for key in self.pick(cases):
            lines.append(f"    {key}:")
            body = self.expr(kind, 1) + (f" unless {self.cond(0)}" if self.chance(4) else "")
            lines.append(f"        {name} = {body}")
        self.lines.append("\n".join(lines))
        self.names[kind].append(name)
        self.outputs.append(name)

    def history(self) -> None:
        # A bare `0` takes the unit of the value carried forward (money), though that is defined below.
        self.define("money", "plan", f"previous(next_plan, else {self.pick(('plan0', '0'))})")
        self.define("money", "next_plan", self.pick(("(plan + sales) / 2", "max(plan, sales)",
                                                      "plan + sales - target", f"({self.money(1)} + plan) / 2")))
        kind = self.pick(("money", "num"))
        value = self.pick(self.names[kind])
        otherwise = self.leaf(kind) if kind == "num" else self.pick(("0", "¥10", "sales"))
        self.define(kind, self.fresh("prev"), f"previous({value}, else {otherwise})")
        kind = self.pick(("money", "num", "bool", "text", "date"))
        value = self.pick([name for name in self.names[kind] if name != "tier"])
        otherwise = {"money": "0", "num": "-1", "bool": "false", "text": '"none"', "date": "2023-01-01"}[kind]
        self.define(kind, self.fresh("prev"), f"previous({value}, {self.pick((2, 3))}, else {otherwise})")
        self.define("num", self.fresh("streak"), f"streak({self.cond(1)})")
        for func in ROLLING:  # every one, every time: a construct the corpus covers must not depend on luck
            kind = self.pick(("money", "num"))
            self.define(kind, self.fresh("roll"), f"{func}({self.pick(self.names[kind])}, {self.pick((1, 2, 3))})")
        self.accrual()

    def accrual(self) -> None:
        """The plan year's sums (each every time), a true-up that reads what it paid before, the last-period words."""
        for func in ACCRUAL:
            kind = self.pick(("money", "num"))
            self.define(kind, self.fresh("acc"), f"{func}({self.pick(self.names[kind])})")
        trued = self.fresh("trued")
        self.define("money", trued, f"max(year_to_date({self.pick(self.names['money'])}) - earlier_this_year({trued}), "
                                    f"{self.pick(('0', '-¥5'))})")
        for word in PLAN_WORDS:
            self.define("money", self.fresh("release"), f"{self.money(1)} if {word} else 0")

    def dates(self) -> None:
        """The period's days and every date function; days and months stay in their own pools (their units
        mix with nothing else in a sum), and reach money, numbers, flags and dates through products,
        shares, comparisons and dates moved by them."""
        day = self.pick(self.names["date"])
        left = "" if self.chance(4) else ", left"  # mostly with the leave date, now and then without
        self.define("days", self.fresh("emp"), f"days_employed({day}{left})")
        self.define("months", self.fresh("mon"), f"months_employed({self.pick(self.names['date'])}"
                    f"{self.pick(('', ', left'))})")
        self.define("num", self.fresh("share"), f"{self.pick(self.names['days'])} / period_days")
        self.define("money", self.fresh("prorated"),
                    self.rounded(f"{self.money(1)} * {self.pick(self.names['days'])} / period_days")
                    if self.chance(2) else f"{self.money(1)} * {self.names['days'][-1]} / period_days")
        self.define("money", self.fresh("daily"), f"{self.pick(self.names['days'])} * {self.money(0)}")
        start, end = ("period_start", "period_end") if self.chance(2) else ("period_end", "period_start")
        self.define("days", self.fresh("gap"), self.pick((f"days_between({self.date(1)}, {end})",
                                                          f"{end} - {self.date(1)}", f"{start} - {self.date(0)}")))
        self.define("months", self.fresh("tenure"), f"months_between({self.date(1)}, {self.pick((start, end))})")
        moved = self.pick((str(self.draw(st.integers(-40, 40))), self.names["days"][-1],
                           f"{self.names['days'][-1]} / 2", f"round({self.names['days'][-1]} / 2, 1, down)"))
        self.define("date", self.fresh("moved"), self.pick((f"{self.date(1)} + {moved}", f"{self.date(1)} - {moved}",
                                                            f"{moved} + {self.date(0)}")))
        self.define("bool", self.fresh("inside"), f"in_period({self.date(1)})")
        self.define("bool", self.fresh("long"), f"{self.pick(self.names['months'])} >= {self.pick(('1', '3', '0'))} "
                    f"or {self.pick(self.names['days'])} {self.pick(CMP)} {self.pick(('15', '0', '31'))}")
        self.define("num", self.fresh("ratio"), f"({self.names['months'][-1]} / {self.names['months'][0]} "
                    f"if {self.names['months'][0]} != 0 else -1)")

    def groups(self) -> None:
        for func in self.draw(st.lists(st.sampled_from(tuple(GROUP_FUNCTIONS)), min_size=2, max_size=4, unique=True)):
            spec = GROUP_FUNCTIONS[func]
            group = self.pick(("region", "role", "everyone"))
            mine = spec.except_self and self.chance(2)
            value = self.pick(self.names["num"] + self.names["money"]) if spec.needs_value or self.chance(4) else ""
            call = f"{func}({value + ' ' if value else ''}within {group}{' except self' if mine else ''})"
            kind = "money" if value in self.names["money"] and spec.result == "same" else "num"  # count: num
            if mine and func != "count" and not self.chance(10):
                # guarded: no peers, no value
                call = f"({call} if count(within {group} except self) > 0 else {self.leaf(kind)})"
            self.define(kind, self.fresh(func), call)
        # a value over a group value: a later stage
        self.define("num", self.fresh("share"), f"({self.money(0)} / sum(sales within region) "
                    f"if sum(sales within region) != 0 else 0)")
        self.define("num", self.fresh("rank"), f"rank({self.pick(self.names['num'][-4:])} within everyone)")
        self.reports()

    def reports(self) -> None:
        """The org chart: values over direct or all reports (one to three functions), one over another (a
        later stage), and a group of siblings (`within boss`)."""
        made = []
        for func in self.draw(st.lists(st.sampled_from(REPORTS_FUNCTIONS), min_size=1, max_size=3, unique=True)):
            reach = self.pick(("direct", "all"))
            value = self.pick(self.names["num"] + self.names["money"]) if func != "count" else ""
            call = f"{func}({value + ' ' if value else ''}within {reach} reports)"
            kind = "money" if value in self.names["money"] else "num"
            if func in ("mean", "min", "max") and not self.chance(10):
                # guarded: no reports, no value
                call = f"({call} if count(within {reach} reports) > 0 else {self.leaf(kind)})"
            name = self.fresh(f"{func}_r")
            self.define(kind, name, call)
            made.append((kind, name))
        kind, name = self.pick(made)
        self.define(kind, self.fresh("level"), f"{self.pick(('sum', 'max'))}({name} within "
                    f"{self.pick(('direct', 'all'))} reports{' of boss' if self.chance(3) else ''})")
        self.define("num", self.fresh("siblings"), "count(within boss)")

    def flags_and_payouts(self) -> None:
        self.lines.append(f"flag {self.fresh('flag')} \"标记\" when {self.cond(2)}")
        self.lines.append(f"flag {self.fresh('flag')} when {self.cond(1)}")
        self.lines.append(f"payout {self.fresh('pay')} = {self.rounded(self.money(2))}")
        self.lines.append(f"payout {self.fresh('pay')} = {self.money(1)}")
        # A limit on a computed value: mostly one that rarely holds, so that most rows still pay,
        # sometimes any condition, so that both engines refuse rows alike.
        limit = self.pick((f"{self.money(1)} > ¥1_000_000_000", f"{self.money(1)} < -¥1_000_000_000", self.cond(1)))
        self.lines.append(f'refuse "超出政策上限" when {limit}')


@st.composite
def policies(draw: Draw[Any], periodic: bool | None = None, copies_inputs: bool = True) -> Generated:
    """A whole policy with every family of constructs; `periodic` None draws it."""
    if periodic is None:
        periodic = draw(st.booleans())
    w = Writer(draw, periodic)
    header = ['policy "generated"']
    if periodic:
        header.append("period month")
        if w.chance(2):
            header.append(f"plan year starts {w.pick(PLAN_YEARS)}")
        if w.chance(4):
            header.append("gaps restart")
    inputs = [spec for spec in INPUTS if spec.name not in ("plan0", "left") or periodic]
    w.formulas(3)
    if periodic:
        w.history()
        w.dates()
    w.band()
    w.lookups()
    w.tiers_block()
    w.weighted()
    w.brackets()
    w.rate_tables()
    w.variants()
    w.groups()
    w.formulas(2)
    w.flags_and_payouts()
    outputs = list(dict.fromkeys(w.outputs))
    if copies_inputs:
        outputs += draw(st.lists(st.sampled_from(("region", "hired", "visits")), max_size=2, unique=True))
    lines = [*header, *(DECLARATIONS[spec.name] for spec in inputs), *w.lines, "output " + ", ".join(outputs)]
    return Generated("\n".join(lines) + "\n", tuple(inputs), periodic)


@st.composite
def tables(draw: Draw[Any], generated: Generated, hazards: bool, months: int = 4, boundary: bool = False) -> Table:
    """Rows for several employees (and months), in any order; with `hazards`, zeros, empties and a gap; with
    `boundary`, up to eight employees, about half the numbers drawn from BOUNDARY (huge and tiny)."""
    people = draw(st.integers(1, 8 if boundary else 5))
    periods = draw(st.integers(1, months)) if generated.periodic else 1
    specs = generated.inputs
    columns = ("id", *(("period",) if generated.periodic else ()), *(s.name for s in specs))
    shared = {s.name: draw(st.sampled_from(s.cells)) for s in specs if s.name in GROUPS}
    # a forest: each employee's manager is one listed before them, or no one (at the top); with hazards a
    # manager's missing month leaves the manager column naming no one of that month (D450, by every engine)
    bosses = [None if who == 0 or draw(st.integers(0, 3)) == 0 else f"E{draw(st.integers(0, who - 1))}"
              for who in range(people)]
    rows = []
    for who in range(people):
        # most employees share a group (peers and ties), and each keeps theirs from month to month
        groups = {name: value if draw(st.integers(0, 3)) else draw(st.sampled_from(GROUPS[name]))
                  for name, value in shared.items()}
        for month in range(1, periods + 1):
            if hazards and generated.periodic and 1 < month < periods and draw(st.integers(0, 9)) == 0:
                continue  # a missing month
            cells: dict[str, str | None] = {"id": f"E{who}"}
            if generated.periodic:
                cells["period"] = f"2023-{month:02d}"
            for spec in specs:
                if spec.name == "boss":
                    cells["boss"] = bosses[who]
                    continue
                if spec.name in groups:
                    moved = hazards and draw(st.integers(0, 9)) == 0
                    cells[spec.name] = draw(st.sampled_from(spec.cells)) if moved else groups[spec.name]
                    continue
                pool = spec.cells if hazards or not spec.nonzero else spec.nonzero
                empty = (hazards or spec.default or spec.name == "extra") and draw(st.integers(0, 7)) == 0
                if spec.name == "left":  # still employed, most of the time
                    empty = draw(st.integers(0, 2)) > 0
                if boundary and spec.type in BOUNDARY and draw(st.booleans()):
                    pool = BOUNDARY[spec.type]
                cells[spec.name] = None if empty else draw(st.sampled_from(pool))
            rows.append(cells)
    rows = draw(st.permutations(rows))
    return Table("generated.csv", columns, tuple(Row(i + 2, {c: r.get(c) for c in columns})
                                                   for i, r in enumerate(rows)))


# How the quarterly policy of a roll-up combines each month's input cells.
COMBINE = {"region": ("last", None), "role": ("last", None), "sales": ("sum", "mean", "max"),
           "target": ("sum", "mean", "min"), "plan0": ("first", "last", "min"), "rate": ("mean", "max", "last"),
           "score": ("mean", "sum", "first"), "visits": ("sum", "max"), "active": ("last", "first"),
           "hired": ("first", "last"), "left": ("first", "last"), "bonus0": ("last", None), "extra": ("last", "first"),
           "boss": ("last", None)}
ROLLED = {"money": ("money", ("sum", "mean", "min", "max", "first", "last")),
          "percent": ("percent", ("mean", "min", "max", "last")),
          "number": ("number", ("sum", "mean", "min", "max", "first", "last")),
          "count": ("number", ("sum", "mean", "max")),
          "bool": ("bool", ("first", "last")), "text": ("text", ("first", "last")), "tier": ("text", ("last",)),
          "date": ("date", ("first", "last")), "days": ("number", ("sum", "mean", "max")),
          "months": ("number", ("sum", "min", "last"))}


@st.composite
def rollups(draw: Draw[Any]) -> Generated:
    """A quarterly policy that `uses` a generated monthly one, reading some of its outputs combined."""
    monthly = draw(policies(periodic=True, copies_inputs=False))
    model, found = check(parse(monthly.text))
    assume(not any(d.is_error for d in found))
    w = Writer(draw, periodic=True, prefix="q")
    lines = ['policy "quarterly"', "period quarter", 'uses "monthly.policy"']
    for spec in INPUTS:
        rule = draw(st.sampled_from(COMBINE[spec.name]))
        lines.append(DECLARATIONS[spec.name] + (f" combine {rule}" if rule else ""))
    names = draw(st.lists(st.sampled_from(model.outputs), min_size=1, max_size=4, unique=True))
    for name in names:
        kind = model.types[name].kind
        declared, rules = ROLLED[kind]
        rule = draw(st.sampled_from(rules)) if draw(st.integers(0, 5)) else None  # none: the months must agree
        lines.append(f"input {name} : {declared}" + (f" combine {rule}" if rule else ""))
        w.names[KIND[declared]].append(name)
    w.formulas(3)
    w.define("num", w.fresh("prev"), f"previous({w.pick(w.names['num'])}, else 0)")
    w.define("money", w.fresh("roll"), f"rolling_sum({w.pick(w.names['money'])}, 2)")
    w.band()
    w.groups()
    w.flags_and_payouts()
    lines += [*w.lines, "output " + ", ".join(dict.fromkeys(w.outputs))]
    return Generated("\n".join(lines) + "\n", INPUTS, True, monthly.text)


@st.composite
def accruals(draw: Draw[Any]) -> Generated:
    """A monthly policy of history and the plan year's sums without the period's days, which the duckdb engine
    refuses (U569): so that every engine, duckdb included, is compared on the sums over data of many months."""
    w = Writer(draw, periodic=True)
    header = ['policy "accrual"', "period month", f"plan year starts {w.pick(MONTHS)}"]
    if w.chance(3):
        header.append("gaps restart")
    inputs = [spec for spec in INPUTS if spec.name != "left"]
    w.formulas(2)
    w.history()
    w.band()
    w.formulas(2)
    w.flags_and_payouts()
    outputs = list(dict.fromkeys(w.outputs))
    lines = [*header, *(DECLARATIONS[spec.name] for spec in inputs), *w.lines, "output " + ", ".join(outputs)]
    return Generated("\n".join(lines) + "\n", tuple(inputs), True)
