"""Checking: a parsed policy -> a `Model` (names, types, evaluation order) and every diagnostic.

The checker collects; it never raises for a user's mistake. It finds unknown
names (with a "did you mean"), duplicates, cycles, unit errors, bands with
gaps, overlaps or dead rows, lookups without `else`, weights that do not add up
to 100%, tiers that can never match or leave ranges uncovered, and unused inputs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from fractions import Fraction

from attain.diagnostics import Diagnostic, Label, Span
from attain.dsl import nodes as n
from attain.dsl import types as ty
from attain.dsl.builtins import (
    COMBINE,
    CURRENCY_NAMES,
    CURRENCY_SIGNS,
    INPUT_TYPES,
    ISO_CURRENCIES,
    PERIOD_FUNCTIONS,
    PERIOD_KINDS,
    PRORATED_TYPES,
    RESERVED,
    VERSION_SWITCHES,
    WRITTEN,
    currency_codes,
    suggestion,
)
from attain.dsl.check_expressions import _did_you_mean
from attain.dsl.check_tables import TableChecker
from attain.dsl.model import Model
from attain.dsl.table_files import TableReader
from attain.dsl.types import Type

# A currency sign or code as people write it before an amount: ¥, $, €, RMB, CNY, HK$.


def check(policy: n.Policy, read_table: TableReader | None = None) -> tuple[Model, list[Diagnostic]]:
    """The model of a policy and its diagnostics; `read_table` reads the tables it keeps in files."""
    return _Checker(policy, read_table).run()


class _Checker(TableChecker):
    """The driver: the header, declarations, names and their order, then each definition's type."""

    def __init__(self, policy: n.Policy, read_table: TableReader | None = None):
        self.policy = policy
        self.tables: dict[str, n.Table] = {}
        self.table_types: dict[str, Type] = {}
        self.read_table = read_table
        self.diags: list[Diagnostic] = []
        self.inputs: dict[str, n.Input] = {}
        self.defs: dict[str, n.Definition | n.FlagDecl | n.Refusal] = {}
        self.types: dict[str, Type] = {}
        self.deps: dict[str, tuple[str, ...]] = {}
        self.used: set[str] = set()
        self.history_refs: set[str] = set()
        self._pending_previous: list = []
        self.carried: dict[str, Type] = {}  # a carried-forward value's type, for a bare number `else`
        self.learning = False  # the pass that learns those types: bare numbers stay unit-free
        self.expression_types: dict[int, Type] = {}

    # ------------------------------------------------------------ reporting
    def error(self, code, message, span, label="", hint="", notes=()):
        self.diags.append(Diagnostic(code, message, span, "error", label, tuple(notes), hint))

    def warning(self, code, message, span, label="", hint="", notes=()):
        self.diags.append(Diagnostic(code, message, span, "warning", label, tuple(notes), hint))

    # ------------------------------------------------------------ driver
    def run(self):
        self._header()
        self._declare()
        self._labels()
        self._variant_keys()
        self._check_tables()
        self._resolve_names()
        order = self._order()
        self._check_chains(order)
        self._type_definitions(order)
        self._check_pending_previous()
        outputs = self._outputs()
        self._switch(outputs)
        self._unused()
        refusals = tuple(name for name, d in self.defs.items() if isinstance(d, n.Refusal) and name in order)
        model = Model(self.policy, self.inputs, self.defs, self.types, self.deps, tuple(order), outputs,
                      frozenset(self.history_refs), self.expression_types, refusals, dict(self.tables),
                      reads_period=self._reads_period())
        return model, sorted(self.diags, key=Diagnostic.sort_key)

    def _reads_period(self) -> bool:
        """Whether a formula reads the days of the period computed (the runner then gives them)."""
        return any(isinstance(x, n.PeriodValue) or (isinstance(x, n.Call) and x.func in PERIOD_FUNCTIONS)
                   for d in self.defs.values() for root in n.formulas(d) for x in n.walk(root))

    def _type_definitions(self, order: list[str]) -> None:
        """Each definition's type, in order; again when a carried-forward value's `else` is a bare number.

        `plan = previous(next_plan, else 0)` is typed before `next_plan`: its `0` takes the unit of
        `next_plan`, known only once that is typed. A learning pass, where values that are bare
        numbers stay unit-free, finds that unit; the last pass uses it. Only the last pass reports.
        """
        diags, types = len(self.diags), dict(self.types)
        for name in order:
            self._type_of_definition(name)
        carried = [e.value.id for e in self._pending_previous
                   if self.expression_types.get(id(e.otherwise)) is ty.LITERAL]
        if not carried:
            return
        for learning in (True, False):
            del self.diags[diags:]
            self.types = dict(types)
            self._pending_previous.clear()
            self.learning = learning
            for name in order:
                self._type_of_definition(name)
            if learning:
                self.carried = {name: t for name in carried if (t := self.types.get(name, ty.ERROR)).numeric
                                and t not in (ty.NUMBER, ty.LITERAL)}

    def _switch(self, outputs: tuple[str, ...]) -> None:
        """`version switch RULE[, rounded to STEP]`: a known rule; under proration, outputs it can weight."""
        h = self.policy.header
        if h.switch is None:
            return
        span = dict(h.lines).get("version switch", h.span)
        rules = " or ".join(f"`version switch {r}`" for r in VERSION_SWITCHES)
        if h.switch not in VERSION_SWITCHES:
            self.error("C253", f"unknown version switch '{h.switch}'", span,
                       hint=f"write {rules}" + _did_you_mean(h.switch, VERSION_SWITCHES))
            return
        if h.switch_rounding is not None:
            words, step = h.switch_rounding
            if h.switch != "prorated by days":
                self.error("C253", "only prorated amounts are rounded: `on last day` takes one version's values",
                           span, hint="leave out `, rounded to ...`")
            elif words != "rounded to" or Fraction(step.replace("_", "")) <= 0:
                self.error("C253", f"'{words} {step}' is not a rounding of prorated money", span,
                           hint="write `, rounded to 0.01` (half up, to a positive step)")
        if h.switch == "prorated by days":
            kinds = {name: self.types.get(name, ty.ERROR) for name in outputs}
            refused = [f"'{name}' ({'a flag' if t is ty.BOOL else t})" for name, t in kinds.items()
                       if t is not ty.ERROR and t.kind not in PRORATED_TYPES]
            if refused:
                self.error("C254", "days cannot prorate " + ", ".join(refused) + ": only money, percents and "
                           "numbers have a day-weighted mean", span, label="prorated by days",
                           hint="compute the period by one version (`version switch on last day`), or keep those "
                           "values out of the outputs")

    def _header(self):
        h = self.policy.header
        first_line: dict[str, Span] = {}
        for word, span in h.lines:
            if word in first_line:
                self.error("C260", f"the header gives `{word}` twice", span, label="given again here",
                           notes=[Label(first_line[word], "first given here")],
                           hint=f"remove one of the `{word}` lines: attain does not choose between them")
            first_line.setdefault(word, span)
        # A header finding points at its own line (the last, when one is repeated: its value is kept).
        kept = dict(h.lines)

        def at(word: str) -> Span | None:
            return kept.get(word, h.span)

        if h.period is not None and h.period not in PERIOD_KINDS:
            self.error("C230", f"unknown period kind '{h.period}'", at("period"),
                       hint="use one of: " + ", ".join(PERIOD_KINDS) + _did_you_mean(h.period, PERIOD_KINDS))
        for field in ("effective", "until"):
            value = getattr(h, field)
            if value is not None:
                try:
                    datetime.date.fromisoformat(value)
                except ValueError:
                    self.error("C231", f"'{value}' is not a real date", at(field), hint="write dates as YYYY-MM-DD")
        if h.month_ends_on is not None and (h.period != "month" or not 1 <= h.month_ends_on <= 28):
            self.error("C230", "`ending day N` fits monthly periods only, with N from 1 to 28", at("period"),
                       hint="write for example `period month ending day 25`")
        if h.gaps is not None and h.gaps not in ("error", "restart"):
            self.error("C230", f"unknown gaps rule '{h.gaps}'", at("gaps"),
                       hint="`gaps error` (a missing period is an error) or `gaps restart` (history starts again)")
        if h.currency is not None and not currency_codes(h.currency):
            self.error("C265", f"'{h.currency}' is not a currency attain knows", at("currency"),
                       hint='write an ISO 4217 code, such as `currency "CNY"` or `currency "USD"`, or a sign: '
                       + " ".join(CURRENCY_SIGNS) + (_did_you_mean(h.currency.upper(), CURRENCY_NAMES)  # RMB before RUB
                          or _did_you_mean(h.currency.upper(), ISO_CURRENCIES)))
        if h.effective and h.until and h.until < h.effective:
            self.error("C231", f"the policy ends ({h.until}) before it starts ({h.effective})", at("until"))

    def _declare(self):
        first: dict[str, n.Input | n.Definition | n.FlagDecl | n.Refusal | n.Table] = {}
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
            self._reserved_names(s)
            if isinstance(s, n.Input):
                self._declare_input(s)
            elif isinstance(s, n.Table):
                self.tables[s.name] = s
            else:
                self.defs[s.name] = s

    def _labels(self):
        """C266 for a label that is blank or names two values: a label heads a column and names the value on
        pages (an input's also names the data column it reads), so it must say which value it is."""
        first: dict[str, n.Input | n.Definition | n.FlagDecl | n.Refusal] = {}
        for s in (*self.inputs.values(), *self.defs.values()):
            label = getattr(s, "label", None)
            if label is None:
                continue
            if not label.strip():
                self.error("C266", f"the label of '{s.name}' is blank", s.span, label="blank label",
                           hint="write the value's readable name in the quotes, or leave the quotes out")
            elif label in first:
                self.error("C266", f"\"{label}\" labels both '{first[label].name}' and '{s.name}'", s.span,
                           label="labelled again here", notes=[Label(first[label].span, "first labelled here")],
                           hint="give each value its own label")
            else:
                first[label] = s

    def _reserved_names(self, s: n.Input | n.Definition | n.FlagDecl | n.Refusal | n.Table):
        """C262 for an input, value or tier named by a word of the language (`true`, `first`, ...)."""
        named = [(s.name, s.span, "input" if isinstance(s, n.Input) else "value")]
        if isinstance(s, n.Definition):
            bodies = [d.body for _, d in s.body.branches] if isinstance(s.body, n.Choice) else [s.body]
            named += [(row.name, row.span, "tier") for body in bodies if isinstance(body, n.Tiers)
                      for row in body.rows]
        for name, span, what in named:
            if name in RESERVED:
                where = span if span is None else Span(span.file, span.line, span.col, span.line,
                                                       span.col + len(name))
                article = "an" if what == "input" else "a"
                self.error("C262", f"'{name}' is a word of the policy language, so it cannot name {article} {what}",
                           where, label="a word of the language",
                           hint=f"choose another name: where a name may stand, `{name}` is read as the word")

    def _variant_keys(self):
        """C261 for a variant of a value the input's `one of` list does not hold: it would never be chosen."""
        for s in self.policy.statements:
            if not isinstance(s, n.Variants) or s.subject.id not in self.inputs:
                continue
            choices = self.inputs[s.subject.id].choices
            for case in s.cases if choices else ():
                for key in case.keys or ():
                    if key not in choices:
                        self.error("C261", f'"{key}" is not one of the values of \'{s.subject.id}\', so this '
                                   "variant would never be chosen", case.span, label="not a value of "
                                   + s.subject.id, hint=suggestion(key, choices) or "its values: "
                                   + ", ".join(f'"{c}"' for c in choices))

    def _statements(self) -> Iterator[n.Input | n.Definition | n.FlagDecl | n.Refusal | n.OutputDecl | n.Table]:
        """The policy's statements with each `variants` block made into one definition per value."""
        for s in self.policy.statements:
            if isinstance(s, n.Variants):
                yield from self._variants(s)
            else:
                yield s

    def _variants(self, v: n.Variants) -> Iterator[n.Definition]:
        names: dict[str, list[tuple[tuple[str, ...] | None, n.Definition]]] = {}
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
        keys_seen: dict[str, n.VariantCase] = {}
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
            labelled = [d for _, d in branches if d.label is not None]
            for d in labelled[1:]:
                if d.label != labelled[0].label:
                    self.error("C266", f"'{name}' has the label \"{labelled[0].label}\" in one variant and "
                               f"\"{d.label}\" in another", d.span, label="another label",
                               notes=[Label(labelled[0].span, "first labelled here")],
                               hint="a value has one label whatever the variant: give it once, or the same")
            label = labelled[0].label if labelled else None
            yield n.Definition(name, choice, None, payout, label, span=branches[0][1].span)

    def _declare_input(self, s: n.Input):
        self.inputs[s.name] = s
        t = ty.BY_NAME.get(s.type)
        if t is None:
            self.error("C202", f"unknown type '{s.type}'", s.type_span, label="not a type",
                       hint="types are " + ", ".join(INPUT_TYPES) + _did_you_mean(s.type, INPUT_TYPES))
            t = ty.ERROR
        self.types[s.name] = t
        if s.bounds is not None and t is not ty.ERROR:
            low, high = s.bounds
            if not t.numeric:
                self.error("C232", f"a range only fits a number, but '{s.name}' is {s.type}", low.span)
            elif low.value > high.value:
                self.error("C232", f"the range of '{s.name}' is empty", low.span,
                           hint=f"write the smaller bound first: in {high.text} .. {low.text}")
        if s.choices:
            if t is not ty.TEXT:
                self.error("C233", f"'one of' only fits text, but '{s.name}' is {s.type}", s.span)
            seen = set()
            for c in s.choices:
                if c in seen:
                    self.error("C233", f"'{c}' is listed twice in the choices of '{s.name}'", s.span)
                seen.add(c)
        if s.combine is not None:
            if s.combine not in COMBINE:
                self.error("C249", f"unknown way to combine rows: '{s.combine}'", s.span,
                           hint="use one of " + ", ".join(COMBINE) + _did_you_mean(s.combine, COMBINE))
            elif s.combine in ("sum", "mean", "min", "max") and t is not ty.ERROR and not t.numeric:
                self.error("C249", f"'{s.combine}' needs numbers, but '{s.name}' is {s.type}", s.span,
                           hint="texts, flags and dates combine by `first` or `last`")
        if s.written is not None:
            self._written(s, t)
        if s.default is not None and t is not ty.ERROR:
            d = s.default
            ok = (t.numeric and isinstance(d, n.Number)) or (t is ty.TEXT and isinstance(d, n.Text)) or (
                t is ty.BOOL and isinstance(d, n.Bool))
            if not ok:
                self.error("C234", f"the default of '{s.name}' is not {s.type}", d.span)
            elif s.choices and isinstance(d, n.Text) and d.value not in s.choices:
                self.error("C234", f"the default '{d.value}' is not one of the choices of '{s.name}'", d.span)

    def _written(self, s: n.Input, t: Type):
        """`written as points` fits a percent only; its default is a policy number, so it shows its % sign."""
        span = s.written_span or s.span
        if s.written not in WRITTEN:
            self.error("C263", f"unknown way of writing a percent: '{s.written}'", span,
                       hint="use `written as points` (95 is 95%) or `written as decimals` (0.95 is 95%)"
                       + _did_you_mean(s.written or "", WRITTEN))
        elif t is not ty.PERCENT and t is not ty.ERROR:
            self.error("C263", f"`written as` tells how a percent column is written, but '{s.name}' is {s.type}",
                       span, hint="leave it out, or declare the input as `percent`")
        elif s.written == "points" and isinstance(s.default, n.Number) and not s.default.percent:
            text = s.default.text
            self.error("C234", f"the default of '{s.name}' needs a % sign: a policy reads {text} as {text} × 100%, "
                       "not as points like its column", s.default.span,
                       hint=f"write `default {text}%` if you mean {text}%")

    # ------------------------------------------------------------ names and order
    def _known(self):
        return list(self.inputs) + list(self.defs)

    def _resolve_names(self):
        for name, d in self.defs.items():
            used = []
            for expr in n.formulas(d):
                history = {id(x.value) for x in n.walk(expr) if isinstance(x, n.Previous)}
                groups = [x.group for x in n.walk(expr) if isinstance(x, n.Aggregate) and x.group]
                self.used.update(g for g in groups if g in self.inputs)
                for node in n.walk(expr):
                    if isinstance(node, n.Name):
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
                                       hint=suggestion(node.id, self._known()))
            self.deps[name] = tuple(dict.fromkeys(used))
            self.used.update(used)

    def _order(self) -> list[str]:
        """Definitions in dependency order; each cycle is reported once, naming its loop."""
        order: list[str] = []
        state: dict[str, str] = {}  # name -> "active" while its dependencies are visited, then "done"
        reported: set[frozenset[str]] = set()

        def visit(name, path):
            if name in self.inputs or name not in self.defs:
                return
            st = state.get(name)
            if st == "done":
                return
            if st == "active":
                loop = [*path[path.index(name):], name]
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
                visit(dep, [*path, name])
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
                                   hint=suggestion(ref.id, self._known()))
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
            names = [name for name, d in self.defs.items() if not isinstance(d, n.Refusal)]
        return tuple(names)

    def _unused(self):
        for name, s in self.inputs.items():
            if name not in self.used:
                self.warning("C220", f"input '{name}' is never used", s.span, label="unused",
                             hint="remove it, or use it in a formula")

