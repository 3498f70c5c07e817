"""The reference evaluator: one employee's values by walking the checked policy with Fractions.

It defines what a policy means. `run` uses the compiled plan (compile.py) and
comes here only for a row the plan cannot finish: to compute it (a value the
policy guards) or to name the exact cause of an evaluation error; tests prove
that both give the same results.

Explanations observe it: given an `Observer` (trace.py), it reports every value
it enters, reads and computes, and a structured note for each choice it makes,
through the one hook `self.observer.notice(...)`, always behind
`if observer is not None`. Without an observer it records and words nothing;
only an error's message is worded (wording.py, which needs no I/O).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Protocol

from attain.diagnostics import AttainError, Diagnostic, Span, source_lines
from attain.dsl import nodes as n
from attain.dsl.builtins import ACCRUAL_FUNCTIONS, DATE_FUNCTIONS, HISTORY_FUNCTIONS, PLAN_WORDS
from attain.dsl.model import Model
from attain.engine import accrual, dates
from attain.engine import trace as t
from attain.engine.periods import Period
from attain.engine.tables import Found, cell_place, look_up, point_x
from attain.engine.trace import Observer, TierValue
from attain.engine.wording import describe, display
from attain.exact import decimal_places, round_to_step
from attain.i18n.messages import joined, number, say

ABSENT = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # an earlier period's empty cell


class EvaluationError(AttainError):
    """A value could not be computed for one employee (division by zero, a missing cell)."""


@functools.lru_cache(maxsize=16)
def _lines(source: str) -> list[str]:
    return source_lines(source)


def _text_of(model: Model, span: Span | None) -> str:
    """The policy's text at `span`, as written; a formula over several lines joined into one."""
    if span is None:
        return ""
    lines = _lines(model.policy.source)
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


class Context(Protocol):
    """What the evaluator needs beyond the row (runner.RowContext): earlier periods and group values."""

    # The value's form follows the function: previous -> a value, None (no earlier period) or
    # ABSENT (an empty cell); streak -> the count before; rolling -> the earlier values.
    def history(self, node: n.Call | n.Previous) -> Any: ...

    def history_fact(self, node: n.Call | n.Previous) -> t.HistoryFact | None: ...

    def group(self, node: n.Aggregate) -> Fraction | None: ...

    def group_fact(self, node: n.Aggregate) -> t.GroupFact | t.ReportsFact | None: ...

    def period(self) -> Period | None: ...


class Reference:
    """Evaluates one employee's row; every named value is computed once, on first use.

    `context` gives earlier periods and group values (runner.RowContext); `observer`,
    if given, hears how every value came about (an explanation's recorder).
    """

    def __init__(self, model: Model, inputs: dict, who: str = "", context: Context | None = None,
                 observer: Observer | None = None):
        self.model = model
        self.inputs = inputs
        self.who = who
        self.context = context
        self.observer = observer
        self.values: dict[str, object] = {}
        self.streaks: dict = {}  # streak node -> the count this period, kept for the next one
        self._frames: list[tuple[str, Span | None]] = []  # the values being computed, for error messages

    # ------------------------------------------------------------ named values
    def value(self, name: str):
        if self.observer is not None:
            self.observer.notice(t.Read(name))
        if name in self.values:
            return self.values[name]
        v = self._input(name) if name in self.model.inputs else self._define(name)
        self.values[name] = v
        return v

    def evaluate(self, expr: n.Expr):
        """The value of one expression of the policy (a part of a formula) for this row."""
        return self._eval(expr)

    def _input(self, name: str):
        inp = self.model.inputs[name]
        v = self.inputs.get(name)
        kind = "input"
        if v is None and inp.default is not None:
            v = inp.default.value
            kind = "default"
        if v is None:
            span = self._frames[-1][1] if self._frames else inp.span
            needs = say("E302.needs", name=self._frames[-1][0]) if self._frames else say("E302.output")
            raise self._error("E302", say("E302", whom=self._whom(), name=name, needs=needs), span,
                              hint=say("E302.hint", name=name))
        if self.observer is not None:
            self.observer.notice(t.InputUsed(name, kind, inp.type, v, inp.span))
        return v

    def _define(self, name: str):
        d = self.model.definitions[name]
        if self.observer is not None:
            self.observer.notice(t.Enter(name))
        self._frames.append((name, d.span))
        try:
            v = self._truth(d.condition) if isinstance(d, (n.FlagDecl, n.Refusal)) else self._gated(d)
        finally:
            self._frames.pop()
        if isinstance(d, n.Refusal) and v:
            raise self._refused(d)
        if self.observer is not None:
            self.observer.notice(t.Computed(name, str(self.model.types[name]), v, self._formula(d), d.span,
                                            _places(d)))
        return v

    def _gated(self, d: n.Definition):
        """The definition's body, or 0 where its `unless` gate holds."""
        if d.gate is not None:
            stops = self._truth(d.gate)
            if self.observer is not None:
                self.observer.notice(t.Unless(self._text(d.gate.span), stops))
            if stops:
                return Fraction(0)
        return self._body(d.body)

    def _refused(self, d: n.Refusal) -> EvaluationError:
        """The policy's own words for a row it will not pay, with the values that made the condition hold."""
        read = joined(say("E308.read", name=name, value=number(display(value, kind)))
                      for name, value, kind in self._read(d.condition))
        condition = self._text(d.condition.span)
        return self._error("E308", say("E308.with", whom=self._whom(), message=d.message, condition=condition,
                                       read=read) if read else
                           say("E308", whom=self._whom(), message=d.message, condition=condition), d.span,
                           hint=say("E308.hint"))

    def _formula(self, d: n.Definition | n.FlagDecl | n.Refusal) -> str:
        """The formula as written; for a block, its first line (its rows appear in the notes)."""
        if isinstance(d, (n.FlagDecl, n.Refusal)):
            return self._text(d.condition.span)
        span = d.body.span
        if isinstance(d.body, n.BLOCKS) and span is not None:
            line = _lines(self.model.policy.source)[span.line - 1]
            return line[span.col - 1 :].split("#")[0].strip()
        return self._text(span)

    # ------------------------------------------------------------ helpers
    def _text(self, span: Span | None) -> str:
        return _text_of(self.model, span)

    def _context(self) -> Context:
        assert self.context is not None, "the runner gives a policy that reads earlier periods or groups a context"
        return self.context

    def _whom(self) -> str:
        return say("whom", who=self.who) if self.who else ""

    def _error(self, code: str, message: str, span: Span | None, hint: str = "") -> EvaluationError:
        return EvaluationError([Diagnostic(code, message, span, hint=hint)])

    def _kind(self, expr: n.Expr) -> str:
        """How an explanation shows a value: 'percent' for a rate, 'money' for amounts, ...

        Read from the checked model, with one exception kept for the explanations' sake: a
        literal written without a unit shows as a plain number wherever it stands.
        """
        return "number" if isinstance(expr, n.Number) and not expr.percent else self.model.kind_of(expr)

    def _read(self, expr: n.Expr) -> tuple[tuple[str, object, str], ...]:
        """(name, value, type) of every named value a condition read, in the order written."""
        names = [x.id for x in n.walk(expr) if isinstance(x, n.Name) and x.id in self.values]
        return tuple((m, self.values[m], str(self.model.types[m])) for m in dict.fromkeys(names))

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

    # ------------------------------------------------------------ dates and the period
    def _period_days(self) -> tuple[Period, dates.PeriodDays]:
        period = self._context().period()
        assert period is not None, "the data of a policy that reads the period's days has periods (D415)"
        return period, dates.period_days(period, self.model.policy.header.month_ends_on)

    @_EVAL.on(n.PeriodValue)
    def _period_value(self, e: n.PeriodValue):
        if e.name in PLAN_WORDS:
            return accrual.word(self, e)
        period, days = self._period_days()
        v: object = {"period_start": days.first, "period_end": days.last}.get(e.name) or Fraction(days.days)
        if self.observer is not None:
            self.observer.notice(t.PeriodDays(e.name, v, self.model.kind_of(e), period, days.first, days.last))
        return v

    def _date_call(self, e: n.Call):
        """The date functions (builtins.DATE_FUNCTIONS); a leave date left empty means still employed."""
        func = e.func
        if func in ("days_employed", "months_employed"):
            hired = self._eval(e.args[0])
            left = self._leave_date(e.args[1]) if len(e.args) > 1 else None
            period, days = self._period_days()
            v = Fraction(self._dated(e, dates.days_employed if func == "days_employed" else dates.months_employed,
                                     days, hired, left))
            if self.observer is not None:
                self.observer.notice(t.PeriodDays(self._text(e.span), v, self.model.kind_of(e), period, days.first,
                                                  days.last, still_employed=left is None))
            return v
        values = [self._eval(a) for a in e.args]
        if func == "in_period":
            period, days = self._period_days()
            inside = dates.in_period(values[0], days)
            if self.observer is not None:
                self.observer.notice(t.PeriodDays(self._text(e.span), inside, "bool", period, days.first, days.last))
            return inside
        return Fraction(_DATE_FUNCTIONS[func](*values))

    def _leave_date(self, arg: n.Expr) -> datetime.date | None:
        """The leave date, or None where it is an input whose cell is empty: still employed."""
        if isinstance(arg, n.Name) and arg.id in self.model.inputs and self.inputs.get(arg.id) is None \
                and self.model.inputs[arg.id].default is None:
            return None
        return self._eval(arg)

    def _dated(self, e: n.Expr, func: Callable, *args):
        try:
            return func(*args)
        except dates.DateError as err:
            raise self._error(err.code, say("E330.at", whom=self._whom(), formula=self._text(e.span),
                                            message=err.message), e.span,
                              hint=say("E331.hint") if err.code == "E331" else say("E330.hint")) from None

    def _date_arithmetic(self, e: n.Binary, a, b):
        """date ± days is a date; date - date is the days between them."""
        if isinstance(a, datetime.date) and isinstance(b, datetime.date):
            return Fraction(dates.days_between(b, a))
        day, by = (a, b) if isinstance(a, datetime.date) else (b, a)
        by = -by if e.op == "-" else by
        return self._dated(e, dates.shift, day, by.numerator, by.denominator)

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
        if isinstance(a, datetime.date) or isinstance(b, datetime.date):
            return self._date_arithmetic(e, a, b)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            divisor = self._text(right.span)
            raise self._error(
                "E301", say("E301", whom=self._whom(), name=self._frames[-1][0], divisor=divisor), e.span,
                hint=say("E301.hint", divisor=divisor))
        return a / b

    @_EVAL.on(n.Conditional)
    def _conditional(self, e: n.Conditional):
        return self._eval(e.then) if self._truth(e.condition) else self._eval(e.otherwise)

    @_EVAL.on(n.Round)
    def _round(self, e: n.Round):
        return round_to_step(self._eval(e.value), _step(e), e.mode or "half_up")

    @_EVAL.on(n.Call)
    def _call(self, e: n.Call):
        if e.func in HISTORY_FUNCTIONS:
            return self._history_call(e)
        if e.func == "given":
            arg = e.args[0]
            assert isinstance(arg, n.Name), "the checker allows given() of an input's name only"
            given = self.inputs.get(arg.id) is not None
            if self.observer is not None:
                self.observer.notice(t.Given(arg.id, given))
            return given
        if e.func in DATE_FUNCTIONS:
            return self._date_call(e)
        return _FUNCTIONS[e.func]([self._eval(a) for a in e.args])

    def _history_call(self, e: n.Call):
        func, args = e.func, e.args
        if func in ACCRUAL_FUNCTIONS:
            return accrual.evaluate(self, e)
        if func == "streak":
            before = self._context().history(e)
            holds = self._truth(args[0])
            count = before + 1 if holds else 0
            self.streaks[e] = count
            if self.observer is not None:
                self.observer.notice(t.Streak(self._text(e.span), count, holds, self._context().history_fact(e)))
            return Fraction(count)
        subject = args[0]
        assert isinstance(subject, n.Name), "the checker allows rolling functions of a named value only"
        earlier = self._context().history(e)
        if ABSENT in earlier:
            raise self._error("E302", say("E302.earlier", whom=self._whom(), formula=self._text(e.span),
                                          name=subject.id, fact=describe(self._context().history_fact(e))), e.span)
        values = [*earlier, self._eval(subject)]
        if func == "rolling_sum":
            v = sum(values, Fraction(0))
        elif func == "rolling_mean":
            v = sum(values, Fraction(0)) / len(values)
        elif func in ("rolling_min", "rolling_max"):
            v = (min if func == "rolling_min" else max)(values)
        else:
            raise AssertionError(f"no evaluation for history function {func!r}")
        if self.observer is not None:
            kind = str(self.model.types.get(subject.id, "number"))
            self.observer.notice(t.Rolling(self._text(e.span), v, kind, self._context().history_fact(e),
                                           tuple(values)))
        return v

    def _history_fact(self, e: n.Previous) -> t.HistoryFact | None:
        return self.context.history_fact(e) if self.context is not None else t.NoEarlierPeriod()

    @_EVAL.on(n.Previous)
    def _previous(self, e: n.Previous):
        value = self.context.history(e) if self.context is not None else None
        subject = e.value
        assert isinstance(subject, n.Name), "the checker allows previous() of a named value only"
        if value is ABSENT:
            raise self._error("E302", say("E302.before", whom=self._whom(), formula=self._text(e.span),
                                          name=subject.id, fact=describe(self._history_fact(e))), e.span,
                              hint=say("E302.before_hint", name=subject.id))
        if value is None:
            assert e.otherwise is not None, "the checker gives previous() an `else` value"
            v = self._eval(e.otherwise)
            if self.observer is not None:
                self.observer.notice(t.PreviousElse(self._text(e.span), self._history_fact(e), v,
                                                    self._kind(e.otherwise)))
            return v
        if self.observer is not None:
            kind = str(self.model.types.get(subject.id, "number"))
            self.observer.notice(t.Previous(self._text(e.span), value, kind, self._history_fact(e)))
        return value

    @_EVAL.on(n.Aggregate)
    def _group(self, e: n.Aggregate):
        value = self._context().group(e)
        if value is None:  # no peers; with `reports`, no reports (E348)
            code = "E306" if e.reports is None else "E348"
            raise self._error(code, say(code, whom=self._whom(), formula=self._text(e.span),
                                        fact=describe(self._context().group_fact(e))), e.span, hint=say(f"{code}.hint"))
        if self.observer is not None:
            fact = self._context().group_fact(e)
            if fact is not None:  # there is one wherever there is a value
                self.observer.notice(fact)
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
                if self.observer is not None:
                    self.observer.notice(t.Variant(choice.subject.id, key, keys, n.span_of(d).line,
                                                   self._text(d.body.span)))
                if d.gate is not None and self._truth(d.gate):
                    if self.observer is not None:
                        self.observer.notice(t.Unless(self._text(d.gate.span), True))
                    return Fraction(0)
                return self._body(d.body)
        # The checker requires a variant for every value of the input (C243, C261), and binding takes only those.
        raise AssertionError(f"no variant for {choice.subject.id} = {key!r}")

    def _row_text(self, row: n.BandRow | n.LookupRow | n.BracketRow) -> str:
        return self._text(row.span).split("->")[0].strip()

    @_BLOCK.on(n.Band)
    def _band(self, band: n.Band):
        x = self._eval(band.subject)
        for row in band.rows:
            matched = row.contains(x)
            if self.observer is not None:
                self.observer.notice(t.BandRow(self._text(band.subject.span), x, self._kind(band.subject),
                                               self._row_text(row), matched))
            if matched:
                return self._eval(row.result)
        raise self._error("E303", say("E303", whom=self._whom(), subject=self._text(band.subject.span),
                                      value=number(display(x, self._kind(band.subject)))), band.span)

    @_BLOCK.on(n.Lookup)
    def _lookup(self, lk: n.Lookup):
        key = str(self._eval(lk.subject))
        for row in lk.rows:
            if row.key is None or row.key == key:
                if self.observer is not None:
                    self.observer.notice(t.LookupRow(key, self._row_text(row)))
                return self._eval(row.result)
        # The checker requires an `else` row or a row for every value the text can take (C225).
        raise AssertionError(f"no lookup row for {key!r}")

    @_BLOCK.on(n.Weighted)
    def _weighted(self, w: n.Weighted):
        total = Fraction(0)
        for row in w.rows:
            score = self._eval(row.name)
            part = score * row.weight.value
            if self.observer is not None:
                self.observer.notice(t.WeightedRow(row.name.id, score, row.weight.text, part))
            total += part
        return total

    @_BLOCK.on(n.Tiers)
    def _tiers(self, tiers: n.Tiers):
        for row in tiers.rows:
            matched = row.condition is None or self._truth(row.condition)
            if self.observer is not None:
                condition = None if row.condition is None else self._text(row.condition.span)
                read = () if row.condition is None else self._read(row.condition)
                self.observer.notice(t.TierRow(row.name, matched, condition, read))
            if matched:
                results = {r.name: self._eval(r.value) for r in row.results}
                return TierValue(row.name, row.label, results)
        raise self._error("E305", say("E305", whom=self._whom()), tiers.span, hint=say("E305.hint"))

    @_BLOCK.on(n.Brackets)
    def _brackets(self, br: n.Brackets):
        amount = self._eval(br.amount)
        base = self._eval(br.base) if br.base is not None else Fraction(1)
        if br.kind == "retroactive":
            for row in br.rows:
                bound = row.upto.value * base if row.upto is not None else None
                if bound is None or amount < bound or (amount == bound and row.including):
                    rate = self._eval(row.rate)
                    if self.observer is not None:
                        self.observer.notice(t.WholeBracket(amount, self._kind(br.amount), self._row_text(row),
                                                            rate))
                    return amount * rate
            raise AssertionError("checked brackets end with `above`")
        total = Fraction(0)
        lower = Fraction(0)
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
            if self.observer is not None:
                self.observer.notice(t.MarginalBracket(lower, upper, part, rate, pay, self._kind(br.amount)))
            total += pay
            if upper is None:
                break
            lower = upper
        return total


    # ------------------------------------------------------------ rate tables and curves (engine/tables.py)
    @_EVAL.on(n.TableLookup)
    def _table_lookup(self, e: n.TableLookup):
        table = self.model.tables[e.table]
        values = tuple(self._eval(a) for a in e.args)
        return self._cell(e.table, table.rows, table.columns, e.args, values, e.span, self.model.kind_of(e))

    @_BLOCK.on(n.Curve)
    def _curve(self, curve: n.Curve):
        x = self._eval(curve.subject)
        return self._cell("", curve.rows, (), (curve.subject,), (x,), curve.span, self.model.kind_of(curve))

    def _cell(self, name: str, rows, columns, args, values: tuple, span: Span | None, kind: str):
        found = look_up(rows, columns, values)
        if found is None:
            shown = joined(f"{self._text(a.span)} = {display(v, self._kind(a))}"
                           for a, v in zip(args, values, strict=True))
            what = say("tbl.table", name=name) if name else say("tbl.the_curve")
            raise self._error("E303", say("E303.table", whom=self._whom(), what=what, shown=shown), span,
                              hint=say("E303.table_hint"))
        if self.observer is not None:
            self.observer.notice(self._table_note(name, args, values, found, kind))
        return found.value

    def _table_note(self, name: str, args, values: tuple, found: Found, kind: str) -> t.TableCell | t.CurveSegment:
        where = cell_place(found.row.cells[found.column or 0].span, self.model.policy.file)
        if found.segment is not None:
            a, b = found.segment
            points = ((point_x(a), a.cells[0].value), (point_x(b), b.cells[0].value))
            return t.CurveSegment(name, self._text(args[0].span), values[0], self._kind(args[0]), points,
                                  found.value, kind, where)
        looked = tuple((self._text(a.span), v, self._kind(a)) for a, v in zip(args, values, strict=True))
        column = None
        if found.column is not None:
            column = self.model.tables[name].columns[found.column].words()
        return t.TableCell(name, looked, found.row.key.words(), column, found.value, kind, where)


def _step(r: n.Round) -> Fraction:
    assert isinstance(r.step, n.Number), "the checker allows a number literal as the step only"
    return r.step.value


def _places(d: n.Definition | n.FlagDecl | n.Refusal) -> int | None:
    """The decimal places a value rounded as its whole formula keeps (`round(x, 0.01)` -> 2), for display."""
    if isinstance(d, n.Definition) and isinstance(d.body, n.Round):
        return decimal_places(_step(d.body))
    return None


_COMPARE = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


# The functions of plain values (builtins.VALUE_FUNCTIONS), each over its evaluated arguments.
_FUNCTIONS: dict[str, Callable[[list], object]] = {
    "min": min,
    "max": max,
    "abs": lambda values: abs(values[0]),
    "clamp": lambda values: min(max(values[0], values[1]), values[2]),
    "sign": lambda values: Fraction((values[0] > 0) - (values[0] < 0)),
}


# The date functions that need no period (builtins.DATE_FUNCTIONS; the others are in Reference._date_call).
_DATE_FUNCTIONS: dict[str, Callable[..., int]] = {
    "days_between": dates.days_between,
    "months_between": dates.months_between,
}


def _comparable(v):
    return v.name if isinstance(v, TierValue) else v
