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
from attain.dsl.check_accrual import AccrualChecker
from attain.dsl.check_expressions import _did_you_mean
from attain.dsl.check_lines import check_lines
from attain.dsl.check_tables import TableChecker
from attain.dsl.line_nodes import LineTable
from attain.dsl.model import Model
from attain.dsl.org import employee_inputs, recursive_reports, words
from attain.dsl.table_files import TableReader
from attain.dsl.types import Type
from attain.i18n.messages import joined, say

# A currency sign or code as people write it before an amount: ¥, $, €, RMB, CNY, HK$.


def check(policy: n.Policy, read_table: TableReader | None = None) -> tuple[Model, list[Diagnostic]]:
    """The model of a policy and its diagnostics; `read_table` reads the tables it keeps in files."""
    if any(isinstance(s, LineTable) for s in policy.statements):  # line tables: checked in check_lines.py
        return check_lines(policy, lambda part: _Checker(part, read_table).run())
    return _Checker(policy, read_table).run()


class _Checker(TableChecker, AccrualChecker):
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
        self.accrual_pending: dict = {}
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
        self._check_plan_year()
        self._declare()
        self._labels()
        self._variant_keys()
        self._check_tables()
        self._resolve_names()
        self._accrual_cycles()
        order = self._order()
        self._check_chains(order)
        self._type_definitions(order)
        self._check_pending_previous()
        self._check_pending_accrual()
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
        carried += [e.args[0].id for e in self.accrual_pending.values()]  # earlier_this_year(pay) in pay
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
        rules = joined((f"`version switch {r}`" for r in VERSION_SWITCHES), "or")
        if h.switch not in VERSION_SWITCHES:
            self.error("C253", say("C253", switch=h.switch), span,
                       hint=say("C253.hint", rules=rules, more=_did_you_mean(h.switch, VERSION_SWITCHES)))
            return
        if h.switch_rounding is not None:
            words, step = h.switch_rounding
            if h.switch != "prorated by days":
                self.error("C253", say("C253.last_day"), span, hint=say("C253.last_day_hint"))
            elif words != "rounded to" or Fraction(step.replace("_", "")) <= 0:
                self.error("C253", say("C253.rounding", words=words, step=step), span, hint=say("C253.rounding_hint"))
        if h.switch == "prorated by days":
            kinds = {name: self.types.get(name, ty.ERROR) for name in outputs}
            refused = [say("C254.item", name=name, type=say("C254.flag") if t is ty.BOOL else ty.said(t))
                       for name, t in kinds.items() if t is not ty.ERROR and t.kind not in PRORATED_TYPES]
            if refused:
                self.error("C254", say("C254", refused=joined(refused)), span, label=say("C254.label"),
                           hint=say("C254.hint"))

    def _header(self):
        h = self.policy.header
        first_line: dict[str, Span] = {}
        for word, span in h.lines:
            if word in first_line:
                self.error("C260", say("C260", word=word), span, label=say("C260.label"),
                           notes=[Label(first_line[word], say("C260.first"))], hint=say("C260.hint", word=word))
            first_line.setdefault(word, span)
        # A header finding points at its own line (the last, when one is repeated: its value is kept).
        kept = dict(h.lines)

        def at(word: str) -> Span | None:
            return kept.get(word, h.span)

        if h.period is not None and h.period not in PERIOD_KINDS:
            self.error("C230", say("C230", period=h.period), at("period"),
                       hint=say("C230.hint", kinds=joined(PERIOD_KINDS), more=_did_you_mean(h.period, PERIOD_KINDS)))
        for field in ("effective", "until"):
            value = getattr(h, field)
            if value is not None:
                try:
                    datetime.date.fromisoformat(value)
                except ValueError:
                    self.error("C231", say("C231", value=value), at(field), hint=say("C231.hint"))
        if h.month_ends_on is not None and (h.period != "month" or not 1 <= h.month_ends_on <= 28):
            self.error("C230", say("C230.ending"), at("period"), hint=say("C230.ending_hint"))
        if h.gaps is not None and h.gaps not in ("error", "restart"):
            self.error("C230", say("C230.gaps", gaps=h.gaps), at("gaps"), hint=say("C230.gaps_hint"))
        if h.currency is not None and not currency_codes(h.currency):
            self.error("C265", say("C265", currency=h.currency), at("currency"),
                       hint=say("C265.hint", signs=" ".join(CURRENCY_SIGNS),
                                more=_did_you_mean(h.currency.upper(), CURRENCY_NAMES)  # RMB before RUB
                                or _did_you_mean(h.currency.upper(), ISO_CURRENCIES)))
        if h.effective and h.until and h.until < h.effective:
            self.error("C231", say("C231.order", until=h.until, effective=h.effective), at("until"))

    def _declare(self):
        first: dict[str, n.Input | n.Definition | n.FlagDecl | n.Refusal | n.Table] = {}
        for s in self._statements():
            if isinstance(s, n.OutputDecl):
                continue
            if s.name in first:
                prev = first[s.name]
                self.error("C201", say("C201", name=s.name), s.span, label=say("C201.label"),
                           notes=[Label(prev.span, say("C201.first"))], hint=say("C201.hint"))
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
                self.error("C266", say("C266.blank", name=s.name), s.span, label=say("C266.blank_label"),
                           hint=say("C266.blank_hint"))
            elif label in first:
                self.error("C266", say("C266.both", label=label, first=first[label].name, name=s.name), s.span,
                           label=say("C266.again"), notes=[Label(first[label].span, say("C266.first"))],
                           hint=say("C266.both_hint"))
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
                self.error("C262", say(f"C262.{what}", name=name), where, label=say("C262.label"),
                           hint=say("C262.hint", name=name))

    def _variant_keys(self):
        """C261 for a variant of a value the input's `one of` list does not hold: it would never be chosen."""
        for s in self.policy.statements:
            if not isinstance(s, n.Variants) or s.subject.id not in self.inputs:
                continue
            choices = self.inputs[s.subject.id].choices
            for case in s.cases if choices else ():
                for key in case.keys or ():
                    if key not in choices:
                        self.error("C261", say("C261", key=key, name=s.subject.id), case.span,
                                   label=say("C261.label", name=s.subject.id),
                                   hint=suggestion(key, choices) or say("C261.values",
                                                                        values=joined(f'"{c}"' for c in choices)))

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
                    self.error("C201", say("C201.variant", name=d.name), d.span)
                    continue
                seen.add(d.name)
                names.setdefault(d.name, []).append((case.keys, d))
        for i, case in enumerate(v.cases):
            if case.keys is None and i != len(v.cases) - 1:
                self.error("C215", say("C215.variant"), case.span)
        keys_seen: dict[str, n.VariantCase] = {}
        for case in v.cases:
            for key in case.keys or ():
                if key in keys_seen:
                    self.error("C223", say("C223.variant", key=key), case.span,
                               notes=[Label(keys_seen[key].span, say("first_here"))])
                keys_seen[key] = case
        for name, branches in names.items():
            if len(branches) != len(v.cases):
                defined = {id(k) for k, _ in branches}
                for case in v.cases:
                    if id(case.keys) not in defined:
                        which = "else" if case.keys is None else joined(f'"{k}"' for k in case.keys)
                        self.error("C241", say("C241", which=which, name=name), case.span,
                                   label=say("C241.label"), notes=[Label(branches[0][1].span, say("C241.defined"))],
                                   hint=say("C241.hint", name=name))
            payout = any(d.payout for _, d in branches)
            choice = n.Choice(v.subject, tuple(branches), tuple(c.keys for c in v.cases), span=v.span)
            labelled = [d for _, d in branches if d.label is not None]
            for d in labelled[1:]:
                if d.label != labelled[0].label:
                    self.error("C266", say("C266.variants", name=name, one=labelled[0].label, other=d.label), d.span,
                               label=say("C266.another"), notes=[Label(labelled[0].span, say("C266.first"))],
                               hint=say("C266.variants_hint"))
            label = labelled[0].label if labelled else None
            yield n.Definition(name, choice, None, payout, label, span=branches[0][1].span)

    def _declare_input(self, s: n.Input):
        self.inputs[s.name] = s
        t = ty.BY_NAME.get(s.type)
        if t is None:
            self.error("C202", say("C202", type=s.type), s.type_span, label=say("C202.label"),
                       hint=say("C202.hint", types=joined(INPUT_TYPES), more=_did_you_mean(s.type, INPUT_TYPES)))
            t = ty.ERROR
        self.types[s.name] = t
        if s.bounds is not None and t is not ty.ERROR:
            low, high = s.bounds
            if not t.numeric:
                self.error("C232", say("C232", name=s.name, type=s.type), low.span)
            elif low.value > high.value:
                self.error("C232", say("C232.empty", name=s.name), low.span,
                           hint=say("C232.hint", high=high.text, low=low.text))
        if s.choices:
            if t is not ty.TEXT:
                self.error("C233", say("C233", name=s.name, type=s.type), s.span)
            seen = set()
            for c in s.choices:
                if c in seen:
                    self.error("C233", say("C233.twice", choice=c, name=s.name), s.span)
                seen.add(c)
        if s.combine is not None:
            if s.combine not in COMBINE:
                self.error("C249", say("C249", combine=s.combine), s.span,
                           hint=say("C249.hint", rules=joined(COMBINE), more=_did_you_mean(s.combine, COMBINE)))
            elif s.combine in ("sum", "mean", "min", "max") and t is not ty.ERROR and not t.numeric:
                self.error("C249", say("C249.numbers", combine=s.combine, name=s.name, type=s.type), s.span,
                           hint=say("C249.numbers_hint"))
        if s.written is not None:
            self._written(s, t)
        if s.default is not None and t is not ty.ERROR:
            d = s.default
            ok = (t.numeric and isinstance(d, n.Number)) or (t is ty.TEXT and isinstance(d, n.Text)) or (
                t is ty.BOOL and isinstance(d, n.Bool))
            if not ok:
                self.error("C234", say("C234", name=s.name, type=s.type), d.span)
            elif s.choices and isinstance(d, n.Text) and d.value not in s.choices:
                self.error("C234", say("C234.choice", value=d.value, name=s.name), d.span)

    def _written(self, s: n.Input, t: Type):
        """`written as points` fits a percent only; its default is a policy number, so it shows its % sign."""
        span = s.written_span or s.span
        if s.written not in WRITTEN:
            self.error("C263", say("C263", written=s.written), span,
                       hint=say("C263.hint", more=_did_you_mean(s.written or "", WRITTEN)))
        elif t is not ty.PERCENT and t is not ty.ERROR:
            self.error("C263", say("C263.percent", name=s.name, type=s.type), span, hint=say("C263.percent_hint"))
        elif s.written == "points" and isinstance(s.default, n.Number) and not s.default.percent:
            text = s.default.text
            self.error("C234", say("C234.points", name=s.name, text=text), s.default.span,
                       hint=say("C234.points_hint", text=text))

    # ------------------------------------------------------------ names and order
    def _known(self):
        return list(self.inputs) + list(self.defs)

    def _resolve_names(self):
        for name, d in self.defs.items():
            used = []
            for expr in n.formulas(d):
                history = {id(x.value) for x in n.walk(expr) if isinstance(x, n.Previous)}
                history |= self._earlier_arguments(expr)
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
                            self.error("C203", say("C203", name=node.id), node.span, label=say("C203.label"),
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
                    tree = recursive_reports(self.defs, loop)
                    if tree is not None:  # over the org chart: say how to write it (C299)
                        self.error("C299", say("C299", name=name, words=words(tree)), tree.span,
                                   hint=say("C299.hint"))
                        self.used.update([tree.group] if tree.group else employee_inputs(self.inputs))
                        return
                    self.error("C204", say("C204", loop=" -> ".join(loop)), d.span, label=say("C204.label"),
                               notes=[Label(self.defs[m].span, say("C204.uses", name=m, other=loop[i + 1]))
                                      for i, m in enumerate(loop[1:-1], 1)],
                               hint=say("C204.hint"))
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
                        self.error("C203", say("C203", name=ref.id), ref.span, label=say("C203.label"),
                                   hint=suggestion(ref.id, self._known()))
                    elif ref.id in listed:
                        self.warning("C235", say("C235", name=ref.id), ref.span)
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
                self.warning("C220", say("C220", name=name), s.span, label=say("C220.label"), hint=say("C220.hint"))

