"""Versions: effective and until dates, and a folder of versions run period by period."""

from decimal import Decimal

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError

V1 = """policy "pay"
version "2023.1"
effective 2023-01-01
until 2023-03-31
period month
input sales : money
total = rolling_sum(sales, 12)
payout pay = sales * 1%
output total
"""
V2 = V1.replace('version "2023.1"', 'version "2023.2"').replace("effective 2023-01-01\nuntil 2023-03-31",
                                                              "effective 2023-04-01").replace("1%", "2%")
DATA = "id,period,sales\nA,2023-02,100\nA,2023-03,100\nA,2023-04,100\nA,2023-05,100\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "a.policy").write_text(V1, encoding="utf-8")
    (tmp_path / "v" / "b.policy").write_text(V2, encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


def test_running_outside_the_dates_names_both(folder):
    with pytest.raises(AttainError) as e:
        attain.load(folder / "v" / "a.policy").run(folder / "d.csv")
    first = e.value.diagnostics[0]
    assert first.code == "E320"
    assert first.message.startswith("2023-04 is outside the dates of")
    assert "(from 2023-01-01 until 2023-03-31)" in first.message


def test_folder_picks_the_version_in_force_for_each_period(folder):
    results = attain.load_versions(folder / "v").run(folder / "d.csv")
    rows = [(r["period"], r["version"], r["pay"], r["total"]) for r in results.rows]
    # 1% until March, 2% from April; the rolling total keeps the history across versions
    assert rows == [("2023-02", "2023.1", Decimal("1"), Decimal("100")), ("2023-03", "2023.1", Decimal("1"), 200),
                    ("2023-04", "2023.2", Decimal("2"), 300), ("2023-05", "2023.2", Decimal("2"), 400)]
    assert results.columns == ("id", "period", "version", "pay", "total")


def test_a_period_no_version_covers_is_an_error(folder):
    (folder / "d.csv").write_text("id,period,sales\nA,2022-12,100\n", encoding="utf-8")
    with pytest.raises(AttainError) as e:
        attain.load_versions(folder / "v").run(folder / "d.csv")
    assert e.value.diagnostics[0].code == "E321"


def test_cli_runs_a_folder(folder):
    r = CliRunner().invoke(main, ["run", str(folder / "v"), "--data", str(folder / "d.csv")])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "id,period,version,pay,total"
    assert r.stdout.splitlines()[3] == "A,2023-04,2023.2,2,300"
