"""Document 003, case 4: monthly KPI scores rolled into quarterly pay, with the assessor's override."""

from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

import attain
from attain.cli import main

HERE = Path(__file__).resolve().parents[2] / "policies" / "case4"


def rows():
    results = attain.load(HERE / "quarterly.policy").run(HERE / "sample.csv")
    return {r["id"]: r for r in results.rows}


def test_the_quarter_is_the_mean_of_its_months():
    m01 = rows()["M01"]
    # post:  Jul 90*50% + 80*30% + 70*20% = 83; Aug 50 + 27 + 16 = 93; Sep 40 + 21 + 12 = 73 -> mean 83
    # performance: Jul 40 + 21 + 18 = 79; Aug 45 + 24 + 20 = 89; Sep 35 + 18 + 16 = 69 -> mean 79
    assert (m01["period"], m01["quarter_post"], m01["quarter_performance"]) == ("2023Q3", 83, 79)
    # sales management weights 40% / 60% of 10,000: 4,000 * 83/100 + 6,000 * 79/100 = 3,320 + 4,740
    assert m01["pay"] == Decimal("8060.00")
    assert m01["override_without_reason"] is False


def test_the_assessors_written_override_replaces_the_mean():
    r01 = rows()["R01"]
    # post: 53, 63, 73 -> 63; performance corrected to 90 in September with a written reason
    assert (r01["quarter_post"], r01["quarter_performance"]) == (63, 90)
    # sales weights 30% / 70% of 8,000: 2,400 * 63/100 + 5,600 * 90/100 = 1,512 + 5,040
    assert r01["pay"] == Decimal("6552.00")
    assert r01["override_without_reason"] is False


def test_an_override_without_a_reason_is_flagged():
    r02 = rows()["R02"]
    # post corrected to 95 with no reason: 2,400 * 95/100 + 5,600 * 100/100 = 2,280 + 5,600
    assert (r02["quarter_post"], r02["pay"], r02["override_without_reason"]) == (95, Decimal("7880.00"), True)


def test_explain_shows_the_months_behind_the_quarter():
    r = CliRunner().invoke(main, ["explain", str(HERE / "quarterly.policy"), "--data", str(HERE / "sample.csv"),
                                  "--who", "M01", "--value", "pay"])
    assert r.exit_code == 0, r.stderr
    assert "post_score = 83   (from " in r.stdout
    assert "lines 2, 3, 4 (mean), column post_score" in r.stdout
