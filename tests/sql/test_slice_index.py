"""A large CSV file's kept index (attain.sql.slice_index): explain from it is explain from the file, byte for byte.

Every test here turns the cache on in a folder of its own, with the size threshold at 0 bytes
(`ATTAIN_CSV_INDEX_MIN_BYTES`) and, but for the racy case, without the wait after a change
(`slice_index.RECENT`, which would refuse files written a moment ago). The index is built by a
first explain, used by the second (the scan of the file never runs: `_scan` is made to fail),
and every explanation, error included, is the one without the index.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_slice import LIBRARY, POLICY, _many, _outcome, _whole, _write

from attain import api
from attain.cli import main
from attain.diagnostics import AttainError
from attain.io import read_table
from attain.sql import slice as slice_
from attain.sql import slice_index

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """The cache on, in a folder of this test's; every file indexed, however small or new."""
    monkeypatch.delenv("ATTAIN_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("ATTAIN_CSV_INDEX_MIN_BYTES", "0")
    monkeypatch.setattr(slice_index, "RECENT", 0.0)
    return tmp_path / "cache" / "attain" / "csv-index"


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _no_scan(monkeypatch):
    """The file is not scanned: only the index can find the employee's lines."""
    def refused(*args, **kwargs):
        raise AssertionError("the file was scanned")
    monkeypatch.setattr(slice_, "_scan", refused)


@pytest.mark.parametrize(("policy_file", "data_file"), LIBRARY)
def test_library_explanations_from_the_index_are_the_whole_reads(tmp_path, cache, monkeypatch, policy_file,
                                                                 data_file):
    policy = api.load(ROOT / "policies" / policy_file)
    data = str(tmp_path / "data.csv")
    shutil.copyfile(ROOT / "policies" / data_file, data)
    bound = policy.bind(read_table(data))
    keys = list(dict.fromkeys((r.who, str(r.period) if r.period is not None else None) for r in bound.records))
    first = _outcome(lambda: policy.explain_slice(data, keys[0][0], period=keys[0][1]))  # builds the index
    assert len(_entries(cache)) == 2  # KEY.meta and KEY.parquet
    _no_scan(monkeypatch)
    for who, period in keys:
        fast = _outcome(lambda: policy.explain_slice(data, who, period=period))  # noqa: B023
        assert fast is not None, (who, period)
        assert fast == _outcome(lambda: _whole(policy, data, who, period)), (who, period)  # noqa: B023
    assert first == _outcome(lambda: policy.explain_slice(data, keys[0][0], period=keys[0][1]))


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_the_command_line_says_the_same_with_and_without_it(tmp_path, cache, monkeypatch):
    """Text, JSON and Chinese, from the index (built by the first call) and with the cache off."""
    policy, data = _write(tmp_path, _many(300))
    calls = [["explain", str(tmp_path / "p.policy"), "--data", data, "--who", "E003", *more]
             for more in ([], ["--format", "json"], ["--lang", "zh"], ["--value", "standing"])]
    monkeypatch.setenv("ATTAIN_NO_CACHE", "1")
    without = [_cli(*call) for call in calls]
    monkeypatch.delenv("ATTAIN_NO_CACHE")
    assert [_cli(*call) for call in calls] == without  # the first builds the index
    assert len(_entries(cache)) == 2
    _no_scan(monkeypatch)
    assert [_cli(*call) for call in calls] == without
    assert without[0][0] == 0 and "standing = 50%" in without[0][1]


def test_a_changed_file_is_read_again(tmp_path, cache, monkeypatch):
    """The same size, the same mtime even (set back), other bytes: the index of the old file is not used."""
    rows = _many(200)
    policy, data = _write(tmp_path, rows)
    assert "standing = 50%" in policy.explain_slice(data, "E003").text()
    before = os.stat(data)
    # E003's sales 1000 -> 1300: above 1200 now, 3 of its 4 peers below (50%, 80%, 120%): 75%.
    Path(data).write_text("\n".join(rows).replace("E003,华东,1000,1000", "E003,华东,1000,1300") + "\n",
                          encoding="utf-8")
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(data)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    text = policy.explain_slice(data, "E003").text()
    assert "standing = 75%" in text
    assert text == _whole(policy, data, "E003").text()
    assert len(_entries(cache)) == 4  # a second entry, of the file as it is now
    # Only the mtime changed: another entry again, the same explanation.
    os.utime(data, ns=(after.st_atime_ns, after.st_mtime_ns - 10**9))
    assert policy.explain_slice(data, "E003").text() == text
    assert len(_entries(cache)) == 6


def test_a_file_changed_a_moment_ago_is_not_indexed(tmp_path, cache, monkeypatch):
    """git's racy case: a file changed within the last seconds may change again in the same tick of the clock."""
    monkeypatch.setattr(slice_index, "RECENT", 3.0)
    policy, data = _write(tmp_path, _many(50))
    assert "standing = 50%" in policy.explain_slice(data, "E003").text()
    assert _entries(cache) == []
    old = os.stat(data).st_mtime_ns - 10 * 10**9
    os.utime(data, ns=(old, old))  # the mtime set back: the ctime is still now
    policy.explain_slice(data, "E003")
    assert _entries(cache) == []


@pytest.mark.parametrize("part", ["meta", "parquet"])
def test_a_corrupt_entry_is_ignored_and_made_again(tmp_path, cache, monkeypatch, part):
    scan = slice_._scan
    policy, data = _write(tmp_path, _many(200))
    text = policy.explain_slice(data, "E003").text()
    [entry] = [p for p in cache.iterdir() if p.suffix == f".{part}"]
    size = entry.stat().st_size
    entry.write_bytes(b"\x00garbage" * (size // 8) + b"\x00" * (size % 8))  # its size kept: read, then refused
    assert entry.stat().st_size == size
    assert policy.explain_slice(data, "E003").text() == text
    _no_scan(monkeypatch)  # made again: the next explain reads it
    assert policy.explain_slice(data, "E003").text() == text
    # Cut short (a meta that does not unpickle), then removed: the same again.
    meta = next(p for p in cache.iterdir() if p.suffix == ".meta")
    meta.write_bytes(meta.read_bytes()[:5])
    monkeypatch.setattr(slice_, "_scan", scan)
    assert policy.explain_slice(data, "E003").text() == text
    assert len(_entries(cache)) == 2


def test_no_cache_keeps_nothing(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("ATTAIN_NO_CACHE", "1")
    policy, data = _write(tmp_path, _many(100))
    assert "standing = 50%" in policy.explain_slice(data, "E003").text()
    assert not (tmp_path / "cache").exists()


def test_below_the_threshold_nothing_is_kept(tmp_path, cache, monkeypatch):
    policy, data = _write(tmp_path, _many(100))
    monkeypatch.setenv("ATTAIN_CSV_INDEX_MIN_BYTES", str(os.stat(data).st_size + 1))
    assert "standing = 50%" in policy.explain_slice(data, "E003").text()
    assert _entries(cache) == []


def test_a_cache_that_cannot_be_written_still_answers(tmp_path, cache, monkeypatch):
    """A cache folder that cannot be made (a file where it would be), and a disk that is full."""
    policy, data = _write(tmp_path, _many(100))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    text = policy.explain_slice(data, "E003").text()
    assert "standing = 50%" in text
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(slice_index.tempfile, "mkstemp", full)
    assert policy.explain_slice(data, "E003").text() == text
    assert _entries(cache) == []


def test_bad_data_says_the_same_from_the_index(tmp_path, cache, monkeypatch):
    """The employee's own bad cell and a duplicate, at their real lines; a member's bad cell through the whole
    read: each error the one without the index."""
    rows = _many(300)
    rows.append("Z1,华东,1000,nine hundred")  # line 307
    rows[2] = "E002,华东,1000,8OO"  # a member's bad cell, line 3
    rows.append("E004,华东,1000,1200")  # E004 twice: lines 5 and 308
    policy, data = _write(tmp_path, rows)
    calls = [("Z1", True), ("E003", False), ("E004", False)]

    def said(who, sliced):
        try:
            got = policy.explain_slice(data, who) if sliced else policy.explain(data, who)
        except AttainError as e:
            return [(d.code, d.message, d.span, d.hint) for d in e.diagnostics]
        return None if got is None else got.text()

    monkeypatch.setenv("ATTAIN_NO_CACHE", "1")
    without = [said(who, sliced) for who, sliced in calls]
    monkeypatch.delenv("ATTAIN_NO_CACHE")
    assert [said(who, sliced) for who, sliced in calls] == without
    assert len(_entries(cache)) == 2
    assert [said(who, sliced) for who, sliced in calls] == without  # from the index now
    assert without[0][0][2].line == 307
    assert without[1][0][2].line == 3
    assert without[2][0][0] == "D414"


def test_line_starts_kept_every_block(tmp_path, cache, monkeypatch):
    """With a block of 16 bytes, lines shorter and longer than a block: each line read at its kept start."""
    monkeypatch.setattr(slice_index, "BLOCK", 16)
    rows = ["id,region,sales_target,sales"] + [f"E{k:03d},{'华东' * (k % 7)}x,1000,{k}" for k in range(1, 120)]
    policy, data = _write(tmp_path, rows, POLICY)
    policy.explain_slice(data, "E001")
    [meta] = [p for p in cache.iterdir() if p.suffix == ".meta"]
    kept = pickle.loads(meta.read_bytes())
    index = slice_index.Index(data, str(meta.with_suffix(".parquet")), tuple(kept["marks"]), kept["lines"],
                              kept["trailing"], kept["quotes"])
    assert len(index.marks) > 100
    with open(data, "rb") as f:
        assert [index.line(f, n).decode("utf-8") for n in range(1, len(rows) + 1)] == rows
    _no_scan(monkeypatch)
    for who in ("E001", "E060", "E119"):
        assert policy.explain_slice(data, who).text() == _whole(policy, data, who).text()


def test_a_record_of_several_lines_is_not_indexed(tmp_path, cache):
    """A quoted cell with a line break: record r is not line header + 1 + r; nothing is kept."""
    rows = _many(20)
    rows[10] = 'N00005,"华\n北",1000,500'
    policy, data = _write(tmp_path, rows)
    assert policy.explain_slice(data, "E003") is None  # the whole read, as without the index
    assert _entries(cache) == []


TYPED = """policy "typed columns"

input region : text
input target : money in 0 .. 1_000_000
input sales : money default 0
input rate : percent written as points
input visits : count

attainment = sales / target * rate
standing = percentile(attainment within region)
busy = mean(visits within region except self)

output attainment, standing, busy
"""


@pytest.mark.parametrize("bad", [None, "target", "rate", "visits"])
def test_plain_number_columns_read_as_numbers_say_the_same(tmp_path, cache, monkeypatch, bad):
    """Columns whose every cell is a plain number are kept as numbers too (`_typed`), and the members' values are
    read from them: with a range, a default (an empty cell), a percent written as points, a count; a member
    beyond the range, a rate that is not one, a count of visits with a point: each as without the index."""
    rows = ["id,region,target,sales,rate,visits"]
    rows += [f"E{k:03d},{'华东' if k % 3 else '华北'},{1000 + k * 10},{'' if k % 17 == 0 else f'{900 + k * 7}.5'},"
             f"{80 + k % 40}.25,{k % 9}" for k in range(1, 400)]
    if bad == "target":
        rows[30] = "E030,华东,2000000,930.5,90.25,3"  # beyond 1,000,000
    elif bad == "rate":
        rows[30] = "E030,华东,1300,930.5,-4,3"  # not plain: the column stays text, and the cell is refused
    elif bad == "visits":
        rows[30] = "E030,华东,1300,930.5,90.25,3.5"  # a count with a point
    policy, data = _write(tmp_path, rows, TYPED)
    whos = ["E001", "E002", "E017", "E034", "E300"]

    def said(who):
        try:
            return policy.explain(data, who).text()
        except AttainError as e:
            return [(d.code, d.message, d.span) for d in e.diagnostics]

    monkeypatch.setenv("ATTAIN_NO_CACHE", "1")
    without = [said(who) for who in whos]
    monkeypatch.delenv("ATTAIN_NO_CACHE")
    assert [said(who) for who in whos] == without  # builds the index
    [meta] = [p for p in cache.iterdir() if p.suffix == ".meta"]
    typed = dict(pickle.loads(meta.read_bytes())["typed"])
    if bad is None:  # E034's sales are empty: the default, 0
        assert typed == {2: "BIGINT", 3: "DECIMAL(5,1)", 4: "DECIMAL(5,2)", 5: "BIGINT"}, typed
    _no_scan(monkeypatch)
    assert [said(who) for who in whos] == without
    if bad is None:
        assert all(isinstance(t, str) for t in without)
        found = slice_.rows(policy.plan, data, "E002")
        assert found is not None and set(found.stored) == {"target", "sales", "rate", "visits"}
        assert all(policy.explain_slice(data, who) is not None for who in whos)  # the members read from the index


def test_an_index_whose_lines_do_not_hold_the_id_is_dropped(tmp_path, cache, monkeypatch):
    """A meta whose line starts are wrong (kept under the right name): the line read does not hold the id, so
    the index is removed and the file scanned, with the same answer."""
    policy, data = _write(tmp_path, _many(200))
    text = policy.explain_slice(data, "E003").text()
    [meta] = [p for p in cache.iterdir() if p.suffix == ".meta"]
    kept = pickle.loads(meta.read_bytes())
    kept["marks"] = ((1, 0), (3, 0))  # line 3 said to start at byte 0, the header's
    meta.write_bytes(pickle.dumps(kept))
    assert policy.explain_slice(data, "E003").text() == text
    assert len(_entries(cache)) == 2  # removed, and made again
    assert pickle.loads(next(p for p in cache.iterdir() if p.suffix == ".meta").read_bytes())["marks"] == ((1, 0),)
