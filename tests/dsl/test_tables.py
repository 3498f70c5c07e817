"""Rate tables and curves: named tables, grids, tables kept in files, curves and explicit bound sides.

Every number is worked by hand in the comments; each runs on every engine.
"""

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.dsl.formatter import format_policy
from attain.dsl.parser import parse

ENGINES = ("python", "reference")

TIERED = '''policy "tiered"
input attainment : percent
input level      : text one of "P1", "P2"
input sales      : money

table rate
    below 50%                         -> 2%
    from 50% up to and including 100% -> 4%
    above 100%                        -> 6%

table grid
    columns    below 80% | 80% to 100% | from 100%
    "P1"    -> 0%        | 2%          | 3%
    "P2"    -> 0%        | 2.5%        | 4%

factor = curve attainment
    below 70%  -> 0%
    70%        -> 0%
    100%       -> 100%
    150%       -> 200%
    above 150% -> 200%

own   = sales * rate(attainment)
grid_pay = sales * grid(level, attainment)
total = own + grid_pay * factor
output factor, own, grid_pay, total
'''


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def run(tmp_path: Path, policy: str, data: str, engine: str, files: dict[str, str] | None = None) -> dict:
    write(tmp_path, {"p.policy": policy, "d.csv": data, **(files or {})})
    results = attain.load(tmp_path / "p.policy").run(tmp_path / "d.csv", engine=engine)
    return {r["id"]: r for r in results.rows}


@pytest.mark.parametrize("engine", ENGINES)
def test_named_tables_grids_and_curves(tmp_path, engine):
    rows = run(tmp_path, TIERED, "id,attainment,level,sales\nA,85%,P1,1000\nB,100%,P2,2000\nC,50%,P2,500\n"
               "D,160%,P1,100\n", engine)
    # A: 85% -> rate 4% (50% up to and including 100%): 40; grid P1 x 80%-100%: 2% -> 20;
    #    curve 0% + 100% x (85% - 70%) / 30% = 50%; total 40 + 20 x 50% = 50
    assert (rows["A"]["factor"], rows["A"]["own"], rows["A"]["grid_pay"], rows["A"]["total"]) == (
        Decimal("0.5"), Decimal("40"), Decimal("20"), Decimal("50"))
    # B: exactly 100% is held by `up to and including 100%` -> 4%: 80; grid P2 `from 100%` -> 4%: 80;
    #    curve at the point 100% -> 100%; total 80 + 80 = 160
    assert (rows["B"]["own"], rows["B"]["grid_pay"], rows["B"]["total"]) == (Decimal("80"), Decimal("80"),
                                                                           Decimal("160"))
    # C: exactly 50% is held by `from 50%` -> 4%: 20; below 70% the curve pays 0%; total 20
    assert (rows["C"]["own"], rows["C"]["factor"], rows["C"]["total"]) == (Decimal("20"), Decimal("0"),
                                                                          Decimal("20"))
    # D: 160% -> 6%: 6; grid P1 from 100% -> 3%: 3; curve capped at 200%; total 6 + 3 x 2 = 12
    assert (rows["D"]["own"], rows["D"]["factor"], rows["D"]["total"]) == (Decimal("6"), Decimal("2"),
                                                                          Decimal("12"))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_curve_is_exact_between_points(tmp_path, engine):
    rows = run(tmp_path, TIERED, "id,attainment,level,sales\nE,77%,P1,300\n", engine)
    # 77%: 100% x 7% / 30% = 7/30 of 300 (grid P1 80%-100%? no: 77% is below 80% -> 0%); own 300 x 4% = 12
    assert rows["E"]["own"] == Decimal("12")
    assert rows["E"]["factor"] == Fraction(7, 30)  # exact: no finite decimal


@pytest.mark.parametrize("engine", ENGINES)
def test_a_retroactive_bracket_says_which_side_of_its_bound_it_holds(tmp_path, engine):
    policy = ('policy "b"\ninput sales : money\ninput quota : money\n'
              "below_ = retroactive sales relative to quota\n    below 100% at 1%\n    above at 2%\n"
              "upto = retroactive sales relative to quota\n    up to and including 100% at 1%\n    above at 2%\n"
              "output below_, upto\n")
    rows = run(tmp_path, policy, "id,sales,quota\nA,100,100\nB,99,100\n", engine)
    # A: exactly the quota: `below 100%` does not hold it -> 2% = 2; `up to and including 100%` does -> 1
    assert (rows["A"]["below_"], rows["A"]["upto"]) == (Decimal("2"), Decimal("1"))
    assert (rows["B"]["below_"], rows["B"]["upto"]) == (Decimal("0.99"), Decimal("0.99"))


def test_the_formatter_keeps_tables_and_is_idempotent():
    once = format_policy(TIERED)
    assert format_policy(once) == once
    assert '    columns    below 80% | 80% to 100% | from 100%\n    "P1"    -> 0%        | 2%          | 3%\n' in once
    assert "    from 50% up to and including 100% -> 4%\n" in once and "    above 150% -> 200%\n" in once
    assert parse(once) == parse(TIERED)


def findings(tmp_path: Path, policy: str, files: dict[str, str] | None = None) -> list[tuple[str, int, int]]:
    write(tmp_path, {"p.policy": policy, **(files or {})})
    return [(d.code, d.span.line, d.span.col) for d in attain.check(tmp_path / "p.policy") if d.span]


H = 'policy "p"\ninput a : percent\n'


def test_overlapping_rows_are_found_where_the_table_is_defined(tmp_path):
    policy = H + "table r\n    from 50% up to and including 100% -> 1%\n    from 100% -> 2%\n    below 50% -> 0%\n" \
        "x = r(a)\noutput x\n"
    assert ("C217", 5, 10) in findings(tmp_path, policy)  # at the row that overlaps


def test_a_gap_is_found_at_the_use(tmp_path):
    # `below 50%` and `above 50%` leave exactly 50% to no row
    policy = H + "table r\n    below 50% -> 1%\n    above 50% -> 2%\nx = a * r(a)\noutput x\n"
    found = findings(tmp_path, policy)
    assert ("C216", 6, 9) in found


def test_curve_points_must_rise(tmp_path):
    policy = H + "x = curve a\n    below 70% -> 0%\n    100% -> 1\n    70% -> 0%\n    above 100% -> 1\noutput x\n"
    assert ("C283", 6, 5) in findings(tmp_path, policy)


def test_a_table_file_is_checked_cell_by_cell(tmp_path):
    policy = H + 'input g : text one of "P1", "P2"\ntable r from "r.csv"\nx = r(g, a)\noutput x\n'
    rates = "level,below 50%,from 40%\nP1,1%,2%\nP2,1%,lots\n"
    found = findings(tmp_path, policy, {"r.csv": rates})
    assert ("C217", 1, 17) in found  # `from 40%` overlaps `below 50%`: the header's third cell
    assert ("C281", 3, 7) in found  # 'lots' is not a number


def test_a_missing_table_file_is_one_error_at_its_name(tmp_path):
    found = findings(tmp_path, H + 'table r from "nowhere.csv"\nx = r(a)\noutput x\n')
    assert found == [("C280", 3, 14)]


def test_run_explain_and_the_manifest_read_the_table_file(tmp_path):
    policy = ('policy "grid"\ninput level : text one of "P1", "P2"\ninput sales : money\n'
              'table rate from "rates.csv"\ncommission = sales * rate(level, sales)\noutput commission\n')
    rates = "level,below 100000,from 100000\nP1,2%,3%\nP2,2.5%,3.5%\n"
    write(tmp_path, {"p.policy": policy, "rates.csv": rates, "d.csv": "id,level,sales\nA,P2,100000\n"})
    runner = CliRunner()
    out = tmp_path / "out.json"
    r = runner.invoke(main, ["run", str(tmp_path / "p.policy"), "--data", str(tmp_path / "d.csv"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    document = json.loads(out.read_text(encoding="utf-8"))
    # 100,000 is held by `from 100000` -> 3.5%: 3,500
    assert document["rows"][0]["commission"] == "3500"
    paths = [p["path"] for p in document["manifest"]["policies"]]
    assert paths == [str(tmp_path / "p.policy"), str(tmp_path / "rates.csv")]
    assert all(p["sha256"] for p in document["manifest"]["policies"])
    r = runner.invoke(main, ["explain", str(tmp_path / "p.policy"), "--data", str(tmp_path / "d.csv"), "--who", "A"])
    assert r.exit_code == 0, r.output
    assert (f'rate(level = "P2", sales = 100,000): row `"P2"`, column `from 100000` -> 3.5% '
            f"({tmp_path / 'rates.csv'}:3:9)")  # the cell `3.5%`, line 3, column 9 in r.output


def test_diff_names_the_cells_a_table_file_changed(tmp_path):
    policy = ('policy "grid"\ninput level : text one of "P1", "P2"\ninput sales : money\n'
              'table rate from "rates.csv"\ncommission = sales * rate(level, sales)\noutput commission\n')
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    header = "level,below 100000,from 100000\nP1,2%,3%\n"
    write(tmp_path / "old", {"p.policy": policy, "rates.csv": header + "P2,2.5%,3.5%\n"})
    write(tmp_path / "new", {"p.policy": policy, "rates.csv": header + "P2,2.5%,4%\n"})
    write(tmp_path, {"d.csv": "id,level,sales\nA,P2,100000\n"})
    r = CliRunner().invoke(main, ["diff", str(tmp_path / "old" / "p.policy"), str(tmp_path / "new" / "p.policy"),
                                  "--data", str(tmp_path / "d.csv")])
    assert r.exit_code == 0, r.output
    assert 'rate: row "P2", column from 100000: 3.5% -> 4%' in r.output
    # A: 100,000 x 3.5% = 3,500 -> 100,000 x 4% = 4,000
    assert "3500" in r.output.replace(",", "") and "4000" in r.output.replace(",", "")


def test_a_table_file_of_a_git_revision_is_refused_not_read_from_disk(tmp_path):
    tree = parse(H + 'table r from "r.csv"\nx = r(a)\noutput x\n', str(tmp_path / "p.policy@HEAD~1"))
    write(tmp_path, {"r.csv": "a,rate\nbelow 50%,1%\nfrom 50%,2%\n"})
    with pytest.raises(AttainError) as e:
        attain.loads(H + 'table r from "r.csv"\nx = r(a)\noutput x\n', str(tmp_path / "p.policy@HEAD~1"))
    assert [d.code for d in e.value.diagnostics] == ["C280"]
    assert tree.statements[1].source == "r.csv"
