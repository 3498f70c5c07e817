"""`attain sql --dialect`: every library policy's query in each dialect, parsed back, and run where it can be.

- duckdb: the printed query is the engine's, and run over the input relation it gives the engine's rows;
- postgres: parsed back by sqlglot; where a PostgreSQL server can be started here (`initdb`, `pg_ctl`),
  run over the same relation, every output column equal to DuckDB's;
- spark: parsed back (`tests/sql/test_spark.py` runs it on Spark);
- snowflake: parsed back, or refused with U583 where the query needs gcd.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlglot
from click.testing import CliRunner
from library_samples import FIXED, data_args, ident, sample_of

import attain
from attain.cli import main
from attain.sql.compile import compile_policy
from attain.sql.engine import connect
from attain.sql.load import load_bound
from attain.sql.warehouse import TABLE


def printed(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["sql", *args])
    return r.exit_code, r.stdout, r.stderr


def statements(text: str) -> list[str]:
    """The statements after the header (comment lines), each ending in `;`."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return [s.strip().removesuffix(";") for s in body.split(";\n") if s.strip()]


@pytest.mark.parametrize("path", FIXED, ids=ident)
@pytest.mark.parametrize("dialect", ["duckdb", "spark", "postgres", "snowflake"])
def test_every_library_policy_prints_sql_that_parses_back_in_its_dialect(path, dialect):
    code, out, err = printed(str(path), "--dialect", dialect, *data_args(path))
    needs_gcd = "gcd(" in printed(str(path), *data_args(path))[1]
    if dialect == "snowflake" and needs_gcd:
        assert code == 2 and "error[U583]" in err and "greatest common divisor" in err, err
        return
    if "error[U569]" in err:  # a construct the SQL compiler does not compile yet: refused alike everywhere
        assert code == 2
        return
    assert code == 0, err
    assert out.startswith(f"-- attain sql: policy {path}") and f"dialect {dialect}" in out.splitlines()[0]
    found = statements(out)
    assert found
    for statement in found:
        sqlglot.parse_one(statement, read=dialect)  # raises where the dialect cannot read it
        if dialect != "duckdb":
            assert "HUGEINT" not in statement and "INT128" not in statement and "//" not in statement


def test_the_header_names_the_relation_and_how_each_output_is_read(tmp_path: Path):
    policy = tmp_path / "p.policy"
    policy.write_text('policy "p"\ninput sales : money\ninput rate : percent\npaid = round(sales * rate, 0.01)\n'
                      "ratio = sales / (sales + 1)\noutput paid, ratio\n", encoding="utf-8")
    code, out, err = printed(str(policy), "--dialect", "spark", "--scale", "sales=3")
    assert code == 0, err
    header = [line for line in out.splitlines() if line.startswith("--")]
    assert "--   in_0 DECIMAL(38, 0): 'sales' (money), the exact value times 10^3" in header
    assert ("--   in_1 DECIMAL(38, 0): 'rate' (percent), the exact value as a fraction (88.5% is 0.885) times 10^4"
            in header)
    assert "--   'paid' = out_0_n / 100" in header
    assert "--   'ratio' = out_1_n / out_1_d" in header
    assert any("spark.sql.ansi.enabled=true" in line for line in header)
    code, out, err = printed(str(policy), "--scale", "nothing=2")
    assert code == 2 and "'nothing=2' is not INPUT=PLACES" in err and "sales, rate" in err


def test_the_header_says_it_in_chinese(tmp_path: Path):
    policy = tmp_path / "p.policy"
    policy.write_text('policy "p"\ninput 销售额 : money\noutput 销售额\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["--lang", "zh", "sql", str(policy)])
    assert r.exit_code == 0, r.stderr
    assert "--   in_0 HUGEINT：'销售额'（money），精确值乘以 10^2" in r.stdout.splitlines()


def relation_in_duckdb(path: Path):
    """A DuckDB connection holding the policy's sample as the input relation `attain_input`, and the policy."""
    policy = attain.load(path)
    con = connect()
    loaded = load_bound(con, policy.plan, policy.bind(sample_of(path)), TABLE)
    return con, policy, loaded


SIMPLE = [p for p in FIXED if ident(p) in ("doc002/incentive.policy", "case5/pay.policy", "case1/pay.policy",
                                             "rate-grid/pay.policy")]


@pytest.mark.parametrize("path", SIMPLE, ids=ident)
def test_the_duckdb_query_printed_is_the_engines_and_gives_its_rows(path):
    con, policy, loaded = relation_in_duckdb(path)
    compiled = compile_policy(policy.plan, loaded.relation)
    code, out, err = printed(str(path), "--data", str(sample_of(path)))
    assert code == 0, err
    (query,) = statements(out)
    assert query == compiled.sql
    got = con.execute(f"SELECT * FROM ({query}) ORDER BY __seq").fetchall()
    want = con.execute(f"SELECT * FROM ({compiled.sql}) ORDER BY __seq").fetchall()
    assert got == want and len(got) == loaded.relation.rows


# ---------------------------------------------------------------- PostgreSQL, for real where it can start


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server on a Unix socket; skipped where its programs are not installed."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl and shutil.which("psql")):
        pytest.skip("PostgreSQL's initdb, pg_ctl and psql are not installed")
    folder = Path(tempfile.mkdtemp(prefix="attain-pg-"))  # pytest's own are closed to the server's user
    folder.chmod(0o777)
    prefix = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") and _root() else []
    data, socket = folder / "data", folder
    subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "attain"], check=True,
                   capture_output=True)
    # At most 4 GB for the server: a query its planner cannot cope with fails here, not the machine.
    start = (f"ulimit -v 4000000; exec {pg_ctl} -D {data} -o \"-k {socket} -p 54329 -c listen_addresses=''\" "
             f"-l {folder / 'log'} -w start")
    subprocess.run([*prefix, "bash", "-c", start], check=True, capture_output=True)
    try:
        yield ["psql", "-h", str(socket), "-p", "54329", "-U", "attain", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
               "-X", "-q", "-A", "-t", "-F", "|"]
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _root() -> bool:
    import os

    return os.geteuid() == 0


_PG_TYPES = {"BIGINT": "BIGINT", "INTEGER": "INTEGER", "VARCHAR": "TEXT", "HUGEINT": "NUMERIC(38, 0)",
             "BOOLEAN": "BOOLEAN", "DATE": "DATE"}


@pytest.mark.parametrize("path", SIMPLE, ids=ident)
def test_postgres_runs_the_printed_query_to_duckdbs_values(path, postgres, tmp_path: Path):
    con, policy, loaded = relation_in_duckdb(path)
    described = con.execute(f"DESCRIBE {TABLE}").fetchall()
    csv = tmp_path / "relation.csv"
    con.execute(f"COPY (SELECT * FROM {TABLE} ORDER BY __seq) TO '{csv}' (HEADER false)").fetchall()
    code, out, err = printed(str(path), "--dialect", "postgres", "--data", str(sample_of(path)))
    assert code == 0, err
    (query,) = statements(out)
    columns = ", ".join(f"{name} {_PG_TYPES[kind]}" for name, kind, *_ in described)
    script = (f"CREATE TEMP TABLE {TABLE} ({columns});\n\\copy {TABLE} FROM '{csv}' WITH (FORMAT csv)\n"
              f"SELECT * FROM ({query}) AS q ORDER BY __seq;\n")
    result = subprocess.run(postgres, input=script, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    got = [line.split("|") for line in result.stdout.splitlines() if line]
    want = _duckdb_rows(con, policy, loaded)
    assert len(got) == len(want) == loaded.relation.rows
    for g, w in zip(got, want, strict=True):
        assert g == [_pg_text(v) for v in w]


def _duckdb_rows(con, policy, loaded) -> list[tuple]:
    compiled = compile_policy(policy.plan, loaded.relation)
    return con.execute(f"SELECT * FROM ({compiled.sql}) ORDER BY __seq").fetchall()


def _pg_text(v) -> str:
    """A DuckDB value as psql prints it unaligned."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v)


CARRIED = """policy "carried"
period month
input sales : money
carried = previous(next, else 0)
next = round((carried + sales) * 3 / 4, 0.01)
output next
"""


def test_postgres_runs_a_period_by_period_script_to_duckdbs_values(postgres, tmp_path: Path):
    """A value carried from period to period: the printed script, its loop run by hand, on both databases."""
    (tmp_path / "p.policy").write_text(CARRIED, encoding="utf-8")
    (tmp_path / "d.csv").write_text("id,period,sales\nA,2024-01,100\nA,2024-02,50.50\nA,2024-03,7\n"
                                    "B,2024-01,1\nB,2024-02,2\n", encoding="utf-8")
    policy = attain.load(tmp_path / "p.policy")
    con = connect()
    loaded = load_bound(con, policy.plan, policy.bind(tmp_path / "d.csv"), TABLE)
    periods = [p.index for p in loaded.relation.periods]
    scripts = {}
    for dialect in ("duckdb", "postgres"):
        code, out, err = printed(str(tmp_path / "p.policy"), "--dialect", dialect, "--data", str(tmp_path / "d.csv"))
        assert code == 0, err
        body = "\n".join(line for line in out.splitlines() if not line.startswith("-- ")).strip()
        *prelude, each, keep = body.split("\n\n")
        loop = [f"{each.replace('__PERIOD__', str(p))}\nSELECT __seq, __fallback, out_0_n FROM attain_result "
                f"ORDER BY __seq;\n{keep}" for p in periods]
        scripts[dialect] = "\n".join([*prelude, *loop])
    duck = []
    for statement in scripts["duckdb"].split(";\n"):
        statement = "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()
        if statement:
            rows = con.execute(statement.removesuffix(";")).fetchall()
            duck += rows if statement.startswith("SELECT __seq") else []
    csv = tmp_path / "relation.csv"
    con.execute(f"COPY (SELECT * FROM {TABLE} ORDER BY __seq) TO '{csv}' (HEADER false)").fetchall()
    described = con.execute(f"DESCRIBE {TABLE}").fetchall()
    columns = ", ".join(f"{name} {_PG_TYPES[kind]}" for name, kind, *_ in described)
    script = (f"CREATE TEMP TABLE {TABLE} ({columns});\n\\copy {TABLE} FROM '{csv}' WITH (FORMAT csv)\n"
              + scripts["postgres"] + "\n")
    result = subprocess.run(postgres, input=script, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    got = [line.split("|") for line in result.stdout.splitlines() if line]
    assert got == [[_pg_text(v) for v in row] for row in duck]
    # Period by period, A then B, in cents: A 100 * 3/4 = 75.00; B 1 * 3/4 = 0.75; A (75 + 50.50) * 3/4 = 94.125
    # -> 94.13; B (0.75 + 2) * 3/4 = 2.0625 -> 2.06; A (94.13 + 7) * 3/4 = 75.8475 -> 75.85
    assert [row[2] for row in got] == ["7500", "75", "9413", "206", "7585"]
