"""Coverage maths: the number line a band's or tiers' bounds cut into pieces, for the checker's
gap, overlap and dead-row findings, and the number text those findings show an HR author.
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs

from attain.dsl import nodes as n
from attain.i18n.messages import say


def number_text(f: Fraction) -> str:
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


def pct(f: Fraction) -> str:
    return number_text(f * 100) + "%"


@attrs.frozen
class Piece:
    """An elementary part of the number line between the bounds a band or tier mentions."""

    low: Fraction | None
    low_closed: bool
    high: Fraction | None
    high_closed: bool
    sample: Fraction


def interval_points(iv):
    if iv is None:
        return []
    lo, _, hi, _ = iv
    return [v for v in (lo, hi) if v is not None]


def pieces(points: list, low, high, integral: bool) -> list[Piece]:
    """Split the domain at `points` into single points and the open segments between them."""
    pts = [p for p in points if (low is None or p >= low) and (high is None or p <= high)]
    out: list[Piece] = []

    def segment(a, b):
        if integral:
            first = (math.floor(a) + 1) if a is not None else None
            last = (math.ceil(b) - 1) if b is not None else None
            if first is None:
                first = last if last is not None else 0
            if last is not None and first > last:
                return
            lo = Fraction(first) if a is not None else None
            hi = Fraction(last) if last is not None else None  # last is None exactly when b is
            out.append(Piece(lo, lo is not None, hi, hi is not None, Fraction(first)))
            return
        if a is None and b is None:
            sample = Fraction(0)
        elif a is None:
            sample = b - 1
        elif b is None:
            sample = a + 1
        else:
            sample = (a + b) / 2
        out.append(Piece(a, False, b, False, sample))

    if not pts:
        if low is not None and high is not None and low == high:
            return [Piece(low, True, low, True, low)]
        segment(low, high) if low is None or high is None else None
        if low is not None and high is not None:
            out.append(Piece(low, True, high, True, (low + high) / 2))
        return out
    if low is None:
        segment(None, pts[0])
    for i, p in enumerate(pts):
        if not integral or p.denominator == 1:
            out.append(Piece(p, True, p, True, p))
        if i + 1 < len(pts):
            segment(p, pts[i + 1])
    if high is None:
        segment(pts[-1], None)
    return out


def merge(pieces: list[Piece]) -> list[Piece]:
    """Join adjacent pieces into ranges for messages."""
    merged: list[Piece] = []
    for p in pieces:
        if merged:
            last = merged[-1]
            touching = last.high is not None and p.low is not None and (
                (last.high == p.low and (last.high_closed or p.low_closed))
                or (last.high_closed and p.low_closed and last.high.denominator == 1
                    and p.low.denominator == 1 and last.high + 1 == p.low))
            if touching:
                merged[-1] = Piece(last.low, last.low_closed, p.high, p.high_closed, last.sample)
                continue
        merged.append(p)
    return merged


def fmt(v: Fraction, percent: bool) -> str:
    return pct(v) if percent else number_text(v)


def describe(pieces: list[Piece], percent: bool) -> str:
    p = pieces[0]
    lo = fmt(p.low, percent) if p.low is not None else None
    hi = fmt(p.high, percent) if p.high is not None else None
    if p.low is not None and p.low == p.high:
        return say("range.exactly", low=lo)
    if lo is None and hi is None:
        return say("range.every")
    if lo is None:
        assert hi is not None
        return say("range.up_to" if p.high_closed else "range.below", high=hi)
    if hi is None:
        return say("range.from" if p.low_closed else "range.above", low=lo)
    if p.low_closed and not p.high_closed:
        return say("range.to", low=lo, high=hi)
    return say(f"range.{'from' if p.low_closed else 'above'}_{'up_to' if p.high_closed else 'below'}", low=lo, high=hi)


def never_hint(low, high, percent) -> str:
    if low is not None or high is not None:
        return say("C218.outside")
    return say("C218.covered")


def compared_names(expr) -> set[str]:
    out = set()
    for node in n.walk(expr):
        if isinstance(node, n.Binary) and node.op in n.COMPARISONS:
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(side, n.Name) and isinstance(other, n.Number):
                    out.add(side.id)
    return out


def constants_against(expr, subject: str) -> set[Fraction]:
    out = set()
    for node in n.walk(expr):
        if isinstance(node, n.Binary) and node.op in n.COMPARISONS:
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(side, n.Name) and side.id == subject and isinstance(other, n.Number):
                    out.add(other.value)
    return out


_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=", "!=": "!="}


def truth(expr, subject: str, x: Fraction):
    """Kleene truth of a condition when `subject` is x and everything else is unknown (None)."""
    match expr:
        case n.Bool(value=v):
            return v
        case n.Unary(op="not", operand=o):
            t = truth(o, subject, x)
            return None if t is None else not t
        case n.Binary(op="and", left=l, right=r):
            a, b = truth(l, subject, x), truth(r, subject, x)
            if a is False or b is False:
                return False
            return True if (a and b) else None
        case n.Binary(op="or", left=l, right=r):
            a, b = truth(l, subject, x), truth(r, subject, x)
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
