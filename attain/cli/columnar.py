"""`attain run` with the duckdb engine, end to end in DuckDB, where the run allows it (`attain.sql.run`);
with the spark engine over a Spark table (`--data table:NAME`), end to end on Spark (`attain.sql.spark_run`).

The ordinary run reads the data into Python, computes and writes from Python. With
`--engine duckdb`, a CSV data file and CSV, JSON or Parquet results, DuckDB reads, validates,
computes and writes instead: the same bytes, with the same manifest. Everything else (a folder
of versions, a policy that `uses` another, Excel or YAML data, standard input, columns kept
from the data, headers in labels, a byte-order mark, xlsx and table output) and any file the
fast reader leaves to the Python reader (every invalid cell included, so that the diagnostics
are today's) takes the ordinary way, with the same engine.
"""

from __future__ import annotations

from attain import api
from attain.cli.common import show_findings
from attain.io.spark_data import run_on_spark
from attain.manifest import manifest_json, sidecar_path
from attain.subjects import MAX_EVALUATION_ERRORS


def ran_in_duckdb(loaded, data: str | tuple[str, ...], *, engine: str, fmt: str, out: str | None, sheet: str | None,
                  header_row: int | None, id_column: str | None, allow_ids, carry, headers: str | None, bom: bool,
                  manifest: dict) -> bool:
    """Whether the run was done (results and manifest written) end to end in DuckDB; False: nothing was done.

    One plain data file only: several tables (line tables) are read and joined by `attain.io.datasets`."""
    if not isinstance(data, str):
        if len(data) != 1 or "=" in data[0]:
            return False
        data = data[0]
    if isinstance(loaded, api.Policy) and loaded.model.lines is not None:
        return False
    # A Spark table or a Parquet path with the spark engine: read, checked and computed on Spark
    table = run_on_spark(data, engine)
    if (engine != ("spark" if table else "duckdb") or not isinstance(loaded, api.Policy) or loaded.parts
            or fmt not in ("csv", "json", "parquet") or sheet is not None or carry or headers == "labels" or bom
            or data == "-" or (table and header_row is not None)):
        return False
    beside = {sidecar_path(out): manifest_json(manifest)} if out not in (None, "-") and fmt == "csv" else None
    common = dict(fmt=fmt, out=out, manifest=manifest if fmt != "csv" else None, beside=beside,
                  in_force=loaded.in_force, id_column=id_column, allow_ids=allow_ids,
                  max_errors=MAX_EVALUATION_ERRORS, warn=lambda said: show_findings(api.Findings(said)))
    # through the API's boundary: an error carries the text of the files it points into, and deep formulas compile
    if table:
        from attain.sql.spark_run import run_table_to_file

        written = api.boundary(run_table_to_file)(loaded.plan, data, **common)
    else:
        from attain.sql.run import run_to_file

        written = api.boundary(run_to_file)(loaded.plan, data, header_row=header_row, **common)
    return written is not None


def write_parquet(results: api.Results, loaded, out: str | None, manifest: dict) -> None:
    """Results computed the ordinary way written as Parquet by DuckDB, as the streaming writer types them: a
    number whose places the policy fixes as DECIMAL(38, places) where every value fits, any other as its exact
    decimal text; each cell the Python writers' own text of the value."""
    from attain.engine.periods import parse_period
    from attain.sql.engine import connect
    from attain.sql.shapes import OutputShape
    from attain.sql.write import write_query

    places = {o.name: o.places for o in loaded.plan.outputs} if isinstance(loaded, api.Policy) else {}
    columns = list(results.columns)
    key, periodic = columns[0], "period" in columns[1:2]
    names = columns[(2 if periodic else 1):]
    shapes = []
    for name in names:
        kind = results.kinds.get(name, "text")
        digits = places.get(name)
        if kind in ("money", "percent", "number", "count", "days", "months"):
            shapes.append(OutputShape(name, kind, digits, "fixed", 10**digits) if digits is not None
                          else OutputShape(name, kind, None, "pair"))
        else:
            shapes.append(OutputShape(name, kind, None, kind if kind in ("bool", "date") else "text"))
    labels = sorted({row["period"] for row in results.rows} if periodic else ())
    kind = loaded.plan.model.policy.header.period if isinstance(loaded, api.Policy) else None
    periods = tuple(p for p in (parse_period(kind, label) if kind else None for label in labels) if p is not None)
    index = {str(p): p.index for p in periods}
    types = {"text": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}
    raw = ", ".join(f"CAST(NULL AS HUGEINT) AS out_{k}_n, CAST(NULL AS HUGEINT) AS out_{k}_d" if s.kind in
                    ("fixed", "pair") else f"CAST(NULL AS {types[s.kind]}) AS out_{k}" for k, s in enumerate(shapes))
    con = connect()
    try:
        con.execute("CREATE TEMP TABLE __attain_rows (__seq BIGINT, __who VARCHAR, __period INTEGER)")
        con.executemany("INSERT INTO __attain_rows VALUES (?, ?, ?)",
                        [(i, row[key], index.get(row["period"]) if periodic else None)
                         for i, row in enumerate(results.rows)])
        query = f"SELECT *, TRUE AS __fallback{', ' + raw if raw else ''} FROM __attain_rows"
        write_query(con, query, shapes, key=key, periods=periods if periodic else (), fmt="parquet", out=out,
                    fallback=lambda seqs: {s: tuple(results.rows[s][n] for n in names) for s in seqs},
                    manifest=manifest)
    finally:
        con.close()
