"""Checking: a parsed policy -> a `Model` (names, types, evaluation order) and every diagnostic.

The checker collects; it never raises for a user's mistake. It finds unknown
names (with a "did you mean"), duplicates, cycles, unit errors, bands with
gaps, overlaps or dead rows, lookups without `else`, weights that do not add up
to 100%, tiers that can never match or leave ranges uncovered, and unused inputs.
"""

from __future__ import annotations

import difflib
import math
from fractions import Fraction

import attrs

from attain.diagnostics import Diagnostic, Label
from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.types import Type, UnitError

FUNCTIONS = {"min": (2, None), "max": (2, None), "clamp": (3, 3), "abs": (1, 1), "round": (2, 3)}
ROUND_MODES = ("half_up", "half_even", "half_down", "down", "up", "floor", "ceiling")
PERIOD_KINDS = ("month", "quarter", "half", "year", "week")


@attrs.frozen
class Model:
    """A checked policy: what each name is, its type, what it uses, and the order to compute it."""

    policy: n.Policy
    inputs: dict  # name -> Input
    definitions: dict  # name -> Definition | FlagDecl
    types: dict  # name -> Type
    deps: dict  # name -> tuple of names used
    order: tuple  # definitions in an order where each comes after what it uses
    outputs: tuple  # output names, in the order written
    history_refs: frozenset = frozenset()  # values some formula reads from an earlier period

    def is_input(self, name: str) -> bool:
        return name in self.inputs


def check(policy: n.Policy) -> tuple[Model, list[Diagnostic]]:
    return _Checker(policy).run()


class _Checker:
    def __init__(self, policy: n.Policy):
        self.policy = policy
        self.diags: list[Diagnostic] = []
        self.inputs: dict[str, n.Input] = {}
        self.defs: dict[str, object] = {}
        self.types: dict[str, Type] = {}
        self.deps: dict[str, tuple[str, ...]] = {}
        self.used: set[str] = set()
        self.history_refs: set[str] = set()
        self._pending_previous: list = []

    # ------------------------------------------------------------ reporting
    def error(self, code, message, span, label="", hint="", notes=()):
        self.diags.append(Diagnostic(code, message, span, "error", label, tuple(notes), hint))

    def warning(self, code, message, span, label="", hint="", notes=()):
        self.diags.append(Diagnostic(code, message, span, "warning", label, tuple(notes), hint))

    # ------------------------------------------------------------ driver
    def run(self):
        self._header()
        self._declare()
        self._resolve_names()
        order = self._order()
        for name in order:
            self._type_of_definition(name)
        self._check_pending_previous()
        outputs = self._outputs()
        self._unused()
        model = Model(self.policy, self.inputs, self.defs, self.types, self.deps, tuple(order), outputs,
                      frozenset(self.history_refs))
        return model, sorted(self.diags, key=Diagnostic.sort_key)

    def _header(self):
        h = self.policy.header
        if h.period is not None and h.period not in PERIOD_KINDS:
            self.error("C230", f"unknown period kind '{h.period}'", h.span,
                       hint="use one of: " + ", ".join(PERIOD_KINDS) + _did_you_mean(h.period, PERIOD_KINDS))
        for field in ("effective", "until"):
            value = getattr(h, field)
            if value is not None:
                import datetime

                try:
                    datetime.date.fromisoformat(value)
                except ValueError:
                    self.error("C231", f"'{value}' is not a real date", h.span, hint="write dates as YYYY-MM-DD")
        if h.month_ends_on is not None and (h.period != "month" or not 1 <= h.month_ends_on <= 28):
            self.error("C230", "`ending day N` fits monthly periods only, with N from 1 to 28", h.span,
                       hint="write for example `period month ending day 25`")
        if h.gaps is not None and h.gaps not in ("error", "restart"):
            self.error("C230", f"unknown gaps rule '{h.gaps}'", h.span,
                       hint="`gaps error` (a missing period is an error) or `gaps restart` (history starts again)")
        if h.effective and h.until and h.until < h.effective:
            self.error("C231", f"the policy ends ({h.until}) before it starts ({h.effective})", h.span)

    def _declare(self):
        first: dict[str, object] = {}
        for s in self._statements():
            if isinstance(s, n.OutputDecl):
                continue
            if s.name in first:
                prev = first[s.name]
                self.error("C201", f"'{s.name}' is defined twice", s.span, label="defined again here",
                           notes=[Label(prev.span, "first defined here")],
                           hint="rename one of them, or remove the extra definition")
                continue
            first[s.name] = s
            if isinstance(s, n.Input):
                self._declare_input(s)
            else:
                self.defs[s.name] = s

    def _statements(self):
        """The policy's statements with each `variants` block made into one definition per value."""
        for s in self.policy.statements:
            if isinstance(s, n.Variants):
                yield from self._variants(s)
            else:
                yield s

    def _variants(self, v: n.Variants):
        names: dict[str, list] = {}
        for case in v.cases:
            seen = set()
            for d in case.definitions:
                if d.name in seen:
                    self.error("C201", f"'{d.name}' is defined twice in one variant", d.span)
                    continue
                seen.add(d.name)
                names.setdefault(d.name, []).append((case.keys, d))
        for i, case in enumerate(v.cases):
            if case.keys is None and i != len(v.cases) - 1:
                self.error("C215", "'else' must be the last variant", case.span)
        keys_seen: dict[str, object] = {}
        for case in v.cases:
            for key in case.keys or ():
                if key in keys_seen:
                    self.error("C223", f'the value "{key}" has two variants', case.span,
                               notes=[Label(keys_seen[key].span, "first here")])
                keys_seen[key] = case
        for name, branches in names.items():
            if len(branches) != len(v.cases):
                defined = {id(k) for k, _ in branches}
                for case in v.cases:
                    if id(case.keys) not in defined:
                        which = "else" if case.keys is None else ", ".join(f'"{k}"' for k in case.keys)
                        self.error("C241", f"the variant {which} does not define '{name}'", case.span,
                                   label="missing here", notes=[Label(branches[0][1].span, "defined here")],
                                   hint=f"define '{name}' in every variant, or outside `variants`")
            payout = any(d.payout for _, d in branches)
            choice = n.Choice(v.subject, tuple(branches), tuple(c.keys for c in v.cases), span=v.span)
            yield n.Definition(name, choice, None, payout, span=branches[0][1].span)

    def _declare_input(self, s: n.Input):
        self.inputs[s.name] = s
        t = ty.BY_NAME.get(s.type)
        if t is None:
            self.error("C202", f"unknown type '{s.type}'", s.type_span, label="not a type",
                       hint="types are " + ", ".join(n.INPUT_TYPES) + _did_you_mean(s.type, n.INPUT_TYPES))
            t = ty.ERROR
        self.types[s.name] = t
        if (s.low is not None) and t is not ty.ERROR:
            if not t.numeric:
                self.error("C232", f"a range only fits a number, but '{s.name}' is {s.type}", s.low.span)
            elif s.low.value > s.high.value:
                self.error("C232", f"the range of '{s.name}' is empty", s.low.span,
                           hint=f"write the smaller bound first: in {s.high.text} .. {s.low.text}")
        if s.choices:
            if t is not ty.TEXT:
                self.error("C233", f"'one of' only fits text, but '{s.name}' is {s.type}", s.span)
            seen = set()
            for c in s.choices:
                if c in seen:
                    self.error("C233", f"'{c}' is listed twice in the choices of '{s.name}'", s.span)
                seen.add(c)
        if s.combine is not None:
            if s.combine not in n.COMBINE:
                self.error("C249", f"unknown way to combine rows: '{s.combine}'", s.span,
                           hint="use one of " + ", ".join(n.COMBINE) + _did_you_mean(s.combine, n.COMBINE))
            elif s.combine in ("sum", "mean", "min", "max") and t is not ty.ERROR and not t.numeric:
                self.error("C249", f"'{s.combine}' needs numbers, but '{s.name}' is {s.type}", s.span,
                           hint="texts, flags and dates combine by `first` or `last`")
        if s.default is not None and t is not ty.ERROR:
            d = s.default
            ok = (t.numeric and isinstance(d, n.Number)) or (t is ty.TEXT and isinstance(d, n.Text)) or (
                t is ty.BOOL and isinstance(d, n.Bool))
            if not ok:
                self.error("C234", f"the default of '{s.name}' is not {s.type}", d.span)
            elif s.choices and isinstance(d, n.Text) and d.value not in s.choices:
                self.error("C234", f"the default '{d.value}' is not one of the choices of '{s.name}'", d.span)

    # ------------------------------------------------------------ names and order
    def _known(self):
        return list(self.inputs) + list(self.defs)

    def _resolve_names(self):
        for name, d in self.defs.items():
            used = []
            for expr in _exprs_of(d):
                history = {id(x.value) for x in n.walk(expr) if isinstance(x, n.Previous)}
                groups = [x.group for x in n.walk(expr) if isinstance(x, n.Aggregate) and x.group]
                self.used.update(g for g in groups if g in self.inputs)
                for node in n.walk(expr):
                    if isinstance(node, n.Name):
                        if _is_round_mode(d, node):
                            continue
                        if id(node) in history:
                            # The previous period's value: not a dependency within this period.
                            if node.id in self.inputs or node.id in self.defs:
                                self.used.add(node.id)
                                self.history_refs.add(node.id)
                                continue
                        if node.id in self.inputs or node.id in self.defs:
                            used.append(node.id)
                        else:
                            self.error("C203", f"unknown name '{node.id}'", node.span, label="not defined",
                                       hint=_suggest(node.id, self._known()))
            self.deps[name] = tuple(dict.fromkeys(used))
            self.used.update(used)

    def _order(self) -> list[str]:
        """Definitions in dependency order; each cycle is reported once, naming its loop."""
        order, state = [], {}
        reported = set()

        def visit(name, path):
            if name in self.inputs or name not in self.defs:
                return
            st = state.get(name)
            if st == "done":
                return
            if st == "active":
                loop = path[path.index(name):] + [name]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    d = self.defs[name]
                    self.error("C204", "these values depend on each other in a loop: " + " -> ".join(loop),
                               d.span, label="the loop starts here",
                               notes=[Label(self.defs[m].span, f"'{m}' uses '{loop[i + 1]}'")
                                      for i, m in enumerate(loop[1:-1], 1)],
                               hint="one of them must be computed from inputs without the others")
                return
            state[name] = "active"
            for dep in self.deps.get(name, ()):
                visit(dep, path + [name])
            state[name] = "done"
            order.append(name)

        for name in self.defs:
            visit(name, [])
        # Values inside a loop are typed as errors so nothing else is said about them.
        in_loop = {m for key in reported for m in key}
        for m in in_loop:
            self.types[m] = ty.ERROR
        return [m for m in order if m not in in_loop]

    def _outputs(self) -> tuple[str, ...]:
        names: list[str] = []
        listed: set[str] = set()
        for s in self.policy.statements:
            if isinstance(s, n.OutputDecl):
                for ref in s.names:
                    if ref.id not in self.inputs and ref.id not in self.defs:
                        self.error("C203", f"unknown name '{ref.id}'", ref.span, label="not defined",
                                   hint=_suggest(ref.id, self._known()))
                    elif ref.id in listed:
                        self.warning("C235", f"'{ref.id}' is listed as an output twice", ref.span)
                    else:
                        listed.add(ref.id)
                        if ref.id not in names:
                            names.append(ref.id)
                        self.used.add(ref.id)
            elif isinstance(s, n.Variants):
                # A payout defined in variants is an output like any other payout.
                for name in dict.fromkeys(d.name for case in s.cases for d in case.definitions if d.payout):
                    if name not in names and name in self.defs:
                        names.append(name)
            elif isinstance(s, n.FlagDecl) or (isinstance(s, n.Definition) and s.payout):
                if s.name not in names and self.defs.get(s.name) is s:
                    names.append(s.name)
        if not names:
            names = [d for d in self.defs]
        return tuple(names)

    def _unused(self):
        for name, s in self.inputs.items():
            if name not in self.used:
                self.warning("C220", f"input '{name}' is never used", s.span, label="unused",
                             hint="remove it, or use it in a formula")

    # ------------------------------------------------------------ types
    def _type_of_definition(self, name: str):
        d = self.defs[name]
        if isinstance(d, n.FlagDecl):
            self._condition(d.condition, "a flag's condition")
            self.types[name] = ty.BOOL
            return
        t = self._body(d.body, name)
        if d.gate is not None:
            self._condition(d.gate, "'unless'")
            if t.kind not in ty.NUMERIC and t is not ty.ERROR:
                self.error("C236", f"'unless' pays nothing, so it needs a number, but '{name}' is {t}", d.gate.span)
        t = ty.concrete(t)
        if d.payout and t is not ty.ERROR and not t.is_money:
            self.error("C221", f"payout '{name}' must be money, but its formula gives {t}", d.span,
                       label="not money", hint="multiply by a money amount, or declare it with `output`")
        self.types[name] = t

    def _body(self, body, name: str) -> Type:
        if isinstance(body, n.Choice):
            return self._choice(body, name)
        if isinstance(body, n.Band):
            return self._band(body)
        if isinstance(body, n.Lookup):
            return self._lookup(body)
        if isinstance(body, n.Weighted):
            return self._weighted(body)
        if isinstance(body, n.Tiers):
            return self._tiers(body, name)
        if isinstance(body, n.Brackets):
            return self._brackets(body)
        return self._expr(body)

    def _choice(self, choice: n.Choice, name: str) -> Type:
        subject_t = self._expr(choice.subject)
        if subject_t is not ty.ERROR and not (choice.subject.id in self.inputs and subject_t is ty.TEXT):
            self.error("C242", f"variants need a text input to choose by, but '{choice.subject.id}' is not one",
                       choice.subject.span, hint="declare it as `input role : text one of ...`")
        result = None
        for _keys, d in choice.branches:
            t = self._body(d.body, name)
            if d.gate is not None:
                self._condition(d.gate, "'unless'")
            result = t if result is None else self._unify_rows(result, t, d.body if hasattr(d.body, "span")
                                                               else d)
        choices = self.inputs[choice.subject.id].choices if choice.subject.id in self.inputs else ()
        has_else = any(k is None for k in choice.cases)
        if choices and not has_else:
            covered = {k for keys in choice.cases for k in keys}
            missing = [c for c in choices if c not in covered]
            if missing:
                self.error("C243", f"no variant defines '{name}' for " + ", ".join(f'"{m}"' for m in missing),
                           choice.span, hint="add those values to a variant, or an `else:` variant")
        elif not choices and not has_else:
            self.error("C243", "variants by open text need an `else:` variant", choice.span,
                       hint=f"add `else:`, or declare the values of '{choice.subject.id}' with `one of`")
        return result or ty.ERROR

    def _condition(self, expr, what: str):
        t = self._expr(expr)
        if t is not ty.ERROR and t is not ty.BOOL:
            self.error("C205", f"{what} must be true or false, but this is {t}", expr.span,
                       label=f"this is {t}", hint="compare it, for example `attainment >= 100%`")

    def _expr(self, e) -> Type:
        try:
            return self._expr_inner(e)
        except UnitError as err:
            self.error("C206", str(err), e.span, label="unit mismatch", hint=_unit_hint(str(err)))
            return ty.ERROR

    def _expr_inner(self, e) -> Type:
        match e:
            case n.Number(money=True):
                return ty.MONEY
            case n.Number(percent=True):
                return ty.PERCENT
            case n.Number():
                return ty.LITERAL
            case n.Text():
                return ty.TEXT
            case n.Bool():
                return ty.BOOL
            case n.Date():
                return ty.DATE
            case n.Name(id=name):
                return self.types.get(name, ty.ERROR)
            case n.Field(base=base, field=field):
                t = self.types.get(base.id, ty.ERROR)
                if t is ty.ERROR:
                    return t
                if t.kind != "tier":
                    self.error("C207", f"'{base.id}' is {t}, it has no result '{field}'", e.span,
                               hint="results such as `.coefficient` belong to first-match tiers")
                    return ty.ERROR
                ft = t.field(field)
                if ft is None:
                    self.error("C207", f"no tier of '{base.id}' carries a result named '{field}'", e.span,
                               label="unknown result",
                               hint=_suggest(field, [f for f, _ in t.fields]) or "results carried: "
                               + ", ".join(f for f, _ in t.fields))
                    return ty.ERROR
                return ft
            case n.Unary(op="not", operand=x):
                self._condition(x, "'not'")
                return ty.BOOL
            case n.Unary(op="-", operand=x):
                t = self._expr(x)
                if t is not ty.ERROR and not t.numeric:
                    raise UnitError(f"'-' needs a number, but this is {t}")
                return t
            case n.Binary(op=op, left=l, right=r) if op in n.LOGIC:
                self._condition(l, f"'{op}'")
                self._condition(r, f"'{op}'")
                return ty.BOOL
            case n.Binary(op=op, left=l, right=r) if op in n.COMPARISONS:
                a, b = self._expr(l), self._expr(r)
                ty.comparable(a, b)
                if op not in ("=", "!=") and (ty.textlike(a) or a.kind == "bool"):
                    raise UnitError(f"'{op}' needs numbers or dates; text can only be compared with = or !=")
                self._tier_name_literal(a, r)
                self._tier_name_literal(b, l)
                return ty.BOOL
            case n.Binary(op=op, left=l, right=r):
                a, b = self._expr(l), self._expr(r)
                if op == "/" and isinstance(r, n.Number) and r.value == 0:
                    self.error("C208", "division by zero", r.span)
                if op == "*" and {a.kind, b.kind} == {"percent", "literal"} and _is_hundred(l if a.kind ==
                                                                                             "literal" else r):
                    return ty.NUMBER  # `attainment * 100`: a rate written as points
                return ty.arithmetic(op, a, b)
            case n.Conditional(then=t, condition=c, otherwise=o):
                self._condition(c, "the condition after 'if'")
                return ty.unify(self._expr(t), self._expr(o), "the two sides of 'if ... else'")
            case n.Call(func=func) if func in n.HISTORY_FUNCTIONS:
                return self._history_call(e)
            case n.Call(func="given"):
                return self._given(e)
            case n.Call():
                return self._call(e)
            case n.Previous():
                return self._previous(e)
            case n.Aggregate():
                return self._aggregate(e)
        raise AssertionError(f"unknown node {e!r}")

    def _needs_periods(self, e, what: str) -> bool:
        if self.policy.header.period is None:
            self.error("C244", f"{what} looks at earlier periods, but this policy has no period", e.span,
                       hint="add a period kind to the header, for example `period month`")
            return False
        return True

    def _previous(self, e: n.Previous) -> Type:
        self._needs_periods(e, "previous")
        if not isinstance(e.value, n.Name):
            self.error("C245", "previous takes the name of a value, such as previous(attainment, else 0)",
                       e.value.span, hint="give the formula a name first, then take its previous value")
            return ty.ERROR
        if e.back < 1:
            self.error("C245", "previous looks back 1 period or more", e.span)
        if e.otherwise is None:
            self.error("C240", "previous needs a value for the first period", e.span, label="no `else`",
                       hint=f"write previous({e.value.id}, else ...): there is no silent zero")
            return self.types.get(e.value.id, ty.ERROR)
        t_else = self._expr(e.otherwise)
        if e.value.id not in self.types:
            # A value computed later in the period (carried forward, like next month's plan): its
            # type is checked against the `else` value once every definition has one.
            self._pending_previous.append(e)
            return ty.concrete(t_else)
        return ty.unify(self.types[e.value.id], t_else, "previous and its `else` value")

    def _check_pending_previous(self):
        for e in self._pending_previous:
            t = self.types.get(e.value.id, ty.ERROR)
            try:
                ty.unify(t, self._expr(e.otherwise), "previous and its `else` value")
            except UnitError as err:
                self.error("C206", str(err), e.span, label="unit mismatch")

    def _given(self, e: n.Call) -> Type:
        arg = e.args[0] if len(e.args) == 1 else None
        if not (isinstance(arg, n.Name) and arg.id in self.inputs):
            self.error("C248", "given takes the name of an input, such as given(override_score)", e.span)
            return ty.BOOL
        if self.inputs[arg.id].default is not None:
            self.error("C248", f"'{arg.id}' has a default, so it is always given", e.span,
                       hint="remove the default to tell an empty cell from a filled one")
        return ty.BOOL

    def _history_call(self, e: n.Call) -> Type:
        self._needs_periods(e, e.func)
        if e.func == "streak":
            if len(e.args) != 1:
                self.error("C211", "streak takes one condition, such as streak(late_tasks = 0)", e.span)
                return ty.ERROR
            self._condition(e.args[0], "streak's condition")
            return ty.COUNT
        if len(e.args) != 2 or not (isinstance(e.args[1], n.Number) and e.args[1].value.denominator == 1
                                    and e.args[1].value >= 1):
            self.error("C211", f"{e.func} takes a value and a number of periods, such as {e.func}(sales, 3)", e.span)
            return ty.ERROR
        if not isinstance(e.args[0], n.Name):
            self.error("C245", f"{e.func} takes the name of a value", e.args[0].span)
            return ty.ERROR
        t = self._expr(e.args[0])
        if t is not ty.ERROR and not t.numeric:
            raise UnitError(f"{e.func} needs a number, but this is {t}")
        self.history_refs.add(e.args[0].id)
        return ty.NUMBER if (e.func == "rolling_mean" and t.kind == "count") else t

    def _aggregate(self, e: n.Aggregate) -> Type:
        if e.func not in n.AGGREGATES:
            self.error("C210", f"'{e.func}' is not a group function", e.span,
                       hint="group functions are " + ", ".join(n.AGGREGATES) + _did_you_mean(e.func, n.AGGREGATES))
            return ty.ERROR
        if e.group is not None:
            g = self.inputs.get(e.group)
            if g is None:
                self.error("C246", f"groups are formed by a text input, and '{e.group}' is not an input", e.span,
                           hint=_suggest(e.group, list(self.inputs)) or "use `within everyone` for all employees")
            elif self.types.get(e.group) is not ty.TEXT:
                self.error("C246", f"groups are formed by a text input, but '{e.group}' is {g.type}", e.span,
                           hint="group by region, level or another text input")
        if e.except_self and e.func in ("rank", "percentile"):
            self.error("C247", f"{e.func} already compares the employee with the others; drop `except self`", e.span)
        if e.func == "count":
            if e.value is not None:
                self._expr(e.value)
            return ty.COUNT
        if e.value is None:
            self.error("C247", f"{e.func} needs a value, such as {e.func}(sales within region)", e.span)
            return ty.ERROR
        if not isinstance(e.value, n.Name):
            self.error("C245", f"{e.func} takes the name of a value", e.value.span,
                       hint="give the formula a name first")
            return ty.ERROR
        t = self._expr(e.value)
        if t is not ty.ERROR and not t.numeric:
            raise UnitError(f"{e.func} needs a number, but this is {t}")
        if e.func == "rank":
            return ty.COUNT
        if e.func == "percentile":
            return ty.PERCENT
        if e.func == "mean" and t.kind == "count":
            return ty.NUMBER
        return t

    def _tier_name_literal(self, t: Type, other):
        if t.kind == "tier" and isinstance(other, n.Text) and other.value not in t.tiers:
            self.error("C209", f"there is no tier named '{other.value}'", other.span, label="not a tier",
                       hint=_suggest(other.value, list(t.tiers)) or "tiers: " + ", ".join(t.tiers))

    def _call(self, e: n.Call) -> Type:
        if e.func not in FUNCTIONS:
            self.error("C210", f"unknown function '{e.func}'", e.span,
                       hint="functions are " + ", ".join(FUNCTIONS) + _did_you_mean(e.func, FUNCTIONS))
            for a in e.args:
                self._expr(a)
            return ty.ERROR
        lo, hi = FUNCTIONS[e.func]
        count = len(e.args)
        if count < lo or (hi is not None and count > hi):
            want = f"{lo}" if lo == hi else (f"{lo} or more" if hi is None else f"{lo} or {hi}")
            self.error("C211", f"'{e.func}' takes {want} values, not {count}", e.span)
            return ty.ERROR
        if e.func == "round":
            t = self._expr(e.args[0])
            step = e.args[1]
            if not (isinstance(step, n.Number) and step.value > 0):
                self.error("C212", "round needs a step that is a positive number, such as 0.01 or 1", step.span,
                           hint="write round(bonus, 0.01) to round to cents")
            if count == 3:
                mode = e.args[2]
                if not (isinstance(mode, n.Name) and mode.id in ROUND_MODES):
                    self.error("C212", "unknown rounding mode", mode.span,
                               hint="modes are " + ", ".join(ROUND_MODES))
            if t is not ty.ERROR and not t.numeric:
                raise UnitError(f"round needs a number, but this is {t}")
            return t
        types = [self._expr(a) for a in e.args]
        if e.func == "abs":
            if types[0] is not ty.ERROR and not types[0].numeric:
                raise UnitError(f"abs needs a number, but this is {types[0]}")
            return types[0]
        result = types[0]
        for t in types:
            if t is not ty.ERROR and not t.numeric:
                raise UnitError(f"{e.func} needs numbers, but one value is {t}")
        for t in types[1:]:
            result = ty.unify(result, t, f"the values of {e.func}")
        return result

    # ------------------------------------------------------------ bands
    def _band(self, band: n.Band) -> Type:
        subject_t = self._expr(band.subject)
        if subject_t is not ty.ERROR and not subject_t.numeric:
            self.error("C213", f"a band needs a number to look at, but this is {subject_t}", band.subject.span,
                       hint="use `lookup` for text")
            subject_t = ty.ERROR
        result = None
        for row in band.rows:
            t = self._expr(row.result)
            result = t if result is None else self._unify_rows(result, t, row)
            for b in (row.low, row.high):
                if b is not None and subject_t.is_money and b.percent:
                    self.error("C206", "this band looks at money, so its bounds are amounts, not percents",
                               b.span, label="percent bound")
        self._otherwise_last(band.rows, lambda r: r.op == "otherwise", "band")
        for row in band.rows:
            if row.op == "to" and row.low.value >= row.high.value:
                self.error("C214", f"the range {row.low.text} to {row.high.text} is empty", row.span,
                           hint="write the smaller bound first")
        if subject_t is not ty.ERROR:
            self._coverage(band, subject_t)
        return result or ty.ERROR

    def _unify_rows(self, a: Type, b: Type, row) -> Type:
        try:
            return ty.unify(a, b, "the rows' results")
        except UnitError as err:
            result = getattr(row, "result", None) or getattr(row, "value", None) or row
            self.error("C206", str(err), getattr(result, "span", None) or row.span, label="unit mismatch")
            return ty.ERROR

    def _otherwise_last(self, rows, is_otherwise, what):
        for i, row in enumerate(rows):
            if is_otherwise(row) and i != len(rows) - 1:
                self.error("C215", f"'otherwise' must be the last row of a {what}", row.span,
                           label="rows after it can never match", hint="move this row to the end")

    def _domain(self, subject, t: Type):
        """(low, high, integral) bounds of the values a band's subject can take."""
        integral = t.kind == "count"
        low = high = None
        if isinstance(subject, n.Name) and subject.id in self.defs:
            d = self.defs[subject.id]
            if isinstance(d, n.Definition) and d.gate is None:
                subject = d.body  # a named streak or rank is still a streak or rank
        if isinstance(subject, n.Name) and subject.id in self.inputs:
            inp = self.inputs[subject.id]
            if inp.low is not None:
                low, high = inp.low.value, inp.high.value
            elif integral:
                low = Fraction(0)
        elif isinstance(subject, n.Call) and subject.func == "streak":
            low = Fraction(0)
        elif isinstance(subject, n.Aggregate) and subject.func in ("count", "rank"):
            low = Fraction(1 if subject.func == "rank" else 0)
        return low, high, integral

    def _coverage(self, band: n.Band, t: Type):
        rows = [r for r in band.rows if r.op != "otherwise"]
        has_otherwise = len(rows) != len(band.rows)
        low, high, integral = self._domain(band.subject, t)
        points = {v for r in rows for v in _interval_points(r.interval())}
        for v in (low, high):
            if v is not None:
                points.add(v)
        pieces = _pieces(sorted(points), low, high, integral)
        percent = any(b is not None and b.percent for r in rows for b in (r.low, r.high))
        gaps, overlaps = [], {}
        matched = {id(r): False for r in rows}
        for piece in pieces:
            holders = [r for r in rows if r.contains(piece.sample)]
            if not holders:
                gaps.append(piece)
                continue
            matched[id(holders[0])] = True
            if len(holders) > 1:
                overlaps.setdefault((id(holders[0]), id(holders[1])), (holders[0], holders[1], []))[2].append(piece)
        for first, second, where in overlaps.values():
            self.error("C217", f"band rows overlap: both hold for {_describe(_merge(where), percent)}",
                       second.span, label="overlaps an earlier row",
                       notes=[Label(first.span, "this row holds there too")],
                       hint="make the ranges meet without overlapping: `a to b` includes a but not b")
        for r in rows:
            if not matched[id(r)] and not any(p for p in pieces if r.contains(p.sample)):
                self.error("C218", "this band row can never match", r.span, label="never matches",
                           hint=_never_hint(low, high, percent))
        if gaps and not has_otherwise:
            ranges = _merge(gaps)
            text = ", ".join(_describe([g], percent) for g in ranges)
            self.error("C216", f"band leaves {text} uncovered", band.span, label="in this band",
                       hint=f"add a row for {_describe(ranges[:1], percent)}, or end with `otherwise -> ...`")
        if has_otherwise and not gaps and pieces:
            last = band.rows[-1]
            self.warning("C219", "'otherwise' can never match: the rows above cover every value", last.span)

    # ------------------------------------------------------------ lookups, scorecards
    def _lookup(self, lk: n.Lookup) -> Type:
        subject_t = self._expr(lk.subject)
        if subject_t is not ty.ERROR and not ty.textlike(subject_t):
            self.error("C222", f"a lookup needs text to look up, but this is {subject_t}", lk.subject.span,
                       hint="use `band` for numbers")
        result, seen = None, {}
        for row in lk.rows:
            t = self._expr(row.result)
            result = t if result is None else self._unify_rows(result, t, row)
            if row.key is not None:
                if row.key in seen:
                    self.error("C223", f"the key \"{row.key}\" is listed twice", row.span,
                               notes=[Label(seen[row.key].span, "first listed here")])
                seen[row.key] = row
        self._otherwise_last(lk.rows, lambda r: r.key is None, "lookup")
        has_else = any(r.key is None for r in lk.rows)
        choices = self._choices(lk.subject, subject_t)
        if choices is not None:
            for row in lk.rows:
                if row.key is not None and row.key not in choices:
                    self.error("C224", f"\"{row.key}\" is not one of the values this lookup can see", row.span,
                               hint=_suggest(row.key, list(choices)) or "values: " + ", ".join(choices))
            missing = [c for c in choices if c not in seen]
            if missing and not has_else:
                self.error("C225", "lookup has no row for " + ", ".join(f'"{m}"' for m in missing), lk.span,
                           hint="add those rows, or an `else -> ...` row")
        elif not has_else:
            self.error("C225", "lookup over open text has no `else` row", lk.span, label="some text matches no row",
                       hint="add `else -> ...`, or declare the input's values with `one of`")
        return result or ty.ERROR

    def _choices(self, subject, t: Type):
        if t.kind == "tier":
            return t.tiers
        if isinstance(subject, n.Name) and subject.id in self.inputs and self.inputs[subject.id].choices:
            return self.inputs[subject.id].choices
        return None

    def _weighted(self, w: n.Weighted) -> Type:
        total = Fraction(0)
        seen = {}
        for row in w.rows:
            t = self._expr(row.name)
            if t is not ty.ERROR and (not t.numeric or t.is_money):
                self.error("C206", f"a scorecard weighs scores, but '{row.name.id}' is {t}", row.name.span)
            if row.name.id in seen:
                self.error("C223", f"'{row.name.id}' is weighted twice", row.span,
                           notes=[Label(seen[row.name.id].span, "first weighted here")])
            seen[row.name.id] = row
            total += row.weight.value
        if total != 1:
            self.error("C226", f"weights add up to {_pct(total)}, not 100%", w.span, label="in this scorecard",
                       hint=f"{'remove' if total > 1 else 'add'} {_pct(abs(1 - total))} so they add up to 100%")
        return ty.NUMBER

    # ------------------------------------------------------------ tiers
    def _tiers(self, tiers: n.Tiers, name: str) -> Type:
        fields: dict[str, Type] = {}
        where: dict[str, list] = {}
        names = {}
        for row in tiers.rows:
            if row.name in names:
                self.error("C223", f"two tiers are named '{row.name}'", row.span,
                           notes=[Label(names[row.name].span, "first named here")])
            names[row.name] = row
            if row.condition is not None:
                self._condition(row.condition, "a tier's condition")
            seen_here = set()
            for res in row.results:
                if res.name in seen_here:
                    self.error("C223", f"tier '{row.name}' gives '{res.name}' twice", res.span)
                seen_here.add(res.name)
                t = self._expr(res.value)
                if res.name in fields:
                    fields[res.name] = self._unify_rows(fields[res.name], t, res)
                else:
                    fields[res.name] = t
                where.setdefault(res.name, []).append(row)
        self._otherwise_last(tiers.rows, lambda r: r.condition is None, "tier table")
        for field, rows in where.items():
            t = fields[field]
            if len(rows) != len(tiers.rows) and (t.numeric or t.kind == "bool"):
                missing = [r.name for r in tiers.rows if r not in rows]
                who = f"tier '{missing[0]}' gives" if len(missing) == 1 else "tiers " + ", ".join(
                    f"'{m}'" for m in missing) + " give"
                example = "false" if t.kind == "bool" else "0"
                self.error("C227", f"{who} no '{field}'", tiers.span, label=f"'{field}' missing",
                           hint=f"give every tier a '{field}', for example `{field} {example}`")
        self._tier_coverage(tiers)
        ftypes = tuple((f, ty.concrete(t)) for f, t in fields.items())
        return Type("tier", ftypes, tuple(r.name for r in tiers.rows))

    def _tier_coverage(self, tiers: n.Tiers):
        """Three-valued reading of tier conditions along the value most of them compare."""
        counts: dict[str, int] = {}
        for row in tiers.rows:
            if row.condition is not None:
                for s in {c for c in _compared_names(row.condition)}:
                    counts[s] = counts.get(s, 0) + 1
        if not counts:
            return
        subject = max(counts, key=lambda s: (counts[s], s))
        t = self.types.get(subject, ty.ERROR)
        if not t.numeric:
            return
        points = set()
        for row in tiers.rows:
            if row.condition is not None:
                points.update(_constants_against(row.condition, subject))
        low, high, integral = self._domain(n.Name(subject), t)
        pieces = _pieces(sorted(points | {v for v in (low, high) if v is not None}), low, high, integral)
        if not pieces:
            return
        percent = True if t.kind == "percent" else False
        can_match = {row.name: False for row in tiers.rows}
        gaps: list = []
        partial: dict = {}
        for piece in pieces:
            decided = False
            maybes = []
            for row in tiers.rows:
                truth = True if row.condition is None else _truth(row.condition, subject, piece.sample)
                if truth is False:
                    continue
                can_match[row.name] = True
                if truth is True:
                    decided = True
                    break
                maybes.append(row.name)
            if not decided:
                gaps.append(piece)
                partial.setdefault(tuple(maybes), []).append(piece)
        for row in tiers.rows:
            if not can_match[row.name]:
                self.error("C228", f"tier '{row.name}' can never be reached: the tiers above it always match first",
                           row.span, label="never reached",
                           hint="move it above the tiers that cover it, or narrow their conditions")
        if gaps:
            for maybes, where in partial.items():
                text = ", ".join(_describe([g], percent) for g in _merge(where))
                if maybes:
                    self.error("C229", f"no tier covers {subject} {text} unless "
                               + " or ".join(f"'{m}'" for m in maybes) + " applies", tiers.span,
                               label="uncovered", hint="add an `otherwise` tier at the end, or a tier for that range")
                else:
                    self.error("C229", f"no tier covers {subject} {text}", tiers.span, label="uncovered",
                               hint="add an `otherwise` tier at the end, or a tier for that range")

    # ------------------------------------------------------------ brackets
    def _brackets(self, br: n.Brackets) -> Type:
        amount_t = self._expr(br.amount)
        if amount_t is not ty.ERROR and not amount_t.numeric:
            self.error("C206", f"brackets need an amount, but this is {amount_t}", br.amount.span)
            amount_t = ty.ERROR
        if br.base is not None:
            base_t = self._expr(br.base)
            try:
                ty.comparable(amount_t, base_t)
            except UnitError as err:
                self.error("C206", f"'relative to' needs the same unit as the amount: {err}", br.base.span)
        prev = None
        for i, row in enumerate(br.rows):
            rate_t = self._expr(row.rate)
            if rate_t is not ty.ERROR and (not rate_t.numeric or rate_t.is_money):
                self.error("C206", f"a bracket's rate must be a percent or a number, not {rate_t}", row.rate.span)
            if row.upto is None:
                if i != len(br.rows) - 1:
                    self.error("C215", "'above' must be the last bracket", row.span)
                continue
            if br.base is None and row.upto.percent and amount_t.is_money:
                self.error("C206", "bracket bounds over money are amounts; for percents of a target write "
                           "`relative to target`", row.upto.span)
            if prev is not None and row.upto.value <= prev.value:
                self.error("C214", f"bracket bounds must rise: {row.upto.text} comes after {prev.text}", row.span)
            prev = row.upto
        if br.rows and br.rows[-1].upto is not None:
            self.error("C215", f"the last bracket must be `above at ...`: amounts over {br.rows[-1].upto.text} "
                       "would be paid nothing", br.rows[-1].span, hint="add `above at <rate>`")
        return amount_t if amount_t is not ty.ERROR else ty.ERROR


# ---------------------------------------------------------------- helpers


def _exprs_of(d) -> list:
    if isinstance(d, n.FlagDecl):
        return [d.condition]
    return [d.body] + ([d.gate] if d.gate is not None else [])


def _is_round_mode(d, node: n.Name) -> bool:
    for expr in _exprs_of(d):
        for c in n.walk(expr):
            if isinstance(c, n.Call) and c.func == "round" and len(c.args) == 3 and c.args[2] is node:
                return True
    return False


def _is_hundred(e) -> bool:
    return isinstance(e, n.Number) and not e.percent and e.value == 100


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _did_you_mean(name: str, known) -> str:
    s = _suggest(name, known)
    return f"; {s}" if s else ""


def _unit_hint(message: str) -> str:
    if "percent and money" in message:
        return "a percent of money is written as a product, e.g. `sales * 3%`"
    if "money times money" in message:
        return "one side should be a rate or a count"
    return ""


def _number_text(f: Fraction) -> str:
    """A rational as an HR author writes it: exact when it has a finite decimal, else about 10 digits."""
    from decimal import Decimal, localcontext

    d = f.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    with localcontext() as ctx:
        ctx.prec = 60 if d == 1 else 10
        text = format(Decimal(f.numerator) / Decimal(f.denominator), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}".replace(",", "_") if len(whole.lstrip("-")) > 4 else whole.lstrip("-")
    return ("" if d == 1 else "≈") + sign + grouped + (dot + frac if frac else "")


def _pct(f: Fraction) -> str:
    return _number_text(f * 100) + "%"


@attrs.frozen
class _Piece:
    """An elementary part of the number line between the bounds a band or tier mentions."""

    low: Fraction | None
    low_closed: bool
    high: Fraction | None
    high_closed: bool
    sample: Fraction


def _interval_points(iv):
    if iv is None:
        return []
    lo, _, hi, _ = iv
    return [v for v in (lo, hi) if v is not None]


def _pieces(points: list, low, high, integral: bool) -> list[_Piece]:
    """Split the domain at `points` into single points and the open segments between them."""
    pts = [p for p in points if (low is None or p >= low) and (high is None or p <= high)]
    out: list[_Piece] = []

    def segment(a, b):
        if integral:
            first = (math.floor(a) + 1) if a is not None else None
            last = (math.ceil(b) - 1) if b is not None else None
            if first is None:
                first = last if last is not None else 0
            if last is not None and first > last:
                return
            lo = Fraction(first) if a is not None else None
            hi = Fraction(last) if b is not None else None
            out.append(_Piece(lo, lo is not None, hi, hi is not None, Fraction(first)))
            return
        if a is None and b is None:
            sample = Fraction(0)
        elif a is None:
            sample = b - 1
        elif b is None:
            sample = a + 1
        else:
            sample = (a + b) / 2
        out.append(_Piece(a, False, b, False, sample))

    if not pts:
        if low is not None and high is not None and low == high:
            return [_Piece(low, True, low, True, low)]
        segment(low, high) if low is None or high is None else None
        if low is not None and high is not None:
            out.append(_Piece(low, True, high, True, (low + high) / 2))
        return out
    if low is None:
        segment(None, pts[0])
    for i, p in enumerate(pts):
        if not integral or p.denominator == 1:
            out.append(_Piece(p, True, p, True, p))
        if i + 1 < len(pts):
            segment(p, pts[i + 1])
    if high is None:
        segment(pts[-1], None)
    return out


def _merge(pieces: list[_Piece]) -> list[_Piece]:
    """Join adjacent pieces into ranges for messages."""
    merged: list[_Piece] = []
    for p in pieces:
        if merged:
            last = merged[-1]
            touching = last.high is not None and p.low is not None and (
                (last.high == p.low and (last.high_closed or p.low_closed))
                or (last.high_closed and p.low_closed and last.high.denominator == 1
                    and p.low.denominator == 1 and last.high + 1 == p.low))
            if touching:
                merged[-1] = _Piece(last.low, last.low_closed, p.high, p.high_closed, last.sample)
                continue
        merged.append(p)
    return merged


def _fmt(v: Fraction, percent: bool) -> str:
    return _pct(v) if percent else _number_text(v)


def _describe(pieces: list[_Piece], percent: bool) -> str:
    p = pieces[0]
    lo = _fmt(p.low, percent) if p.low is not None else None
    hi = _fmt(p.high, percent) if p.high is not None else None
    if p.low is not None and p.low == p.high:
        return f"exactly {lo}"
    if lo is None and hi is None:
        return "every value"
    if lo is None:
        return f"{'up to ' + hi if p.high_closed else 'below ' + hi}"
    if hi is None:
        return f"{'from ' + lo + ' up' if p.low_closed else 'above ' + lo}"
    if p.low_closed and not p.high_closed:
        return f"{lo} to {hi}"
    left = "from" if p.low_closed else "above"
    right = "up to" if p.high_closed else "below"
    return f"{left} {lo} {right} {hi}"


def _never_hint(low, high, percent) -> str:
    if low is not None or high is not None:
        return "its range lies outside the values this input can take, or the rows above already cover it"
    return "the rows above already cover its range"


def _compared_names(expr) -> set[str]:
    out = set()
    for node in n.walk(expr):
        if isinstance(node, n.Binary) and node.op in n.COMPARISONS:
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(side, n.Name) and isinstance(other, n.Number):
                    out.add(side.id)
    return out


def _constants_against(expr, subject: str) -> set[Fraction]:
    out = set()
    for node in n.walk(expr):
        if isinstance(node, n.Binary) and node.op in n.COMPARISONS:
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(side, n.Name) and side.id == subject and isinstance(other, n.Number):
                    out.add(other.value)
    return out


_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=", "!=": "!="}


def _truth(expr, subject: str, x: Fraction):
    """Kleene truth of a condition when `subject` is x and everything else is unknown (None)."""
    match expr:
        case n.Bool(value=v):
            return v
        case n.Unary(op="not", operand=o):
            t = _truth(o, subject, x)
            return None if t is None else not t
        case n.Binary(op="and", left=l, right=r):
            a, b = _truth(l, subject, x), _truth(r, subject, x)
            if a is False or b is False:
                return False
            return True if (a and b) else None
        case n.Binary(op="or", left=l, right=r):
            a, b = _truth(l, subject, x), _truth(r, subject, x)
            if a is True or b is True:
                return True
            return False if (a is False and b is False) else None
        case n.Binary(op=op, left=l, right=r) if op in n.COMPARISONS:
            if isinstance(l, n.Name) and l.id == subject and isinstance(r, n.Number):
                return _cmp(op, x, r.value)
            if isinstance(r, n.Name) and r.id == subject and isinstance(l, n.Number):
                return _cmp(_FLIP[op], x, l.value)
    return None


def _cmp(op, a, b) -> bool:
    return {">=": a >= b, ">": a > b, "<=": a <= b, "<": a < b, "=": a == b, "!=": a != b}[op]
