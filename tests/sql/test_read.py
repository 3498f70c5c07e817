"""DuckDB's reading against the Python reader on the same files: the same values, or it leaves the file to Python.

The property: whenever `read_relation` gives a relation, `read_table` + `bind` accept the
file and give the same records (who, line, period, every value exactly); whenever Python
refuses a file (any diagnostic), `read_relation` gives None. Files: good ones in every
accepted form (which must take the fast path), the catalogue's bad CSV files, quoting
the two parsers could read differently, and random cells.
"""

from __future__ import annotations

import csv
import random
import sys
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest

from attain import api
from attain.diagnostics import AttainError
from attain.engine.bind import bind
from attain.io import read_table
from attain.sql.read import _CHUNK, _SPACES, read_relation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "catalogue"))
import catalogue_data as cat  # noqa: E402  (tests/catalogue/catalogue_data.py)

GOOD = cat.csv_of(cat.table())


def _plan(tmp_path, text: str):
    path = tmp_path / "p.policy"
    path.write_text(text, encoding="utf-8")
    return api.load(str(path)).plan


def _compare(tmp_path, content: str | bytes, policy: str = cat.POLICY, **kw) -> bool:
    """Both readers on one file; True when the fast path took it (and agreed), False when it left it to Python."""
    data = tmp_path / "d.csv"
    data.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    plan = _plan(tmp_path, policy)
    con = duckdb.connect()
    relation = read_relation(con, plan, str(data), **kw)
    try:
        bound = bind(plan, read_table(str(data), header_row=kw.get("header_row")), kw.get("id_column"),
                     kw.get("allow_ids", ()))
    except AttainError:
        assert relation is None, "the fast path accepted a file the Python reader refuses"
        return False
    if relation is None:
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__attain%'").fetchall() \
            == [(0,)]
        return False
    names = ", ".join(f"in_{k}" for k in range(len(plan.inputs)))
    got = con.execute(f"SELECT __seq, __line, __who, __period, {names} FROM {relation.table} ORDER BY __seq"
                      ).fetchall()
    numeric = [plan.model.types[n].numeric for n in plan.inputs]
    assert [g[0] for g in got] == list(range(len(bound.records)))
    for row, record in zip(got, bound.records, strict=True):
        assert row[1:3] == (record.line, record.who)
        assert row[3] == (record.period.index if record.period is not None else None)
        values = [None if v is None else Fraction(int(v), 10 ** relation.scales[n]) if num else v
                  for v, n, num in zip(row[4:], plan.inputs, numeric, strict=True)]
        want = [None if v is None else Fraction(*v) if num else v
                for v, num in zip(record.values, numeric, strict=True)]
        assert values == want, (row, record)
    assert relation.rows == len(bound.records)
    assert relation.columns == bound.columns and relation.id_column == bound.id_column
    assert [d.message for d in relation.warnings] == [d.message for d in bound.warnings]
    assert relation.periods == tuple(sorted({r.period for r in bound.records if r.period is not None}))
    return True


GOOD_FILES = {
    "plain": GOOD,
    "bom and crlf": "\ufeff" + GOOD.replace("\n", "\r\n"),
    "no newline at the end": GOOD.rstrip("\n"),
    "blank lines at the end": GOOD + "\n\n",
    "thousands and quotes": cat.csv_of(cat.table({"销售额": "1,234,567.50", "target": "1,000"})),
    "spaces around cells": GOOD.replace(",", " , ").replace("\n", "\u3000\n"),
    "percent forms": cat.csv_of(cat.table({"回款率": "88.25%"}, {"回款率": "1"})),
    "negative and zero": cat.csv_of(cat.table({"销售额": "-0.5", "score": "0"}, {"score": "5.000"})),
    "bool and date forms": cat.csv_of(cat.table({"ok": "YES", "hired": "2023/7/1"}, {"ok": "否",
                                                                                     "hired": "2023年7月1日"})),
    "dates with dots": cat.csv_of(cat.table({"hired": "2024.2.29"})),
    "empty cells": cat.csv_of(cat.table({"销售额": "", "ok": "", "hired": ""})),
    "title rows": cat.csv_of(cat.table(), above="2023年7月 销售考核\n\n制表：人事部\n"),
    # money with a currency sign before or after it (attain.io.cells.money_cell), signs sharing a currency
    "currency signs": cat.csv_of(cat.table(rows=[{**cat.A, "销售额": "¥1,234.50", "target": "-￥ 12"},
                                                 {**cat.B, "销售额": "¥-3", "target": "12 ¥"},
                                                 {**cat.A, "id": "C", "销售额": "-1,000￥", "target": "7"}])),
    "many rows": cat.csv_of(cat.table(rows=[{**cat.A, "id": f"E{i}", "销售额": f"{i}.{i % 100:02d}"}
                                            for i in range(3000)])),
}


@pytest.mark.parametrize("name", list(GOOD_FILES))
def test_good_files_take_the_fast_path_with_the_same_values(tmp_path, name):
    assert _compare(tmp_path, GOOD_FILES[name])


@pytest.mark.parametrize("space", [c for c in _SPACES if c not in "\r\n"])
def test_every_space_at_a_cells_edge_is_trimmed(tmp_path, space):
    # A file without any space is read without trimming: each kind of space must make the reader trim.
    assert _compare(tmp_path, cat.csv_of(cat.table({"id": space + "A" + space})))


@pytest.mark.parametrize("late", [{"销售额": "1.125"}, {"回款率": "88.125%"}, {"target": "¥7"}, {"target": "$7"}])
def test_the_scales_and_signs_are_those_of_every_row(tmp_path, late):
    # Row 250 of 300 needs 3 places, or has a sign, that none of the first 200 rows has.
    rows = [{**cat.A, "id": f"E{i}", "销售额": f"{i}.5"} for i in range(300)]
    rows[250] = {**rows[250], **late}
    plan = _plan(tmp_path, cat.POLICY)
    (tmp_path / "d.csv").write_text(cat.csv_of(cat.table(rows=rows)), encoding="utf-8")
    relation = read_relation(duckdb.connect(), plan, str(tmp_path / "d.csv"))
    assert relation is not None
    want = {"sales": 3 if "销售额" in late else 1, "target": 0, "rate": 5 if "回款率" in late else 2}
    assert {n: relation.scales[n] for n in want} == want
    assert _compare(tmp_path, cat.csv_of(cat.table(rows=rows)))


@pytest.mark.parametrize("written", ["", " written as points", " written as decimals"])
def test_percents_in_every_form_and_writing(tmp_path, written):
    # A percent with its sign, or written as points, converts as its number over 100 (DECIMAL(18, scale - 2)):
    # with thousands, negative, without places, and beside cells of more places (the column's scale is theirs).
    cells = ["1,234.5%", "-3%", "0%", "12", "0.875", "-0.25", "88.125%", "7.5"]
    rows = [{**cat.A, "id": f"E{i}", "回款率": cell} for i, cell in enumerate(cells)]
    policy = cat.POLICY.replace('percent "回款率"', 'percent "回款率"' + written)
    assert _compare(tmp_path, cat.csv_of(cat.table(rows=rows)), policy) == (written != "")


@pytest.mark.parametrize("written", ["", " written as points"])
@pytest.mark.parametrize("late", ["88.125%", "0.8765", "7.25", "1,000"])
def test_a_percent_needing_more_places_after_the_first_records(tmp_path, written, late):
    # The scales are guessed from the first 200 records; row 250 of 300 needs more places than they do (or, 1,000,
    # none more): the scale is still the most places of every row (88.125% needs 5; 0.8765 4, or 6 as points).
    rows = [{**cat.A, "id": f"E{i}", "回款率": "95%"} for i in range(300)]
    rows[250] = {**rows[250], "回款率": late}
    policy = cat.POLICY.replace('percent "回款率"', 'percent "回款率"' + written)
    (tmp_path / "d.csv").write_text(cat.csv_of(cat.table(rows=rows)), encoding="utf-8")
    relation = read_relation(duckdb.connect(), _plan(tmp_path, policy), str(tmp_path / "d.csv"))
    want = {"88.125%": 5, "0.8765": 6 if written else 4, "7.25": 4 if written else None,
            "1,000": 2 if written else None}
    assert (relation.scales["rate"] if relation else None) == want[late]
    assert _compare(tmp_path, cat.csv_of(cat.table(rows=rows)), policy) == (want[late] is not None)


@pytest.mark.parametrize("who, fast", [("华" * 60_000, True), ("E" * (csv.field_size_limit() + 1), False)],
                         ids=["3-byte characters", "one over"])
def test_the_csv_modules_limit_counts_characters_not_bytes(tmp_path, who, fast):
    # 60,000 characters of 3 bytes each, in the last of 2,000 records, are within the csv module's limit (131,072
    # characters by default, more than 131,072 bytes: the row's bytes alone do not decide); one character over it
    # is Python's to word.
    rows = [{**cat.A, "id": f"E{i}"} for i in range(2000)]
    rows[-1] = {**rows[-1], "id": who}
    assert _compare(tmp_path, cat.csv_of(cat.table(rows=rows))) == fast


@pytest.mark.parametrize("who, fast", [("TOTAL", False), ("xSuMx", False), ("Grand total", False), ("ｓum", False),
                                       ("合计", False), ("X1", True), ("Ｘ1", True)])
def test_ids_that_may_read_as_a_total_are_left_to_python(tmp_path, who, fast):
    # "sum" or "total" in any case in an ASCII id (two ILIKEs), or any of the total's words and look-alikes beside
    # characters beyond ASCII (the regular expression): Python's reader decides those rows.
    rows = [{**cat.A, "id": f"E{i}"} for i in range(3)] + [{**cat.A, "id": who}]
    (tmp_path / "d.csv").write_text(cat.csv_of(cat.table(rows=rows)), encoding="utf-8")
    relation = read_relation(duckdb.connect(), _plan(tmp_path, cat.POLICY), str(tmp_path / "d.csv"))
    assert (relation is not None) == fast


def test_a_space_across_two_chunks_of_the_scan_is_seen(tmp_path):
    # U+3000 (3 bytes) at an id's end, its bytes on both sides of the scan's first 1 MiB (read._CHUNK).
    rows = [{**cat.A, "id": f"E{i:07d}"} for i in range(60_000)]
    text = cat.csv_of(cat.table(rows=rows))
    head = text.encode("utf-8")[:_CHUNK].decode("utf-8", errors="ignore")
    line = head.count("\n")  # the line the boundary falls in (0: the header)
    lines = text.split("\n")
    ident = lines[line].split(",")[0]
    start = len("\n".join(lines[:line]).encode("utf-8")) + 1  # where that line begins
    pad = _CHUNK - 1 - (start + len(ident.encode("utf-8")))  # the id padded: the space begins a byte before
    assert 0 <= pad < 100
    lines[line] = ident + "x" * pad + "\u3000" + lines[line][len(ident):]
    data = "\n".join(lines).encode("utf-8")
    at = data.index("\u3000".encode("utf-8"))
    assert at < _CHUNK < at + 3
    assert _compare(tmp_path, data)


def test_periods(tmp_path):
    text = "id,period,sales\nA,2023-01,1\nB,2023-01,2\nA,2023-02,3.5\n"
    assert _compare(tmp_path, text, cat.PERIODIC)
    # Months of a quarter combine: binding's work.
    assert not _compare(tmp_path, "id,period,sales\nA,2023-01,1\nA,2023-02,1\n", cat.QUARTERLY)
    # A gap in a history the policy looks back over is E310: binding's; with `gaps restart` it is data.
    gap = "id,period,sales\nA,2023-01,1\nB,2023-01,2\nA,2023-03,3\n"
    assert not _compare(tmp_path, gap, cat.PERIODIC)
    assert _compare(tmp_path, gap, cat.PERIODIC.replace("period month\n", "period month\ngaps restart\n"))


def test_currency_signs_without_a_currency_in_common_are_left_to_python(tmp_path):
    # ¥ is yuan or yen, € euro: D437, which binding words at its cell
    assert not _compare(tmp_path, cat.csv_of(cat.table({"销售额": "¥1"}, {"销售额": "€1"})))
    # a policy in euros, data in yuan
    assert not _compare(tmp_path, cat.csv_of(cat.table({"销售额": "¥1"})),
                        cat.POLICY.replace('policy "data"\n', 'policy "data"\ncurrency "EUR"\n'))
    # two minus signs, a plus sign, a sign with a number that is no number: binding's to word
    for cell in ("-¥-1", "+¥1", "¥1.2.3", "¥"):
        assert not _compare(tmp_path, cat.csv_of(cat.table({"销售额": cell})))


def test_a_periodic_policy_over_data_without_a_period_column(tmp_path):
    # the records have no period, as binding gives them, unless the policy needs one (D415) or rows are dated
    assert _compare(tmp_path, "id,sales\nA,1\nB,2\n", cat.QUARTERLY)
    assert not _compare(tmp_path, "id,date,sales\nA,2023-01-05,1\n", cat.QUARTERLY)
    assert not _compare(tmp_path, "id,sales\nA,1\nB,2\n", cat.PERIODIC)  # reads earlier periods: D415


BAD_CSV = [b for b in (*cat._cells(), *cat._tables(), *cat._encodings(), *cat._periods()) if b.name == "d.csv"]


@pytest.mark.parametrize("bad", BAD_CSV, ids=[b.id for b in BAD_CSV])
def test_catalogue_bad_files_are_left_to_python(tmp_path, bad):
    _compare(tmp_path, bad.content, bad.policy, **_options(bad.extra))


def _options(extra: tuple[str, ...]) -> dict:
    options = {}
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        options[{"--header-row": "header_row", "--id-column": "id_column"}[flag]] = \
            int(value) if flag == "--header-row" else value
    return options


ODD = {
    "space before a quote": 'id,region,sales\nA, "华东",1\n',
    "space after a quote": 'id,region,sales\nA,"华东" ,1\n',
    "quote inside a field": 'id,region,sales\nA,华"东,1\n',
    "text after a closing quote": 'id,region,sales\nA,"华"东,1\n',
    "doubled quotes": 'id,region,sales\nA,"say ""hi""",1\n',
    "a line break in quotes": 'id,region,sales\nA,"华\n东",1\nB,华北,2\n',
    "a lone CR": "id,region,sales\rA,华东,1\r",
    "a blank line inside": "id,region,sales\nA,华东,1\n\nB,华北,2\n",
    "a row of commas": "id,region,sales\nA,华东,1\n,,\n",
    "a short row": "id,region,sales\nA,华东\n",
    "a long row": "id,region,sales\nA,华东,1,2\n",
    "a long row of empties": "id,region,sales\nA,华东,1,,\n",
    "total row": "id,region,sales\nA,华东,1\nSum,华东,1\n",
    "total allowed": "id,region,sales\nA,华东,1\nSum,华东,1\n",
    "near header": "ID,Region,Sales\nA,华东,1\n",
    "ten-thousands": "id,region,sales（万元）\nA,华东,1\n",
}


@pytest.mark.parametrize("name", list(ODD))
def test_what_the_parsers_may_read_differently(tmp_path, name):
    policy = 'policy "t"\ninput region : text\ninput sales : money\noutput region, sales\n'
    _compare(tmp_path, ODD[name], policy, allow_ids=("Sum",) if name == "total allowed" else ())


TOKENS = ["1", "0", "-1", "2.50", "1,000", "1,00", "12,345.6", "95%", "0.95", "95", "1.5%", "+1", "1e3", " 7 ",
          "¥5", "$-1", "１", "5.", ".5", "-0", "00.10", "yes", "No", "TRUE", "是", "否", "maybe", "2023-07-01",
          "2023/7/1", "2023.07.1", "2023年7月1日", "2023-02-30", "0000-01-01", "07/01/2023", "华东", "华北", "华南",
          "", " ", "\u3000", "x" * 40, "9" * 39, "4.5", "5", "5.01", "-0.0", "合计", "E1", "Total", "t", "\u00a0E2"]


def test_random_cells_agree(tmp_path):
    rng = random.Random(2026)
    accepted = 0
    for _ in range(120):
        rows = []
        for i in range(rng.randint(1, 4)):
            row = {**rng.choice([cat.A, cat.B]), "id": f"R{i}"}
            for column in rng.sample(cat.COLUMNS, rng.randint(0, 3)):
                row[column] = rng.choice(TOKENS)
            rows.append(row)
        accepted += _compare(tmp_path, cat.csv_of(cat.table(rows=rows)))
    assert accepted > 10  # the fast path is exercised, not only the refusals
