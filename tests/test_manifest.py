"""Tests for attain.manifest: what a run records about its inputs, and where it is written."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
from decimal import Decimal

import pytest

import attain
from attain.diagnostics import AttainError
from attain.io import write_results
from attain.manifest import build_manifest, manifest_json, sidecar_path, write_sidecar

NOW = datetime.datetime(2024, 7, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC)
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def no_enclosing_repository(tmp_path, monkeypatch):
    # Whatever holds the temporary directory, git must not find a repository above it.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.delenv("GIT_DIR", raising=False)


def git(repo, *args) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
         "-C", str(repo), *args],
        capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "policies").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "policies" / "q3.policy").write_text("policy q3\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "q3")
    return root


def sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_manifest_shape_and_order(tmp_path):
    policy = tmp_path / "q.policy"
    policy.write_text("policy q\n", encoding="utf-8")
    data = tmp_path / "sales.csv"
    data.write_bytes(b"id,sales\ne1,1\n")
    argv = ["attain", "run", str(policy), "--data", str(data)]
    m = build_manifest([str(policy)], str(data), argv, now=NOW)
    assert list(m) == ["engine", "policies", "data", "command", "created"]
    assert m == {
        "engine": {"name": "attain", "version": attain.__version__},
        "policies": [{"path": str(policy), "sha256": sha(policy), "git": None}],
        "data": {"path": str(data), "sha256": sha(data)},
        "command": argv,
        "created": "2024-07-01T09:30:15Z",
    }
    assert list(m["policies"][0]) == ["path", "sha256", "git"]


def test_paths_stay_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.policy").write_text("x", encoding="utf-8")
    m = build_manifest(["q.policy"], "-", ["attain"], now=NOW)
    assert m["policies"][0]["path"] == "q.policy"
    assert m["policies"][0]["sha256"] == hashlib.sha256(b"x").hexdigest()
    assert m["data"] == {"path": "-", "sha256": None}


def test_no_data_and_unreadable_files(tmp_path):
    m = build_manifest([str(tmp_path / "gone.policy")], None, [], now=NOW)
    assert m["data"] is None
    assert m["policies"] == [{"path": str(tmp_path / "gone.policy"), "sha256": None, "git": None}]


def test_created_is_utc_to_the_second():
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    assert build_manifest([], None, [], now=datetime.datetime(2024, 7, 1, 17, 30, tzinfo=beijing))["created"] == (
        "2024-07-01T09:30:00Z"
    )
    assert build_manifest([], None, [], now=datetime.datetime(2024, 7, 1, 9, 30))["created"] == "2024-07-01T09:30:00Z"
    created = build_manifest([], None, [])["created"]
    parsed = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    assert abs(parsed - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_same_inputs_same_manifest(tmp_path):
    policy = tmp_path / "q.policy"
    policy.write_text("policy q\n", encoding="utf-8")
    args = ([str(policy)], "-", ["attain", "run", str(policy)])
    first, second = build_manifest(*args, now=NOW), build_manifest(*args, now=NOW)
    assert first == second
    assert manifest_json(first) == manifest_json(second)
    out_a, out_b = tmp_path / "a.json", tmp_path / "b.json"
    rows = [{"id": "e1", "bonus": Decimal("1750.00")}]
    write_results(["id", "bonus"], rows, "json", str(out_a), manifest=first)
    write_results(["id", "bonus"], rows, "json", str(out_b), manifest=second)
    assert out_a.read_bytes() == out_b.read_bytes()
    write_results(["id", "bonus"], rows, "xlsx", str(tmp_path / "a.xlsx"), manifest=first)
    write_results(["id", "bonus"], rows, "xlsx", str(tmp_path / "b.xlsx"), manifest=second)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


@needs_git
def test_git_commit_and_modified(repo):
    policy = str(repo / "policies" / "q3.policy")
    head = git(repo, "rev-parse", "HEAD")
    (entry,) = build_manifest([policy], None, [], now=NOW)["policies"]
    assert entry["git"] == {"commit": head, "modified": False}
    with open(policy, "a", encoding="utf-8") as f:
        f.write("# edited\n")
    (entry,) = build_manifest([policy], None, [], now=NOW)["policies"]
    assert entry["git"] == {"commit": head, "modified": True}
    git(repo, "add", ".")  # staged but not committed: still not what HEAD holds
    assert build_manifest([policy], None, [], now=NOW)["policies"][0]["git"]["modified"] is True


@needs_git
def test_git_untracked_and_ignored_files_are_modified(repo):
    (repo / ".gitignore").write_text("*.tmp.policy\n", encoding="utf-8")
    new = repo / "policies" / "new [draft].policy"
    ignored = repo / "policies" / "scratch.tmp.policy"
    new.write_text("x", encoding="utf-8")
    ignored.write_text("y", encoding="utf-8")
    head = git(repo, "rev-parse", "HEAD")
    entries = build_manifest([str(new), str(ignored)], None, [], now=NOW)["policies"]
    assert [e["git"] for e in entries] == [{"commit": head, "modified": True}] * 2


@needs_git
def test_git_relative_path_from_another_directory(repo, monkeypatch):
    monkeypatch.chdir(repo.parent)
    (entry,) = build_manifest(["repo/policies/q3.policy"], None, [], now=NOW)["policies"]
    assert entry["path"] == "repo/policies/q3.policy"
    assert entry["git"] == {"commit": git(repo, "rev-parse", "HEAD"), "modified": False}


@needs_git
def test_git_is_null_outside_a_repository_and_without_commits(tmp_path):
    outside = tmp_path / "q.policy"
    outside.write_text("x", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "q.policy").write_text("x", encoding="utf-8")
    entries = build_manifest([str(outside), str(empty / "q.policy")], None, [], now=NOW)["policies"]
    assert [e["git"] for e in entries] == [None, None]


@needs_git
def test_git_is_null_when_git_is_missing(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))
    (entry,) = build_manifest([str(repo / "policies" / "q3.policy")], None, [], now=NOW)["policies"]
    assert entry["git"] is None


@needs_git
def test_git_is_null_when_git_hangs(repo, monkeypatch):
    def timeout(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], 5)

    monkeypatch.setattr(subprocess, "run", timeout)
    (entry,) = build_manifest([str(repo / "policies" / "q3.policy")], None, [], now=NOW)["policies"]
    assert entry["git"] is None


@pytest.mark.parametrize(
    "out, sidecar",
    [
        ("results.csv", "results.manifest.json"),
        ("out/q3.results.csv", os.path.join("out", "q3.results.manifest.json")),
        ("/tmp/run.xlsx", "/tmp/run.manifest.json"),
        ("results", "results.manifest.json"),
        (".results", ".results.manifest.json"),
    ],
)
def test_sidecar_path(out, sidecar):
    assert sidecar_path(out) == sidecar


def test_write_sidecar(tmp_path):
    manifest = build_manifest([], "-", ["attain", "run", "质量.policy"], now=NOW)
    manifest["total"] = Decimal("1744.50")
    path = write_sidecar(str(tmp_path / "results.csv"), manifest)
    assert path == str(tmp_path / "results.manifest.json")
    text = open(path, encoding="utf-8").read()
    assert text.endswith("}\n") and "质量.policy" in text
    loaded = json.loads(text, parse_float=lambda s: pytest.fail("float in manifest"))
    assert list(loaded) == ["engine", "policies", "data", "command", "created", "total"]
    assert loaded["total"] == "1744.50"
    assert os.listdir(tmp_path) == ["results.manifest.json"]


def test_write_sidecar_unwritable(tmp_path):
    with pytest.raises(AttainError) as excinfo:
        write_sidecar(str(tmp_path / "missing" / "results.csv"), build_manifest([], None, [], now=NOW))
    assert [d.code for d in excinfo.value.diagnostics] == ["U505"]
