"""Explanations in Chinese: golden explanations of library policies, and a scan that no English frame word is left.

Every word an explanation adds (where an input came from, "see above", yes/no, the notes under each
value, a measure's lines) is said through the catalogue (attain/i18n/said_explain.py); names,
formulas as written, cells and numbers are shown as they are. The golden files were read line by
line for natural Chinese; the English explanations of the same policies stay byte-identical (the
English golden files beside these).
"""

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from library_samples import FIXED, ROOT, data_args, ident, sample_data, sample_of  # noqa: E402

LIBRARY = ROOT / "policies"
GOLDEN = Path(__file__).parent / "golden"

# (golden name, policy, employee, period): tiers and bands (doc002), a group value (doc002 top 5),
# history (case6), true-up and draw accumulation over the plan year, split-credit lines, manager override.
CASES = [
    ("doc002-S002", "doc002/incentive.policy", "S002", None),
    ("doc002-top5-E01", "doc002/incentive-top5.policy", "E01", None),
    ("case6-Z01", "case6/score.policy", "Z01", None),
    ("true-up-A", "true-up/commission.policy", "A", None),
    ("draw-A", "draw/draw.policy", "A", None),
    ("split-credit-R1", "split-credit/commission.policy", "R1", None),
    ("manager-override-V1", "manager-override/override.policy", "V1", None),
]


def _explain(policy: str, who: str, period):
    path = LIBRARY / policy
    return attain.load(path).explain(sample_data(path), who=who, period=period)


@pytest.mark.parametrize(("name", "policy", "who", "period"), CASES, ids=[c[0] for c in CASES])
def test_a_chinese_explanation_golden(golden, name, policy, who, period):
    text = _explain(policy, who, period).text(lang="zh").replace(str(LIBRARY), "policies")
    golden(GOLDEN / f"explain-zh-{name}.txt", text)


@pytest.mark.parametrize("name", ["split-credit-R1", "manager-override-V1"])
def test_a_chinese_explanation_as_json_golden(golden, name):
    _, policy, who, period = next(c for c in CASES if c[0] == name)
    text = _explain(policy, who, period).json(lang="zh").replace(str(LIBRARY), "policies")
    golden(GOLDEN / f"explain-zh-{name}.json", text)


def test_english_stays_the_default_and_the_keys_stay_english():
    found = _explain("doc002/incentive.policy", "S002", None)
    assert found.text() == found.text(lang="en")
    assert found.json() == found.json(lang="en")
    zh, en = json.loads(found.json(lang="zh")), json.loads(found.json())
    assert _keys(zh) == _keys(en)
    # The exact values are the same text in both languages; only the words change.
    assert _values(zh) == _values(en)
    bonus = next(v for v in zh["values"] if v["name"] == "bonus_total")
    assert bonus["value"] == "4760.00" and bonus["shown"] == "4,760.00"  # doc002's worked example for S002


def _keys(node) -> list:
    if isinstance(node, dict):
        return [(k, _keys(v)) for k, v in node.items()]
    if isinstance(node, list):
        return [_keys(v) for v in node]
    return []


def _values(node) -> list:
    if isinstance(node, dict):
        return [node.get("value"), *(_values(v) for v in node.values())]
    if isinstance(node, list):
        return [_values(v) for v in node]
    return []


def test_the_command_line_chooses_the_language_as_every_command_does():
    policy = LIBRARY / "doc002" / "incentive.policy"
    args = ["explain", str(policy), "--data", str(LIBRARY / "doc002" / "sample.csv"), "--who", "S002",
            "--value", "bonus_total"]
    runner = CliRunner()
    english = runner.invoke(main, args, env={"LANG": "C", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""})
    by_option = runner.invoke(main, [*args, "--lang", "zh"])
    by_global = runner.invoke(main, ["--lang", "zh", *args])
    by_locale = runner.invoke(main, args, env={"LC_ALL": "zh_CN.UTF-8"})
    back = runner.invoke(main, [*args, "--lang", "en"], env={"LC_ALL": "zh_CN.UTF-8"})
    assert english.exit_code == by_option.exit_code == by_global.exit_code == by_locale.exit_code == 0
    assert "(from " in english.output and "（来自 " in by_option.output
    assert by_option.output == by_global.output == by_locale.output != english.output
    assert back.output == english.output
    as_json = runner.invoke(main, [*args, "--lang", "zh", "--format", "json"])
    assert json.loads(as_json.output)["values"][0]["children"][0]["shown"] == "4,760"


def test_a_misspelt_language_is_a_usage_error():
    result = CliRunner().invoke(main, ["explain", str(LIBRARY / "doc002" / "incentive.policy"), "--data",
                                       str(LIBRARY / "doc002" / "sample.csv"), "--who", "S002", "--lang", "klingon"])
    assert result.exit_code == 2
    assert "klingon" in result.output and "Traceback" not in result.output


# English words of the frame and notes (attain/i18n/said_explain.py and the notes' other entries): none
# may remain in a Chinese explanation once the formulas as written, quoted data and names are left out.
FRAME_WORDS = re.compile(
    r"\b(from|input|default|see above|yes|no|missing|days?|months?|matched|did not match|is false|column|"
    r"kept|left out|lines? of|so nothing|holds|before|variant|falls in|whole amount|runs from|still employed|"
    r"between the points|curve of|cell|line|prorated|rounded|version|earlier|in a row|employees?|group|over|"
    r"reports? (of|below)|level \d|more|plan year|first period|last period|starts|none|value after)\b")


def frame_words_left(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        line = re.sub(r"\s+\[[^\]]*:\d+\]$", "", line) if line.rstrip().endswith("]") else line
        if re.match(r"^\s+\S.*$", line) and not re.search(r"[=·（]", line):
            continue  # a formula as written (the line under a value, before its policy line)
        line = re.sub(r'"[^"]*"|`[^`]*`|\'[^\']*\'', "", line)  # data text, rows and tiers as written
        line = re.sub(r"[A-Za-z_][\w.]*\([^（）]*?\)(?= =|：|，|$)", "", line)  # calls as written
        line = re.sub(r"\b[A-Za-z_]\w*\b(?= = | >| <|\)|,|、|$)", "", line)  # names
        found += [m[0] for m in FRAME_WORDS.finditer(line)]
    return found


@pytest.mark.parametrize("policy", FIXED, ids=ident)
def test_no_english_frame_word_is_left_in_a_chinese_explanation(policy):
    with open(sample_of(policy), encoding="utf-8-sig") as f:
        first = f.read().splitlines()[1].split(",")[0]
    found = attain.load(policy).explain(sample_data(policy), who=first)
    zh = found.text(lang="zh")
    assert frame_words_left(zh) == [], zh
    # The scan does see the English frame: every library explanation in English has some of its words.
    assert frame_words_left(found.text()) != []
    notes = [n for n in _notes(json.loads(found.json(lang="zh")))]
    assert [w for n in notes for w in frame_words_left("· " + n)] == [], notes


def _notes(node):
    if isinstance(node, dict):
        yield from node.get("notes", [])
        if node.get("kind") == "line":
            yield node["note"]
        for v in node.get("children", []):
            yield from _notes(v)
        for v in node.get("values", []) if isinstance(node.get("values"), list) else []:
            yield from _notes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _notes(v)


def test_the_cli_explains_every_library_policy_in_chinese():
    # One run per folder through the command line, as a user would (and a folder of versions, too).
    runner = CliRunner()
    for folder in ("doc002/incentive.policy", "split-credit/commission.policy"):
        path = LIBRARY / folder
        first = sample_of(path).read_text(encoding="utf-8-sig").splitlines()[1].split(",")[0]
        result = runner.invoke(main, ["explain", str(path), *data_args(path), "--who", first, "--lang", "zh"])
        assert result.exit_code == 0, result.output
        assert "（来自 " in result.output or "（见上文）" in result.output


def test_a_period_prorated_between_versions_in_chinese():
    # July 2023 of case1-2023: 14 days at the old point value (pay 6,450.00), 17 at the new (7,540.00):
    # (6,450.00 × 14 + 7,540.00 × 17) / 31 = 218,480 / 31 = 7,047.7419..., rounded to 0.01: 7,047.74.
    args = ["explain", str(LIBRARY / "case1-2023"), "--data", str(LIBRARY / "case1-2023" / "sample.csv"),
            "--who", "E001", "--period", "2023-07"]
    zh = CliRunner().invoke(main, [*args, "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    lines = zh.output.replace(str(LIBRARY), "policies").splitlines()
    at = lines.index("pay = 7,047.74")
    assert lines[at + 1] == ("    按天数折算：(6,450.00 × 14 + 7,540.00 × 17) / 31 天，舍入到 0.01   "
                             "[policies/case1-2023/pay-2023-07.policy:11]")
    assert "E001 · 2023-07 · 版本 2023.1（policies/case1-2023/pay-2023-01.policy，共 31 天中的 14 天）" in lines
    en = CliRunner().invoke(main, [*args, "--lang", "en"]).output
    assert "    prorated by days: (6,450.00 × 14 + 7,540.00 × 17) / 31 days, rounded to 0.01   [" in en
    assert frame_words_left(zh.output) == []
