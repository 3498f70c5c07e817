"""What the system refuses is the user's to fix, never an internal error: names with a NUL, folders, missing
folders, a full disk, a reader that went away. Each is a coded message (or, for a closed pipe, silence),
and nothing is left half-written."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from attain.cli import main

POLICY = 'policy "p"\ninput a : number\nb = a * 2\noutput b\n'


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.policy").write_text(POLICY, encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,a\nx,1\n", encoding="utf-8")
    return tmp_path


def invoke(*args):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in r.output + r.stderr
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


@pytest.mark.parametrize("args,code,exit_code", [
    (["check", "a\0b.policy"], "U503", 2),
    (["run", "a\0b.policy", "--data", "{d}/d.csv"], "U503", 2),
    (["run", "{d}/p.policy", "--data", "{d}/d\0.csv"], "U503", 2),
    (["run", "{d}/p.policy", "--data", "{d}/d.csv", "--out", "{d}/o\0.csv"], "U505", 2),
    (["explain", "a\0b.policy", "--data", "{d}/d.csv", "--who", "x"], "U503", 2),
    (["diff", "{d}/p.policy", "a\0b", "--data", "{d}/d.csv"], "U503", 2),
    (["diff", "{d}/p.policy", "a\0b@HEAD", "--data", "{d}/d.csv"], "U524", 2),
], ids=["check", "run policy", "run data", "run out", "explain", "diff", "diff git"])
def test_a_nul_in_a_name_is_a_usage_error(files, args, code, exit_code):
    r = invoke(*[a.format(d=files) for a in args])
    assert r.exit_code == exit_code
    assert f"error[{code}]" in r.stderr
    assert "NUL character" in r.stderr


def test_a_nul_in_a_uses_path_is_named_at_the_header(files):
    (files / "u.policy").write_text('policy "u"\nuses "a\0b.policy"\ninput a : number\noutput a\n', encoding="utf-8")
    r = invoke("run", files / "u.policy", "--data", files / "d.csv")
    assert r.exit_code == 1
    assert "error[C250]" in r.stderr and "NUL character" in r.stderr


def test_a_folder_where_a_file_belongs(files):
    (files / "folder.csv").mkdir()
    r = invoke("run", files / "p.policy", "--data", files / "folder.csv")
    assert r.exit_code == 2
    assert "error[U503]" in r.stderr and "it is a directory" in r.stderr
    r = invoke("run", files / "p.policy", "--data", files / "d.csv", "--out", files / "folder.csv")
    assert r.exit_code == 2
    assert "error[U505]" in r.stderr


def test_a_missing_folder_for_out(files):
    r = invoke("run", files / "p.policy", "--data", files / "d.csv", "--out", files / "nope" / "o.csv")
    assert r.exit_code == 2
    assert "error[U505]: cannot write output file" in r.stderr
    assert not (files / "nope").exists()


@pytest.mark.parametrize("out", ["o.csv", "o.json", "o.xlsx"])
def test_a_full_disk_when_writing_out_leaves_nothing_behind(files, monkeypatch, out):
    target = files / out
    target.write_bytes(b"the results of last month")
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
    # the Python writers' files: DuckDB writes its own without os.fdopen (its I/O errors: test_write)
    r = invoke("run", files / "p.policy", "--data", files / "d.csv", "--out", target, "--engine", "python")
    assert r.exit_code == 2
    assert "error[U505]" in r.stderr and "No space left on device" in r.stderr
    assert target.read_bytes() == b"the results of last month"  # untouched
    assert sorted(p.name for p in files.iterdir()) == sorted(["p.policy", "d.csv", out])  # no temporary file


def _attain(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "attain.cli", *map(str, args)], stderr=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parents[2], **kwargs)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["run", "{d}/p.policy", "--data", "{d}/d.csv"],
                                     ["explain", "{d}/p.policy", "--data", "{d}/d.csv", "--who", "x"],
                                     ["check", "--format", "json", "{d}/p.policy"]], ids=["run", "explain", "check"])
def test_a_full_disk_on_stdout_is_u508(files, command):
    with open("/dev/full", "w") as full:
        p = _attain(*[a.format(d=files) for a in command], stdout=full)
        err = p.stderr.read().decode()
    assert p.wait() == 2
    assert "error[U508]: cannot write the results to standard output: No space left on device" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["run", "{d}/p.policy", "--data", "{d}/d.csv", "--format", "csv"],
                                     ["explain", "{d}/p.policy", "--data", "{d}/d.csv", "--who", "x"]],
                         ids=["run", "explain"])
def test_a_closed_pipe_ends_quietly(files, command):
    # `attain run ... | head -0`: the reader is gone before the first byte is written.
    p = _attain(*[a.format(d=files) for a in command], stdout=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait() == 141  # 128 + SIGPIPE, as the shell reports a command stopped by a closed pipe
    assert err == ""
