"""Data that reads without an error but means something else: total rows, percents as points, near headers.

Each was paid silently before: a total row as an employee, 95 in a percent column as
9,500%, a column `回款率（%）` not matched to its input (or its default used instead).
"""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.engine.bind import _cell_specs, _converter, _row_reader
from attain.engine.screen import is_total
from attain.io import CellError, Row, Table

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies/doc002/incentive.policy"
SAMPLE = (ROOT / "policies/doc002/sample.csv").read_text(encoding="utf-8")
# The sample with a filled-in total row: sums, and averages of the rates.
TOTAL_ROW = '合计,,全部,"1,500,000","1,607,000",35,30,93.67%,4.5,1,8.23,92.67%,30000\n'
# The sample with 回款率 typed as whole numbers (95 for 95%).
POINTS = SAMPLE.replace(",95%,", ",95,").replace(",88%,", ",88,").replace(",98%,", ",98,")


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def codes(error: AttainError) -> list[str]:
    return [d.code for d in error.diagnostics]


def table(columns, *rows, file="d.csv") -> Table:
    cells = (dict(zip(columns, r, strict=True)) for r in rows)
    return Table(file, tuple(columns), tuple(Row(i + 2, c) for i, c in enumerate(cells)))


# ---------------------------------------------------------------- total rows


@pytest.mark.parametrize("text", ["合计", "总计", "小计", "总和", "汇总", "华东合计", "华东 小计", "合计：",
                                  "Total", "TOTAL", "Subtotal", "Sub-total", "Grand total", "Grand Total:",
                                  "Sum", "sum", "East total", "Total (East)", "ＴＯＴＡＬ", "小計"])
def test_totals_are_recognised(text):
    assert is_total(text)


@pytest.mark.parametrize("text", ["S001", "E000123", "张三", "Tom", "Summer", "Summary", "Totality", "sumo",
                                  "Tsum", "总监"])
def test_ordinary_ids_are_not_totals(text):
    assert not is_total(text)


def test_a_total_row_is_refused_and_nothing_is_written(tmp_path):
    data = tmp_path / "total.csv"
    data.write_text(SAMPLE + TOTAL_ROW, encoding="utf-8")
    out = tmp_path / "out.csv"
    r = invoke("run", POLICY, "--data", data, "--out", out)
    assert r.exit_code == 1
    assert "error[D430]: '合计' reads like a total or subtotal row, which would be paid as an employee" in r.stderr
    assert f"--> {data}:5:1" in r.stderr
    assert "--allow-id 合计" in r.stderr
    assert not out.exists() and not (tmp_path / "out.csv.manifest.json").exists()


def test_allow_id_pays_an_employee_whose_id_reads_like_a_total(tmp_path):
    # An employee really called "Sum": the option names that id, and only that one.
    data = tmp_path / "d.csv"
    data.write_text(SAMPLE.replace("S002", "Sum"), encoding="utf-8")
    assert invoke("run", POLICY, "--data", data, "--format", "csv").exit_code == 1
    r = invoke("run", POLICY, "--data", data, "--format", "csv", "--allow-id", "Sum")
    assert r.exit_code == 0, r.stderr
    # S002's numbers (4,760.00: see policies/doc002/incentive.test.yaml), under its new id.
    assert "Sum,false,华北,0.85,59.5,progress,0.00,4760.00" in r.stdout
    data.write_text(SAMPLE.replace("S002", "Sum") + TOTAL_ROW, encoding="utf-8")
    r = invoke("run", POLICY, "--data", data, "--format", "csv", "--allow-id", "Sum")
    assert r.exit_code == 1 and "error[D430]: '合计'" in r.stderr


def test_a_total_row_without_an_id_is_named_by_its_first_text():
    policy = attain.loads('policy "p"\ninput sales : money\noutput sales\n')
    with pytest.raises(AttainError) as e:
        policy.run(table(("id", "name", "sales"), ("A", "张三", "1"), (None, "华东小计", "1")))
    (d,) = e.value.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("D430", 3, 2)
    assert d.message == "this row has no employee id and its name reads '华东小计': a total or subtotal row"


def test_every_total_row_is_reported_through_the_api():
    policy = attain.loads('policy "p"\ninput sales : money\noutput sales\n')
    with pytest.raises(AttainError) as e:
        policy.run(table(("id", "sales"), ("A", "1"), ("East subtotal", "1"), ("B", "2"), ("Grand Total", "3")))
    assert [(d.code, d.span.line) for d in e.value.diagnostics] == [("D430", 3), ("D430", 5)]
    rows = policy.run(table(("id", "sales"), ("A", "1"), ("Total", "1")), allow_ids=("Total",)).rows
    assert [(r["id"], r["sales"]) for r in rows] == [("A", Decimal("1")), ("Total", Decimal("1"))]


# ---------------------------------------------------------------- percents typed as points


def test_percent_points_are_refused_with_the_cell_and_a_hint(tmp_path):
    data = tmp_path / "points.csv"
    data.write_text(POINTS, encoding="utf-8")
    r = invoke("run", POLICY, "--data", data, "--format", "csv")
    assert r.exit_code == 1 and r.stdout == ""
    assert "error[D431]: percent column '回款率' holds 95, which reads as 9,500%: is it written as points?" in r.stderr
    # The cell's characters in its line (S001,张*,华东,"500,000","575,000",12,10,95,...): column 38, field 8.
    assert f"--> {data}:2:38" in r.stderr
    assert '`input collection_rate : percent "回款率" written as points` (95 is 95%)' in r.stderr
    assert "write 95% or 0.95 in the data" in r.stderr


@pytest.mark.parametrize("engine", ["python", "reference"])
def test_written_as_points_reads_95_as_95_percent_in_every_engine(tmp_path, engine):
    policy = tmp_path / "p.policy"
    policy.write_text(POLICY.read_text(encoding="utf-8").replace(
        'input collection_rate    : percent "回款率"', 'input collection_rate    : percent "回款率" written as points'),
        encoding="utf-8")
    data = tmp_path / "points.csv"
    data.write_text(POINTS, encoding="utf-8")
    rows = {r["编号"]: r for r in attain.load(policy).run(data, engine=engine).rows}
    # The sample's results (policies/doc002/incentive.test.yaml). S002: total score 59.5, coefficient 1.0,
    # 10,000 * 59.5% = 5,950, and 88 (= 88%) < 90% pays 80%: 4,760.00. Read as 8,800% it paid 6,700.00.
    assert {k: r["bonus_total"] for k, r in rows.items()} == {
        "S001": Decimal("10200.00"), "S002": Decimal("4760.00"), "S003": Decimal("20000.00")}


POINT_POLICY = 'policy "p"\ninput r : percent{written}\ninput base : money\npayout pay = round(base * r, 0.01)\n'


def pay(cells, written="", engine="python"):
    policy = attain.loads(POINT_POLICY.format(written=written))
    rows = [(f"E{i}", c, "1000") for i, c in enumerate(cells)]
    return [r["pay"] for r in policy.run(table(("id", "r", "base"), *rows), engine=engine).rows]


@pytest.mark.parametrize("cells", [
    ["95", "88", "100"],        # all whole, 2 or more
    ["95", "88", "0"],          # a 0 among them changes nothing
    ["1", "0", "2"],            # 2 = 200%? or 2%? ask
    ["0.95", "95.5"],           # above 10 (1,000%)
    ["95%", "88"],              # a plain 88 among percents
    ["-15", "20"],              # growth in points
    ["1,200", "0.5"],           # 120,000%
])
def test_plain_numbers_that_look_like_points_are_refused(cells):
    with pytest.raises(AttainError) as e:
        pay(cells)
    assert codes(e.value) == ["D431"]


@pytest.mark.parametrize(("cells", "paid"), [
    (["0.95", "1.2"], ["950.00", "1200.00"]),
    (["95%", "0.95"], ["950.00", "950.00"]),      # a sign or a fraction: both 95%
    (["1", "0"], ["1000.00", "0.00"]),            # 1 is 100% and 0 is 0%: whole numbers below 2 are fractions
    (["1", "0", "0.5", "2"], ["1000.00", "0.00", "500.00", "2000.00"]),  # a fraction says how 2 is written
    (["10", "0.5"], ["10000.00", "500.00"]),      # up to 1,000% with a fraction beside it
    (["95 %", "88％"], ["950.00", "880.00"]),
])
def test_columns_written_as_fractions_or_with_signs_read_as_before(cells, paid):
    assert pay(cells) == [Decimal(p) for p in paid]


@pytest.mark.parametrize("engine", ["python", "reference"])
def test_written_as_declares_how_plain_numbers_read(engine):
    # points: 95 is 95%, 95% is 95%, 0.5 is 0.5%, 1,200 is 1,200%: 1,000 * each.
    assert pay(["95", "95%", "0.5", "1,200", "-3"], " written as points", engine) == [
        Decimal("950.00"), Decimal("950.00"), Decimal("5.00"), Decimal("12000.00"), Decimal("-30.00")]
    # decimals: as without `written as`, and never refused: 2 is 200%.
    assert pay(["2", "3", "95%"], " written as decimals", engine) == [
        Decimal("2000.00"), Decimal("3000.00"), Decimal("950.00")]


def test_a_range_applies_to_the_value_read_from_points():
    policy = attain.loads('policy "p"\ninput r : percent written as points in 0% .. 150%\noutput r\n')
    assert [r["r"] for r in policy.run(table(("id", "r"), ("A", "120"))).rows] == [Decimal("1.2")]
    with pytest.raises(AttainError) as e:
        policy.run(table(("id", "r"), ("A", "151")))
    assert codes(e.value) == ["D413"]


CELLS = ["95", "95%", "95 %", "0.95", "95.5", "1,234.5", "-3", "-0.5", "007", "12.", " 95", "95.000",
         "1e3", "９５", "abc", "", "+5", "1_000"]


@pytest.mark.parametrize("written", [None, "points", "decimals"])
def test_the_generated_reader_and_the_converter_agree(written):
    # The compiled row reader reads plain forms inline and hands others to the converter, which
    # `_bad_cells` and computed cells use; they must give one value, or both refuse the cell.
    decl = f" written as {written}" if written else ""
    policy = attain.loads(f'policy "p"\ninput r : percent{decl}\noutput r\n')
    plan = policy.plan
    specs = _cell_specs(plan, {"r": "r"})
    read = _row_reader(plan, {"r": "r"}, specs)
    convert = _converter("percent", True, None, frozenset(), written == "points")
    for text in CELLS:
        try:
            fast = Fraction(*read({"r": text})[0][0])
        except CellError:
            fast = "refused"
        try:
            slow = Fraction(*convert(text))
        except CellError:
            slow = "refused"
        assert fast == slow, text


# ---------------------------------------------------------------- columns by near names


NEAR = ('policy "p"\ninput sales_target : money "销售额目标"\ninput collection_rate : percent "回款率"\n'
        "payout pay = round(sales_target * collection_rate, 0.01)\n")


def test_a_header_that_matches_after_normalising_is_read_with_a_warning(tmp_path):
    policy = tmp_path / "p.policy"
    policy.write_text(NEAR, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text('id,"销售额\n目标",回款率（%）,姓名\nA,"1,000",95%,张三\n', encoding="utf-8")
    results = attain.load(policy).run(data)
    assert [r["pay"] for r in results.rows] == [Decimal("950.00")]  # 1,000 * 95%
    assert [(d.code, d.severity, d.span.col) for d in results.warnings] == [
        ("D432", "warning", 2), ("D432", "warning", 3)]
    assert results.warnings[1].message == (
        "input 'collection_rate' reads column '回款率（%）', which is '回款率' once spaces, line breaks, "
        "full-width forms and case and the unit (%) are set aside")
    r = invoke("run", policy, "--data", data, "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[1] == "A,950.00"
    assert "warning[D432]: input 'sales_target' reads column '销售额\\n目标'" in r.stderr


def test_a_near_header_on_a_percent_column_still_refuses_points(tmp_path):
    policy = attain.loads(NEAR)
    with pytest.raises(AttainError) as e:
        policy.run(table(("id", "销售额目标", "回款率(%)"), ("A", "1000", "95"), ("B", "1000", "88")))
    assert codes(e.value) == ["D431"]


def test_two_headers_that_fit_one_input_are_an_error_naming_both():
    policy = attain.loads(NEAR)
    with pytest.raises(AttainError) as e:
        policy.run(table(("id", "销售额目标", "回款率 (%)", "回款率（％）"), ("A", "1000", "95%", "90%")))
    (d,) = e.value.diagnostics
    assert d.code == "D433"
    assert d.message == "2 columns fit input 'collection_rate' or '回款率': '回款率 (%)', '回款率（％）'"


def test_a_unit_that_scales_the_values_is_never_matched():
    policy = attain.loads(NEAR)
    with pytest.raises(AttainError) as e:
        policy.run(table(("id", "销售额目标（万元）", "回款率"), ("A", "50", "95%")))
    (d,) = e.value.diagnostics
    assert d.code == "D434"
    assert d.message == ("column '销售额目标（万元）' fits input 'sales_target' or '销售额目标' but is in 万元, "
                         "and attain does not rescale data")
    # A unit that does not scale the values is set aside: 1,000 yuan * 95%.
    rows = policy.run(table(("id", "销售额目标(元)", "回款率"), ("A", "1000", "95%"))).rows
    assert [r["pay"] for r in rows] == [Decimal("950.00")]


def test_a_missing_column_suggests_a_near_header_and_lists_the_unused_ones(tmp_path):
    policy = tmp_path / "p.policy"
    policy.write_text(NEAR, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,销售目标,回款率,姓名,period\nA,1000,95%,张三,2023-07\n", encoding="utf-8")
    r = invoke("run", policy, "--data", data)
    assert r.exit_code == 1
    assert "error[D411]: the data has no column for input 'sales_target' or '销售额目标'" in r.stderr
    assert "help: did you mean '销售目标'?; columns no input reads: '销售目标', '姓名'" in r.stderr


def test_an_input_with_a_default_reads_a_near_header_rather_than_its_default():
    policy = attain.loads('policy "p"\ninput bonus : money "奖金" default 0\noutput bonus\n')
    results = policy.run(table(("id", "奖金 (元)"), ("A", "500")))
    assert [r["bonus"] for r in results.rows] == [Decimal("500")]
    assert [d.code for d in results.warnings] == ["D432"]
