"""Line tables: per-line values, aggregates with filters, crediting, and the tables of a run, on every engine.

Every expected number is worked out by hand in the comment beside it.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_choice import LOCAL_ENGINES as ENGINES  # spark: in the corpus (tests/engines), a run costs seconds

import attain
from attain.cli import main
from attain.diagnostics import AttainError
from attain.io.datasets import tables_of

POLICY = '''policy "Deals"
period month

input target : money

lines deals "成交明细"
    input deal    : text    "合同号"
    input amount  : money   "金额"
    input product : text    one of "A", "B", "C"
    input status  : text    one of "won", "cancelled"
    input closed  : date    "成交日期"
    input share   : percent "分成比例"
    split share per deal
    credited = amount * share
    campaign = product = "B" and closed >= 2023-03-01 and closed <= 2023-03-31

won_sales   = sum(credited of deals where status = "won")
spiff_units = count(deals where campaign)
n_deals     = count(deals)
biggest     = max(amount of deals, else 0)
attainment  = won_sales / target
output won_sales, spiff_units, n_deals, biggest, attainment
'''

PEOPLE = "id,period,target\na1,2023-03,10000\nb2,2023-03,20000\na1,2023-04,10000\nb2,2023-04,20000\n"
DEALS = """id,period,合同号,金额,product,status,成交日期,分成比例
a1,2023-03,D1,1000,B,won,2023-03-05,60%
b2,2023-03,D1,1000,B,won,2023-03-05,40%
a1,2023-03,D2,500.50,A,won,2023-03-20,100%
b2,2023-03,D3,700,B,cancelled,2023-03-21,100%
a1,2023-04,D4,300,B,won,2023-04-02,100%
"""


def files(tmp: Path, policy: str = POLICY, people: str = PEOPLE, deals: str = DEALS) -> tuple[Path, Path, Path]:
    (tmp / "p.policy").write_text(policy, encoding="utf-8")
    (tmp / "people.csv").write_text(people, encoding="utf-8")
    (tmp / "deals.csv").write_text(deals, encoding="utf-8")
    return tmp / "p.policy", tmp / "people.csv", tmp / "deals.csv"


def run(tmp: Path, engine: str = "python", **kw) -> dict:
    policy, people, deals = files(tmp, **kw)
    results = attain.load(policy).run(tables_of(people, (("deals", deals),)), engine=engine)
    return {(r["id"], r["period"]): r for r in results.rows}


@pytest.mark.parametrize("engine", ENGINES)
def test_lines_are_computed_filtered_and_added_up_alike_on_every_engine(tmp_path, engine):
    rows = run(tmp_path, engine)
    # a1, March: D1 1,000 x 60% = 600 and D2 500.50 x 100% = 500.50, both won: 1,100.50; 1,100.50 / 10,000
    assert rows[("a1", "2023-03")]["won_sales"] == Decimal("1100.5")
    assert rows[("a1", "2023-03")]["attainment"] == Decimal("0.11005")
    # D1 is product B closed 5 March: in the campaign; D2 is product A
    assert rows[("a1", "2023-03")]["spiff_units"] == 1
    assert rows[("a1", "2023-03")]["biggest"] == Decimal("1000")
    # b2, March: D1 1,000 x 40% = 400 won; D3 cancelled, left out by the filter, but a campaign line
    assert rows[("b2", "2023-03")]["won_sales"] == Decimal("400")
    assert rows[("b2", "2023-03")]["spiff_units"] == 2
    # a1, April: D4 300 won, product B but after March
    assert rows[("a1", "2023-04")]["won_sales"] == Decimal("300")
    assert rows[("a1", "2023-04")]["spiff_units"] == 0
    # b2, April: no lines: the sum is 0, the count 0, the max the policy's `else 0`
    assert rows[("b2", "2023-04")]["won_sales"] == 0
    assert rows[("b2", "2023-04")]["n_deals"] == 0
    assert rows[("b2", "2023-04")]["biggest"] == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_mean_over_lines_is_exact(tmp_path, engine):
    policy = POLICY.replace("biggest     = max(amount of deals, else 0)",
                            "biggest     = mean(amount of deals, else 0) * 3")
    deals = ("id,period,合同号,金额,product,status,成交日期,分成比例\n"
             "a1,2023-03,D1,0.10,A,won,2023-03-01,100%\na1,2023-03,D2,0.20,A,won,2023-03-01,100%\n"
             "a1,2023-03,D3,0.40,A,won,2023-03-01,100%\n")
    rows = run(tmp_path, engine, policy=policy, people="id,period,target\na1,2023-03,1\n", deals=deals)
    # (0.10 + 0.20 + 0.40) / 3 = 0.7 / 3, times 3 is exactly 0.7 (a float mean would not be)
    assert rows[("a1", "2023-03")]["biggest"] == Decimal("0.7")


def test_the_mean_min_or_max_of_no_lines_needs_an_else(tmp_path):
    policy = POLICY.replace("max(amount of deals, else 0)", "max(amount of deals)")
    with pytest.raises(AttainError) as e:
        run(tmp_path, policy=policy)
    (d,) = e.value.diagnostics
    assert d.code == "E340" and "b2 in 2023-04" in d.message and "max(amount of deals)" in d.message


def test_lines_dated_are_bucketed_into_the_policys_periods(tmp_path):
    policy = POLICY.replace("period month", "period month ending day 25")
    deals = ("id,date,合同号,金额,product,status,成交日期,分成比例\n"
             "a1,2023-03-25,D1,100,A,won,2023-03-25,100%\n"
             "a1,2023-03-26,D2,7,A,won,2023-03-26,100%\n")
    rows = run(tmp_path, policy=policy, deals=deals)
    # a month ending on the 25th: 25 March is in March, 26 March in April
    assert rows[("a1", "2023-03")]["won_sales"] == Decimal("100")
    assert rows[("a1", "2023-04")]["won_sales"] == Decimal("7")


def test_a_deal_split_across_two_periods_is_one_deal(tmp_path):
    deals = ("id,period,合同号,金额,product,status,成交日期,分成比例\n"
             "a1,2023-03,D1,1000,A,won,2023-03-05,70%\nb2,2023-04,D1,1000,A,won,2023-03-05,30%\n")
    rows = run(tmp_path, deals=deals)
    # 70% in March and 30% in April add up to 100%: each row is credited in its own period
    assert rows[("a1", "2023-03")]["won_sales"] == Decimal("700")
    assert rows[("b2", "2023-04")]["won_sales"] == Decimal("300")


def test_shares_that_do_not_add_up_are_refused_naming_the_deal_its_rows_and_the_sum(tmp_path):
    deals = DEALS.replace("b2,2023-03,D1,1000,B,won,2023-03-05,40%", "b2,2023-03,D1,1000,B,won,2023-03-05,30%")
    with pytest.raises(AttainError) as e:
        run(tmp_path, deals=deals)
    (d,) = e.value.diagnostics
    assert d.code == "D441" and d.span.line == 2
    assert "'D1' add up to 90%" in d.message and "deals.csv:2 a1 60%" in d.message and "deals.csv:3 b2 30%" in d.message


def test_a_line_without_its_employees_row_is_an_error_at_the_line(tmp_path):
    with pytest.raises(AttainError) as e:
        run(tmp_path, deals=DEALS + "c3,2023-03,D9,5,A,won,2023-03-01,100%\n")
    (d,) = e.value.diagnostics
    assert d.code == "D440" and d.span.file.endswith("deals.csv") and d.span.line == 7 and "c3 in 2023-03" in d.message


def test_a_per_line_formula_cannot_read_an_employee_value(tmp_path):
    policy, _, _ = files(tmp_path, policy=POLICY.replace("credited = amount * share", "credited = amount * target"))
    found = [d for d in attain.check(policy) if d.is_error]
    assert [d.code for d in found] == ["C285"]
    assert "reads the employee value 'target'" in found[0].message and found[0].span.line == 14


def cli(*args):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in r.output
    return r


def test_tables_are_named_by_file_stem_by_label_or_by_name_equals_file(tmp_path, monkeypatch):
    files(tmp_path)
    monkeypatch.chdir(tmp_path)
    by_stem = cli("run", "p.policy", "--data", "people.csv", "--data", "deals.csv", "--format", "csv")
    assert by_stem.exit_code == 0, by_stem.output
    (tmp_path / "成交明细.csv").write_text(DEALS, encoding="utf-8")
    by_label = cli("run", "p.policy", "--data", "成交明细.csv", "--data", "people.csv", "--format", "csv")
    (tmp_path / "q1.csv").write_text(DEALS, encoding="utf-8")
    named = cli("run", "p.policy", "--data", "people.csv", "--data", "deals=q1.csv", "--format", "csv")
    assert by_stem.stdout == by_label.stdout == named.stdout
    assert "a1,2023-03,1100.5,1,2,1000,0.11005" in by_stem.stdout
    unmatched = cli("run", "p.policy", "--data", "people.csv", "--data", "q1.csv")
    assert unmatched.exit_code == 2 and "error[U570]" in unmatched.output and "--data deals=q1.csv" in unmatched.output


def test_explain_shows_each_measure_with_its_lines_and_shortens_a_long_list(tmp_path, monkeypatch):
    many = DEALS + "".join(f"a1,2023-04,E{i},1,C,won,2023-04-03,100%\n" for i in range(25))
    files(tmp_path, deals=many)
    monkeypatch.chdir(tmp_path)
    r = cli("explain", "p.policy", "--data", "people.csv", "--data", "deals.csv", "--who", "b2", "--period",
            "2023-03", "--value", "won_sales")
    assert r.exit_code == 0, r.output
    assert "sum over 2 lines of deals, 1 kept by the filter" in r.stdout
    assert 'deals.csv:3 = 400   (kept: deal = "D1", amount = 1,000' in r.stdout
    assert 'deals.csv:5 = 700   (left out by the filter: deal = "D3"' in r.stdout
    r = cli("explain", "p.policy", "--data", "people.csv", "--data", "deals.csv", "--who", "a1", "--period",
            "2023-04", "--value", "n_deals")
    # D4 and 25 lines E0 ... E24: the first 20 are listed, then how many more
    assert "count over 26 lines of deals" in r.stdout
    assert "... and 6 lines more (6 of them kept)" in r.stdout
    assert r.stdout.count("deals.csv:") == 20
    j = cli("explain", "p.policy", "--data", "people.csv", "--data", "deals.csv", "--who", "b2", "--period",
            "2023-03", "--value", "won_sales", "--format", "json")
    assert '"kind": "line"' in j.stdout and '"note": "left out by the filter"' in j.stdout


def test_explain_computes_the_lines_once(tmp_path, monkeypatch):
    """The line stage that gives the measures also gives their lines: explain reads and credits the deals once."""
    from attain import api

    files(tmp_path)
    monkeypatch.chdir(tmp_path)
    calls = []
    real = api.with_measures
    monkeypatch.setattr(api, "with_measures", lambda *a: calls.append(1) or real(*a))
    r = cli("explain", "p.policy", "--data", "people.csv", "--data", "deals.csv", "--who", "b2", "--period",
            "2023-03", "--value", "won_sales")
    assert r.exit_code == 0, r.output
    assert 'deals.csv:3 = 400   (kept: deal = "D1", amount = 1,000' in r.stdout
    assert len(calls) == 1


def test_the_manifest_records_every_table_with_its_role(tmp_path, monkeypatch):
    files(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = cli("run", "p.policy", "--data", "people.csv", "--data", "deals.csv", "--out", "out.csv")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "out.manifest.json").read_text(encoding="utf-8")
    assert '"role": "employees"' in text and '"role": "lines deals"' in text


def test_fmt_keeps_a_line_block(tmp_path, monkeypatch):
    messy = POLICY.replace("    split share per deal", "    split   share per deal ,  overlay when status=\"x\"")
    messy = messy.replace("sum(credited of deals where status = \"won\")",
                          "sum( credited of deals where status=\"won\" )")
    (tmp_path / "p.policy").write_text(messy, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli("fmt", "p.policy").exit_code == 0
    once = (tmp_path / "p.policy").read_text(encoding="utf-8")
    assert '    split share per deal, overlay when status = "x"\n' in once
    assert 'won_sales = sum(credited of deals where status = "won")\n' in once
    assert cli("fmt", "p.policy", "--check").exit_code == 0
    assert attain.loads(once).tree == attain.loads(messy).tree


def test_diff_reports_changes_to_line_blocks_in_policy_terms(tmp_path, monkeypatch):
    files(tmp_path)
    new = POLICY.replace("credited = amount * share", "credited = amount * share * 2").replace(
        "split share per deal", 'split share per deal, overlay when product = "C"')
    (tmp_path / "new.policy").write_text(new, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = cli("diff", "p.policy", "new.policy", "--data", "people.csv", "--data", "deals.csv")
    assert r.exit_code == 0, r.output
    assert 'lines deals: split share per deal -> split share per deal, overlay when product = "C"' in r.stdout
    assert "deals.credited: formula amount * share -> amount * share * 2" in r.stdout
    # a1 in March: 1,100.50 doubled
    assert "won_sales   1,100.5   2,201  +1,100.5" in r.stdout


def test_lines_need_a_period_or_a_date_when_the_policy_has_periods(tmp_path):
    deals = "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 1) for line in DEALS.splitlines())
    with pytest.raises(AttainError) as e:
        run(tmp_path, deals=deals + "\n")
    (d,) = e.value.diagnostics
    assert d.code == "D443" and "no column saying each line's period" in d.message


def test_an_error_in_a_per_line_formula_names_the_line(tmp_path):
    policy = POLICY.replace("credited = amount * share", "credited = amount / (share - share)")
    with pytest.raises(AttainError) as e:
        run(tmp_path, policy=policy)
    first = e.value.diagnostics[0]
    assert first.code == "E301" and first.message.startswith("for ") and "deals.csv:2 in 2023-03" in first.message


def test_a_refused_aggregate_is_reported_once_without_unit_errors_after_it(tmp_path):
    policy = POLICY.replace("sum(credited of deals where", "sum(credited of deal where").replace(
        "count(deals where campaign)", "count(amount of deals where campaign)")
    path, _, _ = files(tmp_path, policy=policy)
    found = [d for d in attain.check(path) if d.is_error]
    assert [(d.code, d.span.line) for d in found] == [("C287", 17), ("C289", 18)]
    assert found[0].hint == "did you mean 'deals'?"


def test_explain_says_a_measure_had_no_lines_and_took_its_else(tmp_path, monkeypatch):
    files(tmp_path)
    monkeypatch.chdir(tmp_path)
    r = cli("explain", "p.policy", "--data", "people.csv", "--data", "deals.csv", "--who", "b2", "--period",
            "2023-04", "--value", "biggest")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[2:] == [
        "biggest = 0",
        "    max(amount of deals, else 0)   [p.policy:20]",
        "  max(amount of deals, else 0): no lines of deals (so the value after `else`)"]
