"""Pages, plan pictures: one value against one input, exact at every edge and between, cliffs marked, two
versions of a policy overlaid.

Each version is swept over [low, high] (probe.py): the edges are where its choices flip;
the value is computed by the reference evaluator at every edge, inside every piece and on
a grid. A cliff is an edge where the value jumps (the pieces on either side do not meet).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import attrs

from attain import api
from attain.diagnostics import AttainError, Diagnostic
from attain.i18n.messages import say
from attain.i18n.pages import PAGES
from attain.present.formula import _as_written
from attain.present.page import document, esc, show, table
from attain.present.probe import Probe, Sweep
from attain.present.svg import COLORS, Chart, nice_ticks

GRID = 48
# Rows a curve may compute: where a group value reads the varied input, each point computes its period again.
MAX_ROWS = 2_000_000


@attrs.frozen
class Series:
    """One version's curve: exact points, edges and cliffs (edge, value before, value after)."""

    name: str
    points: tuple[tuple[Fraction, Fraction], ...]
    edges: tuple[Fraction, ...]
    cliffs: tuple[tuple[Fraction, Fraction, Fraction], ...]  # the values on either side, rounded as the policy says
    complete: bool
    rounding: str | None = None  # the value's whole formula is this rounding, as written: its steps are not drawn


def series(name: str, subject: api.Subject, vary: str, value: str, low: Fraction, high: Fraction) -> Series:
    probe = Probe(subject, vary)
    kind = str(subject.policy.model.types.get(value, ""))
    if value not in subject.policy.model.types or kind not in ("money", "percent", "number", "count"):
        raise AttainError([Diagnostic("U563", say("U563.kind", value=value, kind=kind) if kind else
                                      say("U563.unknown", value=value), hint=say("U563.hint"))])
    sweep: Sweep = probe.sweep([value], low, high)
    xs = set(probe.points(sweep)) if sweep.pieces else set()
    step = (high - low) / GRID
    xs.update(low + step * i for i in range(GRID + 1))
    if probe.kind == "count":
        xs = {Fraction(round(x)) for x in xs}
    if probe.cost(len(xs)) > MAX_ROWS:
        raise AttainError([Diagnostic(
            "U568", say("U568", value=value, vary=vary, rows=f"{subject.group_size():,}", who=subject.who,
                        points=len(xs), limit=f"{MAX_ROWS:,}"), hint=say("U568.hint"))])
    points = []
    for x in sorted(v for v in xs if low <= v <= high):
        v = probe.value(value, x)
        if isinstance(v, Fraction):
            points.append((x, v))
    cliffs = []
    for before, after in itertools.pairwise(sweep.pieces):
        a, b = before.limit(before.high, True), after.limit(after.low, False)
        if a is not None and b is not None and a != b:
            cliffs.append((before.high, a, b))
    rounding = next((p.rounding for p in sweep.pieces if p.rounding is not None), None)
    written = _as_written(subject.policy.model, rounding) if rounding is not None else None
    return Series(name, tuple(points), sweep.edges, tuple(cliffs), sweep.complete, written)


def svg(all_series: list[Series], vary_label: str, vary_kind: str, value_label: str, value_kind: str,
        lang: str, currency: str = "") -> str:
    """The picture: every series, edges as dashed lines, cliffs as a filled and an open dot."""
    xs = [x for s in all_series for x, _ in s.points]
    ys = [y for s in all_series for _, y in s.points]
    if not xs:
        raise AttainError([Diagnostic("U563", say("U563.none"))])
    y_low, y_high = min([*ys, Fraction(0)]), max(ys)
    chart = Chart(min(xs), max(xs), y_low, y_high)
    x_ticks = [(v, show(v, vary_kind, lang, None, currency)) for v in nice_ticks(chart.x0, chart.x1)]
    y_ticks = [(v, show(v, value_kind, lang, None, currency)) for v in nice_ticks(chart.y0, chart.y1)]
    chart.axes(x_ticks, y_ticks, vary_label, value_label)
    for s in all_series:
        for e in s.edges:
            chart.mark(e)
    for i, s in enumerate(all_series):
        color = COLORS[i % len(COLORS)]
        cliffs = {c[0]: c for c in s.cliffs}
        segments: list[list[tuple[Fraction, Fraction]]] = [[]]
        for x, y in s.points:
            if x in cliffs:
                _, before, after = cliffs[x]
                segments[-1].append((x, before))
                segments.append([(x, after)])
            else:
                segments[-1].append((x, y))
        chart.path([seg for seg in segments if seg], color, s.name)
        for at, before, after in s.cliffs:
            title = PAGES("cliff", lang, at=show(at, vary_kind, lang, None, currency),
                          before=show(before, value_kind, lang, None, currency),
                          after=show(after, value_kind, lang, None, currency))
            chart.dot(at, before, color, hollow=True, title=title)
            chart.dot(at, after, color, title=title)
    if len(all_series) > 1:
        chart.legend([(COLORS[i % len(COLORS)], s.name) for i, s in enumerate(all_series)])
    return chart.svg()


def page(all_series: list[Series], picture: str, title: str, fixed: str, vary_kind: str, value_kind: str,
         lang: str, currency: str = "") -> str:
    """The picture with its cliffs and edges listed, as a page."""
    parts = [f"<h1>{esc(title)}</h1>", f'<p class="sub">{esc(fixed)}</p>', f"<figure>{picture}</figure>"]
    for s in all_series:
        head = f"<h2>{esc(PAGES('cliffs', lang))}" + (f" · {esc(s.name)}" if len(all_series) > 1 else "") + "</h2>"
        parts.append(head)
        if s.cliffs:
            rows = [[esc(show(at, vary_kind, lang, None, currency)), esc(show(b, value_kind, lang, None, currency)),
                     esc(show(a, value_kind, lang, None, currency))] for at, b, a in s.cliffs]
            parts.append(table([esc(PAGES("edge", lang)), "←", "→"], rows, numeric={0, 1, 2}))
        else:
            parts.append(f'<p class="muted">{esc(PAGES("no_cliffs", lang))}</p>')
        edges = ", ".join(show(e, vary_kind, lang, None, currency) for e in s.edges)
        parts.append(f'<p class="muted">{esc(PAGES("edges", lang))}: {esc(edges or "—")}</p>')
        if s.rounding is not None:
            parts.append(f'<p class="muted">{esc(PAGES("rounded_note", lang, rounding=s.rounding))}</p>')
        note = "points_note" if s.complete else "edges_incomplete"
        said = PAGES(note, lang, count=len(s.points)) if s.complete else PAGES(note, lang)
        parts.append(f'<p class="muted">{esc(said)}</p>')
    return document(title, lang, "\n".join(parts))
