"""Every data, evaluation and usage diagnostic a user can reach reads in Chinese, from the one catalogue.

Each code's input in `test_codes.CATALOGUE` is run again, in a Chinese locale, while every
`Diagnostic` made on the way is recorded. Each recorded diagnostic of the stages that are
translated must have been said through `attain.i18n.messages.say` (a message written as a
bare English string has no Chinese), and its Chinese rendering, once the names and values
in its fields are set aside, must hold no English word but the language's own keywords
(in backticks), options, file kinds and program names.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_codes import CATALOGUE

import attain.diagnostics
from attain.cli import main
from attain.codes import CODES
from attain.diagnostics import Diagnostic, render
from attain.i18n import Catalogue
from attain.i18n.messages import MESSAGES, Joined, Number, Text, localize, say

ROOT = Path(__file__).resolve().parents[1]

# The stages whose every message has Chinese; the others' messages are English still.
TRANSLATED = ("P", "C", "D", "E", "U", "T")

# Words that stay as they are in Chinese text: file kinds, programs, placeholders in commands.
KEPT = {
    "CSV", "UTF", "GB", "GBK", "YAML", "JSON", "Excel", "NUL", "zip", "ISO", "PDF", "PNG", "HTML", "Chromium",
    "chromium", "Debian", "apt", "get", "install", "git", "init", "status", "log", "ls", "tree", "name", "only",
    "HEAD", "main", "PATH", "REV", "FILE", "FOLDER", "NAME", "VALUE", "ID", "YYYY", "MM", "DD", "RULE", "attain",
    "ATTAIN_DEBUG", "true", "false", "yes", "no", "en", "zh", "Windows", "xlsx", "svg", "html", "csv", "json",
    "yaml", "yml", "xls", "duckdb", "SQL", "Spark", "Java", "Snowflake",
}


def skeleton(text: object) -> str:
    """The Chinese of a message with every name and value left out: what the catalogue itself says."""
    if isinstance(text, Text):
        return MESSAGES(text.key, "zh", **{k: skeleton(v) for k, v in text.fields.items()})
    if isinstance(text, Joined):
        return "、".join(skeleton(i) for i in text.items)
    return ""  # a name, a value, a cell, a Number: shown as it is


def english_words(chinese: str) -> list[str]:
    text = re.sub(r"`[^`]*`|'[^']*'", "", chinese)  # the policy language's own words; names, quoted
    text = re.sub(r"--[a-z-]+|\S*[./@~][\w./@~-]*", "", text)  # options, file names, paths, revisions
    return [w for w in re.findall(r"[A-Za-z_]{2,}", text) if w not in KEPT]


def test_the_catalogue_says_nothing_in_english_in_chinese():
    blank = {key: re.sub(r"\{[^}]*\}", "", MESSAGES.template(key, "zh")) for key in MESSAGES.keys()}
    assert {k: english_words(text) for k, text in blank.items() if english_words(text)} == {}


def test_every_key_the_code_says_is_in_the_catalogue():
    asked = set()
    for path in (ROOT / "attain").rglob("*.py"):
        asked |= set(re.findall(r'say\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert len(asked) > 100, "the pattern is out of date"
    assert sorted(asked - set(MESSAGES.keys())) == []


def test_a_language_missing_or_fields_that_differ_are_refused():
    with pytest.raises(ValueError, match="has no text in zh"):
        Catalogue({"k": {"en": "a {x}"}})
    with pytest.raises(ValueError, match="different fields"):
        Catalogue({"k": {"en": "a {x}", "zh": "甲 {y}"}})


def test_a_message_is_its_english_and_says_its_chinese_with_numbers_grouped():
    text = say("D418", rule=say("rule.sum"), name="s", who="A", period="2023Q1", value=Number("12345678.5"),
               low="0", high="10")
    assert text == "the sum of 's' for A in 2023Q1 is 12345678.5, outside its range 0 .. 10"
    assert localize(text, "zh") == "A 在 2023Q1 的 's' 总和为 12,345,678.5，超出其范围 0 .. 10"
    assert localize(text, "en") == str(text)


# Codes made in a child process (standard output on a full disk), whose Diagnostic this process never sees:
# their Chinese is read from the child's standard error below.
IN_A_CHILD = {"U508"}


@pytest.mark.parametrize("code", sorted(c for c in CATALOGUE if c.startswith(TRANSLATED) and c not in IN_A_CHILD))
def test_every_reachable_message_reads_in_chinese(code, tmp_path, monkeypatch):
    made: list[Diagnostic] = []
    check = Diagnostic.__attrs_post_init__

    def record(self):
        check(self)
        made.append(self)

    monkeypatch.setattr(attain.diagnostics.Diagnostic, "__attrs_post_init__", record)
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the command line follows the locale
    monkeypatch.chdir(tmp_path)
    CATALOGUE[code](tmp_path, monkeypatch)
    ours = [d for d in made if d.code == code]
    assert ours, f"{code} was not made in this process: add it to IN_A_CHILD and read its Chinese from the child"
    for d in ours:
        # A message and its hint are sentences, so they come from the catalogue; a label or a note may
        # also be a bare value (the column a caret points at, "9,500%").
        assert isinstance(d.message, Text), f"{code}: message not from the catalogue: {d.message!r}"
        assert d.hint == "" or isinstance(d.hint, (Text, Joined)), f"{code}: hint not from the catalogue: {d.hint!r}"
        for part in (d.message, d.hint, d.label, *(n.text for n in d.notes)):
            assert english_words(skeleton(part)) == [], (code, localize(part, "zh"))
        said = render(d, lang="zh")
        assert said.startswith(("错误[", "警告[")), said


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_standard_output_on_a_full_disk_is_said_in_chinese(tmp_path):
    (tmp_path / "p.policy").write_text('policy "p"\ninput sales : money\noutput sales\n', encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,sales\nA,1\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "attain.cli", "run", "p.policy", "--data", "d.csv"], cwd=tmp_path,
                           stdout=full, stderr=subprocess.PIPE, text=True,
                           env=dict(env, LANG="zh_CN.UTF-8", PYTHONPATH=str(Path(__file__).resolve().parents[1])))
    assert p.returncode == 2, p.stderr
    first = p.stderr.splitlines()[0]
    # The sentence is attain's, in Chinese; after its colon comes the system's own reason (strerror), as given.
    assert first.startswith("错误[U508]: 无法把结果写到标准输出："), first


def test_the_command_line_speaks_the_language_asked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.policy").write_text('policy "p"\ninput sales : money\noutput sales\n', encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,sales\nA,12x\n", encoding="utf-8")
    english = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
    r = CliRunner(env=english).invoke(main, ["--lang", "zh", "run", "p.policy", "--data", "d.csv"])
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == "错误[D413]: 应为金额，实为“12x”"
    r = CliRunner(env={**english, "LANG": "zh_CN.UTF-8"}).invoke(main, ["run", "p.policy", "--data", "d.csv"])
    assert r.stderr.splitlines()[0] == "错误[D413]: 应为金额，实为“12x”"
    r = CliRunner(env={**english, "LANG": "zh_CN.UTF-8"}).invoke(main, ["--lang", "en", "run", "p.policy",
                                                                        "--data", "d.csv"])
    assert r.stderr.splitlines()[0] == 'error[D413]: expected money, got "12x"'
    r = CliRunner(env=english).invoke(main, ["--lang", "fr", "run", "p.policy", "--data", "d.csv"])
    assert r.exit_code == 2 and "unknown language 'fr'" in r.stderr


def test_every_code_has_a_chinese_title_and_meaning():
    from attain.codes.zh import ZH

    assert sorted(set(CODES) - set(ZH)) == [], "give these codes a Chinese title and meaning in attain/codes/zh.py"
    assert sorted(set(ZH) - set(CODES)) == []
    for code, (title, meaning) in ZH.items():
        for text in (title, meaning):
            assert text.strip() == text and "|" not in text and "\n" not in text, code
        assert meaning.endswith("。"), code


def test_docs_errors_zh_md_is_generated_from_the_registry():
    from attain.codes import markdown

    committed = (ROOT / "docs" / "errors.zh.md").read_text(encoding="utf-8")
    assert committed == markdown("zh"), "docs/errors.zh.md is out of date: run " \
                                        "python3 -m attain.codes --lang zh > docs/errors.zh.md"


def test_a_key_is_in_one_module_of_the_catalogue_only():
    from attain.i18n import said_check, said_data, said_parse, said_run, said_tables, said_tests

    parts = [said_parse.PARSE, said_check.CHECK, said_tables.TABLES, said_data.DATA, said_run.RUN, said_tests.TESTS]
    seen: dict[str, int] = {}
    for part in parts:
        for key in part:
            seen[key] = seen.get(key, 0) + 1
    assert sorted(k for k, n in seen.items() if n > 1) == []


def test_json_keeps_english_keys_and_says_the_texts_in_chinese(tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.policy").write_text('policy "p"\ninput a : money\nx = a + 5%\noutput x\n', encoding="utf-8")
    english = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
    r = CliRunner(env=english).invoke(main, ["--lang", "zh", "check", "p.policy", "--format", "json"])
    assert r.exit_code == 1
    [d] = json.loads(r.stdout)["diagnostics"]
    assert (d["code"], d["message"], d["label"], d["hint"]) == (
        "C206", "不能把百分比和金额相加", "单位不匹配", "金额的百分之几写成乘法，如 `sales * 3%`")
    r = CliRunner(env=english).invoke(main, ["check", "p.policy", "--format", "json"])
    [d] = json.loads(r.stdout)["diagnostics"]
    assert d["message"] == "cannot add a percent and money"


def test_numbers_in_chinese_messages_are_grouped_with_the_same_digits(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.policy").write_text('policy "p"\ninput a : number\nrefuse "a is at most 20" when a > 20\n'
                                       "output a\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,a\nA,1234567.125\n", encoding="utf-8")
    english = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
    r = CliRunner(env=english).invoke(main, ["--lang", "zh", "run", "p.policy", "--data", "d.csv"])
    assert r.stderr.splitlines()[0] == ("错误[E308]: 对 A：方案拒绝这一行：a is at most 20（a > 20，其中 a = "
                                        "1,234,567.125）")
    r = CliRunner(env=english).invoke(main, ["run", "p.policy", "--data", "d.csv"])
    assert r.stderr.splitlines()[0] == ("error[E308]: for A, the policy refuses the row: a is at most 20 "
                                        "(a > 20, with a = 1234567.125)")


def _bare(node) -> bool:
    """A sentence written in place: a string literal, an f-string, or either joined with +."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _bare(node.left) or _bare(node.right)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    return False


def test_no_message_or_hint_is_written_in_place():
    """Beyond the inputs that reach each code: nowhere in attain is a diagnostic's message or hint a bare string.

    The calls that make diagnostics (`Diagnostic(code, message, ...)` and the stages' helpers `error`,
    `warning`, `problem`, `_problem`, `_error`, `_usage`) take their message and hint from `say`; a
    label may be a value (the column a caret points at).
    """
    import ast

    makers = {"Diagnostic", "error", "warning", "problem", "_problem", "_error", "_usage"}
    found = []
    for path in sorted((ROOT / "attain").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name not in makers:
                continue
            parts = node.args[1:2] + [k.value for k in node.keywords if k.arg in ("message", "hint")]
            found += [f"{path.relative_to(ROOT)}:{p.lineno}" for p in parts if _bare(p)]
    assert found == []


def test_attain_test_says_a_test_files_problems_in_the_language_asked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.policy").write_text('policy "p"\ninput sales : money\noutput sales\n', encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text("policy: p.policy\ncases:\n  - name: a\n    expect: {A: {sales: 1}}\n",
                                          encoding="utf-8")
    english = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
    r = CliRunner(env=english).invoke(main, ["--lang", "zh", "test", "t.test.yaml"])
    assert r.exit_code == 1
    assert "错误[T606]: 用例 'a'有 `expect` 却没有输入" in r.stdout
    r = CliRunner(env=english).invoke(main, ["test", "t.test.yaml"])
    assert "error[T606]: case 'a' has `expect` but no input" in r.stdout


def test_every_key_the_code_makes_from_parts_is_in_the_catalogue():
    """Keys built at run time (`say(f"ty.{t}")`): every part they can be built from has an entry."""
    kinds = ("money", "percent", "number", "count", "bool", "text", "date", "tier", "error")
    families = {
        "art": kinds, "ty": kinds, "cell": ("money", "number", "count", "percent", "bool", "date"),
        "type": ("money", "number", "count", "percent"), "rule": ("sum", "mean", "min", "max"),
        "period": ("month", "quarter", "half", "year", "week"), "unit": ("line", "row"),
        "month": tuple(str(m) for m in range(1, 13)), "D401": ("utf8", "either"),
        "C215": ("band", "lookup", "tier_table"), "C262": ("input", "value", "tier"),
        "range": ("from_up_to", "from_below", "above_up_to", "above_below"),
        "n": ("value", "values", "column", "columns", "more_cell", "more_cells", "policy", "policies", "error",
              "errors", "warning", "warnings"),
    }
    missing = [f"{family}.{part}" for family, parts in families.items() for part in parts
               if f"{family}.{part}" not in MESSAGES]
    assert missing == []


def test_the_summaries_of_check_and_fmt_in_chinese(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.policy").write_text('policy "p"\ninput   a : money\ninput b : money\noutput a\n', encoding="utf-8")
    english = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
    r = CliRunner(env=english).invoke(main, ["--lang", "zh", "check", "p.policy"])
    assert r.stderr.splitlines()[-1] == "已检查 1 个方案：0 个错误，1 个警告"
    r = CliRunner(env=english).invoke(main, ["--lang", "zh", "fmt", "--check", "p.policy"])
    assert r.exit_code == 1
    assert r.stderr.splitlines() == ["将重新排版 p.policy", "1 个将重新排版，0 个未改动"]
    r = CliRunner(env=english).invoke(main, ["fmt", "--check", "p.policy"])
    assert r.stderr.splitlines() == ["would reformat p.policy", "1 would be reformatted, 0 unchanged"]
