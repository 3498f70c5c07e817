"""Pages, the maths under curves and "what it takes": a policy's values near one value of a varied input.

Near a value x of one numeric input X, with every other input fixed, each value a
policy computes is, on a piece of the line around x, exactly `a*X + b` (a `Line`),
as long as its formulas only add, subtract, multiply or divide by values that do not
depend on X: bands, tiers, brackets, conditions and min/max only choose which
formula applies. `Local` computes those lines, making every choice as the reference
evaluator makes it at x, and records where each choice would flip (the root of the
compared difference): these are the edges of the piece. Where a value depends on X
in any other way (X times X, a group value over X), `NotLinear` is raised, and no
edge is claimed. A rounded value is a staircase: inside a formula its steps are edges like any
other choice (the value is constant between two of them), so what a rounded value decides is
exact; the value drawn itself, when its whole formula is a rounding (`payout x = round(y, 0.01)`),
is kept as the line of the unrounded `y` with its `rounding` noted, since its cent steps would
make a piece of every cent (a drawing applies the rounding where it reads the line).
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs

from attain.dsl import nodes as n
from attain.dsl.model import Model
from attain.engine.trace import TierValue
from attain.exact import round_to_step


class NotLinear(Exception):
    """A value depends on the varied input other than through a line on each piece."""


@attrs.frozen
class Line:
    """a*X + b."""

    a: Fraction
    b: Fraction

    def at(self, x: Fraction) -> Fraction:
        return self.a * x + self.b

    def __add__(self, o: Line) -> Line:
        return Line(self.a + o.a, self.b + o.b)

    def __sub__(self, o: Line) -> Line:
        return Line(self.a - o.a, self.b - o.b)

    def scale(self, k: Fraction) -> Line:
        return Line(self.a * k, self.b * k)

    def times(self, o: Line) -> Line:
        if self.a and o.a:
            raise NotLinear("a product of two values that both depend on the varied input")
        return o.scale(self.b) if not self.a else self.scale(o.b)

    def over(self, o: Line) -> Line:
        if o.a:
            raise NotLinear("a division by a value that depends on the varied input")
        if not o.b:
            raise NotLinear("a division by zero")
        return self.scale(1 / o.b)


def constant(v: Fraction) -> Line:
    return Line(Fraction(0), Fraction(v))


class Local:
    """The values of one row near X = x, as lines (numbers) or plain values, and the roots of their choices.

    `ref` is the reference evaluator of the row with X = x: values that do not depend on X
    are read from it, and every choice is checked against it.
    """

    def __init__(self, model: Model, ref, vary: str, x: Fraction):
        self.model = model
        self.ref = ref
        self.vary = vary
        self.x = x
        self.moving = model.depending_on(vary)
        self.roots: set[Fraction] = set()
        self.values: dict[str, object] = {}
        self.rounding: dict[str, n.Round] = {}  # the values drawn whose whole formula is a rounding

    # ------------------------------------------------------------ names
    def drawn(self, name: str):
        """The value of `name` as a curve draws it: a rounding that is its whole formula is left to the
        drawing (and noted in `rounding`); otherwise `value(name)`."""
        d = self.model.definitions.get(name)
        if (name in self.moving and isinstance(d, n.Definition) and d.gate is None and isinstance(d.body, n.Round)
                and self._moves(d.body.value)):
            self.rounding[name] = d.body
            return self.expr(d.body.value)
        return self.value(name)

    def value(self, name: str):
        if name not in self.moving:
            return _plain(self.ref.value(name))
        if name == self.vary:
            return Line(Fraction(1), Fraction(0))
        if name not in self.values:
            d = self.model.definitions[name]
            if isinstance(d, n.Definition):
                v = self._gated(d.gate, d.body)
            elif isinstance(d, (n.FlagDecl, n.Refusal)):
                v = self.truth(d.condition)
            else:
                raise NotLinear(f"no lines for {type(d).__name__}")
            self.values[name] = v
        return self.values[name]

    def _gated(self, gate, body):
        if gate is not None and self.truth(gate):
            return constant(Fraction(0))
        return self.body(body)

    # ------------------------------------------------------------ choices
    def _edge(self, diff: Line) -> None:
        """A choice compared `diff` with 0 here: it flips where the line crosses 0."""
        if diff.a:
            self.roots.add(-diff.b / diff.a)

    def compare(self, op: str, left, right) -> bool:
        if isinstance(left, Line) and isinstance(right, Line):
            self._edge(left - right)
            a, b = left.at(self.x), right.at(self.x)
        else:
            a, b = _comparable(left, self.x), _comparable(right, self.x)
        return bool(_COMPARE[op](a, b))

    def truth(self, e) -> bool:
        v = self.expr(e)
        return bool(v.at(self.x)) if isinstance(v, Line) else bool(v)

    def _number(self, v) -> Fraction:
        return v.at(self.x) if isinstance(v, Line) else v

    # ------------------------------------------------------------ expressions
    def expr(self, e):  # long: one case per kind of expression, as in the reference evaluator
        if isinstance(e, n.Previous) and (e.otherwise is None or not self._moves(e.otherwise)):
            return _plain(self.ref.evaluate(e))  # an earlier period's value: the same whatever X is now
        if not self._moves(e):
            return _plain(self.ref.evaluate(e))
        match e:
            case n.Name(id=name):
                return self.value(name)
            case n.Field(base=base, field=field):
                tier = self.value(base.id)
                return tier.results.get(field, "")
            case n.Unary(op="not"):
                return not self.truth(e.operand)
            case n.Unary():
                return constant(Fraction(0)) - self.expr(e.operand)
            case n.Binary(op="and"):
                return self.truth(e.left) and self.truth(e.right)
            case n.Binary(op="or"):
                return self.truth(e.left) or self.truth(e.right)
            case n.Binary(op=op) if op in n.COMPARISONS:
                return self.compare(op, self.expr(e.left), self.expr(e.right))
            case n.Binary(op=op):
                a, b = self.expr(e.left), self.expr(e.right)
                if op == "+":
                    return a + b
                if op == "-":
                    return a - b
                return a.times(b) if op == "*" else a.over(b)
            case n.Conditional():
                return self.expr(e.then) if self.truth(e.condition) else self.expr(e.otherwise)
            case n.Round():
                return self._stepped(e, _line(self.expr(e.value)))
            case n.Call(func=func, args=args) if func in ("min", "max", "clamp"):
                return self._extreme(func, [self.expr(a) for a in args])
            case n.Call(func="abs", args=(arg,)):
                v = self.expr(arg)
                self._edge(v)
                return v if v.at(self.x) >= 0 else constant(Fraction(0)) - v
            case n.Call(func="sign", args=(arg,)):
                v = self.expr(arg)
                self._edge(v)
                return constant(self.ref.evaluate(e))
            case n.Call(func="streak", args=(arg,)):
                self.truth(arg)  # its choices are edges; the count itself is the evaluator's
                return constant(self.ref.evaluate(e))
        raise NotLinear(f"{type(e).__name__} of a value that depends on the varied input")

    def _stepped(self, e: n.Round, v: Line) -> Line:
        """round(v): constant between the two points around v(x) where the rounding steps, which are edges."""
        step, mode = _step(e), e.mode or "half_up"
        here = v.at(self.x)
        if v.a:
            for jump in steps_around(here, step, mode):
                self._edge(v - constant(jump))
        return constant(round_to_step(here, step, mode))

    def _moves(self, e) -> bool:
        return any(isinstance(x, n.Name) and x.id in self.moving for x in n.walk(e))

    def _extreme(self, func: str, values: list) -> Line:
        if func == "clamp":
            x, lo, hi = values
            return self._extreme("min", [self._extreme("max", [x, lo]), hi])
        best = values[0]
        for v in values[1:]:
            self._edge(v - best)
            if (v.at(self.x) < best.at(self.x)) if func == "min" else (v.at(self.x) > best.at(self.x)):
                best = v
        return best

    # ------------------------------------------------------------ blocks
    def body(self, b):  # long: one case per kind of block, as in the reference evaluator
        match b:
            case n.Band():
                s = self.expr(b.subject)
                for row in b.rows:
                    iv = row.interval()
                    if iv is not None and isinstance(s, Line):
                        lo, _, hi, _ = iv
                        for edge in (lo, hi):
                            if edge is not None:
                                self._edge(s - constant(edge))
                    if row.contains(self._number(s)):
                        return self.expr(row.result)
            case n.Lookup():
                key = str(self.expr(b.subject))
                for lrow in b.rows:
                    if lrow.key is None or lrow.key == key:
                        return self.expr(lrow.result)
            case n.Weighted():
                total = constant(Fraction(0))
                for w in b.rows:
                    total = total + _line(self.expr(w.name)).scale(w.weight.value)
                return total
            case n.Tiers():
                for trow in b.rows:
                    if trow.condition is None or self.truth(trow.condition):
                        return TierValue(trow.name, trow.label, {r.name: self.expr(r.value) for r in trow.results})
            case n.Brackets():
                return self._brackets(b)
            case n.Choice():
                key = self.expr(b.subject)
                for keys, d in b.branches:
                    if keys is None or key in keys:
                        return self._gated(d.gate, d.body)
            case _:
                return self.expr(b)
        raise NotLinear("no row matches")  # the reference evaluator reports it

    def _brackets(self, br: n.Brackets) -> Line:
        amount = _line(self.expr(br.amount))
        base = _line(self.expr(br.base)) if br.base is not None else constant(Fraction(1))
        bounds = [None if r.upto is None else base.scale(r.upto.value) for r in br.rows]
        if br.kind == "retroactive":
            for row, bound in zip(br.rows, bounds, strict=True):
                if bound is not None:
                    self._edge(amount - bound)
                if bound is None or amount.at(self.x) < bound.at(self.x) or (
                        amount.at(self.x) == bound.at(self.x) and row.including):
                    return amount.times(_line(self.expr(row.rate)))
            raise NotLinear("no bracket matches")
        total, lower = constant(Fraction(0)), constant(Fraction(0))
        for row, upper in zip(br.rows, bounds, strict=True):
            part = amount - lower if upper is None else self._extreme("min", [amount, upper]) - lower
            self._edge(part)
            if part.at(self.x) <= 0:
                if upper is None:
                    break
                lower = upper
                continue
            total = total + part.times(_line(self.expr(row.rate)))
            if upper is None:
                break
            lower = upper
        return total


def _step(e: n.Round) -> Fraction:
    assert isinstance(e.step, n.Number), "the checker allows a number literal as the step only"
    return e.step.value


def steps_around(v: Fraction, step: Fraction, mode: str) -> tuple[Fraction, Fraction]:
    """The points at or below v and above it where rounding to `step` changes value: the multiples of the
    step, or for the half modes the halves between them."""
    offset = step / 2 if mode.startswith("half") else Fraction(0)
    below = math.floor((v - offset) / step) * step + offset
    return below, below + step


def limit(line: Line, rounding: n.Round | None, at: Fraction, from_below: bool) -> Fraction:
    """The value `round(line)` tends to as X tends to `at` from below (or above): the rounded value of a
    point nearer to `line(at)` than any point where the rounding steps, on the side the line comes from."""
    v = line.at(at)
    if rounding is None:
        return v
    step, mode = _step(rounding), rounding.mode or "half_up"
    if line.a:
        nearer = Fraction(1, 4 * step.denominator * v.denominator)
        v += -nearer if (line.a > 0) == from_below else nearer
    return round_to_step(v, step, mode)


def _plain(v):
    return constant(v) if isinstance(v, Fraction) else v


def _line(v) -> Line:
    if isinstance(v, Line):
        return v
    if isinstance(v, Fraction):
        return constant(v)
    raise NotLinear(f"a {type(v).__name__} where a number was expected")


def _comparable(v, x: Fraction):
    if isinstance(v, Line):
        return v.at(x)
    return v.name if isinstance(v, TierValue) else v


_COMPARE = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
}
