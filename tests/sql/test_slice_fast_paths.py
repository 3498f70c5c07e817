"""Explain at scale's faster reads say exactly what the whole read says (attain.sql.slice_parquet, slice_groups).

The employee's Parquet row is searched by a test DuckDB checks against each row group's least and
greatest id; an id cell with spaces around it (ASCII or not), and ids that are not ASCII, must still
be found as the whole read finds them. Region A: E1 sales 100, E2 300, E3 200 (targets 100): E3's
attainment 200% has one member below and one above, so its percentile is 1 / 2 = 50%.

The members' cells are checked by the counting query itself (from a Parquet file read once, or a CSV
file's table): each test there runs on both, and must say what the whole read says.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from attain import api
from attain.diagnostics import AttainError
from attain.io import read_table
from attain.sql import slice_parquet

POLICY = ('policy "p"\ninput region : text\ninput sales : money\ninput target : money\n'
          "attainment = sales / target\npct = percentile(attainment within region)\noutput attainment, pct\n")


def parquet(tmp_path: Path, rows: list[tuple], name: str = "d.parquet") -> str:
    path = tmp_path / name
    values = ", ".join(f"('{who}', '{region}', {sales}, 100)" for who, region, sales in rows)
    duckdb.sql(f"COPY (SELECT * FROM (VALUES {values}) t(id, region, sales, target)) TO '{path}' (FORMAT parquet)")
    return str(path)


@pytest.fixture
def policy(tmp_path):
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    return api.load(tmp_path / "p.policy")


@pytest.mark.parametrize("cell", ["E3", "  E3", "E3 ", "\tE3", "\u3000E3\u3000", "\u00a0E3"])
def test_an_id_with_spaces_around_it_is_found_and_explained_as_the_whole_read_does(tmp_path, policy, cell):
    pq = parquet(tmp_path, [("E1", "A", 100), ("E2", "A", 300), (cell, "A", 200), ("E30", "B", 5)])
    found = slice_parquet.rows(policy.plan, pq, "E3")
    assert found is not None and [r.who for r in found.bound.records] == ["E3"]
    fast = policy.explain_slice(pq, "E3")
    assert fast is not None
    assert (fast.text(), fast.json()) == (policy.explain(read_table(pq), "E3").text(),
                                          policy.explain(read_table(pq), "E3").json())
    assert "pct = 50%" in fast.text()


def test_ids_beyond_ascii_are_found(tmp_path, policy):
    pq = parquet(tmp_path, [("张三", "华东", 100), ("李四", "华东", 300), ("王五", "华东", 200), ("王五六", "华东", 1)])
    fast = policy.explain_slice(pq, "王五")
    assert fast is not None and fast.text() == policy.explain(read_table(pq), "王五").text()
    assert "pct = ≈66.666667%" in fast.text()  # 张三 and 王五六 below, of 3 others: 2 / 3


# The members' checks in the counting query (slice_counts.group_rows, `checked`): a Parquet file is read once.
REGIONS = """policy "region standing"

input region : text
input sales_target : money
input sales : money

attainment = sales / sales_target
standing = percentile(attainment within region)
place = rank(attainment within region)
team = count(within region)
total = sum(sales within region)
peers = mean(sales within region except self)

output attainment, standing, place, team, total, peers
"""

# 华东: E1 500/1000 = 50%, E2 80%, E3 100%, E4 500/500 = 100%, E5 150%; 华北: N1 30%, N2 100%.
MEMBERS = [("E1", "华东", "1000", "500"), ("E2", "华东", "1000", "800"), ("E3", "华东", "1000", "1000"),
           ("E4", "华东", "500", "500"), ("E5", "华东", "1000", "1500"), ("N1", "华北", "300", "90"),
           ("N2", "华北", "300", "300")]


@pytest.fixture(params=["parquet", "csv"])
def fmt(request):
    return request.param


def as_text_parquet(tmp_path: Path, rows: list[tuple], header: str = "id, region, sales_target, sales",
                    fmt: str = "parquet") -> str:
    """Every cell a text, as a pipeline that copies a CSV file writes it (or the CSV file itself)."""
    if fmt == "csv":
        path = tmp_path / "m.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([header.split(", "), *rows])
        return str(path)
    path = tmp_path / "m.parquet"
    values = ", ".join("(" + ", ".join("NULL" if c is None else f"'{c}'" for c in row) + ")" for row in rows)
    duckdb.sql(f"COPY (SELECT * FROM (VALUES {values}) t({header})) TO '{path}' (FORMAT parquet)")
    return str(path)


@pytest.fixture
def counted(monkeypatch):
    """The group values counted in one checked query: the windows of a run would fail the test."""
    from attain.sql import slice_counts, slice_groups

    calls: list = []
    real = slice_counts.group_rows

    def spy(*args, **kwargs):
        calls.append(args[-1] if len(args) > 4 else kwargs.get("checked", False))
        return real(*args, **kwargs)

    def no_windows(*args, **kwargs):
        raise AssertionError("the windows of a run were used")

    monkeypatch.setattr(slice_groups, "group_rows", spy)
    monkeypatch.setattr(slice_groups, "_Recording", no_windows)
    return calls


def load(tmp_path: Path, text: str) -> api.Policy:
    (tmp_path / "r.policy").write_text(text, encoding="utf-8")
    return api.load(tmp_path / "r.policy")


def test_counted_and_checked_in_one_query_by_hand(tmp_path, counted, fmt):
    """E4 (100%): below it E1 and E2 of 4 others, standing 2/4 = 50%; above it E5 only: place 2 (E3 ties);
    team 5; total 500 + 800 + 1000 + 500 + 1500 = 4,300; peers (4,300 - 500) / 4 = 950."""
    policy = load(tmp_path, REGIONS)
    pq = as_text_parquet(tmp_path, MEMBERS, fmt=fmt)
    for who, *_ in MEMBERS:
        fast = policy.explain_slice(pq, who)
        whole = policy.explain(read_table(pq), who)
        assert fast is not None and (fast.text(), fast.json()) == (whole.text(), whole.json())
    assert counted and all(counted)
    text = policy.explain_slice(pq, "E4").text()
    for line in ("standing = 50%", "place = 2", "team = 5", "total = 4,300", "peers = 950"):
        assert f"\n{line}" in text, line


@pytest.mark.parametrize("bad", ["8OO", "-", "1,00,0"])
def test_a_members_bad_cell_goes_to_the_whole_read_which_names_it(tmp_path, bad, fmt):
    policy = load(tmp_path, REGIONS)
    rows = [*MEMBERS]
    rows[1] = ("E2", "华东", "1000", bad)  # row 2 of the Parquet file, line 3 of the CSV file
    pq = as_text_parquet(tmp_path, rows, fmt=fmt)
    assert policy.explain_slice(pq, "E4") is None
    with pytest.raises(AttainError) as e:
        policy.explain(read_table(pq), "E4")
    assert e.value.diagnostics[0].span.line == (2 if fmt == "parquet" else 3)
    assert policy.explain_slice(pq, "N1") is not None  # 华北 reads no 华东 row


def test_a_member_twice_goes_to_the_whole_read(tmp_path, fmt):
    policy = load(tmp_path, REGIONS)
    data = as_text_parquet(tmp_path, [*MEMBERS, ("E2", "华东", "1000", "700")], fmt=fmt)
    assert policy.explain_slice(data, "E4") is None


MONTHLY = REGIONS.replace('policy "region standing"\n', 'policy "region standing"\nperiod month\n')


def monthly(rows: list[tuple], month: str) -> list[tuple]:
    return [(who, month, region, target, sales) for who, region, target, sales in rows]


def test_another_months_rows_are_checked_but_not_counted(tmp_path, counted, fmt):
    """2024-02's 华东 has the same members, all at 100% but E5 at 200%: E4's standing in 2024-01 stays 50%. A bad
    cell of a 华东 member in 2024-02 goes to the whole read (as the table of every month's rows was checked); a
    member twice in 2024-02 does not stop 2024-01's explanation."""
    policy = load(tmp_path, MONTHLY)
    february = [(w, r, "1000", "2000" if w == "E5" else "1000") for w, r, _, _ in MEMBERS]
    header = "id, period, region, sales_target, sales"
    rows = monthly(MEMBERS, "2024-01") + monthly(february, "2024-02")
    pq = as_text_parquet(tmp_path, rows, header, fmt=fmt)
    fast = policy.explain_slice(pq, "E4", period="2024-01")
    assert fast is not None and fast.text() == policy.explain(read_table(pq), "E4", period="2024-01").text()
    assert "\nstanding = 50%" in fast.text() and "\nteam = 5" in fast.text()
    # February: E1 to E4 tie at 100%, E5 above: none of E4's 4 others is below, standing 0 / 4 = 0%, place 2.
    february_text = policy.explain_slice(pq, "E4", period="2024-02").text()
    assert "\nstanding = 0%" in february_text and "\nplace = 2" in february_text
    bad = [*rows]
    bad[7] = ("E2", "2024-02", "华东", "1000", "x")
    assert policy.explain_slice(as_text_parquet(tmp_path, bad, header, fmt=fmt), "E4", period="2024-01") is None
    twice = as_text_parquet(tmp_path, [*rows, ("E2", "2024-02", "华东", "1000", "1")], header, fmt=fmt)
    assert policy.explain_slice(twice, "E4", period="2024-01") is not None
    assert policy.explain_slice(twice, "E4", period="2024-02") is None


LOWEST_OTHER = REGIONS.replace("peers = mean(sales within region except self)",
                               "peers = min(sales within region except self)")


def test_what_it_cannot_count_is_windowed_over_the_checked_rows(tmp_path, fmt):
    """min except self is left to a run's windows: E4's peers are E1, E2, E3, E5, the least 500."""
    policy = load(tmp_path, LOWEST_OTHER)
    pq = as_text_parquet(tmp_path, MEMBERS, fmt=fmt)
    fast = policy.explain_slice(pq, "E4")
    assert fast is not None and fast.text() == policy.explain(read_table(pq), "E4").text()
    assert "\npeers = 500" in fast.text()
    rows = [*MEMBERS]
    rows[0] = ("E1", "华东", "1000", "five")
    assert policy.explain_slice(as_text_parquet(tmp_path, rows, fmt=fmt), "E4") is None


@pytest.mark.parametrize("cell", ["  E2", "E2\u3000", "\tE2"])
def test_a_members_id_with_spaces_is_read_again_trimmed(tmp_path, cell, monkeypatch):
    """From Parquet the members' ids are first read as stored; one with a space at an edge sends them to be
    read again, trimmed: E4's standing is still 50% (E1, E2 below of 4 others), as the whole read says."""
    from attain.sql import slice_counts, slice_groups

    verdicts: list = []
    real = slice_counts.group_rows

    def spy(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except slice_counts.Risky:
            verdicts.append("risky")
            raise

    monkeypatch.setattr(slice_groups, "group_rows", spy)
    policy = load(tmp_path, REGIONS)
    rows = [*MEMBERS]
    rows[1] = (cell, "华东", "1000", "800")
    pq = as_text_parquet(tmp_path, rows)
    fast = policy.explain_slice(pq, "E4")
    assert verdicts == ["risky"]
    assert fast is not None and fast.text() == policy.explain(read_table(pq), "E4").text()
    assert "\nstanding = 50%" in fast.text() and "\nteam = 5" in fast.text()


@pytest.mark.parametrize("total", ["Total", "合计", "sum"])
def test_a_member_that_reads_like_a_total_goes_to_the_whole_read(tmp_path, total):
    """The ids' joined test finds what the columnar reader's finds in one id: the whole read decides."""
    policy = load(tmp_path, REGIONS)
    pq = as_text_parquet(tmp_path, [*MEMBERS, (total, "华东", "1000", "900")])
    assert policy.explain_slice(pq, "E4") is None
    assert policy.explain_slice(pq, "N1") is not None  # 华北 has no such row


def test_ids_of_both_kinds_may_be_read_twice_but_say_the_same(tmp_path):
    """张三 (beyond ASCII) and Tom (a t): joined, they may read like a total, so the ids are read again one by
    one, where neither is one: 王五 (200%) is above 张三 (100%) and Tom (50%), standing 2 / 2 = 100%."""
    policy = load(tmp_path, REGIONS)
    pq = as_text_parquet(tmp_path, [("张三", "华东", "100", "100"), ("Tom", "华东", "100", "50"),
                                    ("王五", "华东", "100", "200")])
    fast = policy.explain_slice(pq, "王五")
    assert fast is not None and fast.text() == policy.explain(read_table(pq), "王五").text()
    assert "\nstanding = 100%" in fast.text()


# The library policies tests/sql/test_slice.py explains from CSV, here from Parquet (every cell a text): the
# members checked as counted, their ids read as stored, history read into tables.
LIBRARY = [
    ("doc002/incentive-top5.policy", "doc002/sample-regions.csv"),
    ("doc002/incentive.policy", "doc002/sample-regions.csv"),
    ("doc000/scorecard.policy", "doc000/scorecard.csv"),
    ("case5/pay.policy", "case5/sample.csv"),
    ("case2/commission.policy", "case2/sample.csv"),
    ("rate-grid/commission.policy", "rate-grid/sample.csv"),
    ("case6/score.policy", "case6/sample.csv"),
]
ROOT = Path(__file__).resolve().parents[2]


def _outcome(explain):
    """The explanation's text and JSON, or the messages of the error it raises (None: no explanation)."""
    try:
        found = explain()
    except AttainError as e:
        return [(d.code, d.message, d.span) for d in e.diagnostics]
    return None if found is None else (found.text(), found.json())


@pytest.mark.parametrize(("policy_file", "data_file"), LIBRARY)
def test_library_explanations_from_parquet_are_the_whole_reads(tmp_path, policy_file, data_file):
    policy = api.load(ROOT / "policies" / policy_file)
    pq = str(tmp_path / "d.parquet")
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{ROOT / 'policies' / data_file}', all_varchar = true, header = true))"
               f" TO '{pq}' (FORMAT parquet)")
    bound = policy.bind(read_table(pq))
    keys = list(dict.fromkeys((r.who, str(r.period) if r.period is not None else None) for r in bound.records))
    for who, period in keys:
        fast = _outcome(lambda: policy.explain_slice(pq, who, period=period))
        assert fast is not None, (who, period)
        assert fast == _outcome(lambda: policy.explain(read_table(pq), who, period=period)), (who, period)
