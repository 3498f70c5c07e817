"""`attain template`: the data workbook a policy needs, its validation, and an example row the policy accepts."""

from __future__ import annotations

import datetime

import openpyxl
import pytest
from click.testing import CliRunner
from library_samples import FIXED, ROOT, ident

import attain
from attain.cli import main
from attain.io import read_table

DOC002 = str(ROOT / "policies" / "doc002" / "incentive.policy")


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert "internal error" not in result.stderr
    return result


def validations(ws) -> dict[str, tuple]:
    """Column letter -> (type, operator, formula1, formula2) of the validation on rows 2 and below."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        ref = str(dv.sqref)
        assert ref.endswith("1048576") and ref[1:3] == "2:"
        out[ref[0]] = (dv.type, dv.operator, dv.formula1, dv.formula2)
    return out


def test_doc002_template_in_chinese(tmp_path):
    out = tmp_path / "模板.xlsx"
    r = invoke("template", DOC002, "--out", str(out), "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""  # the first example row tried is accepted
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["数据", "说明"]
    ws = wb["数据"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    # The id and period columns attain finds, then each input by its label, in the policy's order.
    assert rows[0] == ["编号", "期间", "所属区域", "销售额目标", "销售额实际", "新客户数", "上期新客户数", "回款率",
                       "客户满意度", "计划延迟次数", "团队协作评分", "上期完成率", "奖金基数"]
    # The period holding the policy's effective date (2023-07-01); ranges by their middle (0 .. 5 -> 2.5).
    assert rows[1] == ["S001", "2023Q3", "示例", 100000, 100000, 1, 1, 1, 2.5, 1, 5, 1, 100000]
    assert ws["H2"].number_format == "0.00%" and ws["D2"].number_format == "#,##0.00"
    assert ws["B2"].number_format == "@"  # 2023-07 typed here stays text, never a date
    v = validations(ws)
    assert v["I"] == ("decimal", "between", "0", "5")  # 客户满意度 in 0 .. 5
    assert v["K"] == ("decimal", "between", "0", "10")  # 团队协作评分 in 0 .. 10
    assert v["F"] == ("whole", "greaterThanOrEqual", "0", None)  # a count
    assert v["D"] == ("decimal", "between", "-1E+15", "1E+15")  # money: any number
    assert "A" not in v and "C" not in v  # the id and a free text take anything
    guide = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert guide[2] == ["列名", "制度中的名称", "类型", "取值要求", "留空时"]
    assert guide[11] == ["客户满意度", "satisfaction", "数值", "0 至 5", "无默认值"]
    # attain reads the template as data, and the policy runs on it.
    r = invoke("run", DOC002, "--data", str(out), "--format", "csv")
    assert r.exit_code == 0, r.stderr
    # By hand: 100,000 / 100,000 = 100% -> 80; growth (1 - 1) / 1 = 0 -> 40; collection 100% -> 100;
    # satisfaction 2.5 -> 50; 1 late plan -> 80; collaboration 5 -> 50:
    # 80 × 40% + 40 × 20% + 100 × 15% + 50 × 10% + 80 × 10% + 50 × 5% = 32 + 8 + 15 + 5 + 8 + 2.5 = 70.5;
    # on target (1.2): 100,000 × 1.2 × 70.5 / 100 = 84,600; no sales above target: no commission.
    assert r.stdout.splitlines()[1] == "S001,2023Q3,false,示例,1,70.5,on_target,0.00,84600.00"


def test_choices_are_drop_downs_and_ranges_pick_an_accepted_row(tmp_path):
    """Five scores in 0 .. 20 whose sum the policy refuses above 20: their middles (10 each, 50) are refused,
    so the template takes their low ends (0 each), which the policy accepts."""
    policy = tmp_path / "p.policy"
    policy.write_text(
        'policy "t"\nperiod month\n'
        'input role : text "岗位" one of "区域经理", "销售代表"\n'
        'input joined : date "入职日期"\n'
        'input active : bool "在职"\n'
        + "".join(f'input s{i} : number "分{i}" in 0 .. 20\n' for i in range(5))
        + "b = s0 + s1 + s2 + s3 + s4\n"
        'refuse "软性指标合计超过20分" when b > 20\n'
        "output b, role\n", encoding="utf-8")
    out = tmp_path / "t.xlsx"
    r = invoke("template", str(policy), "--out", str(out), "--lang", "en")
    assert r.exit_code == 0, r.stderr
    ws = openpyxl.load_workbook(out).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["id", "period", "岗位", "入职日期", "在职", "分0", "分1", "分2", "分3", "分4"]
    assert rows[1][2:5] == ["区域经理", datetime.datetime.combine(datetime.date.today(), datetime.time()), False]
    assert rows[1][5:] == [0, 0, 0, 0, 0]
    v = validations(ws)
    assert v["C"] == ("list", None, '"区域经理,销售代表"', None)
    assert v["D"][0] == "date" and v["E"] == ("list", None, '"TRUE,FALSE"', None)
    assert v["F"] == ("decimal", "between", "0", "20")
    results = attain.load(policy).run(read_table(out))
    assert [r["b"] for r in results.rows] == [0]


def test_names_head_the_columns_with_identifiers(tmp_path):
    out = tmp_path / "t.xlsx"
    r = invoke("template", DOC002, "--out", str(out), "--lang", "en", "--headers", "names")
    assert r.exit_code == 0, r.stderr
    header = [c.value for c in openpyxl.load_workbook(out).worksheets[0][1]]
    assert header[:5] == ["id", "period", "region", "sales_target", "sales"]


def test_a_template_is_a_workbook(tmp_path):
    r = invoke("template", DOC002, "--out", str(tmp_path / "t.csv"))
    assert r.exit_code == 2 and "error[U504]" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("policy", FIXED, ids=ident)
def test_every_library_policy_runs_on_its_template(policy, tmp_path):
    out = tmp_path / "t.xlsx"
    r = invoke("template", str(policy), "--out", str(out), "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    assert "refuses every example row" not in r.stderr
    loaded = attain.load(policy)
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[0] == "编号"
    assert (header[1] == "期间") == (loaded.tree.header.period is not None)
    lines = loaded.model.lines
    measured = {m.name for m in lines.measures} if lines is not None else set()  # computed from line sheets
    for name, inp in loaded.model.inputs.items():
        assert (inp.label or name) in header or any(name in p.model.outputs for p in loaded.parts) or name in measured
    results = loaded.run(read_table(out))
    assert len(results.rows) == 1 and results.rows[0][results.columns[0]] == "S001"
