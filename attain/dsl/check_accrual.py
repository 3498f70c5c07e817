"""Checking, accumulation over the plan year: `plan year starts`, `year_to_date(x)` and its kin, the period words.

A mixin of the checker (`checker._Checker`), like the expression checks it extends. The plan
year's start must be a month's English name that starts a period of the policy's kind
(a quarter, a half, or January for a year): a quarter that straddled two plan years could
not be given to either (C293). The quarter functions need periods no longer than a quarter
(C296). A sum "to date" includes this period, so it cannot be read by what it sums (C294:
the earlier sum reads only earlier periods, and may); a text, a yes/no, a date or a tier
cannot be summed (C295).
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.builtins import ACCRUAL_FUNCTIONS, MONTHS
from attain.dsl.check_expressions import _did_you_mean
from attain.dsl.types import Type
from attain.i18n.messages import joined, say

_STARTS = {"quarter": 3, "half": 6, "year": 12}  # a plan year must start one of these periods (months apart)
_YEAR_WORDS = "year_to_date, earlier_this_year, last_period_of_year"
_QUARTER_WORDS = ("quarter_to_date", "earlier_this_quarter", "first_period_of_quarter", "last_period_of_quarter")


class AccrualChecker:
    """`plan year starts`, the accumulation functions and the plan year's period words."""

    # provided by the checker class
    policy: n.Policy
    defs: dict
    deps: dict
    types: dict
    history_refs: set[str]
    carried: dict
    expression_types: dict
    accrual_pending: dict  # id -> an earlier sum typed before its value (checker._Checker sets it empty)

    def error(self, code: str, message: str, span, label: str = "", hint: str = "", notes=()) -> None:
        raise NotImplementedError  # the checker class reports

    def _expr(self, e) -> Type:
        raise NotImplementedError  # provided by check_expressions.ExpressionChecker

    def _needs_periods(self, e, what: str) -> bool:
        raise NotImplementedError  # provided by check_expressions.ExpressionChecker

    def _check_plan_year(self) -> None:
        h = self.policy.header
        if h.plan_year is None:
            return
        span = dict(h.lines).get("plan year", h.span)
        names = [m.lower() for m in MONTHS]
        if h.plan_year.lower() not in names:
            self.error("C293", say("C293", month=h.plan_year), span,
                       hint=say("C293.hint", months=joined(MONTHS), more=_did_you_mean(h.plan_year.title(), MONTHS)))
            return
        if h.period is None:
            self.error("C293", say("C293.period"), span, hint=say("C293.period_hint"))
            return
        months = _STARTS.get(h.period)
        if months is not None and names.index(h.plan_year.lower()) % months:
            starts = [MONTHS[i] for i in range(0, 12, months)]
            self.error("C293", say(f"C293.{h.period}", month=h.plan_year), span,
                       hint=say("C293.starts_hint", months=joined(starts)))

    def _earlier_arguments(self, expr) -> set[int]:
        """The ids of the names an `earlier_this_year(x)` reads: earlier periods only, no dependency now."""
        return {id(x.args[0]) for x in n.walk(expr) if isinstance(x, n.Call) and x.func in ACCRUAL_FUNCTIONS
                and not ACCRUAL_FUNCTIONS[x.func][1] and len(x.args) == 1}

    def _accrual_cycles(self) -> None:
        """C294 where `year_to_date(x)` is read by x itself: the loop is cut here, so C204 says nothing more."""
        for name, d in self.defs.items():
            for expr in n.formulas(d):
                for node in n.walk(expr):
                    if not (isinstance(node, n.Call) and ACCRUAL_FUNCTIONS.get(node.func, ("", False))[1]
                            and len(node.args) == 1 and isinstance(node.args[0], n.Name)):
                        continue
                    subject = node.args[0].id
                    if subject in self.defs and self._reaches(subject, name):
                        earlier = node.func.replace("year_to_date", "earlier_this_year").replace(
                            "quarter_to_date", "earlier_this_quarter")
                        self.error("C294", say("C294", call=node.func, name=subject, owner=name), node.span,
                                   hint=say("C294.hint", earlier=earlier, name=subject))
                        self.deps[name] = tuple(d for d in self.deps.get(name, ()) if d != subject)

    def _reaches(self, start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            at = stack.pop()
            if at == goal:
                return True
            if at not in seen:
                seen.add(at)
                stack.extend(self.deps.get(at, ()))
        return False

    def _accrual_call(self, e: n.Call) -> Type:
        """`year_to_date(x)` and its kin: the name of a number, summed in its own unit."""
        if not self._needs_periods(e, e.func) or not self._quarters_fit(e, e.func):
            return ty.ERROR
        if len(e.args) != 1:
            self.error("C211", say("C211", func=e.func, want="1", count=len(e.args)), e.span)
            return ty.ERROR
        subject = e.args[0]
        if not isinstance(subject, n.Name):
            self.error("C245", say("C245.name", func=e.func), subject.span, hint=say("C245.name_hint"))
            return ty.ERROR
        if not ACCRUAL_FUNCTIONS[e.func][1] and subject.id not in self.types:
            # Read before it is computed this period (pay reads earlier_this_year(pay)): typed once known.
            self.history_refs.add(subject.id)
            return self._pending_accrual(e)
        t = self._expr(subject)
        self.history_refs.add(subject.id)
        return self._summable(e, t)

    def _pending_accrual(self, e: n.Call) -> Type:
        """The earlier sum of a value typed later this period: unit-free until a learning pass has found
        the value's unit (as `previous(next_plan, else 0)`'s 0); checked once every value has a type."""
        subject = e.args[0]
        assert isinstance(subject, n.Name)
        if subject.id not in self.defs:
            return self._expr(subject)  # an unknown name: C203 was said
        self.accrual_pending[id(e)] = e
        return self.carried.get(subject.id, ty.LITERAL)

    def _check_pending_accrual(self) -> None:
        for e in self.accrual_pending.values():
            subject = e.args[0]
            assert isinstance(subject, n.Name)
            t = self.types.get(subject.id, ty.ERROR)
            self.expression_types[id(subject)] = t
            self._summable(e, t)

    def _summable(self, e: n.Call, t: Type) -> Type:
        if t is ty.ERROR or t.numeric:
            return t
        self.error("C295", say("C295", func=e.func, type=ty.said(t)), e.span, hint=say("C295.hint"))
        return ty.ERROR

    def _quarters_fit(self, e, what: str) -> bool:
        period = self.policy.header.period
        if what in _QUARTER_WORDS and period in ("half", "year"):
            self.error("C296", say("C296", what=what, period=period), e.span,
                       hint=say("C296.hint", functions=_YEAR_WORDS))
            return False
        return True

    def _plan_word(self, e: n.PeriodValue) -> Type:
        """`last_period_of_year`, `last_period_of_quarter`: yes or no."""
        if self._needs_periods(e, e.name):
            self._quarters_fit(e, e.name)
        return ty.BOOL
