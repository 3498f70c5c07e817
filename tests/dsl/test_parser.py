"""Parser: the language's surface, spans, and the syntax errors an HR author sees."""

from fractions import Fraction

import pytest

from attain.diagnostics import AttainError
from attain.dsl import nodes as n
from attain.dsl.parser import grammar_parser, parse


def test_grammar_builds_in_strict_mode():
    # strict=True refuses terminal collisions and grammar ambiguities Lark would otherwise resolve silently.
    assert grammar_parser(strict=True) is not None


def test_header_and_inputs():
    p = parse(
        'policy "Q3 incentive"\nversion "2023.3"\neffective 2023-07-01\nperiod quarter\n'
        'input sales : money "实际销售额" in 0 .. 1_000_000 default 0\n'
        'input region : text one of "华东", "华北"\n'
        "output sales\n"
    )
    assert p.header == n.Header("Q3 incentive", "2023.3", "2023-07-01", None, "quarter")
    sales, region = p.inputs
    assert (sales.name, sales.type, sales.label) == ("sales", "money", "实际销售额")
    assert (sales.low.value, sales.high.value) == (0, 1_000_000)
    assert sales.default.value == 0
    assert region.choices == ("华东", "华北")


def test_numbers_percents_and_chinese_names():
    p = parse('policy "x"\ninput 销售额 : money\n达成率 = 销售额 * 15% + 250_000 - 1.25\n')
    (d,) = p.definitions
    assert d.name == "达成率"
    # ((销售额 * 15%) + 250_000) - 1.25: * binds tighter, + and - associate to the left
    assert d.body == n.Binary(
        "-",
        n.Binary("+", n.Binary("*", n.Name("销售额"), n.Number(Fraction(15, 100), True)),
                 n.Number(Fraction(250000))),
        n.Number(Fraction(5, 4)),
    )


def test_spans_point_at_the_source():
    p = parse('policy "x"\ninput a : money\nb = a * 2\n', "f.policy")
    (d,) = p.definitions
    assert (d.span.file, d.span.line, d.span.col) == ("f.policy", 3, 1)
    assert (d.body.span.line, d.body.span.col, d.body.span.end_col) == (3, 5, 10)


def test_conditional_and_logic_precedence():
    p = parse('policy "x"\ninput a : number\nb = 1 if a > 1 and not a > 5 or a = 0 else 2\n')
    body = p.definitions[0].body
    assert isinstance(body, n.Conditional)
    assert body.condition.op == "or"
    assert body.condition.left.op == "and"
    assert isinstance(body.condition.left.right, n.Unary)


def test_blocks():
    p = parse(
        'policy "x"\ninput a : percent\ninput r : text\n'
        "s = band a\n    >= 120% -> 100\n    100% to 120% -> 80\n    below 100% -> 0\n"
        'k = lookup r\n    "华东" -> 1.0\n    else -> 1.1\n'
        "w = weighted\n    s 60%\n    k 40%\n"
        't = first match\n    top "卓越" : a >= 120%\n        -> coefficient 2.0, award "精英"\n'
        '    rest : otherwise -> coefficient 0\n'
        "c = marginal a relative to a\n    up to 100% at 1%\n    above at 2%\n"
    )
    s, k, w, t, c = p.definitions
    assert [r.op for r in s.body.rows] == [">=", "to", "below"]
    assert s.body.rows[1].interval() == (Fraction(1), True, Fraction(6, 5), False)
    assert [r.key for r in k.body.rows] == ["华东", None]
    assert [(r.name.id, r.weight.value) for r in w.body.rows] == [("s", Fraction(3, 5)), ("k", Fraction(2, 5))]
    assert t.body.rows[0].label == "卓越"
    assert [x.name for x in t.body.rows[0].results] == ["coefficient", "award"]
    assert t.body.rows[1].condition is None
    assert c.body.kind == "marginal" and c.body.rows[1].upto is None


def test_comments_and_continuation_lines():
    p = parse('policy "x"  # name\n# a comment\ninput a : number # trailing\nb = a > 1\n    and a < 5\n')
    assert p.definitions[0].body.op == "and"


def test_gate_and_payout_and_flag():
    p = parse('policy "x"\ninput a : money\npayout p = a * 2 unless a < 0\nflag f "改进" when a < 10\n')
    d = p.definitions[0]
    assert d.payout and d.gate.op == "<"
    assert p.flags[0].label == "改进"


def test_refusal_keeps_its_message_and_condition():
    p = parse('policy "x"\ninput b : number\nrefuse "软性指标合计超过20分"\n    when b > 20\n')
    (r,) = p.refusals
    assert (r.message, r.condition.op, r.span.line) == ("软性指标合计超过20分", ">", 3)
    assert r.name == 'refuse "软性指标合计超过20分"'


def _error(text):
    with pytest.raises(AttainError) as e:
        parse(text, "t.policy")
    (d,) = e.value.diagnostics
    return d


def test_missing_arrow_is_named():
    d = _error('policy "x"\ninput a : number\nb = band a\n    >= 1 100\n')
    assert d.code == "P101"
    assert "'->'" in d.message
    assert (d.span.line, d.span.col) == (4, 10)


def test_percent_without_number():
    d = _error('policy "x"\ninput a : number\nb = a * %\n')
    assert d.code == "P110"
    assert (d.span.line, d.span.col) == (3, 9)


def test_unclosed_string():
    d = _error('policy "x"\ninput a : text\nb = lookup a\n    "华东 -> 1\n    else -> 2\n')
    assert d.code == "P111"
    assert d.span.line == 4


def test_tab_indentation_is_refused():
    d = _error('policy "x"\ninput a : number\nb = band a\n\t>= 1 -> 1\n')
    assert d.code == "P112"
    assert d.span.line == 4


def test_inconsistent_dedent():
    d = _error('policy "x"\ninput a : number\nb = band a\n    >= 1 -> 1\n  below 1 -> 0\n')
    assert d.code == "P114"
    assert d.span.line == 5


def test_missing_equals():
    d = _error('policy "x"\ninput a : number\nb a\n')
    assert d.code == "P102"


def test_missing_policy_line():
    d = _error("input a : money\n")
    assert d.code == "P107"


def test_incomplete_formula():
    d = _error('policy "x"\ninput a : number\nb = a +\n')
    assert d.code == "P104"
    assert d.span.line == 3


def test_full_width_punctuation_is_explained():
    d = _error('policy "x"\ninput a ： number\n')
    assert d.code == "P113"


def test_date_literals():
    import datetime

    p = parse('policy "x"\ninput hired : date\nnew = hired >= 2023-07-01\n')
    assert p.definitions[0].body.right == n.Date(datetime.date(2023, 7, 1))
    d = _error('policy "x"\ninput hired : date\nnew = hired >= 2023-02-30\n')
    assert (d.code, d.span.line, d.span.col) == ("P115", 3, 16)


def test_else_continues_a_line_like_if_but_not_a_lookup_row_or_a_variant():
    p = parse('policy "x"\ninput a : money\ninput r : text\nb = a * 80%\n    if a > 1  # paid in part\n'
              '    else a\nk = lookup r\n    "x" -> 1\n    else -> 2\nvariants by r\n    "x":\n        z = 1\n'
              '    else :\n        z = 2\n')
    b, k = p.definitions[:2]
    assert isinstance(b.body, n.Conditional) and b.body.otherwise == n.Name("a")
    assert [row.key for row in k.body.rows] == ["x", None]
    (v,) = [s for s in p.statements if isinstance(s, n.Variants)]
    assert [case.keys for case in v.cases] == [("x",), None]


def test_arithmetic_continuation_lines_but_not_minus():
    p = parse('policy "x"\ninput a : money\nb = a * 2\n    + a / 3\nc = band a\n    -5 to 0 -> 1\n    otherwise -> 2\n')
    b, c = p.definitions
    assert b.body.op == "+"
    assert c.body.rows[0].low.value == -5
