"""Pages, formulas: a value's formula with the employee's numbers in place of its names, and the reasons for
the choices it made ("bonus = 5,950 × 80% = 4,760 because 回款率 88% < 90%").

The numbers are the values the reference evaluator recorded for the row (`Trace`s by name);
the notes it recorded (band rows, weighted lines, brackets) become the lines under a step.
"""

from __future__ import annotations

from fractions import Fraction

from attain.diagnostics import source_lines
from attain.dsl import nodes as n
from attain.dsl.builtins import ACCRUAL_FUNCTIONS
from attain.dsl.model import Model
from attain.engine import trace as t
from attain.engine.trace import Trace
from attain.engine.wording import sentence
from attain.i18n.messages import Text
from attain.i18n.pages import PAGES
from attain.present.page import show

_OPS = {"*": "×", "/": "÷", ">=": "≥", "<=": "≤", "!=": "≠"}
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "=": "!=", "!=": "="}
_WORDS = {"and": {"en": "and", "zh": "且"}, "or": {"en": "or", "zh": "或"}, "not": {"en": "not", "zh": "非"}}
_LEVEL = {"or": 1, "and": 2, ">=": 3, ">": 3, "<=": 3, "<": 3, "=": 3, "!=": 3, "+": 4, "-": 4, "*": 5, "/": 5}


class Words:
    """How a page names and shows the values of one row: labels where the policy gives them."""

    def __init__(self, model: Model, traces: dict[str, Trace], lang: str, currency: str = ""):
        self.model = model
        self.traces = traces
        self.lang = lang
        self.currency = currency

    def label(self, name: str) -> str:
        inp = self.model.inputs.get(name)
        if inp is not None and inp.label:
            return inp.label
        d = self.model.definitions.get(name)
        if isinstance(d, (n.FlagDecl, n.Definition)) and d.label:
            return d.label
        return name

    def kind(self, name: str) -> str:
        return str(self.model.types.get(name, "number"))

    def value(self, name: str) -> str | None:
        tr = self.traces.get(name)
        if tr is None:
            return None
        return show(tr.value, tr.type, self.lang, tr.places, self.currency)

    def number(self, value: object, kind: str) -> str:
        return show(value, kind, self.lang, None, self.currency)


def substitute(e, w: Words, labelled: bool = False, level: int = 0) -> str:  # long: one case per expression
    """The expression as written with each name's value in its place (`labelled`: "回款率 88%")."""
    match e:
        case n.Number():
            return e.text or w.number(e.value, "percent" if e.percent else "number")
        case n.Text():
            return f'"{e.value}"'
        case n.Bool():
            return PAGES("yes" if e.value else "no", w.lang)
        case n.Date():
            return e.value.isoformat()
        case n.Name(id=name):
            tr = w.traces.get(name)
            if tr is not None and isinstance(tr.value, t.TierValue):
                return f"{name} {tr.value.name}" if labelled else tr.value.name  # conditions compare the name
            shown = w.value(name)
            if shown is None:
                return w.label(name)
            return f"{w.label(name)} {shown}" if labelled else shown
        case n.Field(base=base, field=field):
            tr = w.traces.get(base.id)
            if tr is not None and isinstance(tr.value, t.TierValue) and field in tr.value.results:
                v = tr.value.results[field]
                shown = w.number(v, "number") if isinstance(v, Fraction) else str(v)
                return f"{base.id}.{field} {shown}" if labelled else shown
            return f"{base.id}.{field}"
        case n.Unary(op="not"):
            return f"{_WORDS['not'][w.lang]} {substitute(e.operand, w, labelled, 6)}"
        case n.Unary():
            return f"{e.op}{substitute(e.operand, w, labelled, 6)}"
        case n.Binary(op=op):
            lvl = _LEVEL[op]
            word = _WORDS[op][w.lang] if op in _WORDS else _OPS.get(op, op)
            text = f"{substitute(e.left, w, labelled, lvl)} {word} {substitute(e.right, w, labelled, lvl + 1)}"
            return f"({text})" if lvl < level else text
        case n.Conditional():
            text = (f"{substitute(e.then, w, labelled, 1)} if {substitute(e.condition, w, labelled, 1)} "
                    f"else {substitute(e.otherwise, w, labelled, 0)}")
            return f"({text})" if level > 0 else text
        case n.Round():
            return f"round({substitute(e.value, w, labelled)}, {substitute(e.step, w, labelled)})"
        case n.Call(func=func) if func in ACCRUAL_FUNCTIONS:  # sums over periods: this period's x is not its value
            return _as_written(w.model, e)
        case n.Call(func=func, args=args):
            return f"{func}({', '.join(substitute(a, w, labelled) for a in args)})"
        case n.Previous() | n.Aggregate():
            return _as_written(w.model, e)
    return _as_written(w.model, e)


def _as_written(model: Model, e) -> str:
    span = getattr(e, "span", None)
    if span is None:
        return "…"
    lines = source_lines(model.policy.source)  # lines as the parser counts them
    if span.line != span.end_line or span.line > len(lines):
        return "…"
    return lines[span.line - 1][span.col - 1 : span.end_col - 1]


def condition_text(e, holds: bool, w: Words) -> str:
    """A condition as the reason for a choice: itself when it held, its negation when it did not."""
    if holds:
        return substitute(e, w, labelled=True)
    if isinstance(e, n.Binary) and e.op in _NEGATED:
        return substitute(n.Binary(_NEGATED[e.op], e.left, e.right), w, labelled=True)
    return f"{_WORDS['not'][w.lang]} ({substitute(e, w, labelled=True)})"


def chosen(e, w: Words, truth) -> tuple[object, list[str]]:
    """The branch of a conditional the row took, and the reasons, through nested conditionals."""
    reasons = []
    while isinstance(e, n.Conditional):
        holds = truth(e.condition)
        reasons.append(condition_text(e.condition, holds, w))
        e = e.then if holds else e.otherwise
    return e, reasons


def step(name: str, d, tr: Trace, w: Words, truth) -> tuple[str, list[str]]:
    """The line of one computed value ("bonus = 5,950 × 80% = 4,760") and the lines under it."""
    value = w.value(name) or ""
    why: list[str] = []
    body = d.body if isinstance(d, n.Definition) else getattr(d, "condition", None)
    for note in tr.notes:
        why.extend(_note(note, w))
    if isinstance(d, n.Definition) and any(isinstance(x, t.Unless) and x.holds for x in tr.notes):
        return f"{name} = {value}", why
    if isinstance(d, n.FlagDecl):
        return f"{name} = {value}", [f"{PAGES('because', w.lang)} {condition_text(d.condition, truth(d.condition), w)}"]
    if isinstance(body, n.Tiers):
        row = next((r for r in body.rows if any(isinstance(x, t.TierRow) and x.matched and x.name == r.name
                                                 for x in tr.notes)), None)
        if row is not None and row.condition is not None:
            why = [f"{PAGES('because', w.lang)} {condition_text(row.condition, True, w)}"]
        return f"{name} = {value}", why
    if body is None or type(body) in (n.Band, n.Lookup, n.Weighted, n.Brackets, n.Choice):
        return f"{name} = {value}", why
    expr, reasons = chosen(body, w, truth)
    if reasons:
        why = [f"{PAGES('because', w.lang)} {r}" for r in reasons] + why
    shown = substitute(expr, w)
    if shown == value or (isinstance(expr, (n.Name, n.Number)) and not isinstance(d, n.FlagDecl)):
        return f"{name} = {value}", why
    return f"{name} = {shown} = {value}", why


def _note(note, w: Words) -> list[str]:  # long: one case per kind of note
    lang = w.lang
    match note:
        case t.BandRow(matched=True):
            return [PAGES("band_row", lang, value=f"{note.subject} {w.number(note.value, note.kind)}", row=note.row)]
        case t.LookupRow(key=key, row=row):
            return [f'"{key}" → {row}']
        case t.WeightedRow(name=name, score=score, weight=weight, part=part):
            return [PAGES("weighted_row", lang, name=name, score=w.number(score, "number"), weight=weight,
                          part=w.number(part, "number"))]
        case t.MarginalBracket(lower=lower, upper=upper, part=part, rate=rate, pay=pay, kind=kind):
            fields = {"lower": w.number(lower, kind), "part": w.number(part, kind), "rate": w.number(rate, "percent"),
                      "pay": w.number(pay, kind)}
            if upper is None:
                return [PAGES("bracket_above", lang, **fields)]
            return [PAGES("bracket_row", lang, upper=w.number(upper, kind), **fields)]
        case t.WholeBracket(amount=amount, kind=kind, row=row, rate=rate):
            return [PAGES("bracket_whole", lang, amount=w.number(amount, kind), row=row,
                          rate=w.number(rate, "percent"))]
        case t.Unless(condition=condition, holds=True):
            return [PAGES("unless_held", lang, condition=condition)]
        case t.Previous() | t.PreviousElse() | t.Rolling() | t.Streak() | t.GroupFact() | t.Variant() | t.PeriodDays() \
                | t.ReportsFact():
            return [sentence(note)]
        case t.Accrued() | t.PlanPeriod():  # the plan year's sums and words, said in the page's language
            said = sentence(note)
            return [said.said(lang) if isinstance(said, Text) else said]
    return []
