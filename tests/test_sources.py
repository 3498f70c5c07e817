"""Source text is attached to errors once, at the API boundary: renderers never read files again."""

from pathlib import Path

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError

POLICY = 'policy "x"\ninput sales : money\npayout bonus = sales * 3% +\n'


def test_a_syntax_error_in_policy_text_carries_the_text():
    with pytest.raises(AttainError) as e:
        attain.loads(POLICY, "memo.policy")
    assert e.value.sources == {"memo.policy": POLICY}


def test_a_check_error_carries_the_policy_text():
    text = 'policy "x"\ninput sales : money\npayout bonus = sales * rate\n'
    with pytest.raises(AttainError) as e:
        attain.loads(text, "memo.policy")
    assert [d.code for d in e.value.diagnostics] == ["C203"]
    assert e.value.sources["memo.policy"] == text


def test_a_data_error_carries_the_data_files_text(tmp_path: Path):
    data = tmp_path / "data.csv"
    data.write_text("id,sales\nE1,12x\n", encoding="utf-8")
    policy = attain.loads('policy "x"\ninput sales : money\npayout bonus = sales * 3%\n')
    with pytest.raises(AttainError) as e:
        policy.run(data)
    assert [d.code for d in e.value.diagnostics] == ["D413"]
    assert e.value.sources[str(data)] == "id,sales\nE1,12x\n"


def test_check_returns_findings_with_their_sources(tmp_path: Path):
    path = tmp_path / "p.policy"
    path.write_text('policy "x"\ninput sales : money\ninput unused : money\npayout b = sales * 3%\n',
                    encoding="utf-8")
    findings = attain.check(path)
    assert [d.code for d in findings] == ["C220"]
    assert findings.sources[str(path)].startswith('policy "x"')


def test_the_command_line_draws_carets_from_the_attached_text_even_after_the_file_changed(tmp_path: Path,
                                                                                          monkeypatch):
    # The policy is read once; if the CLI read it again to draw carets, it would show the new text.
    path = tmp_path / "p.policy"
    path.write_text(POLICY, encoding="utf-8")
    real_load = attain.api.load

    def load_then_change(p):
        try:
            return real_load(p)
        finally:
            path.write_text("# changed after reading\n" * 5, encoding="utf-8")

    monkeypatch.setattr(attain.api, "load", load_then_change)
    data = tmp_path / "d.csv"
    data.write_text("id,sales\nE1,100\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["run", str(path), "--data", str(data)])
    assert r.exit_code == 1
    assert "payout bonus = sales * 3% +" in r.stderr
    assert "changed after reading" not in r.stderr
