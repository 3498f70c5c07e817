"""Reading for the columnar engine: a CSV file read and validated by DuckDB itself into the input relation.

A fast path that accepts only what it can prove the Python reader (`attain.io.read_table`
then `attain.engine.bind.bind`) reads the same way: a UTF-8 CSV file (a BOM allowed) of
one record per line, its cells plain decimals (thousands groups allowed; a percent with
% or as a fraction), dates year first, yes/no words, texts, ids that cannot read as a
total row, one row per employee (and period). Whatever else SQL meets, it does not
decide: `read_relation` returns None and the caller reads the file with the Python reader,
which gives the values or the exact diagnostics (file, row, column, value, expected) of
today. So no diagnostic is written twice, and nothing is accepted that Python refuses.

What is checked, and where:
- in Python, over the bytes in chunks (constant memory): UTF-8 throughout, no NUL, no
  lone CR, the number of lines; the header found by the Python reader's own code on the
  first lines, and the columns matched by binding's own code (`input_columns`);
- in DuckDB (no Python object per row): the CSV parsed strictly with the csv module's
  dialect, one record per physical line (its row count equals the file's line count), the
  first records equal to what the csv module reads, every cell against its input's type,
  range and choices, ids present and not total-like, period labels (each distinct label
  parsed in Python), duplicates, gaps in a history the policy looks back over, and percent
  columns that may be typed as points.

Excel, YAML, JSON, standard input and anything refused go through the Python reader.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from typing import Any

from attain.diagnostics import AttainError
from attain.dsl.builtins import currency_codes
from attain.engine.bind import DATE_COLUMNS, PERIOD_COLUMNS, find_id_column
from attain.engine.columns import input_columns
from attain.engine.currency import CODE_COLUMNS
from attain.engine.periods import Period, parse_period
from attain.engine.plan import Plan
from attain.io.headers import LOOKAHEAD
from attain.io.parquet import is_duckdb_error, is_parquet
from attain.io.readers import read_csv_text
from attain.io.tables import Table
from attain.sql.relation import InputRelation, input_column
from attain.sql.text import lit

_CHUNK = 1 << 20
_HEAD_BYTES = 1 << 16
_HEAD_ROWS = 200  # the first records the csv module's reading must equal DuckDB's
_MAX_LABELS = 10_000  # distinct period labels parsed in Python; more is no ordinary file
_MAX_SCALE = 38
_CELLS = "_cells"  # the table of a relation read in one pass, under the view that numbers its records
# What Python's str.strip() removes: every character str.isspace() accepts.
# A quote the csv module and DuckDB may read differently: not opening a field (after a comma or at a line's
# start) and not closing one (before a comma or a line's end): `x"y`, ` "x"`, `"x" `, `"x"y`, `""` inside a field.
_ODD_QUOTE = re.compile(rb'[^,\n]"[^,\r\n]')
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
# The bytes of every such character but the line end's (a file without any has no cell to trim), by first byte
# (one byte is found ten times faster than two): b"\xe2\x80" begins U+2000 to U+200A, U+2028, U+2029 and
# U+202F (and other punctuation: then the cells are trimmed).
_SPACE_BYTES: dict[bytes, tuple[bytes, ...]] = {}
for _c in (*(c.encode() for c in _SPACES if c not in "\n\r" and not "\u2000" <= c <= "\u202f"), b"\xe2\x80"):
    _SPACE_BYTES[_c[:1]] = (*_SPACE_BYTES.get(_c[:1], ()), _c)
_SPACE_CLASS = "[" + "".join("\\" + c if c in "\\]^-[" else c for c in _SPACES) + "]"
_EDGE_SPACE = f"^{_SPACE_CLASS}|{_SPACE_CLASS}$"  # a cell that starts or ends with a space
_NUMBER = r"^(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?"
_SIGNS = "¥￥$€£"  # attain.io.cells.CURRENCY_SIGNS
_SIGN = f"[{_SIGNS}]"
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")
_DATE_FORMS = (r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$", r"^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})$",
               r"^([0-9]{4})\.([0-9]{1,2})\.([0-9]{1,2})$", r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日$")


class _Refused(Exception):
    """The fast path does not decide this file: the Python reader will."""


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_relation(con: Any, plan: Plan, path: str, *, table: str = "__attain_input", id_column: str | None = None,
                  header_row: int | None = None, allow_ids=()) -> InputRelation | None:
    """The CSV (or Parquet) file at `path` as the input relation `table` in `con`, or None: read it with the
    Python reader.

    None leaves nothing behind in `con`. The relation's values are those `bind` gives
    for the same file: the same records, in the same order, from the same lines.
    """
    path = os.fspath(path)
    parquet = is_parquet(path)
    if path == "-" or (os.path.splitext(path)[1].lower() != ".csv" and not parquet):
        return None
    try:
        if parquet:
            from attain.sql.read_parquet import read_parquet_relation

            return read_parquet_relation(con, plan, path, table, id_column, header_row, frozenset(allow_ids))
        return _read(con, plan, path, table, id_column, header_row, frozenset(allow_ids))
    except (_Refused, AttainError, OSError, UnicodeDecodeError, ValueError):
        pass  # ValueError: a name the system refuses (a NUL in it), which the Python reader words
    except Exception as e:  # a DuckDB error: what DuckDB cannot read, Python reads or reports
        if not is_duckdb_error(e):
            raise
    for name in (table, f"{table}{_CELLS}", "__attain_raw", "__attain_labels"):  # the view is made last
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return None


def _scan(path: str) -> tuple[int, int, str, bool]:
    """(lines, blank lines at the end, the text of the first lines, whether any space may be in it) of a UTF-8
    file; _Refused otherwise."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines = trailing = 0
    head: list[str] = []
    size = 0
    last = tail = b""
    spaced = False
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            # An ASCII chunk is UTF-8 wherever no character straddles into it: not decoded (a fifth of the scan).
            if size < _HEAD_BYTES or not chunk.isascii() or decoder.getstate()[0]:
                text = decoder.decode(chunk)  # UnicodeDecodeError: not UTF-8, Python's reader decides
            if not spaced:
                straddled = tail + chunk  # a space's bytes may straddle two chunks
                spaced = any(first in straddled and any(space in straddled for space in spaces)
                             for first, spaces in _SPACE_BYTES.items())
            if b"\0" in chunk or (b"\r" in chunk and b"\r" in chunk.removesuffix(b"\r").replace(b"\r\n", b"")):
                raise _Refused
            if b'"' in chunk and _ODD_QUOTE.search(tail + chunk):
                raise _Refused
            tail = chunk[-2:]
            if last == b"\r" and not chunk.startswith(b"\n"):
                raise _Refused
            ends = chunk.count(b"\n")
            lines += ends
            stripped = chunk.rstrip(b"\r\n")
            trailing = (trailing + ends) if not stripped else chunk[len(stripped):].count(b"\n")
            last = chunk[-1:]
            if size < _HEAD_BYTES:
                head.append(text)
                size += len(chunk)
    decoder.decode(b"", final=True)
    if last and last != b"\n":
        return lines + 1, 0, "".join(head), spaced  # a last line without its newline
    return lines, max(trailing - 1, 0), "".join(head), spaced  # the first newline of the run ends the last line


def _read(con: Any, plan: Plan, path: str, table: str, id_column: str | None, header_row: int | None,
          allowed: frozenset) -> InputRelation:
    lines, trailing, head, spaced = _scan(path)
    head_table = _head(path, head, header_row)
    id_column = find_id_column(head_table, id_column)
    input_columns(plan, head_table, {id_column, *PERIOD_COLUMNS, *DATE_COLUMNS})  # before reading: a column missing
    positions = {c: i + 1 for i, c in enumerate(head_table.columns)}
    kind = plan.model.policy.header.period
    period_column = next((c for c in PERIOD_COLUMNS if c in positions), None) if kind else None
    if kind and period_column is None:
        _without_periods(plan, positions)
        kind = None  # no period and no date column: the records have no period, as binding gives them
    width = len(head_table.columns)
    fields = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    limit = csv.field_size_limit()
    trimmed = trimmed_cells(width) if spaced else ", ".join(f"nullif(c{i}, '') AS c{i}" for i in range(width))
    # Every cell within the csv module's limit of characters: at most that many bytes in the whole row says so.
    fits = (f"CASE WHEN {' + '.join(f'coalesce(strlen(c{i}), 0)' for i in range(width))} <= {limit} THEN true "
            f"ELSE {' AND '.join(f'coalesce(length(c{i}), 0) <= {limit}' for i in range(width))} END")
    csv_file = (f"read_csv({quote(path)}, header = false, skip = {head_table.header_line}, columns = {{{fields}}}, "
                "delim = ',', quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, "
                "null_padding = false, allow_quoted_nulls = false, parallel = false)")
    cell = {c: f"c{i}" for i, c in enumerate(head_table.columns)}
    expected = lines - head_table.header_line - trailing
    if not spaced and kind is None:
        # One pass from the file to the relation, no raw table: the columns' scales guessed from the first records
        # and verified over every row (`validated`); a file where they differ (or any check fails) is read again
        # the long way, which measures them (and refuses what it must).
        _same_as_python(con, head_table, cell, f"(SELECT {trimmed} FROM {csv_file})")
        source = f"(SELECT {trimmed}, {fits} AS __fits FROM {csv_file}) r"
        try:
            return validated(con, plan, path, table, head_table, id_column, allowed, expected, source=source,
                             guessed=True)
        except _Guessed:
            con.execute(f"DROP TABLE IF EXISTS {table}{_CELLS}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE __attain_raw AS SELECT {trimmed}, {fits} AS __fits FROM {csv_file}")
    rows = _one(con, "SELECT count(*) FROM __attain_raw")
    if rows != expected or rows == 0:
        raise _Refused  # blank lines, records over several lines, or lines DuckDB read otherwise
    _same_as_python(con, head_table, cell)
    return validated(con, plan, path, table, head_table, id_column, allowed, rows)


def _guess(plan: Plan, head: Table, columns: dict[str, str], cell: dict[str, str]) -> dict[str, Any]:
    """What `_measured` would find if the first records were the whole file: no currency sign, and each numeric
    input's scale the most places its cells among them need (`_places`, in Python). Only the records
    `_same_as_python` compares count: a scale is then reached by a cell DuckDB reads."""
    guess: dict[str, Any] = {f"sign {t}": False for t in _money_cells(plan, columns, cell)}
    for name in plan.inputs:
        inp = plan.model.inputs[name]
        if columns.get(name) is None or not plan.model.types[name].numeric or inp.type == "count":
            continue
        scale = 0
        for row in head.rows[:_HEAD_ROWS]:
            text = row.cells.get(columns[name])
            if text:
                sign = inp.type == "percent" and text.endswith("%")
                body = text[:-1] if sign else text
                places = len(body) - body.index(".") - 1 if "." in body else 0
                scale = max(scale, places + (2 if inp.type == "percent" and (sign or inp.written == "points") else 0))
        guess[f"scale {name}"] = scale
    return guess


class _Guessed(Exception):
    """The scales guessed from the first records are not every row's, or a check failed with them."""


# long: one pass, its checks, the duplicates and the relation, each step in order
def validated(con: Any, plan: Plan, path: str, table: str, head_table: Table, id_column: str | None,
              allowed: frozenset, rows: int, *, source: str = "__attain_raw r", guessed: bool = False
              ) -> InputRelation:
    """The relation `table` from the trimmed cells c0, c1, ... (and `__fits`) of `source` (the rows numbered by
    the raw table's `rowid`, or, guessed, by the order `source` gives them), every check passed (else _Refused).
    The CSV reader and the Parquet reader (`attain.sql.read_parquet`) make the cells; guessed, `table` is a view
    over the table `table`_cells.

    `guessed`: the scales are guessed from the first records (`_guess`) instead of measured over `source`, and
    `rows` is the number of records there must be: _Guessed when a cell needs more places than its column's
    guess, or when any check fails (the cells are then measured as usual). Some first record needs as many."""
    id_column = find_id_column(head_table, id_column)
    columns, warnings = input_columns(plan, head_table, {id_column, *PERIOD_COLUMNS, *DATE_COLUMNS})
    positions = {c: i + 1 for i, c in enumerate(head_table.columns)}
    kind = plan.model.policy.header.period
    period_column = next((c for c in PERIOD_COLUMNS if c in positions), None) if kind else None
    if kind and period_column is None:
        kind = None  # checked by the reader, as `_without_periods` checks it
    cell = {c: f"c{i}" for i, c in enumerate(head_table.columns)}
    checks = ["__fits", f"NOT ({' AND '.join(f'{c} IS NULL' for c in cell.values())})"]  # Python skips blank rows
    checks += _id_checks(cell[id_column], allowed)
    measured = _guess(plan, head_table, columns, cell) if guessed else _measured(con, plan, columns, cell)
    signed = _one_currency(con, plan, columns, cell, positions, measured)
    # Guessed, a scale is the most places some first record needs: each cell is checked to need no more.
    values, scales, more = _inputs(con, plan, columns, cell, signed, measured, limited=guessed)
    checks += more
    periods, period_sql = _periods(con, kind, cell[period_column]) if kind and period_column else ((), "NULL")
    # Guessed, the records are numbered by the table's rowid (the file's order: one reading thread, and DuckDB
    # keeps the insertion order), through the view `table` over the table of cells `table`_cells: a window
    # numbering them as read costs a sixth of this statement's CPU and holds every record once more.
    numbered = [] if guessed else ["CAST(r.rowid AS BIGINT) AS __seq",
                                   f"CAST(r.rowid + {head_table.header_line + 1} AS BIGINT) AS __line"]
    made = f"{table}{_CELLS}" if guessed else table
    # One pass: every cell's value (NULL or anything where a check fails) and whether every check holds.
    select = ", ".join([*numbered, f"{cell[id_column]} AS __who", f"CAST({period_sql} AS INTEGER) AS __period",
                        *(f"{v} AS {input_column(k)}" for k, v in enumerate(values)),
                        f"({' AND '.join(checks)}) AS __ok"])
    join = f" LEFT JOIN __attain_labels l ON l.label = {cell[period_column]}" if period_column else ""
    # A scan keeps the raw table's order (a quarter of this statement's CPU is a sort); a join may not.
    order = " ORDER BY r.rowid" if join else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {made} AS SELECT {select} FROM {source}{join}{order}")
    # Every check, with guessed scales the count of records, and without periods whether an employee is there
    # twice (ids are present where every check holds: fewer distinct ids than records), in one aggregate:
    more = ["count(*)"] if guessed else []
    dated = period_sql != "NULL"
    if not dated:  # a third less CPU than grouping in a statement of its own
        more += ["count(DISTINCT __who) = count(*)"]
    found = con.execute(f"SELECT {', '.join(['coalesce(bool_and(__ok), true)', *more])} FROM {made}").fetchall()[0]
    if guessed and (found[1] != rows or rows == 0):
        raise _Refused  # blank lines, records over several lines, or lines DuckDB read otherwise
    if guessed and not found[0]:
        raise _Guessed
    if not found[0]:
        raise _Refused
    con.execute(f"ALTER TABLE {made} DROP COLUMN __ok")
    con.execute("DROP TABLE IF EXISTS __attain_raw")
    con.execute("DROP TABLE IF EXISTS __attain_labels")
    if not dated and not found[-1]:
        raise _Refused  # an employee twice: D414
    # Grouped by the pair (two thirds of the CPU of counting distinct pairs):
    if dated and _one(con, f"SELECT count(*) FROM (SELECT 1 FROM {made} GROUP BY __who, __period "
                             "HAVING count(*) > 1)"):
        raise _Refused  # an employee twice in a period: D414, or rows to combine
    if plan.history and plan.model.policy.header.gaps != "restart" and _one(
            con, f"SELECT count(*) FROM (SELECT __period - lag(__period) OVER (PARTITION BY __who ORDER BY __period)"
            f" AS step FROM {made}) WHERE step > 1"):
        raise _Refused  # a gap in an employee's history: E310, at the row after it
    if guessed:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT rowid AS __seq, "
                    f"rowid + {head_table.header_line + 1} AS __line, * FROM {made}")
    return InputRelation(table, path, id_column, tuple(plan.inputs), scales, periods, rows, columns, positions,
                         tuple(warnings))


def trimmed(cell: str) -> str:
    """The text cell `cell` trimmed once, as the csv reader's strip() does, and empty as NULL."""
    # trim() with a set of characters is slow, so only a cell that starts or ends with one of them pays for it
    # (one regular expression finds those: a third of the CPU of comparing the first and last characters).
    return (f"nullif(CASE WHEN regexp_matches({cell}, {quote(_EDGE_SPACE)}) THEN trim({cell}, {quote(_SPACES)}) "
            f"ELSE {cell} END, '')")


def trimmed_cells(width: int) -> str:
    """The cells c0, c1, ... each trimmed (`trimmed`)."""
    return ", ".join(f"{trimmed(f'c{i}')} AS c{i}" for i in range(width))


def _without_periods(plan: Plan, positions: dict) -> None:
    """A policy with periods over data without a period column: read here only when there is no date column
    either and the policy needs no period (binding then gives records without one; otherwise it combines
    dated rows, or reports D415)."""
    model = plan.model
    if any(c in positions for c in DATE_COLUMNS) or plan.history or model.history_refs or model.reads_period:
        raise _Refused


def _measured(con: Any, plan: Plan, columns: dict[str, str], cell: dict[str, str]) -> dict[str, Any]:
    """One scan of the raw table: for each money cell column whether any cell may have a currency sign, for each
    numeric input the scale its cells need as written (`_scales`; a signed column's is measured again)."""
    # A cell that may hold a sign: '$', or any character beyond ASCII (its bytes outnumber its characters), a
    # tenth of the CPU of a regular expression; `_one_currency` finds which signs such a column really holds.
    signs = {t: f"coalesce(bool_or(strlen({t}) <> length({t}) OR contains({t}, '$')), false)"
             for t in _money_cells(plan, columns, cell)}
    places = _places_sql(plan, columns, cell, frozenset())
    wanted = {**{f"sign {t}": e for t, e in signs.items()}, **{f"scale {n}": e for n, e in places.items()}}
    if not wanted:
        return {}
    got = con.execute(f"SELECT {', '.join(wanted.values())} FROM __attain_raw").fetchall()[0]
    return dict(zip(wanted, got, strict=True))


def _money_cells(plan: Plan, columns: dict[str, str], cell: dict[str, str]) -> list[str]:
    """The cells of the columns that money inputs read."""
    return [cell[columns[name]] for name in plan.inputs
            if columns.get(name) is not None and plan.model.inputs[name].type == "money"]


def _one_currency(con: Any, plan: Plan, columns: dict[str, str], cell: dict[str, str], positions: dict,
                  measured: dict[str, Any]) -> frozenset[str]:
    """The cells of money columns that carry a currency sign (¥1,200; 1,200 ￥).

    Read here when every sign in the file and the policy's currency have a currency in common (otherwise
    D437, which binding words), and the data has no currency column (whose codes binding checks row by row)."""
    if any(c in positions for c in CODE_COLUMNS):
        raise _Refused
    signs: set[str] = set()
    signed = set()
    # One scan (`_measured`) finds the columns that may have a sign at all (most files have none); only those are
    # scanned for which.
    for t in _money_cells(plan, columns, cell):
        if measured[f"sign {t}"]:
            found = {r[0] for r in con.execute(
                f"SELECT DISTINCT regexp_extract({t}, {quote(_SIGN)}) FROM __attain_raw WHERE {t} IS NOT NULL "
                f"AND regexp_matches({t}, {quote(_SIGN)})").fetchall()}
            if found:
                signs |= found
                signed.add(t)
    declared = plan.model.policy.header.currency
    possible = set(currency_codes(declared)) if declared else None
    for sign in sorted(signs):
        possible = set(currency_codes(sign)) if possible is None else possible & set(currency_codes(sign))
    if possible is not None and not possible:
        raise _Refused
    return frozenset(signed)


def _money(t: str) -> str:
    """A money cell without its currency sign, as `attain.io.cells.money_cell` reads it: -¥12, ¥-12, ¥ -12,
    12 ¥ and -12 ¥ are -12 or 12; any other cell is left as it is (and checked as a plain number)."""
    first = f"^(-?)[{_SIGNS}] *(-?)([0-9][0-9,.]*)$"
    last = f"^(-?[0-9][0-9,.]*) *[{_SIGNS}]$"
    return (f"CASE WHEN regexp_matches({t}, {quote(first)}) AND NOT regexp_matches({t}, '^-.*-') "
            f"THEN regexp_replace({t}, {quote(first)}, '\\1\\2\\3') "
            f"WHEN regexp_matches({t}, {quote(last)}) THEN regexp_replace({t}, {quote(last)}, '\\1') ELSE {t} END")


def _one(con: Any, query: str) -> Any:
    return con.execute(query).fetchall()[0][0]


def _head(path: str, head: str, header_row: int | None) -> Table:
    """The header and the first records, read by the Python reader from the first lines of the file: those the
    header may be among and the `_HEAD_ROWS` after it (parsing the whole first chunk cost half a second)."""
    whole = len(head.encode("utf-8")) < _HEAD_BYTES
    if not whole:
        end = -1
        for _ in range(_HEAD_ROWS + LOOKAHEAD + (header_row or 0)):
            end = head.find("\n", end + 1)
            if end < 0:
                break
        head = head[: (end if end >= 0 else head.rfind("\n")) + 1]
    table = read_csv_text(path, head, header_row)
    if not whole and len(table.rows) < LOOKAHEAD:
        raise _Refused  # lines so long that the first ones may not show where the header is
    return table


def _same_as_python(con: Any, head: Table, cell: dict[str, str], first: str | None = None) -> None:
    """The first records DuckDB read are those the csv module reads, cell for cell (after the same strip); `first`:
    a query of them in order (by default the raw table's)."""
    rows = head.rows[:_HEAD_ROWS]
    got = con.execute(f"SELECT {', '.join(cell.values())} FROM {first or '__attain_raw ORDER BY rowid'} "
                      f"LIMIT {len(rows)}").fetchall()
    want = [tuple(r.cells.get(c) for c in head.columns) for r in rows]
    if [tuple(g) for g in got] != want:
        raise _Refused


def _id_checks(who: str, allowed: frozenset) -> list[str]:
    """Every id present, and none that could read as a total (a superset of `screen.is_total`'s test)."""
    # One regular expression (a third of the CPU of four): a total's words, "sum" or "total" in any case
    # (case folding also finds a few non-ASCII look-alikes), or a letter s or t beside a character beyond ASCII.
    # An ASCII id (as many bytes as characters) can only hold "sum" or "total": two ILIKEs, a third of the CPU.
    maybe_total = (f"CASE WHEN strlen({who}) = length({who}) THEN {who} ILIKE '%sum%' OR {who} ILIKE '%total%' "
                   f"ELSE regexp_matches({who}, '(?s)[计計和汇匯彙ｓＳｔＴ]|(?i:sum|total)"
                   f"|[^\\x00-\\x7f].*[sStT]|[sStT].*[^\\x00-\\x7f]') END")
    if allowed:
        maybe_total = f"({maybe_total} AND {who} NOT IN ({', '.join(quote(a) for a in sorted(allowed))}))"
    return [f"{who} IS NOT NULL", f"NOT {maybe_total}"]


def _inputs(con: Any, plan: Plan, columns: dict[str, str], cell: dict[str, str], signed: frozenset[str] = frozenset(),
            known: dict[str, Any] | None = None, limited: bool = False) -> tuple[list[str], dict[str, int], list[str]]:
    """(each input's value expression, the numeric inputs' scales, the checks every row must pass).

    `known`: what `_measured` found, whose scales of columns without a currency sign stand; `limited`: the scales
    are guessed, and a cell that needs more places than its column's scale fails the checks."""
    values, scales, checks = [], {}, []
    forms: list[tuple[str, str]] = []  # each numeric cell and the form it must have
    measured = _scales(con, plan, columns, cell, signed, known or {})
    for name in plan.inputs:
        inp = plan.model.inputs[name]
        column = columns.get(name)
        if column is None:
            values.append("NULL")
            if plan.model.types[name].numeric:
                scales[name] = 0
            continue
        t = cell[column]
        if plan.model.types[name].numeric:
            if t in signed:
                t = _money(t)
            value, scale, more, form = _number(inp, t, measured.get(name, 0), limited)
            scales[name] = scale
            forms.append((t, form))
        elif inp.type == "bool":
            words = ", ".join(quote(w) for w in (*_TRUE, *_FALSE))
            ok = f"(regexp_matches({t}, '^[A-Za-z01]+$') AND lower({t}) IN ({words})) OR {t} IN ('是', '否')"
            value = (f"CASE WHEN lower({t}) IN ({', '.join(quote(w) for w in _TRUE)}) OR {t} = '是' THEN true "
                     f"WHEN {t} IS NOT NULL THEN false END")
            more = [f"({t} IS NULL OR {ok})"]
        elif inp.type == "date":
            value, more = _date(t)
        elif inp.type == "text":
            value, more = t, []
            if inp.choices:
                more = [f"({t} IS NULL OR {t} IN ({', '.join(quote(c) for c in sorted(inp.choices))}))"]
        else:
            raise _Refused
        values.append(value)
        checks += more
    if len(forms) == 1:
        checks.append(f"({forms[0][0]} IS NULL OR regexp_full_match({forms[0][0]}, {quote(forms[0][1])}))")
    elif forms:
        # One regular expression over the numeric cells of a row, joined by ';' (in no form; an empty cell is
        # NULL, here ''): a third less CPU than one per cell. A cell with a ';' adds one too many to match.
        joined_cells = ", ';', ".join(f"coalesce({t}, '')" for t, _ in forms)
        pattern = ";".join(f"(?:{form})?" for _, form in forms)
        checks.append(f"regexp_full_match(concat({joined_cells}), {quote(pattern)})")
    return values, scales, checks


def _places(inp, t: str) -> tuple[str, str, str]:
    """(the cell without its percent sign, whether it has one, the places its value needs), as SQL."""
    percent = inp.type == "percent"
    points = percent and inp.written == "points"
    has_pct = f"ends_with({t}, '%')" if percent else "false"
    body = f"CASE WHEN {has_pct} THEN left({t}, -1) ELSE {t} END" if percent else t
    places = (f"(CASE WHEN contains({body}, '.') THEN length({body}) - strpos({body}, '.') ELSE 0 END"
              f"{f' + CASE WHEN {has_pct} THEN 2 ELSE 0 END' if percent and not points else ''}"
              f"{' + 2' if points else ''})")
    return body, has_pct, places


def _places_sql(plan: Plan, columns: dict[str, str], cell: dict[str, str], signed: frozenset[str]
                ) -> dict[str, str]:
    """For each numeric input (but counts) read from a column, the SQL aggregate of the most places its cells need."""
    found: dict[str, str] = {}
    for name in plan.inputs:
        column = columns.get(name)
        inp = plan.model.inputs[name]
        if column is not None and plan.model.types[name].numeric and inp.type != "count":
            t = _money(cell[column]) if cell[column] in signed else cell[column]
            found[name] = f"coalesce(max(CASE WHEN {t} IS NOT NULL THEN {_places(inp, t)[2]} END), 0)"
    return found


def _scales(con: Any, plan: Plan, columns: dict[str, str], cell: dict[str, str], signed: frozenset[str],
            known: dict[str, Any]) -> dict[str, int]:
    """Each numeric input's scale (the most places any of its cells needs), from one scan of every column
    (`known` holds those `_measured` found: only columns with a currency sign are scanned again).

    A cell that is no number may make the scale too large: then the file is refused, which is Python's to word."""
    found = _places_sql(plan, columns, cell, signed)
    scales = {name: int(known[f"scale {name}"]) for name in found
              if f"scale {name}" in known and cell[columns[name]] not in signed}
    again = {name: sql for name, sql in found.items() if name not in scales}
    if again:
        got = con.execute(f"SELECT {', '.join(again.values())} FROM __attain_raw").fetchall()[0]
        scales.update({name: int(scale) for name, scale in zip(again, got, strict=True)})
    if any(scale > _MAX_SCALE for scale in scales.values()):
        raise _Refused
    return scales


def _number(inp, t: str, scale: int, limited: bool = False) -> tuple[str, int, list[str], str]:
    """An exact HUGEINT at the column's scale (`_scales`), the scale, the checks but the form, and the form (a
    regular expression the whole cell, when not NULL, must match); `limited`: a cell needing more places than the
    scale does not have the form.

    The form is the Python reader's, less a plus sign; the value is the digits without separators and point,
    padded with zeros to the column's scale."""
    percent = inp.type == "percent"
    if inp.type == "count":
        return f"TRY_CAST({t} AS HUGEINT)", 0, [], "[0-9]+"
    body, has_pct, places = _places(inp, t)
    # The form on the cell itself, a percent's sign allowed at its end: the same test as on the body, without
    # building it (a third of the CPU). Limited, the form counts the places (a percent's sign or points add 2).
    # A percent without `written as` may be a plain number only below 2 in size (one of 2 or more may be points,
    # screen.percent_points: Python decides the column).
    plain = _form(scale if limited else None, "-?[01]" if percent and inp.written is None else None)
    form = _form(None if not limited else scale - 2 if inp.written == "points" else scale) + ("%?" if percent else "")
    if percent and inp.written != "points":
        form = plain if limited and scale < 2 else f"{_form(scale - 2 if limited else None)}%|{plain}"
    elif limited and inp.written == "points" and scale < 2:
        form = ""  # a number written as points needs 2 places: no cell (none is empty) fits in fewer
    digits = f"replace(replace({body}, ',', ''), '.', '')"
    # A cell of at most 38 characters with the scale has at most 38 digits: only a longer one counts them.
    checks = [f"({t} IS NULL OR CASE WHEN length({t}) + {scale} <= {_MAX_SCALE} THEN true "
              f"ELSE length(ltrim({digits}, '-')) + {scale} - {places} <= {_MAX_SCALE} END)"]
    value = (f"CASE WHEN {t} IS NOT NULL THEN TRY_CAST({digits} || repeat('0', CAST({scale} - {places} AS INTEGER)) "
             "AS HUGEINT) END")
    # A number of the checked form with at most 18 digits and places (a fixed-point BIGINT) converts through
    # DECIMAL(18, scale), exactly (its places are at most the scale), in a third of the CPU; a percent with its
    # sign, or written as points, is its number over 100: DECIMAL(18, scale - 2) of the number (the scale counts
    # those 2 places in every such cell).
    def fixed(cell: str, places: int) -> str:
        # Thousands groups removed only where the cast without them fails (DuckDB reads no ','): a third faster.
        decimal = f"DECIMAL(18, {places})"
        return (f"CAST(coalesce(TRY_CAST({cell} AS {decimal}), TRY_CAST(replace({cell}, ',', '') AS {decimal})) "
                f"* {10**places} AS HUGEINT)")

    fast = fixed(t, scale)
    if percent and scale >= 2:
        plain = fixed(t, scale - 2) if inp.written == "points" else fast
        fast = f"CASE WHEN {has_pct} THEN {fixed(f'left({t}, -1)', scale - 2)} ELSE {plain} END"
    if not percent or scale >= 2:
        value = f"CASE WHEN {t} IS NOT NULL AND length({t}) + {scale} <= 18 THEN {fast} ELSE {value} END"
    if inp.bounds is not None:
        lo, hi = (b.value * 10**scale for b in (inp.bounds[0], inp.bounds[1]))
        low = -(-lo.numerator // lo.denominator)  # ceiling: value >= lo exactly when value * 10^s >= ceil(lo * 10^s)
        high = hi.numerator // hi.denominator
        checks.append(f"({t} IS NULL OR {value} BETWEEN {lit(max(low, -(2**127) + 1))} "
                      f"AND {lit(min(high, 2**127 - 1))})")
    return value, scale, checks, form


def _form(places: int | None, whole: str | None = None) -> str:
    """A plain number (thousands groups allowed, or `whole` before the point) with any number of places (None),
    or at most `places`."""
    # Groups that capture nothing: a tenth less CPU for the regular expression of a row's numeric cells.
    whole = whole or "-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    return whole + ("(?:[.][0-9]+)?" if places is None else f"(?:[.][0-9]{{1,{places}}})?" if places > 0 else "")


def _date(t: str) -> tuple[str, list[str]]:
    """A DATE from the forms `parse_cell` reads year first; a cell no form reads is refused."""
    parts = [f"nullif(concat({', '.join(f'regexp_extract({t}, {quote(form)}, {k})' for form in _DATE_FORMS)}), '')"
             for k in (1, 2, 3)]
    year, month, day = parts
    value = (f"try_cast({year} || '-' || lpad({month}, 2, '0') || '-' || lpad({day}, 2, '0') AS DATE)")
    return value, [f"({t} IS NULL OR ({year} >= '0001' AND {value} IS NOT NULL))"]


def _periods(con: Any, kind: str, label: str) -> tuple[tuple[Period, ...], str]:
    """Every distinct label parsed by `parse_period` in Python (few of them), joined back as indexes."""
    labels = [r[0] for r in con.execute(f"SELECT DISTINCT {label} FROM __attain_raw LIMIT {_MAX_LABELS + 1}"
                                        ).fetchall()]
    if len(labels) > _MAX_LABELS or any(v is None for v in labels):
        raise _Refused
    parsed: dict[str, Period] = {}
    for v in labels:
        period = parse_period(kind, v)
        if period is None:
            raise _Refused  # a bad label, or a finer period whose rows combine: binding decides
        parsed[v] = period
    con.execute("CREATE OR REPLACE TEMP TABLE __attain_labels (label VARCHAR, idx INTEGER)")
    con.executemany("INSERT INTO __attain_labels VALUES (?, ?)", [(v, p.index) for v, p in parsed.items()])
    return tuple(sorted(set(parsed.values()))), "l.idx"

