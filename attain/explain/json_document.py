"""Explanations, as JSON: a `Trace` tree -> a document of schema 1, for programs.

Each value carries its exact decimal text (as `attain run --format json` writes
it) beside the text a person reads, and its notes as the sentences the text
explanation shows.
"""

from __future__ import annotations

import json
from fractions import Fraction

from attain.engine.trace import TierValue, Trace
from attain.engine.wording import display, sentence
from attain.exact import to_decimal
from attain.i18n.messages import localize
from attain.io import format_number
from attain.limits import deep

SCHEMA = 1


def _json_value(t: Trace) -> object:
    v = t.value
    if isinstance(v, TierValue):
        return v.name
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (int, Fraction)):
        d = to_decimal(v.numerator, v.denominator, t.places)
        return format_number(d)
    return str(v)


def _tier_result(v: object) -> object:
    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return format_number(to_decimal(v.numerator, v.denominator))
    return v


def to_dict(t: Trace, lang: str = "en") -> dict:
    """One value's node, its children's below; its words (shown values, notes) in `lang`, its keys in English."""
    node: dict[str, object] = {
        "name": t.name,
        "kind": t.kind,
        "type": t.type,
        "value": _json_value(t),
        "shown": localize(display(t.value, t.type, t.places), lang),
    }
    if isinstance(t.value, TierValue):
        node["tier"] = {"name": t.value.name, "label": t.value.label,
                        "results": {k: _tier_result(v) for k, v in t.value.results.items()}}
    if t.kind == "line":  # a line of a line table: where it is, whether the filter kept it, its values
        node["span"] = t.span.to_json() if t.span else None
        node["name"] = localize(t.name, lang)  # a place in a file, or what stands for lines not listed
        node["note"] = localize(t.formula, lang)
        node["values"] = {c.name: localize(display(c.value, c.type, None), lang) if c.value is not None else None
                          for c in t.children}
        return node
    if t.kind == "value":
        node["formula"] = localize(t.formula, lang)
        node["span"] = t.span.to_json() if t.span else None
        node["notes"] = [localize(sentence(note), lang) for note in t.notes]
        node["children"] = [to_dict(c, lang) for c in t.children]
    else:
        node["source"] = localize(t.source, lang) or ("default" if t.kind == "default" else "")
    return node


@deep  # the tree is as deep as the chain of values that use each other
def render_json(roots: list[Trace], who: str, policy: str, period: str | None = None, lang: str = "en") -> str:
    doc = {
        "schema": SCHEMA,
        "policy": policy,
        "employee": who,
        "period": period,
        "values": [to_dict(r, lang) for r in roots],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
