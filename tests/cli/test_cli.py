"""The command line: exit codes, stdout for results, stderr for messages, and never a traceback."""

import json
from pathlib import Path

from click.testing import CliRunner

from attain.cli import main

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "policies/doc002/incentive.policy")
DATA = str(ROOT / "policies/doc002/sample.csv")


def invoke(*args, input=None):
    result = CliRunner().invoke(main, list(args), input=input)
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_check_clean_policy():
    r = invoke("check", POLICY)
    assert r.exit_code == 0
    assert r.stdout == ""
    assert "1 policy checked: 0 errors, 0 warnings" in r.stderr


def test_check_reports_errors_with_carets(tmp_path):
    bad = tmp_path / "bad.policy"
    bad.write_text('policy "x"\ninput a : percent\ns = band a\n    >= 100% -> 1\n    below 80% -> 0\noutput s\n',
                   encoding="utf-8")
    r = invoke("check", str(bad))
    assert r.exit_code == 1
    assert "error[C216]: band leaves 80% to 100% uncovered" in r.stderr
    assert f"--> {bad}:3:5" in r.stderr
    assert "3 | s = band a" in r.stderr


def test_check_json_is_one_document(tmp_path):
    bad = tmp_path / "bad.policy"
    bad.write_text('policy "x"\ninput a : money\nb = a + 5%\noutput b\n', encoding="utf-8")
    r = invoke("check", "--format", "json", str(bad))
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["schema"] == 1
    assert [(d["code"], d["span"]["line"]) for d in doc["diagnostics"]] == [("C206", 3)]


def test_check_syntax_error_and_missing_file(tmp_path):
    bad = tmp_path / "syntax.policy"
    bad.write_text('policy "x"\ninput a : number\nb = band a\n    >= 1 100\n', encoding="utf-8")
    r = invoke("check", str(bad))
    assert r.exit_code == 1
    assert "error[P101]" in r.stderr
    r = invoke("check", str(tmp_path / "nope.policy"))
    assert r.exit_code == 2
    assert "does not exist" in r.stderr


def test_run_writes_csv_to_stdout():
    r = invoke("run", POLICY, "--data", DATA)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "编号,improvement_plan,region,attainment,total_score,tier,commission_paid,bonus_total"
    assert lines[1] == "S001,false,华东,1.15,85,on_target,2250.00,10200.00"


def test_run_writes_json_file_by_extension(tmp_path):
    out = tmp_path / "results.json"
    r = invoke("run", POLICY, "--data", DATA, "--out", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["rows"][2]["bonus_total"] == "20000.00"
    assert doc["rows"][2]["tier"] == "excellent"


def test_bad_data_writes_nothing(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text(Path(DATA).read_text(encoding="utf-8").replace('"575,000"', '"57x,000"'), encoding="utf-8")
    out = tmp_path / "out.csv"
    r = invoke("run", POLICY, "--data", str(data), "--out", str(out))
    assert r.exit_code == 1
    # The cell's own characters: S001,张*,华东,"500,000", is 21 characters, so the cell starts at column 22
    # (it was column 5, the column's number, before carets went under the cell).
    assert f"{data}:2:22" in r.stderr
    assert '\n  |                         ^^^^^^^^^ 销售额实际\n' in r.stderr  # 张* and 华东 are two wide each
    assert 'expected money, got "57x,000"' in r.stderr
    assert not out.exists()


def test_run_refuses_a_policy_with_errors(tmp_path):
    bad = tmp_path / "bad.policy"
    bad.write_text('policy "x"\ninput a : money\npayout b = a + 5%\n', encoding="utf-8")
    r = invoke("run", str(bad), "--data", DATA)
    assert r.exit_code == 1
    assert "error[C206]" in r.stderr
    assert r.stdout == ""


def test_usage_errors_exit_2():
    assert invoke("run", POLICY).exit_code == 2  # --data missing
    assert invoke("run", POLICY, "--data", DATA, "--format", "xml").exit_code == 2
    r = invoke("run", POLICY, "--data", "/nonexistent/data.csv")
    assert r.exit_code == 2


def test_explain_text_and_json():
    r = invoke("explain", POLICY, "--data", DATA, "--who", "S003", "--value", "commission_paid")
    assert r.exit_code == 0
    assert r.stdout.startswith("S003\n")
    assert "commission_paid = 3,120.00" in r.stdout
    assert "above 520,000: 104,000 at 3% = 3,120" in r.stdout
    r = invoke("explain", POLICY, "--data", DATA, "--who", "S003", "--value", "tier", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["schema"] == 1 and doc["employee"] == "S003"
    (tier,) = doc["values"]
    assert tier["value"] == "excellent"
    assert tier["tier"]["results"]["coefficient"] == "2"
    assert tier["notes"][0].startswith("tier 'excellent' matched: attainment >= 120%")


def test_explain_unknown_employee_or_value():
    r = invoke("explain", POLICY, "--data", DATA, "--who", "S004")
    assert r.exit_code == 2
    assert "no employee 'S004'" in r.stderr
    r = invoke("explain", POLICY, "--data", DATA, "--who", "S001", "--value", "bonus")
    assert r.exit_code == 0
    r = invoke("explain", POLICY, "--data", DATA, "--who", "S001", "--value", "bonsu")
    assert r.exit_code == 2
    assert "did you mean 'bonus'?" in r.stderr


def test_reads_data_from_stdin():
    r = invoke("run", POLICY, "--data", "-", input=Path(DATA).read_text(encoding="utf-8"))
    assert r.exit_code == 0
    assert r.stdout.splitlines()[3].startswith("S003,")


def test_diff_reports_changed_band_and_impact(tmp_path):
    new = tmp_path / "new.policy"
    new.write_text(Path(POLICY).read_text(encoding="utf-8").replace("100% to 120% -> 80", "100% to 120% -> 85"),
                   encoding="utf-8")
    r = invoke("diff", POLICY, str(new), "--data", DATA)
    assert r.exit_code == 0
    assert "attainment_score: band row 100% to 120% now gives 85 instead of 80" in r.stdout
    # S001: total score 85 -> 87 (85 - 32 + 85 * 40%), bonus 10,000 * 1.2 * 87 / 100 = 10,440: +240
    assert "+240.00" in r.stdout
    doc = json.loads(invoke("diff", POLICY, str(new), "--data", DATA, "--format", "json").stdout)
    assert doc["schema"] == 1


def test_diff_of_a_git_revision_from_elsewhere(tmp_path, monkeypatch):
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    run = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    run("config", "user.email", "hr@example.com")
    run("config", "user.name", "HR")
    policy = repo / "x.policy"
    policy.write_text(Path(POLICY).read_text(encoding="utf-8"), encoding="utf-8")
    run("add", "x.policy")
    run("commit", "-qm", "v1")
    policy.write_text(policy.read_text(encoding="utf-8").replace(">= 95%     -> 100", ">= 95%     -> 95"),
                      encoding="utf-8")
    run("commit", "-qam", "v2")
    monkeypatch.chdir(tmp_path)
    r = invoke("diff", "repo/x.policy@HEAD~1", "repo/x.policy", "--data", DATA)
    assert r.exit_code == 0, r.stderr
    assert "collection_score: band row" in r.stdout
    r = invoke("diff", "repo/x.policy@nope", "repo/x.policy", "--data", DATA)
    assert r.exit_code == 2


def test_run_writes_a_manifest_beside_csv_and_inside_json(tmp_path):
    out = tmp_path / "results.csv"
    assert invoke("run", POLICY, "--data", DATA, "--out", str(out)).exit_code == 0
    manifest = json.loads((tmp_path / "results.manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "attain"
    assert manifest["data"]["path"] == DATA
    import hashlib

    assert manifest["data"]["sha256"] == hashlib.sha256(Path(DATA).read_bytes()).hexdigest()
    assert manifest["command"][:2] == ["attain", "run"]
    first = out.read_bytes()
    # the same inputs give byte-identical results
    assert invoke("run", POLICY, "--data", DATA, "--out", str(out)).exit_code == 0
    assert out.read_bytes() == first
    doc = json.loads(invoke("run", POLICY, "--data", DATA, "--format", "json").stdout)
    assert doc["manifest"]["policies"][0]["sha256"] == hashlib.sha256(Path(POLICY).read_bytes()).hexdigest()


def test_the_manifest_records_the_command_as_given(tmp_path):
    """Options left to their defaults are not listed; a flag is its switch alone (`--bom`, never `--bom True`)."""
    out = tmp_path / "results.csv"
    assert invoke("run", POLICY, "--data", DATA, "--out", str(out), "--bom", "--no-keep").exit_code == 0
    manifest = json.loads((tmp_path / "results.manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == ["attain", "run", POLICY, "--data", DATA, "--out", str(out), "--no-keep", "--bom"]


def test_excel_round_trip(tmp_path):
    import openpyxl

    xlsx = tmp_path / "data.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    import csv

    for record in csv.reader(Path(DATA).read_text(encoding="utf-8").splitlines()):
        ws.append(record)
    wb.save(xlsx)
    out = tmp_path / "results.xlsx"
    r = invoke("run", POLICY, "--data", str(xlsx), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    sheet = openpyxl.load_workbook(out)["results"]
    header = [c.value for c in sheet[1]]
    s003 = dict(zip(header, [c.value for c in sheet[4]]))
    # A workbook is for people: the tier's label (excellent "卓越奖" in the policy), and the name column kept.
    assert s003["编号"] == "S003" and s003["tier"] == "卓越奖" and s003["姓名"] == "王*"
    assert s003["bonus_total"] == 20000 and s003["commission_paid"] == 3120
    assert "manifest" in openpyxl.load_workbook(out).sheetnames
    r = invoke("run", POLICY, "--data", str(xlsx), "--out", str(out), "--headers", "names", "--no-keep")
    assert r.exit_code == 0, r.stderr
    sheet = openpyxl.load_workbook(out)["results"]
    s003 = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[4]]))
    assert s003["tier"] == "excellent" and "姓名" not in s003 and "improvement_plan" in s003


def test_fmt_check_and_rewrite(tmp_path):
    messy = tmp_path / "messy.policy"
    messy.write_text('policy "x"\ninput a : money   # sales\nb = band a\n    >= 10 -> 1\n    below 10 -> 0\n'
                     "output b\n", encoding="utf-8")
    r = invoke("fmt", "--check", str(tmp_path))
    assert r.exit_code == 1
    assert f"would reformat {messy}" in r.stderr
    r = invoke("fmt", str(messy))
    assert r.exit_code == 0
    text = messy.read_text(encoding="utf-8")
    assert "input a : money  # sales\n" in text
    assert "    >= 10    -> 1\n    below 10 -> 0\n" in text
    assert invoke("fmt", "--check", str(messy)).exit_code == 0
    r = invoke("fmt", "-", input=text)
    assert r.stdout == text


def test_policy_tests_pass_and_a_wrong_expectation_fails_readably(tmp_path):
    r = invoke("test", str(ROOT / "policies/doc002"))
    assert r.exit_code == 0
    assert r.stdout.rstrip().endswith("passed, 0 failed")
    suite = tmp_path / "wrong.test.yaml"
    suite.write_text(f"policy: {POLICY}\ncases:\n  - name: S001 paid too much\n    data: {DATA}\n"
                     "    expect:\n      S001:\n        bonus_total: \"10300.00\"\n", encoding="utf-8")
    r = invoke("test", str(suite))
    assert r.exit_code == 1
    assert "bonus_total: expected 10300.00, got 10200.00" in r.stdout
    assert "bonus_total = 10,200.00" in r.stdout  # the explanation of the differing value
    assert r.stdout.rstrip().endswith("0 passed, 1 failed")


def test_run_output_and_sidecar_are_written_together_or_not_at_all(tmp_path):
    out = tmp_path / "results.csv"
    sidecar = tmp_path / "results.manifest.json"
    out.write_text("old results\n", encoding="utf-8")
    sidecar.mkdir()  # a folder where the sidecar goes: the second rename fails
    r = invoke("run", POLICY, "--data", DATA, "--out", str(out))
    assert r.exit_code == 2 and r.stdout == ""
    assert "error[U505]: cannot write output file" in r.stderr and "results.manifest.json" in r.stderr
    # the results file was put back as it was, the folder is untouched, no temporary file is left
    assert out.read_text(encoding="utf-8") == "old results\n"
    assert sidecar.is_dir() and list(sidecar.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv", "results.manifest.json"]
    # with no old results file, none is left behind either
    out.unlink()
    assert invoke("run", POLICY, "--data", DATA, "--out", str(out)).exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.manifest.json"]


def test_run_keeps_both_old_files_when_the_second_rename_fails(tmp_path, monkeypatch):
    import os

    out = tmp_path / "results.csv"
    sidecar = tmp_path / "results.manifest.json"
    out.write_text("old results\n", encoding="utf-8")
    sidecar.write_text('{"old": true}\n', encoding="utf-8")
    real_replace = os.replace

    def failing_replace(src, dst, *args, **kwargs):
        if str(dst).endswith(".manifest.json"):
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_replace)
    r = invoke("run", POLICY, "--data", DATA, "--out", str(out))
    assert r.exit_code == 2, r.stderr
    assert "cannot write output file" in r.stderr and "results.manifest.json': Permission denied" in r.stderr
    assert out.read_text(encoding="utf-8") == "old results\n"
    assert sidecar.read_text(encoding="utf-8") == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv", "results.manifest.json"]
    # and when every rename works, both are new
    monkeypatch.setattr(os, "replace", real_replace)
    assert invoke("run", POLICY, "--data", DATA, "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("编号,")
    assert json.loads(sidecar.read_text(encoding="utf-8"))["command"][:2] == ["attain", "run"]


def test_diff_exit_code(tmp_path):
    new = tmp_path / "new.policy"
    new.write_text(Path(POLICY).read_text(encoding="utf-8").replace("100% to 120% -> 80", "100% to 120% -> 85"),
                   encoding="utf-8")
    # S001's total score and bonus change (85 -> 87, 10,200.00 -> 10,440.00): a difference
    r = invoke("diff", POLICY, str(new), "--data", DATA, "--exit-code")
    assert r.exit_code == 1 and "+240.00" in r.stdout and r.stderr == ""
    assert invoke("diff", POLICY, str(new), "--data", DATA).exit_code == 0  # without the flag: 0
    # the same results for everyone: 0, also when a definition changed without changing any result
    assert invoke("diff", POLICY, POLICY, "--data", DATA, "--exit-code").exit_code == 0
    r = invoke("diff", POLICY, str(new), "--data", DATA, "--exit-code", "--format", "json")
    assert r.exit_code == 1 and json.loads(r.stdout)["schema"] == 1
    # no one in the sample has 2 or more late plans (0, 1, 0): the row changes, no result does
    unused = tmp_path / "unused.policy"
    unused.write_text(Path(POLICY).read_text(encoding="utf-8").replace(">= 2 -> 50", ">= 2 -> 40"), encoding="utf-8")
    r = invoke("diff", POLICY, str(unused), "--data", DATA, "--exit-code")
    assert r.exit_code == 0 and "plan_score: band row" in r.stdout and "no employee's results change" in r.stdout


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path):
    # CliRunner's stderr is not a terminal, like a pipe or a log file: nothing but messages goes there
    r = invoke("run", POLICY, "--data", DATA, "--out", str(tmp_path / "r.csv"))
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    r = invoke("diff", POLICY, POLICY, "--data", DATA)
    assert r.exit_code == 0 and r.stderr == ""
    r = invoke("test", str(ROOT / "policies/doc002"))
    assert r.exit_code == 0 and "\r" not in r.stdout + r.stderr


class FakeTerminal:
    def __init__(self, tty=True):
        self.text, self.tty = "", tty

    def isatty(self):
        return self.tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_line_is_drawn_after_two_seconds_and_cleared():
    from attain.api import Progress
    from attain.cli.common import ProgressLine

    now = [100.0]
    term = FakeTerminal()
    with ProgressLine(term, clock=lambda: now[0]) as line:
        line.timer.cancel()  # the test moves the clock itself
        line(Progress("reading the data", 0, 0))
        now[0] += 1.9
        line(Progress("computing", 2048, 120000, None, 1, 1))
        assert term.text == ""  # a command done within 2 seconds shows nothing at all
        line._late()  # the timer, at 2 s: draws the latest report
        assert term.text == "\rattain: computing 2,048 of 120,000 rows\x1b[K"
        now[0] += 0.5
        line(Progress("computing", 4096, 120000, None, 1, 1))
        now[0] += 0.05
        line(Progress("computing", 6144, 120000, None, 1, 1))  # 0.05 s later, the same step: not redrawn
        line(Progress("computing", 8192, 120000, "2023-02", 2, 12))
        assert term.text.count("\r") == 2 and term.text.endswith("4,096 of 120,000 rows\x1b[K")
        line.show("attain: writing 120,000 rows...")  # a new step is drawn at once
        assert term.text.endswith("\rattain: writing 120,000 rows...\x1b[K")
    assert term.text.endswith("\r\x1b[K")  # cleared at the end
    # periods are shown when there are several
    now[0] += 10
    term = FakeTerminal()
    line = ProgressLine(term, clock=lambda: now[0] - 10)
    now[0] += 3
    line(Progress("computing", 8192, 120000, "2023-02", 2, 12))
    assert term.text == "\rattain: computing 8,192 of 120,000 rows, 2023-02 (2 of 12 periods)\x1b[K"
    # not a terminal: nothing, ever
    term = FakeTerminal(tty=False)
    with ProgressLine(term, clock=lambda: now[0] + 100) as line:
        assert line.timer is None
        line(Progress("computing", 1, 2, None, 1, 1))
        line.show("attain: writing")
    assert term.text == ""


def test_progress_line_never_wraps():
    from attain.cli.common import fit

    assert fit("attain: computing 华东.csv", 22) == "attain: computing 华东"  # 华 and 东 take two columns each
    assert fit("attain: computing 华东.csv", 21) == "attain: computing 华"
