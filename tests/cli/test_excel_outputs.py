"""`attain run --out x.xlsx` for people, and CSV for Chinese Excel: read back and asserted.

Labels for headers and tiers, the data's other columns kept, one number format per
column from its type, notes with exact values, a totals row; `--headers names`, `--keep`,
`--bom`. Every library policy's workbook is checked against its own CSV output.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from click.testing import CliRunner
from library_samples import FIXED, ROOT, data_args, ident

from attain.cli import main
from attain.io import read_table

DOC002 = str(ROOT / "policies" / "doc002" / "incentive.policy")
SAMPLE = str(ROOT / "policies" / "doc002" / "sample.csv")


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert "internal error" not in result.stderr
    return result


def sheet_rows(path) -> list[list]:
    return [[c.value for c in row] for row in openpyxl.load_workbook(path)["results"].iter_rows()]


def test_doc002_workbook_in_chinese(tmp_path):
    out = tmp_path / "结果.xlsx"
    r = invoke("run", DOC002, "--data", SAMPLE, "--out", str(out), "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out)["results"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    # Labels where the policy gives them (所属区域 for region, the flag's 需提交改进计划), the name column
    # the policy does not read kept after the id, tiers by their labels.
    assert rows[0] == ["编号", "姓名", "需提交改进计划", "所属区域", "attainment", "total_score", "tier",
                       "commission_paid", "bonus_total"]
    assert rows[1] == ["S001", "张*", False, "华东", 1.15, 85, "达标奖", 2250, 10200]
    assert rows[2] == ["S002", "李*", False, "华北", 0.85, 59.5, "进步奖", 0, 4760]
    assert rows[3] == ["S003", "王*", False, "华南", 1.2, 100, "卓越奖", 3120, 20000]
    # Totals: commission 2,250 + 0 + 3,120 = 5,370; bonus 10,200 + 4,760 + 20,000 = 34,960; no one flagged.
    # A percent (attainment) and a score are not added up.
    assert rows[4] == ["合计", None, 0, None, None, None, None, 5370, 34960]
    assert "百分比、分数与文本不求和" in ws["A5"].comment.text
    formats = {ws.cell(row=1, column=c).value: ws.cell(row=2, column=c).number_format for c in range(1, 10)}
    assert formats["attainment"] == "0%"  # 115%, 85%, 120%: whole percents
    assert formats["total_score"] == "#,##0.0"  # 59.5 needs one place, so the column shows one
    assert formats["commission_paid"] == formats["bonus_total"] == "#,##0.00"  # no currency line: no sign
    assert ws.auto_filter.ref == "A1:I4"  # the totals row stays out of the filter
    # Every number is a number: no cell of an output column holds a number as text.
    assert all(not isinstance(v, str) for row in rows[1:] for v in row[4:6] + row[7:])


def test_names_keep_identifiers_and_no_keep_keeps_no_column(tmp_path):
    out = tmp_path / "r.xlsx"
    r = invoke("run", DOC002, "--data", SAMPLE, "--out", str(out), "--headers", "names", "--no-keep")
    assert r.exit_code == 0, r.stderr
    rows = sheet_rows(out)
    assert rows[0] == ["编号", "improvement_plan", "region", "attainment", "total_score", "tier",
                       "commission_paid", "bonus_total"]
    assert rows[1][5] == "on_target" and rows[-1][0] == "Total"


def test_keep_chooses_columns_in_its_order(tmp_path):
    out = tmp_path / "r.xlsx"
    r = invoke("run", DOC002, "--data", SAMPLE, "--out", str(out), "--keep", "销售额目标", "--keep", "姓名")
    assert r.exit_code == 0, r.stderr
    rows = sheet_rows(out)
    assert rows[0][:3] == ["编号", "销售额目标", "姓名"]
    # A data column's number is a number (500,000 in the CSV), not a number stored as text.
    assert rows[1][:3] == ["S001", 500000, "张*"]
    assert openpyxl.load_workbook(out)["results"]["B2"].number_format == "#,##0"
    r = invoke("run", DOC002, "--data", SAMPLE, "--format", "csv", "--keep", "姓名")
    assert r.stdout.splitlines()[1] == "S001,张*,false,华东,1.15,85,on_target,2250.00,10200.00"


CURRENCY_POLICY = """policy "thirds"
currency "¥"
input sales  : money "销售额"
input target : money "目标"
input deals  : count "成交数"
share = sales / 3
attainment = sales / target
output share, attainment, deals
"""


def test_formats_notes_and_totals_by_type(tmp_path):
    """Hand calculation: share = sales / 3, so 100 / 3 and 200 / 3 have no finite decimal (a note gives the
    fraction) and total exactly 100 (no note); attainment 100 / 300 = 1/3 = 33.333333…%, 200 / 200 = 100%."""
    (tmp_path / "p.policy").write_text(CURRENCY_POLICY, encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,姓名,销售额,目标,成交数\nA,甲,100,300,3\nB,乙,200,200,4\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    r = invoke("run", str(tmp_path / "p.policy"), "--data", str(tmp_path / "d.csv"), "--out", str(out),
               "--lang", "en")
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out)["results"]
    assert [c.value for c in ws[1]] == ["id", "姓名", "share", "attainment", "成交数"]
    money = '"¥"#,##0.000000;-"¥"#,##0.000000'  # six places at most: 100/3 has no end
    # No double holds 100/3: the number is the nearest Excel keeps, the note the exact value.
    assert ws["C2"].value == pytest.approx(float(Fraction(100, 3)), rel=1e-15)
    assert ws["D2"].value == pytest.approx(float(Fraction(1, 3)), rel=1e-15)
    assert [c.number_format for c in ws[2]][2:] == [money, "0.000000%", "#,##0"]
    assert ws["E2"].value == 3
    assert ws["C2"].comment.text.startswith("Exact value: 100/3\n")
    assert ws["C3"].comment.text.startswith("Exact value: 200/3\n")
    assert ws["D2"].comment.text.startswith("Exact value: 100/3%\n")  # in percent points, as the cell reads
    assert ws["D3"].comment is None and ws["E2"].comment is None
    # Totals: 100/3 + 200/3 = 100 exactly; 3 + 4 = 7 deals; attainment is not added up.
    assert [c.value for c in ws[4]] == ["Total", None, 100, None, 7]
    assert ws["C4"].comment is None and ws["C4"].number_format == money


def test_csv_with_labels_and_a_byte_order_mark(tmp_path):
    out = tmp_path / "r.csv"
    r = invoke("run", DOC002, "--data", SAMPLE, "--out", str(out), "--headers", "labels", "--bom", "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").splitlines()
    assert lines[0] == "编号,需提交改进计划,所属区域,attainment,total_score,tier,commission_paid,bonus_total"
    assert lines[1] == "S001,false,华东,1.15,85,达标奖,2250.00,10200.00"
    # attain reads its own output back, the mark and all.
    assert read_table(str(out)).columns[:2] == ("编号", "需提交改进计划")
    # Without --bom, a file and stdout are as before: no mark.
    r = invoke("run", DOC002, "--data", SAMPLE, "--out", str(out))
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    r = invoke("run", DOC002, "--data", SAMPLE, "--format", "csv")
    assert r.stdout.startswith("编号,improvement_plan")
    r = invoke("run", DOC002, "--data", SAMPLE, "--format", "csv", "--bom")
    assert r.stdout.startswith("\ufeff编号,")


def test_keep_and_no_keep_do_not_go_together(tmp_path):
    r = invoke("run", DOC002, "--data", SAMPLE, "--keep", "姓名", "--no-keep")
    assert r.exit_code == 2 and "do not go together" in r.stderr


@pytest.mark.parametrize("policy", FIXED, ids=ident)
def test_every_library_workbook_matches_its_csv(policy, tmp_path):
    """Each library policy's workbook holds the CSV's values: numbers as numbers (exact where Excel can hold
    them, else with a note of the exact value), one format per column, and totals that are the exact sums of
    the CSV's money and count columns."""
    data = data_args(policy)
    r = invoke("run", str(policy), *data, "--format", "csv", "--no-keep")
    assert r.exit_code == 0, r.stderr
    expected = list(csv.DictReader(io.StringIO(r.stdout)))
    out = tmp_path / "r.xlsx"
    r = invoke("run", str(policy), *data, "--out", str(out), "--headers", "names", "--no-keep")
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out)["results"]
    header = [c.value for c in ws[1]]
    assert header == list(expected[0])
    body = list(ws.iter_rows(min_row=2, max_row=len(expected) + 1))
    kinds = _kinds(policy)
    for column, name in enumerate(header):
        cells = [row[column] for row in body]
        numbers = [c for c in cells if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
        assert len({c.number_format for c in numbers}) <= 1, name  # one format per column
        for cell, row in zip(cells, expected, strict=True):
            text = row[name]
            if cell in numbers:
                exact = Decimal(text)
                if cell.comment is None:
                    assert Decimal(repr(cell.value)) == exact, (name, text)
                else:
                    assert cell.comment.text.startswith("Exact value: ")
            elif text in ("true", "false"):
                assert cell.value is (text == "true")
            else:
                assert (cell.value or "") == text
        if kinds.get(name) in ("money", "count"):
            total = ws.cell(row=len(expected) + 2, column=column + 1)
            exact = sum((Decimal(row[name]) for row in expected if row[name]), Decimal(0))
            assert total.comment is not None or Decimal(repr(total.value)) == exact, name
        if numbers:
            shown = numbers[0].number_format
            assert shown.endswith("%") if kinds.get(name) == "percent" else "%" not in shown, name
            if kinds.get(name) == "count":
                assert shown == "#,##0", name


def _kinds(policy) -> dict[str, str]:
    import attain

    loaded = attain.load(policy)
    return {name: str(loaded.model.types[name]) for name in loaded.outputs}


def test_versions_take_the_newest_labels_and_currency(tmp_path):
    """A folder of versions: each period computed by its version (10% then 20% of sales), the tiers as the
    newest version words them, the currency the versions give."""
    folder = tmp_path / "v"
    folder.mkdir()
    head = 'policy "a"\nversion "{v}"\neffective {start}\n{until}period month\n{currency}input sales : money "销售额"\n'
    body = ('bonus = sales * {rate}\nlevel = first match\n  high "{high}" : sales > 100 -> k 1\n'
            '  low "{low}" : otherwise -> k 0\noutput bonus, level\n')
    (folder / "a.policy").write_text(head.format(v=1, start="2024-01-01", until="until 2024-03-31\n",
                                                 currency='currency "¥"\n')
                                     + body.format(rate="10%", high="高", low="低"), encoding="utf-8")
    (folder / "b.policy").write_text(head.format(v=2, start="2024-04-01", until="", currency="")
                                     + body.format(rate="20%", high="高档", low="低档"), encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,period,姓名,销售额\nA,2024-03,甲,100\nA,2024-04,甲,200\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    r = invoke("run", str(folder), "--data", str(tmp_path / "d.csv"), "--out", str(out), "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out)["results"]
    # 100 × 10% = 10 in March (version 1); 200 × 20% = 40 in April (version 2); total 50.
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["id", "期间", "制度版本", "姓名", "bonus", "level"],
        ["A", "2024-03", "1", "甲", 10, "低档"],
        ["A", "2024-04", "2", "甲", 40, "高档"],
        ["合计", None, None, None, 50, None],
    ]
    assert ws["E2"].number_format == '"¥"#,##0.00;-"¥"#,##0.00'
