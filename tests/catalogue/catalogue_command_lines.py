"""Bad command lines: unknown options and formats, missing files, folders, NUL bytes, outputs that cannot be written.

The files beside each command are good (p.policy, d.csv; m.policy with its
monthly data m.csv): only the command line is wrong. Most of these have no
place in a file, so the message is checked for its code alone.
"""

from __future__ import annotations

from catalogue_kit import Case, workbook
from catalogue_policies import DATA, GOOD

MONTHLY = 'policy "m"\nperiod month\ninput sales : money\noutput sales\n'
MONTHLY_DATA = "id,period,sales\nA,2023-01,1\nA,2023-02,2\n"
BAD_DATA = "id,sales,target\nA,12x,80\n"
FILES = {"p.policy": GOOD, "d.csv": DATA, "m.policy": MONTHLY, "m.csv": MONTHLY_DATA, "bad.csv": BAD_DATA}
TEST_FILE = 'policy: p.policy\ncases:\n  - name: A\n    data: d.csv\n    expect:\n      A: {attainment: "1.25"}\n'


RUN = ("run", "p.policy", "--data", "d.csv")
EXPLAIN = ("explain", "p.policy", "--data", "d.csv", "--who", "A")
PERIODS = ("explain", "m.policy", "--data", "m.csv", "--who", "A", "--period")


def case(id_: str, *args: str, code: str | None, where: str | None = None, files: dict | None = None,
         **kw) -> Case:
    return Case(f"cli-{id_}", args, code, where, {**FILES, **(files or {})}, **kw)


def _options() -> list[Case]:
    commands = (("check", ("check", "p.policy")), ("run", RUN), ("explain", EXPLAIN), ("test", ("test", "t.test.yaml")),
                ("fmt", ("fmt", "p.policy")), ("diff", ("diff", "p.policy", "p.policy", "--data", "d.csv")))
    return [case(f"unknown-option-{command}", *args, "--frobnicate", code=None) for command, args in commands] + [
        case("unknown-command", "frobnicate", "p.policy", code=None),
        case("check-without-a-policy", "check", code=None),
        case("run-without-data", "run", "p.policy", code=None),
        case("run-data-option-without-a-value", *RUN[:3], code=None),
        case("explain-without-who", "explain", "p.policy", "--data", "d.csv", code=None),
        case("diff-without-new", "diff", "p.policy", "--data", "d.csv", code=None),
        case("fmt-without-paths", "fmt", code=None),
        case("run-format-xml", *RUN, "--format", "xml", code=None),
        case("explain-format-html", *EXPLAIN, "--format", "html", code=None),
        case("check-format-yaml", "check", "--format", "yaml", "p.policy", code=None),
        case("diff-format-xlsx", "diff", "p.policy", "p.policy", "--data", "d.csv", "--format", "xlsx", code=None),
        case("run-engine-unknown", *RUN, "--engine", "duckdb-gpu", code=None),
        case("run-xlsx-to-the-terminal", *RUN, "--format", "xlsx", code="U506"),
        case("sheet-on-csv", *RUN, "--sheet", "S", code="U507"),
        case("sheet-on-json", "run", "p.policy", "--data", "d.json", "--sheet", "S", code="U507",
             files={"d.json": '[{"id": "A", "sales": 1, "target": 1}]'}),
        case("sheet-on-stdin", "run", "p.policy", "--data", "-", "--sheet", "S", code="U507", stdin=DATA.encode()),
        case("who-unknown", *EXPLAIN[:4], "--who", "Z", code="U510"),
        case("who-in-the-wrong-case", *EXPLAIN[:4], "--who", "a", code="U510"),
        case("who-empty", *EXPLAIN[:4], "--who", "", code="U510"),
        case("value-unknown", *EXPLAIN, "--value", "attainmnet", code="U511"),
        case("value-empty", *EXPLAIN, "--value", "", code="U511"),
        case("value-that-is-a-word", *EXPLAIN, "--value", "if", code="U511"),
        case("period-for-data-without-periods", *EXPLAIN, "--period", "2023-01", code="U512"),
        case("period-not-in-the-data", *PERIODS, "2023-05", code="U513"),
        case("period-month-13", *PERIODS, "2023-13", code="U513"),
        case("period-malformed", *PERIODS, "Q3", code="U513"),
        case("period-empty", *PERIODS, "", code="U513"),
        case("id-column-missing", *RUN, "--id-column", "工号", code="D410", where="d.csv:1"),
    ]


def _files() -> list[Case]:
    folder = {"folder.csv/x.txt": "", "folder.policy/x.txt": "", "empty/keep.txt": ""}
    nul = [case(f"{id_}-nul-in-{what}-name", *args, code=code) for id_, what, args, code in (
        ("check", "policy", ("check", "p\x00.policy"), "U503"),
        ("run", "policy", ("run", "p\x00.policy", "--data", "d.csv"), "U503"),
        ("run", "data", ("run", "p.policy", "--data", "d\x00.csv"), "U503"),
        ("explain", "data", ("explain", "p.policy", "--data", "d\x00.csv", "--who", "A"), "U503"),
        ("diff", "old", ("diff", "p\x00.policy", "p.policy", "--data", "d.csv"), "U503"),
        ("fmt", "policy", ("fmt", "p\x00.policy"), "U503"),
        ("test", "test", ("test", "t\x00.test.yaml"), "T601"))]
    return nul + [
        case("check-missing-policy", "check", "nowhere.policy", code="U501"),
        case("check-json-missing-policy", "check", "--format", "json", "nowhere.policy", code="U501"),
        case("check-one-of-two-missing", "check", "p.policy", "nowhere.policy", code="U501"),
        case("run-missing-policy", "run", "nowhere.policy", "--data", "d.csv", code="U501"),
        case("explain-missing-policy", "explain", "nowhere.policy", "--data", "d.csv", "--who", "A", code="U501"),
        case("fmt-missing-policy", "fmt", "nowhere.policy", code="U501"),
        case("diff-missing-old", "diff", "nowhere.policy", "p.policy", "--data", "d.csv", code="U501"),
        case("diff-missing-new", "diff", "p.policy", "nowhere.policy", "--data", "d.csv", code="U501"),
        case("run-missing-data", "run", "p.policy", "--data", "nowhere.csv", code="U501"),
        case("explain-missing-data", "explain", "p.policy", "--data", "nowhere.csv", "--who", "A", code="U501"),
        case("diff-missing-data", "diff", "p.policy", "p.policy", "--data", "nowhere.csv", code="U501"),
        case("check-name-too-long", "check", "p" * 5000 + ".policy", code="U503"),
        # A folder is a folder of versions to check, explain, run and diff (this one holds no .policy file).
        case("check-a-folder", "check", "folder.policy", code="U530", files=folder),
        case("explain-a-folder-as-policy", "explain", "folder.policy", "--data", "d.csv", "--who", "A", code="U530",
             files=folder),
        case("run-a-folder-without-policies", "run", "empty", "--data", "d.csv", code="U530", files=folder),
        case("diff-a-folder", "diff", "folder.policy", "p.policy", "--data", "d.csv", code="U530", files=folder),
        case("run-data-a-folder", "run", "p.policy", "--data", "folder.csv", code="U503", files=folder),
        case("explain-data-a-folder", "explain", "p.policy", "--data", "folder.csv", "--who", "A", code="U503",
             files=folder),
        case("data-txt", "run", "p.policy", "--data", "d.txt", code="U504", files={"d.txt": DATA}),
        case("data-parquet", "run", "p.policy", "--data", "d.parquet", code="D462", files={"d.parquet": b"PAR1"}),
        case("data-without-extension", "run", "p.policy", "--data", "data", code="U504", files={"data": DATA}),
        case("data-ods", "explain", "p.policy", "--data", "d.ods", "--who", "A", code="U504", files={"d.ods": b"PK"}),
    ]


def _outputs() -> list[Case]:
    old = {"out.csv": "old results\n", "out.manifest.json": "{}\n", "out.json": "{}\n", "out.xlsx": workbook([["x"]])}
    bad_policy = {**old, "bad.policy": GOOD.replace("attainment = sales", "attainment = salse")}
    cases = []
    for fmt in ("csv", "json", "xlsx"):
        cases += [
            case(f"out-into-a-missing-folder-{fmt}", *RUN, "--out", f"no/such/folder/out.{fmt}", code="U505"),
            case(f"out-is-a-folder-{fmt}", *RUN, "--out", f"folder.{fmt}", code="U505",
                 files={f"folder.{fmt}/keep.txt": ""}),
            case(f"out-dev-full-{fmt}", *RUN, "--out", "/dev/full", "--format", fmt, code="U505"),
            case(f"out-with-nul-{fmt}", *RUN, "--out", f"o\x00ut.{fmt}", code="U505"),
            case(f"out-kept-when-data-is-bad-{fmt}", "run", "p.policy", "--data", "bad.csv", "--out", f"out.{fmt}",
                 code="D413", where="bad.csv:2", files=old),
            case(f"out-kept-when-the-policy-is-bad-{fmt}", "run", "bad.policy", "--data", "d.csv", "--out",
                 f"out.{fmt}", code="C203", where="bad.policy:4:14", files=bad_policy),
        ]
    return cases


def _streams() -> list[Case]:
    gbk_policy = GOOD.replace("output", "# 达成率\noutput").encode("gbk")
    return [
        case("fmt-stdin-gbk", "fmt", "-", code="U502", where="<stdin>:5", stdin=gbk_policy),
        case("fmt-check-stdin-gbk", "fmt", "--check", "-", code="U502", where="<stdin>:5", stdin=gbk_policy),
        case("fmt-stdin-syntax-error", "fmt", "-", code="P100", where="<stdin>:4:29",
             stdin=GOOD.replace("sales / target", "sales / target $").encode()),
        case("fmt-stdin-tab", "fmt", "-", code="P112", where="<stdin>:4:1",
             stdin=GOOD.replace("attainment =", "\tattainment =").encode()),
        case("run-stdin-gbk-with-a-bad-cell", "run", "p.policy", "--data", "-", code="D413", where="<stdin>:2",
             stdin="id,sales,target\n张三,12x,80\n".encode("gbk")),
        case("run-stdin-latin-1", "run", "p.policy", "--data", "-", code="D401", where="<stdin>:2",
             stdin=b"id,sales,target\nZ\xfcrich \xff,1,80\n"),
        case("run-stdin-empty", "run", "p.policy", "--data", "-", code="D403", stdin=b""),
        case("run-stdin-bad-cell", "run", "p.policy", "--data", "-", code="D413", where="<stdin>:2",
             stdin=BAD_DATA.encode()),
    ]


def _versions() -> list[Case]:
    monthly = 'policy "m"\n{header}period {period}\ninput sales : money\noutput sales\n'
    dated = {"v/a.policy": monthly.format(header="effective 2023-01-01\n", period="month")}
    return [
        case("versions-without-effective-dates", "run", "v", "--data", "m.csv", code="C251", where="v/a.policy:1",
             files={
            "v/a.policy": monthly.format(header="", period="month"),
            "v/b.policy": monthly.format(header="", period="month")}),
        case("versions-of-different-periods", "run", "v", "--data", "m.csv", code="C252", where="v/b.policy:3",
             files={
            **dated, "v/b.policy": monthly.format(header="effective 2024-01-01\n", period="year")}),
        case("versions-none-in-force", "run", "v", "--data", "old.csv", code="E321", where="old.csv:2:3",
             files={**dated, "old.csv": "id,period,sales\nA,2022-12,1\n"}),
        case("versions-one-with-a-mistake", "run", "v", "--data", "m.csv", code="C203", where="v/b.policy:4:8",
             files={**dated, "v/b.policy": 'policy "m"\neffective 2024-01-01\nperiod month\noutput salse\n'}),
        case("diff-malformed-revision", "diff", "p.policy@", "p.policy", "--data", "d.csv", code="U524"),
    ]


def _tests() -> list[Case]:
    def suite(id_: str, text: str | bytes, code: str, where: str | None = None, **kw) -> Case:
        return case(f"test-file-{id_}", "test", "t.test.yaml", code=code, where=where, files={"t.test.yaml": text},
                    **kw)

    return [
        case("test-missing-file", "test", "nowhere.test.yaml", code="T601"),
        case("test-folder-without-tests", "test", "empty", code="T610", files={"empty/keep.txt": ""}),
        suite("broken-yaml", "policy: [p.policy\n", "T602", "t.test.yaml:2"),
        suite("not-utf-8", TEST_FILE.encode().replace(b"name: A", b"name: \xff"), "T601", "t.test.yaml:3:11"),
        suite("a-list", "- just a list\n", "T603", "t.test.yaml:1:1"),
        suite("control-character", TEST_FILE.replace("name: A", "name: A\x1b"), "T602", "t.test.yaml:3:12"),
        suite("misspelt-key", TEST_FILE.replace("expect:", "expcet:"), "T604", "t.test.yaml:5"),
        suite("without-cases", "policy: p.policy\n", "T605", "t.test.yaml:1:1"),
        suite("names-a-missing-policy", TEST_FILE.replace("p.policy", "nowhere.policy"), "T608", "t.test.yaml:1:9"),
        suite("names-missing-data", TEST_FILE.replace("d.csv", "nowhere.csv"), "T608", "t.test.yaml:4:11"),
        suite("two-cases-one-name", TEST_FILE + TEST_FILE.split("cases:\n", 1)[1], "T609", "t.test.yaml:7:11"),
        suite("bad-expected-code", "policy: p.policy\ncases:\n  - name: a\n    expect_check: [C21]\n", "T607",
              "t.test.yaml:4:20"),
    ]


def command_line_cases() -> list[Case]:
    return _options() + _files() + _outputs() + _streams() + _versions() + _tests()
