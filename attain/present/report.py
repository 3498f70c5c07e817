"""Pages, team reports: a run's distribution of attainment and scores, payouts by tier and by any text
column (region), the total cost, and outliers, from the run's exact results."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction

from attain import api
from attain.engine.trace import TierValue
from attain.i18n.pages import PAGES
from attain.io import Table
from attain.present.page import document, esc, manifest_table, show, table
from attain.present.probe import tier_rows
from attain.present.statement import payouts
from attain.present.svg import bars

NUMERIC = ("money", "percent", "number", "count")
BINS = 6


def _exact(v):
    return Fraction(v) if isinstance(v, (Decimal, int)) and not isinstance(v, bool) else v


def render(policy: api.Policy, table_: Table, results: api.Results, lang: str, manifest: dict,
           currency: str = "", period: str | None = None) -> str:  # long: one section after another
    model = policy.model
    key = results.columns[0]
    rows = [r for r in results.rows if period is None or r.get("period") == period]
    if period is None and "period" in results.columns and rows:
        period = max(r["period"] for r in rows)
        rows = [r for r in rows if r["period"] == period]
    paid = [p for p in payouts(model) if p in results.columns]
    total_of = {id(r): sum((Fraction(_exact(r[p])) for p in paid if r.get(p) is not None), Fraction(0))
                for r in rows}
    cost = sum(total_of.values(), Fraction(0))
    # The places the payouts were rounded to (Decimals keep them), for every sum shown.
    places = max((-r[p].as_tuple().exponent for r in rows for p in paid if isinstance(r.get(p), Decimal)),
                 default=None)
    title = PAGES("report", lang)
    h = policy.tree.header
    parts = [f'<div class="head"><div><div class="sub">{esc(title)}</div><h1>{esc(h.name)}</h1>'
             f'<div class="sub">{esc(PAGES("period", lang))} {esc(period or PAGES("no_period", lang))}</div>'
             "</div></div>"]
    cards = [(PAGES("employees", lang), str(len(rows)), "employees"),
             (PAGES("total_cost", lang), show(cost, "money", lang, places, currency), "total_cost")]
    parts.append('<div class="hero">' + "".join(
        f'<div class="card{" main" if k == "total_cost" else ""}" data-value="{k}"><div class="k">{esc(a)}</div>'
        f'<div class="v">{esc(b)}</div></div>' for a, b, k in cards) + "</div>")
    # Distributions of every numeric output.
    for name in results.columns:
        kind = results.kinds.get(name)
        if kind not in NUMERIC or name in paid:
            continue
        values = [_exact(r[name]) for r in rows if isinstance(_exact(r.get(name)), Fraction)]
        if values:
            parts.append(_distribution(_label(model, name), kind, values, lang, currency))
    # Payouts by tier and by text columns.
    groups = [c for c in results.columns if c != key and results.kinds.get(c) in ("tier", "text")]
    texts = _text_inputs(policy, table_, results, rows, key)
    for name in groups + [c for c in texts if c not in groups]:
        labels = {row.name: row.label or row.name for row in tier_rows(model, name)}

        def group_of(r, name=name, labels=labels):
            v = r.get(name) if name in r else texts.get(name, {}).get(id(r))
            if isinstance(v, TierValue):
                return v.label or v.name
            return labels.get(str(v), str(v)) if v is not None else ""
        parts.append(_by_group(_label(model, name), rows, group_of, total_of, lang, currency, places))
    parts.append(_outliers(rows, key, total_of, lang, currency, places))
    if "≈" in "".join(parts):  # a mean with no finite decimal
        parts.append(f'<p class="muted">{esc(PAGES("approx", lang))}</p>')
    parts.append(manifest_table(manifest, lang))
    return document(title, lang, "\n".join(parts))


def _label(model, name: str) -> str:
    """The label the policy gives a value (an input, a value, a flag), else its name."""
    found = model.inputs.get(name) or model.definitions.get(name)
    return getattr(found, "label", None) or name


def _text_inputs(policy: api.Policy, table_: Table, results: api.Results, rows, key) -> dict[str, dict]:
    """Text inputs (and their columns) that are not outputs: each result row's value, from its data row."""
    out: dict[str, dict] = {}
    model = policy.model
    for name, inp in model.inputs.items():
        if str(model.types[name]) != "text" or name in results.columns:
            continue
        column = name if name in table_.columns else (inp.label if inp.label in table_.columns else None)
        if column is None or key not in table_.columns:
            continue
        by_id: dict = {}
        for row in table_.rows:
            by_id.setdefault(row.cells.get(key), row.cells.get(column))
        out[inp.label or name] = {id(r): by_id.get(r[key]) for r in rows}
    return out


def bins(values: list[Fraction], count: int = BINS) -> tuple[list[Fraction], list[int]]:
    """Edges and counts of about `count` bars of one round width (1, 2, 2.5 or 5 times a power of ten),
    from a multiple of it at or below the lowest value: exact decimals, so every label is exact. A bar
    counts the values from its lower edge up to, not including, its upper edge; equal values make one
    bar of no width (edges [v, v])."""
    low, high = min(values), max(values)
    if low == high:
        return [low, low], [len(values)]
    raw = (high - low) / count
    power = Fraction(1)
    while power * 10 <= raw:
        power *= 10
    while power > raw:
        power /= 10
    step = next(power * m for m in (1, 2, Fraction(5, 2), 5, 10) if power * m >= raw)
    start = math.floor(low / step) * step
    n = math.floor((high - start) / step) + 1
    counts = [0] * n
    for v in values:
        counts[math.floor((v - start) / step)] += 1
    return [start + step * i for i in range(n + 1)], counts


def _distribution(name: str, kind: str, values: list[Fraction], lang: str, currency: str) -> str:
    low, high = min(values), max(values)
    edges, counts = bins(values)
    if len(counts) == 1 and edges[0] == edges[1]:
        labels = [show(edges[0], kind, lang, None, currency)]
    else:
        labels = [f"{show(a, kind, lang, None, currency)}–{show(b, kind, lang, None, currency)}"
                  for a, b in itertools.pairwise(edges)]
    picture = bars(labels, [Fraction(c) for c in counts], [str(c) for c in counts], height=170)
    mean = sum(values, Fraction(0)) / len(values)
    stats = table([esc(PAGES(k, lang)) for k in ("min", "mean", "max")],
                  [[esc(show(v, kind, lang, None, currency)) for v in (low, mean, high)]], numeric={0, 1, 2})
    note = f'<p class="muted">{esc(PAGES("bins_note", lang))}</p>'
    return f"<h2>{esc(PAGES('distribution', lang, name=name))}</h2><figure>{picture}</figure>{note}{stats}"


def _by_group(name: str, rows, group_of, total_of, lang: str, currency: str, places: int | None) -> str:
    sums: dict[str, list] = {}
    for r in rows:
        sums.setdefault(group_of(r), []).append(total_of[id(r)])
    body = [[esc(g), str(len(v)), esc(show(sum(v, Fraction(0)), "money", lang, places, currency)),
             esc(show(sum(v, Fraction(0)) / len(v), "money", lang, places, currency))] for g, v in sums.items()]
    picture = bars(list(sums), [sum(v, Fraction(0)) for v in sums.values()],
                   [show(sum(v, Fraction(0)), "money", lang, places, currency) for v in sums.values()], height=170)
    return (f"<h2>{esc(PAGES('by_tier', lang, name=name))}</h2><figure>{picture}</figure>"
            + table([esc(name), esc(PAGES("count", lang)), esc(PAGES("sum", lang)), esc(PAGES("mean", lang))],
                    body, numeric={1, 2, 3}))


def _outliers(rows, key, total_of, lang: str, currency: str, places: int | None) -> str:
    values = sorted(total_of[id(r)] for r in rows)
    head = f"<h2>{esc(PAGES('outliers', lang))}</h2>"
    rule = f'<p class="muted">{esc(PAGES("outliers_rule", lang, name=PAGES("payout", lang)))}</p>'
    if len(values) < 4:
        return head + rule + f'<p class="muted">{esc(PAGES("no_outliers", lang))}</p>'
    q1, q3 = _quantile(values, Fraction(1, 4)), _quantile(values, Fraction(3, 4))
    fence = (q3 - q1) * Fraction(3, 2)
    odd = [r for r in rows if not q1 - fence <= total_of[id(r)] <= q3 + fence]
    if not odd:
        return head + rule + f'<p class="muted">{esc(PAGES("no_outliers", lang))}</p>'
    body = [[esc(r[key]), esc(show(total_of[id(r)], "money", lang, places, currency))] for r in odd]
    return head + rule + table([esc(PAGES("employee", lang)), esc(PAGES("payout", lang))], body, numeric={1})


def _quantile(values: list[Fraction], q: Fraction) -> Fraction:
    """The q-quantile by linear interpolation between the two nearest ranks, exactly."""
    pos = (len(values) - 1) * q
    i = int(pos)
    frac = pos - i
    return values[i] if i + 1 >= len(values) else values[i] + (values[i + 1] - values[i]) * frac
