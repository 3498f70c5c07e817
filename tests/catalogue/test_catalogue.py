"""The catalogue of bad inputs: every one ends in a coded message with its place, exit 1 or 2, and nothing written.

Each case (see catalogue_kit.Case) writes its files into an empty folder and
runs one command there through the command line, in-process. For every case:
- the exit code is the one its stage says (1 findings, 2 usage), never 0 nor 3;
- no traceback and no Python exception name reaches the user;
- no file in the folder is created or changed (no --out file, no manifest sidecar,
  no temporary file left behind), and run, explain, diff and fmt print no results;
- the expected code is among the errors, and the message names its place
  (file:line:col, or a sheet cell) whenever the input has one.
The families: bad policies (catalogue_policies), bad data files
(catalogue_data) and bad command lines (catalogue_command_lines).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from catalogue_command_lines import command_line_cases
from catalogue_data import data_cases
from catalogue_kit import Case, blocks, json_as_text, names_place, write_files
from catalogue_policies import policy_cases
from click.testing import CliRunner

from attain.cli import main

CASES = policy_cases() + data_cases() + command_line_cases()

# What a Python exception looks like when it leaks into a message.
LEAKS = re.compile(
    r"Traceback|\b[A-Z][a-zA-Z]+(?:Error|Exception)\b|\b(?:BadZipFile|StopIteration|KeyboardInterrupt"
    r"|InvalidOperation|DivisionByZero)\b|\[Errno \d+\]|codec can't|object at 0x"
)
# Commands whose stdout is results: on a bad input it stays empty.
RESULT_COMMANDS = ("run", "explain", "diff", "fmt")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the SHA-256 of its bytes."""
    found = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def hidden_in_dev() -> set[str]:
    """Names of hidden files in /dev, where a temporary file beside --out /dev/full would be left."""
    return {name for name in os.listdir("/dev") if name.startswith(".")} if os.path.isdir("/dev") else set()


@pytest.fixture
def devices_kept(monkeypatch):
    """Refuse, and record, any rename over a device such as /dev/full: run as root, that would replace the device."""
    attempts: list[str] = []
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        target = os.fspath(dst)
        if os.path.exists(target) and not os.path.isfile(target) and not os.path.isdir(target):
            attempts.append(target)
            raise PermissionError(13, "the catalogue does not let a test replace a device", target)
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", replace)
    return attempts


def test_the_catalogue_is_large_and_its_ids_unique():
    ids = [case.id for case in CASES]
    assert len(ids) >= 300
    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_bad_input_is_refused_cleanly(case: Case, tmp_path, monkeypatch, devices_kept):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, case.files)
    before, dev_before = snapshot(tmp_path), hidden_in_dev()

    r = CliRunner().invoke(main, list(case.args), input=case.stdin)
    said = r.stdout + r.stderr

    assert devices_kept == [], f"attain tried to replace the device {devices_kept[0]} with its output"
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    leak = LEAKS.search(said)
    assert leak is None, f"a Python exception reached the user: {leak.group(0)!r} in\n{said[:3000]}"
    assert r.exit_code == case.expected_exit, f"exit {r.exit_code}, expected {case.expected_exit}:\n{said[:3000]}"
    assert snapshot(tmp_path) == before, "a bad input created or changed a file"
    assert hidden_in_dev() == dev_before, "a temporary file was left in /dev"
    if case.command in RESULT_COMMANDS:
        assert r.stdout == "", f"results printed for a bad input:\n{r.stdout[:2000]}"
    if case.max_stderr is not None:
        assert len(r.stderr) <= case.max_stderr, f"a message of {len(r.stderr):,} characters"

    if case.code is None:  # click's own usage error: a plain sentence, no code, no place
        assert "Error:" in r.stderr, r.stderr
        return
    found = blocks(said + json_as_text(r.stdout))
    errors = [text for severity, code, text in found if severity == "error" and code == case.code]
    assert errors, f"no error[{case.code}]; found {sorted({c for _s, c, _t in found})}:\n{said[:3000]}"
    if case.where is not None:
        assert any(names_place(text, case.where) for text in errors), \
            f"error[{case.code}] does not name {case.where}:\n" + "\n".join(errors)[:3000]
