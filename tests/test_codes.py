"""Diagnostic codes: each registered code is raised by a real input, each code in the source is registered.

CATALOGUE holds, for every code in `attain.codes.CODES`, one minimal input that
produces it through the public surface (`attain.check`, `attain.load`,
`Policy.run`, or the command line). A code registered without an entry here
fails `test_every_code_is_raised_by_its_input`.
"""

import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.codes import CODES, STAGES, markdown
from attain.diagnostics import AttainError, Diagnostic

ROOT = Path(__file__).resolve().parents[1]

Found = set[tuple[str, str]]  # (severity, code) of every diagnostic an input produced
Trigger = Callable[[Path, pytest.MonkeyPatch], Found]

H = 'policy "p"\n'
SALES = H + "input sales : money\noutput sales\n"
PERIODIC = H + "period month\ninput sales : money\noutput sales\n"
HISTORY = H + "period month\ninput sales : money\nlast = previous(sales, else 0)\noutput last\n"


# ---------------------------------------------------------------- ways in


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def found_in(diagnostics) -> Found:
    return {(d.severity, d.code) for d in diagnostics}


def warned(policy: str, data: str) -> Trigger:
    """`attain.load(policy).run(data)`, for the warnings a run gives about its data."""

    def trigger(tmp: Path, _mp) -> Found:
        write(tmp, {"p.policy": policy, "d.csv": data})
        return found_in(attain.load(tmp / "p.policy").run(tmp / "d.csv").warnings)

    return trigger


def checked(text: str | bytes) -> Trigger:
    """`attain.check` of a policy file: parse and check findings, warnings included."""

    def trigger(tmp: Path, _mp) -> Found:
        write(tmp, {"p.policy": text})
        return found_in(attain.check(tmp / "p.policy"))

    return trigger


def ran(policy: str, data: str | bytes | Callable[[Path], None] = "id,sales\nA,1\n", name: str = "d.csv",
        files: dict[str, str] | None = None) -> Trigger:
    """`attain.load(policy).run(data)`; `data` may be a function that writes the data file (Excel)."""

    def trigger(tmp: Path, _mp) -> Found:
        write(tmp, {"p.policy": policy, **(files or {})})
        if callable(data):
            data(tmp / name)
        else:
            write(tmp, {name: data})
        try:
            attain.load(tmp / "p.policy").run(tmp / name)
        except AttainError as e:
            return found_in(e.diagnostics)
        return set()

    return trigger


def cli(*args: str, files: dict[str, str | bytes] | None = None) -> Trigger:
    """The command line, run in the test's folder: exit 1 or 2 and no traceback."""

    def trigger(tmp: Path, _mp) -> Found:
        write(tmp, files or {})
        return run_cli(*args)

    return trigger


def run_cli(*args: str) -> Found:
    r = CliRunner().invoke(main, list(args))
    out = r.stdout + r.stderr
    assert "Traceback" not in out and r.exit_code in (1, 2), (r.exit_code, out, r.exception)
    return set(re.findall(r"\b(error|warning)\[([A-Z]\d{3})\]", out))


def a_test_file(text: str) -> Trigger:
    """`attain test` of one test file, next to the policy SALES as p.policy and data d.csv."""
    return cli("test", "t.test.yaml", files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n", "t.test.yaml": text})


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=folder, check=True, capture_output=True)


def in_repo(*args: str, committed: dict[str, str | bytes]) -> Trigger:
    """The command line in a fresh git repository whose one commit holds `committed`."""

    def trigger(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
        mp.setenv("GIT_CEILING_DIRECTORIES", str(tmp.parent))
        write(tmp, committed)
        git(tmp, "init", "-q")
        git(tmp, "add", ".")
        git(tmp, "commit", "-q", "-m", "one")
        return run_cli(*args)

    return trigger


def stdout_full(tmp: Path, _mp) -> Found:
    """`attain run` with standard output on a full disk (/dev/full)."""
    write(tmp, {"p.policy": SALES, "d.csv": "id,sales\nA,1\n"})
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "attain.cli", "run", "p.policy", "--data", "d.csv"], cwd=tmp,
                           stdout=full, stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert "Traceback" not in p.stderr and p.returncode == 2, p.stderr
    return set(re.findall(r"\b(error|warning)\[([A-Z]\d{3})\]", p.stderr))


def git_missing(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    mp.setenv("PATH", str(tmp / "no-bin"))
    write(tmp, {"p.policy": SALES, "d.csv": "id,sales\nA,1\n"})
    return run_cli("diff", "p.policy@HEAD", "p.policy", "--data", "d.csv")


def chromium_missing(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    mp.setenv("PATH", str(tmp / "no-bin"))
    write(tmp, {"p.policy": SALES})
    return run_cli("curve", "p.policy", "--vary", "sales", "--from", "0", "--to", "10", "--at", "sales=1",
                   "--out", "c.png")


def a_construct_duckdb_does_not_compile(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    """Every construct compiles today: the compiler is made to refuse `period_days` as it refuses a construct
    added to the language before it compiles it (attain.sql.compile_exprs.NotCompiled)."""
    from attain.i18n.messages import say
    from attain.sql.compile_dates import DateCompiler
    from attain.sql.compile_exprs import NotCompiled

    def refuse(self, e):
        raise NotCompiled(say("U569.word", name=e.name), e.span)

    mp.setattr(DateCompiler, "period_value", refuse)
    write(tmp, {"p.policy": H + "period month\ninput sales : money\ndays = period_days\noutput days\n",
                "d.csv": "id,period,sales\nA,2023-01,1\n"})
    return run_cli("run", "p.policy", "--data", "d.csv", "--engine", "duckdb")


def spark_without(what: str) -> Trigger:
    """`attain run --engine spark` where pyspark ("pyspark") or Java ("java") is missing, or the master is
    nothing Spark can start ("master")."""

    def trigger(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
        from attain.sql import spark_engine

        mp.setattr(spark_engine, "_SESSIONS", {})  # no session of this process's other tests
        if what == "pyspark":
            mp.setitem(sys.modules, "pyspark", None)  # importing it fails, as where it is not installed
        elif what == "java":
            mp.setenv("PATH", str(tmp / "no-bin"))
            mp.delenv("JAVA_HOME", raising=False)
        else:
            pytest.importorskip("pyspark")
            mp.setenv(spark_engine.MASTER_VARIABLE, "nowhere://attain")
        write(tmp, {"p.policy": SALES, "d.csv": "id,sales\nA,1\n"})
        return run_cli("run", "p.policy", "--data", "d.csv", "--engine", "spark")

    return trigger


def a_spark_table_nobody_has(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    """`--data table:NAME` naming no table of the session's catalog (a real local session: skipped only where
    pyspark or Java is missing, as the Spark tests are)."""
    from engine_choice import SPARK_ENGINES

    if "spark" not in SPARK_ENGINES:
        pytest.skip("pyspark or Java is not installed")
    write(tmp, {"p.policy": SALES})
    return run_cli("run", "p.policy", "--data", "table:no_such_table", "--engine", "spark")


def a_curve_over_a_large_group(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    from attain.present import curve

    mp.setattr(curve, "MAX_ROWS", 100)  # 3 rows in the group x 49 points is more
    write(tmp, {"p.policy": SALES.replace("output sales", "rank_ = rank(sales within everyone)\noutput rank_"),
                "d.csv": "id,sales\nA,1\nB,2\nC,3\n"})
    return run_cli("curve", "p.policy", "--vary", "sales", "--from", "0", "--to", "10", "--who", "A", "--data",
                   "d.csv", "--value", "rank_")


def git_outside_a_repository(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    mp.setenv("GIT_CEILING_DIRECTORIES", str(tmp.parent))  # git looks no further up than the test's folder
    write(tmp, {"p.policy": SALES, "d.csv": "id,sales\nA,1\n"})
    return run_cli("diff", "p.policy@HEAD", "p.policy", "--data", "d.csv")


def git_timing_out(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    # Waiting out the real timeout would take half a minute: git is made to time out at once.
    real = subprocess.run

    def run(command, *args, **kwargs):
        if command[0] == "git":
            raise subprocess.TimeoutExpired(command, kwargs.get("timeout") or 0)
        return real(command, *args, **kwargs)

    mp.setattr(subprocess, "run", run)
    write(tmp, {"p.policy": SALES, "d.csv": "id,sales\nA,1\n"})
    return run_cli("diff", "p.policy@HEAD", "p.policy", "--data", "d.csv")


def git_unrunnable(tmp: Path, mp: pytest.MonkeyPatch) -> Found:
    # A `git` on PATH that is not executable: starting it fails with a permission error.
    (tmp / "bin").mkdir()
    (tmp / "bin" / "git").write_text("", encoding="utf-8")
    os.chmod(tmp / "bin" / "git", stat.S_IRUSR | stat.S_IWUSR)
    mp.setenv("PATH", str(tmp / "bin"))
    write(tmp, {"p.policy": SALES, "d.csv": "id,sales\nA,1\n"})
    return run_cli("diff", "p.policy@HEAD", "p.policy", "--data", "d.csv")


def gbk_data(tmp: Path, _mp) -> Found:
    # A warning: the run succeeds, so the command exits 0 and says it on stderr.
    write(tmp, {"p.policy": H + "input region : text\noutput region\n", "d.csv": "id,region\nA,华东\n".encode("gbk")})
    r = CliRunner().invoke(main, ["run", "p.policy", "--data", "d.csv"])
    assert r.exit_code == 0 and "Traceback" not in r.stderr, r.stderr
    return set(re.findall(r"\b(error|warning)\[([A-Z]\d{3})\]", r.stderr))


def excel(**cells) -> Callable[[Path], None]:
    """A workbook with one sheet whose cells are given as A1="id", B2=5, ..."""

    def save(path: Path) -> None:
        wb = openpyxl.Workbook()
        for ref, value in cells.items():
            wb.active[ref] = value
        wb.save(path)

    return save


def versions(*texts: str) -> dict[str, str]:
    return {f"v/{i}.policy": text for i, text in enumerate(texts)}


# ---------------------------------------------------------------- the catalogue

CATALOGUE: dict[str, Trigger] = {
    # parse
    "P100": checked(H + "a = 1 $ 2\n"),
    "P101": checked(H + "input a : number\nb = band a\n    >= 1 100\n"),
    "P102": checked(H + "input a : number\nb a\n"),
    "P103": checked(H + "input a money\n"),
    "P104": checked(H + "input a : number\nb = a +\n"),
    "P105": checked(H + "input a : number\nb = band a\n>= 1 -> 2\n"),
    "P106": checked(H + "input a : number\nb = weighted\n    a 40\n"),
    "P107": checked("input a : money\n"),
    "P110": checked(H + "input a : number\nb = a * %\n"),
    "P111": checked(H + 'input a : text\nb = lookup a\n    "华东 -> 1\n    else -> 2\n'),
    "P112": checked(H + "input a : number\nb = band a\n\t>= 1 -> 1\n"),
    "P113": checked(H + "input a ： number\n"),
    "P114": checked(H + "input a : number\nb = band a\n    >= 1 -> 1\n  below 1 -> 0\n"),
    "P115": checked(H + "input hired : date\nnew = hired >= 2023-02-30\n"),
    "P116": checked(H + "period month ending day 2.5\n"),
    "C264": checked(H + "input a : number\nv0 = a\n" + "".join(f"v{i} = v{i - 1} + 1\n" for i in range(1, 4001))),
    "C266": checked(H + 'input a : number "甲"\nb "甲" = a\noutput b\n'),
    "P117": checked(H + "input a : number\nb = " + "(1 + " * 1001 + "a" + ")" * 1001 + "\n"),
    "P118": checked(H + "input a : number\nb = a * " + "9" * 301 + "\n"),
    "P119": checked(H + "input a : number\nb = (a + 1\noutput b\n"),
    # check
    "C201": checked(H + "input a : money\nx = a\nx = a * 2\noutput x\n"),
    "C202": checked(H + "input a : mony\noutput a\n"),
    "C203": checked(H + "input sales : money\nx = salse * 2\noutput x\n"),
    "C204": checked(H + "input a : number\nx = y + a\ny = x * 2\noutput x\n"),
    "C205": checked(H + "input a : money\nx = 1 if a else 2\noutput x\n"),
    "C206": checked(H + "input a : money\nx = a + 5%\noutput x\n"),
    "C207": checked(H + "input a : money\nx = a.coefficient\noutput x\n"),
    "C208": checked(H + "input a : money\nx = a / 0\noutput x\n"),
    "C209": checked(H + "input a : percent\nt = first match\n    high : a >= 100% -> coefficient 1\n"
                    '    low : otherwise -> coefficient 0\nx = 1 if t = "hihg" else 0\noutput x\n'),
    "C210": checked(H + "input a : number\nx = sqrt(a)\noutput x\n"),
    "C211": checked(H + "input a : number\nx = round(a)\noutput x\n"),
    "C212": checked(H + "input a : number\nx = round(a, 0)\noutput x\n"),
    "C213": checked(H + "input a : text\nx = band a\n    >= 1 -> 1\n    below 1 -> 0\noutput x\n"),
    "C214": checked(H + "input a : number\nx = band a\n    below 5 -> 0\n    5 to 1 -> 1\n    >= 5 -> 2\n"
                    "output x\n"),
    "C215": checked(H + "input a : number\nx = band a\n    otherwise -> 0\n    >= 1 -> 1\noutput x\n"),
    "C216": checked(H + "input a : percent\nx = band a\n    >= 100% -> 1\n    below 80% -> 0\noutput x\n"),
    "C217": checked(H + "input a : percent\nx = band a\n    >= 100% -> 2\n    90% to 110% -> 1\n"
                    "    below 90% -> 0\noutput x\n"),
    "C218": checked(H + "input a : number in 0 .. 5\nx = band a\n    >= 0 -> 1\n    above 6 -> 2\noutput x\n"),
    "C219": checked(H + "input a : number\nx = band a\n    >= 1 -> 1\n    below 1 -> 0\n    otherwise -> 2\n"
                    "output x\n"),
    "C220": checked(H + "input a : money\ninput b : money\noutput a\n"),
    "C221": checked(H + "input a : number\npayout x = a * 2\n"),
    "C222": checked(H + 'input a : number\nx = lookup a\n    "1" -> 1\n    else -> 0\noutput x\n'),
    "C223": checked(H + 'input r : text\nx = lookup r\n    "a" -> 1\n    "a" -> 2\n    else -> 0\noutput x\n'),
    "C224": checked(H + 'input r : text one of "a", "b"\nx = lookup r\n    "a" -> 1\n    "c" -> 2\n'
                    "    else -> 0\noutput x\n"),
    "C225": checked(H + 'input r : text\nx = lookup r\n    "a" -> 1\noutput x\n'),
    "C226": checked(H + "input a : number\ninput b : number\nx = weighted\n    a 40%\n    b 40%\noutput x\n"),
    "C227": checked(H + "input a : percent\nt = first match\n    high : a >= 100% -> coefficient 1\n"
                    "    low : otherwise\noutput t\n"),
    "C228": checked(H + "input a : percent\nt = first match\n    any : a >= 0% -> coefficient 1\n"
                    "    high : a >= 100% -> coefficient 2\n    low : otherwise -> coefficient 0\noutput t\n"),
    "C229": checked(H + "input a : percent\nt = first match\n    high : a >= 100% -> coefficient 1\noutput t\n"),
    "C230": checked(H + "period decade\ninput a : money\noutput a\n"),
    "C231": checked(H + "effective 2023-05-01\nuntil 2023-01-01\ninput a : money\noutput a\n"),
    "C232": checked(H + "input a : number in 5 .. 1\noutput a\n"),
    "C233": checked(H + 'input a : number one of "x"\noutput a\n'),
    "C234": checked(H + 'input a : money default "x"\noutput a\n'),
    "C235": checked(H + "input a : money\noutput a, a\n"),
    "C236": checked(H + 'input a : money\nx = "t" unless a > 0\noutput x\n'),
    "C240": checked(H + "period month\ninput a : money\nx = previous(a)\noutput x\n"),
    "C241": checked(H + 'input r : text one of "a", "b"\nvariants by r\n    "a":\n        x = 1\n        y = 2\n'
                    '    "b":\n        x = 3\noutput x, y\n'),
    "C242": checked(H + 'input n : number\nvariants by n\n    "a":\n        x = 1\n    else:\n        x = 2\n'
                    "output x\n"),
    "C243": checked(H + 'input r : text one of "a", "b"\nvariants by r\n    "a":\n        x = 1\noutput x\n'),
    "C244": checked(H + "input a : money\nx = previous(a, else 0)\noutput x\n"),
    "C245": checked(H + "period month\ninput a : money\nx = previous(a * 2, else 0)\noutput x\n"),
    "C246": checked(H + "input n : number\ninput s : money\nm = mean(s within n)\noutput m\n"),
    "C247": checked(H + "input g : text\ninput s : money\nm = rank(s within g except self)\noutput m\n"),
    "C248": checked(H + "input a : number default 1\nb = given(a)\noutput b\n"),
    "C249": checked(H + "period month\ninput a : money combine often\noutput a\n"),
    "C270": checked(H + "input hired : date\nx = days_employed(hired)\noutput x\n"),
    # rate tables and curves
    "C280": checked(H + 'input a : percent\ntable r from "nowhere.csv"\nx = r(a)\noutput x\n'),
    "C281": cli("check", "p.policy", files={
        "p.policy": H + 'input a : percent\ntable r from "r.csv"\nx = r(a)\noutput x\n',
        "r.csv": "attainment,rate\nbelow 50%,1%\nfrom 50%,lots\n"}),
    "C282": checked(H + "input a : percent\ntable r\n    below 50% -> 1% | 2%\n    from 50% -> 3%\nx = r(a)\n"
                    "output x\n"),
    "C283": checked(H + "input a : percent\nx = curve a\n    below 70% -> 0%\n    100% -> 100%\n    70% -> 0%\n"
                    "    above 100% -> 100%\noutput x\n"),
    "C284": checked(H + 'input a : percent\ntable r\n    "x" -> 1%\n    from 50% -> 3%\nx = r(a)\noutput x\n'),
    "C250": ran(H + 'uses "nowhere.policy"\ninput a : money\noutput a\n'),
    "C251": cli("run", "v", "--data", "d.csv",
                files={**versions(PERIODIC, PERIODIC), "d.csv": "id,period,sales\nA,2023-01,1\n"}),
    "C252": cli("run", "v", "--data", "d.csv",
                files={**versions(PERIODIC.replace("period month", "effective 2023-01-01\nperiod month"),
                                  PERIODIC.replace("period month", "effective 2024-01-01\nperiod year")),
                       "d.csv": "id,period,sales\nA,2023-01,1\n"}),
    "C253": checked(H + "version switch on the last day\ninput a : money\noutput a\n"),
    "C254": checked(H + 'version switch prorated by days\ninput a : money\nt = "x"\noutput a, t\n'),
    "C255": cli("run", "v", "--data", "d.csv",
                files={**versions(PERIODIC.replace("period month", "effective 2023-01-01\nperiod month\n"
                                                   "version switch on last day"),
                                  PERIODIC.replace("period month", "effective 2023-07-15\nperiod month\n"
                                                   "version switch prorated by days")),
                       "d.csv": "id,period,sales\nA,2023-01,1\n"}),
    "C256": cli("check", "v", files=versions(
        PERIODIC.replace("period month", "effective 2023-01-01\nuntil 2023-08-31\nperiod month"),
        PERIODIC.replace("period month", "effective 2023-07-15\nperiod month"))),
    "C257": cli("check", "v", files=versions(
        PERIODIC.replace("period month", "effective 2023-01-01\nuntil 2023-06-30\nperiod month"),
        PERIODIC.replace("period month", "effective 2023-07-15\nperiod month"))),
    "C258": cli("check", "v", files=versions(
        PERIODIC.replace("period month", 'effective 2023-01-01\nperiod month\ncurrency "CNY"'),
        PERIODIC.replace("period month", 'effective 2023-07-01\nperiod month\ncurrency "$"'))),
    "C260": checked(H + 'version "1"\nversion "2"\ninput a : money\noutput a\n'),
    "C261": checked(H + 'input r : text one of "a", "b"\nvariants by r\n    "a":\n        x = 1\n    "c":\n'
                    "        x = 2\n    else:\n        x = 3\noutput x\n"),
    "C262": checked(H + "input a : money\ntrue = a\noutput a\n"),
    "C263": checked(H + "input a : money written as points\noutput a\n"),
    "C265": checked(H + 'currency "RNB"\ninput a : money\noutput a\n'),
    # evaluation
    "E301": ran(H + "input a : money\ninput b : money\nx = a / b\noutput x\n", "id,a,b\nA,1,0\n"),
    "E302": ran(H + "input a : money\ninput b : money\nx = a + b\noutput x\n", "id,a,b\nA,1,\n"),
    # A default outside the declared range passes the checker, which trusts the range.
    "E303": ran(H + "input s : number in 0 .. 5 default 9\nb = band s\n    0 to 5 -> 1\n    = 5 -> 2\noutput b\n",
                "id,s\nA,\n"),
    # Tier conditions on a yes/no input are not analysed for coverage.
    "E305": ran(H + "input ok : bool\nt = first match\n    a : ok -> coefficient 1\noutput t\n", "id,ok\nA,no\n"),
    "E306": ran(H + "input level : text\ninput s : money\nm = mean(s within level except self)\noutput m\n",
                "id,level,s\nA,L1,1\n"),
    "E308": ran(H + "input a : number\nrefuse \"a is at most 20\" when a > 20\noutput a\n", "id,a\nA,21\n"),
    "E310": ran(HISTORY, "id,period,sales\nA,2023-01,1\nA,2023-03,1\n"),
    # halfway from 10 July to 31 July is 21 / 2 = 10.5 days: not a day
    "E330": ran(H + "period month\ninput hired : date\nx = hired + days_between(hired, period_end) / 2\noutput x\n",
                "id,period,hired\nA,2023-07,2023-07-10\n"),
    "E331": ran(H + "period month\ninput hired : date\ninput left : date\nx = days_employed(hired, left)\noutput x\n",
                "id,period,hired,left\nA,2023-07,2023-07-10,2023-07-01\n"),
    "E320": ran(PERIODIC.replace("period month", "effective 2023-01-01\nuntil 2023-03-31\nperiod month"),
                "id,period,sales\nA,2023-04,1\n"),
    "E321": cli("run", "v", "--data", "d.csv",
                files={**versions(PERIODIC.replace("period month", "effective 2023-01-01\nperiod month")),
                       "d.csv": "id,period,sales\nA,2022-12,1\n"}),
    # data
    "D401": ran(SALES, b"id,sales\nA\xff,1\n"),
    "D402": ran(SALES, 'id,sales\n"A,1\n'),
    "D403": ran(SALES, ""),
    "D404": ran(SALES, "id,sales,sales\nA,1,2\n"),
    "D405": ran(SALES, "id,sales\nA,1,2\n"),
    "D406": ran(SALES, '[{"id": "A", "sales": [1, 2]}]\n', "d.json"),
    "D407": ran(SALES, b"not a workbook", "d.xlsx"),
    "D408": ran(SALES, excel(A1="id", B1="sales", A2="A", B2="=1+1"), "d.xlsx"),
    "D409": ran(SALES, excel(A1="id", B1="sales", A2="A", B2="#DIV/0!"), "d.xlsx"),
    "D410": ran(SALES, "name,sales\nA,1\n"),
    "D411": ran(SALES, "id,revenue\nA,1\n"),
    "D413": ran(SALES, "id,sales\nA,12x\n"),
    "D414": ran(SALES, "id,sales\nA,1\nA,2\n"),
    "D415": ran(HISTORY, "id,sales\nA,1\n"),
    "D416": ran(H + "period quarter\ninput sales : money\noutput sales\n",
                "id,period,sales\nA,2023-01,1\nA,2023-02,2\n"),
    "D417": ran(H + 'uses "part.policy"\ninput sales : money\noutput sales\n', "id,sales,bonus\nA,1,2\n",
                files={"part.policy": H + "input sales : money\npayout bonus = sales * 2\n"}),
    "D418": ran(H + "period quarter\ninput s : number in 0 .. 10 combine sum\noutput s\n",
                "id,period,s\nA,2023-01,8\nA,2023-02,8\n"),
    "D430": ran(SALES, "id,sales\nA,1\nTotal,2\n"),
    "D431": ran(H + "input r : percent\noutput r\n", "id,r\nA,95\nB,88\n"),
    "D432": warned(SALES, "id,Sales\nA,1\n"),
    "D433": ran(SALES, "id,Sales,SALES\nA,1,2\n"),
    "D434": ran(H + 'input sales : money "销售额"\noutput sales\n', "id,销售额(万元)\nA,1\n"),
    "D435": ran(SALES, "2023 Q3,yuan\nid,sales,region\nA,1,East\nB,2,West\n"),
    "D436": gbk_data,
    "D437": ran(H + 'currency "CNY"\ninput sales : money\noutput sales\n', "id,sales\nA,¥1\nB,€2\n"),
    # usage
    "U501": cli("check", "nowhere.policy"),
    "U502": cli("check", "p.policy", files={"p.policy": b'policy "\xff"\n'}),
    "U503": cli("run", "p.policy", "--data", "folder.csv", files={"p.policy": SALES, "folder.csv/x": ""}),
    "U504": cli("run", "p.policy", "--data", "d.txt", files={"p.policy": SALES, "d.txt": "id,sales\nA,1\n"}),
    "U505": cli("run", "p.policy", "--data", "d.csv", "--out", "no/such/folder/out.csv",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U508": stdout_full,
    "U506": cli("run", "p.policy", "--data", "d.csv", "--format", "xlsx",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U507": cli("run", "p.policy", "--data", "d.csv", "--sheet", "S",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U510": cli("explain", "p.policy", "--data", "d.csv", "--who", "Z",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U511": cli("explain", "p.policy", "--data", "d.csv", "--who", "A", "--value", "bonus",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U512": cli("explain", "p.policy", "--data", "d.csv", "--who", "A", "--period", "2023-01",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U513": cli("explain", "p.policy", "--data", "d.csv", "--who", "A", "--period", "2023-02",
                files={"p.policy": PERIODIC, "d.csv": "id,period,sales\nA,2023-01,1\n"}),
    "U520": git_missing,
    "U521": git_outside_a_repository,
    "U522": in_repo("diff", "p.policy@nope", "p.policy", "--data", "d.csv",
                    committed={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U523": in_repo("diff", "q.policy@HEAD", "p.policy", "--data", "d.csv",
                    committed={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U524": cli("diff", "p.policy@", "p.policy", "--data", "d.csv",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U525": git_timing_out,
    "U526": in_repo("diff", "bad.policy@HEAD", "p.policy", "--data", "d.csv",
                    committed={"p.policy": SALES, "d.csv": "id,sales\nA,1\n", "bad.policy": b'policy "\xff"\n'}),
    "U527": git_unrunnable,
    "U530": cli("run", "v", "--data", "d.csv", files={"v/.keep": "", "d.csv": "id,sales\nA,1\n"}),
    "U540": cli("run", "p.policy", "--data", "d.json", "--header-row", "2",
                files={"p.policy": SALES, "d.json": '[{"id": "A", "sales": 1}]'}),
    "U564": cli("run", "p.policy", "--data", "d.csv", "--keep", "name",
                files={"p.policy": SALES, "d.csv": "id,sales,姓名\nA,1,x\n"}),
    "U565": cli("run", "p.policy", "--data", "d.csv", "--keep", "sales",
                files={"p.policy": SALES, "d.csv": "id,sales,姓名\nA,1,x\n"}),
    "U566": cli("run", "p.policy", "--data", "d.csv", "--keep", "deal",
                files={"p.policy": H + "period month\ninput sales : money\noutput sales\n",
                       "d.csv": "id,date,sales,deal\nA,2023-01-05,1,x\nA,2023-01-09,2,y\n"}),
    "U567": cli("init", ".", files={"starter.policy": "x"}),
    "U541": cli("run", "p.policy", "--data", "d.csv", "--header-row", "5",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    # pages
    "U560": cli("curve", "p.policy", "--vary", "nothing", "--from", "0", "--to", "1", "--at", "sales=1",
                files={"p.policy": SALES}),
    "U561": chromium_missing,
    "U562": cli("curve", "p.policy", "--vary", "sales", "--from", "2", "--to", "1", "--at", "sales=1",
                files={"p.policy": SALES}),
    "U563": cli("statement", "p.policy", "--data", "d.csv", "--out", "pages",
                files={"p.policy": SALES, "d.csv": "id,sales\nA,1\n"}),
    "U568": a_curve_over_a_large_group,
    "U569": a_construct_duckdb_does_not_compile,
    "U580": spark_without("pyspark"),
    "U581": spark_without("java"),
    "U582": spark_without("master"),
    "U584": a_spark_table_nobody_has,
    "U585": cli("run", "p.policy", "--data", "table:sales", "--header-row", "2", files={"p.policy": SALES}),
    "U583": cli("sql", "p.policy", "--dialect", "snowflake", files={"p.policy": H + (
        "period month\ninput sales : money\nplan = previous(next_plan, else 100)\nnext_plan = plan + sales\n"
        "output next_plan\n")}),
    # policy tests
    "T601": cli("test", "nowhere.test.yaml"),
    "T602": a_test_file("policy: [p.policy\n"),
    "T603": a_test_file("- just a list\n"),
    "T604": a_test_file("policy: p.policy\ncases:\n  - name: a\n    data: d.csv\n    expcet: {A: {sales: 1}}\n"),
    "T605": a_test_file("policy: p.policy\n"),
    "T606": a_test_file("policy: p.policy\ncases:\n  - name: a\n    expect: {A: {sales: 1}}\n"),
    "T607": a_test_file("policy: p.policy\ncases:\n  - name: a\n    expect_check: [C21]\n"),
    "T608": a_test_file("policy: nowhere.policy\ncases:\n  - name: a\n    data: d.csv\n    expect: {A: {sales: 1}}\n"),
    "T609": a_test_file("policy: p.policy\ncases:\n  - name: a\n    data: d.csv\n    expect: {A: {sales: 1}}\n"
                        "  - name: a\n    data: d.csv\n    expect: {A: {sales: 1}}\n"),
    "T610": cli("test", "empty", files={"empty/.keep": ""}),
}

# accumulation over the plan year (attain/dsl/check_accrual.py)
CATALOGUE.update({
    "C293": checked(H + "period quarter\nplan year starts May\ninput a : money\noutput a\n"),
    "C294": checked(H + "period month\ninput a : money\nt = year_to_date(pay)\npay = a - t\noutput pay\n"),
    "C295": checked(H + "period month\ninput a : text\nt = year_to_date(a)\noutput t\n"),
    "C296": checked(H + "period half\ninput a : money\nt = quarter_to_date(a)\noutput t\n"),
})


# ---------------------------------------------------------------- line tables (attain/codes/lines.py)
LINES = H + ("period month\ninput quota : money\nlines deals\n    input deal : text\n    input amount : money\n"
             "    input share : percent\n    split share per deal\n    credited = amount * share\n"
             "s = sum(credited of deals)\noutput s\n")
PEOPLE = "id,period,quota\nA,2023-01,1\n"
DEALS = "id,period,deal,amount,share\nA,2023-01,D1,100,100%\n"


def lines_run(*extra: str, policy: str = LINES, people: str = PEOPLE, deals: str = DEALS) -> Trigger:
    """`attain run` of a policy with a line table over people.csv and deals.csv (or the --data given)."""
    return cli("run", "p.policy", *(extra or ("--data", "people.csv", "--data", "deals.csv")),
               files={"p.policy": policy, "people.csv": people, "deals.csv": deals})


CATALOGUE.update({
    "C285": checked(LINES.replace("credited = amount * share", "credited = amount * quota")),
    "C286": checked(LINES.replace("credited = amount * share", "credited = previous(amount, else 0)")),
    "C287": checked(LINES.replace("sum(credited of deals)", "sum(credited of orders)")),
    "C288": checked(LINES.replace("sum(credited of deals)", "sum(deal of deals)")),
    "C289": checked(LINES.replace("sum(credited of deals)", "count(amount of deals)")),
    "C290": checked(LINES.replace("split share per deal", "split deal per share")),
    "C291": checked(LINES.replace("input quota : money", "input deals : money")),
    "D440": lines_run(deals=DEALS + "B,2023-01,D2,100,100%\n"),
    "D441": lines_run(deals=DEALS.replace("100%", "60%")),
    "D442": lines_run(deals=DEALS + "A,2023-01,D2,100,120%\n"),
    "D443": lines_run(deals=DEALS.replace("id,", "who,")),
    "E340": lines_run(policy=LINES.replace("sum(credited of deals)", "max(amount of deals)"),
                      people=PEOPLE + "B,2023-01,1\n"),
    "U570": cli("run", "p.policy", "--data", "people.csv", "--data", "others.csv", "--data", "deals.csv",
                files={"p.policy": LINES, "people.csv": PEOPLE, "others.csv": PEOPLE, "deals.csv": DEALS}),
    "U571": cli("run", "p.policy", "--data", "people.csv", files={"p.policy": LINES, "people.csv": PEOPLE}),
    "U572": lines_run("--data", "people.csv", "--data", "orders=deals.csv"),
    "U573": lines_run("--data", "deals.csv"),
})

# the org chart (attain/codes/org.py)
_TEAM = H + "input boss : employee\ninput sales : money\n"
CATALOGUE.update({
    "C297": checked(H + "input sales : money\nt = sum(sales within direct reports)\noutput t\n"),
    "C298": checked(_TEAM + "t = rank(sales within direct reports)\noutput t\n"),
    "C299": checked(_TEAM + "team = sales + sum(team within direct reports)\noutput team\n"),
    "D450": ran(_TEAM + "t = sum(sales within direct reports)\noutput t\n", "id,boss,sales\nA,,1\nB,Z,2\n"),
    "D451": ran(_TEAM + "t = sum(sales within direct reports)\noutput t\n", "id,boss,sales\nA,A,1\n"),
    "D452": ran(_TEAM + "t = sum(sales within direct reports)\noutput t\n", "id,boss,sales\nA,B,1\nB,A,2\n"),
    "E348": ran(_TEAM + "t = mean(sales within direct reports)\noutput t\n", "id,boss,sales\nA,,1\nB,A,2\n"),
})


# Parquet data files (attain/codes/parquet.py)
def _parquet(select: str) -> Callable[[Path], None]:
    """A function writing the rows of a DuckDB SELECT as a Parquet file."""

    def write_parquet(path: Path) -> None:
        from parquet_files import parquet

        parquet(path, select)

    return write_parquet


CATALOGUE.update({
    "D460": ran(SALES, _parquet("SELECT 'A' AS id, 0.1::DOUBLE AS sales"), name="d.parquet"),
    "D461": ran(SALES, _parquet("SELECT 'A' AS id, TIME '10:00' AS sales"), name="d.parquet"),
    "D462": ran(SALES, b"PAR1 not a whole file", name="d.parquet"),
    "U590": cli("run", "p.policy", "--data", "d.parquet", "--header-row", "2", files={"p.policy": SALES}),
})


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_raised_by_its_input(code, tmp_path, monkeypatch):
    assert code in CATALOGUE, f"{code} is registered in attain.codes but has no input in CATALOGUE"
    monkeypatch.chdir(tmp_path)
    found = CATALOGUE[code](tmp_path, monkeypatch)
    assert (CODES[code].severity, code) in found, f"{code} not raised; found {sorted(found)}"


def test_the_catalogue_names_registered_codes_only():
    assert sorted(set(CATALOGUE) - set(CODES)) == []


# ---------------------------------------------------------------- the registry itself


CODE_LITERAL = re.compile(r"""["']([PCEDUT]\d{3})["']""")


def codes_in_source() -> dict[str, str]:
    """Every code written as a string literal under attain/, with the first file that has it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "attain").rglob("*.py")):
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(ROOT)))
    return found


def test_every_code_in_the_source_is_registered():
    source = codes_in_source()
    unregistered = {code: path for code, path in source.items() if code not in CODES}
    assert unregistered == {}, "declare these codes in attain/codes/__init__.py, with an input in CATALOGUE"


def test_a_diagnostic_with_an_unregistered_code_cannot_be_made():
    # C299 is the org chart's now: a code of the check stage's letter that no one declares
    with pytest.raises(ValueError, match="'C399' is not declared in attain.codes"):
        Diagnostic("C399", "a message")
    with pytest.raises(ValueError):
        Diagnostic("c216", "a message")
    assert Diagnostic("C216", "a message").code == "C216"


def test_declarations_are_well_formed():
    for key, c in CODES.items():
        assert key == c.code and re.fullmatch(r"[PCEDUT]\d{3}", c.code), c
        assert c.code[0] == STAGES[c.stage][0], f"{c.code} is declared in stage {c.stage}"
        assert c.severity in ("error", "warning"), c
        for text in (c.title, c.meaning):
            assert text.strip() == text and "|" not in text and "\n" not in text, c
        assert c.meaning.endswith("."), c


def test_docs_errors_md_is_generated_from_the_registry():
    committed = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert committed == markdown(), "docs/errors.md is out of date: run python3 -m attain.codes > docs/errors.md"
