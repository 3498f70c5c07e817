"""attain diff, wording: expressions printed as one line of policy text, as `attain fmt` prints them."""

from pathlib import Path

import pytest

from attain.diff.wording import expr_text
from attain.dsl import nodes
from attain.dsl.parser import parse

ROOT = Path(__file__).resolve().parent.parent.parent


def expressions(tree):
    for s in tree.statements:
        bodies = []
        if isinstance(s, nodes.Definition):
            bodies = [s.body, s.gate]
        elif isinstance(s, nodes.FlagDecl):
            bodies = [s.condition]
        elif isinstance(s, nodes.Variants):
            bodies = [d.body for c in s.cases for d in c.definitions]
        for body in bodies:
            if body is not None:
                for node in nodes.walk(body):
                    if not isinstance(node, (nodes.Band, nodes.Lookup, nodes.Weighted, nodes.Tiers,
                                             nodes.Brackets, nodes.Curve)):
                        yield node


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").rglob("*.policy")))
def test_printed_expressions_parse_back_to_the_same_tree(path):
    tree = parse((ROOT / path).read_text(encoding="utf-8"), path)
    count = 0
    for node in expressions(tree):
        text = expr_text(node)
        assert parse(f'policy "p"\nz = {text}\n').statements[0].body == node, text
        count += 1
    assert count > 0


def test_printer_parenthesizes_only_where_needed():
    cases = ["(a + b) * c", "a - (b - c)", "a - b - c", "a / (b * c)", "-(a + b)", "not (a and b) or c",
             "(a if b else c) + 1", "a if b else c if d else e", "(a or b) and c", "x >= 80% and x < 1_000",
             "round(abs(a - b) * 1.5%, 0.01, half_even)", 'tier.coefficient * 2 if t = "甲" else 0']
    for text in cases:
        body = parse(f'policy "p"\nz = {text}\n').statements[0].body
        assert expr_text(body) == text
