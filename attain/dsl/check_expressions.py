"""Checking, part two: the type and unit of every expression, recorded once for the engines.

A mixin of the checker (`checker._Checker`): it reports through `self.error`
and reads the names declared by the driver. Each expression class has one
handler in `_TYPE`; a class without one is an internal error, never a guess.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.builtins import ACCRUAL_FUNCTIONS, FUNCTIONS, GROUP_FUNCTIONS, PERIOD_VALUES, ROUND_MODES, suggestion
from attain.dsl.org import check_reports
from attain.dsl.types import Type, UnitError
from attain.i18n.messages import joined, say
from attain.limits import MAX_CHAIN


class ExpressionChecker:
    """Types expressions; the checker class mixes it in with the block checks and the driver."""

    _TYPE = n.Dispatch("the checker", n.EXPRESSIONS)

    # provided by the checker class
    inputs: dict[str, n.Input]
    defs: dict[str, n.Definition | n.FlagDecl | n.Refusal]
    types: dict[str, Type]
    expression_types: dict[int, Type]
    history_refs: set[str]
    policy: n.Policy
    _pending_previous: list
    carried: dict[str, Type]
    learning: bool  # see checker._Checker._type_definitions

    def error(self, code: str, message: str, span, label: str = "", hint: str = "", notes=()) -> None:
        raise NotImplementedError  # the checker class reports; see checker._Checker.error

    def warning(self, code: str, message: str, span, label: str = "", hint: str = "", notes=()) -> None:
        raise NotImplementedError

    def _check_chains(self, order: list[str]) -> None:
        """C264 where a value is computed through more than MAX_CHAIN nested steps (its formula's levels
        plus, at each name it uses, that value's own steps): the evaluator recurses that deep.

        Measured without recursion, in dependency order, so each value's steps are known when used.
        """
        steps: dict[str, int] = {}
        for name in order:
            d = self.defs[name]
            roots = n.formulas(d)
            deepest = 0
            stack = [(root, 1) for root in roots]
            while stack:
                node, depth = stack.pop()
                deepest = max(deepest, depth + (steps.get(node.id, 0) if isinstance(node, n.Name) else 0))
                stack.extend((child, depth + 1) for child in n.children(node))
            if deepest > MAX_CHAIN:
                self.error("C264", say("C264", name=name, limit=f"{MAX_CHAIN:,}"), d.span,
                           label=say("C264.label", steps=f"{deepest:,}"), hint=say("C264.hint"))
                deepest = 0  # reported once, here, not again for every value above it
            steps[name] = deepest

    def _condition(self, expr, what: str):
        t = self._expr(expr)
        if t is not ty.ERROR and t is not ty.BOOL:
            self.error("C205", say("C205", what=what, type=ty.said(t)), expr.span,
                       label=say("C205.label", type=ty.said(t)), hint=say("C205.hint"))

    def _expr(self, e) -> Type:
        try:
            t = self._TYPE(self, e)
        except UnitError as err:
            self.error("C206", err.args[0], e.span, label=say("C206.label"), hint=_unit_hint(str(err)))
            t = ty.ERROR
        self.expression_types[id(e)] = t
        return t

    # ------------------------------------------------------------ literals and names
    @_TYPE.on(n.Number)
    def _number(self, e: n.Number) -> Type:
        return ty.MONEY if e.money else ty.PERCENT if e.percent else ty.LITERAL

    @_TYPE.on(n.Text)
    def _text(self, e: n.Text) -> Type:
        return ty.TEXT

    @_TYPE.on(n.Bool)
    def _bool(self, e: n.Bool) -> Type:
        return ty.BOOL

    @_TYPE.on(n.Date)
    def _date(self, e: n.Date) -> Type:
        return ty.DATE

    @_TYPE.on(n.PeriodValue)
    def _period_value(self, e: n.PeriodValue) -> Type:
        if PERIOD_VALUES[e.name][0] == "bool":
            return self._plan_word(e)  # type: ignore[attr-defined]  # check_accrual.AccrualChecker
        self._needs_period_days(e, f"'{e.name}'")
        return ty.DATE if PERIOD_VALUES[e.name][0] == "date" else ty.DAYS

    @_TYPE.on(n.Name)
    def _name(self, e: n.Name) -> Type:
        return self.types.get(e.id, ty.ERROR)

    @_TYPE.on(n.Field)
    def _field(self, e: n.Field) -> Type:
        base, field = e.base, e.field
        t = self.types.get(base.id, ty.ERROR)
        self.expression_types[id(base)] = t
        if t is ty.ERROR:
            return t
        if t.kind != "tier":
            self.error("C207", say("C207", name=base.id, type=ty.said(t), field=field), e.span,
                       hint=say("C207.hint"))
            return ty.ERROR
        ft = t.field(field)
        if ft is None:
            self.error("C207", say("C207.field", name=base.id, field=field), e.span, label=say("C207.label"),
                       hint=suggestion(field, [f for f, _ in t.fields]) or
                       say("C207.carried", fields=joined(f for f, _ in t.fields)))
            return ty.ERROR
        return ft

    # ------------------------------------------------------------ operators
    @_TYPE.on(n.Unary)
    def _unary(self, e: n.Unary) -> Type:
        if e.op == "not":
            self._condition(e.operand, say("C205.side", op="not"))
            return ty.BOOL
        t = self._expr(e.operand)
        if t is not ty.ERROR and not t.numeric:
            raise UnitError(say("C206.minus", type=ty.said(t)))
        return t

    @_TYPE.on(n.Binary)
    def _binary(self, e: n.Binary) -> Type:
        op, left, right = e.op, e.left, e.right
        if op in n.LOGIC:
            self._condition(left, say("C205.side", op=op))
            self._condition(right, say("C205.side", op=op))
            return ty.BOOL
        a, b = self._expr(left), self._expr(right)
        if op in n.COMPARISONS:
            ty.comparable(a, b)
            if op not in ("=", "!=") and (ty.textlike(a) or a.kind == "bool"):
                raise UnitError(say("C206.order", op=op))
            self._tier_name_literal(a, right)
            self._tier_name_literal(b, left)
            return ty.BOOL
        if op == "/" and isinstance(right, n.Number) and right.value == 0:
            self.error("C208", say("C208"), right.span)
        if op == "*" and {a.kind, b.kind} == {"percent", "literal"} and _is_hundred(
                left if a.kind == "literal" else right):
            return ty.NUMBER  # `attainment * 100`: a rate written as points
        result = ty.arithmetic(op, a, b)
        if result is ty.DATE:
            days = right if a is ty.DATE else left
            if isinstance(days, n.Number) and days.value.denominator != 1:
                raise UnitError(f"a date moves by whole days, not {days.text or days.value}")
        return result

    @_TYPE.on(n.Conditional)
    def _conditional(self, e: n.Conditional) -> Type:
        self._condition(e.condition, say("C205.if"))
        return ty.unify(self._expr(e.then), self._expr(e.otherwise), say("C206.if_sides"))

    def _tier_name_literal(self, t: Type, other):
        if t.kind == "tier" and isinstance(other, n.Text) and other.value not in t.tiers:
            self.error("C209", say("C209", name=other.value), other.span, label=say("C209.label"),
                       hint=suggestion(other.value, list(t.tiers)) or say("C209.tiers", tiers=joined(t.tiers)))

    # ------------------------------------------------------------ functions
    @_TYPE.on(n.Call)
    def _call(self, e: n.Call) -> Type:
        f = FUNCTIONS.get(e.func)
        if f is None:
            self.error("C210", say("C210", func=e.func), e.span,
                       hint=say("C210.hint", functions=joined(FUNCTIONS), more=_did_you_mean(e.func, FUNCTIONS)))
            for a in e.args:
                self._expr(a)
            return ty.ERROR
        if f.history:
            return self._history_call(e)
        if e.func == "given":
            return self._given(e)
        count = len(e.args)
        if count < f.min_args or (f.max_args is not None and count > f.max_args):
            lo, hi = f.min_args, f.max_args
            want = f"{lo}" if lo == hi else (say("C211.or_more", lo=lo) if hi is None else say("C211.or", lo=lo, hi=hi))
            self.error("C211", say("C211", func=e.func, want=want, count=count), e.span)
            return ty.ERROR
        if f.args[0] == "date":
            return self._date_call(e)
        if e.func == "round":
            # The parser makes a Round of every well-formed round(); this one's mode is not a word.
            return self._round(n.Round(e.args[0], e.args[1], "", span=e.span, mode_span=e.args[2].span))
        types = [self._expr(a) for a in e.args]
        for t in types:
            if t is not ty.ERROR and not t.numeric:
                if len(types) == 1:
                    raise UnitError(say("C206.number", func=e.func, type=ty.said(t)))
                raise UnitError(say("C206.numbers_one", func=e.func, type=ty.said(t)))
        if f.result == "number":
            return ty.NUMBER
        result = types[0]
        for t in types[1:]:
            result = ty.unify(result, t, say("C206.values_of", func=e.func))
        return result

    @_TYPE.on(n.Round)
    def _round(self, e: n.Round) -> Type:
        t = self._expr(e.value)
        step = e.step
        if isinstance(step, n.Number):
            self._expr(step)
        if not (isinstance(step, n.Number) and step.value > 0):
            self.error("C212", say("C212"), step.span, hint=say("C212.hint"))
        if e.mode is not None and e.mode not in ROUND_MODES:
            self.error("C212", say("C212.mode"), e.mode_span, hint=say("C212.modes", modes=joined(ROUND_MODES)))
        if t is not ty.ERROR and not t.numeric:
            raise UnitError(say("C206.number", func="round", type=ty.said(t)))
        return t

    def _given(self, e: n.Call) -> Type:
        arg = e.args[0] if len(e.args) == 1 else None
        if not (isinstance(arg, n.Name) and arg.id in self.inputs):
            self.error("C248", say("C248"), e.span)
            return ty.BOOL
        self.expression_types[id(arg)] = self.types.get(arg.id, ty.ERROR)
        if self.inputs[arg.id].default is not None:
            self.error("C248", say("C248.default", name=arg.id), e.span, hint=say("C248.hint"))
        return ty.BOOL

    # ------------------------------------------------------------ dates and the period
    def _needs_period_days(self, e, what: str) -> None:
        if self.policy.header.period is None:
            self.error("C270", say("C270", what=what), e.span, hint=say("C270.hint"))

    def _date_call(self, e: n.Call) -> Type:
        """days_between, months_between, in_period, days_employed, months_employed: dates in, a unit out."""
        f = FUNCTIONS[e.func]
        if f.period:
            self._needs_period_days(e, e.func)
        if e.func == "months_employed" and self.policy.header.period == "week":
            self.error("C270", say("C270.week"), e.span, hint=say("C270.week_hint"))
        types = [self._expr(a) for a in e.args]
        for t in types:
            if t is not ty.ERROR and t is not ty.DATE:
                raise UnitError(f"{e.func} needs {'a date' if len(f.args) == 1 else 'dates'}, but "
                                f"{'this' if len(types) == 1 else 'one value'} is {ty.concrete(t)}")
        return {"days": ty.DAYS, "months": ty.MONTHS, "bool": ty.BOOL}[f.result]

    # ------------------------------------------------------------ earlier periods
    def _needs_periods(self, e, what: str) -> bool:
        if self.policy.header.period is None:
            self.error("C244", say("C244", what=what), e.span, hint=say("C244.hint"))
            return False
        return True

    @_TYPE.on(n.Previous)
    def _previous(self, e: n.Previous) -> Type:
        self._needs_periods(e, "previous")
        if not isinstance(e.value, n.Name):
            self.error("C245", say("C245.previous"), e.value.span, hint=say("C245.previous_hint"))
            return ty.ERROR
        if e.back < 1:
            self.error("C245", say("C245.back"), e.span)
        if e.otherwise is None:
            self.error("C240", say("C240"), e.span, label=say("C240.label"), hint=say("C240.hint", name=e.value.id))
            return self.types.get(e.value.id, ty.ERROR)
        t_else = self._expr(e.otherwise)
        if e.value.id not in self.types:
            # A value computed later in the period (carried forward, like next month's plan): its
            # type is checked against the `else` value once every definition has one.
            self._pending_previous.append(e)
            if t_else is ty.LITERAL and e.value.id in self.carried:
                return self.carried[e.value.id]  # a bare `0` takes the unit of the value carried forward
            return t_else if self.learning else ty.concrete(t_else)
        self.expression_types[id(e.value)] = self.types[e.value.id]
        return ty.unify(self.types[e.value.id], t_else, say("C206.previous_else"))

    def _check_pending_previous(self):
        for e in self._pending_previous:
            t = self.types.get(e.value.id, ty.ERROR)
            self.expression_types[id(e.value)] = t
            try:
                ty.unify(t, self._expr(e.otherwise), say("C206.previous_else"))
            except UnitError as err:
                self.error("C206", err.args[0], e.span, label=say("C206.label"))

    def _history_call(self, e: n.Call) -> Type:
        if e.func in ACCRUAL_FUNCTIONS:
            return self._accrual_call(e)  # type: ignore[attr-defined]  # check_accrual.AccrualChecker
        self._needs_periods(e, e.func)
        if e.func == "streak":
            if len(e.args) != 1:
                self.error("C211", say("C211.streak"), e.span)
                return ty.ERROR
            self._condition(e.args[0], say("C205.streak"))
            return ty.COUNT
        if len(e.args) != 2 or not (isinstance(e.args[1], n.Number) and e.args[1].value.denominator == 1
                                    and e.args[1].value >= 1):
            self.error("C211", say("C211.rolling", func=e.func), e.span)
            return ty.ERROR
        if not isinstance(e.args[0], n.Name):
            self.error("C245", say("C245.name", func=e.func), e.args[0].span)
            return ty.ERROR
        t = self._expr(e.args[0])
        self._expr(e.args[1])
        if t is not ty.ERROR and not t.numeric:
            raise UnitError(say("C206.number", func=e.func, type=ty.said(t)))
        self.history_refs.add(e.args[0].id)
        return ty.NUMBER if (e.func == "rolling_mean" and t.kind == "count") else t

    # ------------------------------------------------------------ groups
    @_TYPE.on(n.Aggregate)
    def _aggregate(self, e: n.Aggregate) -> Type:
        g = GROUP_FUNCTIONS.get(e.func)
        if g is None:
            self.error("C210", say("C210.group", func=e.func), e.span,
                       hint=say("C210.group_hint", functions=joined(GROUP_FUNCTIONS),
                                more=_did_you_mean(e.func, GROUP_FUNCTIONS)))
            return ty.ERROR
        self._group(e)
        if e.except_self and not g.except_self and e.reports is None:
            self.error("C247", say("C247.except", func=e.func), e.span)
        if not g.needs_value:
            if e.value is not None:
                self._expr(e.value)
            return ty.COUNT
        if e.value is None:
            self.error("C247", say("C247.value", func=e.func), e.span)
            return ty.ERROR
        if not isinstance(e.value, n.Name):
            self.error("C245", say("C245.name", func=e.func), e.value.span, hint=say("C245.name_hint"))
            return ty.ERROR
        t = self._expr(e.value)
        if t is not ty.ERROR and not t.numeric:
            raise UnitError(say("C206.number", func=e.func, type=ty.said(t)))
        if g.result == "count":
            return ty.COUNT
        if g.result == "percent":
            return ty.PERCENT
        if e.func == "mean" and t.kind == "count":
            return ty.NUMBER
        return t

    def _group(self, e: n.Aggregate) -> None:
        if e.reports is not None:
            check_reports(self, e)
            return
        if e.group is None:
            return
        g = self.inputs.get(e.group)
        if g is None:
            self.error("C246", say("C246", group=e.group), e.span,
                       hint=suggestion(e.group, list(self.inputs)) or say("C246.hint"))
        elif self.types.get(e.group) is not ty.TEXT:
            self.error("C246", say("C246.type", group=e.group, type=g.type), e.span, hint=say("C246.type_hint"))


def _is_hundred(e) -> bool:
    return isinstance(e, n.Number) and not e.percent and e.value == 100


def _did_you_mean(name: str, known) -> str:
    s = suggestion(name, known)
    return say("also", more=s) if s else ""


def _unit_hint(message: str) -> str:
    if "percent and money" in message:
        return say("C206.percent_hint")
    if "money times money" in message:
        return say("C206.times_hint")
    return ""
