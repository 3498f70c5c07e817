"""Formatter: canonical layout, idempotent, meaning and comments kept; golden files in golden/fmt/."""

import re
from collections import Counter
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from attain.diagnostics import AttainError
from attain.dsl.formatter import format_policy
from attain.dsl.parser import parse

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden" / "fmt"
LIBRARY = sorted((ROOT / "policies").rglob("*.policy"))
GOLDEN_INPUTS = sorted(GOLDEN.glob("*.policy"))

# A comment starts at the first `#` outside a double-quoted text (texts never span lines).
_COMMENT = re.compile(r'^(?:[^"#\n]|"[^"\n]*")*(#.*)$')


def comments(text: str) -> Counter:
    found = Counter()
    for line in text.split("\n"):
        m = _COMMENT.match(line)
        if m:
            found[m.group(1).rstrip()] += 1
    return found


def assert_canonical(text: str) -> str:
    """Check every property the formatter promises for one input; return its formatting."""
    out = format_policy(text)
    assert format_policy(out) == out, "formatting twice changes the text"
    assert parse(out) == parse(text), "formatting changes the meaning"
    assert comments(out) == comments(text), "formatting loses or changes comments"
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert not out.startswith("\n")
    assert "\n\n\n" not in out
    assert all(line == line.rstrip() for line in out.split("\n"))
    return out


def fmt(text: str) -> str:
    return format_policy('policy "x"\n\n' + text).split("\n", 2)[2]


# ---------------------------------------------------------------- the library and golden files


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(ROOT)))
def test_library_policies_format_canonically(path):
    assert_canonical(path.read_text(encoding="utf-8"))


def test_golden_folder_has_the_required_cases():
    names = {p.stem for p in GOLDEN_INPUTS}
    assert {"misaligned-bands", "chinese-names", "comments", "parentheses", "long-tiers"} <= names


@pytest.mark.parametrize("path", GOLDEN_INPUTS, ids=lambda p: p.stem)
def test_golden(path, golden):
    out = assert_canonical(path.read_text(encoding="utf-8"))
    golden(path.with_suffix(".expected"), out)


@pytest.mark.parametrize("path", GOLDEN_INPUTS, ids=lambda p: p.stem)
def test_expected_files_are_already_canonical(path):
    expected = path.with_suffix(".expected")
    if expected.exists():
        text = expected.read_text(encoding="utf-8")
        assert format_policy(text) == text


# ---------------------------------------------------------------- layout rules


def test_syntax_errors_propagate():
    with pytest.raises(AttainError):
        format_policy('policy "x"\na = band b\n    >= 1 100\n')


def test_header_in_canonical_order_then_one_blank_line():
    text = 'period month\nversion "1"\nuntil 2024-12-31\neffective 2024-01-01\noutput a\n'
    assert format_policy('policy "p"\n' + text) == (
        'policy "p"\nversion "1"\neffective 2024-01-01\nuntil 2024-12-31\nperiod month\n\noutput a\n'
    )


def test_header_lines_found_without_spaces():
    assert format_policy('policy"p"#c\nversion"1"\nperiod   month\na=1') == (
        'policy "p"  #c\nversion "1"\nperiod month\n\na = 1\n'
    )


def test_header_extras_are_kept():
    out = format_policy('policy "p"\ngaps restart\nperiod month ending day 25\n')
    assert out == 'policy "p"\nperiod month ending day 25\ngaps restart\n'


def test_inputs_align_counting_wide_characters_as_two_columns():
    out = fmt('input 销售额 : money "实际销售额"\ninput region : text one of "华东","华北"\n'
              "input n : count default 0\n")
    assert out == (
        'input 销售额 : money "实际销售额"\n'
        'input region : text  one of "华东", "华北"\n'
        "input n      : count default 0\n"
    )


def test_a_blank_line_starts_a_new_input_table_and_comments_do_not():
    out = fmt("input a : money\n# note\ninput longer : percent\n\ninput b : bool\n")
    assert out == "input a      : money\n# note\ninput longer : percent\n\ninput b : bool\n"


def test_blank_lines_are_kept_once_and_trailing_space_goes():
    out = fmt("a = 1   \n\n\n\nb = 2\nc = 3\n\n\n")
    assert out == "a = 1\n\nb = 2\nc = 3\n"


@pytest.mark.parametrize(
    "source, printed",
    [
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a + (b * c)", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a / (b / c)", "a / (b / c)"),
        ("((a))", "a"),
        ("-(a * b)", "-(a * b)"),
        ("(-a) * b", "-a * b"),
        ("- - a", "-(-a)"),
        ("-(5)", "-5"),
        ("a - -5", "a - -5"),
        ("(a > 1) and (b < 2) or (c = 3)", "a > 1 and b < 2 or c = 3"),
        ("a and (b or c)", "a and (b or c)"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) and b", "not a and b"),
        ("(not a) = b", "(not a) = b"),
        ("not (a = b)", "not a = b"),
        ("(a < b) = c", "(a < b) = c"),
        ("(a if b else c) if d else (e if f else g)", "(a if b else c) if d else e if f else g"),
        ("a if (b if c else d) else e", "a if (b if c else d) else e"),
        ("max( a,b ,(c) )", "max(a, b, c)"),
        ("round(x,0.01,half_up)", "round(x, 0.01, half_up)"),
        ("previous(x,1,else 0)", "previous(x, else 0)"),
        ("previous( x , 3 )", "previous(x, 3)"),
        ("mean( sales within region except self )", "mean(sales within region except self)"),
        ("count(within everyone)", "count(within everyone)"),
        ("tier . coefficient * 250_000 + 15% - 4.0", "tier.coefficient * 250_000 + 15% - 4.0"),
        ('d >= 2023-07-01 and r != "华东" and t = true', 'd >= 2023-07-01 and r != "华东" and t = true'),
    ],
)
def test_expressions_keep_only_needed_parentheses(source, printed):
    assert fmt(f"x = {source}\n") == f"x = {printed}\n"


def test_continued_lines_join_and_gates_stay_on_the_head_line():
    out = fmt("x = a > 1\n    and b > 2\n    unless c\nflag f \"标记\"\n    when x\n")
    assert out == 'x = a > 1 and b > 2 unless c\nflag f "标记" when x\n'


def test_if_and_else_on_lines_of_their_own_join_the_line():
    out = fmt("x = a * 80%\n    if b < 90%  # the modifier\n    else a\n")
    assert out == "# the modifier\nx = a * 80% if b < 90% else a\n"


def test_a_refusal_is_one_line():
    out = fmt('refuse "总分满分为100分"\n    when score > 100\n')
    assert out == 'refuse "总分满分为100分" when score > 100\n'


def test_band_lookup_weighted_and_bracket_columns():
    out = fmt(
        "s = band a unless z\n  >= 120% -> 100\n  100% to 120%    ->   80\n  otherwise -> 0\n"
        'k = lookup r\n   "华东" -> 1.0\n   else -> 1.1\n'
        "w = weighted\n  s 5%\n  k_long_name 95%\n"
        "c = retroactive a relative to t\n up to 100% at 1%\n above at 2%\n"
    )
    assert out == (
        "s = band a unless z\n"
        "    >= 120%      -> 100\n"
        "    100% to 120% -> 80\n"
        "    otherwise    -> 0\n"
        "k = lookup r\n"
        '    "华东" -> 1.0\n'
        "    else   -> 1.1\n"
        "w = weighted\n"
        "    s            5%\n"
        "    k_long_name 95%\n"
        "c = retroactive a relative to t\n"
        "    up to 100% at 1%\n"
        "    above      at 2%\n"
    )


def test_tier_rows_break_before_the_arrow_only_when_longer_than_100_columns():
    short = 'top "卓越" : a >= 120% -> coefficient 2.0'
    long_cond = " and ".join(f"metric_{i} >= {i}0%" for i in range(6))
    out = fmt(f"t = first match\n  {short}\n  long : {long_cond} -> coefficient 1, award \"x\"\n"
              "  rest : otherwise\n")
    assert out == (
        "t = first match\n"
        f"    {short}\n"
        f"    long : {long_cond}\n"
        '        -> coefficient 1, award "x"\n'
        "    rest : otherwise\n"
    )


def test_a_row_that_fits_exactly_stays_on_one_line():
    # 4 spaces of indent + 96 columns = 100; wide characters count twice.
    label = "奖" * 10
    row = f'r "{label}" : a >= 1 -> c ' + "1" * (96 - len(f'r "{label}" : a >= 1 -> c ') - 10)
    assert len(row) + 10 == 96
    assert fmt(f"t = first match\n    {row}\n") == f"t = first match\n    {row}\n"
    assert fmt(f"t = first match\n    {row}1\n").count("\n") == 3


def test_comments_stay_where_they_were():
    out = fmt(
        "# about a\na = 1   # a's note\n"
        "s = band a # head\n    # first row\n    >= 1 -> 2 # row\n  # end of block\n"
        "t = first match\n    r : a > 1\n        -> c 1  # on the continuation line\n"
        "m = max(a,  # inside parentheses\n        2)  # after\n"
        "# last words\n"
    )
    assert out == (
        "# about a\na = 1  # a's note\n"
        "s = band a  # head\n    # first row\n    >= 1 -> 2  # row\n# end of block\n"
        "t = first match\n    r : a > 1 -> c 1  # on the continuation line\n"
        "# inside parentheses\nm = max(a, 2)  # after\n"
        "# last words\n"
    )


def test_hash_inside_a_text_is_not_a_comment():
    assert fmt('k = lookup r\n    "#1"   -> 1 # real\n    else -> 0\n') == (
        'k = lookup r\n    "#1" -> 1  # real\n    else -> 0\n'
    )


def test_top_comment_block_stays_on_top():
    text = "\n\n# title\n#\n# more\n\npolicy \"p\"\n# about the version\nversion \"1\"\n# inputs\ninput a : money\n"
    assert format_policy(text) == (
        '# title\n#\n# more\n\npolicy "p"\n# about the version\nversion "1"\n\n# inputs\ninput a : money\n'
    )


def test_variants_indent_by_four_per_level():
    out = fmt('variants by role\n  "a","b":\n      x = 1\n      y = band x\n        >= 1 -> 2\n  else :\n      x = 2\n')
    assert out == (
        'variants by role\n    "a", "b":\n        x = 1\n        y = band x\n            >= 1 -> 2\n'
        "    else:\n        x = 2\n"
    )


def test_windows_line_endings_and_missing_final_newline():
    assert format_policy('policy "p"\r\n\r\na =  1\r\n# end') == 'policy "p"\n\na = 1\n# end\n'


# ---------------------------------------------------------------- random policies

_NAMES = ["a", "b", "sales", "target", "rate_2", "销售额", "达成率", "回款率"]
_NUMBERS = ["0", "1", "250_000", "1.5", "4.0", "15%", "0%", "120%", "2.25%"]
_TEXTS = ['"华东"', '"a"', '""', '"#1"', '"x y"']
_COMMENT_CHARS = 'abc xyz 中文#"->():'


def _sep(draw, word):
    """` word ` with messy spacing, or a line break before a word that continues the line."""
    if word in ("and", "or", "if", "else", "unless", "when", "->") and draw(st.integers(0, 5)) == 5:
        return f"\n{' ' * draw(st.integers(0, 8))}{word} "
    return draw(st.sampled_from([f" {word} ", f"  {word} ", f" {word}   "]))


def _comment(draw) -> str:
    return "#" + draw(st.text(alphabet=_COMMENT_CHARS, max_size=12))


def _atom(draw, depth):
    kind = draw(st.integers(0, 9 if depth > 0 else 3))
    if kind == 0:
        return draw(st.sampled_from(_NUMBERS))
    if kind == 1:
        return draw(st.sampled_from(_TEXTS + ["2023-07-01", "true", "false", "period_start", "period_end",
                                              "period_days", "first_period_of_year", "last_period_of_quarter"]))
    if kind == 2:
        return f"{draw(st.sampled_from(_NAMES))}.coefficient"
    if kind <= 5:
        return draw(st.sampled_from(_NAMES))
    if kind == 6:
        args = [_expr(draw, depth - 1) for _ in range(draw(st.integers(0, 3)))]
        func = draw(st.sampled_from(['max', 'min', 'round', 'abs', 'days_between', 'months_between', 'in_period',
                                     'days_employed', 'months_employed', 'year_to_date', 'earlier_this_quarter']))
        return f"{func}({draw(st.sampled_from([',', ', ', ' , '])).join(args)})"
    if kind == 7:
        back = draw(st.sampled_from(["", ", 1", ", 3"]))
        other = draw(st.sampled_from(["", f", else {_expr(draw, depth - 1)}"]))
        return f"previous({draw(st.sampled_from(_NAMES))}{back}{other})"
    if kind == 8:
        value = draw(st.sampled_from(["", "sales ", "a + 1 "]))
        group = draw(st.sampled_from(["region", "everyone", "direct reports", "all  reports", "direct reports of boss",
                                      "all reports  of  上级"]))
        func = draw(st.sampled_from(['mean', 'count', 'rank']))
        return f"{func}({value}within {group}{draw(st.sampled_from(['', ' except self']))})"
    # Parentheses, maybe with line breaks and comments inside (the parser ignores line breaks there).
    inner = _expr(draw, depth - 1)
    before = draw(st.sampled_from(["", " ", "\n    ", "  {c}\n   "])).replace("{c}", _comment(draw))
    after = draw(st.sampled_from(["", " ", "\n", "  {c}\n"])).replace("{c}", _comment(draw))
    return f"({before}{inner}{after})"


def _unary(draw, depth):
    if depth > 0 and draw(st.integers(0, 6)) == 6:
        return draw(st.sampled_from(["-", "- "])) + _unary(draw, depth - 1)
    return _atom(draw, depth)


def _chain(draw, depth, item, ops, most=2):
    parts = [item(draw, depth)]
    for _ in range(draw(st.integers(0, most - 1)) if depth > 0 else 0):
        parts.append(_sep(draw, draw(st.sampled_from(ops))) + item(draw, depth))
    return "".join(parts)


def _product(draw, depth):
    return _chain(draw, depth, _unary, ["*", "/"])


def _sum(draw, depth):
    return _chain(draw, depth, _product, ["+", "-"])


def _comparison(draw, depth):
    left = _sum(draw, depth)
    if depth > 0 and draw(st.booleans()):
        return left + _sep(draw, draw(st.sampled_from([">=", ">", "<=", "<", "=", "!="]))) + _sum(draw, depth)
    return left


def _not(draw, depth):
    if depth > 0 and draw(st.integers(0, 5)) == 5:
        return "not " + _not(draw, depth - 1)
    return _comparison(draw, depth)


def _and(draw, depth):
    return _chain(draw, depth, _not, ["and"], 2)


def _or(draw, depth):
    return _chain(draw, depth, _and, ["or"], 2)


def _expr(draw, depth=2):
    if depth > 0 and draw(st.integers(0, 5)) == 5:
        return (_or(draw, depth - 1) + _sep(draw, "if") + _or(draw, depth - 1) + _sep(draw, "else")
                + _expr(draw, depth - 1))
    return _or(draw, depth)


def _bound(draw):
    return draw(st.sampled_from(["", "-", "- "])) + draw(st.sampled_from(_NUMBERS))


def _gate(draw):
    return draw(st.sampled_from(["", "u"])) and _sep(draw, "unless") + _expr(draw, 1)


def _rows(draw, indent, make, least=1):
    return [indent + make(draw) for _ in range(draw(st.integers(least, 4)))]


def _band_row(draw):
    rng = draw(st.sampled_from([">= {}", "> {}", "<= {}", "< {}", "= {}", "below {}", "above {}", "{} to {}",
                                "otherwise"]))
    return rng.format(_bound(draw), _bound(draw)) + _sep(draw, "->") + _expr(draw, 1)


def _lookup_row(draw):
    return draw(st.sampled_from(_TEXTS + ["else"])) + _sep(draw, "->") + _expr(draw, 1)


def _weight_row(draw):
    name = draw(st.sampled_from(_NAMES))
    return f"{name}{' ' * draw(st.integers(1, 6))}{draw(st.sampled_from(['5%', '40%', '100%', '2.5%']))}"


def _tier_row(draw):
    label = draw(st.sampled_from(["", ' "卓越奖"', ' "floor"']))
    cond = draw(st.sampled_from(["otherwise", "c"]))
    if cond == "c":
        cond = _expr(draw, draw(st.integers(0, 3)))
    results = [f"{draw(st.sampled_from(['coefficient', 'award', 'flag']))} {_expr(draw, 1)}"
               for _ in range(draw(st.integers(0, 3)))]
    tail = (_sep(draw, "->") + ", ".join(results)) if results else ""
    return f"{draw(st.sampled_from(_NAMES))}{label} : {cond}{tail}"


def _bracket_row(draw):
    if draw(st.booleans()):
        return f"up to {_bound(draw)} at {_expr(draw, 1)}"
    return f"above at {_expr(draw, 1)}"


def _definition(draw, indent):
    """A definition as logical lines (line breaks inside parentheses or before `and` belong to their line)."""
    name = draw(st.sampled_from(_NAMES))
    payout = draw(st.sampled_from(["", "payout "]))
    kind = draw(st.sampled_from(["plain", "plain", "band", "lookup", "weighted", "tiers", "brackets"]))
    rows = indent + " " * draw(st.integers(1, 6))
    if kind == "plain":
        return [f"{indent}{payout}{name} = {_expr(draw)}{_gate(draw)}"]
    if kind == "band":
        head, body = f"band {_expr(draw, 1)}", _rows(draw, rows, _band_row)
    elif kind == "lookup":
        head, body = f"lookup {_expr(draw, 1)}", _rows(draw, rows, _lookup_row)
    elif kind == "weighted":
        head, body = "weighted", _rows(draw, rows, _weight_row)
    elif kind == "tiers":
        head, body = "first match", _rows(draw, rows, _tier_row)
    else:
        base = draw(st.sampled_from(["", " relative to target"]))
        head = f"{draw(st.sampled_from(['marginal', 'retroactive']))} {_expr(draw, 1)}{base}"
        body = _rows(draw, rows, _bracket_row)
    return [f"{indent}{payout}{name} = {head}{_gate(draw)}", *body]


def _input(draw):
    parts = [f"input {draw(st.sampled_from(_NAMES))}{' ' * draw(st.integers(1, 4))}:  "
             f"{draw(st.sampled_from(['money', 'percent', 'count', 'text', 'bool']))}"]
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(['"实际销售额"', '"x"'])))
    if draw(st.booleans()):
        parts.append(f"in {_bound(draw)} .. {_bound(draw)}")
    if draw(st.booleans()):
        parts.append('one of "华东","华北"')
    if draw(st.booleans()):
        parts.append("default " + draw(st.sampled_from([_bound(draw), '"华东"', "true"])))
    if draw(st.booleans()):
        parts.append("combine " + draw(st.sampled_from(["sum", "mean", "last"])))
    return " ".join(parts)


def _statement(draw):
    kind = draw(st.sampled_from(["input", "input", "input", "def", "def", "def", "flag", "refuse", "output",
                                 "variants"]))
    if kind == "input":
        return [_input(draw)]
    if kind == "def":
        return _definition(draw, "")
    if kind == "flag":
        label = draw(st.sampled_from(["", ' "需提交改进计划"']))
        return [f"flag {draw(st.sampled_from(_NAMES))}{label}{_sep(draw, 'when')}{_expr(draw, 1)}"]
    if kind == "refuse":
        return [f'refuse "合计超过20分"{_sep(draw, "when")}{_expr(draw, 1)}']
    if kind == "output":
        return ["output " + ", ".join(draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4)))]
    case_indent = " " * draw(st.integers(1, 4))
    def_indent = case_indent + " " * draw(st.integers(1, 4))
    lines = [f"variants by {draw(st.sampled_from(_NAMES))}"]
    for key in draw(st.lists(st.sampled_from(['"a"', '"b", "c"', "else"]), min_size=1, max_size=3)):
        lines.append(f"{case_indent}{key}:")
        for _ in range(draw(st.integers(1, 2))):
            lines.extend(_definition(draw, def_indent))
    return lines


@st.composite
def policies(draw):
    """A valid policy with messy spacing, continuation lines, blank lines and comments everywhere."""
    header = ['policy "random"']
    header_items = ['version "1"', "effective 2023-07-01", "until 2023-12-31", "period month ending day 25",
                    "period quarter", "gaps restart", 'uses "monthly.policy"', "plan year starts April"]
    header += draw(st.lists(st.sampled_from(header_items), max_size=4, unique=True))
    body = [line for _ in range(draw(st.integers(0, 6))) for line in _statement(draw)]
    out = []
    for line in header + body:
        for _ in range(draw(st.integers(0, 1))):
            out.append(draw(st.sampled_from(["", "", " " * draw(st.integers(0, 8)) + _comment(draw)])))
        if draw(st.integers(0, 3)) == 0:
            line += " " * draw(st.integers(0, 3)) + _comment(draw)
        out.append(line)
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(["", _comment(draw)])))
    return "\n".join(out) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies())
def test_random_policies_format_canonically(text):
    assert_canonical(text)


def test_roll_up_header_and_combine_rules_are_kept():
    text = ('policy "q"\nperiod quarter\nuses "monthly.policy"\n\ninput score : number combine mean\n'
            "input pay : money default 0 combine last\n\noutput score, pay\n")
    formatted = format_policy(text)
    assert 'uses "monthly.policy"' in formatted
    assert "combine mean" in formatted and "default 0 combine last" in formatted
    assert parse(formatted) == parse(text)
