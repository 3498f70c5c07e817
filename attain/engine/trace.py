"""Explanations: render a `Trace` tree as indented text or as JSON (schema 1).

Both renderers read the same tree the reference evaluator recorded; a value
used twice is shown in full once and referred back to after that.
"""

from __future__ import annotations

import json

from attain.engine.evaluate import TierValue, Trace
from attain.exact import to_decimal
from attain.io import format_number

SCHEMA = 1


def _where(t: Trace) -> str:
    if t.span is None:
        return ""
    return f"{t.span.file}:{t.span.line}"


def render_text(roots: list[Trace], who: str, period: str | None = None) -> str:
    """An indented tree per root: value, formula and policy line, notes, then the values it used."""
    out: list[str] = []
    shown: set[str] = set()

    def visit(t: Trace, depth: int):
        pad = "  " * depth
        if t.kind in ("input", "default"):
            origin = "the policy's default" if t.kind == "default" else f"from {t.source}" if t.source \
                else "input"
            out.append(f"{pad}{t.name} = {t.shown()}   ({origin})")
            return
        if t.name in shown:
            out.append(f"{pad}{t.name} = {t.shown()}   (see above)")
            return
        shown.add(t.name)
        out.append(f"{pad}{t.name} = {t.shown()}")
        out.append(f"{pad}    {t.formula}   [{_where(t)}]")
        for note in t.notes:
            out.append(f"{pad}    · {note}")
        for child in t.children:
            visit(child, depth + 1)

    title = f"{who}" + (f" · {period}" if period else "")
    out.append(title)
    out.append("=" * max(8, len(title)))
    for root in roots:
        visit(root, 0)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _json_value(t: Trace):
    v = t.value
    if isinstance(v, TierValue):
        return v.name
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, str):
        return v
    if hasattr(v, "numerator"):
        d = to_decimal(v.numerator, v.denominator, t.places)
        return format_number(d)
    return str(v)


def to_dict(t: Trace) -> dict:
    node = {
        "name": t.name,
        "kind": t.kind,
        "type": t.type,
        "value": _json_value(t),
        "shown": t.shown(),
    }
    if isinstance(t.value, TierValue):
        node["tier"] = {"name": t.value.name, "label": t.value.label,
                        "results": {k: (format_number(to_decimal(v.numerator, v.denominator))
                                        if hasattr(v, "numerator") and not isinstance(v, bool) else v)
                                    for k, v in t.value.results.items()}}
    if t.kind == "value":
        node["formula"] = t.formula
        node["span"] = t.span.to_json() if t.span else None
        node["notes"] = list(t.notes)
        node["children"] = [to_dict(c) for c in t.children]
    else:
        node["source"] = t.source or ("default" if t.kind == "default" else "")
    return node


def render_json(roots: list[Trace], who: str, policy: str, period: str | None = None) -> str:
    doc = {
        "schema": SCHEMA,
        "policy": policy,
        "employee": who,
        "period": period,
        "values": [to_dict(r) for r in roots],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
