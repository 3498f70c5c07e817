"""Pages, what-if: one employee's values as one input varies, exactly, with the edges where they change.

A `Probe` evaluates the employee's row again with the reference evaluator at any value of
the varied input (everything else as in the data, earlier periods and group values as in
the run). `edges` sweeps a range piece by piece (local.py): on each piece every choice of
the policy stays the same, so what is true at one point of a piece is true on all of it;
the edges between pieces are exact rationals, each the root of a compared difference.
`reach` finds the least value of an input at which a first-match tier reaches the row
above the employee's, where the tier only ever improves on the way; otherwise nothing.
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs

from attain import api
from attain.diagnostics import AttainError, Diagnostic
from attain.dsl import nodes as n
from attain.engine.trace import TierValue
from attain.i18n.messages import joined, say
from attain.present.local import Line, Local, NotLinear, limit

NUMERIC = ("money", "percent", "number", "count")
MAX_PROBES = 2000  # evaluations one sweep may spend before it stops claiming to know every edge


@attrs.frozen
class Piece:
    """An open stretch (low, high) of the varied input where every choice stays the same."""

    low: Fraction
    high: Fraction
    line: Line | None  # the value on the piece (before `rounding`); None for a value that is not a number
    rounding: n.Round | None = None  # the rounding that is the value's whole formula, which `line` leaves out

    def limit(self, at: Fraction, from_below: bool) -> Fraction | None:
        """The value as X tends to `at` (an end of the piece) from inside it, rounded as the policy says."""
        return None if self.line is None else limit(self.line, self.rounding, at, from_below)


@attrs.frozen
class Sweep:
    """The pieces of a range, in order; `complete` is False when some edges could not be found exactly."""

    pieces: tuple[Piece, ...]
    complete: bool

    @property
    def edges(self) -> tuple[Fraction, ...]:
        return tuple(p.high for p in self.pieces[:-1])


class Probe:
    """One employee's row with one input varied."""

    def __init__(self, subject: api.Subject, vary: str):
        model = subject.policy.model
        if vary not in model.inputs:
            known = [k for k in model.inputs if str(model.types[k]) in NUMERIC]
            raise AttainError([Diagnostic("U560", say("U560", vary=vary),
                                          hint=say("U560.hint", known=joined(known)))])
        self.kind = str(model.types[vary])
        if self.kind not in NUMERIC:
            raise AttainError([Diagnostic("U560", say("U560.kind", vary=vary, kind=self.kind),
                                          hint=say("U560.kind_hint"))])
        self.subject = subject
        self.model = model
        self.vary = vary
        self.moving = model.depending_on(vary)
        self.probes = 0
        # A group value over a value that moves with the input moves too: each value is then computed with
        # the whole period computed anew (api.Subject.again), and no edge is claimed (one row alone cannot
        # say where the group's order changes).
        self.groups_move = subject.regroups([vary])

    def cost(self, points: int) -> int:
        """The rows computed to evaluate `points` values: one each, or the whole period each where groups move."""
        return points * (self.subject.group_size() if self.groups_move else 1)

    @property
    def current(self) -> Fraction:
        v = self.subject.evaluator().value(self.vary)
        return Fraction(v)

    def value(self, name: str, x: Fraction):
        """The value of `name` at input = x, by the reference evaluator; None where it cannot be computed."""
        self.probes += 1
        try:
            return self.subject.evaluator({self.vary: x}).value(name)
        except AttainError:
            return None

    def local(self, names, x: Fraction) -> Local:
        self.probes += 1
        loc = Local(self.model, self.subject.evaluator({self.vary: x}), self.vary, x)
        for name in names:
            loc.values[f"drawn {name}"] = loc.drawn(name)
        return loc

    def sweep(self, names, low: Fraction, high: Fraction) -> Sweep:
        """The pieces of [low, high] for the values `names`."""
        pieces: list[Piece] = []
        x = low
        budget = MAX_PROBES
        if self.groups_move:
            return Sweep((), False)
        while x < high:
            nxt = high
            while True:
                budget -= 1
                if budget <= 0:
                    return Sweep(tuple(pieces), False)
                m = (x + nxt) / 2
                try:
                    loc = self.local(names, m)
                except (NotLinear, AttainError):
                    return Sweep(tuple(pieces), False)
                inside = [r for r in loc.roots if x < r < nxt]
                if not inside:
                    break
                nxt = min(inside)
            v = loc.values[f"drawn {names[0]}"] if names[0] in self.moving else None
            pieces.append(Piece(x, nxt, v if isinstance(v, Line) else None, loc.rounding.get(names[0])))
            x = nxt
        return Sweep(tuple(pieces), True)

    def points(self, sweep: Sweep) -> list[Fraction]:
        """The values worth evaluating on a sweep: every edge and a point inside each piece (integers only for
        a count)."""
        out: set[Fraction] = set()
        for p in sweep.pieces:
            out.update((p.low, p.high, (p.low + p.high) / 2))
        if self.kind == "count":
            out = {Fraction(math.ceil(v)) for v in out} | {Fraction(math.floor(v)) for v in out}
        return sorted(out)


@attrs.frozen
class Reach:
    """What it takes to reach a better tier: the input raised by `more` (to `at`), reaching row `tier`."""

    input: str
    more: Fraction
    at: Fraction
    tier: TierValue
    strict: bool  # True: more than `more` is needed (the tier starts just above `at`)


def tier_rows(model, name: str) -> tuple[n.TierRow, ...]:
    d = model.definitions.get(name)
    if isinstance(d, n.Definition) and isinstance(d.body, n.Tiers):
        return d.body.rows
    return ()


def reach(subject: api.Subject, tier: str, reached: TierValue, span: int = 4) -> list[Reach]:
    """For each numeric input the tier depends on: the least increase that reaches the row above `reached`,
    when the tier never gets worse on the way (searched up to `span` times the input's value, or `span`)."""
    model = subject.policy.model
    rows = [r.name for r in tier_rows(model, tier)]
    if reached.name not in rows or rows.index(reached.name) == 0:
        return []
    rank = rows.index(reached.name)
    found = []
    for name in model.inputs:
        if str(model.types[name]) not in NUMERIC or tier not in model.depending_on(name):
            continue
        probe = Probe(subject, name)
        try:
            x0 = probe.current
        except AttainError:
            continue  # the row has no value for it (an empty cell the policy allows)
        sweep = probe.sweep([tier], x0, x0 + max(abs(x0), Fraction(1)) * span)
        if not sweep.complete:
            continue
        got = _first_better(probe, tier, rows, rank, sweep)
        if got is not None:
            at, strict, value = got
            found.append(Reach(name, at - x0, at, value, strict))
    return found


def _first_better(probe: Probe, tier: str, rows: list[str], rank: int, sweep: Sweep):
    """(where, strict, tier) of the first point of the sweep with a better tier; None if the tier gets worse
    first (not monotone) or no better tier is reached."""
    count = probe.kind == "count"
    for p in sweep.pieces:
        for x, strict in ((p.low, False), ((p.low + p.high) / 2, True)):
            if count:
                x = Fraction(math.ceil(x))
                strict = False
            v = probe.value(tier, x)
            if not isinstance(v, TierValue) or v.name not in rows:
                return None
            r = rows.index(v.name)
            if r > rank:
                return None  # worse on the way: not monotone, so no claim
            if r < rank:
                if strict:
                    return p.low, True, v
                return x, False, v
    return None
