"""Long numbers: a policy literal or a data cell of more than `limits.MAX_DIGITS` digits is refused where it
stands; a huge value computed from legal ones is written in full, never an internal error.

Python refuses to turn text of more than 4,300 digits into an int (and an int into text); no path
may reach that limit.
"""

import json

import openpyxl
import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.limits import MAX_DIGITS

H = 'policy "p"\ninput a : number\n'


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert "internal error" not in result.stderr
    return result


@pytest.mark.parametrize("literal", ["9" * 5000, "9" * (MAX_DIGITS + 1), "1." + "5" * MAX_DIGITS,
                                     "¥" + "1" * 5000, "1" * 5000 + "%"])
def test_a_long_literal_is_refused_at_the_literal(literal):
    with pytest.raises(AttainError) as e:
        attain.loads(H + f"b = a * {literal}\noutput b\n", "p.policy")
    (d,) = e.value.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("P118", 3, 9)
    assert f"at most {MAX_DIGITS}" in d.message


def test_a_literal_of_the_limit_is_fine():
    policy = attain.loads(H + f"b = a * {'1' * MAX_DIGITS}\noutput b\n")
    assert policy.model is not None


def test_long_whole_numbers_of_the_grammar_are_refused_too():
    with pytest.raises(AttainError) as e:
        attain.loads('policy "p"\nperiod month ending day ' + "2" * 5000 + "\n")
    assert [d.code for d in e.value.diagnostics] == ["P118"]


def _data(tmp_path, kind: str, cell: str):
    path = tmp_path / f"d.{kind}"
    if kind == "csv":
        path.write_text(f"id,a\nx,{cell}\n", encoding="utf-8")
    elif kind == "json":
        path.write_text('[{"id": "x", "a": ' + cell + "}]", encoding="utf-8")
    elif kind == "yaml":
        path.write_text(f"- id: x\n  a: {cell}\n", encoding="utf-8")
    else:
        wb = openpyxl.Workbook()
        wb.active.append(["id", "a"])
        wb.active.append(["x", cell])
        wb.save(path)
    return str(path)


@pytest.mark.parametrize("kind", ["csv", "json", "yaml", "xlsx"])
@pytest.mark.parametrize("cell", ["9" * 5000, "1" * (MAX_DIGITS + 1), "-0." + "1" * 4400])
def test_a_long_number_in_a_data_cell_is_d413_at_the_cell(tmp_path, kind, cell):
    policy = tmp_path / "p.policy"
    policy.write_text(H + "b = a\noutput b\n", encoding="utf-8")
    r = invoke("run", str(policy), "--data", _data(tmp_path, kind, cell))
    assert r.exit_code == 1
    assert f"error[D413]: expected a number of at most {MAX_DIGITS} digits" in r.stderr
    assert f"({len(cell):,} characters)" in r.stderr  # the cell is shown cut short, not in full
    # At the cell's own characters: after "x," in the CSV line, the value of "a" in the JSON record and the
    # YAML mapping, and the sheet cell B2.
    where = {"csv": "d.csv:2:3", "json": "d.json:1:19", "yaml": "d.yaml:2:6", "xlsx": "d.xlsx:2:2"}[kind]
    assert where in r.stderr


def test_a_cell_of_the_limit_is_read_exactly(tmp_path):
    policy = attain.loads(H + "b = a + 1\noutput b\n")
    rows = policy.run(_data(tmp_path, "csv", "9" * MAX_DIGITS)).rows
    assert str(rows[0]["b"]) == "1" + "0" * MAX_DIGITS  # 99...9 + 1


# 250-digit inputs multiplied 20 times: 10^5000, more digits than Python turns into text by itself;
# divided by 3 it has no finite decimal, divided by 8 it ends in 125 after 3 places.
HUGE = H + "p = " + " * ".join(["a"] * 20) + "\nthird = p / 3\neighth = p / 8\noutput p, third, eighth\n"


@pytest.fixture
def huge(tmp_path):
    policy = tmp_path / "huge.policy"
    policy.write_text(HUGE, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("id,a\nx,1" + "0" * 250 + "\n", encoding="utf-8")
    return str(policy), str(data)


@pytest.mark.parametrize("engine", ["python", "reference"])
def test_huge_values_are_written_in_full(huge, tmp_path, engine):
    policy, data = huge
    r = invoke("run", policy, "--data", data, "--format", "csv", "--engine", engine)
    assert r.exit_code == 0, r.stderr
    header, row = r.stdout.splitlines()
    p, third, eighth = row.split(",")[1:]
    assert p == "1" + "0" * 5000
    # 10^5000 / 3 = 333...3.333... shown to 20 places; 10^5000 / 8 = 125 followed by 4,997 zeros, exactly.
    assert third == "3" * 5000 + "." + "3" * 20
    assert eighth == "125" + "0" * 4997
    r = invoke("run", policy, "--data", data, "--format", "json", "--engine", engine)
    assert json.loads(r.stdout)["rows"][0]["p"] == p


@pytest.mark.parametrize("fmt", ["table", "xlsx"])
def test_huge_values_in_the_table_and_excel(huge, tmp_path, fmt):
    policy, data = huge
    out = tmp_path / f"o.{fmt}"
    r = invoke("run", policy, "--data", data, "--format", fmt, "--out", str(out))
    assert r.exit_code == 0, r.stderr
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out).active
        # No double holds it: the largest Excel number, and a note with the exact value.
        assert sheet["B2"].value == 9.99999999999999e307
        assert sheet["B2"].comment.text.startswith("Exact value: 1" + "0" * 5000 + "\n")
    else:
        # 5,000 threes grouped: 33, then 1,666 groups of 333; six places after "≈".
        assert "≈33," + ",".join(["333"] * 1666) + ".333333" in out.read_text(encoding="utf-8")


def test_huge_values_are_explained(huge):
    policy, data = huge
    r = invoke("explain", policy, "--data", data, "--who", "x", "--value", "third")
    assert r.exit_code == 0, r.stderr
    assert "third = ≈" + "3" * 5000 + ".333333" in r.stdout
