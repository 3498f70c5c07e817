"""Explain at scale (attain.sql.slice, slice_groups): one employee's rows, their groups' values in SQL.

The golden property: wherever `explain_slice` answers, its explanation is the text (and
JSON) the whole read gives, for every employee of library policies with group values and
history; group values are checked against hand calculations; cells keep their real lines;
the cases it must leave to the whole read give None.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from attain import api
from attain.cli import main
from attain.diagnostics import AttainError
from attain.io import read_table
from attain.sql import slice as slice_
from attain.sql import slice_groups
from attain.sql.engine import connect
from attain.subjects import record_of

ROOT = Path(__file__).resolve().parents[2]

# Library policies the fast path must take, with the sample each runs over: groups (a region
# percentile), history (previous quarter, streaks, rolling values), both, and neither.
LIBRARY = [
    ("doc002/incentive-top5.policy", "doc002/sample-regions.csv"),  # percentile within region, and history
    ("doc002/incentive.policy", "doc002/sample-regions.csv"),  # an employee's own missing cell: the same error
    ("doc000/scorecard.policy", "doc000/scorecard.csv"),  # history
    ("case5/pay.policy", "case5/sample.csv"),
    ("case2/commission.policy", "case2/sample.csv"),
    ("rate-grid/commission.policy", "rate-grid/sample.csv"),
    ("case6/score.policy", "case6/sample.csv"),  # a value carried from month to month, and level groups
]


def _whole(policy: api.Policy, data: str, who: str, period: str | None = None) -> api.Explanation:
    return policy.explain(read_table(data), who, period=period)


@pytest.mark.parametrize(("policy_file", "data_file"), LIBRARY)
def test_library_explanations_are_the_whole_reads(policy_file, data_file):
    policy = api.load(ROOT / "policies" / policy_file)
    data = str(ROOT / "policies" / data_file)
    bound = policy.bind(read_table(data))
    keys = list(dict.fromkeys((r.who, str(r.period) if r.period is not None else None) for r in bound.records))
    for who, period in keys:
        fast = _outcome(lambda: policy.explain_slice(data, who, period=period))
        assert fast is not None, (who, period)
        assert fast == _outcome(lambda: _whole(policy, data, who, period)), (who, period)


def _outcome(explain):
    """The explanation's text and JSON, or the messages of the error it raises (None: no explanation)."""
    try:
        found = explain()
    except AttainError as e:
        return [(d.code, d.message, d.span) for d in e.diagnostics]
    return None if found is None else (found.text(), found.json())


def test_library_group_values_come_from_sql():
    """doc002's 2023Q3 region 华东: the facts SQL gives are the group of a whole run (its size and value)."""
    policy = api.load(ROOT / "policies/doc002/incentive-top5.policy")
    data = str(ROOT / "policies/doc002/sample-regions.csv")
    found = slice_.rows(policy.plan, data, "E01")
    assert found is not None
    record = record_of(policy, found.bound, "E01", "2023Q2")
    con = connect()
    try:
        facts = slice_groups.facts(policy.plan, found, record, con)
    finally:
        con.close()
    assert facts is not None
    whole = policy.subject(read_table(data), "E01", period="2023Q2")
    key, size, value = facts[(record.period.index, 0)]
    assert (key, size) == ("华东", 21)
    fact = whole.state.group_facts[0]
    assert (fact[1], fact[2]) == (key, size)
    assert value[0] * fact[3][1] == fact[3][0] * value[1]  # the same fraction


POLICY = """policy "region percentile"

input region : text
input sales_target : money
input sales : money

attainment = sales / sales_target
standing = percentile(attainment within region)
peers = mean(sales within region except self)

output attainment, standing, peers
"""


def _write(tmp_path: Path, rows: list[str], policy: str = POLICY) -> tuple[api.Policy, str]:
    (tmp_path / "p.policy").write_text(policy, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return api.load(str(tmp_path / "p.policy")), str(data)


def _many(n: int) -> list[str]:
    """n employees after E001..E005 of region 华东 (attainments 50, 80, 100, 120, 150%), all in 华北."""
    rows = ["id,region,sales_target,sales"]
    rows += [f"E00{k},华东,1000,{s}" for k, s in enumerate([500, 800, 1000, 1200, 1500], 1)]
    rows += [f"N{k:05d},华北,1000,{k % 900 + 100}" for k in range(n)]
    return rows


def test_group_values_by_hand(tmp_path):
    """E003 has 100% in 华东: 2 of its 4 peers are below (50%, 80%): standing 2/4 = 50%;
    the others' mean sales are (500 + 800 + 1,200 + 1,500) / 4 = 1,000."""
    policy, data = _write(tmp_path, _many(2000))
    fast = policy.explain_slice(data, "E003")
    assert fast is not None
    text = fast.text()
    assert "standing = 50%" in text
    assert "peers = 1,000" in text
    assert text == _whole(policy, data, "E003").text()
    # E005 leads: 4 of 4 below, 100%; its peers' mean is (500 + 800 + 1,000 + 1,200) / 4 = 875.
    text = policy.explain_slice(data, "E005").text()
    assert "standing = 100%" in text
    assert "peers = 875" in text


def test_a_group_sql_cannot_sum_exactly_goes_to_the_whole_read(tmp_path):
    """The mean of attainments 1/2, 4/5, 1, 6/5, 3/2: denominators that do not divide one another, which the
    SQL leaves to the reference evaluator; so does explain, reading the whole file."""
    policy, data = _write(tmp_path, _many(20), POLICY.replace("mean(sales", "mean(attainment"))
    assert policy.explain_slice(data, "E003") is None
    assert "peers = 100%" in policy.explain(data, "E003").text()  # (50 + 80 + 120 + 150) / 4


def test_cells_are_named_at_their_real_lines(tmp_path):
    rows = _many(1000)
    rows.append("Z1,华东,1000,900")  # line 1007
    policy, data = _write(tmp_path, rows)
    text = policy.explain_slice(data, "Z1").text()
    assert f"{data}:1007:4, column sales" in text
    rows[-1] = "Z1,华东,1000,nine hundred"
    policy, data = _write(tmp_path, rows)
    with pytest.raises(AttainError) as e:
        policy.explain_slice(data, "Z1")
    assert e.value.diagnostics[0].span.line == 1007
    whole = pytest.raises(AttainError, policy.explain, read_table(data), "Z1")
    assert e.value.diagnostics[0].message == whole.value.diagnostics[0].message


def test_a_bad_cell_outside_the_groups_does_not_stop_it(tmp_path):
    """A 华北 row's bad cell: the whole read refuses the file; 华东's explanation reads no 华北 row."""
    rows = _many(100)
    rows[50] = rows[50].rsplit(",", 1)[0] + ",oops"
    policy, data = _write(tmp_path, rows)
    with pytest.raises(AttainError):
        _whole(policy, data, "E003")
    fast = policy.explain_slice(data, "E003")
    assert fast is not None and "standing = 50%" in fast.text()


def test_a_bad_cell_in_the_group_goes_to_the_whole_read(tmp_path):
    """A 华东 member's bad cell reaches the group value: the fast path leaves it, and explain names the cell."""
    rows = _many(100)
    rows[2] = "E002,华东,1000,8OO"  # line 3, letters O
    policy, data = _write(tmp_path, rows)
    assert policy.explain_slice(data, "E003") is None
    with pytest.raises(AttainError) as e:
        policy.explain(data, "E003")
    assert e.value.diagnostics[0].span.line == 3


@pytest.mark.parametrize("case", ["line break in a quoted cell", "unknown id", "xlsx", "uses"])
def test_what_it_leaves_to_the_whole_read(tmp_path, case):
    rows = _many(10)
    policy, data = _write(tmp_path, rows)
    who = "E003"
    if case == "line break in a quoted cell":
        rows[1] = 'E001,"华\n东",1000,500'
        policy, data = _write(tmp_path, rows)
    elif case == "unknown id":
        who = "E009"
    elif case == "xlsx":
        data = data[:-4] + ".xlsx"
    else:
        (tmp_path / "outer.policy").write_text('policy "outer"\nuses "p.policy"\n\ninput standing : percent\n'
                                               "again = standing\noutput again\n", encoding="utf-8")
        policy = api.load(str(tmp_path / "outer.policy"))
    assert policy.explain_slice(data, who) is None


HISTORY = """policy "growth within region"
period month

input region : text
input sales : money

growth = sales - previous(sales, else 0)
rank_in_region = rank(growth within region)
group_total = sum(growth within region)

output growth, rank_in_region, group_total
"""


def test_history_and_groups_by_hand(tmp_path):
    """Members' growths need their earlier months, even those spent in another region.

    2024-02, region 华东: A grew 300 - 100 = 200, B 150 - 100 = 50 (in 华北 in January),
    C 400 - 0 = 400 (first month): ranks C 1, A 2, B 3; total 650.
    """
    rows = ["id,period,region,sales", "A,2024-01,华东,100", "B,2024-01,华北,100", "D,2024-01,华北,999",
            "A,2024-02,华东,300", "B,2024-02,华东,150", "C,2024-02,华东,400", "D,2024-02,华北,5"]
    rows += [f"N{k:04d},2024-0{1 + k % 2},华南,{k}" for k in range(300)]
    policy, data = _write(tmp_path, rows, HISTORY)
    for who, rank in (("A", 2), ("B", 3), ("C", 1)):
        fast = policy.explain_slice(data, who, period="2024-02")
        assert fast is not None
        assert f"rank_in_region = {rank}" in fast.text()
        assert "group_total = 650" in fast.text()
        assert fast.text() == _whole(policy, data, who, "2024-02").text()


def test_the_command_line_takes_the_slice(tmp_path):
    policy, data = _write(tmp_path, _many(50))
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "p.policy"), "--data", data, "--who", "E004"])
    assert result.exit_code == 0, result.output
    assert result.output == _whole(policy, data, "E004").text()
    assert "standing = 75%" in result.output  # 3 of 4 peers below 120%


FORMS = """policy "forms"

input region : text
input sales : money
input rate : percent

total_sales = sum(sales within region)
top_rate = max(rate within region)

output total_sales, top_rate
"""


def test_members_cells_in_every_form(tmp_path):
    """Thousands groups, a sign, leading and trailing zeros, many places, a percent with % and as a fraction:
    1,234.50 - 20 + 7.250 + 12,345,678,901,234.123456 = 12,345,678,902,455.873456; the top rate 100%."""
    rows = ["id,region,sales,rate", 'E1,A,"1,234.50",88.5%', "E2,A,-20,0.95", "E3,A,007.250,100%",
            "E4,A,12345678901234.123456,1%", "E5,B,5,0.5"]
    policy, data = _write(tmp_path, rows, FORMS)
    found = slice_.rows(policy.plan, data, "E1")
    record = record_of(policy, found.bound, "E1", None)
    con = connect()
    try:
        facts = slice_groups.facts(policy.plan, found, record, con)
    finally:
        con.close()
    assert facts is not None
    (key, size, total), (_, _, top) = facts[(None, 0)], facts[(None, 1)]
    assert (key, size) == ("A", 4)
    assert Fraction(*total) == Fraction("12345678902455.873456")
    assert Fraction(*top) == 1
    assert policy.explain_slice(data, "E1").text() == _whole(policy, data, "E1").text()


def test_small_chunks_and_blank_lines_at_the_end(tmp_path, monkeypatch):
    """The file is scanned in chunks of whole lines: a line cut by a chunk's end is read with the next one; a
    quoted file's records are counted against its lines, blank lines at the end not counted."""
    monkeypatch.setattr(slice_, "_CHUNK", 64)
    rows = _many(40)
    rows[3] = 'E003,华东,"1,000","1,000"'
    policy, data = _write(tmp_path, rows + ["", "", ""])
    for who in ("E003", "N00039", "E001"):
        fast = policy.explain_slice(data, who)
        assert fast is not None, who
        assert fast.text() == _whole(policy, data, who).text()
    assert f"{data}:4:" in policy.explain_slice(data, "E003").text()


def test_a_group_with_a_default_goes_to_the_whole_read(tmp_path):
    """`input region : text default "华东"`: an empty region cell is in 华东's group, which no cell names."""
    rows = _many(10)
    rows[2] = "E002,,1000,800"
    policy, data = _write(tmp_path, rows, POLICY.replace("input region : text", 'input region : text default "华东"'))
    assert policy.explain_slice(data, "E003") is None
    assert "standing = 50%" in policy.explain(data, "E003").text()  # E002's 80% counts in 华东


def test_an_evaluation_error_elsewhere_does_not_stop_it(tmp_path):
    """A 华北 row with a target of 0 divides by zero: a run refuses; 华东's explanation reads no value of it,
    as the whole read's did not. Within the group, the same error sends explain to the whole read."""
    rows = _many(20)
    rows[10] = rows[10].split(",")[0] + ",华北,0,100"
    policy, data = _write(tmp_path, rows)
    with pytest.raises(AttainError):
        policy.run(data)
    fast = policy.explain_slice(data, "E003").text()
    assert "standing = 50%" in fast
    assert fast == _whole(policy, data, "E003").text()
    rows[10] = "E006,华东,0,100"
    policy, data = _write(tmp_path, rows)
    assert policy.explain_slice(data, "E003") is None
    with pytest.raises(AttainError):
        policy.explain(data, "E003")
