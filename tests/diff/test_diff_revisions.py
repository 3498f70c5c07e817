"""attain diff, revisions: policies read as `path@gitrev` from git, and the errors when they cannot be."""

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from diff_doc002 import BAND_ROW, BAND_ROW_85, DOC002_TEXT, SAMPLE, edited

from attain.diagnostics import AttainError
from attain.diff import diff
from attain.diff.revisions import read_policy_source


def git(cwd, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env, timeout=60)


@pytest.fixture
def repo(tmp_path):
    """A repository with policies/x.policy committed twice: doc002, then with the 100%-120% row at 85."""
    root = tmp_path / "repo"
    (root / "policies").mkdir(parents=True)
    git(root, "init", "-q")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    policy = root / "policies" / "x.policy"
    policy.write_text(DOC002_TEXT, encoding="utf-8")
    git(root, "add", "policies/x.policy")
    git(root, "commit", "-q", "-m", "doc002")
    policy.write_text(edited(DOC002_TEXT, BAND_ROW, BAND_ROW_85), encoding="utf-8")
    git(root, "commit", "-q", "-am", "raise the 100%-120% score to 85")
    return root


def test_read_policy_source_from_a_revision(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    assert read_policy_source("x.policy@HEAD~1") == (DOC002_TEXT, "x.policy@HEAD~1")
    assert read_policy_source("x.policy@HEAD") == (edited(DOC002_TEXT, BAND_ROW, BAND_ROW_85), "x.policy@HEAD")
    assert read_policy_source("x.policy") == (edited(DOC002_TEXT, BAND_ROW, BAND_ROW_85), "x.policy")


def test_diff_against_a_revision_from_inside_the_directory(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    r = diff("x.policy@HEAD~1", "x.policy", str(SAMPLE))
    assert [c.text for c in r.changes] == ["attainment_score: band row 100% to 120% now gives 85 instead of 80"]
    assert r.changes[0].old_span.file == "x.policy@HEAD~1"
    assert (r.old_name, r.new_name) == ("x.policy@HEAD~1", "x.policy")
    assert [(d.output, d.old, d.new, d.change) for d in r.impact.rows[0].changed] == [
        ("total_score", Decimal("85"), Decimal("87"), Decimal("2")),
        ("bonus_total", Decimal("10200.00"), Decimal("10440.00"), Decimal("240.00")),
    ]


def test_diff_against_a_revision_from_another_directory(repo, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    spec = os.path.join("..", "repo", "policies", "x.policy")
    r = diff(spec + "@HEAD~1", spec, str(SAMPLE))
    assert [c.text for c in r.changes] == ["attainment_score: band row 100% to 120% now gives 85 instead of 80"]
    assert (r.impact.gain, r.impact.lose, r.impact.unchanged) == (1, 0, 2)
    # Two revisions, the working tree not involved at all.
    r = diff(spec + "@HEAD~1", spec + "@HEAD~1", str(SAMPLE))
    assert (r.changes, r.impact.affected) == ((), ())


def test_a_file_deleted_from_the_working_tree_is_read_from_the_revision(repo, monkeypatch):
    monkeypatch.chdir(repo)
    (repo / "policies" / "x.policy").unlink()
    (repo / "policies").rmdir()
    assert read_policy_source("policies/x.policy@HEAD~1")[0] == DOC002_TEXT


def test_an_existing_file_with_at_in_its_name_is_a_plain_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("v@2.policy").write_text("policy \"x\"\n", encoding="utf-8")
    assert read_policy_source("v@2.policy") == ('policy "x"\n', "v@2.policy")


def test_unknown_revision(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    with pytest.raises(AttainError) as e:
        read_policy_source("x.policy@nope")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U522", "cannot read 'x.policy@nope': the git repository has no revision 'nope'")
    assert d.hint == "use a commit, tag or branch that exists, such as HEAD~1; see git log"


def test_file_not_in_the_revision(repo, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    with pytest.raises(AttainError) as e:
        read_policy_source("y.policy@HEAD")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U523", "cannot read 'y.policy@HEAD': 'policies/y.policy' does not exist in "
                                           "revision 'HEAD'")
    monkeypatch.chdir(repo)
    with pytest.raises(AttainError) as e:
        read_policy_source("policies@HEAD")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U523", "cannot read 'policies@HEAD': 'policies' is a directory in revision 'HEAD'")


def test_not_a_git_repository(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(AttainError) as e:
        diff("x.policy@HEAD~1", "x.policy", str(SAMPLE))
    [d] = e.value.diagnostics
    assert (d.code, d.message) == (
        "U521", "cannot read 'x.policy@HEAD~1': the current directory is not inside a git repository")
    assert d.hint.startswith("git says: not a git repository")


@pytest.mark.parametrize("spec, message", [
    ("x.policy@", "'x.policy@' names no git revision after '@'"),
    ("@HEAD", "'@HEAD' names no file before '@'"),
    ("x.policy@--output=/tmp/x", "'--output=/tmp/x' in 'x.policy@--output=/tmp/x' is not a git revision"),
    ("x.policy@HEAD:y", "'HEAD:y' in 'x.policy@HEAD:y' is not a git revision"),
])
def test_malformed_revisions(spec, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AttainError) as e:
        read_policy_source(spec)
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U524", message)


def test_missing_plain_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AttainError) as e:
        read_policy_source("gone.policy")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U501", "policy file 'gone.policy' does not exist")


def test_revisions_with_slashes_and_reflog_syntax(repo, monkeypatch):
    git(repo, "branch", "team/v1", "HEAD~1")
    monkeypatch.chdir(repo)
    assert read_policy_source("policies/x.policy@team/v1") == (DOC002_TEXT, "policies/x.policy@team/v1")
    assert read_policy_source("policies/x.policy@HEAD@{1}")[0] == DOC002_TEXT


def test_git_not_installed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with pytest.raises(AttainError) as e:
        read_policy_source("x.policy@HEAD")
    [d] = e.value.diagnostics
    assert (d.code, d.message) == ("U520", "cannot read 'x.policy@HEAD': git is not installed or not on PATH")
