"""Characters: a policy that is not UTF-8 (GBK, as Chinese Windows saves it) is refused at its first bad byte,
never read as U+FFFD (check, fmt of a file and fmt of standard input alike); control characters from the data
never reach the terminal."""

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main

# 销售额 in GBK: the bytes CF FA CA DB B6 EE; line 2, column 7 is where the name starts.
GBK = 'policy "gbk"\ninput 销售额 : money\noutput 销售额\n'.encode("gbk")


def invoke(*args, input=None):
    r = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in r.output + r.stderr
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def test_check_names_the_line_and_column_and_says_save_it_as_utf8(tmp_path):
    path = tmp_path / "p.policy"
    path.write_bytes(GBK)
    r = invoke("check", str(path))
    assert r.exit_code == 2
    assert f"error[U502]: policy file '{path}' is not UTF-8 text: byte 0xCF at line 2, column 7" in r.stderr
    assert f"--> {path}:2:7" in r.stderr
    assert "2 | input 销售额 : money" in r.stderr  # the line as GBK reads it
    assert "GBK" in r.stderr and "save it as UTF-8" in r.stderr


def test_the_api_gives_the_position_too(tmp_path):
    path = tmp_path / "p.policy"
    path.write_bytes(b'policy "x"\n# caf\xe9!\n')  # Latin-1: not GBK either
    (d,) = attain.check(path)
    assert (d.code, d.span.line, d.span.col) == ("U502", 2, 6)
    assert "GBK" not in d.hint and "save it as UTF-8" in d.hint
    with pytest.raises(attain.AttainError) as e:
        attain.load(path)
    assert e.value.diagnostics[0].span.line == 2


def test_fmt_of_stdin_refuses_gbk_and_writes_nothing():
    r = invoke("fmt", "-", input=GBK)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "\ufffd" not in r.output
    assert "error[U502]: policy text '<stdin>' is not UTF-8 text: byte 0xCF at line 2, column 7" in r.stderr
    assert invoke("fmt", "--check", "-", input=GBK).exit_code == 2


def test_fmt_of_stdin_still_formats_utf8():
    r = invoke("fmt", "-", input='policy "x"\ninput 销售额   : money\n'.encode())
    assert r.exit_code == 0
    assert r.stdout_bytes == 'policy "x"\n\ninput 销售额 : money\n'.encode()


def test_fmt_of_a_file_leaves_a_gbk_file_as_it_is(tmp_path):
    path = tmp_path / "p.policy"
    path.write_bytes(GBK)
    r = invoke("fmt", str(path))
    assert r.exit_code == 2
    assert "error[U502]" in r.stderr and f"--> {path}:2:7" in r.stderr
    assert path.read_bytes() == GBK


def test_control_characters_from_the_data_never_reach_the_terminal_in_an_explanation(tmp_path):
    policy = tmp_path / "p.policy"
    policy.write_text('policy "x"\ninput r : text\nk = lookup r\n    "x" -> 1\n    else -> 2\noutput k\n',
                      encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text('id,r\nx,"\x1b]0;title\x07\x1b[31mred"\n', encoding="utf-8")
    r = invoke("explain", str(policy), "--data", str(data), "--who", "x")
    assert r.exit_code == 0
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert 'r = "\\x1b]0;title\\x07\\x1b[31mred"' in r.stdout  # escaped, as the table of `attain run` shows it
