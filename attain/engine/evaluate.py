"""The reference evaluator: one employee's values by walking the checked policy with Fractions.

It defines what a policy means. `run` uses the compiled plan (compile.py) and
comes here only to explain a value or to name the exact cause of an evaluation
error; tests prove that both give the same results.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from attain.diagnostics import AttainError, Diagnostic, Span
from attain.dsl import nodes as n
from attain.dsl.builtins import HISTORY_FUNCTIONS
from attain.dsl.model import Model
from attain.exact import decimal_places, round_to_step, to_decimal
from attain.io import approximate, format_grouped, format_number


@attrs.frozen
class TierValue:
    """The tier an employee reached, with the results it carries."""

    name: str
    label: str | None
    results: dict = attrs.field(eq=False, hash=False)

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class Trace:
    """One computed value and how it came about: formula, inputs used and what matched."""

    name: str
    kind: str  # "input", "default" or "value"
    type: str
    value: object
    formula: str = ""
    span: Span | None = None
    notes: tuple[str, ...] = ()
    children: tuple["Trace", ...] = ()
    source: str = ""  # for an input: the data cell it came from
    places: int | None = None  # decimal places a rounding fixed, for display

    def shown(self) -> str:
        return display(self.value, self.type, self.places)


ABSENT = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # an earlier period's empty cell


class EvaluationError(AttainError):
    """A value could not be computed for one employee (division by zero, a missing cell)."""


def _text_of(model: Model, span: Span | None) -> str:
    if span is None:
        return ""
    lines = model.policy.source.splitlines()
    if span.line == span.end_line:
        return lines[span.line - 1][span.col - 1 : span.end_col - 1]
    first = lines[span.line - 1][span.col - 1 :]
    rest = [ln.strip() for ln in lines[span.line : span.end_line - 1]]
    last = lines[span.end_line - 1][: span.end_col - 1].strip()
    text = ""
    for piece in (x for x in [first.strip(), *rest, last] if x):
        # A line broken inside parentheses joins without a stray space: clamp(x, ...), not clamp( x, ...).
        glue = "" if not text or text.endswith("(") or piece.startswith(")") else " "
        text += glue + piece
    return text


def display(value, kind: str = "number", places: int | None = None) -> str:
    """A value as a person reads it in an explanation: 575,000 / 115% / 0.8 / ≈0.333333."""
    if isinstance(value, TierValue):
        return value.name + (f" ({value.label})" if value.label else "")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "(missing)"
    if isinstance(value, Fraction):
        if kind == "percent":
            return _number_text(value * 100, False, None) + "%"
        return _number_text(value, kind == "money", places)
    return str(value)


def _number_text(f: Fraction, grouped: bool, places: int | None) -> str:
    v = to_decimal(f.numerator, f.denominator, places)
    if isinstance(v, Fraction):
        return approximate(v, grouped)
    return format_grouped(v) if grouped else format_number(v)


class Reference:
    """Evaluates one employee's row; every named value is computed once, on first use."""

    def __init__(self, model: Model, inputs: dict, who: str = "", sources: dict | None = None, context=None):
        self.model = model
        self.inputs = inputs
        self.who = who
        self.sources = sources or {}
        self.context = context  # earlier periods and group values (runner.RowContext)
        self.values: dict = {}
        self.traces: dict = {}
        self.streaks: dict = {}  # streak node -> the count this period, kept for the next one
        self._frames: list = []

    # ------------------------------------------------------------ named values
    def value(self, name: str):
        if name in self.values:
            if self._frames:
                self._frames[-1][1].append(name)
            return self.values[name]
        if self._frames:
            self._frames[-1][1].append(name)
        if name in self.model.inputs:
            v = self._input(name)
        else:
            v = self._define(name)
        self.values[name] = v
        return v

    def _input(self, name: str):
        inp = self.model.inputs[name]
        v = self.inputs.get(name)
        kind = "input"
        if v is None and inp.default is not None:
            d = inp.default
            v = d.value
            kind = "default"
        if v is None:
            span = self._frames[-1][2] if self._frames else inp.span
            needs = f"'{self._frames[-1][0]}' needs it" if self._frames else "it is an output"
            raise self._error("E302", f"{self._whom()}'{name}' is missing, and {needs}", span,
                              hint=f"fill in '{name}' in the data, or give the input a default")
        self.traces[name] = Trace(name, kind, inp.type, v, span=inp.span, source=self.sources.get(name, ""))
        return v

    def _define(self, name: str):
        d = self.model.definitions[name]
        self._frames.append((name, [], d.span, []))
        try:
            if isinstance(d, n.FlagDecl):
                v = self._truth(d.condition)
                formula = _text_of(self.model, d.condition.span)
            else:
                formula = _formula(self.model, d)
                if d.gate is not None and self._truth(d.gate):
                    self._note(f"unless {_text_of(self.model, d.gate.span)}: yes, so nothing is paid")
                    v = Fraction(0)
                else:
                    if d.gate is not None:
                        self._note(f"unless {_text_of(self.model, d.gate.span)}: no")
                    v = self._body(d.body)
        finally:
            frame = self._frames.pop()
        _, deps, span, notes = frame
        t = self.model.types[name]
        children = tuple(self.traces[dep] for dep in dict.fromkeys(deps) if dep in self.traces)
        places = None
        if isinstance(getattr(d, "body", None), n.Round):
            places = decimal_places(d.body.step.value)
        self.traces[name] = Trace(name, "value", str(t), v, formula, d.span, tuple(notes), children, places=places)
        return v

    def trace(self, name: str) -> Trace:
        self.value(name)
        return self.traces[name]

    # ------------------------------------------------------------ helpers
    def _whom(self) -> str:
        return f"for {self.who}, " if self.who else ""

    def _error(self, code, message, span, hint=""):
        return EvaluationError([Diagnostic(code, message, span, hint=hint)])

    def _note(self, text: str):
        self._frames[-1][3].append(text)

    def _kind(self, expr) -> str:
        """How an explanation shows a value: 'percent' for a rate, 'money' for amounts, ...

        Read from the checked model, with one exception kept for the explanations' sake: a
        literal written without a unit shows as a plain number wherever it stands.
        """
        return "number" if isinstance(expr, n.Number) and not expr.percent else self.model.kind_of(expr)

    def _condition_text(self, expr) -> str:
        """A condition as written, followed by the values of the names it read."""
        names = [x.id for x in n.walk(expr) if isinstance(x, n.Name) and x.id in self.values]
        shown = ", ".join(f"{m} = {display(self.values[m], str(self.model.types[m]))}" for m in dict.fromkeys(names))
        text = _text_of(self.model, expr.span)
        return f"{text} ({shown})" if shown else text

    def _truth(self, expr) -> bool:
        v = self._eval(expr)
        return bool(v)

    # ------------------------------------------------------------ expressions
    _EVAL = n.Dispatch("the reference evaluator", n.EXPRESSIONS)

    def _eval(self, e):
        return self._EVAL(self, e)

    @_EVAL.on(n.Number, n.Text, n.Bool, n.Date)
    def _literal(self, e):
        return e.value

    @_EVAL.on(n.Name)
    def _name(self, e: n.Name):
        return self.value(e.id)

    @_EVAL.on(n.Field)
    def _field(self, e: n.Field):
        tier = self.value(e.base.id)
        return tier.results.get(e.field, "")

    @_EVAL.on(n.Unary)
    def _unary(self, e: n.Unary):
        if e.op == "not":
            return not self._truth(e.operand)
        return -self._eval(e.operand)

    @_EVAL.on(n.Binary)
    def _binary(self, e: n.Binary):
        op, left, right = e.op, e.left, e.right
        if op == "and":
            return self._truth(left) and self._truth(right)
        if op == "or":
            return self._truth(left) or self._truth(right)
        a, b = self._eval(left), self._eval(right)
        if op in n.COMPARISONS:
            return _COMPARE[op](_comparable(a), _comparable(b))
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise self._error(
                "E301", f"{self._whom()}'{self._frames[-1][0]}' divides by zero: "
                f"{_text_of(self.model, right.span)} is 0", e.span,
                hint=f"guard it, for example `... if {_text_of(self.model, right.span)} > 0 else 0`")
        return a / b

    @_EVAL.on(n.Conditional)
    def _conditional(self, e: n.Conditional):
        return self._eval(e.then) if self._truth(e.condition) else self._eval(e.otherwise)

    @_EVAL.on(n.Round)
    def _round(self, e: n.Round):
        return round_to_step(self._eval(e.value), e.step.value, e.mode or "half_up")

    @_EVAL.on(n.Call)
    def _call(self, e: n.Call):
        if e.func in HISTORY_FUNCTIONS:
            return self._history_call(e)
        if e.func == "given":
            arg = e.args[0]
            given = self.inputs.get(arg.id) is not None
            self._note(f"given({arg.id}): {'yes' if given else 'no, the cell is empty'}")
            return given
        return _FUNCTIONS[e.func]([self._eval(a) for a in e.args])

    def _history_call(self, e: n.Call):
        func, args = e.func, e.args
        if func == "streak":
            before, note = self.context.history(e)
            holds = self._truth(args[0])
            count = before + 1 if holds else 0
            self.streaks[e] = count
            self._note(f"{_text_of(self.model, e.span)} = {count}: "
                       f"{'holds' if holds else 'does not hold'} this period; before: {note}")
            return Fraction(count)
        earlier, note = self.context.history(e)
        if ABSENT in earlier:
            raise self._error("E302", f"{self._whom()}{_text_of(self.model, e.span)} needs "
                              f"'{args[0].id}' of an earlier period, which is missing ({note})", e.span)
        values = [*earlier, self._eval(args[0])]
        if func == "rolling_sum":
            v = sum(values, Fraction(0))
        elif func == "rolling_mean":
            v = sum(values, Fraction(0)) / len(values)
        elif func in ("rolling_min", "rolling_max"):
            v = (min if func == "rolling_min" else max)(values)
        else:
            raise AssertionError(f"no evaluation for history function {func!r}")
        kind = str(self.model.types.get(args[0].id, "number"))
        self._note(f"{_text_of(self.model, e.span)} = {display(v, kind)}, {note}: "
                   + ", ".join(display(x, kind) for x in values))
        return v

    @_EVAL.on(n.Previous)
    def _previous(self, e: n.Previous):
        value, note = self.context.history(e) if self.context is not None else (None, "no earlier period")
        text = _text_of(self.model, e.span)
        if value is ABSENT:
            raise self._error("E302", f"{self._whom()}{text} needs '{e.value.id}' of the period before, "
                              f"which is missing ({note})", e.span,
                              hint=f"fill in '{e.value.id}' for that period, or give the input a default")
        if value is None:
            v = self._eval(e.otherwise)
            self._note(f"{text}: {note}, so {display(v, self._kind(e.otherwise))}")
            return v
        kind = str(self.model.types.get(e.value.id, "number"))
        self._note(f"{text} = {display(value, kind)} ({note})")
        return value

    @_EVAL.on(n.Aggregate)
    def _group(self, e: n.Aggregate):
        value, note = self.context.group(e)
        if value is None:
            raise self._error("E306", f"{self._whom()}{_text_of(self.model, e.span)} has no value: {note}",
                              e.span, hint="guard it, for example with `count(within ... except self) > 0`")
        self._note(note)
        return value

    # ------------------------------------------------------------ blocks
    _BLOCK = n.Dispatch("the reference evaluator's blocks", n.BLOCKS)

    def _body(self, body):
        if type(body) in self._BLOCK.table:
            return self._BLOCK(self, body)
        return self._eval(body)

    @_BLOCK.on(n.Choice)
    def _choice(self, choice: n.Choice):
        key = self._eval(choice.subject)
        for keys, d in choice.branches:
            if keys is None or key in keys:
                which = "else" if keys is None else ", ".join(f'"{k}"' for k in keys)
                self._note(f'{choice.subject.id} = "{key}": variant {which}, line {d.span.line}: '
                           f"{_text_of(self.model, d.body.span).splitlines()[0]}")
                if d.gate is not None and self._truth(d.gate):
                    self._note(f"unless {_text_of(self.model, d.gate.span)}: yes, so nothing is paid")
                    return Fraction(0)
                return self._body(d.body)
        raise self._error("E307", f'{self._whom()}no variant for {choice.subject.id} = "{key}"', choice.span)

    def _row_text(self, row) -> str:
        return _text_of(self.model, row.span).split("->")[0].strip()

    @_BLOCK.on(n.Band)
    def _band(self, band: n.Band):
        x = self._eval(band.subject)
        kind = self._kind(band.subject)
        shown = display(x, kind)
        subject = _text_of(self.model, band.subject.span)
        for row in band.rows:
            if row.contains(x):
                self._note(f"{subject} = {shown}: row `{self._row_text(row)}` matched")
                return self._eval(row.result)
            self._note(f"row `{self._row_text(row)}` did not match ({shown})")
        raise self._error("E303", f"{self._whom()}no row of the band matches {subject} = {shown}", band.span)

    @_BLOCK.on(n.Lookup)
    def _lookup(self, lk: n.Lookup):
        key = str(self._eval(lk.subject))
        for row in lk.rows:
            if row.key is None or row.key == key:
                self._note(f"\"{key}\": row `{self._row_text(row)}` matched")
                return self._eval(row.result)
        raise self._error("E304", f"{self._whom()}the lookup has no row for \"{key}\"", lk.span,
                          hint="add the row, or an `else` row")

    @_BLOCK.on(n.Weighted)
    def _weighted(self, w: n.Weighted):
        total = Fraction(0)
        for row in w.rows:
            score = self._eval(row.name)
            part = score * row.weight.value
            self._note(f"{row.name.id} {display(score)} × {row.weight.text} = {display(part)}")
            total += part
        return total

    @_BLOCK.on(n.Tiers)
    def _tiers(self, tiers: n.Tiers):
        for row in tiers.rows:
            if row.condition is None or self._truth(row.condition):
                why = "otherwise" if row.condition is None else self._condition_text(row.condition)
                self._note(f"tier '{row.name}' matched: {why}")
                results = {r.name: self._eval(r.value) for r in row.results}
                return TierValue(row.name, row.label, results)
            self._note(f"tier '{row.name}' did not match: {self._condition_text(row.condition)} is false")
        raise self._error("E305", f"{self._whom()}no tier matches", tiers.span,
                          hint="end the tiers with an `otherwise` row")

    @_BLOCK.on(n.Brackets)
    def _brackets(self, br: n.Brackets):
        amount = self._eval(br.amount)
        base = self._eval(br.base) if br.base is not None else Fraction(1)
        kind = self._kind(br.amount)
        lower = Fraction(0)
        if br.kind == "retroactive":
            for row in br.rows:
                bound = row.upto.value * base if row.upto is not None else None
                if bound is None or amount <= bound:
                    rate = self._eval(row.rate)
                    self._note(f"{display(amount, kind)} falls in `{self._row_text(row)}`: the whole amount "
                               f"at {display(rate, 'percent')}")
                    return amount * rate
            raise AssertionError("checked brackets end with `above`")
        total = Fraction(0)
        for row in br.rows:
            upper = row.upto.value * base if row.upto is not None else None
            part = amount - lower if upper is None else min(amount, upper) - lower
            if part <= 0:
                # Nothing of the amount lies in this bracket (a bound at or below 0, or the amount
                # ends below it): skip it, as the plan does, and go on with the next one.
                if upper is None:
                    break
                lower = upper
                continue
            rate = self._eval(row.rate)
            pay = part * rate
            span_text = f"{display(lower, kind)} to {display(upper, kind)}" if upper is not None \
                else f"above {display(lower, kind)}"
            self._note(f"{span_text}: {display(part, kind)} at {display(rate, 'percent')} = {display(pay, kind)}")
            total += pay
            if upper is None:
                break
            lower = upper
        return total


def _formula(model: Model, d: n.Definition) -> str:
    """The formula as written; for a block, its first line (its rows appear in the notes)."""
    if isinstance(d.body, (n.Band, n.Lookup, n.Weighted, n.Tiers, n.Brackets, n.Choice)):
        line = model.policy.source.splitlines()[d.body.span.line - 1]
        return line[d.body.span.col - 1 :].split("#")[0].strip()
    return _text_of(model, d.body.span)


_COMPARE = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def _clamp(values):
    x, lo, hi = values
    return min(max(x, lo), hi)


def _sign(values):
    x = values[0]
    return Fraction((x > 0) - (x < 0))


# The functions of plain values (builtins.VALUE_FUNCTIONS), each over its evaluated arguments.
_FUNCTIONS = {
    "min": min,
    "max": max,
    "abs": lambda values: abs(values[0]),
    "clamp": _clamp,
    "sign": _sign,
}


def _comparable(v):
    return v.name if isinstance(v, TierValue) else v


