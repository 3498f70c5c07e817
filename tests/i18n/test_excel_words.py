"""The words on a workbook: every key the code asks for is in the catalogue, and the locale picks the language."""

import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from library_samples import ROOT

from attain.cli import main
from attain.i18n.excel import EXCEL


def test_every_key_asked_for_is_in_the_catalogue():
    asked = set()
    for path in (ROOT / "attain").rglob("*.py"):
        asked |= set(re.findall(r'EXCEL\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert asked, "no key found: the pattern is out of date"
    assert sorted(asked - set(EXCEL.keys())) == []


def test_the_locale_chooses_the_words_of_a_workbook(tmp_path):
    out = tmp_path / "r.xlsx"
    policy, data = ROOT / "policies/doc002/incentive.policy", ROOT / "policies/doc002/sample.csv"
    unset = {"LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
    for lang, total in (("zh_CN.UTF-8", "合计"), ("en_US.UTF-8", "Total")):
        r = CliRunner(env={**unset, "LANG": lang}).invoke(main, ["run", str(policy), "--data", str(data),
                                                                 "--out", str(out)])
        assert r.exit_code == 0, r.stderr
        ws = openpyxl.load_workbook(Path(out))["results"]
        assert ws["A5"].value == total
