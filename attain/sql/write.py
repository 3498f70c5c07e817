"""Writing a compiled query's results: DuckDB streams them to a file (COPY), exactly as the Python writers would.

A CSV is first streamed from the query straight into COPY, every cell as its final
text built in SQL (`attain.sql.text` for numbers); the first row SQL cannot finish
stops it (nothing is kept), and the result is then materialised once in a DuckDB
table (DuckDB holds it, spilling to disk when it must; no Python object per row),
as it always is for JSON and Parquet. The rows SQL cannot finish are found there
and computed by Python: those marked `__fallback` (the reference
evaluator's, through the `fallback` function), and those whose number text needs
more than 38 digits (recomputed the same way). Their rows are rendered by the
Python writers' own functions and merged back in data order, and DuckDB writes
the file with `COPY ... TO` beside the target; it is then put in place together
with its sidecar (`attain.io.writers.write_prepared`): all of it or nothing.

- csv: byte for byte `attain.io.writers` CSV (header, minimal quoting, a formula-like
  text cell neutralised with a quote, exact decimal text, "\\n" line ends).
- json: byte for byte the JSON writer's document (manifest inside; numbers as strings).
- parquet: the key and period as strings; a number whose places are fixed (a "fixed"
  output whose `places` cover its denominator, every rounded payout) as DECIMAL(38, places)
  when every value fits 38 digits, any other number as its exact decimal text (VARCHAR);
  text, yes/no and dates as VARCHAR, BOOLEAN and DATE. The manifest is the file's
  key-value metadata `attain.manifest` (JSON).

xlsx is not streamed: the caller uses `attain.io.write_results`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.periods import Period
from attain.i18n.messages import joined, say
from attain.io.atomic import temporary_beside, unwritable, write_prepared
from attain.io.writers import csv_line, json_frame, stdout_failed
from attain.sql.shapes import OutputShape
from attain.sql.text import Staged, fixed_text, pair_text, staged_select

FORMATS = ("csv", "json", "parquet")
Fallback = Callable[[list[int]], dict[int, tuple]]

_OUT = "__attain_out"
_PY = "__attain_py"
_PERIODS = "__attain_periods"
_PYTHONS = "attain: a row for Python"  # the error that stops a streamed COPY (`_final`)
_FORMULA_START = "'=', '+', '-', '@', chr(9), chr(13)"
# What json.dumps(ensure_ascii=False) escapes: the backslash first, the quote, and every control character.
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), *(
    (chr(c), {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(c, f"\\u{c:04x}")) for c in range(32)))


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _number_staged(shape: OutputShape, k: int) -> Staged:
    if shape.kind == "fixed":
        if shape.den is None:
            raise ValueError(f"output {shape.name!r} is fixed but has no denominator")
        return fixed_text(f"out_{k}_n", shape.den, shape.places, f"o{k}")
    return pair_text(f"out_{k}_n", f"out_{k}_d", shape.places, f"o{k}", shape.bounds)


def _raw_columns(shapes: Sequence[OutputShape]) -> list[str]:
    cols = []
    for k, shape in enumerate(shapes):
        if shape.kind == "pair":
            cols += [f"out_{k}_n", f"out_{k}_d"]
        elif shape.kind == "fixed":
            cols.append(f"out_{k}_n")
        elif shape.kind in ("text", "bool", "date"):
            cols.append(f"out_{k}")
        else:
            raise ValueError(f"output {shape.name!r} has no kind {shape.kind!r}")
    return cols


def _cell(shape: OutputShape, k: int) -> str:
    """The output's value as text, as `format_number` (or isoformat) gives it; NULL when empty."""
    if shape.kind in ("fixed", "pair"):
        return f"__text_{k}"
    if shape.kind == "text":
        return f"out_{k}"
    if shape.kind == "bool":
        return f"CASE WHEN out_{k} THEN 'true' WHEN NOT out_{k} THEN 'false' END"
    return f"strftime(out_{k}, '%Y-%m-%d')"


def _decimal_places(shape: OutputShape) -> int | None:
    """The DECIMAL scale of the output in Parquet: its places, when every value prints with exactly that many."""
    if shape.kind != "fixed" or shape.places is None or shape.den is None:
        return None
    den, twos, fives = shape.den, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    return shape.places if den == 1 and max(twos, fives) <= shape.places <= 38 else None


def write_query(con: Any, query: str, shapes: Sequence[OutputShape], *, key: str, periods: Sequence[Period],
                fmt: str, out: str | None, fallback: Fallback, manifest: dict | None = None,
                beside: dict[str, str] | None = None, ready: Callable[[], None] | None = None) -> int:
    """Write the results of `query` (the compiled query's columns) as `fmt` to `out`; return the rows written.

    `key` names the id column, `periods` are the relation's periods (`__period` indexes
    them by `Period.index`; none: no period column). `out` None or "-" is standard output.
    The file and `beside` (path -> text, such as the CSV's manifest sidecar) are written
    together or, on any error, not at all; a fallback that raises AttainError writes nothing.
    `ready`, when given, is called once every row is computed, before anything is written.
    """
    if fmt not in FORMATS:
        raise AttainError([Diagnostic("U504", say("U504.out", fmt=fmt), hint=say("U504.use", formats=joined(FORMATS)))])
    periodic = bool(periods)
    names = [key, *(["period"] if periodic else []), *(s.name for s in shapes)]
    refused = out is not None and "\0" in out  # DuckDB would cut the name there
    try:
        _periods_table(con, periods)
        if fmt == "csv" and not refused:  # streamed from the query to the file, unless a row turns out Python's
            select, options = _final(con, shapes, names, periodic, fmt, manifest, 0, False,
                                     f"({_cells(query, shapes, periods)}) o", streamed=True)
            temp = _copied(con, select, options, out, streamed=True)
            if temp is not None:
                return _put(temp[0], out, beside, ready, temp[1])
        rows = _materialise(con, query, shapes, periods)
        merged = _merge_python(con, shapes, fallback)
        select, options = _final(con, shapes, names, periodic, fmt, manifest, rows, merged)
        if ready is not None:
            ready()
        if out is not None and refused:  # the system's refusal, as the Python writers say it
            raise unwritable(out, ValueError(out))
        temp = _copied(con, select, options, out)
        assert temp is not None, "only a streamed select stops for Python"
        return _put(temp[0], out, beside, None, rows)
    finally:
        for table in (_OUT, _PY, _PERIODS):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _copied(con: Any, select: str, options: str, out: str | None, streamed: bool = False) -> tuple[str, int] | None:
    """(a temporary file beside `out`, or anywhere for standard output, holding what `select` gives; its rows).

    `streamed`: None where a row turned out to be Python's (the select stops there) or the file cannot be
    written (the materialised path then says so, after what it must say first); nothing is left behind."""
    if out is None or out == "-":
        fd, temp = tempfile.mkstemp(prefix="attain-", suffix=".out")
        os.close(fd)
    else:
        temp = temporary_beside(out)
    try:
        (rows,), = con.execute(f"COPY ({select}) TO {quote(temp)} ({options})").fetchall()
    except BaseException as e:
        _remove(temp)
        if streamed and (_PYTHONS in str(e) or type(e).__name__ == "IOException" or isinstance(e, OSError)):
            return None
        if out is not None and out != "-" and (type(e).__name__ == "IOException" or isinstance(e, OSError)):
            raise unwritable(out, OSError(0, str(e).rsplit(": ", 1)[-1])) from None  # a missing folder, a full disk
        raise
    return temp, int(rows)


def _put(temp: str, out: str | None, beside: dict[str, str] | None, ready: Callable[[], None] | None,
         rows: int) -> int:
    """The written temporary file put in place (or copied to standard output), once `ready` is called."""
    try:
        if ready is not None:
            ready()
        if out is None or out == "-":
            _to_stdout(temp)
            return rows
    except BaseException:
        _remove(temp)
        raise
    write_prepared(temp, out, beside)
    return rows


def _periods_table(con: Any, periods: Sequence[Period]) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_PERIODS} (idx INTEGER, label VARCHAR)")
    if periods:
        con.executemany(f"INSERT INTO {_PERIODS} VALUES (?, ?)", [(p.index, str(p)) for p in periods])


def _materialise(con: Any, query: str, shapes: Sequence[OutputShape], periods: Sequence[Period]) -> int:
    """The results as cell texts in table __attain_out, with `__py` on the rows Python must compute."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_OUT} AS {_cells(query, shapes, periods)}")
    return int(con.execute(f"SELECT count(*) FROM {_OUT}").fetchall()[0][0])


def _cells(query: str, shapes: Sequence[OutputShape], periods: Sequence[Period]) -> str:
    """The results as cell texts (`__seq`, `__who`, `__label`, `__py`, c0, c1, ...), `__py` true on the rows
    Python must compute."""
    texts = {f"__text_{k}": _number_staged(s, k) for k, s in enumerate(shapes) if s.kind in ("fixed", "pair")}
    staged = staged_select(query, ["__seq", "__who", "__period", "__fallback", *_raw_columns(shapes)], texts)
    unprintable = [f"(out_{k}_n IS NOT NULL AND __text_{k} IS NULL)" for k, s in enumerate(shapes)
                   if s.kind in ("fixed", "pair")]
    py = " OR ".join(["coalesce(__fallback, false)", *unprintable])
    cells = ", ".join(f"{_cell(s, k)} AS c{k}" for k, s in enumerate(shapes))
    # Without periods no row has a label: no join.
    label, join = ("p.label", f" LEFT JOIN {_PERIODS} p ON p.idx = __period") if periods else ("NULL", "")
    return (f"SELECT __seq, __who, {label} AS __label, {py} AS __py{', ' + cells if cells else ''} "
            f"FROM ({staged}){join}")


def _merge_python(con: Any, shapes: Sequence[OutputShape], fallback: Fallback) -> bool:
    """Compute the rows marked __py in Python and put their cell texts in table __attain_py; whether any was."""
    seqs = [int(s) for (s,) in con.execute(f"SELECT __seq FROM {_OUT} WHERE __py ORDER BY __seq").fetchall()]
    cols = ", ".join(f"c{k} VARCHAR" for k in range(len(shapes)))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_PY} (__seq BIGINT{', ' + cols if cols else ''})")
    if not seqs:
        return False
    values = fallback(seqs)
    rows = []
    for seq in seqs:
        outputs = values[seq]
        if len(outputs) != len(shapes):
            raise AssertionError(f"the fallback gave {len(outputs)} values for {len(shapes)} outputs")
        rows.append((seq, *(_python_text(v) for v in outputs)))
    con.executemany(f"INSERT INTO {_PY} VALUES ({', '.join('?' * (len(shapes) + 1))})", rows)
    return True


def _python_text(value: Any) -> str | None:
    """A value from Python as the SQL cells hold it: the CSV writer's text of it, None when empty."""
    if value is None:
        return None
    text = csv_line([value, None])[:-1]  # the writer's own text, unquoted below
    return _unquote(text) if not isinstance(value, str) else value


def _unquote(text: str) -> str:
    return text[1:-1].replace('""', '"') if text.startswith('"') else text


def _merged(shapes: Sequence[OutputShape], merged: bool) -> list[str]:
    if not merged:
        return [f"o.c{k}" for k in range(len(shapes))]
    return [f"CASE WHEN p.__seq IS NOT NULL THEN p.c{k} ELSE o.c{k} END" for k in range(len(shapes))]


def _final(con: Any, shapes: Sequence[OutputShape], names: list[str], periodic: bool, fmt: str,
           manifest: dict | None, rows: int, merged: bool = True, source: str = f"{_OUT} o", streamed: bool = False
           ) -> tuple[str, str]:
    """(the SELECT that COPY writes, COPY's options); `merged`: some rows were computed by Python.

    `streamed`: a CSV select straight over the cells (`_cells`) as `o`, which stops with an error naming
    _PYTHONS at the first row Python must compute."""
    if merged:
        source = f"{source} LEFT JOIN {_PY} p ON p.__seq = o.__seq"
    cells = ["o.__who", *(["o.__label"] if periodic else []), *_merged(shapes, merged)]
    kinds = ["text", *(["text"] if periodic else []), *(s.kind for s in shapes)]
    if fmt == "parquet":
        return _parquet(con, shapes, names, cells, source, manifest)
    if fmt == "csv":
        parts = [_csv_field(c, kind) for c, kind in zip(cells, kinds, strict=True)]
        # Every part is text, never NULL: one concat_ws (a third of the CPU of joining them with ||).
        line = f"concat_ws(',', {', '.join(parts)})" if len(parts) > 1 else f"CASE WHEN {parts[0]} = '' THEN '\"\"' " \
                                                                             f"ELSE {parts[0]} END"
        header = csv_line(list(names))
        if streamed:
            line = f"CASE WHEN o.__py THEN error({quote(_PYTHONS)}) ELSE {line} END"
    else:
        head, tail, empty = json_frame(names, manifest)
        if rows == 0:
            header, line = empty[:-1], "NULL"
        else:
            header = head[:-1]
            body = " || ',\n' || ".join(f"{quote('      ' + json.dumps(n, ensure_ascii=False) + ': ')} || "
                                        f"{_json_value(c, kind)}" for n, c, kind in zip(names, cells, kinds,
                                                                                            strict=True))
            (last,), = con.execute(f"SELECT max(__seq) FROM {_OUT}").fetchall()
            line = (f"'    {{\n' || {body} || '\n    }}' || CASE WHEN o.__seq = {int(last)} "
                    f"THEN {quote(tail[:-1])} ELSE ',' END")
    select = f"SELECT {line} AS {_identifier(header)} FROM {source} ORDER BY o.__seq"
    return select, "FORMAT csv, HEADER true, QUOTE '', ESCAPE '', DELIMITER '\x01'"


def _csv_field(cell: str, kind: str) -> str:
    """A cell as the csv module writes it: a text neutralised when formula-like, quoted when it must be."""
    if kind in ("fixed", "pair", "bool", "date"):  # digits, a sign and a point; true or false; a date
        return f"coalesce({cell}, '')"  # never quoted
    original = cell
    if kind == "text":
        cell = f"CASE WHEN left({cell}, 1) IN ({_FORMULA_START}) THEN '''' || {cell} ELSE {cell} END"
    quoted = (f"CASE WHEN {cell} IS NULL THEN '' WHEN regexp_matches({cell}, '[,\"\\n]') "
              f"THEN '\"' || replace({cell}, '\"', '\"\"') || '\"' ELSE {cell} END")
    # Most cells need neither: the first character (one that starts a formula) and three searches (a comma, a
    # quote, a newline) find those that do, in half the CPU of one regular expression.
    special = (f"left({original}, 1) IN ({_FORMULA_START}) OR contains({original}, ',') "
               f"OR contains({original}, '\"') OR contains({original}, chr(10))")
    return f"CASE WHEN {original} IS NULL THEN '' WHEN {special} THEN {quoted} ELSE {original} END"


def _json_value(cell: str, kind: str) -> str:
    if kind == "bool":
        return f"coalesce({cell}, 'null')"
    escaped = cell
    for char, escape in _JSON_ESCAPES:
        escaped = f"replace({escaped}, {_char(char)}, {quote(escape)})"
    return f"CASE WHEN {cell} IS NULL THEN 'null' ELSE '\"' || {escaped} || '\"' END"


def _char(c: str) -> str:
    return f"chr({ord(c)})" if c < " " else quote(c)


def _parquet(con: Any, shapes: Sequence[OutputShape], names: list[str], cells: list[str], source: str,
             manifest: dict | None) -> tuple[str, str]:
    out = [f"{cells[0]} AS {_identifier(names[0])}"]
    if len(cells) > len(shapes) + 1:
        out.append(f"{cells[1]} AS {_identifier(names[1])}")
    offset = len(cells) - len(shapes)
    for k, shape in enumerate(shapes):
        cell, name = cells[offset + k], _identifier(names[offset + k])
        places = _decimal_places(shape)
        if places is not None and _fits(con, cell, source, places):
            out.append(f"CAST({cell} AS DECIMAL(38, {places})) AS {name}")
        elif shape.kind == "bool":
            out.append(f"CAST({cell} AS BOOLEAN) AS {name}")
        elif shape.kind == "date":
            out.append(f"CAST({cell} AS DATE) AS {name}")
        else:
            out.append(f"{cell} AS {name}")
    options = "FORMAT parquet"
    if manifest is not None:
        text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, default=str)
        options += f", KV_METADATA {{'attain.manifest': {quote(text)}}}"
    return f"SELECT {', '.join(out)} FROM {source} ORDER BY o.__seq", options


def _fits(con: Any, cell: str, source: str, places: int) -> bool:
    """Whether every value's text has exactly `places` places and 38 digits at most: then DECIMAL is exact."""
    frac = f"length(split_part({cell}, '.', 2))"
    digits = f"length(replace(replace({cell}, '-', ''), '.', ''))"
    check = f"{cell} IS NULL OR ({frac} = {places} AND {digits} <= 38)" if places else \
            f"{cell} IS NULL OR (NOT contains({cell}, '.') AND {digits} <= 38)"
    (ok,), = con.execute(f"SELECT coalesce(bool_and({check}), true) FROM {source}").fetchall()
    return bool(ok)


def _to_stdout(temp: str) -> None:
    """The bytes of the written temporary file `temp` to standard output, then the file removed."""
    try:
        sys.stdout.flush()
        try:
            with open(temp, "rb") as f:
                shutil.copyfileobj(f, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise stdout_failed(e) from None
    finally:
        _remove(temp)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
