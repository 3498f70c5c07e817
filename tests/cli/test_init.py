"""attain init: the starter policy, data and test it writes pass check, run and test as written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from attain.cli import main


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result


# Worked in the test file's comments: 124% -> 100 and 1.5 -> 15,000; 105% -> 80 and 1.2 -> 7,680, paid at 80%
# for collecting 85%: 6,144; 70% -> no bonus, and an improvement plan.
EXPECTED = {
    "zh": "编号,period,达成率,达成得分,等级,改进计划,应发奖金\n"
          "S001,2024Q1,1.24,100,卓越,false,15000.00\n"
          "S002,2024Q1,1.05,80,达标,false,6144.00\n"
          "S003,2024Q1,0.7,40,无,true,0.00\n",
    "en": "id,period,attainment,attainment_score,tier,improvement_plan,bonus_total\n"
          "S001,2024Q1,1.24,100,excellent,false,15000.00\n"
          "S002,2024Q1,1.05,80,on_target,false,6144.00\n"
          "S003,2024Q1,0.7,40,none,true,0.00\n",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_starter_checks_runs_and_passes_its_test(tmp_path, lang):
    folder = tmp_path / "start"
    r = invoke("init", str(folder), "--lang", lang)
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["sample.csv", "starter.policy", "starter.test.yaml"]
    assert "attain check starter.policy" in r.stderr and r.stdout == ""
    policy, data = str(folder / "starter.policy"), str(folder / "sample.csv")
    r = invoke("check", policy)
    assert r.exit_code == 0 and "0 errors, 0 warnings" in r.stderr
    r = invoke("run", policy, "--data", data, "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == EXPECTED[lang]
    r = invoke("test", str(folder))
    assert r.exit_code == 0, r.stdout
    assert "1 passed, 0 failed" in r.stdout
    assert invoke("fmt", "--check", policy).exit_code == 0


def test_init_overwrites_nothing(tmp_path):
    (tmp_path / "sample.csv").write_text("mine", encoding="utf-8")
    r = invoke("init", str(tmp_path), "--lang", "en")
    assert r.exit_code == 2
    assert "error[U567]" in r.stderr and "sample.csv" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["sample.csv"]
    assert (tmp_path / "sample.csv").read_text(encoding="utf-8") == "mine"


def test_init_into_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("", encoding="utf-8")
    r = invoke("init", str(tmp_path / "f"))
    assert r.exit_code == 2 and "error[U505]" in r.stderr
