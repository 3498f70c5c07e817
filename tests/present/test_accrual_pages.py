"""Statements of plans that sum over the plan year: each sum shown as written, with the periods it added."""

import html
from pathlib import Path

from click.testing import CliRunner

from attain.cli import main

HOLDBACK = Path(__file__).resolve().parents[2] / "policies" / "holdback"


def test_a_statement_shows_the_months_a_release_adds_up_in_the_pages_language(tmp_path):
    for lang in ("en", "zh"):
        r = CliRunner().invoke(main, ["statement", str(HOLDBACK / "commission.policy"), "--data",
                                      str(HOLDBACK / "sample.csv"), "--who", "A", "--period", "2023-06", "--out",
                                      str(tmp_path / lang), "--lang", lang])
        assert r.exit_code == 0, r.output
        page = html.unescape((tmp_path / lang / "A-2023-06.html").read_text(encoding="utf-8"))
        # June ends the plan quarter: the holdbacks of April (1,000.00), May (600.00) and June (800.00) are released.
        sum_line = "quarter_to_date(held){} 2023-04 1,000.00 + 2023-05 600.00 + 2023-06 800.00 = 2,400.00"
        assert sum_line.format(":" if lang == "en" else "：").replace("： ", "：") in page
        assert "quarter_to_date(800.00)" not in page  # the sum is not this month's held in its place
    assert "last_period_of_quarter = 是：2023-06 是计划季度的最后一个周期（计划年度从四月开始）" in page
