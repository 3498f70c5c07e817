"""Parsing's last step: every formula nested deeper than `limits.MAX_NESTING` is refused with P117.

Measured without recursion: the passes after parsing recurse, and rely on this bound.
"""

from __future__ import annotations

from attain.diagnostics import Diagnostic
from attain.dsl import nodes as n
from attain.i18n.messages import say
from attain.limits import MAX_NESTING


def too_deep(statements) -> list[Diagnostic]:
    """P117 for each formula nested deeper than MAX_NESTING, at the part where it passes the limit.

    Measured without recursion: the passes after this one recurse, and rely on this bound.
    """
    found = []
    for root in _formulas(statements):
        stack = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_NESTING:
                found.append(Diagnostic(
                    "P117", say("P117", limit=f"{MAX_NESTING:,}"), node.span,
                    label=say("P117.label", depth=f"{depth:,}"), hint=say("P117.hint")))
                break
            stack.extend((child, depth + 1) for child in reversed(n.children(node)))
    return found


def _formulas(statements):
    for s in statements:
        if isinstance(s, n.Definition):
            yield s.body
            if s.gate is not None:
                yield s.gate
        elif isinstance(s, n.FlagDecl):
            yield s.condition
        elif isinstance(s, n.Variants):
            for case in s.cases:
                yield from _formulas(case.definitions)
