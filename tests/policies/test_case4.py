"""Document 003, case 4: monthly KPI scores rolled into quarterly pay, with the assessor's override.

The document gives no numbers for case 4; the library's own example (the quarter as the mean of
its months, the override with and without a written reason) is asserted in
policies/case4/quarterly.test.yaml; here, the explanation.
"""

from pathlib import Path

from click.testing import CliRunner

from attain.cli import main

HERE = Path(__file__).resolve().parents[2] / "policies" / "case4"


def test_explain_shows_the_months_behind_the_quarter():
    r = CliRunner().invoke(main, ["explain", str(HERE / "quarterly.policy"), "--data", str(HERE / "sample.csv"),
                                  "--who", "M01", "--value", "pay"])
    assert r.exit_code == 0, r.stderr
    assert "post_score = 83   (from " in r.stdout
    assert "lines 2, 3, 4 (mean), column post_score" in r.stdout
