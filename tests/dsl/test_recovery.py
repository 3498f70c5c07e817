"""Syntax errors: one run reports every mistake of a file, each where it is, and never one on a valid line."""

from pathlib import Path

import pytest

from attain.diagnostics import AttainError, render_all
from attain.dsl.parser import parse
from attain.dsl.recovery import MAX_SYNTAX_ERRORS

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
LIBRARY = sorted((ROOT / "policies").rglob("*.policy"))


def errors(text: str, file: str = "t.policy"):
    with pytest.raises(AttainError) as e:
        parse(text, file)
    return e.value.diagnostics


def test_golden(golden):
    path = "tests/dsl/golden/syntax-mistakes.policy"
    text = (ROOT / path).read_text(encoding="utf-8")
    found = errors(text, path)
    # Nine mistakes, one per place: every statement and every bad row is reported on its own.
    assert [(d.code, d.span.line) for d in found] == [
        ("P103", 5), ("P119", 9), ("P101", 13), ("P110", 18), ("P100", 19), ("P104", 21), ("P115", 22),
        ("P113", 23), ("P111", 25)]
    golden(GOLDEN / "syntax-mistakes.expected", render_all(found, {path: text}) + "\n")


def test_two_mistakes_on_lines_5_and_12_are_exactly_those_two():
    text = (
        'policy "two mistakes"\n'          # 1
        "input sales : money\n"            # 2
        "input target : money\n"           # 3
        "\n"                               # 4
        "attainment sales / target\n"      # 5: no '='
        "score = band attainment\n"        # 6
        "    >= 100% -> 100\n"             # 7
        "    below 100% -> 50\n"           # 8
        "bonus = sales * 2%\n"             # 9
        "capped = min(bonus, 1_000)\n"     # 10
        "\n"                               # 11
        "total = bonus +\n"                # 12: nothing after '+'
        "output score, total\n"            # 13
    )
    assert [(d.code, d.span.line) for d in errors(text)] == [("P102", 5), ("P104", 12)]


def test_an_unclosed_parenthesis_is_one_mistake_where_it_opens():
    # Inside parentheses line breaks are ignored, so the next statement reads as part of the formula;
    # the mistake is the '(' on line 3, and line 4 is fine.
    found = errors('policy "x"\ninput a : number\nb = (a + 1\nc = a * 2\noutput b, c\n')
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("P119", 3, 5)]


def test_a_mistake_in_the_header_and_one_below():
    found = errors('policy "x"\neffective 2023-07\ninput a : number\nb = a *\n')
    assert [d.span.line for d in found] == [2, 4]


def test_a_file_without_a_header_says_so_once_and_reads_on():
    found = errors("input a : number\nb = a +\noutput b\n")
    assert [(d.code, d.span.line) for d in found] == [("P107", 1), ("P104", 2)]


def test_no_more_than_the_cap():
    text = 'policy "x"\ninput a : number\n' + "".join(f"b{i} = a +\n" for i in range(MAX_SYNTAX_ERRORS + 10))
    found = errors(text)
    assert len(found) == MAX_SYNTAX_ERRORS
    assert [d.span.line for d in found] == list(range(3, 3 + MAX_SYNTAX_ERRORS))


def test_errors_found_after_parsing_are_all_reported_too():
    found = errors('policy "x"\ninput d : date\na = d > 2023-02-30\nb = d > 2023-04-31\n')
    assert [(d.code, d.span.line) for d in found] == [("P115", 3), ("P115", 4)]


def _statements(lines):
    from attain.dsl.recovery import statement_chunks

    return statement_chunks(lines)[1]


@pytest.mark.parametrize("path", LIBRARY, ids=[p.relative_to(ROOT / "policies").as_posix() for p in LIBRARY])
def test_mistakes_in_library_policies_are_reported_where_they_are(path):
    """Break every other definition of a library policy (drop its '='): each reports exactly one
    error, on its own first line, and no other line gets one."""
    lines = path.read_text(encoding="utf-8").split("\n")
    broken = set()
    for k, (start, _end) in enumerate(_statements(lines)):
        line = lines[start - 1]
        if k % 2 == 0 and " = " in line and not line.startswith(("input", "output", "flag", "variants")):
            lines[start - 1] = line.replace(" = ", " ", 1)
            broken.add(start)
    if not broken:
        pytest.skip("no definition to break")
    found = errors("\n".join(lines), str(path))
    assert sorted(d.span.line for d in found) == sorted(broken)[:MAX_SYNTAX_ERRORS]
    assert {d.code for d in found} == {"P102"}
