"""Pages, statements: one employee's period on one page, payout first, every number explained and cited.

What it shows comes from the engine and the reference evaluator alone: the outputs of a run,
the values and notes the evaluator records for the row (the same as `attain explain`), the
exact way to the next tier (probe.reach), the earlier periods of a run, and the run's manifest.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from attain import api
from attain.diagnostics import AttainError
from attain.dsl import nodes as n
from attain.engine.trace import TierValue, Trace
from attain.explain.recorder import Recorder
from attain.i18n.pages import PAGES
from attain.io import Table
from attain.present.formula import Words, _as_written, condition_text, step
from attain.present.page import document, esc, manifest_table, show, table
from attain.present.probe import reach, tier_rows
from attain.present.svg import bars


def payouts(model) -> list[str]:
    return [k for k, d in model.definitions.items() if isinstance(d, n.Definition) and d.payout]


def closure(model, names) -> list[str]:
    """`names` and every definition they use, in the order the policy computes them."""
    need = set(names)
    for name in reversed(model.order):
        if name in need:
            need.update(model.deps.get(name, ()))
    return [d for d in model.order if d in need]


@attrs.frozen
class Run:
    """What the statements of one run share: the data, the run's results by employee, the run's record."""

    table: Table
    results: api.Results
    manifest: dict
    rows: dict  # data line -> the data's Row
    mine: dict  # employee id -> their result rows, in order

    @classmethod
    def of(cls, table: Table, results: api.Results, manifest: dict) -> Run:
        key = results.columns[0]
        mine: dict = {}
        for r in results.rows:
            mine.setdefault(str(r[key]), []).append(r)
        return cls(table, results, manifest, {r.line: r for r in table.rows}, mine)


def render(subject: api.Subject, run: Run, lang: str, currency: str = "") -> str:
    """The statement of one employee's row (api.Policy.subjects) as a whole HTML page."""
    policy = subject.policy
    model = policy.model
    recorder = Recorder(subject.sources())
    ref = subject.evaluator(observer=recorder)
    for name in model.outputs:
        try:
            ref.value(name)
        except AttainError:
            continue  # an output the run leaves empty (a missing input it shows): the page shows it missing
    traces = recorder.traces
    w = Words(model, traces, lang, currency)
    plain = subject.evaluator()

    def truth(cond) -> bool:
        return bool(plain.evaluate(cond))

    paid = [p for p in payouts(model) if p in traces]
    title = PAGES("statement_of", lang, who=subject.who)
    parts = [_head(policy, run, subject, w)]
    parts.append(_hero(paid, traces, model, w))
    for name in closure(model, model.outputs):
        tr = traces.get(name)
        if tr is not None and isinstance(tr.value, TierValue):
            parts.append(_ladder(subject, name, tr.value, w))
    parts.append(f"<h2>{esc(PAGES('how', lang))}</h2>")
    order = paid + [d for d in reversed(closure(model, model.outputs)) if d not in paid]
    for name in order:
        tr = traces.get(name)
        if tr is None or name in model.inputs:
            continue
        line, why = step(name, model.definitions[name], tr, w, truth)
        head = f'<span class="name">{esc(w.label(name))}</span>' + esc(line[len(name):])
        lines = "".join(f"<div>{esc(x)}</div>" for x in why)
        cite = f'<span class="cite"> {esc(_line_of(tr))}</span>' if tr.span is not None else ""
        parts.append(f'<div class="step"><div class="formula">{head}{cite}</div>'
                     + (f'<div class="why">{lines}</div>' if lines else "") + "</div>")
    parts.append(_outputs(model, traces, paid, w))
    parts.append(_trend(run, subject, paid, w))
    parts.append(_inputs(model, traces, w))
    if "≈" in "".join(parts):
        parts.append(f'<p class="muted">{esc(PAGES("approx", lang))}</p>')
    parts.append(manifest_table(run.manifest, lang))
    return document(title, lang, "\n".join(parts))


def _line_of(tr: Trace) -> str:
    return f"[{tr.span.file}:{tr.span.line}]" if tr.span is not None else ""


def _head(policy: api.Policy, run: Run, subject: api.Subject, w: Words) -> str:
    h = policy.tree.header
    lang = w.lang
    facts = [f"{PAGES('version', lang)} {h.version}" if h.version else "",
             f"{PAGES('effective', lang)} {h.effective}" if h.effective else "",
             f"{PAGES('period', lang)} {subject.period or PAGES('no_period', lang)}"]
    line = subject.state.record.line
    row = run.rows.get(line)
    read = {c for c in subject.policy.plan.inputs} | {i.label for i in subject.policy.model.inputs.values()}
    extra = []
    if row is not None:
        for column, cell in row.cells.items():
            if column not in read and cell and column not in ("period", "date") and cell != subject.who:
                extra.append(f"{column}: {cell}")
    return (f'<div class="head"><div><div class="sub">{esc(PAGES("statement", lang))}</div>'
            f"<h1>{esc(h.name)}</h1><div class=\"sub\">{esc(' · '.join(f for f in facts if f))}</div></div>"
            f'<div class="who"><div class="name" data-who="{esc(subject.who)}">{esc(subject.who)}</div>'
            f'<div class="sub">{esc(" · ".join(extra[:4]))}</div></div></div>')


def _hero(paid: list[str], traces: dict, model, w: Words) -> str:
    lang = w.lang
    cards = []
    if paid:
        values = [traces[p].value for p in paid]
        if len(paid) > 1 and all(isinstance(v, Fraction) for v in values):
            total = sum(values, Fraction(0))
            places = max((traces[p].places or 0) for p in paid) or None
            cards.append(("main", PAGES("total", lang), show(total, "money", lang, places, w.currency), "total"))
        for p in paid:
            cls = "main" if len(paid) == 1 else ""
            cards.append((cls, w.label(p), w.value(p) or "", p))
    for name in model.outputs:
        tr = traces.get(name)
        if tr is not None and isinstance(tr.value, TierValue):
            cards.append(("", PAGES("tier", lang), show(tr.value, "tier", lang), name))
    html = "".join(f'<div class="card {c}" data-value="{esc(key)}"><div class="k">{esc(k)}</div>'
                   f'<div class="v">{esc(v)}</div></div>' for c, k, v, key in cards)
    flags = [name for name, d in model.definitions.items()
             if isinstance(d, n.FlagDecl) and traces.get(name) is not None and traces[name].value is True]
    flag_html = "".join(f'<span class="flag">{esc(w.label(f))}</span>' for f in flags)
    return f'<div class="hero">{html}</div>' + (f"<p>{flag_html}</p>" if flag_html else "")


def _ladder(subject: api.Subject, name: str, reached: TierValue, w: Words) -> str:
    lang = w.lang
    model = subject.policy.model
    rows, classes = [], []
    for row in tier_rows(model, name):
        here = row.name == reached.name
        cond = _as_written(model, row.condition) if row.condition is not None else PAGES("otherwise", lang)
        carries = ", ".join(f"{r.name} {_as_written(model, r.value)}" for r in row.results)
        mark = f' <span class="tag">{esc(PAGES("you_are_here", lang))}</span>' if here else ""
        rows.append([esc(row.label or row.name) + mark, f'<span class="formula">{esc(cond)}</span>', esc(carries)])
        classes.append("here" if here else "")
    body = table([esc(PAGES("tier", lang)), esc(PAGES("condition", lang)), esc(PAGES("carries", lang))],
                 rows, classes=classes)
    first = tier_rows(model, name)[0].name if tier_rows(model, name) else None
    if reached.name == first:
        note = f'<p class="muted">{esc(PAGES("top_tier", lang))}</p>'
    else:
        found = reach(subject, name, reached)
        if not found:
            note = f'<p class="muted">{esc(PAGES("no_reach", lang))}</p>'
        else:
            lines = []
            for r in found:
                kind = str(model.types[r.input])
                key = "to_reach_strict" if r.strict else "to_reach"
                lines.append(PAGES(key, lang, more=w.number(r.more, kind), input=w.label(r.input),
                                   tier=r.tier.label or r.tier.name, at=w.number(r.at, kind)))
            note = "".join(f'<div class="reach">{esc(x)}</div>' for x in lines)
    why = ""
    chosen = next((r for r in tier_rows(model, name) if r.name == reached.name), None)
    if chosen is not None and chosen.condition is not None:
        holds = bool(subject.evaluator().evaluate(chosen.condition))
        why = f'<p class="muted">{esc(PAGES("because", lang))} {esc(condition_text(chosen.condition, holds, w))}</p>'
    title = PAGES("tier_reached", lang, label=reached.label or reached.name)
    return f"<section><h2>{esc(title)}</h2>{why}{body}{note}</section>"


def _outputs(model, traces: dict, paid: list[str], w: Words) -> str:
    rows = []
    for name in model.outputs:
        tr = traces.get(name)
        if tr is None or name in paid:
            continue
        rows.append([esc(w.label(name)), esc(w.value(name) or "")])
    if not rows:
        return ""
    return f"<h2>{esc(PAGES('results', w.lang))}</h2>" + table(
        [esc(PAGES("input", w.lang)), esc(PAGES("value", w.lang))], rows, numeric={1})


def _trend(run: Run, subject: api.Subject, paid: list[str], w: Words) -> str:
    lang = w.lang
    if subject.period is None:
        return ""
    results = run.results
    key = results.columns[0]
    mine = [r for r in run.mine.get(subject.who, []) if "period" in r and r["period"] <= subject.period]
    head = f"<h2>{esc(PAGES('trend', lang))}</h2>"
    if len(mine) < 2:
        return head + f'<p class="muted">{esc(PAGES("no_trend", lang))}</p>'
    names = [c for c in results.columns if c not in (key, "period")]
    rows = [[esc(r["period"])] + [esc(show(_exact(r[c]), results.kinds.get(c, "number"), lang, None,
                                           w.currency)) for c in names] for r in mine]
    classes = ["here" if r["period"] == subject.period else "" for r in mine]
    picture = ""
    if paid:
        values = [sum((Fraction(r[p]) for p in paid if r.get(p) is not None), Fraction(0)) for r in mine]
        texts = [show(v, "money", lang, None, w.currency) for v in values]
        picture = f"<figure>{bars([r['period'] for r in mine], values, texts)}</figure>"
    return head + picture + table([esc(PAGES("period", lang))] + [esc(w.label(c)) for c in names], rows,
                                  numeric=set(range(1, len(names) + 1)), classes=classes)


def _exact(v):
    from decimal import Decimal

    return Fraction(v) if isinstance(v, Decimal) else v


def _inputs(model, traces: dict, w: Words) -> str:
    lang = w.lang
    rows = []
    for name in model.inputs:
        tr = traces.get(name)
        if tr is None:
            continue
        source = tr.source if tr.kind == "input" else PAGES("default", lang)
        rows.append([esc(w.label(name)) + (f' <span class="muted">{esc(name)}</span>' if w.label(name) != name
                                           else ""),
                     esc(w.value(name) or ""), f'<span class="cite" data-cite="{esc(name)}">{esc(source)}</span>'])
    return f"<h2>{esc(PAGES('inputs', lang))}</h2>" + table(
        [esc(PAGES("input", lang)), esc(PAGES("value", lang)), esc(PAGES("source", lang))], rows, numeric={1})
