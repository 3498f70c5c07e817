"""Bad data files: bad cells of each type, bad tables, encodings, JSON/YAML records, broken workbooks.

Each file is read by a good policy (p.policy) whose inputs cover every type,
through run (with --out, in turn csv, json and xlsx) and explain, and a sample
of kinds also through diff and test. Employee A's row is the one spoilt, so
explain --who A reads it. CSV places are `d.csv:LINE` (the column is the
reader's: the field or the character), sheet places `S!B2`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json

from catalogue_kit import Case, Content, damaged, workbook, workbook_bytes, zipped

POLICY = (
    'policy "data"\n'
    'input sales : money "销售额"\n'
    "input target : money\n"
    'input rate : percent "回款率"\n'
    "input hired : date\n"
    "input ok : bool\n"
    "input n : count\n"
    "input score : number in 0 .. 5\n"
    'input region : text one of "华东", "华北"\n'
    "attainment = sales / target\n"  # line 10
    "new = hired >= 2023-01-01\n"
    "output attainment, rate, new, ok, n, score, region\n"
)
PERIODIC = ('policy "monthly"\nperiod month\ninput sales : money\n'
            "growth = sales - previous(sales, else sales)\noutput growth\n")
QUARTERLY = 'policy "quarterly"\nperiod quarter\ninput sales : money\noutput sales\n'
GROUPED = ('policy "grouped"\ninput region : text\ninput sales : money\n'
           "share = sales / sum(sales within region)\noutput share\n")
COLUMNS = ["id", "销售额", "target", "回款率", "hired", "ok", "n", "score", "region"]
A = {"id": "A", "销售额": "100", "target": "80", "回款率": "95%", "hired": "2023-01-10", "ok": "yes", "n": "3",
     "score": "4.5", "region": "华东"}
B = {"id": "B", "销售额": "200", "target": "100", "回款率": "0.9", "hired": "2022-05-01", "ok": "no", "n": "0",
     "score": "1", "region": "华北"}
TEST_FILE = 'policy: p.policy\ncases:\n  - name: A\n    data: {data}\n    expect:\n      A: {{n: "3"}}\n'


def _csv_line(values: list[str]) -> str:
    return ",".join(f'"{v}"' if ("," in v or '"' in v or "\n" in v) else v for v in values)


def table(a: dict[str, str] | None = None, b: dict[str, str] | None = None, rows: list[dict[str, str]] | None = None,
          rename: dict[str, str] | None = None, drop: str | None = None) -> list[list[str]]:
    """Header and rows: A changed by `a`, B by `b` (or `rows` as given); columns renamed or one dropped."""
    columns = [c for c in COLUMNS if c != drop]
    records = rows if rows is not None else [{**A, **(a or {})}, {**B, **(b or {})}]
    return [[(rename or {}).get(c, c) for c in columns]] + [[r[c] for c in columns] for r in records]


def _with_column(rows: list[list[str]], name: str, value: str, at: int | None = None) -> list[list[str]]:
    """The table with one more column (at the end, or at index `at`), `value` in every row."""
    at = len(rows[0]) if at is None else at
    return [[*row[:at], value if i else name, *row[at:]] for i, row in enumerate(rows)]


def csv_of(rows: list[list[str]], above: str = "") -> str:
    return above + "".join(_csv_line(r) + "\n" for r in rows)


@dataclasses.dataclass(frozen=True)
class BadData:
    """A bad data file, the code it must give and where; `name` is the file's name (its extension, its format)."""

    id: str
    content: Content
    code: str
    where: str | None
    name: str = "d.csv"
    policy: str = POLICY
    extra: tuple[str, ...] = ()  # more arguments for run
    bug: str | None = None
    max_stderr: int | None = None
    commands: tuple[str, ...] = ("run", "explain")  # diff and test are added for a sample of kinds


def _cells() -> list[BadData]:
    def cell(id_: str, column: str, value: str, code: str = "D413", **kw) -> BadData:
        return BadData(id_, csv_of(table({column: value})), code, "d.csv:2", **kw)

    return [
        cell("money-with-letters", "销售额", "12x"),
        cell("money-with-two-points", "销售额", "1.2.3"),
        cell("money-a-sign-alone", "销售额", "¥"),
        cell("money-with-a-unit-word", "销售额", "100万"),
        cell("money-in-scientific-notation", "target", "1e400"),
        cell("money-with-a-nul", "target", "8\x000"),
        cell("percent-with-letters", "回款率", "abc%"),
        cell("percent-with-two-signs", "回款率", "95%%"),
        cell("date-february-30", "hired", "2023-02-30"),
        cell("date-with-slashes-day-32", "hired", "2023/1/32"),
        cell("date-year-last-ambiguous", "hired", "07/01/2023"),
        cell("date-month-13", "hired", "2023-13-01"),
        cell("date-in-words", "hired", "July 1, 2023"),
        cell("bool-maybe", "ok", "maybe"),
        cell("count-negative", "n", "-1"),
        cell("count-with-a-fraction", "n", "1.5"),
        cell("number-above-its-range", "score", "6"),
        cell("number-below-its-range", "score", "-0.1"),
        cell("text-not-one-of-the-choices", "region", "华南"),
        cell("employee-id-empty", "id", ""),
        cell("number-of-5000-digits", "销售额", "9" * 5000),
        # the screen for percents typed as points read it with int() (found by the fuzz test's longer search)
        cell("percent-of-5000-digits", "回款率", "9" * 5000),
        cell("cell-of-a-million-characters", "销售额", "x" * 1_000_000, "D402", max_stderr=20_000),
        BadData("money-cell-empty", csv_of(table({"销售额": ""})), "E302", "p.policy:10"),
        BadData("target-zero", csv_of(table({"target": "0"})), "E301", "p.policy:10"),
    ]


def _tables() -> list[BadData]:
    points = {"回款率": "95"}, {"回款率": "90"}
    run_only = ("run",)
    return [
        # explain --who A reads a total row only where A's values add up a group (total-row-in-a-group).
        BadData("total-row", csv_of(table(rows=[A, B, {**B, "id": "合计", "销售额": "300"}])), "D430", "d.csv:4",
                commands=run_only),
        BadData("subtotal-row", csv_of(table(rows=[A, {**B, "id": "华东小计"}, B])), "D430", "d.csv:3",
                commands=run_only),
        BadData("total-row-in-english", csv_of(table(rows=[A, B, {**B, "id": "Total"}])), "D430", "d.csv:4",
                commands=run_only),
        BadData("total-row-in-a-group", "id,region,sales\nA,华东,100\nB,华东,100\n合计,华东,200\n", "D430", "d.csv:4",
                policy=GROUPED),
        BadData("percents-typed-as-points", csv_of(table(*points)), "D431", "d.csv:2"),
        BadData("percents-as-points-under-a-near-header", csv_of(table(*points, rename={"回款率": "回款率（%）"})),
                "D431", "d.csv:2"),
        BadData("column-in-ten-thousands", csv_of(table(rename={"销售额": "销售额（万元）"})), "D434", "d.csv:1"),
        BadData("two-columns-fit-one-input",
                csv_of(_with_column(table(rename={"销售额": "销售额（元）"}), "销 售 额", "7")), "D433", "d.csv:1"),
        BadData("employee-twice", csv_of(table(rows=[A, B, A])), "D414", "d.csv:4"),
        BadData("column-missing", csv_of(table(drop="target")), "D411", "d.csv:1"),
        BadData("no-employee-column", csv_of(table(rename={"id": "name"})), "D410", "d.csv:1"),
        BadData("column-named-twice", csv_of(_with_column(table(), "n", "4")), "D404", "d.csv:1"),
        BadData("column-without-a-name", csv_of(_with_column(table(), "", "", at=2)), "D404", "d.csv:1"),
        BadData("row-wider-than-header", csv_of(table()) + "C,1,1,1%,2023-01-01,yes,1,1,华东,extra\n", "D405",
                "d.csv:4"),
        BadData("quote-never-closed", csv_of(table()).replace("A,100", '"A,100', 1), "D402", "d.csv:2"),
        BadData("empty-file", "", "D403", None),
        BadData("title-rows-above-the-header", csv_of(table({"销售额": "12x"}),
                above="2023年7月 销售考核,,,,,,,,\n,,,,,,,,\n制表：人事部,,,,,,,,\n"), "D413", "d.csv:5"),
    ]


def _encodings() -> list[BadData]:
    good = csv_of(table())
    bad_cell = csv_of(table({"销售额": "12x"}))
    return [
        BadData("gbk-with-a-bad-cell", bad_cell.encode("gbk"), "D413", "d.csv:2"),
        BadData("gb18030-with-a-bad-cell", bad_cell.replace("华北", "𠀾").encode("gb18030"), "D413", "d.csv:2"),
        # A byte neither UTF-8 nor GB18030 reads (0xff): refused, never guessed as Latin-1.
        BadData("latin-1", good.encode().replace("华东".encode(), b"Gen\xe8ve \xff"), "D401", "d.csv:2"),
        BadData("utf-16", good.encode("utf-16"), "D401", "d.csv:1"),
        BadData("utf-8-with-bom-and-a-bad-cell", b"\xef\xbb\xbf" + bad_cell.encode(), "D413", "d.csv:2"),
    ]


def _records() -> list[BadData]:
    def doc(records: list[dict]) -> str:
        return json.dumps(records, ensure_ascii=False, indent=1)  # A's keys on lines 3 to 11

    def yaml_record(record: dict[str, str]) -> str:
        return "".join(f"  {k}: {v}\n" if i else f"- {k}: {v}\n" for i, (k, v) in enumerate(record.items()))

    a, b = dict(A), dict(B)
    yaml_a, yaml_b = yaml_record(A), yaml_record(B)  # A's keys on lines 1 to 9
    return [
        BadData("json-nested-value", doc([{**a, "销售额": {"q1": 50, "q2": 50}}, b]), "D406", "d.json:4",
                name="d.json"),
        BadData("json-list-in-a-cell", doc([{**a, "n": [1, 2]}, b]), "D406", "d.json:9", name="d.json"),
        BadData("json-nan", doc([a, b]).replace('"100"', "NaN"), "D402", "d.json:4", name="d.json"),
        BadData("json-duplicate-key", doc([a, b]).replace('"target": "80"', '"target": "80", "target": "90"'),
                "D402", "d.json:5", name="d.json"),
        BadData("json-syntax-error", doc([a, b]).replace('"80",', '"80"', 1), "D402", "d.json:6", name="d.json"),
        BadData("json-not-a-list", '{"id": "A"}\n', "D403", "d.json:1:1", name="d.json"),
        BadData("json-record-not-a-mapping", '[["A", 100]]\n', "D403", "d.json:1", name="d.json"),
        BadData("json-true-for-money", doc([{**a, "销售额": True}, b]), "D413", "d.json:4", name="d.json"),
        BadData("json-number-of-5000-digits", doc([a, b]).replace('"100"', "9" * 5000), "D413", "d.json:4",
                name="d.json"),
        BadData("json-line-of-a-million-characters", json.dumps([{**a, "销售额": "x" * 1_000_000}, b]), "D413",
                "d.json:1", name="d.json", max_stderr=20_000),
        BadData("yaml-nested-value", yaml_a.replace("销售额: 100", "销售额:\n    q1: 50") + yaml_b, "D406",
                "d.yaml:3", name="d.yaml"),
        BadData("yaml-duplicate-key", yaml_a + "  target: 90\n" + yaml_b, "D402", "d.yaml:10", name="d.yaml"),
        BadData("yaml-nan", yaml_a.replace("销售额: 100", "销售额: .nan") + yaml_b, "D413", "d.yaml:2",
                name="d.yaml"),
        BadData("yaml-syntax-error", yaml_a.replace("target: 80", "target: [80") + yaml_b, "D402", "d.yaml:4",
                name="d.yaml"),
        BadData("yaml-python-tag", yaml_a.replace("target: 80", "target: !!python/object/apply:os.system [ls]")
                + yaml_b, "D402", "d.yml:3", name="d.yml"),
        BadData("yaml-date-for-money", yaml_a.replace("target: 80", "target: 2023-01-01") + yaml_b, "D413",
                "d.yaml:3", name="d.yaml"),
        BadData("yaml-one-text", "just a sentence\n", "D403", "d.yaml:1:1", name="d.yaml"),
        # YAML refuses control characters before it reads a thing (found by the fuzz test's longer search)
        BadData("yaml-control-character", yaml_a.replace("region: 华东", "region: 华东\x7f") + yaml_b, "D402",
                "d.yaml:9:13", name="d.yaml"),
    ]


def _workbooks() -> list[BadData]:
    rows = table()
    good = workbook_bytes(rows)

    def with_cell(column: int, value) -> Content:
        return workbook([rows[0], [*rows[1][:column], value, *rows[1][column + 1:]], rows[2]])

    old_xls = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
    broken = dict(name="d.xlsx")
    sheet = dict(name="d.xlsx")
    return [
        BadData("xlsx-of-random-bytes", bytes(range(256)) * 8, "D407", None, **broken),
        BadData("xlsx-empty-file", b"", "D407", None, **broken),
        BadData("xlsx-that-is-a-csv", csv_of(rows), "D407", None, **broken),
        BadData("xlsx-cut-in-half", good[: len(good) // 2], "D407", None, **broken),
        BadData("xlsx-zip-of-something-else", zipped({"readme.txt": b"hello"}), "D407", None, **broken),
        # a part whose compressed data is corrupt (found by the fuzz test's longer search: zlib.error, exit 3)
        BadData("xlsx-damaged-workbook-part", damaged(good, "xl/workbook.xml"), "D407", None, **broken),
        BadData("xlsx-damaged-sheet-part", damaged(good, "xl/worksheets/sheet1.xml"), "D407", None, **broken),
        BadData("xlsx-damaged-styles-part", damaged(good, "xl/styles.xml"), "D407", None, **broken),
        BadData("xlsx-without-its-workbook-part",
                zipped({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"<worksheet/>"}),
                "D407", None, **broken),
        BadData("xlsx-that-is-an-old-xls", old_xls, "D407", None, **broken),
        BadData("xls-file", old_xls, "U504", None, name="d.xls"),
        BadData("xlsx-missing-sheet", good, "D407", None, name="d.xlsx", extra=("--sheet", "Sheet2"),
                commands=("run",)),  # explain reads the first sheet: it has no --sheet
        BadData("xlsx-formula-without-a-value", with_cell(1, "=B3*2"), "D408", "S!B2", **sheet),
        BadData("xlsx-div-by-zero-cell", with_cell(1, "#DIV/0!"), "D409", "S!B2", **sheet),
        BadData("xlsx-na-cell", with_cell(2, "#N/A"), "D409", "S!C2", **sheet),
        BadData("xlsx-ref-cell", with_cell(7, "#REF!"), "D409", "S!H2", **sheet),
        BadData("xlsx-money-with-letters", with_cell(1, "12x"), "D413", "S!B2", **sheet),
        BadData("xlsx-true-for-money", with_cell(1, True), "D413", "S!B2", **sheet),
        BadData("xlsx-count-with-a-fraction", with_cell(6, 1.5), "D413", "S!G2", **sheet),
        BadData("xlsx-number-of-5000-digits", with_cell(1, "9" * 5000), "D413", "S!B2", name="d.xlsx"),
        BadData("xlsx-total-row", workbook([*rows, ["合计", 300, 180, "92%", "2023-01-01", "no", 3, 2, "华东"]]),
                "D430", "S!A4", commands=("run",), **sheet),
        BadData("xlsx-employee-twice", workbook([*rows, rows[1]]), "D414", "S!A4", **sheet),
        BadData("xlsx-percents-as-points", workbook(table({"回款率": "95"}, {"回款率": "90"})), "D431", "S!D2",
                **sheet),
        BadData("xlsx-column-named-twice", workbook(_with_column(rows, "n", "4")), "D404", "S!J1", **sheet),
        BadData("xlsx-empty-sheet", workbook([]), "D403", None, name="d.xlsx"),
    ]


def _periods() -> list[BadData]:
    gap = "id,period,sales\nA,2023-01,1\nA,2023-03,2\n"
    return [
        BadData("period-month-13", "id,period,sales\nA,2023-01,1\nA,2023-13,2\n", "D413", "d.csv:3",
                policy=PERIODIC),
        BadData("period-week-60", "id,period,sales\nA,2023-W01,1\nA,2023-W60,2\n", "D413", "d.csv:3",
                policy=PERIODIC.replace("period month", "period week")),
        BadData("period-column-missing", "id,sales\nA,1\n", "D415", "d.csv:1", policy=PERIODIC),
        BadData("gap-in-a-history", gap, "E310", "d.csv:3:3", policy=PERIODIC, commands=("run",)),
        BadData("gap-in-a-history-explained", gap, "E310", "d.csv:3:3", policy=PERIODIC, commands=("explain",)),
        BadData("gap-in-a-history-of-a-sheet", workbook([row.split(",") for row in gap.splitlines()]), "E310",
                "S!B3", policy=PERIODIC, name="d.xlsx"),
        BadData("gap-in-a-history-of-records", json.dumps([dict(zip(("id", "period", "sales"), row.split(",")))
                                                            for row in gap.splitlines()[1:]], indent=1),
                "E310", "d.json:9", policy=PERIODIC, name="d.json"),
        BadData("months-disagree-in-a-quarter", "id,period,sales\nA,2023-01,1\nA,2023-02,2\n", "D416", "d.csv:3",
                policy=QUARTERLY),
    ]


# Kinds also read through diff and test: each reads data by a path of its own.
_PATH_SAMPLE = {"money-with-letters", "date-year-last-ambiguous", "total-row", "percents-typed-as-points",
                "employee-twice", "column-missing", "gbk-with-a-bad-cell", "json-nan", "yaml-duplicate-key",
                "xlsx-cut-in-half", "xlsx-div-by-zero-cell", "target-zero"}


def _cases(bad: BadData, formats) -> list[Case]:
    files = {"p.policy": bad.policy, "old.policy": bad.policy, bad.name: bad.content,
             "t.test.yaml": TEST_FILE.format(data=bad.name)}
    commands = bad.commands + (("diff", "test") if bad.id in _PATH_SAMPLE else ())
    runs = []
    for command in commands:
        if command == "run":
            fmt = next(formats)
            runs.append((f"run-{fmt}", ("run", "p.policy", "--data", bad.name, *bad.extra, "--out", f"out.{fmt}")))
        elif command == "explain":
            runs.append(("explain", ("explain", "p.policy", "--data", bad.name, "--who", "A")))
        elif command == "diff":
            runs.append(("diff", ("diff", "old.policy", "p.policy", "--data", bad.name)))
        else:
            runs.append(("test", ("test", "t.test.yaml")))
    cases = []
    for label, args in runs:
        # diff computes the old version first: an evaluation error names old.policy, its copy
        where = bad.where.replace("p.policy", "old.policy") if label == "diff" and bad.where else bad.where
        cases.append(Case(f"data-{bad.id}-{label}", args, bad.code, where, files, bug=bad.bug,
                          max_stderr=bad.max_stderr))
    return cases


def data_cases() -> list[Case]:
    formats = itertools.cycle(("csv", "json", "xlsx"))  # run writes each format in turn
    return [case for family in (_cells(), _tables(), _encodings(), _records(), _workbooks(), _periods())
            for bad in family for case in _cases(bad, formats)]
