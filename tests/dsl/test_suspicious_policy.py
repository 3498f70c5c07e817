"""Policies that were accepted silently: a header line twice, a variant no value reaches, a name that is a
word of the language, `written as` where it cannot apply, and a `uses` file that is missing."""

from pathlib import Path

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.dsl.builtins import PERIOD_VALUES, RESERVED
from attain.dsl.checker import check
from attain.dsl.formatter import format_policy
from attain.dsl.parser import grammar_parser, parse

H = 'policy "p"\n'


def findings(text: str) -> list[tuple[str, int, int]]:
    _, diags = check(parse(text, "p.policy"))
    return [(d.code, d.span.line, d.span.col) for d in diags if d.is_error]


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# ---------------------------------------------------------------- header lines


@pytest.mark.parametrize(("lines", "word"), [
    ('version "1"\nversion "2"\n', "version"),
    ("period month\neffective 2023-01-01\nperiod quarter\n", "period"),
    ("effective 2023-01-01\neffective 2023-01-01\n", "effective"),
    ('uses "a.policy"\nuses "b.policy"\n', "uses"),
])
def test_a_header_line_given_twice_is_an_error_at_the_second(lines, word):
    text = H + lines + "input a : money\noutput a\n"
    second = 2 + lines.count("\n") - 1
    _, diags = check(parse(text, "p.policy"))
    (d,) = [d for d in diags if d.code == "C260"]
    assert (d.span.line, d.span.col, d.message) == (second, 1, f"the header gives `{word}` twice")
    assert (d.notes[0].span.line, d.notes[0].text) == (2, "first given here")


def test_check_reports_the_repeated_version_with_both_lines(tmp_path):
    policy = tmp_path / "p.policy"
    policy.write_text(H + 'version "2023.3"\nversion "2023.4"\ninput a : money\noutput a\n', encoding="utf-8")
    r = invoke("check", policy)
    assert r.exit_code == 1
    assert "error[C260]: the header gives `version` twice" in r.stderr
    assert f"--> {policy}:3:1" in r.stderr
    assert '2 | version "2023.3"' in r.stderr and "first given here" in r.stderr
    with pytest.raises(AttainError) as e:
        attain.load(policy)
    assert [d.code for d in e.value.diagnostics] == ["C260"]


def test_fmt_keeps_both_lines_of_a_repeated_header_item():
    # Dropping one would decide for the author; the check error stays until they do.
    text = H + 'version "1"  # first\nversion "2"\ninput a : money\noutput a\n'
    assert format_policy(text) == H + 'version "1"  # first\nversion "2"\n\ninput a : money\noutput a\n'
    assert findings(format_policy(text)) == [("C260", 3, 1)]


# ---------------------------------------------------------------- variants


def test_a_variant_for_a_value_the_input_never_takes_is_an_error():
    text = (H + 'input role : text one of "regional", "area"\n'
            "variants by role\n"
            '    "regional":\n        x = 1\n'
            '    "aera", "area":\n        x = 2\n'
            "output x\n")
    _, diags = check(parse(text, "p.policy"))
    (d,) = [d for d in diags if d.is_error]
    assert (d.code, d.span.line) == ("C261", 6)
    assert d.message == "\"aera\" is not one of the values of 'role', so this variant would never be chosen"
    assert d.hint == "did you mean 'area'?"


def test_variants_by_open_text_take_any_value():
    text = H + 'input role : text\nvariants by role\n    "x":\n        v = 1\n    else:\n        v = 2\noutput v\n'
    assert findings(text) == []


# ---------------------------------------------------------------- words of the language as names


@pytest.mark.parametrize(("text", "where"), [
    (H + "input true : bool\ninput a : money\noutput a\n", (2, 7)),
    (H + "input a : money\nfalse = a > 0\noutput a\n", (3, 1)),
    (H + "input a : money\nt = first match\n    true : a > 0 -> c 1\n    other : otherwise -> c 0\noutput t\n",
     (4, 5)),
    (H + "input a : money\nflag otherwise when a > 0\noutput a\n", (3, 6)),
    (H + 'input r : text one of "x"\ninput a : money\nvariants by r\n    "x":\n        band = a\noutput band\n',
     (6, 9)),
])
def test_a_word_of_the_language_cannot_name_an_input_value_or_tier(text, where):
    assert ("C262", *where) in findings(text)


def test_a_value_named_true_no_longer_shadows_the_boolean(tmp_path):
    policy = tmp_path / "p.policy"
    policy.write_text(H + "input a : money\ntrue = a > 100\nok = true\noutput ok\n", encoding="utf-8")
    r = invoke("check", policy)
    assert r.exit_code == 1
    assert "error[C262]: 'true' is a word of the policy language, so it cannot name a value" in r.stderr


def test_every_word_of_the_grammar_is_reserved_or_safe_as_a_name():
    # A new keyword must be placed: reserved (a formula or a row would read it as the word), or listed
    # here because it is only read as a word after the word that leads to it.
    safe = {"above", "as", "at", "below", "by", "combine", "currency", "day", "default", "effective", "ending",
            "gaps", "in", "switch", "match", "of", "one", "period", "policy", "relative", "to", "until", "up", "uses",
            "version", "written",
            "columns", "from", "including", "sheet",  # rate tables: read as words inside a table or a range
            "per", "overlay", "where"}  # line tables: after `split`, and after the table an aggregate reads
    safe |= {"plan", "year", "starts"}  # `plan year starts April`: words only in the header
    safe |= {"direct", "all", "reports"}  # the org chart: words only right after `within`
    words = {t.pattern.value for t in grammar_parser().terminals
             if t.pattern.type == "str" and t.pattern.value.isidentifier()}
    # The period's words (period_start, ...) are names the parser reads as the period's days, not grammar words.
    assert words == (RESERVED - set(PERIOD_VALUES)) | safe
    assert not RESERVED & safe
    for word in sorted(safe):
        assert findings(H + f"input {word} : money\nx = {word} * 2\noutput x\n") == [], word


# ---------------------------------------------------------------- written as


def test_written_as_parses_formats_and_round_trips():
    text = H + 'input rate : percent "回款率"   written  as points in 0% .. 150%\noutput rate\n'
    formatted = format_policy(text)
    assert formatted == H + '\ninput rate : percent "回款率" written as points in 0% .. 150%\noutput rate\n'
    assert parse(formatted) == parse(text)
    assert parse(formatted).statements[0].written == "points"
    assert format_policy(formatted) == formatted


@pytest.mark.parametrize(("decl", "code", "message"), [
    ("input a : percent written as point", "C263", "unknown way of writing a percent: 'point'"),
    ("input a : money written as points", "C263",
     "`written as` tells how a percent column is written, but 'a' is money"),
    ("input a : percent written as points default 95", "C234",
     "the default of 'a' needs a % sign: a policy reads 95 as 95 × 100%, not as points like its column"),
])
def test_written_as_fits_percents_only(decl, code, message):
    _, diags = check(parse(H + decl + "\noutput a\n"))
    (d,) = [d for d in diags if d.is_error]
    assert (d.code, d.message) == (code, message)


def test_written_as_points_with_a_percent_default_is_fine():
    assert findings(H + "input a : percent written as points default 95%\noutput a\n") == []


# ---------------------------------------------------------------- uses


MONTHLY = H + "period month\ninput sales : money\npayout pay = sales * 2\n"


def test_check_reports_a_missing_uses_file_at_its_line(tmp_path):
    policy = tmp_path / "q.policy"
    policy.write_text(H + 'period quarter\nuses "monthly.policy"\ninput pay : money combine sum\noutput pay\n',
                      encoding="utf-8")
    found = attain.check(policy)
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("C250", 3, 1)]
    assert found[0].message == "the policy it uses, 'monthly.policy', cannot be read: policy file " \
        f"'{tmp_path / 'monthly.policy'}' does not exist"
    r = invoke("check", policy)
    assert r.exit_code == 1 and f"--> {policy}:3:1" in r.stderr
    with pytest.raises(AttainError) as e:
        attain.load(policy)
    assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("C250", 3)]
    (tmp_path / "monthly.policy").write_text(MONTHLY, encoding="utf-8")
    assert list(attain.check(policy)) == []


def test_a_uses_path_no_file_can_have_is_a_check_error_not_an_internal_error(tmp_path):
    policy = tmp_path / "q.policy"
    policy.write_text(H + 'uses "month\0ly.policy"\ninput pay : money\noutput pay\n', encoding="utf-8")
    assert [(d.code, d.span.line) for d in attain.check(policy)] == [("C250", 2)]
    for args in (("check", policy), ("run", policy, "--data", policy)):
        r = invoke(*args)
        assert r.exit_code == 1, args
        assert "error[C250]: the policy it uses, 'month\\x00ly.policy', cannot be a file name" in r.stderr


def test_a_used_policy_that_is_a_folder_or_not_text_is_reported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "bad.policy").write_bytes(b'policy "\xff"\n')
    for target in ("sub", "bad.policy", ""):
        policy = tmp_path / "q.policy"
        policy.write_text(H + f'uses "{target}"\ninput pay : money\noutput pay\n', encoding="utf-8")
        assert [d.code for d in attain.check(policy)] == ["C250"], target


def test_the_used_policys_own_errors_are_left_to_its_own_check(tmp_path):
    (tmp_path / "monthly.policy").write_text(H + "input sales : money\npay = sales +\n", encoding="utf-8")
    policy = tmp_path / "q.policy"
    policy.write_text(H + 'uses "monthly.policy"\ninput pay : money\noutput pay\n', encoding="utf-8")
    assert list(attain.check(policy)) == []
    assert [d.code for d in attain.check(tmp_path / "monthly.policy")] == ["P104"]


def test_library_policies_check_clean():
    root = Path(__file__).resolve().parents[2] / "policies"
    for path in sorted(root.rglob("*.policy")):
        if "as-written" not in path.name:
            assert [d.code for d in attain.check(path) if d.is_error] == [], path


def test_diff_names_a_change_of_how_a_percent_column_is_written():
    from attain.diff.changes import policy_changes

    old = parse(H + "input r : percent\noutput r\n", "old.policy")
    new = parse(H + "input r : percent written as points\noutput r\n", "new.policy")
    assert [c.text for c in policy_changes(old, new)] == ["r: written as points added"]
