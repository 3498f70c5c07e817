"""Explain at scale's faster reads say exactly what the whole read says (attain.sql.slice_parquet, slice_groups).

The employee's Parquet row is searched by a test DuckDB checks against each row group's least and
greatest id; an id cell with spaces around it (ASCII or not), and ids that are not ASCII, must still
be found as the whole read finds them. Region A: E1 sales 100, E2 300, E3 200 (targets 100): E3's
attainment 200% has one member below and one above, so its percentile is 1 / 2 = 50%.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from attain import api
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
