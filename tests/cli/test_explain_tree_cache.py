"""`attain explain` keeps the parsed policy on disk (attain.explain.tree_cache): never a stale tree.

The policy: bonus = sales * 10%. E1 sells 2,000: bonus 200.00 (20% after the edit: 400.00).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from attain import api
from attain.cli import main
from attain.explain import tree_cache

POLICY = 'policy "p"\ninput sales : money\nbonus = sales * {rate}\npayout pay = round(bonus, 0.01)\n'


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ATTAIN_NO_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    Path("p.policy").write_text(POLICY.format(rate="10%"), encoding="utf-8")
    Path("d.csv").write_text("id,sales\nE1,2000\nE2,50\n", encoding="utf-8")
    return tmp_path


def explain() -> str:
    r = CliRunner().invoke(main, ["explain", "p.policy", "--data", "d.csv", "--who", "E1", "--value", "pay"])
    assert r.exit_code == 0, r.output
    return r.stdout


def entries(root: Path) -> list[Path]:
    return sorted((root / "cache" / "attain" / "trees").glob("*.pickle"))


def test_the_second_explain_reads_the_kept_tree_and_says_the_same(files, monkeypatch):
    first = explain()
    assert "pay = 200.00" in first
    [entry] = entries(files)

    def no_parse(*args):
        raise AssertionError("parsed again")

    monkeypatch.setattr(tree_cache, "parse", no_parse)
    assert explain() == first
    assert entries(files) == [entry]


def test_a_changed_policy_is_parsed_again(files):
    assert "pay = 200.00" in explain()
    Path("p.policy").write_text(POLICY.format(rate="20%"), encoding="utf-8")
    assert "pay = 400.00" in explain()
    assert len(entries(files)) == 2


def test_another_attain_version_or_parser_never_reads_the_entry(files, monkeypatch):
    explain()
    text = POLICY.format(rate="10%")
    before = tree_cache.key("p.policy", text)
    monkeypatch.setattr(tree_cache, "__version__", "9.9.9")
    assert tree_cache.key("p.policy", text) != before
    monkeypatch.setattr(tree_cache, "_code", lambda: b"another parser")
    assert tree_cache.key("p.policy", text) not in (before, tree_cache.key("q.policy", text))


def test_a_broken_or_foreign_entry_is_parsed_again_and_replaced(files):
    explain()
    [entry] = entries(files)
    entry.write_bytes(b"\x80\x05 cut short")
    assert "pay = 200.00" in explain()
    assert isinstance(pickle.loads(entry.read_bytes()), api.nodes.Policy)
    # The tree of another text under this entry's name (it cannot happen by a hash, but is never trusted).
    other = api.loads(POLICY.format(rate="30%"), "p.policy").tree
    entry.write_bytes(pickle.dumps(other))
    assert "pay = 200.00" in explain()


def test_the_cache_can_be_turned_off_or_unwritable(files, monkeypatch):
    monkeypatch.setenv("ATTAIN_NO_CACHE", "1")
    assert "pay = 200.00" in explain()
    assert entries(files) == []
    monkeypatch.delenv("ATTAIN_NO_CACHE")
    (files / "cache").write_text("a file where the folder would be", encoding="utf-8")
    assert "pay = 200.00" in explain()


def test_a_policy_with_an_error_is_reported_each_time_and_never_kept(files):
    Path("p.policy").write_text('policy "p"\ninput sales : money\nbonus = sales *\n', encoding="utf-8")
    for _ in range(2):
        r = CliRunner().invoke(main, ["explain", "p.policy", "--data", "d.csv", "--who", "E1"])
        assert r.exit_code != 0 and "p.policy:3" in r.output and "Traceback" not in r.output
    assert entries(files) == []


@pytest.mark.parametrize("options", [["--format", "json"], ["--lang", "zh"], ["--format", "json", "--lang", "zh"]])
def test_the_kept_tree_explains_byte_for_byte_as_a_parsed_one(files, monkeypatch, options):
    def explain_with(*more: str) -> str:
        r = CliRunner().invoke(main, ["explain", "p.policy", "--data", "d.csv", "--who", "E1", *more])
        assert r.exit_code == 0, r.output
        return r.stdout

    monkeypatch.setenv("ATTAIN_NO_CACHE", "1")
    parsed = explain_with(*options)
    monkeypatch.delenv("ATTAIN_NO_CACHE")
    assert explain_with(*options) == parsed  # writes the entry
    assert len(entries(files)) == 1
    assert explain_with(*options) == parsed  # reads it


def test_the_folder_keeps_the_trees_used_last(files, monkeypatch):
    """Three policies (rates 10%, 20%, 30%), room for two: the first, not used since, is removed."""
    monkeypatch.setattr(tree_cache, "MAX_ENTRIES", 2)
    outputs = []
    for rate in ("10%", "20%", "30%"):
        Path("p.policy").write_text(POLICY.format(rate=rate), encoding="utf-8")
        outputs.append(explain())
        if rate == "20%":
            [first] = [e for e in entries(files) if e.name.startswith(tree_cache.key("p.policy",
                                                                                      POLICY.format(rate="10%")))]
            os.utime(first, (1, 1))  # used long ago
    assert [("pay = 200.00" in outputs[0]), ("pay = 400.00" in outputs[1]), ("pay = 600.00" in outputs[2])] == [
        True, True, True]
    kept = {e.name for e in entries(files)}
    assert kept == {f"{tree_cache.key('p.policy', POLICY.format(rate=r))}.pickle" for r in ("20%", "30%")}
