"""Pages, pictures: inline SVG bar charts and line charts, readable without scripts.

Values stay exact: positions are computed in Fractions and written as pixels to one
decimal place (drawing only; every number printed as text is the exact value's text).
"""

from __future__ import annotations

from fractions import Fraction

from attain.present.page import esc

COLORS = ("#23415f", "#d9822b", "#3f8f5f", "#8a4fa0")


def px(v: Fraction) -> str:
    """A coordinate to one decimal place, without floats."""
    tenths = round(Fraction(v) * 10)
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    return f"{sign}{whole}" + (f".{frac}" if frac else "")


def bars(labels: list[str], values: list[Fraction], texts: list[str], width: int = 640, height: int = 200,
         color: str = COLORS[0]) -> str:
    """Vertical bars, one per label, each with its value's text above it."""
    if not values:
        return ""
    top = max([*values, Fraction(0)])
    bottom = min([*values, Fraction(0)])
    span = (top - bottom) or Fraction(1)
    left, right, up, down = 10, 10, 22, 34
    inner_w, inner_h = width - left - right, height - up - down
    slot = Fraction(inner_w, len(values))
    bar_w = slot * Fraction(3, 5)
    zero_y = up + (top / span) * inner_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img">']
    for i, (label, v, text) in enumerate(zip(labels, values, texts, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        y = up + ((top - max(v, Fraction(0))) / span) * inner_h
        h = abs(v) / span * inner_h
        cx = x + bar_w / 2
        out.append(f'<rect x="{px(x)}" y="{px(y)}" width="{px(bar_w)}" height="{px(h)}" fill="{color}" rx="2"/>')
        out.append(f'<text x="{px(cx)}" y="{px(y - 5)}" text-anchor="middle" font-size="11">{esc(text)}</text>')
        out.append(f'<text x="{px(cx)}" y="{height - 14}" text-anchor="middle" font-size="11" '
                   f'fill="#5a6b7d">{esc(label)}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{px(zero_y)}" y2="{px(zero_y)}" stroke="#8a99a8"/>')
    out.append("</svg>")
    return "".join(out)


class Chart:
    """A line chart of exact points: x and y axes with ticks, polylines, vertical marks."""

    def __init__(self, x_low: Fraction, x_high: Fraction, y_low: Fraction, y_high: Fraction,
                 width: int = 720, height: int = 360):
        if y_high == y_low:
            y_high, y_low = y_high + 1, y_low - 1 if y_low else y_low
        pad = (y_high - y_low) / 12
        self.x0, self.x1 = x_low, x_high if x_high != x_low else x_low + 1
        self.y0, self.y1 = (y_low - pad if y_low != 0 else y_low), y_high + pad
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = 86, 20, 16, 46
        self.parts: list[str] = []

    def x(self, v: Fraction) -> Fraction:
        return self.left + (Fraction(v) - self.x0) / (self.x1 - self.x0) * (self.width - self.left - self.right)

    def y(self, v: Fraction) -> Fraction:
        inner = self.height - self.top - self.bottom
        return self.top + (self.y1 - Fraction(v)) / (self.y1 - self.y0) * inner

    def axes(self, x_ticks: list[tuple[Fraction, str]], y_ticks: list[tuple[Fraction, str]],
             x_title: str, y_title: str) -> None:
        bottom = self.height - self.bottom
        for v, text in y_ticks:
            y = px(self.y(v))
            self.parts.append(f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{y}" y2="{y}" '
                              f'stroke="#e4e9ef"/>')
            self.parts.append(f'<text x="{self.left - 6}" y="{y}" dy="4" text-anchor="end" font-size="11" '
                              f'fill="#5a6b7d">{esc(text)}</text>')
        for v, text in x_ticks:
            x = px(self.x(v))
            self.parts.append(f'<line x1="{x}" x2="{x}" y1="{bottom}" y2="{bottom + 4}" stroke="#8a99a8"/>')
            self.parts.append(f'<text x="{x}" y="{bottom + 17}" text-anchor="middle" font-size="11" '
                              f'fill="#5a6b7d">{esc(text)}</text>')
        self.parts.append(f'<line x1="{self.left}" x2="{self.width - self.right}" y1="{bottom}" y2="{bottom}" '
                          f'stroke="#8a99a8"/>')
        self.parts.append(f'<text x="{(self.left + self.width - self.right) // 2}" y="{self.height - 6}" '
                          f'text-anchor="middle" font-size="12" fill="#1d2733">{esc(x_title)}</text>')
        self.parts.append(f'<text x="14" y="{self.top + (bottom - self.top) // 2}" font-size="12" fill="#1d2733" '
                          f'text-anchor="middle" transform="rotate(-90 14 {self.top + (bottom - self.top) // 2})">'
                          f"{esc(y_title)}</text>")

    def mark(self, at: Fraction, color: str = "#b8c4d0", dashed: bool = True) -> None:
        x = px(self.x(at))
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        self.parts.append(f'<line x1="{x}" x2="{x}" y1="{self.top}" y2="{self.height - self.bottom}" '
                          f'stroke="{color}"{dash}/>')

    def path(self, segments: list[list[tuple[Fraction, Fraction]]], color: str, label: str = "") -> None:
        """Polylines, one per segment: a cliff starts a new segment, so no line is drawn across it."""
        for seg in segments:
            pts = " ".join(f"{px(self.x(a))},{px(self.y(b))}" for a, b in seg)
            self.parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.2" '
                              f'stroke-linejoin="round"><title>{esc(label)}</title></polyline>')

    def dot(self, at: Fraction, value: Fraction, color: str, hollow: bool = False, title: str = "") -> None:
        fill = "#fff" if hollow else color
        self.parts.append(f'<circle cx="{px(self.x(at))}" cy="{px(self.y(value))}" r="3.6" fill="{fill}" '
                          f'stroke="{color}" stroke-width="1.6"><title>{esc(title)}</title></circle>')

    def legend(self, items: list[tuple[str, str]]) -> None:
        for i, (color, text) in enumerate(items):
            x = self.left + 12 + i * 150
            self.parts.append(f'<rect x="{x}" y="{self.top + 4}" width="14" height="4" fill="{color}"/>')
            self.parts.append(f'<text x="{x + 20}" y="{self.top + 10}" font-size="11">{esc(text)}</text>')

    def svg(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
                f'width="{self.width}" height="{self.height}" role="img" font-family="sans-serif">'
                f'<rect width="{self.width}" height="{self.height}" fill="#fff"/>' + "".join(self.parts) + "</svg>")


def nice_ticks(low: Fraction, high: Fraction, count: int = 6) -> list[Fraction]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [low, high]."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    power = Fraction(1)
    while power * 10 <= raw:
        power *= 10
    while power > raw:
        power /= 10
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    first = -((-low) // step) * step  # ceiling
    ticks = []
    v = Fraction(first)
    while v <= high:
        ticks.append(v)
        v += step
    return ticks
