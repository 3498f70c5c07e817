"""The duckdb engine refuses, at the construct and before computing anything, what it does not compile yet (U569).

Never a silent route to another engine, never a traceback: the same policy runs with `--engine python`.
"""

import pytest
from click.testing import CliRunner

import attain
from attain.cli import main
from attain.diagnostics import AttainError

HEAD = 'policy "p"\nperiod month\ninput sales : money\ninput hired : date\n'
DATA = "id,period,sales,hired\nA,2023-01,100,2022-12-01\n"

# (the formulas after HEAD, the line and column the refusal points at, the construct it names)
CASES = {
    "period word": ("v = sales * period_days\n", 5, 13, "`period_days`"),
    "date function": ("v = days_between(hired, period_end)\n", 5, 5, "the date function `days_between`"),
    "date plus days": ("later = hired + 30\nv = 1 if later > hired else 0\n", 5, 9,
                       "date arithmetic (`+` on a date)"),
    "date minus date": ("v = hired - 2022-01-01\n", 5, 5, "date arithmetic (`-` on a date)"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_construct_not_compiled_yet_is_refused_at_its_place(name, tmp_path):
    formulas, line, col, what = CASES[name]
    text = HEAD + formulas + "output v\n"
    policy = attain.loads(text)
    data = tmp_path / "d.csv"
    data.write_text(DATA, encoding="utf-8")
    assert policy.run(data).rows  # the python engine computes it
    with pytest.raises(AttainError) as refused:
        policy.run(data, engine="duckdb")
    (d,) = refused.value.diagnostics
    assert (d.code, d.message) == ("U569", f"the duckdb engine does not compile {what} yet")
    assert (d.span.line, d.span.col) == (line, col)
    assert "--engine python" in d.hint


def test_the_command_line_refuses_with_exit_2_and_writes_nothing(tmp_path):
    (tmp_path / "p.policy").write_text(HEAD + "v = sales * period_days\noutput v\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["run", str(tmp_path / "p.policy"), "--data", str(tmp_path / "d.csv"),
                                       "--engine", "duckdb", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "error[U569]: the duckdb engine does not compile `period_days` yet" in result.output
    assert "Traceback" not in result.output and not out.exists()
    ok = CliRunner().invoke(main, ["run", str(tmp_path / "p.policy"), "--data", str(tmp_path / "d.csv"),
                                   "--format", "csv"])
    # 100 x 31 days of January
    assert ok.exit_code == 0 and ok.stdout.splitlines()[1] == "A,2023-01,3100", ok.output
